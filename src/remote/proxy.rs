//! Carrying an SSH session over something other than its own TCP connection, as `ssh` does
//! for `ProxyJump` and `ProxyCommand`: one end of a local socket pair is the session's
//! "socket"; the other end is pumped into a `direct-tcpip` channel of an (already verified and
//! authenticated) session to the jump host, or is the standard input and output of the proxy
//! command.

use std::io::{ErrorKind, Read, Write};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::os::unix::net::UnixStream;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

use ssh2::{Channel, Session};

/// What keeps a proxied session's bytes flowing; stopped when dropped (after the session that
/// uses it, so that the session can say goodbye).
pub(super) struct Transport {
    /// The socket the session reads and writes (for `poll` when it carries another hop).
    pub fd: RawFd,
    stop: Option<Arc<AtomicBool>>,
    pump: Option<JoinHandle<()>>,
    child: Option<Child>,
}

impl Transport {
    /// A session straight over its own socket `fd`.
    pub(super) fn direct(fd: RawFd) -> Transport {
        Transport {
            fd,
            stop: None,
            pump: None,
            child: None,
        }
    }
}

impl Drop for Transport {
    fn drop(&mut self) {
        if let Some(stop) = &self.stop {
            stop.store(true, Ordering::Relaxed);
        }
        if let Some(pump) = self.pump.take() {
            let _ = pump.join();
        }
        if let Some(mut child) = self.child.take() {
            // Only the command this connection started, by its own handle.
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Opens a `direct-tcpip` channel to `host:port` on the jump session and pumps it to a
/// socket pair in a thread that owns the jump session (and whatever carries it). Returns the
/// transport and the socket for the new session.
pub(super) fn through_jump(
    jump: Session,
    jump_transport: Transport,
    host: &str,
    port: u16,
) -> Result<(Transport, UnixStream), String> {
    let channel = jump
        .channel_direct_tcpip(host, port, None)
        .map_err(|e| format!("the jump host did not open a channel to {host}:{port}: {e}"))?;
    let (ours, theirs) = UnixStream::pair().map_err(|e| format!("socket pair: {e}"))?;
    theirs
        .set_nonblocking(true)
        .map_err(|e| format!("socket pair: {e}"))?;
    jump.set_blocking(false);
    let jump_fd = jump_transport.fd;
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    let pump = std::thread::Builder::new()
        .name("dhcpfo-jump".into())
        .spawn(move || {
            let channel = pump(&jump, channel, theirs, jump_fd, &flag);
            // The jump session (then its own transport) ends with the pump; libssh2 frees a
            // channel and a session only in blocking mode.
            jump.set_timeout(2000);
            jump.set_blocking(true);
            drop(channel);
            drop(jump);
            drop(jump_transport);
        })
        .map_err(|e| format!("cannot start the jump host thread: {e}"))?;
    Ok((
        Transport {
            fd: ours.as_raw_fd(),
            stop: Some(stop),
            pump: Some(pump),
            child: None,
        },
        ours,
    ))
}

/// The signals a proxy command starts with ignored: those dhcpfo itself handles (see
/// [`super::signals`]). A terminal's Ctrl-C or hangup goes to its whole foreground process
/// group; the proxy command must outlive it, since dhcpfo then goes on through it to settle
/// both peers, and ends it when the connection closes.
const IGNORED: &str = "trap '' INT TERM HUP";

/// Runs `command` with `sh -c`, its standard input and output one end of a socket pair
/// (standard error goes to dhcpfo's, as with `ssh`). Returns the transport and the other end.
///
/// As with `ssh`, the command stays in dhcpfo's process group, so that a jump host's password
/// or passphrase prompt on the terminal still works (in a process group of its own it would
/// be stopped by SIGTTIN); unlike with `ssh`, it starts with SIGINT, SIGTERM and SIGHUP
/// ignored ([`IGNORED`]), as a shell starts its background jobs (`ssh -W` keeps them
/// so). A command that installs handlers of its own for them still ends with them.
pub(super) fn through_command(command: &str) -> Result<(Transport, UnixStream), String> {
    let (ours, theirs) = UnixStream::pair().map_err(|e| format!("socket pair: {e}"))?;
    let input: OwnedFd = theirs
        .try_clone()
        .map_err(|e| format!("socket pair: {e}"))?
        .into();
    let output: OwnedFd = theirs.into();
    let child = Command::new("/bin/sh")
        .arg("-c")
        .arg(format!("{IGNORED}; exec {command}"))
        .stdin(Stdio::from(input))
        .stdout(Stdio::from(output))
        .spawn()
        .map_err(|e| format!("cannot start the ProxyCommand: {e}"))?;
    Ok((
        Transport {
            fd: ours.as_raw_fd(),
            stop: None,
            pump: None,
            child: Some(child),
        },
        ours,
    ))
}

/// Copies bytes both ways between the channel and the socket until either side ends or
/// `stop` is set. The jump session is non-blocking; `poll` waits on its socket and ours.
fn pump(
    session: &Session,
    mut channel: Channel,
    mut socket: UnixStream,
    fd: RawFd,
    stop: &AtomicBool,
) -> Channel {
    let mut to_socket: Vec<u8> = Vec::new();
    let mut to_channel: Vec<u8> = Vec::new();
    let mut buf = vec![0u8; 32 * 1024];
    let (mut channel_eof, mut socket_eof) = (false, false);
    while !stop.load(Ordering::Relaxed) {
        let mut progress = false;
        if to_socket.is_empty() && !channel_eof {
            match channel.read(&mut buf) {
                Ok(0) if channel.eof() => channel_eof = true,
                Ok(0) => {}
                Ok(n) => {
                    to_socket.extend_from_slice(&buf[..n]);
                    progress = true;
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                Err(_) => break,
            }
        }
        if !to_socket.is_empty() {
            match socket.write(&to_socket) {
                Ok(n) => {
                    to_socket.drain(..n);
                    progress = true;
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                Err(_) => break,
            }
        }
        if channel_eof && to_socket.is_empty() {
            // The far end closed: the session over the socket sees the end of its stream.
            let _ = socket.shutdown(std::net::Shutdown::Write);
        }
        if to_channel.is_empty() && !socket_eof {
            match socket.read(&mut buf) {
                Ok(0) => socket_eof = true,
                Ok(n) => {
                    to_channel.extend_from_slice(&buf[..n]);
                    progress = true;
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                Err(_) => break,
            }
        }
        if !to_channel.is_empty() {
            match channel.write(&to_channel) {
                Ok(n) => {
                    to_channel.drain(..n);
                    progress = true;
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                Err(_) => break,
            }
        }
        if socket_eof && to_channel.is_empty() {
            // The session over the socket is gone: close the channel and stop.
            let _ = channel.send_eof();
            let _ = channel.close();
            break;
        }
        if channel_eof && to_socket.is_empty() && socket_eof {
            break;
        }
        if !progress {
            wait(session, fd, socket.as_raw_fd(), !to_socket.is_empty());
        }
    }
    channel
}

/// Waits (at most 100 ms) until the jump session's socket or ours has something to do.
fn wait(session: &Session, session_fd: RawFd, socket_fd: RawFd, socket_out: bool) {
    let mut session_events = libc::POLLIN;
    if session.block_directions() == ssh2::BlockDirections::Outbound
        || session.block_directions() == ssh2::BlockDirections::Both
    {
        session_events |= libc::POLLOUT;
    }
    let mut socket_events = libc::POLLIN;
    if socket_out {
        socket_events |= libc::POLLOUT;
    }
    let mut fds = [
        libc::pollfd {
            fd: session_fd,
            events: session_events,
            revents: 0,
        },
        libc::pollfd {
            fd: socket_fd,
            events: socket_events,
            revents: 0,
        },
    ];
    // SAFETY: `fds` is a valid array of two pollfd structures for the whole call.
    unsafe {
        libc::poll(fds.as_mut_ptr(), 2, 100);
    }
}
