//! A replay of how ISC dhcpd 4.4 reads a configuration (`server/confpars.c`,
//! `common/parse.c`, `common/conflex.c`, the range bookkeeping of `server/mdb.c` and the
//! post-parse checks `dhcpd -t` runs), token for token.
//!
//! The pest grammar gives the tree other rules work on; what dhcpd *accepts* is decided by
//! its own recursive-descent parser, whose quirks (an unknown word is an expression
//! statement, `x` is a hex number, an address is four numbers and three dots, names must be
//! declared before they are used...) no grammar of ours reproduces exactly. So the DF2xx
//! rules read the file the way dhcpd does: the engine walks each file's dhcpd tokens with the
//! same scopes, the same declare-before-use tables and the same checks, and records every
//! place dhcpd would complain, tagged with the [`Cause`] (and so the rule) it belongs to.
//! Each rule then reports the problems of its cause.
//!
//! Failover statements are read (to stay in step) but not judged here: the DF3xx rules do.

mod decl;
mod expr;
pub(crate) mod lex;
mod options;
mod stmt;

use std::collections::{HashMap, HashSet};

use self::lex::{Kind, Tok};
use crate::conf::ast::{ScopeKind, Span, Stmt, StmtKind};
use crate::conf::lookalike::LineIndex;

/// What a problem is about; each cause belongs to one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Cause {
    /// An IPv4 address dhcpd cannot read (octet over 255, a name where a number is needed,
    /// too few numbers).
    BadAddress,
    /// A subnet number with host bits set under its mask.
    SubnetHostBits,
    /// A range address outside its subnet, or a shared-network pool range on no subnet.
    RangeOutsideSubnet,
    /// A statement in a scope where dhcpd does not allow it.
    Misplaced,
    /// An address in two ranges.
    AddressInTwoRanges,
    /// Two hosts with one name.
    DuplicateHost,
    /// A class named before it is declared.
    UndeclaredClass,
    /// A key named before it is declared (or never declared, for `omapi-key`).
    UndeclaredKey,
    /// An option or option space dhcpd does not know.
    UnknownOption,
    /// An option value of the wrong form.
    OptionValue,
    /// A parameter value of the wrong form.
    ParameterValue,
    /// `ddns-update-style ad-hoc`.
    AdHoc,
    /// An unknown word used as a statement on its own (dhcpd accepts it as an expression).
    UnknownStatement,
    /// An unknown word followed by values.
    UnknownKeyword,
    /// A pool with no range.
    PoolWithoutRange,
    /// A shared-network without subnets.
    EmptySharedNetwork,
    /// `option space` or `option ... code` inside a scope.
    ScopedDefinition,
    /// A bad `option space` declaration.
    OptionSpace,
    /// A bad `option ... code N = TYPE` definition.
    OptionDefinition,
    /// A condition that is not boolean.
    NonBoolean,
    /// Any other expression dhcpd cannot read.
    Expression,
    /// A second `hardware`, `fixed-address`, `uid` or `host-identifier` in a host.
    RepeatedHostAddress,
    /// A bad `key` declaration (statement, algorithm, secret).
    KeyDeclaration,
    /// A bad `zone` declaration.
    ZoneDeclaration,
    /// A bad `allow`/`deny`/`ignore` keyword or pool permit.
    Permit,
    /// A bad `hardware` statement.
    Hardware,
    /// A bad `class`/`subclass` declaration (name, match, spawn, lease limit, parent).
    ClassDeclaration,
    /// Anything else dhcpd's parser stops at: a missing `;`, a wrong token after a keyword.
    Syntax,
    /// A host names a group that is not declared.
    UnknownGroup,
    /// Failover: left to the DF3xx rules.
    Failover,
}

/// One place where dhcpd would complain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    /// The rule it belongs to.
    pub cause: Cause,
    /// Where: the token dhcpd stopped at, or the value concerned.
    pub span: Span,
    /// What is wrong, naming the cause.
    pub message: String,
    /// Label text at the span.
    pub label: String,
    /// How to fix it.
    pub help: String,
    /// Other places involved.
    pub related: Vec<(Span, String)>,
}

