//! Where a reply's time goes, measured on every reply: from the datagram's arrival (the
//! kernel's timestamp) to the reply's send (`total`), split into the wait in the socket's
//! receive queue (`socket`), the wait before the engine took the request (`queue`, which
//! includes `socket`),
//! the engine's own work (`engine`), and the wait for the lease file (`disk`: append to
//! synced, for replies that change a lease). Each is a histogram whose buckets are at most
//! 1/16 of their values wide, kept in atomics so that the tasks that send replies can record
//! into it; SIGUSR1 logs the percentiles since the last report and starts a new window.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Values under 2^SUB µs have a bucket each; above, each power of two has 2^(SUB-1)
/// buckets, so a bucket is at most 1/16 of its values wide.
const SUB: u32 = 5;
const HALF: usize = 1 << (SUB - 1);
const BUCKETS: usize = (1 << SUB) + (64 - SUB as usize) * HALF;

/// A histogram of microseconds.
pub(crate) struct Histogram {
    counts: [AtomicU64; BUCKETS],
    max: AtomicU64,
}

fn bucket(us: u64) -> usize {
    let bits = 64 - us.leading_zeros();
    if bits <= SUB {
        return us as usize;
    }
    let shift = bits - SUB;
    let top = (us >> shift) as usize; // HALF..2*HALF
    (1 << SUB) + (shift as usize - 1) * HALF + (top - HALF)
}

/// The largest value that falls in bucket `i`.
fn upper(i: usize) -> u64 {
    if i < 1 << SUB {
        return i as u64;
    }
    let shift = ((i - (1 << SUB)) / HALF + 1) as u32;
    let top = ((i - (1 << SUB)) % HALF + HALF) as u64;
    if shift + SUB >= 64 {
        u64::MAX
    } else {
        ((top + 1) << shift) - 1
    }
}

impl Histogram {
    /// An empty histogram.
    pub(crate) const fn new() -> Histogram {
        Histogram {
            counts: [const { AtomicU64::new(0) }; BUCKETS],
            max: AtomicU64::new(0),
        }
    }

    /// Records one duration.
    pub(crate) fn record(&self, d: Duration) {
        let us = u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
        self.counts[bucket(us).min(BUCKETS - 1)].fetch_add(1, Ordering::Relaxed);
        self.max.fetch_max(us, Ordering::Relaxed);
    }

    /// Values recorded since the last report, without a reset.
    #[cfg(test)]
    pub(crate) fn recorded(&self) -> u64 {
        self.counts.iter().map(|c| c.load(Ordering::Relaxed)).sum()
    }

    /// The counts so far, and a reset.
    fn take(&self) -> (Vec<u64>, u64) {
        let counts = self
            .counts
            .iter()
            .map(|c| c.swap(0, Ordering::Relaxed))
            .collect();
        (counts, self.max.swap(0, Ordering::Relaxed))
    }
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram::new()
    }
}

/// Percentiles of one window.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Summary {
    /// Values recorded.
    pub count: u64,
    /// p50, p99, p99.9 and the maximum, in microseconds (bucket upper bounds, the maximum
    /// exact).
    pub p50: u64,
    /// 99th percentile.
    pub p99: u64,
    /// 99.9th percentile.
    pub p999: u64,
    /// Largest value.
    pub max: u64,
}

fn summarize(counts: &[u64], max: u64) -> Summary {
    let count: u64 = counts.iter().sum();
    let at = |q: f64| {
        let rank = ((count as f64) * q).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (i, c) in counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return upper(i).min(max);
            }
        }
        max
    };
    Summary {
        count,
        p50: at(0.50),
        p99: at(0.99),
        p999: at(0.999),
        max,
    }
}

impl Histogram {
    /// The window's percentiles; the histogram starts a new window.
    pub(crate) fn report(&self) -> Summary {
        let (counts, max) = self.take();
        summarize(&counts, max)
    }
}

