//! The transport on loopback addresses (127.0.0.x are all local on Linux): who may connect,
//! message order behind journal tickets, and what ends a connection.

use std::net::{Ipv4Addr, SocketAddrV4};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::*;
use crate::serve::failover::wire::{Message, MessageType, encode};

const WAIT: Duration = Duration::from_secs(20);

fn free_port(ip: Ipv4Addr) -> SocketAddrV4 {
    let l = std::net::TcpListener::bind((ip, 0)).expect("a free port");
    match l.local_addr().expect("its address") {
        SocketAddr::V4(a) => a,
        SocketAddr::V6(_) => unreachable!("bound to IPv4"),
    }
}

async fn next(rx: &mut mpsc::UnboundedReceiver<LinkEvent>) -> LinkEvent {
    tokio::time::timeout(WAIT, rx.recv())
        .await
        .expect("an event in time")
        .expect("the link is alive")
}

/// Waits for the next connection that opens, registered.
async fn opened(link: &mut Link, rx: &mut mpsc::UnboundedReceiver<LinkEvent>) -> (ConnId, bool) {
    loop {
        let mut ev = next(rx).await;
        link.register(&mut ev);
        if let LinkEvent::Opened { conn, outbound, .. } = ev {
            return (conn, outbound);
        }
    }
}

async fn frame(
    rx: &mut mpsc::UnboundedReceiver<LinkEvent>,
) -> (ConnId, Result<Message, WireError>) {
    loop {
        if let LinkEvent::Frame { conn, frame } = next(rx).await {
            return (conn, *frame);
        }
    }
}

fn contact(xid: u32) -> Vec<u8> {
    encode(&Message::contact().at(1_800_000_000, xid)).expect("encodes")
}

/// A raw peer: a plain TCP listener on `peer` that accepts `local`'s connector.
async fn raw_peer(
    link_local: SocketAddrV4,
) -> (Link, mpsc::UnboundedReceiver<LinkEvent>, TcpStream) {
    let peer = free_port(Ipv4Addr::new(127, 0, 0, 3));
    let listener = tokio::net::TcpListener::bind(peer).await.expect("bind");
    let (link, rx) = Link::start("t", link_local, peer);
    let (stream, from) = tokio::time::timeout(WAIT, listener.accept())
        .await
        .expect("the connector dials")
        .expect("accept");
    assert_eq!(
        from.ip(),
        std::net::IpAddr::V4(*link_local.ip()),
        "dialled from the own address"
    );
    (link, rx, stream)
}

#[tokio::test]
async fn two_links_connect_both_ways_and_carry_messages() {
    let a_addr = free_port(Ipv4Addr::new(127, 0, 0, 2));
    let b_addr = free_port(Ipv4Addr::new(127, 0, 0, 3));
    let (mut a, mut a_rx) = Link::start("t", a_addr, b_addr);
    let (mut b, mut b_rx) = Link::start("t", b_addr, a_addr);
    // Each side dials the other and accepts the other's connection: two connections each.
    let mut a_conns = [
        opened(&mut a, &mut a_rx).await,
        opened(&mut a, &mut a_rx).await,
    ];
    let mut b_conns = [
        opened(&mut b, &mut b_rx).await,
        opened(&mut b, &mut b_rx).await,
    ];
    a_conns.sort_by_key(|c| c.1);
    b_conns.sort_by_key(|c| c.1);
    assert_eq!(
        a_conns.iter().map(|c| c.1).collect::<Vec<_>>(),
        [false, true]
    );
    assert_eq!(
        b_conns.iter().map(|c| c.1).collect::<Vec<_>>(),
        [false, true]
    );
    // A's outbound connection is B's inbound one.
    a.send(a_conns[1].0, contact(7), None);
    let (conn, got) = frame(&mut b_rx).await;
    assert_eq!(conn, b_conns[0].0);
    let got = got.expect("decodes");
    assert_eq!((got.kind, got.xid), (MessageType::Contact, 7));
    assert_eq!(a.open_connections(), 2);
    // Closing one end is seen at the other.
    a.close(a_conns[1].0);
    loop {
        if let LinkEvent::Closed { conn, .. } = next(&mut b_rx).await {
            assert_eq!(conn, b_conns[0].0);
            break;
        }
    }
}