/// One file of a configuration as the reader needs it: its text, and its statements, whose
/// includes say which file each one resolved to (index 0 is the main file).
#[derive(Debug, Clone, Copy)]
pub(crate) struct FileView<'a> {
    /// The text dhcpd reads.
    pub(crate) text: &'a str,
    /// The parsed statements.
    pub(crate) statements: &'a [Stmt],
}

/// Every problem dhcpd would report reading this configuration, in reading order. Empty for
/// a configuration whose main file is missing.
pub(crate) fn problems(files: &[FileView<'_>]) -> Vec<Problem> {
    let mut st = State::new(files);
    if let Some(main) = files.first() {
        read_file(&mut st, 0, main.text, Ctx::root(), 0);
    }
    st.finish();
    st.problems
}

/// The first problem (in dhcpd's order) reading `text` alone as file `file`. For the `main`
/// file, read at the top level, every error before its first include is dhcpd's own (nothing
/// else has been read yet); after it, and in included files, only those that do not depend on
/// what other files declare or on the scope an include puts the file in.
pub(crate) fn first_problem(file: usize, text: &str, main: bool) -> Option<Problem> {
    let mut st = State::new(&[]);
    read_file(&mut st, file, text, Ctx::root(), 0);
    let (toks, _) = lex::tokens(text);
    let first_include = toks
        .iter()
        .find(|t| {
            t.keyword
                && text
                    .get(t.start..t.end)
                    .is_some_and(|w| w.eq_ignore_ascii_case("include"))
        })
        .map_or(usize::MAX, |t| t.start);
    st.problems.into_iter().find(|p| {
        if main && p.span.start < first_include {
            return p.cause != Cause::UnknownStatement;
        }
        matches!(
            p.cause,
            Cause::BadAddress
                | Cause::SubnetHostBits
                | Cause::OptionValue
                | Cause::ParameterValue
                | Cause::UnknownKeyword
                | Cause::PoolWithoutRange
                | Cause::EmptySharedNetwork
                | Cause::ScopedDefinition
                | Cause::OptionSpace
                | Cause::OptionDefinition
                | Cause::NonBoolean
                | Cause::Expression
                | Cause::RepeatedHostAddress
                | Cause::KeyDeclaration
                | Cause::ZoneDeclaration
                | Cause::Permit
                | Cause::Hardware
                | Cause::ClassDeclaration
                | Cause::Syntax
        )
    })
}

/// The scope a statement is read in: its type and what dhcpd's group structure points to.
#[derive(Debug, Clone, Copy)]
struct Ctx {
    pub ty: ScopeKind,
    /// `group->shared_network`: set in a shared network's own scope (and in a lone subnet).
    pub shared: Option<usize>,
    /// `group->subnet`: set in a subnet's scope.
    pub subnet: Option<usize>,
}

impl Ctx {
    fn root() -> Ctx {
        Ctx {
            ty: ScopeKind::Root,
            shared: None,
            subnet: None,
        }
    }
}

/// A shared network being read or read.
#[derive(Debug, Clone)]
struct Shared {
    pub name: String,
    /// Subnets whose declaration is complete, in order.
    pub subnets: Vec<usize>,
    /// Whether an `interface` statement connected it to an interface.
    pub interface: bool,
}

/// A subnet.
#[derive(Debug, Clone)]
struct Subnet {
    pub net: u32,
    pub mask: u32,
    pub span: Span,
}

/// An option definition.
#[derive(Debug, Clone)]
struct OptDef {
    pub name: String,
    pub code: u32,
    pub format: String,
}

/// An option space and its options.
#[derive(Debug, Clone)]
struct Space {
    pub name: String,
    /// By lower-case name.
    pub options: HashMap<String, OptDef>,
    /// Name by code.
    pub codes: HashMap<u32, String>,
    /// `universe->end` (255 for the dhcp space, else 0).
    pub end: u32,
}

/// What dhcpd has learned so far.
struct State<'a> {
    /// The configuration's files (none when one text is read alone).
    files: &'a [FileView<'a>],
    pub problems: Vec<Problem>,
    pub spaces: Vec<Space>,
    /// Declared classes (case-sensitive), with where.
    pub classes: HashMap<String, Span>,
    /// Declared keys, by lower-case name.
    pub keys: HashMap<String, Span>,
    /// Declared failover peers (case-sensitive).
    pub peers: HashSet<String>,
    /// Named groups (case-sensitive).
    pub groups: HashSet<String>,
    /// Hosts by name, with where.
    pub hosts: HashMap<String, Span>,
    pub shared: Vec<Shared>,
    pub subnets: Vec<Subnet>,
    /// The addresses of the ranges read so far.
    pub ranges: crate::judgement::RangeCoverage,
    /// Each range read so far: first and last address, and its span.
    pub range_spans: Vec<(u32, u32, Span)>,
    /// The last `ddns-update-style` read at the top level (value, span).
    pub ddns_style: Option<(String, Span)>,
    /// Interfaces named by `interface` statements so far.
    pub interfaces: HashSet<String>,
    /// `omapi-key` values read at the top level.
    pub omapi_keys: Vec<(String, Span)>,
    /// Include resolution of each file: (start, end of the include statement, file read).
    includes: Vec<Vec<(usize, usize, Option<usize>)>>,
    depth: usize,
}

