//! The typed syntax tree of a dhcpd.conf file. Every node keeps its byte span.

use std::net::Ipv4Addr;

/// A byte range in one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// Index of the file in the [`super::Config`]'s file list.
    pub file: usize,
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// As a miette span (offset and length within its file).
    pub fn source_span(&self) -> miette::SourceSpan {
        miette::SourceSpan::new(self.start.into(), self.end.saturating_sub(self.start))
    }
}

/// A token value as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Value {
    /// What kind of token it is.
    pub kind: ValueKind,
    /// The text (for strings: the decoded contents, without quotes).
    pub text: String,
    /// Where it is.
    pub span: Span,
}

/// Token kinds of values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// A dotted quad (octets not yet range-checked).
    Ipv4,
    /// Colon-separated hex octets.
    Hex,
    /// A decimal or 0x number.
    Number,
    /// A quoted string.
    String,
    /// A name or dotted name.
    Name,
    /// An IPv6 address.
    Ipv6,
}

impl Value {
    /// The value as an IPv4 address, if it is a valid dotted quad.
    pub fn ipv4(&self) -> Option<Ipv4Addr> {
        if self.kind == ValueKind::Ipv4 {
            self.text.parse().ok()
        } else {
            None
        }
    }

    /// The value as an unsigned number, if it is one.
    pub fn number(&self) -> Option<i64> {
        if self.kind != ValueKind::Number {
            return None;
        }
        let t = self.text.as_str();
        let (neg, t) = t.strip_prefix('-').map_or((false, t), |r| (true, r));
        let n = match t.strip_prefix("0x") {
            Some(hex) => i64::from_str_radix(hex, 16).ok()?,
            None => t.parse::<i64>().ok()?,
        };
        Some(if neg { -n } else { n })
    }
}

/// A dhcp-eval expression, kept as its source span and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expr {
    /// The expression as written.
    pub text: String,
    /// Where it is.
    pub span: Span,
    /// Options it names (`option X`, `exists X`, `config-option X`), with spans.
    pub options: Vec<(String, Span)>,
    /// Whether the top level is a boolean expression (comparison, and/or/not, exists, known...).
    pub is_boolean: bool,
}

/// One statement or declaration.
#[derive(Debug, Clone, PartialEq)]
pub struct Stmt {
    /// What it is.
    pub kind: StmtKind,
    /// The whole statement.
    pub span: Span,
    /// The leading keyword(s).
    pub keyword_span: Span,
}

/// The body of `option NAME ...`.
#[derive(Debug, Clone, PartialEq)]
pub enum OptionData {
    /// `option NAME;` (no value).
    Empty,
    /// Literal values.
    Values(Vec<Value>),
    /// `option NAME = EXPR;`.
    Expr(Expr),
}

/// A statement of a failover peer block.
#[derive(Debug, Clone, PartialEq)]
pub struct PeerStmt {
    /// The keyword(s), lower-cased and with single spaces (`peer address`, `load balance max seconds`).
    pub keyword: String,
    /// Keyword span.
    pub keyword_span: Span,
    /// The value, if any.
    pub value: Option<Value>,
    /// Whole statement span.
    pub span: Span,
}

