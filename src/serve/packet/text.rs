//! Client-supplied bytes made safe for a log line, as ISC's `pretty_escape` does: printable
//! ASCII stays, a backslash and the characters a shell or a quoted field would read
//! (`"`, `'`, `$`, `` ` ``) get a backslash, every other octet (control characters, newlines,
//! bytes that are not ASCII or not UTF-8) is written as `\ooo` in octal. A client can thus
//! never start a log line of its own or write bytes a terminal would act on.

use std::fmt::Write;

/// The escaped form of `bytes`.
pub fn escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b'"' | b'\'' | b'$' | b'`' | b'\\' => {
                out.push('\\');
                out.push(char::from(b));
            }
            b' '..=b'~' => out.push(char::from(b)),
            _ => {
                let _ = write!(out, "\\{b:03o}");
            }
        }
    }
    out
}