impl<'a> State<'a> {
    fn new(files: &'a [FileView<'a>]) -> State<'a> {
        let spaces = crate::dhcpd::tables::SPACES
            .iter()
            .map(|(name, opts)| Space {
                name: (*name).to_string(),
                options: opts
                    .iter()
                    .map(|o| {
                        (
                            o.name.to_ascii_lowercase(),
                            OptDef {
                                name: o.name.to_string(),
                                code: o.code,
                                format: o.format.to_string(),
                            },
                        )
                    })
                    .collect(),
                codes: opts
                    .iter()
                    .filter(|o| o.code != 0 || *name == "dhcp")
                    .map(|o| (o.code, o.name.to_string()))
                    .collect(),
                end: if *name == "dhcp" { 255 } else { 0 },
            })
            .collect();
        let includes = files
            .iter()
            .map(|f| {
                let mut v = Vec::new();
                collect_includes(f.statements, &mut v);
                v
            })
            .collect();
        State {
            files,
            problems: Vec::new(),
            spaces,
            classes: HashMap::new(),
            keys: HashMap::new(),
            peers: HashSet::new(),
            groups: HashSet::new(),
            hosts: HashMap::new(),
            shared: Vec::new(),
            subnets: Vec::new(),
            ranges: Default::default(),
            range_spans: Vec::new(),
            ddns_style: None,
            omapi_keys: Vec::new(),
            interfaces: HashSet::new(),
            includes,
            depth: 0,
        }
    }

    /// The post-parse checks of `dhcpd -t` (global parameters).
    fn finish(&mut self) {
        if let Some((style, span)) = self.ddns_style.clone()
            && style == "ad-hoc"
        {
            self.problems.push(Problem {
                cause: Cause::AdHoc,
                span,
                message: "ddns-update-style ad-hoc is no longer supported: dhcpd refuses to start"
                    .into(),
                label: "ad-hoc DNS updates were removed in ISC DHCP 4.2".into(),
                help: "use `ddns-update-style interim;` or `standard;` (or `none;`)".into(),
                related: Vec::new(),
            });
        }
        for (name, span) in self.omapi_keys.clone() {
            if !self.keys.contains_key(&name.to_ascii_lowercase()) {
                let known: Vec<String> = self.keys.keys().cloned().collect();
                self.problems.push(Problem {
                    cause: Cause::UndeclaredKey,
                    span,
                    message: format!("OMAPI key {name} is not declared: dhcpd refuses to start"),
                    label: "no `key` of this name".into(),
                    help: suggest_help(
                        &name,
                        &known,
                        "declare it with `key NAME { algorithm ...; secret ...; }`",
                    ),
                    related: Vec::new(),
                });
            }
        }
    }

    pub(super) fn space(&self, name: &str) -> Option<usize> {
        self.spaces
            .iter()
            .position(|s| s.name.eq_ignore_ascii_case(name))
    }
}

