//! The control socket: owner-only, one request per connection, a stale file replaced, a
//! live one refused.

use std::os::unix::fs::PermissionsExt;

use super::*;

fn status() -> Status {
    Status {
        name: "lab".into(),
        role: "primary".into(),
        state: "normal".into(),
        startup: false,
        since: 1,
        partner_state: "normal".into(),
        partner_since: 2,
        mclt: 60,
        connected: true,
        service: "cooperating".into(),
        service_reason: String::new(),
        updates_queued: 0,
        updates_unacked: 0,
        pools: vec![PoolStatus {
            network: "10.0.0.0/24".into(),
            free: 5,
            backup: 5,
            busy: 0,
        }],
    }
}

#[tokio::test]
async fn requests_reach_the_server_and_replies_come_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = default_socket(&dir.path().join("dhcpd.leases"));
    assert!(path.ends_with("dhcpd.leases.ctl"));
    std::fs::write(&path, "stale").unwrap();
    let mut rx = listen(&path).expect("a stale file is replaced");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    // Bound in a private directory first; nothing of it is left beside the lease file.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["dhcpd.leases.ctl"]);
    let server = tokio::spawn(async move {
        let mut seen = Vec::new();
        for _ in 0..2 {
            let (req, reply) = rx.recv().await.expect("a request");
            seen.push(req);
            let answer = match req {
                Request::State => Reply::ok(status()),
                Request::PartnerDown => {
                    Reply::refused(&crate::codes::runtime::PARTNER_DOWN_REFUSED, "no".into())
                }
            };
            let _ = reply.send(answer);
        }
        seen
    });
    let p = path.clone();
    let replies = tokio::task::spawn_blocking(move || {
        [Request::State, Request::PartnerDown]
            .map(|r| request(&p, r, Duration::from_secs(5)).expect("a reply"))
    })
    .await
    .unwrap();
    assert_eq!(replies[0], Reply::ok(status()));
    assert_eq!(replies[1].code.as_deref(), Some("DF030"));
    assert!(!replies[1].ok);
    assert_eq!(
        server.await.unwrap(),
        [Request::State, Request::PartnerDown]
    );
    // A second server on the same socket is refused.
    assert!(matches!(listen(&path), Err(ControlError::InUse(_))));
}

#[tokio::test]
async fn an_unknown_request_is_answered_with_the_valid_ones() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.ctl");
    let _rx = listen(&path).unwrap();
    let p = path.clone();
    let line = tokio::task::spawn_blocking(move || {
        let mut s = std::os::unix::net::UnixStream::connect(&p).unwrap();
        s.write_all(b"reboot\n").unwrap();
        let mut line = String::new();
        BufReader::new(s).read_line(&mut line).unwrap();
        line
    })
    .await
    .unwrap();
    let reply: Reply = serde_json::from_str(&line).unwrap();
    assert!(!reply.ok);
    assert_eq!(reply.code.as_deref(), Some("DF033"));
    assert!(reply.error.unwrap().contains("`state` or `partner-down`"));
}
