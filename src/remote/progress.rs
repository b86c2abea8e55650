//! Per-peer progress lines on standard error: a spinner per peer and a tick or cross per
//! finished step on a terminal, one plain line per finished step otherwise.

use std::io::Write;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::model::Role;

/// Where progress goes.
pub(crate) struct Progress {
    bars: Option<(MultiProgress, [ProgressBar; 2])>,
}

impl Progress {
    /// Spinners when `terminal`, plain lines otherwise.
    pub(crate) fn new(terminal: bool) -> Progress {
        if !terminal {
            return Progress { bars: None };
        }
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{spinner} {prefix:>9}: {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        let bar = |role: Role| {
            let bar = multi.add(ProgressBar::new_spinner());
            bar.set_style(style.clone());
            bar.set_prefix(role.as_str());
            bar.enable_steady_tick(Duration::from_millis(100));
            bar
        };
        let bars = [bar(Role::Primary), bar(Role::Secondary)];
        Progress {
            bars: Some((multi, bars)),
        }
    }

    /// Runs one step on one peer, showing it while it runs and its outcome after (the label
    /// is the peer's text: made safe for the terminal). A failure's error is not repeated
    /// here: the report at the end gives it once, with its code.
    pub(crate) fn step<T, E>(
        &self,
        role: Role,
        what: &str,
        f: impl FnOnce() -> Result<T, E>,
    ) -> Result<T, E> {
        let safe = super::text::terminal_safe(what);
        if let Some((_, bars)) = &self.bars {
            bars[index(role)].set_message(format!("{safe}..."));
        }
        let result = f();
        self.line(role, result.is_ok(), &safe);
        result
    }

    /// A finished step's line.
    pub(crate) fn line(&self, role: Role, ok: bool, text: &str) {
        match &self.bars {
            Some((multi, bars)) => {
                let mark = if ok { "✔" } else { "✘" };
                let _ = multi.println(format!("{mark} {:>9}: {text}", role.as_str()));
                bars[index(role)].set_message(String::new());
            }
            None => {
                let outcome = if ok { "ok" } else { "FAILED" };
                // Never panics: the terminal may be gone (SIGHUP) while the deploy goes on.
                let _ = writeln!(std::io::stderr(), "{}: {text} ... {outcome}", role.as_str());
            }
        }
    }

    /// A line about the pair, not one peer.
    pub(crate) fn note(&self, text: &str) {
        match &self.bars {
            Some((multi, _)) => {
                let _ = multi.println(text);
            }
            None => {
                let _ = writeln!(std::io::stderr(), "{text}");
            }
        }
    }

    /// Runs `f` (a prompt, printed diffs) with the spinners hidden.
    pub(crate) fn suspend<T>(&self, f: impl FnOnce() -> T) -> T {
        match &self.bars {
            Some((multi, _)) => multi.suspend(f),
            None => f(),
        }
    }

    /// Removes the spinners (before a prompt or the final report).
    pub(crate) fn clear(&self) {
        if let Some((_, bars)) = &self.bars {
            for bar in bars {
                bar.finish_and_clear();
            }
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.clear();
    }
}

fn index(role: Role) -> usize {
    match role {
        Role::Primary => 0,
        Role::Secondary => 1,
    }
}
