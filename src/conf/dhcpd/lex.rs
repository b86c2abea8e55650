//! dhcpd's lexer (`common/conflex.c`), token for token: the engine must see the same tokens
//! dhcpd sees, because what dhcpd accepts depends on them (`x` and `ab` are hex numbers to it,
//! an IPv4 address is four numbers and three dots, keywords are reserved words).

use crate::dhcpd::tables::KEYWORDS;

/// Token kinds, as dhcpd classifies them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// All decimal digits (or `-` then digits).
    Number,
    /// Could be a hex number or a name: a letter followed by hex digits only (`ab`, `x`, `f00`),
    /// digits with hex letters (`1a`), or `0x` hex.
    NumberOrName,
    /// Any other name (letters, digits, `-`, `_`).
    Name,
    /// A quoted string.
    Str,
    /// Any other single character (`;`, `{`, `.`, `:`, ...), `-` alone included.
    Punct(char),
    /// End of the file.
    Eof,
}

/// One token: its kind, whether it is a keyword, and its byte range in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tok {
    /// The kind.
    pub kind: Kind,
    /// Whether dhcpd's lexer turns this word into a keyword token.
    pub keyword: bool,
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

/// A problem the lexer itself reports (dhcpd's `parse_warn` from inside the lexer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LexError {
    /// Byte range of the token.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// dhcpd's message.
    pub message: String,
}

impl Tok {
    /// Whether this is the punctuation `c`.
    pub(crate) fn is(&self, c: char) -> bool {
        self.kind == Kind::Punct(c)
    }

    /// dhcpd's `is_identifier`: a name, a hex-ish name or a keyword (not a plain number, not a
    /// string, not punctuation).
    pub(crate) fn is_identifier(&self) -> bool {
        matches!(self.kind, Kind::Name | Kind::NumberOrName)
    }

    /// A `NAME` token that is not a keyword.
    pub(crate) fn is_name(&self) -> bool {
        self.kind == Kind::Name && !self.keyword
    }

    /// A `NUMBER_OR_NAME` token that is not a keyword.
    pub(crate) fn is_number_or_name(&self) -> bool {
        self.kind == Kind::NumberOrName && !self.keyword
    }

    /// A `NUMBER` token.
    pub(crate) fn is_number(&self) -> bool {
        self.kind == Kind::Number
    }

    /// A quoted string.
    pub(crate) fn is_string(&self) -> bool {
        self.kind == Kind::Str
    }

    /// End of file.
    pub(crate) fn is_eof(&self) -> bool {
        self.kind == Kind::Eof
    }
}

fn is_keyword(word: &str) -> bool {
    let lower = word.to_ascii_lowercase();
    KEYWORDS.binary_search(&lower.as_str()).is_ok()
}

/// Splits `text` into dhcpd tokens; the last token is always [`Kind::Eof`]. Problems the
/// lexer reports (unterminated string, bad escapes, over-long tokens) are returned beside.
pub(crate) fn tokens(text: &str) -> (Vec<Tok>, Vec<LexError>) {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
            i += 1;
            continue;
        }
        if c == b'#' {
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        let start = i;
        if c == b'"' {
            i += 1;
            let mut escaped = false;
            let mut closed = false;
            while i < bytes.len() {
                let b = bytes[i];
                i += 1;
                if escaped {
                    escaped = false;
                } else if b == b'\\' {
                    escaped = true;
                } else if b == b'"' {
                    closed = true;
                    break;
                }
            }
            if !closed {
                errors.push(LexError {
                    start,
                    end: i,
                    message: "eof in string constant".into(),
                });
            }
            let (decoded, mut problems) = decode_string(&text[start..i]);
            if decoded.len() >= TOKEN_MAX {
                problems.push("string constant larger than internal buffer".into());
            }
            for m in problems {
                errors.push(LexError {
                    start,
                    end: i,
                    message: m,
                });
            }
            out.push(Tok {
                kind: Kind::Str,
                keyword: false,
                start,
                end: i,
            });
            continue;
        }
        if c.is_ascii_digit() || c == b'-' {
            let kind = read_number(bytes, &mut i);
            let kind = if i - start == 1 && c == b'-' {
                Kind::Punct('-')
            } else {
                kind
            };
            out.push(Tok {
                kind,
                keyword: false,
                start,
                end: i,
            });
            check_length(start, i, &mut errors);
            continue;
        }
        if c.is_ascii_alphabetic() {
            let mut kind = Kind::NumberOrName;
            i += 1;
            while i < bytes.len()
                && (bytes[i] == b'-' || bytes[i] == b'_' || bytes[i].is_ascii_alphanumeric())
            {
                if !bytes[i].is_ascii_hexdigit() {
                    kind = Kind::Name;
                }
                i += 1;
            }
            out.push(Tok {
                kind,
                keyword: is_keyword(&text[start..i]),
                start,
                end: i,
            });
            check_length(start, i, &mut errors);
            continue;
        }
        let len = text[i..].chars().next().map_or(1, char::len_utf8);
        let ch = text[i..].chars().next().unwrap_or('\u{fffd}');
        i += len;
        out.push(Tok {
            kind: Kind::Punct(ch),
            keyword: false,
            start,
            end: i,
        });
    }
    out.push(Tok {
        kind: Kind::Eof,
        keyword: false,
        start: bytes.len(),
        end: bytes.len(),
    });
    (out, errors)
}

/// dhcpd's token buffer holds 1500 bytes.
const TOKEN_MAX: usize = 1500;

