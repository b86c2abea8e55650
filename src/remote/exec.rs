//! Running one command on a peer.
//!
//! - The command runs under `timeout -k KILL_AFTER DEADLINE sh -c COMMAND` on the peer, so the
//!   peer itself kills it (and every process of its group) when the deadline passes, whatever
//!   happens to the connection; this side waits a little longer than the peer's deadline plus
//!   the kill grace, so when an answer comes the command is known to be over.
//! - Standard output and standard error are read together on a non-blocking session, so a
//!   command that writes megabytes to one never stalls behind the other.
//! - Standard output is capped (a peer cannot make this side read without limit); standard
//!   error is kept up to [`STDERR_KEPT`] bytes and the rest is read and dropped.
//! - [`stream`] hands standard output to a reader instead (the lease file, summarised as it
//!   comes and never held whole, so not capped), under the same deadline and with standard
//!   error read alongside.

use std::io::{Read, Write};
use std::os::unix::io::AsRawFd;
use std::time::{Duration, Instant};

use ssh2::{BlockDirections, Channel, ErrorCode, Session};

use super::shell_quote;
use super::text::terminal_safe;

/// Default cap on the standard output of one remote command (`--max-remote-size`).
pub(crate) const DEFAULT_MAX_READ: u64 = 64 << 20;
/// Time between the TERM the peer's `timeout` sends at the deadline and its KILL.
pub(crate) const KILL_AFTER: Duration = Duration::from_secs(10);
/// Standard error kept for messages.
pub(crate) const STDERR_KEPT: usize = 64 << 10;
/// How much longer than the peer's deadline and kill grace this side waits for an answer.
const NETWORK_SLACK: Duration = Duration::from_secs(30);
/// `timeout`'s exit status when it stopped the command with TERM; 128+9 when KILL was needed.
const TIMED_OUT: [i32; 2] = [124, 137];
/// libssh2's "operation would block".
const EAGAIN: i32 = -37;

/// How long a command may run and how much it may print.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// The peer kills the command after this long.
    pub deadline: Duration,
    /// Most bytes of standard output read.
    pub max_stdout: u64,
}

/// What a remote command printed and returned.
#[derive(Debug, Clone)]
pub struct Output {
    /// Exit status (-1 when the server sent none or the command died of a signal).
    pub status: i32,
    /// Standard output.
    pub stdout: Vec<u8>,
    /// Standard error, as text (at most [`STDERR_KEPT`] bytes of it).
    pub stderr: String,
    /// Whether the peer's `timeout` killed the command at its deadline.
    pub timed_out: bool,
    /// When the command was sent and when its first output arrived (for clock readings:
    /// the peer printed its first bytes between the two).
    pub timing: Option<(Instant, Instant)>,
}

impl Output {
    /// Standard error, else standard output, trimmed, cut to a few lines and made safe for a
    /// terminal, for a message.
    pub fn detail(&self) -> String {
        let text = if self.stderr.trim().is_empty() {
            String::from_utf8_lossy(&self.stdout[..self.stdout.len().min(STDERR_KEPT)]).into_owned()
        } else {
            self.stderr.clone()
        };
        let lines: Vec<String> = text
            .trim()
            .lines()
            .take(6)
            .map(|l| terminal_safe(&l.chars().take(300).collect::<String>()))
            .collect();
        lines.join(" | ")
    }
}

/// Why a command could not be run to its end.
#[derive(Debug)]
pub(crate) enum ExecError {
    /// The session failed or the peer did not answer in time.
    Ssh(String),
    /// Standard output passed the cap.
    TooLarge(u64),
}

/// The command line the peer runs: `command` under `timeout` with the deadline of `limits`.
pub(crate) fn wrapped(command: &str, deadline: Duration) -> String {
    format!(
        "timeout -k {} {} sh -c {}",
        KILL_AFTER.as_secs(),
        deadline.as_secs().max(1),
        shell_quote(command)
    )
}

/// Runs `command` on an open session, feeding it `stdin`.
pub(crate) fn run(
    session: &Session,
    command: &str,
    stdin: Option<&[u8]>,
    limits: Limits,
) -> Result<Output, ExecError> {
    let wrapped = wrapped(command, limits.deadline);
    let ((), output) = under_deadline(session, limits.deadline, |slot, give_up| {
        drive(session, &wrapped, stdin, limits, give_up, slot).map(|output| ((), output))
    })?;
    Ok(output)
}

