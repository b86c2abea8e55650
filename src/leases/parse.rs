//! Reading a lease file: a small tokenizer and a statement parser that, like ISC dhcpd,
//! skips statements it does not know (`host`, `class`, `ia-na`, `on expiry { }` ...).

use std::net::Ipv4Addr;

use super::{BindingState, FailoverStanza, Hardware, Lease, LeaseFile, PeerState, Timestamp};

/// Why a lease file could not be read, and where (1-based line and column, byte offset).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct LeaseFileError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in bytes).
    pub column: usize,
    /// Byte offset in the text.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Word(String),
    Str(Vec<u8>),
    Punct(u8),
}

#[derive(Debug, Clone)]
struct Token {
    kind: Kind,
    start: usize,
    end: usize,
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b':' | b'/' | b'_' | b'+')
}

/// Reads tokens one at a time; `#` comments and white space are dropped.
struct Lexer<'a> {
    text: &'a str,
    at: usize,
}

impl Lexer<'_> {
    /// The next token, `None` at the end, or where and why the text cannot be read.
    fn next_token(&mut self) -> std::result::Result<Option<Token>, (usize, String)> {
        let text = self.text;
        let bytes = text.as_bytes();
        let mut i = self.at;
        let token = loop {
            let Some(&b) = bytes.get(i) else {
                break None;
            };
            if b.is_ascii_whitespace() {
                i += 1;
            } else if b == b'#' {
                while bytes.get(i).is_some_and(|&c| c != b'\n') {
                    i += 1;
                }
            } else if b == b'"' {
                let start = i;
                i += 1;
                let mut value = Vec::new();
                loop {
                    match bytes.get(i) {
                        None => return Err((start, "unterminated string".into())),
                        Some(b'"') => {
                            i += 1;
                            break;
                        }
                        Some(b'\\') => {
                            i += 1;
                            let Some(&e) = bytes.get(i) else {
                                return Err((start, "unterminated string".into()));
                            };
                            i += 1;
                            match e {
                                b't' => value.push(b'\t'),
                                b'r' => value.push(b'\r'),
                                b'n' => value.push(b'\n'),
                                b'b' => value.push(8),
                                b'0'..=b'7' => {
                                    let mut n = u32::from(e - b'0');
                                    for _ in 0..2 {
                                        match bytes.get(i) {
                                            Some(&d @ b'0'..=b'7') => {
                                                n = n * 8 + u32::from(d - b'0');
                                                i += 1;
                                            }
                                            _ => break,
                                        }
                                    }
                                    value.push((n & 0xff) as u8);
                                }
                                b'x' => {
                                    let mut n = 0u32;
                                    for _ in 0..2 {
                                        match bytes.get(i).and_then(|d| (*d as char).to_digit(16)) {
                                            Some(d) => {
                                                n = n * 16 + d;
                                                i += 1;
                                            }
                                            None => break,
                                        }
                                    }
                                    value.push(n as u8);
                                }
                                other => value.push(other),
                            }
                        }
                        Some(&c) => {
                            value.push(c);
                            i += 1;
                        }
                    }
                }
                break Some(Token {
                    kind: Kind::Str(value),
                    start,
                    end: i,
                });
            } else if is_word_byte(b) {
                let start = i;
                while bytes.get(i).is_some_and(|&c| is_word_byte(c)) {
                    i += 1;
                }
                break Some(Token {
                    kind: Kind::Word(text.get(start..i).unwrap_or_default().to_string()),
                    start,
                    end: i,
                });
            } else if b.is_ascii_punctuation() {
                i += 1;
                break Some(Token {
                    kind: Kind::Punct(b),
                    start: i - 1,
                    end: i,
                });
            } else {
                return Err((i, "unexpected character".into()));
            }
        };
        self.at = i;
        Ok(token)
    }
}

/// The parser reads tokens as it goes and keeps only those of the current top-level
/// statement, so a large file never exists as tokens all at once.
struct Parser<'a> {
    text: &'a str,
    lexer: Lexer<'a>,
    /// Tokens from absolute index `base` on.
    tokens: Vec<Token>,
    base: usize,
    /// Absolute index of the next token.
    pos: usize,
}

type Result<T> = std::result::Result<T, LeaseFileError>;

/// Parses the text of a `dhcpd.leases` file.
///
/// Unknown statements and blocks are skipped, as ISC dhcpd does; malformed known statements
/// (a bad address, date, state or hardware address, a missing `;` or `}`) are errors that give
/// the line and column. Never panics.
pub fn parse(text: &str) -> Result<LeaseFile> {
    // A first pass finds a character error wherever it is, before any statement is judged;
    // the parse then cannot meet one.
    let mut check = Lexer { text, at: 0 };
    while check
        .next_token()
        .map_err(|(offset, message)| error_at(text, offset, message))?
        .is_some()
    {}
    let mut parser = Parser {
        text,
        lexer: Lexer { text, at: 0 },
        tokens: Vec::new(),
        base: 0,
        pos: 0,
    };
    parser.fill();
    parser.file()
}