fn collect_includes(stmts: &[Stmt], out: &mut Vec<(usize, usize, Option<usize>)>) {
    for s in stmts {
        if let StmtKind::Include { file, .. } = &s.kind {
            out.push((s.span.start, s.span.end, *file));
        }
        match &s.kind {
            StmtKind::If {
                branches,
                otherwise,
            } => {
                for (_, body) in branches {
                    collect_includes(body, out);
                }
                if let Some(body) = otherwise {
                    collect_includes(body, out);
                }
            }
            _ => {
                if let Some(body) = s.body() {
                    collect_includes(body, out);
                }
            }
        }
    }
}

/// Reads one file in scope `ctx` (the main file at the top level, or an included file in
/// the scope of its include statement), starting `nesting` levels deep (an include counts
/// the levels around it, so nesting spread over files is bounded too).
fn read_file(st: &mut State<'_>, file: usize, text: &str, ctx: Ctx, nesting: usize) {
    let (toks, errors) = lex::tokens(text);
    // One finding per token, naming each distinct complaint dhcpd makes about it (it makes
    // one per bad digit of an escape).
    let mut grouped: Vec<(usize, usize, Vec<String>)> = Vec::new();
    for e in errors {
        match grouped.last_mut() {
            Some((start, end, messages)) if (*start, *end) == (e.start, e.end) => {
                if !messages.contains(&e.message) {
                    messages.push(e.message);
                }
            }
            _ => grouped.push((e.start, e.end, vec![e.message])),
        }
    }
    for (start, end, messages) in grouped {
        st.problems.push(Problem {
            cause: Cause::Syntax,
            span: Span { file, start, end },
            message: format!("dhcpd cannot read this token: {}", messages.join("; ")),
            label: "here".into(),
            help: "check the quoting and the escapes (`\\\\`, `\\\"`, `\\t`, `\\n`, `\\NNN` octal, `\\xHH`)".into(),
            related: Vec::new(),
        });
    }
    let mut p = Parser {
        file,
        text,
        toks,
        pos: 0,
        st,
        last: None,
        nesting,
        lookalikes: LineIndex::new(text),
    };
    let mut declaration = false;
    while !p.peek().is_eof() {
        let before = p.pos;
        declaration = p.statement(ctx, &mut None, declaration);
        if p.pos == before {
            // Never loop: dhcpd always consumes something.
            p.next();
        }
    }
}

/// Reads a file's tokens the way dhcpd's parser does.
struct Parser<'t, 's, 'a> {
    pub file: usize,
    pub text: &'t str,
    pub toks: Vec<Tok>,
    pub pos: usize,
    pub st: &'s mut State<'a>,
    /// The last token consumed.
    pub last: Option<Tok>,
    /// How deep statements and expressions are nested right now.
    pub nesting: usize,
    /// Where the file's non-ASCII look-alike characters are.
    pub lookalikes: LineIndex,
}

