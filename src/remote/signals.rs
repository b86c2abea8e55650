//! SIGINT, SIGTERM and SIGHUP during a deploy: noted, not obeyed at once. The deploy checks
//! [`interrupted`] between steps, lets the steps under way finish, then stops safely (rolls
//! back, or completes when only restarts are left). Each signal is acknowledged on standard
//! error from the handler itself (a second one says that the deploy is already stopping and
//! how to abandon it). SIGPIPE is ignored meanwhile, so that a closed pipe or terminal makes
//! writes fail instead of killing the deploy half-way.

use std::sync::atomic::{AtomicI32, AtomicUsize, Ordering};

static COUNT: AtomicUsize = AtomicUsize::new(0);
static FIRST: AtomicI32 = AtomicI32::new(0);

const HANDLED: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

const FIRST_INT: &[u8] = b"\ndhcpfo: SIGINT received: finishing the step under way, then stopping the deploy safely (rolling back, or completing when only restarts are left) and reporting\n";
const FIRST_TERM: &[u8] = b"\ndhcpfo: SIGTERM received: finishing the step under way, then stopping the deploy safely (rolling back, or completing when only restarts are left) and reporting\n";
const FIRST_HUP: &[u8] = b"\ndhcpfo: SIGHUP received: finishing the step under way, then stopping the deploy safely (rolling back, or completing when only restarts are left) and reporting\n";
const AGAIN: &[u8] = b"\ndhcpfo: signal received again: the deploy is already stopping and will not be cut short, so that neither peer is left half-updated; it reports when both peers are settled. To abandon it anyway, send SIGKILL: the next `dhcpfo deploy` finds its journal on the peers and completes or rolls back.\n";

extern "C" fn on_signal(sig: libc::c_int) {
    let n = COUNT.fetch_add(1, Ordering::SeqCst);
    let text = if n == 0 {
        FIRST.store(sig, Ordering::SeqCst);
        match sig {
            libc::SIGINT => FIRST_INT,
            libc::SIGTERM => FIRST_TERM,
            _ => FIRST_HUP,
        }
    } else {
        AGAIN
    };
    // SAFETY: write(2) is async-signal-safe; the buffer is static.
    unsafe {
        libc::write(2, text.as_ptr().cast(), text.len());
    }
}

/// While alive, the deploy's signal handling is in place; dropping it restores the previous
/// dispositions.
pub(crate) struct Guard {
    previous: Vec<(libc::c_int, libc::sigaction)>,
}

/// Installs the handlers (and ignores SIGPIPE) until the guard is dropped.
pub(crate) fn install() -> Guard {
    COUNT.store(0, Ordering::SeqCst);
    FIRST.store(0, Ordering::SeqCst);
    let mut previous = Vec::new();
    for sig in HANDLED.iter().copied().chain([libc::SIGPIPE]) {
        // SAFETY: sigaction is called with zeroed, then filled structures; the handler only
        // touches atomics and calls write(2).
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = if sig == libc::SIGPIPE {
                libc::SIG_IGN
            } else {
                on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t
            };
            action.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut action.sa_mask);
            let mut old: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(sig, &action, &mut old) == 0 {
                previous.push((sig, old));
            }
        }
    }
    Guard { previous }
}

impl Drop for Guard {
    fn drop(&mut self) {
        for (sig, old) in &self.previous {
            // SAFETY: restores a disposition sigaction returned earlier.
            unsafe {
                libc::sigaction(*sig, old, std::ptr::null_mut());
            }
        }
    }
}

/// The first signal received since [`install`], if any.
pub(crate) fn interrupted() -> Option<i32> {
    match FIRST.load(Ordering::SeqCst) {
        0 => None,
        sig => Some(sig),
    }
}

/// `SIGINT`, `SIGTERM`, `SIGHUP`.
pub(crate) fn name(sig: i32) -> &'static str {
    match sig {
        libc::SIGINT => "SIGINT",
        libc::SIGTERM => "SIGTERM",
        libc::SIGHUP => "SIGHUP",
        _ => "a signal",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signal_is_noted_not_obeyed() {
        let guard = install();
        assert_eq!(interrupted(), None);
        // SAFETY: raising a signal whose handler is installed above.
        unsafe {
            libc::raise(libc::SIGHUP);
        }
        assert_eq!(interrupted(), Some(libc::SIGHUP));
        assert_eq!(name(libc::SIGHUP), "SIGHUP");
        drop(guard);
    }
}
