//! Log lines that a flood could repeat thousands of times a second (malformed packets, `no
//! free leases`): one line per key per interval, the next one saying how many were held back.
//! Memory is bounded: past `capacity` keys, new keys share one line per interval.

use std::collections::HashMap;
use std::hash::Hash;

#[derive(Debug, Clone, Copy, Default)]
struct Window {
    /// When the next line may be logged (seconds).
    next: u64,
    /// Lines held back since the last one logged.
    held: u64,
}

impl Window {
    fn allow(&mut self, now: u64, interval: u64) -> Option<u64> {
        if now < self.next {
            self.held += 1;
            return None;
        }
        self.next = now + interval;
        Some(std::mem::take(&mut self.held))
    }
}

/// One line per key per `interval` seconds.
#[derive(Debug)]
pub(crate) struct RateLimit<K> {
    interval: u64,
    capacity: usize,
    keys: HashMap<K, Window>,
    overflow: Window,
}

impl<K: Hash + Eq> RateLimit<K> {
    /// A limiter for at most `capacity` keys.
    pub(crate) fn new(interval: u64, capacity: usize) -> RateLimit<K> {
        RateLimit {
            interval,
            capacity,
            keys: HashMap::new(),
            overflow: Window::default(),
        }
    }

    /// Whether a line for `key` may be logged at `now` (seconds): `Some(n)` with the number
    /// of lines held back for it since its last one, `None` to hold this one back.
    pub(crate) fn allow(&mut self, key: K, now: u64) -> Option<u64> {
        if !self.keys.contains_key(&key) && self.keys.len() >= self.capacity {
            // Forget keys whose window has passed and that held nothing back.
            self.keys.retain(|_, w| now < w.next || w.held > 0);
            if self.keys.len() >= self.capacity {
                return self.overflow.allow(now, self.interval);
            }
        }
        self.keys.entry(key).or_default().allow(now, self.interval)
    }
}

/// ` (N similar line(s) held back)` after a line, or nothing.
pub(crate) fn held_note(held: u64) -> String {
    if held == 0 {
        String::new()
    } else {
        format!(" ({held} similar line(s) held back)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_per_key_per_interval_with_the_held_count() {
        let mut r = RateLimit::new(60, 2);
        assert_eq!(r.allow("a", 100), Some(0));
        assert_eq!(r.allow("a", 101), None);
        assert_eq!(r.allow("a", 159), None);
        assert_eq!(r.allow("b", 101), Some(0));
        assert_eq!(r.allow("a", 160), Some(2));
        // A third key past the capacity shares the overflow window.
        assert_eq!(r.allow("c", 150), Some(0));
        assert_eq!(r.allow("d", 151), None);
        assert_eq!(r.keys.len(), 2);
        assert_eq!(held_note(2), " (2 similar line(s) held back)");
        assert_eq!(held_note(0), "");
    }

    #[test]
    fn old_keys_make_room() {
        let mut r = RateLimit::new(10, 1);
        assert_eq!(r.allow(1, 0), Some(0));
        assert_eq!(r.allow(2, 20), Some(0));
        assert!(r.keys.contains_key(&2) && !r.keys.contains_key(&1));
    }
}