impl Parser<'_, '_, '_> {
    /// The next token, not consumed.
    pub(crate) fn peek(&self) -> Tok {
        self.toks
            .get(self.pos)
            .copied()
            .unwrap_or_else(|| self.eof())
    }

    /// The token after the next one.
    pub(crate) fn peek2(&self) -> Tok {
        self.toks
            .get(self.pos + 1)
            .copied()
            .unwrap_or_else(|| self.eof())
    }

    fn eof(&self) -> Tok {
        Tok {
            kind: Kind::Eof,
            keyword: false,
            start: self.text.len(),
            end: self.text.len(),
        }
    }

    /// Consumes and returns the next token (EOF stays EOF).
    pub(crate) fn next(&mut self) -> Tok {
        let t = self.peek();
        if !t.is_eof() {
            self.pos += 1;
        }
        self.last = Some(t);
        t
    }

    /// The text of a token as written.
    pub(crate) fn text(&self, t: Tok) -> &str {
        self.text.get(t.start..t.end).unwrap_or("")
    }

    /// The value of a token: a string's decoded contents, else the text.
    pub(crate) fn val(&self, t: Tok) -> String {
        if t.is_string() {
            let (bytes, _) = lex::decode_string(self.text(t));
            String::from_utf8_lossy(&bytes).into_owned()
        } else {
            self.text(t).to_string()
        }
    }

    /// Whether `t` is the keyword `word`.
    pub(crate) fn kw(&self, t: Tok, word: &str) -> bool {
        t.keyword && self.text(t).eq_ignore_ascii_case(word)
    }

    /// The keyword `t` is, lower-cased (empty when it is none).
    pub(crate) fn keyword(&self, t: Tok) -> String {
        if t.keyword {
            self.text(t).to_ascii_lowercase()
        } else {
            String::new()
        }
    }

    /// The span of a token.
    pub(crate) fn span(&self, t: Tok) -> Span {
        Span {
            file: self.file,
            start: t.start,
            end: t.end,
        }
    }

    /// The span from token `a` through token `b`.
    pub(crate) fn span2(&self, a: Tok, b: Tok) -> Span {
        Span {
            file: self.file,
            start: a.start,
            end: b.end.max(a.end),
        }
    }

    /// How a token is shown in a message.
    pub(crate) fn shown(&self, t: Tok) -> String {
        if t.is_eof() {
            return "end of file".into();
        }
        let s: String = self.text(t).chars().take(40).collect();
        format!("`{s}`")
    }

    /// Records a problem.
    pub(crate) fn warn(
        &mut self,
        cause: Cause,
        span: Span,
        message: impl Into<String>,
        label: impl Into<String>,
        help: impl Into<String>,
    ) {
        let (mut span, mut message, mut label, mut help) =
            (span, message.into(), label.into(), help.into());
        // A non-ASCII look-alike (a U+2010 hyphen pasted from a web page) on the same line is
        // the likely cause: name it, as the grammar's syntax errors do.
        if span.file == self.file
            && let Some((pos, found)) = self.lookalikes.on_line(self.text, span.start)
        {
            span = Span {
                file: span.file,
                start: pos,
                end: pos + found.ch.len_utf8(),
            };
            message = if found.ascii.is_empty() {
                format!("{message}: invisible character {}", found.code_point())
            } else {
                format!(
                    "{message}: `{}` is {}, which {}",
                    found.ch,
                    found.code_point(),
                    found.looks_like()
                )
            };
            label = "non-ASCII look-alike".into();
            help = format!(
                "{}: dhcpd reads keywords, names and punctuation in ASCII only",
                found.fix()
            );
        }
        self.st.problems.push(Problem {
            cause,
            span,
            message,
            label,
            help,
            related: Vec::new(),
        });
    }

    /// Records a syntax problem at token `t`: `expected` is what dhcpd wanted there.
    pub(crate) fn expected(&mut self, cause: Cause, t: Tok, expected: &str, help: &str) {
        let found = self.shown(t);
        let span = self.span(t);
        self.warn(
            cause,
            span,
            format!("expected {expected}, found {found}"),
            format!("dhcpd expects {expected} here"),
            help,
        );
    }

    /// `skip_to_semi`.
    pub(crate) fn skip_to_semi(&mut self) {
        self.skip_to_rbrace(0);
    }

    /// `skip_to_rbrace`: skips to the `;` ending the statement, or past `count` closing
    /// braces (and any nested blocks).
    pub(crate) fn skip_to_rbrace(&mut self, mut count: usize) {
        loop {
            let t = self.peek();
            if t.is('}') {
                count = count.saturating_sub(1);
                if count == 0 {
                    self.next();
                    return;
                }
            } else if t.is('{') {
                count += 1;
            } else if t.is(';') && count == 0 {
                self.next();
                return;
            }
            let t = self.next();
            if t.is_eof() {
                return;
            }
        }
    }

    /// `parse_semi`: expects `;` (reported as `cause` when missing).
    pub(crate) fn semi(&mut self, cause: Cause) -> bool {
        let t = self.next();
        if t.is(';') {
            return true;
        }
        self.missing_semi(cause, t);
        self.skip_to_semi();
        false
    }

    /// Reports a missing `;` at `t`.
    pub(crate) fn missing_semi(&mut self, cause: Cause, t: Tok) {
        let found = self.shown(t);
        let span = self.span(t);
        let previous = self
            .toks
            .get(self.pos.saturating_sub(2))
            .copied()
            .filter(|p| p.end <= t.start);
        if let Some(p) = previous
            && p.end == t.start
            && (t.is('.') || t.is(':') || t.is('/'))
            && (p.is_identifier() || p.is_number())
        {
            // An unquoted value with dots (`example.com`, `pxelinux.0`, `http://...`).
            let mut end = t.end;
            let mut i = self.pos;
            while let Some(n) = self.toks.get(i) {
                if n.start != end || n.is(';') || n.is_eof() || n.is_string() {
                    break;
                }
                end = n.end;
                i += 1;
            }
            let whole = self.text.get(p.start..end).unwrap_or("").to_string();
            let word = self.text(p).to_string();
            self.warn(
                cause,
                Span {
                    file: self.file,
                    start: p.start,
                    end,
                },
                format!("`{whole}` must be quoted: dhcpd reads `{word}` as the value and then expects `;`, found {found}"),
                "unquoted value",
                format!("write \"{whole}\""),
            );
            return;
        }
        let help = match previous {
            Some(p) if self.text[p.end..t.start].contains('\n') => {
                "the statement on the line before ends without `;`: add it".to_string()
            }
            _ => "end the statement with `;` after its value; separate the values of a list with commas".to_string(),
        };
        self.warn(
            cause,
            span,
            format!("semicolon expected, found {found}"),
            "dhcpd expects `;` here",
            help,
        );
    }

    /// The file an include statement at token `t` resolved to.
    pub(crate) fn include_target(&self, t: Tok) -> Option<usize> {
        self.st
            .includes
            .get(self.file)?
            .iter()
            .find(|(s, e, _)| *s <= t.start && t.start < *e)
            .and_then(|(_, _, f)| *f)
    }

    /// Reads an included file in `ctx`.
    pub(crate) fn include(&mut self, file: usize, ctx: Ctx) {
        if self.st.depth >= 32 {
            return;
        }
        let Some(text) = self.st.files.get(file).map(|f| f.text) else {
            return;
        };
        self.st.depth += 1;
        read_file(self.st, file, text, ctx, self.nesting);
        self.st.depth -= 1;
    }
}