#[tokio::test]
async fn a_stranger_is_closed_without_a_word() {
    let a_addr = free_port(Ipv4Addr::new(127, 0, 0, 2));
    let partner = SocketAddrV4::new(Ipv4Addr::new(127, 0, 0, 3), 9);
    let (_a, mut a_rx) = Link::start("t", a_addr, partner);
    let mut stranger = tokio::time::timeout(WAIT, async {
        loop {
            let s = TcpSocket::new_v4().expect("socket");
            s.bind(SocketAddr::new(Ipv4Addr::new(127, 0, 0, 4).into(), 0))
                .expect("bind");
            if let Ok(c) = s.connect(SocketAddr::V4(a_addr)).await {
                return c;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("the listener is up");
    let mut buf = [0u8; 16];
    let n = tokio::time::timeout(WAIT, stranger.read(&mut buf))
        .await
        .expect("closed in time")
        .unwrap_or(0);
    assert_eq!(n, 0, "closed without any message");
    // Nothing was reported but the connector's attempts at the (absent) partner.
    while let Ok(ev) = a_rx.try_recv() {
        assert!(
            !matches!(
                ev,
                LinkEvent::Opened {
                    outbound: false,
                    ..
                }
            ),
            "{ev:?}"
        );
    }
}

#[tokio::test]
async fn messages_leave_in_order_behind_their_tickets() {
    let local = free_port(Ipv4Addr::new(127, 0, 0, 2));
    let (mut link, mut rx, mut peer) = raw_peer(local).await;
    let (conn, outbound) = opened(&mut link, &mut rx).await;
    assert!(outbound);
    let (durable, ticket) = oneshot::channel();
    link.send(conn, contact(1), Some(ticket));
    link.send(conn, contact(2), None);
    let mut buf = [0u8; 64];
    let early = tokio::time::timeout(Duration::from_millis(300), peer.read(&mut buf)).await;
    assert!(early.is_err(), "nothing leaves before the write is on disk");
    durable.send(true).expect("the writer waits");
    let mut got = Vec::new();
    while got.len() < 24 {
        let n = tokio::time::timeout(WAIT, peer.read(&mut buf))
            .await
            .expect("in time")
            .expect("read");
        assert!(n > 0, "closed early");
        got.extend_from_slice(&buf[..n]);
    }
    assert_eq!(got, [contact(1), contact(2)].concat());
}

#[tokio::test]
async fn a_failed_write_closes_the_connection() {
    let local = free_port(Ipv4Addr::new(127, 0, 0, 2));
    let (mut link, mut rx, mut peer) = raw_peer(local).await;
    let (conn, _) = opened(&mut link, &mut rx).await;
    let (durable, ticket) = oneshot::channel();
    link.send(conn, contact(1), Some(ticket));
    link.send(conn, contact(2), None);
    durable.send(false).expect("the writer waits");
    let mut buf = [0u8; 64];
    let n = tokio::time::timeout(WAIT, peer.read(&mut buf))
        .await
        .expect("in time")
        .unwrap_or(0);
    assert_eq!(n, 0, "nothing sent, connection closed");
    loop {
        if let LinkEvent::Closed { conn: c, why } = next(&mut rx).await {
            assert_eq!(c, conn);
            assert!(why.contains("lease-file"), "{why}");
            break;
        }
    }
}

#[tokio::test]
async fn a_malformed_stream_is_reported_once_and_read_no_further() {
    let local = free_port(Ipv4Addr::new(127, 0, 0, 2));
    let (mut link, mut rx, mut peer) = raw_peer(local).await;
    let (conn, _) = opened(&mut link, &mut rx).await;
    // A length of 5 is below the 12-octet header; the next message must not be read.
    peer.write_all(&[0, 5, 11, 12]).await.expect("write");
    peer.write_all(&contact(3)).await.expect("write");
    let (c, got) = frame(&mut rx).await;
    assert_eq!(c, conn);
    assert!(matches!(got, Err(WireError::Length { len: 5 })), "{got:?}");
    let more = tokio::time::timeout(Duration::from_millis(300), rx.recv()).await;
    assert!(
        !matches!(more, Ok(Some(LinkEvent::Frame { .. }))),
        "no message after a fatal error: {more:?}"
    );
}

#[tokio::test]
async fn the_connector_dials_again_after_the_partner_closed() {
    let local = free_port(Ipv4Addr::new(127, 0, 0, 2));
    let peer_addr = free_port(Ipv4Addr::new(127, 0, 0, 3));
    let listener = tokio::net::TcpListener::bind(peer_addr)
        .await
        .expect("bind");
    let (mut link, mut rx) = Link::start("t", local, peer_addr);
    let (first, _) = tokio::time::timeout(WAIT, listener.accept())
        .await
        .expect("dialled")
        .expect("accept");
    let (conn, _) = opened(&mut link, &mut rx).await;
    drop(first);
    loop {
        if let LinkEvent::Closed { conn: c, .. } = next(&mut rx).await {
            assert_eq!(c, conn);
            link.forget(c);
            break;
        }
    }
    let again = tokio::time::timeout(WAIT, listener.accept()).await;
    assert!(matches!(again, Ok(Ok(_))), "the connector dials again");
    // With an established link it does not dial.
    let (second, _) = opened(&mut link, &mut rx).await;
    link.set_established(true);
    link.close(second);
    let none = tokio::time::timeout(RECONNECT + Duration::from_secs(2), listener.accept()).await;
    assert!(
        none.is_err(),
        "no new connection while a link is established"
    );
}