/// Runs `command` on an open session under `deadline` (enforced on the peer as for [`run`])
/// and hands its standard output to `read` as a stream: never held whole, so not capped.
/// Standard error is read alongside, so it cannot stall the stream, and kept as in [`run`].
/// Returns what `read` returned and the command's [`Output`] (its `stdout` empty); what
/// `read` leaves unread is read and dropped, so the exit status can arrive.
pub(crate) fn stream<T>(
    session: &Session,
    command: &str,
    deadline: Duration,
    read: impl FnOnce(&mut dyn Read) -> T,
) -> Result<(T, Output), ExecError> {
    let wrapped = wrapped(command, deadline);
    under_deadline(session, deadline, |slot, give_up| {
        let channel = slot.insert(retry(session, give_up, || session.channel_session())?);
        retry(session, give_up, || channel.exec(&wrapped))?;
        // The command reads no input; one that already ended may refuse the EOF.
        let _ = retry(session, give_up, || channel.send_eof());
        let mut stdout = StdoutStream {
            session,
            channel,
            give_up,
            stderr: Vec::new(),
            scratch: vec![0u8; 32 << 10],
            failure: None,
        };
        let value = read(&mut stdout);
        let mut rest = vec![0u8; 32 << 10];
        while matches!(stdout.read(&mut rest), Ok(n) if n > 0) {}
        if let Some(failure) = stdout.failure.take() {
            return Err(failure);
        }
        let stderr = std::mem::take(&mut stdout.stderr);
        let output = finish(session, channel, give_up, Vec::new(), stderr, None)?;
        Ok((value, output))
    })
}

/// Runs `body` on a non-blocking session with the time this side waits for a command under
/// `deadline`, closes the channel it opened if it failed, and tells whether the peer's
/// `timeout` ended the command.
fn under_deadline<T>(
    session: &Session,
    deadline: Duration,
    body: impl FnOnce(&mut Option<Channel>, Instant) -> Result<(T, Output), ExecError>,
) -> Result<(T, Output), ExecError> {
    let started = Instant::now();
    let give_up = started + deadline.max(Duration::from_secs(1)) + KILL_AFTER + NETWORK_SLACK;
    session.set_blocking(false);
    let mut channel = None;
    let result = body(&mut channel, give_up);
    if result.is_err()
        && let Some(channel) = channel.as_mut()
    {
        // Tell the peer to stop sending; its `timeout` ends the command in any case.
        let _ = channel.close();
    }
    session.set_blocking(true);
    drop(channel);
    let (value, mut output) = result?;
    output.timed_out = TIMED_OUT.contains(&output.status)
        && started.elapsed() + Duration::from_millis(500) >= deadline;
    Ok((value, output))
}

fn drive(
    session: &Session,
    command: &str,
    stdin: Option<&[u8]>,
    limits: Limits,
    give_up: Instant,
    slot: &mut Option<Channel>,
) -> Result<Output, ExecError> {
    let channel = slot.insert(retry(session, give_up, || session.channel_session())?);
    retry(session, give_up, || channel.exec(command))?;
    let sent = Instant::now();
    let mut first_output = None;
    let input = stdin.unwrap_or_default();
    let mut written = 0;
    let mut eof_sent = false;
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let mut buf = vec![0u8; 32 << 10];
    loop {
        let mut progressed = false;
        while written < input.len() {
            match channel.write(&input[written..]) {
                Ok(0) => break,
                Ok(n) => {
                    written += n;
                    progressed = true;
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                // The command may end without reading all its input; what it printed says why.
                Err(_) => written = input.len(),
            }
        }
        if written >= input.len() && !eof_sent {
            match channel.send_eof() {
                Ok(()) => {
                    eof_sent = true;
                    progressed = true;
                }
                Err(e) if is_eagain(&e) => {}
                Err(_) => eof_sent = true,
            }
        }
        progressed |= drain(channel, 0, &mut buf, &mut stdout, limits.max_stdout)?;
        if first_output.is_none() && !stdout.is_empty() {
            first_output = Some(Instant::now());
        }
        progressed |= drain(channel, 1, &mut buf, &mut stderr, u64::MAX)?;
        if channel.eof() {
            break;
        }
        if !progressed {
            wait(session, give_up)?;
        }
    }
    let timing = first_output.map(|first| (sent, first));
    finish(session, channel, give_up, stdout, stderr, timing)
}

/// Waits for the channel to close and collects the exit status.
fn finish(
    session: &Session,
    channel: &mut Channel,
    give_up: Instant,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    timing: Option<(Instant, Instant)>,
) -> Result<Output, ExecError> {
    retry(session, give_up, || channel.wait_close())?;
    // A command killed by a signal has no exit status; libssh2 reports 0 then, so a closed
    // channel without an exit status is read as a failure.
    let status = match channel.exit_signal() {
        Ok(sig) if sig.exit_signal.is_some() => -1,
        _ => channel
            .exit_status()
            .map_err(|e| ExecError::Ssh(e.to_string()))?,
    };
    Ok(Output {
        status,
        stdout,
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
        timed_out: false,
        timing,
    })
}

/// A streamed command's standard output as a blocking reader over the non-blocking session:
/// standard error is drained (and kept up to [`STDERR_KEPT`]) on every read, and a read waits
/// at most until the command's `give_up` time.
struct StdoutStream<'a> {
    session: &'a Session,
    channel: &'a mut Channel,
    give_up: Instant,
    stderr: Vec<u8>,
    scratch: Vec<u8>,
    /// Why the stream stopped early; every later read fails.
    failure: Option<ExecError>,
}