/// Statement kinds.
// Each variant's doc shows the statement's syntax; its fields are the parts of it they name
// (`network`, `netmask`, `body`...), so they carry no doc of their own.
#[allow(missing_docs)]
#[derive(Debug, Clone, PartialEq)]
pub enum StmtKind {
    /// `include "path";` and the index of the file it resolved to.
    Include { path: Value, file: Option<usize> },
    /// `shared-network NAME { ... }`.
    SharedNetwork { name: Value, body: Vec<Stmt> },
    /// `subnet A netmask M { ... }`.
    Subnet {
        network: Value,
        netmask: Value,
        body: Vec<Stmt>,
    },
    /// `pool { ... }`.
    Pool { body: Vec<Stmt> },
    /// `group [NAME] { ... }`.
    Group {
        name: Option<Value>,
        body: Vec<Stmt>,
    },
    /// `host NAME { ... }`.
    Host { name: Value, body: Vec<Stmt> },
    /// `class "NAME" { ... }`.
    Class { name: Value, body: Vec<Stmt> },
    /// `subclass "CLASS" KEY [{ ... }]`.
    Subclass {
        class: Value,
        key: Value,
        body: Option<Vec<Stmt>>,
    },
    /// `failover peer NAME { ... }`.
    FailoverPeer {
        name: Value,
        statements: Vec<PeerStmt>,
        end_span: Span,
    },
    /// `failover peer NAME state { ... }` (lease-file form).
    FailoverPeerState { name: Value },
    /// `failover peer NAME;` (a reference).
    FailoverRef { name: Value },
    /// `no failover peer` (with the span of a trailing `;`, which dhcpd 4.4 refuses).
    NoFailoverRef { semicolon: Option<Span> },
    /// `key NAME { algorithm A; secret S; }`.
    Key {
        name: Value,
        statements: Vec<(Value, Value)>,
    },
    /// `zone NAME { primary A; key K; ... }`.
    Zone {
        name: Value,
        statements: Vec<(Value, Vec<Value>)>,
    },
    /// `on EVENT [or EVENT...] { ... }` or `on EVENT;`.
    On {
        events: Vec<Value>,
        body: Option<Vec<Stmt>>,
    },
    /// `if EXPR { } elsif EXPR { } else { }`.
    If {
        branches: Vec<(Expr, Vec<Stmt>)>,
        otherwise: Option<Vec<Stmt>>,
    },
    /// `switch (EXPR) { case V: ... default: ... }`.
    Switch { expr: Expr, body: Vec<Stmt> },
    /// `case EXPR:` inside a switch.
    Case { value: Option<Expr> },
    /// `option space NAME [settings];`.
    OptionSpace {
        name: Value,
        settings: Vec<(String, Value)>,
    },
    /// `option [SPACE.]NAME code N = TYPE;`.
    OptionDef {
        name: Value,
        code: Value,
        type_text: String,
        type_span: Span,
    },
    /// `option NAME VALUE;` (also supersede/default/prepend/append/send).
    Option {
        verb: String,
        name: Value,
        data: OptionData,
    },
    /// `range [dynamic-bootp] LOW [HIGH];`.
    Range {
        dynamic_bootp: bool,
        low: Value,
        high: Option<Value>,
    },
    /// `allow|deny|ignore PERMIT;`.
    Permit {
        verb: String,
        words: Vec<Value>,
        class: Option<Value>,
    },
    /// `[not] authoritative;`.
    Authoritative { not: bool },
    /// `hardware TYPE ADDRESS;`.
    Hardware { hw_type: Value, address: Value },
    /// `fixed-address A[, B...];`.
    FixedAddress { addresses: Vec<Value> },
    /// `match [if] EXPR;`.
    Match { expr: Expr, is_if: bool },
    /// `spawn with EXPR;`.
    Spawn { expr: Expr },
    /// `lease limit N;`.
    LeaseLimit { limit: Value },
    /// `add "CLASS";`.
    AddClass { class: Value },
    /// `set`, `unset`, `define`, `eval`, `break`, `log`, `execute`, `return`.
    Executable { verb: String, exprs: Vec<Expr> },
    /// `NAME VALUE...;`.
    Parameter { name: Value, values: Vec<Value> },
    /// `NAME = EXPR;` (a parameter set by an expression, or an expression statement).
    Assignment { name: Value, expr: Expr },
    /// Any other simple statement, up to its `;`: an expression statement such as `foo(1);`,
    /// or a statement whose values do not have the form its keyword needs (`range
    /// DHCP_RANGE;`). `name` is its first token. The DF2xx rules replay how dhcpd reads it
    /// (most such statements are errors).
    Other { name: Value },
}

impl Stmt {
    /// The nested statements of a declaration, if it has a body.
    pub fn body(&self) -> Option<&[Stmt]> {
        match &self.kind {
            StmtKind::SharedNetwork { body, .. }
            | StmtKind::Subnet { body, .. }
            | StmtKind::Pool { body }
            | StmtKind::Group { body, .. }
            | StmtKind::Host { body, .. }
            | StmtKind::Class { body, .. }
            | StmtKind::Switch { body, .. } => Some(body),
            StmtKind::Subclass { body, .. } | StmtKind::On { body, .. } => body.as_deref(),
            _ => None,
        }
    }
}

/// The kind of scope a statement is in (dhcpd's declaration types, `ROOT_GROUP`,
/// `SHARED_NET_DECL`...): used by the rules' walk, dhcpd's reader and the pair comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeKind {
    /// The top level.
    Root,
    /// `shared-network`.
    SharedNetwork,
    /// `subnet`.
    Subnet,
    /// `pool`.
    Pool,
    /// `group`.
    Group,
    /// `host`.
    Host,
    /// `class` or `subclass`.
    Class,
    /// The body of `if`, `on` or `switch`: executable statements only.
    Body,
}