fn check_length(start: usize, end: usize, errors: &mut Vec<LexError>) {
    if end - start >= TOKEN_MAX {
        errors.push(LexError {
            start,
            end,
            message: "token larger than internal buffer".into(),
        });
    }
}

/// `read_number`: NUMBER, promoted to NUMBER_OR_NAME by hex letters and to NAME by other name
/// characters, never demoted (except `0x` + hex, which is NUMBER_OR_NAME).
fn read_number(bytes: &[u8], i: &mut usize) -> Kind {
    let start = *i;
    *i += 1;
    let mut kind = Kind::Number;
    while *i < bytes.len() {
        let c = bytes[*i];
        if !c.is_ascii() {
            break;
        }
        let n = *i - start;
        let take = match kind {
            Kind::Number if c.is_ascii_digit() => true,
            Kind::Number | Kind::NumberOrName if c.is_ascii_hexdigit() => {
                kind = Kind::NumberOrName;
                true
            }
            _ if n == 2
                && c.is_ascii_hexdigit()
                && bytes[start] == b'0'
                && (bytes[start + 1] == b'x' || bytes[start + 1] == b'X') =>
            {
                kind = Kind::NumberOrName;
                true
            }
            _ if c == b'-' || c == b'_' || c.is_ascii_alphanumeric() => {
                kind = Kind::Name;
                true
            }
            _ => false,
        };
        if !take {
            break;
        }
        *i += 1;
    }
    kind
}

/// Decodes a quoted string token (with its quotes) the way dhcpd's `read_string` does, and
/// lists the escape problems it reports.
pub(crate) fn decode_string(raw: &str) -> (Vec<u8>, Vec<String>) {
    let inner = raw.strip_prefix('"').unwrap_or(raw);
    let closed = inner.ends_with('"') && !inner.ends_with("\\\"");
    let inner = inner.strip_suffix('"').unwrap_or(inner);
    let bytes = inner.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut problems = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        i += 1;
        if c != b'\\' {
            out.push(c);
            continue;
        }
        let Some(&e) = bytes.get(i) else {
            break;
        };
        i += 1;
        match e {
            b't' => out.push(b'\t'),
            b'r' => out.push(b'\r'),
            b'n' => out.push(b'\n'),
            b'b' => out.push(8),
            b'0'..=b'3' => {
                let mut value = u32::from(e - b'0');
                let mut digits = 1;
                while digits < 3 {
                    match bytes.get(i) {
                        Some(&d @ b'0'..=b'7') => {
                            value = value * 8 + u32::from(d - b'0');
                            i += 1;
                            digits += 1;
                        }
                        Some(&d) if value != 0 => {
                            problems.push(format!("invalid octal digit {d:x}"));
                            i += 1;
                        }
                        _ => break,
                    }
                }
                out.push((value & 0xff) as u8);
            }
            b'x' => {
                let mut value = 0u32;
                let mut digits = 0;
                while digits < 2 {
                    match bytes.get(i) {
                        Some(&d) if d.is_ascii_hexdigit() => {
                            value = value * 16 + (d as char).to_digit(16).unwrap_or(0);
                            i += 1;
                            digits += 1;
                        }
                        Some(&d) => {
                            problems.push(format!("invalid hex digit: {d:x}"));
                            i += 1;
                        }
                        // The closing quote cut the escape short: dhcpd reads it as the
                        // missing digit, and refuses it.
                        None if closed => {
                            problems.push(format!("invalid hex digit: {:x}", b'"'));
                            break;
                        }
                        None => break,
                    }
                }
                out.push((value & 0xff) as u8);
            }
            other => out.push(other),
        }
    }
    (out, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(Kind, &str)> {
        let (toks, _) = tokens(text);
        toks.iter()
            .filter(|t| !t.is_eof())
            .map(|t| (t.kind, &text[t.start..t.end]))
            .collect()
    }

    #[test]
    fn numbers_names_and_hex() {
        assert_eq!(
            kinds("10.0.0.1"),
            [
                (Kind::Number, "10"),
                (Kind::Punct('.'), "."),
                (Kind::Number, "0"),
                (Kind::Punct('.'), "."),
                (Kind::Number, "0"),
                (Kind::Punct('.'), "."),
                (Kind::Number, "1"),
            ]
        );
        assert_eq!(kinds("x")[0].0, Kind::NumberOrName);
        assert_eq!(kinds("ab")[0].0, Kind::NumberOrName);
        assert_eq!(kinds("1a")[0].0, Kind::NumberOrName);
        assert_eq!(kinds("0x1f")[0].0, Kind::NumberOrName);
        assert_eq!(kinds("1g")[0].0, Kind::Name);
        assert_eq!(kinds("-1")[0].0, Kind::Number);
        assert_eq!(kinds("- 1")[0].0, Kind::Punct('-'));
        assert_eq!(kinds("-n-addr")[0].0, Kind::Name);
        assert_eq!(kinds("host")[0].0, Kind::Name);
        assert!(tokens("Subnet").0[0].keyword);
        assert!(!tokens("subnets").0[0].keyword);
    }

    #[test]
    fn strings_comments_and_escapes() {
        assert_eq!(kinds("\"a;b\" # c\n;").len(), 2);
        assert_eq!(decode_string("\"\\101\\x41\\n\"").0, b"AA\n");
        assert!(!tokens("\"open").1.is_empty());
        assert!(!decode_string("\"\\18\"").1.is_empty());
    }
}
