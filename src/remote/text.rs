//! Text that comes from a peer, made safe to print, lines on standard error that never panic,
//! and byte sizes as people write them.

use std::io::Write;

/// Writes a line to standard error, ignoring a failure: a closed pipe, or a terminal gone
/// after SIGHUP, must never make a command panic half-way (`eprintln!` does).
pub(crate) fn stderr_line(text: &str) {
    let _ = writeln!(std::io::stderr(), "{text}");
}

/// Replaces every control character except tab and line feed (C0, DEL and C1, which includes
/// the escape sequences that retitle, clear or reprogram a terminal) with a visible `\xNN`
/// (`\u{NNNN}` above 0xFF), so that remote output cannot drive the terminal it is shown on.
pub(crate) fn terminal_safe(text: &str) -> String {
    if !text.chars().any(is_unsafe) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_unsafe(c) {
            let n = u32::from(c);
            if n <= 0xFF {
                out.push_str(&format!("\\x{n:02x}"));
            } else {
                out.push_str(&format!("\\u{{{n:04x}}}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        // Bidirectional overrides reorder what the terminal shows.
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Parses a size: bytes, or a number with `K`, `M` or `G` (powers of 1024; `KiB`, `MB`...
/// accepted too).
pub(crate) fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let bad = || format!("`{text}` is not a size; write bytes or a number with K, M or G (64M)");
    let n: u64 = number.parse().map_err(|_| bad())?;
    let shift = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        _ => return Err(bad()),
    };
    n.checked_mul(1 << shift)
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("`{text}` is not a size above 0 that fits in 64 bits"))
}

/// A size for messages: `64 MiB`, `1.5 KiB`, `300 bytes`.
pub(crate) fn human_size(bytes: u64) -> String {
    const UNITS: [(&str, u64); 3] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)];
    for (unit, size) in UNITS {
        if bytes >= size {
            return if bytes.is_multiple_of(size) {
                format!("{} {unit}", bytes / size)
            } else {
                format!("{:.1} {unit}", bytes as f64 / size as f64)
            };
        }
    }
    format!("{bytes} bytes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_cannot_reach_the_terminal() {
        assert_eq!(terminal_safe("plain\ttext\n"), "plain\ttext\n");
        assert_eq!(
            terminal_safe("\u{1b}]0;owned\u{7}\u{1b}[2Jx\r"),
            "\\x1b]0;owned\\x07\\x1b[2Jx\\x0d"
        );
        assert_eq!(terminal_safe("a\u{9b}31mb\u{202e}"), "a\\x9b31mb\\u{202e}");
    }

    #[test]
    fn sizes_read_and_print_like_people_write_them() {
        assert_eq!(parse_size("64M"), Ok(64 << 20));
        assert_eq!(parse_size("1 GiB"), Ok(1 << 30));
        assert_eq!(parse_size("512"), Ok(512));
        assert!(parse_size("0").is_err() && parse_size("12X").is_err() && parse_size("").is_err());
        assert!(parse_size("99999999999G").is_err());
        assert_eq!(human_size(64 << 20), "64 MiB");
        assert_eq!(human_size(1536), "1.5 KiB");
        assert_eq!(human_size(10), "10 bytes");
    }
}