impl StdoutStream<'_> {
    /// One attempt: `Some(n)` bytes read (0 at the end), or `None` to try again.
    fn step(&mut self, out: &mut [u8]) -> Result<Option<usize>, ExecError> {
        let progressed = drain(
            self.channel,
            1,
            &mut self.scratch,
            &mut self.stderr,
            u64::MAX,
        )?;
        match self.channel.stream(0).read(out) {
            Ok(n) if n > 0 => return Ok(Some(n)),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(ExecError::Ssh(e.to_string())),
        }
        // libssh2 reports the end only once no data of either stream is left to read.
        if self.channel.eof() {
            return Ok(Some(0));
        }
        if !progressed {
            wait(self.session, self.give_up)?;
        }
        Ok(None)
    }
}

impl Read for StdoutStream<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        loop {
            if self.failure.is_some() {
                return Err(std::io::Error::other("the remote command's output stopped"));
            }
            match self.step(out) {
                Ok(Some(n)) => return Ok(n),
                Ok(None) => {}
                Err(e) => self.failure = Some(e),
            }
        }
    }
}

/// Reads what is there on one stream; standard error beyond [`STDERR_KEPT`] is dropped,
/// standard output beyond `cap` is an error.
fn drain(
    channel: &mut Channel,
    stream: i32,
    buf: &mut [u8],
    into: &mut Vec<u8>,
    cap: u64,
) -> Result<bool, ExecError> {
    let mut progressed = false;
    let mut reader = channel.stream(stream);
    loop {
        match reader.read(buf) {
            Ok(0) => return Ok(progressed),
            Ok(n) => {
                progressed = true;
                if stream == 0 {
                    if (into.len() + n) as u64 > cap {
                        return Err(ExecError::TooLarge(cap));
                    }
                    into.extend_from_slice(&buf[..n]);
                } else {
                    let room = STDERR_KEPT.saturating_sub(into.len());
                    into.extend_from_slice(&buf[..n.min(room)]);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return Ok(progressed),
            Err(e) => return Err(ExecError::Ssh(e.to_string())),
        }
    }
}

fn is_eagain(e: &ssh2::Error) -> bool {
    e.code() == ErrorCode::Session(EAGAIN)
}

/// Repeats a libssh2 call that would block until it completes or `give_up` passes.
fn retry<T>(
    session: &Session,
    give_up: Instant,
    mut f: impl FnMut() -> Result<T, ssh2::Error>,
) -> Result<T, ExecError> {
    loop {
        match f() {
            Ok(v) => return Ok(v),
            Err(e) if is_eagain(&e) => wait(session, give_up)?,
            Err(e) => return Err(ExecError::Ssh(e.to_string())),
        }
    }
}

/// Waits until the socket can move data in the direction libssh2 waits for (at most a second,
/// so that progress elsewhere is noticed), or fails once `give_up` has passed.
fn wait(session: &Session, give_up: Instant) -> Result<(), ExecError> {
    let now = Instant::now();
    if now >= give_up {
        return Err(ExecError::Ssh(
            "no answer from the peer in time (the connection may be down)".into(),
        ));
    }
    let mut events = libc::POLLIN;
    if matches!(
        session.block_directions(),
        BlockDirections::Outbound | BlockDirections::Both
    ) {
        events |= libc::POLLOUT;
    }
    let mut fd = libc::pollfd {
        fd: session.as_raw_fd(),
        events,
        revents: 0,
    };
    let ms = (give_up - now).as_millis().clamp(1, 1000) as i32;
    // SAFETY: one valid pollfd for the duration of the call; an interrupted poll (a signal)
    // only returns early, and the caller tries again.
    unsafe {
        libc::poll(&mut fd, 1, ms);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_peer_runs_the_command_under_timeout() {
        assert_eq!(
            wrapped("cat -- '/etc/x y'", Duration::from_secs(60)),
            "timeout -k 10 60 sh -c 'cat -- '\\''/etc/x y'\\'''"
        );
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(wrapped(
                "printf '%s' \"$0\"; exit 3",
                Duration::from_secs(5),
            ))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(3));
        assert_eq!(out.stdout, b"sh");
    }

    #[test]
    fn details_are_short_and_safe() {
        let out = Output {
            status: 1,
            stdout: Vec::new(),
            stderr: "line\u{1b}[2J\n".repeat(10),
            timed_out: false,
            timing: None,
        };
        assert_eq!(out.detail().matches(" | ").count(), 5);
        assert!(!out.detail().contains('\u{1b}'));
    }
}