/// Arrival to send, every reply.
pub(crate) static TOTAL: Histogram = Histogram::new();
/// Arrival in the kernel to the read from the socket, every datagram read (also those that
/// get no reply, such as a partner's clients' requests), so its count is not the replies'.
pub(crate) static SOCKET: Histogram = Histogram::new();
/// Arrival to the engine taking the request.
pub(crate) static QUEUE: Histogram = Histogram::new();
/// The engine's work on a request (decode to outcome).
pub(crate) static ENGINE: Histogram = Histogram::new();
/// Lease-file append to synced, replies that change a lease.
pub(crate) static DISK: Histogram = Histogram::new();
/// One group commit of the lease file (write and fdatasync), as the writer thread sees it.
pub(crate) static SYNC: Histogram = Histogram::new();
/// One compaction (the new file written and synced, and put in place).
pub(crate) static COMPACTION: Histogram = Histogram::new();
/// The writer's start of a compaction (a file descriptor duplicated, a thread started; the
/// name is from when the engine loop took a snapshot of its leases for it, which it no
/// longer does: the writer decides and the compactor reads the lease file itself).
pub(crate) static SNAPSHOT: Histogram = Histogram::new();
/// The appends' share of a compaction: the writer copying into the new file the records
/// appended while the compactor synced it (no sync of its own), while the appends queued
/// meanwhile wait. The rename happens on another thread, with appends going to both files.
pub(crate) static SWAP: Histogram = Histogram::new();

fn ms(us: u64) -> String {
    format!("{:.2}", us as f64 / 1000.0)
}

/// One log line with every histogram's window, then new windows:
/// `reply latency: 1234 replies; total ms p50 0.31 p99 2.10 p99.9 8.40 max 12.00; queue ...`
/// (`sync`, `compaction`, `snapshot` and `swap` count group commits and compactions, not
/// replies).
pub(crate) fn report_line() -> String {
    let mut line = String::from("reply latency:");
    let total = TOTAL.report();
    let _ = write!(line, " {} replies", total.count);
    for (name, s) in [
        ("total", total),
        ("socket", SOCKET.report()),
        ("queue", QUEUE.report()),
        ("engine", ENGINE.report()),
        ("disk", DISK.report()),
        ("sync", SYNC.report()),
        ("compaction", COMPACTION.report()),
        ("snapshot", SNAPSHOT.report()),
        ("swap", SWAP.report()),
    ] {
        let _ = write!(
            line,
            "; {name} ms{} p50 {} p99 {} p99.9 {} max {}",
            if matches!(name, "sync" | "compaction" | "snapshot" | "swap") {
                format!(" n {}", s.count)
            } else {
                String::new()
            },
            ms(s.p50),
            ms(s.p99),
            ms(s.p999),
            ms(s.max)
        );
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_at_most_a_sixteenth_of_their_values_wide() {
        for us in [
            0u64,
            1,
            15,
            16,
            17,
            31,
            32,
            33,
            100,
            1000,
            12_345,
            1 << 40,
            1 << 58,
        ] {
            let i = bucket(us);
            assert!(upper(i) >= us, "{us}: bucket {i} ends at {}", upper(i));
            assert!(
                upper(i) - us <= us / 16,
                "{us}: bucket {i} ends at {}",
                upper(i)
            );
            assert!(i < BUCKETS);
            if i > 0 {
                assert!(upper(i - 1) < us, "{us}");
            }
        }
    }

    #[test]
    fn percentiles_of_a_known_distribution() {
        let h = Histogram::new();
        // 990 fast replies (100 µs), 9 at 10 ms, 1 at 80 ms.
        for _ in 0..990 {
            h.record(Duration::from_micros(100));
        }
        for _ in 0..9 {
            h.record(Duration::from_millis(10));
        }
        h.record(Duration::from_millis(80));
        let s = h.report();
        assert_eq!(s.count, 1000);
        assert!((100..=106).contains(&s.p50), "{s:?}");
        assert!((100..=106).contains(&s.p99), "{s:?}");
        assert!((10_000..=10_600).contains(&s.p999), "{s:?}");
        assert_eq!(s.max, 80_000);
        // A new window.
        assert_eq!(h.report().count, 0);
    }
}