/// Nesting deeper than this is not followed (dhcpd has no limit, but real files stay far
/// below it and the replay must not exhaust the stack).
const MAX_NESTING: usize = 200;

/// A help line with a did-you-mean suggestion when one of `known` is close to `word`.
fn suggest_help(word: &str, known: &[String], otherwise: &str) -> String {
    let refs: Vec<&str> = known.iter().map(String::as_str).collect();
    match crate::model::suggest(word, &refs) {
        Some(s) => format!("{s} ({otherwise})"),
        None => otherwise.to_string(),
    }
}

/// The closest of `known` to `word`, if close enough.
fn closest<'k>(word: &str, known: impl Iterator<Item = &'k str>) -> Option<&'k str> {
    let w = word.to_ascii_lowercase();
    known
        .map(|k| (strsim::jaro_winkler(&w, &k.to_ascii_lowercase()), k))
        .filter(|(s, _)| *s >= 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

/// An IPv4 address as a dotted quad.
fn dotted(a: u32) -> String {
    std::net::Ipv4Addr::from(a).to_string()
}

/// What dhcpd's `parse_base64` says about a secret, if it refuses it.
pub(crate) fn base64_problem(secret: &str) -> Option<String> {
    let mut acc: u32 = 0;
    let mut k = 0usize;
    let mut terminated = false;
    for c in secret.chars() {
        let code = c as u32;
        if terminated && c != '=' {
            return Some(format!("stuff after the base64 `=` terminator (`{c}`)"));
        }
        if !(32..=122).contains(&code) {
            return Some(format!("invalid base64 character {code}"));
        }
        if c == '=' {
            terminated = true;
        } else {
            let v = match c {
                'A'..='Z' => code - 'A' as u32,
                'a'..='z' => code - 'a' as u32 + 26,
                '0'..='9' => code - '0' as u32 + 52,
                '+' => 62,
                '/' => 63,
                _ => return Some(format!("invalid base64 character {code} (`{c}`)")),
            };
            acc = (acc << 6) + v;
            match k % 4 {
                1 => acc &= 0x0f,
                2 => acc &= 0x03,
                3 => acc = 0,
                _ => {}
            }
        }
        k += 1;
    }
    if !k.is_multiple_of(4) && acc != 0 {
        return Some(format!("partial base64 value left over: {acc}"));
    }
    None
}

/// C's `atoi`: an optional sign and the leading decimal digits (0 when there are none).
fn atoi(text: &str) -> i64 {
    let (negative, rest) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let n = rest
        .bytes()
        .take_while(u8::is_ascii_digit)
        .fold(0i64, |a, d| {
            a.saturating_mul(10).saturating_add(i64::from(d - b'0'))
        });
    if negative { -n } else { n }
}

#[cfg(test)]
mod tests {
    use super::{Cause, first_problem};

    fn first(text: &str) -> Option<(Cause, usize)> {
        first_problem(0, text, true)
            .map(|p| (p.cause, text[..p.span.start].matches('\n').count() + 1))
    }

    #[test]
    fn dhcpd_quirks() {
        // `NAME;` is an empty value, and dhcpd still wants the statement's `;`.
        assert_eq!(
            first("default-lease-time ;\nmax-lease-time 600;\n"),
            Some((Cause::ParameterValue, 1))
        );
        assert_eq!(first("default-lease-time ;;\n"), None);
        // A log statement whose expression cannot start is dropped without a word.
        assert_eq!(first("on commit {\n  log (;info, \"x\");\n}\n"), None);
        // `peer` may be repeated in a peer block.
        assert_eq!(
            first(
                "failover peer \"a\" {\n  primary;\n  peer peer address 10.0.0.2;\n  mclt 60;\n  split 128;\n}\n"
            ),
            None
        );
        // `x` is hex to dhcpd.
        assert_eq!(first("x;\n"), Some((Cause::Expression, 1)));
        assert_eq!(first("ab;\n"), None);
        // A negative octet is stored in two's complement.
        assert_eq!(first("subnet 10.0.0.0 netmask -1.255.255.0 {\n}\n"), None);
        // One interface per network.
        assert_eq!(
            first(
                "shared-network x {\n  interface eth0;\n  subnet 10.0.0.0 netmask 255.0.0.0 {\n    interface eth1;\n  }\n}\n"
            ),
            Some((Cause::Syntax, 4))
        );
    }

    #[test]
    fn keys_need_algorithm_and_secret() {
        assert_eq!(
            first("key k {\n  algorithm hmac-md5;\n}\n"),
            Some((Cause::KeyDeclaration, 1))
        );
    }
}
