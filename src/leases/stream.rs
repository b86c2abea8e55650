//! Reading a lease file from a stream in bounded memory: the bytes are cut at the ends of
//! top-level statements (outside strings and comments) and parsed a batch at a time, so a
//! large file never exists whole in memory, and errors still give the line in the file.

use std::io::Read;

use super::{LeaseFile, LeaseFileError, parse};

/// Bytes gathered before a batch is parsed.
const BATCH: usize = 256 * 1024;
/// The longest single statement accepted (a lease stanza is a few hundred bytes).
pub const MAX_STATEMENT: usize = 16 * 1024 * 1024;

/// Why a streamed lease file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    /// The text is not a lease file (line and column in the whole file).
    #[error(transparent)]
    Parse(#[from] LeaseFileError),
    /// Reading failed.
    #[error("reading: {0}")]
    Io(#[from] std::io::Error),
    /// One statement is longer than [`MAX_STATEMENT`].
    #[error("line {line}: a statement longer than {} MiB", MAX_STATEMENT / (1024 * 1024))]
    TooLong {
        /// Where the statement starts.
        line: usize,
    },
}

/// Where the scanner is, between bytes.
#[derive(Debug, Default, Clone, Copy)]
struct Scan {
    depth: usize,
    in_string: bool,
    escaped: bool,
    in_comment: bool,
}

impl Scan {
    /// Takes one byte; true when it ends a top-level statement.
    fn step(&mut self, b: u8) -> bool {
        if self.in_comment {
            self.in_comment = b != b'\n';
            return false;
        }
        if self.in_string {
            match (self.escaped, b) {
                (true, _) => self.escaped = false,
                (false, b'\\') => self.escaped = true,
                (false, b'"') => self.in_string = false,
                _ => {}
            }
            return false;
        }
        match b {
            b'#' => self.in_comment = true,
            b'"' => self.in_string = true,
            b'{' => self.depth += 1,
            b'}' => {
                self.depth = self.depth.saturating_sub(1);
                return self.depth == 0;
            }
            b';' => return self.depth == 0,
            _ => {}
        }
        false
    }
}

/// Reads a lease file from `reader` and hands each parsed batch of whole statements to
/// `each`, in file order. Memory stays within one batch plus one statement.
pub fn for_each_batch<R: Read>(
    mut reader: R,
    mut each: impl FnMut(LeaseFile),
) -> Result<(), StreamError> {
    let mut pending: Vec<u8> = Vec::with_capacity(BATCH * 2);
    let mut scan = Scan::default();
    // Bytes of `pending` already scanned, and the end of the last whole statement in it.
    let (mut scanned, mut cut) = (0usize, 0usize);
    // Lines and bytes of the file before `pending`.
    let (mut lines_before, mut bytes_before) = (0usize, 0usize);
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let n = match reader.read(&mut chunk) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.into()),
        };
        pending.extend_from_slice(&chunk[..n]);
        for (i, b) in pending.iter().enumerate().skip(scanned) {
            if scan.step(*b) {
                cut = i + 1;
            }
        }
        scanned = pending.len();
        let end = n == 0;
        if cut >= BATCH || (end && !pending.is_empty()) {
            let upto = if end { pending.len() } else { cut };
            let batch = String::from_utf8_lossy(&pending[..upto]);
            let file = parse(&batch).map_err(|mut e| {
                e.line += lines_before;
                e.offset += bytes_before;
                StreamError::Parse(e)
            })?;
            each(file);
            lines_before += pending[..upto].iter().filter(|b| **b == b'\n').count();
            bytes_before += upto;
            pending.drain(..upto);
            scanned -= upto;
            cut = 0;
        } else if scanned - cut > MAX_STATEMENT {
            let line = lines_before + pending[..cut].iter().filter(|b| **b == b'\n').count() + 1;
            return Err(StreamError::TooLong { line });
        }
        if end {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out `step` bytes at a time, to cut statements anywhere.
    struct Trickle<'a>(&'a [u8], usize);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.1.min(self.0.len()).min(buf.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    fn text(leases: usize) -> String {
        let mut s =
            String::from("# header; with { braces }\nauthoring-byte-order little-endian;\n");
        for i in 0..leases {
            s.push_str(&format!(
                "lease 10.0.{}.{} {{\n  starts 3 2026/11/18 10:00:00;\n  binding state active;\n  client-hostname \"semi;colon}}{{\";\n  set note = \"a \\\" quote; }}\";\n}}\n",
                i / 250,
                i % 250
            ));
        }
        s.push_str("failover peer \"fo\" state {\n  my state normal at 3 2026/11/18 10:00:00;\n  partner state normal at 3 2026/11/18 10:00:00;\n}\n");
        s
    }

    #[test]
    fn batches_add_up_to_the_whole_file() {
        let text = text(20_000);
        let whole = parse(&text).unwrap();
        for step in [7, 4096, 1 << 20] {
            let mut leases = Vec::new();
            let mut failover = Vec::new();
            let mut batches = 0;
            for_each_batch(Trickle(text.as_bytes(), step), |f| {
                batches += 1;
                leases.extend(f.leases);
                failover.extend(f.failover);
            })
            .unwrap();
            assert!(batches > 1, "{step}: the file was cut");
            assert_eq!(leases, whole.leases, "{step}");
            assert_eq!(failover, whole.failover, "{step}");
        }
    }

    #[test]
    fn errors_give_the_line_in_the_whole_file() {
        let mut text = text(5_000);
        let line = text.lines().count() + 2;
        text.push_str("lease 10.9.9.9 {\n  binding state bogus;\n}\n");
        let err = for_each_batch(Trickle(text.as_bytes(), 999), |_| {}).unwrap_err();
        match err {
            StreamError::Parse(e) => {
                assert_eq!(e.line, line, "{e}");
                assert!(e.message.contains("bogus"), "{e}");
            }
            other => panic!("{other}"),
        }
        let unterminated = for_each_batch("lease 10.0.0.1 {\n".as_bytes(), |_| {});
        assert!(matches!(unterminated, Err(StreamError::Parse(_))));
        assert!(for_each_batch("".as_bytes(), |_| {}).is_ok());
    }

    #[test]
    fn a_statement_without_an_end_is_cut_off() {
        let mut text = String::from("lease 10.0.0.1 {\n");
        text.push_str(&"# no end in sight\n".repeat(5));
        text.push_str(&"x".repeat(MAX_STATEMENT + BATCH));
        let err = for_each_batch(text.as_bytes(), |_| {}).unwrap_err();
        assert!(matches!(err, StreamError::TooLong { line: 1 }), "{err}");
    }
}