fn error_at(text: &str, offset: usize, message: impl Into<String>) -> LeaseFileError {
    let offset = offset.min(text.len());
    let before = text.as_bytes().get(..offset).unwrap_or_default();
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    LeaseFileError {
        line,
        column: offset - line_start + 1,
        offset,
        message: message.into(),
    }
}

impl Parser<'_> {
    /// Reads tokens until the one at `pos` is there (or the text ends).
    fn fill(&mut self) {
        while self.pos >= self.base + self.tokens.len() {
            match self.lexer.next_token() {
                Ok(Some(token)) => self.tokens.push(token),
                _ => break,
            }
        }
    }

    /// Forgets the tokens before the previous one (at a top-level statement).
    fn forget_read_tokens(&mut self) {
        let keep_from = self.pos.saturating_sub(1).max(self.base);
        self.tokens.drain(..keep_from - self.base);
        self.base = keep_from;
    }

    fn token_at(&self, index: usize) -> Option<&Token> {
        index
            .checked_sub(self.base)
            .and_then(|i| self.tokens.get(i))
    }

    fn peek(&self) -> Option<&Token> {
        self.token_at(self.pos)
    }

    fn advance(&mut self) {
        self.pos += 1;
        self.fill();
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.peek().cloned();
        if token.is_some() {
            self.advance();
        }
        token
    }

    fn error(&self, message: impl Into<String>) -> LeaseFileError {
        let offset = self.peek().map_or(self.text.len(), |t| t.start);
        error_at(self.text, offset, message)
    }

    fn error_before(&self, message: impl Into<String>) -> LeaseFileError {
        let offset = self
            .pos
            .checked_sub(1)
            .and_then(|p| self.token_at(p))
            .map_or(0, |t| t.start);
        error_at(self.text, offset, message)
    }

    fn word(&mut self, what: &str) -> Result<String> {
        match self.peek().map(|t| &t.kind) {
            Some(Kind::Word(w)) => {
                let w = w.clone();
                self.advance();
                Ok(w)
            }
            _ => Err(self.error(format!("expected {what}"))),
        }
    }

    fn keyword(&mut self, keyword: &str) -> Result<()> {
        match self.peek().map(|t| &t.kind) {
            Some(Kind::Word(w)) if w == keyword => {
                self.advance();
                Ok(())
            }
            _ => Err(self.error(format!("expected `{keyword}`"))),
        }
    }

    fn punct(&mut self, p: u8) -> Result<()> {
        match self.peek().map(|t| &t.kind) {
            Some(Kind::Punct(c)) if *c == p => {
                self.advance();
                Ok(())
            }
            _ => Err(self.error(format!("expected `{}`", p as char))),
        }
    }

    fn semi(&mut self) -> Result<()> {
        self.punct(b';')
    }

    /// Skips one statement: up to its `;`, or through its balanced `{ }` block.
    fn skip_statement(&mut self) -> Result<()> {
        let start = self.pos;
        let mut depth = 0usize;
        while let Some(token) = self.next() {
            match token.kind {
                Kind::Punct(b';') if depth == 0 => return Ok(()),
                Kind::Punct(b'{') => depth += 1,
                Kind::Punct(b'}') if depth == 0 => {
                    // The end of the enclosing block: leave it for the caller.
                    self.pos -= 1;
                    return Ok(());
                }
                Kind::Punct(b'}') => {
                    depth -= 1;
                    if depth == 0 {
                        if matches!(self.peek().map(|t| &t.kind), Some(Kind::Punct(b';'))) {
                            self.advance();
                        }
                        return Ok(());
                    }
                }
                _ => {}
            }
        }
        let offset = self.token_at(start).map_or(self.text.len(), |t| t.start);
        Err(error_at(
            self.text,
            offset,
            "statement without an end (`;` or `}`)",
        ))
    }

    fn file(&mut self) -> Result<LeaseFile> {
        let mut file = LeaseFile::default();
        loop {
            self.forget_read_tokens();
            let Some(token) = self.peek() else { break };
            match &token.kind {
                Kind::Word(w) if w == "lease" => {
                    self.advance();
                    file.leases.push(self.lease()?);
                }
                Kind::Word(w) if w == "failover" => {
                    self.advance();
                    file.failover.push(self.failover()?);
                }
                Kind::Word(w) if w == "authoring-byte-order" => {
                    self.advance();
                    file.authoring_byte_order = Some(self.word("`little-endian` or `big-endian`")?);
                    self.semi()?;
                }
                Kind::Word(w) if w == "server-duid" => {
                    self.advance();
                    if let Some(Kind::Str(bytes)) = self.peek().map(|t| &t.kind) {
                        file.server_duid = Some(bytes.clone());
                        self.advance();
                        self.semi()?;
                    } else {
                        self.skip_statement()?;
                    }
                }
                Kind::Punct(b'}') => return Err(self.error("`}` without a block")),
                Kind::Punct(b';') => self.advance(),
                _ => self.skip_statement()?,
            }
        }
        Ok(file)
    }

    fn lease(&mut self) -> Result<Lease> {
        let address_word = self.word("an IPv4 address")?;
        let address: Ipv4Addr = address_word
            .parse()
            .map_err(|_| self.error_before(format!("`{address_word}` is not an IPv4 address")))?;
        self.punct(b'{')?;
        let mut lease = Lease::new(address, BindingState::Free);
        loop {
            let Some(token) = self.peek() else {
                return Err(self.error(format!("lease {address}: missing `}}`")));
            };
            let keyword = match &token.kind {
                Kind::Punct(b'}') => {
                    self.advance();
                    return Ok(lease);
                }
                Kind::Punct(b';') => {
                    self.advance();
                    continue;
                }
                Kind::Word(w) => w.clone(),
                _ => return Err(self.error("expected a lease statement")),
            };
            self.advance();
            match keyword.as_str() {
                "starts" => lease.starts = Some(self.time()?),
                "ends" => lease.ends = Some(self.time()?),
                "tstp" => lease.tstp = Some(self.time()?),
                "tsfp" => lease.tsfp = Some(self.time()?),
                "atsfp" => lease.atsfp = Some(self.time()?),
                "cltt" => lease.cltt = Some(self.time()?),
                "binding" => lease.binding_state = self.binding_state()?,
                "next" => {
                    self.keyword("binding")?;
                    lease.next_binding_state = Some(self.binding_state()?);
                }
                "rewind" => {
                    self.keyword("binding")?;
                    lease.rewind_binding_state = Some(self.binding_state()?);
                }
                "hardware" => lease.hardware = Some(self.hardware()?),
                "uid" => lease.uid = Some(self.bytes("a client identifier")?),
                "client-hostname" => {
                    let bytes = self.bytes("a quoted host name")?;
                    lease.client_hostname = Some(String::from_utf8_lossy(&bytes).into_owned());
                }
                "reserved" => {
                    lease.reserved = true;
                    self.semi()?;
                }
                "dynamic-bootp" => {
                    lease.dynamic_bootp = true;
                    self.semi()?;
                }
                "abandoned" => {
                    lease.binding_state = BindingState::Abandoned;
                    self.semi()?;
                }
                "set" => {
                    let name = self.word("a variable name")?;
                    self.punct(b'=')?;
                    let value = self.raw_value()?;
                    lease.vars.push((name, value));
                }
                "option" => {
                    let name = self.word("an option name")?;
                    let value = self.raw_value()?;
                    if let Some(agent) = name.strip_prefix("agent.") {
                        lease.agent_options.push((agent.to_string(), value));
                    }
                }
                _ => self.skip_statement()?,
            }
        }
    }

    /// The text of the tokens up to the next `;` (which is consumed), as written.
    fn raw_value(&mut self) -> Result<String> {
        let start = self.peek().map(|t| t.start);
        let mut end = None;
        loop {
            match self.next() {
                None => return Err(self.error("expected `;`")),
                Some(Token {
                    kind: Kind::Punct(b';'),
                    ..
                }) => break,
                Some(Token {
                    kind: Kind::Punct(b'{' | b'}'),
                    ..
                }) => return Err(self.error_before("expected `;`")),
                Some(token) => end = Some(token.end),
            }
        }
        match (start, end) {
            (Some(s), Some(e)) => Ok(self.text.get(s..e).unwrap_or_default().to_string()),
            _ => Err(self.error_before("expected a value")),
        }
    }

    /// `W YYYY/MM/DD HH:MM:SS;`, `epoch N;` or `never;`.
    fn time(&mut self) -> Result<Timestamp> {
        let first = self.word("a date (`W YYYY/MM/DD HH:MM:SS`, `epoch N` or `never`)")?;
        let time = match first.as_str() {
            "never" => Timestamp::NEVER,
            "epoch" => {
                let n = self.word("seconds since the epoch")?;
                n.parse::<u64>()
                    .map(Timestamp)
                    .map_err(|_| self.error_before(format!("`{n}` is not a number of seconds")))?
            }
            weekday => {
                if weekday.parse::<u8>().is_err() {
                    return Err(self.error_before(format!("`{weekday}` is not a weekday (0-6)")));
                }
                let date_at = self.peek().map_or(self.text.len(), |t| t.start);
                let date = self.word("a date YYYY/MM/DD")?;
                let time = self.word("a time HH:MM:SS")?;
                Timestamp::parse_date_time(&date, &time).ok_or_else(|| {
                    error_at(
                        self.text,
                        date_at,
                        format!("`{date} {time}` is not a valid date and time"),
                    )
                })?
            }
        };
        self.semi()?;
        Ok(time)
    }

    /// `state NAME;` after `binding`.
    fn binding_state(&mut self) -> Result<BindingState> {
        self.keyword("state")?;
        let name = self.word("a binding state")?;
        let state = name.parse().map_err(|()| {
            self.error_before(format!(
                "`{name}` is not a binding state (free, active, expired, released, abandoned, reset, backup)"
            ))
        })?;
        self.semi()?;
        Ok(state)
    }

    fn hardware(&mut self) -> Result<Hardware> {
        let kind = self.word("a hardware type")?;
        let htype = match kind.as_str() {
            "ethernet" => 1,
            "token-ring" => 6,
            "fddi" => 8,
            "infiniband" => 32,
            other => match other.strip_prefix("unknown-").and_then(|n| n.parse().ok()) {
                Some(n) => n,
                None => return Err(self.error_before(format!("unknown hardware type `{kind}`"))),
            },
        };
        let hex = self.word("a hardware address")?;
        let address = parse_hex_bytes(&hex)
            .ok_or_else(|| self.error_before(format!("`{hex}` is not a hardware address")))?;
        self.semi()?;
        Ok(Hardware { htype, address })
    }

    /// A quoted string, or colon-separated hex bytes; then `;`.
    fn bytes(&mut self, what: &str) -> Result<Vec<u8>> {
        let value = match self.next().map(|t| t.kind) {
            Some(Kind::Str(bytes)) => bytes,
            Some(Kind::Word(w)) => parse_hex_bytes(&w)
                .ok_or_else(|| self.error_before(format!("`{w}` is not {what}")))?,
            _ => return Err(self.error_before(format!("expected {what}"))),
        };
        self.semi()?;
        Ok(value)
    }

    /// `failover peer "NAME" state { my state S at T; partner state S at T; mclt N; }`.
    fn failover(&mut self) -> Result<FailoverStanza> {
        self.keyword("peer")?;
        let peer = match self.next().map(|t| t.kind) {
            Some(Kind::Str(bytes)) => String::from_utf8_lossy(&bytes).into_owned(),
            Some(Kind::Word(w)) => w,
            _ => return Err(self.error_before("expected the peer's name")),
        };
        self.keyword("state")?;
        self.punct(b'{')?;
        let (mut my, mut partner, mut mclt) = (None, None, None);
        loop {
            let Some(token) = self.peek() else {
                return Err(self.error(format!("failover peer \"{peer}\": missing `}}`")));
            };
            let keyword = match &token.kind {
                Kind::Punct(b'}') => {
                    self.advance();
                    break;
                }
                Kind::Word(w) => w.clone(),
                _ => return Err(self.error("expected a failover state statement")),
            };
            self.advance();
            match keyword.as_str() {
                "my" => my = Some(self.peer_state()?),
                "partner" => partner = Some(self.peer_state()?),
                "mclt" => {
                    let n = self.word("the MCLT in seconds")?;
                    mclt = Some(
                        n.parse()
                            .map_err(|_| self.error_before(format!("`{n}` is not a number")))?,
                    );
                    self.semi()?;
                }
                _ => self.skip_statement()?,
            }
        }
        let unknown = PeerState {
            state: super::FailoverState::Unknown,
            at: Timestamp(0),
        };
        Ok(FailoverStanza {
            peer,
            my: my.unwrap_or(unknown),
            partner: partner.unwrap_or(unknown),
            mclt,
        })
    }

    /// `state NAME at TIME;` after `my` or `partner`. `state NAME;` without a time (the
    /// hand edit dhcpd.conf(5) describes for partner-down) takes the time of reading, as ISC
    /// does.
    fn peer_state(&mut self) -> Result<PeerState> {
        self.keyword("state")?;
        let name = self.word("a failover state")?;
        let state = name
            .parse()
            .map_err(|()| self.error_before(format!("`{name}` is not a failover state")))?;
        if matches!(self.peek().map(|t| &t.kind), Some(Kind::Punct(b';'))) {
            self.advance();
            return Ok(PeerState {
                state,
                at: Timestamp::now(),
            });
        }
        self.keyword("at")?;
        let at = self.time()?;
        Ok(PeerState { state, at })
    }
}

/// `52:54:00:0a:b:c` -> bytes; each part one or two hex digits.
fn parse_hex_bytes(text: &str) -> Option<Vec<u8>> {
    text.split(':')
        .map(|part| {
            if part.is_empty() || part.len() > 2 {
                None
            } else {
                u8::from_str_radix(part, 16).ok()
            }
        })
        .collect()
}
