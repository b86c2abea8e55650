//! From pest pairs to the typed syntax tree.

use pest::Parser;
use pest::error::InputLocation;
use pest::iterators::Pair;

use super::ast::{Expr, OptionData, PeerStmt, Span, Stmt, StmtKind, Value, ValueKind};
use super::syntax::{ConfParser, Rule};

/// A syntax error: where the parser stopped and what it expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// The offending token (or an empty span at the end of the file).
    pub span: Span,
    /// One-line message.
    pub message: String,
    /// How to fix it.
    pub help: String,
}

/// Parses one file's text into statements.
///
/// When the grammar stops, the error reported is the first place where ISC dhcpd itself would
/// stop reading the file, if that comes earlier (dhcpd reads statements it cannot make sense
/// of as expressions, and reports value errors as it goes): see
/// [`crate::conf::dhcpd`]. A key whose secret is not valid base64 is reported
/// here too, as dhcpd refuses it while reading the key, before any later include.
pub(crate) fn parse(file: usize, text: &str) -> Result<Vec<Stmt>, SyntaxError> {
    if let Some(at) = too_deep(text) {
        return Err(SyntaxError {
            span: Span { file, start: at, end: at + 1 },
            message: format!("blocks nested deeper than {MAX_DEPTH} levels"),
            help: "a real configuration nests a few levels (shared-network, subnet, pool); check for unbalanced braces".into(),
        });
    }
    let mut pairs = match ConfParser::parse(Rule::file, text) {
        Ok(pairs) => pairs,
        Err(e) => return Err(earliest_error(file, text, syntax_error(file, text, &e))),
    };
    let Some(root) = pairs.next() else {
        return Ok(Vec::new());
    };
    let b = Builder { file, text };
    let statements: Vec<Stmt> = root
        .into_inner()
        .filter(|p| p.as_rule() != Rule::EOI)
        .map(|p| b.stmt(p))
        .collect();
    if let Some(e) = bad_secret(&statements) {
        let mut includes = Vec::new();
        include_starts(&statements, &mut includes);
        if includes.iter().all(|&start| start > e.span.start) {
            // dhcpd reads up to the key (no include comes first): report its first complaint.
            let first = crate::conf::dhcpd::first_problem(file, text, file == 0);
            return Err(match first {
                Some(p) => SyntaxError {
                    span: p.span,
                    message: p.message,
                    help: p.help,
                },
                None => e,
            });
        }
        // An include comes first: the DF2xx rules report the secret once it is read.
    }
    Ok(statements)
}

/// The grammar's error, or dhcpd's own first complaint about the text if it comes first.
fn earliest_error(file: usize, text: &str, grammar: SyntaxError) -> SyntaxError {
    match crate::conf::dhcpd::first_problem(file, text, file == 0) {
        Some(p) if p.span.start <= grammar.span.start => SyntaxError {
            span: p.span,
            message: p.message,
            help: p.help,
        },
        _ => grammar,
    }
}

/// Where the include statements of a file start.
fn include_starts(statements: &[Stmt], out: &mut Vec<usize>) {
    for stmt in statements {
        match &stmt.kind {
            StmtKind::Include { .. } => out.push(stmt.span.start),
            StmtKind::If {
                branches,
                otherwise,
            } => {
                for (_, body) in branches {
                    include_starts(body, out);
                }
                if let Some(body) = otherwise {
                    include_starts(body, out);
                }
            }
            _ => {
                if let Some(body) = stmt.body() {
                    include_starts(body, out);
                }
            }
        }
    }
}

/// The first key secret (in reading order) that dhcpd's base64 decoder refuses.
fn bad_secret(statements: &[Stmt]) -> Option<SyntaxError> {
    for stmt in statements {
        match &stmt.kind {
            StmtKind::Key { name, statements } => {
                for (word, value) in statements {
                    if word.text.eq_ignore_ascii_case("secret")
                        && let Some(problem) = crate::conf::dhcpd::base64_problem(&value.text)
                    {
                        return Some(SyntaxError {
                            span: value.span,
                            message: format!("{problem} in the secret of key {}", name.text),
                            help: "a TSIG secret is base64 (A-Z, a-z, 0-9, `+`, `/`, padded with `=`): paste the secret `tsig-keygen` printed, not a placeholder".into(),
                        });
                    }
                }
            }
            StmtKind::If {
                branches,
                otherwise,
            } => {
                for (_, body) in branches {
                    if let Some(e) = bad_secret(body) {
                        return Some(e);
                    }
                }
                if let Some(body) = otherwise
                    && let Some(e) = bad_secret(body)
                {
                    return Some(e);
                }
            }
            _ => {
                if let Some(body) = stmt.body()
                    && let Some(e) = bad_secret(body)
                {
                    return Some(e);
                }
            }
        }
    }
    None
}

struct Builder<'t> {
    file: usize,
    text: &'t str,
}

impl Builder<'_> {
    fn span(&self, p: &Pair<'_, Rule>) -> Span {
        let s = p.as_span();
        Span {
            file: self.file,
            start: s.start(),
            end: s.end(),
        }
    }

    fn value(&self, p: Pair<'_, Rule>) -> Value {
        // Unwrap wrapper rules down to the token.
        let p = match p.as_rule() {
            Rule::name
            | Rule::peer_value
            | Rule::option_value
            | Rule::param_value
            | Rule::zone_value
            | Rule::subnet_address
            | Rule::address => match p.clone().into_inner().next() {
                Some(inner) => inner,
                None => p,
            },
            _ => p,
        };
        let span = self.span(&p);
        let kind = match p.as_rule() {
            Rule::ipv4 => ValueKind::Ipv4,
            Rule::hex_list => ValueKind::Hex,
            Rule::number => ValueKind::Number,
            Rule::string => ValueKind::String,
            Rule::ipv6 => ValueKind::Ipv6,
            _ => ValueKind::Name,
        };
        let text = if kind == ValueKind::String {
            unescape(p.into_inner().next().map_or("", |b| b.as_str()))
        } else if kind == ValueKind::Hex {
            p.as_str().chars().filter(|c| !c.is_whitespace()).collect()
        } else {
            p.as_str().to_string()
        };
        Value { kind, text, span }
    }

    fn expr(&self, p: Pair<'_, Rule>) -> Expr {
        let span = self.span(&p);
        let text = p.as_str().to_string();
        let mut options = Vec::new();
        collect_options(self, p.clone(), &mut options);
        let is_boolean = is_boolean(p);
        Expr {
            text,
            span,
            options,
            is_boolean,
        }
    }

    fn body(&self, p: Pair<'_, Rule>) -> Vec<Stmt> {
        p.into_inner().map(|s| self.stmt(s)).collect()
    }

    fn stmt(&self, p: Pair<'_, Rule>) -> Stmt {
        let span = self.span(&p);
        let rule = p.as_rule();
        let ends_with_semicolon = p.as_str().ends_with(';');
        let inner: Vec<Pair<'_, Rule>> = p.into_inner().collect();
        let keyword_span = inner.first().map_or(span, |k| self.span(k));
        let kind = if rule == Rule::no_failover_ref {
            let semicolon = ends_with_semicolon.then(|| Span {
                file: self.file,
                start: span.end - 1,
                end: span.end,
            });
            StmtKind::NoFailoverRef { semicolon }
        } else {
            self.kind(rule, inner, span)
        };
        let keyword_span = match &kind {
            StmtKind::Other { name } => name.span,
            _ => keyword_span,
        };
        Stmt {
            kind,
            span,
            keyword_span,
        }
    }

    fn kind(&self, rule: Rule, inner: Vec<Pair<'_, Rule>>, span: Span) -> StmtKind {
        let mut it = inner.into_iter().peekable();
        let mut next = || it.next();
        match rule {
            Rule::include_stmt => {
                next();
                StmtKind::Include {
                    path: self.take_value(next()),
                    file: None,
                }
            }
            Rule::shared_network => {
                next();
                let name = self.take_value(next());
                StmtKind::SharedNetwork {
                    name,
                    body: next().map(|b| self.body(b)).unwrap_or_default(),
                }
            }
            Rule::subnet => {
                next();
                let network = self.take_value(next());
                next();
                let netmask = self.take_value(next());
                StmtKind::Subnet {
                    network,
                    netmask,
                    body: next().map(|b| self.body(b)).unwrap_or_default(),
                }
            }
            Rule::pool => {
                next();
                StmtKind::Pool {
                    body: next().map(|b| self.body(b)).unwrap_or_default(),
                }
            }
            Rule::group => {
                next();
                let mut name = None;
                let mut body = Vec::new();
                while let Some(p) = next() {
                    if p.as_rule() == Rule::block {
                        body = self.body(p);
                    } else {
                        name = Some(self.value(p));
                    }
                }
                StmtKind::Group { name, body }
            }
            Rule::host => {
                next();
                let name = self.take_value(next());
                StmtKind::Host {
                    name,
                    body: next().map(|b| self.body(b)).unwrap_or_default(),
                }
            }
            Rule::class => {
                next();
                let name = self.take_value(next());
                StmtKind::Class {
                    name,
                    body: next().map(|b| self.body(b)).unwrap_or_default(),
                }
            }
            Rule::subclass => {
                next();
                let class = self.take_value(next());
                let key = self.take_value(next());
                StmtKind::Subclass {
                    class,
                    key,
                    body: next().map(|b| self.body(b)),
                }
            }
            Rule::failover_peer => {
                next();
                next();
                let name = self.take_value(next());
                match next() {
                    Some(p) if p.as_rule() == Rule::k_state => StmtKind::FailoverPeerState { name },
                    Some(block) => {
                        let end = block.as_span().end();
                        let statements = block.into_inner().map(|s| self.peer_stmt(s)).collect();
                        StmtKind::FailoverPeer {
                            name,
                            statements,
                            end_span: Span {
                                file: self.file,
                                start: end.saturating_sub(1),
                                end,
                            },
                        }
                    }
                    None => StmtKind::FailoverPeerState { name },
                }
            }
            Rule::failover_ref => {
                next();
                next();
                StmtKind::FailoverRef {
                    name: self.take_value(next()),
                }
            }
            Rule::key_decl => {
                next();
                let name = self.take_value(next());
                let mut statements = Vec::new();
                for st in it {
                    let mut parts = st.into_inner();
                    if let (Some(k), Some(v)) = (parts.next(), parts.next()) {
                        let mut value = self.value(v);
                        // A secret written in several pieces is one value to dhcpd.
                        for more in parts {
                            let more = self.value(more);
                            value.text.push_str(&more.text);
                            value.span.end = more.span.end;
                        }
                        statements.push((self.value(k), value));
                    }
                }
                StmtKind::Key { name, statements }
            }
            Rule::zone_decl => {
                next();
                let name = self.take_value(next());
                let mut statements = Vec::new();
                for st in it {
                    let mut parts = st.into_inner();
                    if let Some(k) = parts.next() {
                        statements.push((self.value(k), parts.map(|v| self.value(v)).collect()));
                    }
                }
                StmtKind::Zone { name, statements }
            }
            Rule::on_stmt => {
                let mut events = Vec::new();
                let mut body = None;
                for p in it {
                    match p.as_rule() {
                        Rule::word => events.push(self.value(p)),
                        Rule::block => body = Some(self.body(p)),
                        _ => {}
                    }
                }
                StmtKind::On { events, body }
            }
            Rule::if_stmt => {
                let mut branches = Vec::new();
                let mut otherwise = None;
                let mut cond = None;
                for p in it {
                    match p.as_rule() {
                        Rule::expr => cond = Some(self.expr(p)),
                        Rule::block => {
                            if let Some(c) = cond.take() {
                                branches.push((c, self.body(p)));
                            }
                        }
                        Rule::elsif_clause => {
                            let mut e = None;
                            for q in p.into_inner() {
                                match q.as_rule() {
                                    Rule::expr => e = Some(self.expr(q)),
                                    Rule::block => {
                                        if let Some(c) = e.take() {
                                            branches.push((c, self.body(q)));
                                        }
                                    }
                                    _ => {}
                                }
                            }
                        }
                        Rule::else_clause => {
                            otherwise = p
                                .into_inner()
                                .find(|q| q.as_rule() == Rule::block)
                                .map(|b| self.body(b));
                        }
                        _ => {}
                    }
                }
                StmtKind::If {
                    branches,
                    otherwise,
                }
            }
            Rule::switch_stmt => {
                let mut expr = None;
                let mut body = Vec::new();
                for p in it {
                    match p.as_rule() {
                        Rule::expr => expr = Some(self.expr(p)),
                        Rule::switch_item => {
                            let item_span = self.span(&p);
                            let parts: Vec<_> = p.into_inner().collect();
                            match parts.first().map(|q| q.as_rule()) {
                                Some(Rule::k_case) => body.push(Stmt {
                                    keyword_span: self.span(&parts[0]),
                                    kind: StmtKind::Case {
                                        value: parts.get(1).map(|e| self.expr(e.clone())),
                                    },
                                    span: item_span,
                                }),
                                Some(Rule::k_default) => body.push(Stmt {
                                    keyword_span: self.span(&parts[0]),
                                    kind: StmtKind::Case { value: None },
                                    span: item_span,
                                }),
                                _ => body.extend(parts.into_iter().map(|q| self.stmt(q))),
                            }
                        }
                        _ => {}
                    }
                }
                let expr = expr.unwrap_or(Expr {
                    text: String::new(),
                    span,
                    options: Vec::new(),
                    is_boolean: false,
                });
                StmtKind::Switch { expr, body }
            }
            Rule::option_space => {
                next();
                next();
                let name = self.take_value(next());
                let settings = it
                    .map(|s| {
                        let parts: Vec<_> = s.into_inner().collect();
                        let key = parts
                            .iter()
                            .take(2)
                            .map(|p| p.as_str().to_ascii_lowercase())
                            .collect::<Vec<_>>()
                            .join(" ");
                        let value = parts.into_iter().nth(2).map(|v| self.value(v));
                        (key, value)
                    })
                    .filter_map(|(k, v)| v.map(|v| (k, v)))
                    .collect();
                StmtKind::OptionSpace { name, settings }
            }
            Rule::option_def => {
                next();
                let name = self.take_value(next());
                next();
                let code = self.take_value(next());
                let ty = next();
                let type_span = ty.as_ref().map_or(span, |t| self.span(t));
                let type_text = ty
                    .map(|t| t.as_str().split_whitespace().collect::<Vec<_>>().join(" "))
                    .unwrap_or_default();
                StmtKind::OptionDef {
                    name,
                    code,
                    type_text,
                    type_span,
                }
            }
            Rule::option_stmt => {
                let verb = next()
                    .map(|v| v.as_str().to_ascii_lowercase())
                    .unwrap_or_default();
                let name = self.take_value(next());
                let data = match next() {
                    Some(p) if p.as_rule() == Rule::expr => OptionData::Expr(self.expr(p)),
                    Some(p) => OptionData::Values(p.into_inner().map(|v| self.value(v)).collect()),
                    None => OptionData::Empty,
                };
                StmtKind::Option { verb, name, data }
            }
            Rule::range_stmt => {
                next();
                let mut dynamic_bootp = false;
                let mut addresses = Vec::new();
                for p in it {
                    if p.as_rule() == Rule::k_dynamic_bootp {
                        dynamic_bootp = true;
                    } else {
                        addresses.push(self.value(p));
                    }
                }
                let mut addresses = addresses.into_iter();
                let low = self.take_value_opt(addresses.next(), span);
                StmtKind::Range {
                    dynamic_bootp,
                    low,
                    high: addresses.next(),
                }
            }
            Rule::permit_stmt => {
                let verb = next()
                    .map(|v| v.as_str().to_ascii_lowercase())
                    .unwrap_or_default();
                let permit = next();
                let mut words = Vec::new();
                let mut class = None;
                if let Some(permit) = permit {
                    for p in permit.into_inner() {
                        match p.as_rule() {
                            Rule::members_of => {
                                for q in p.into_inner() {
                                    if q.as_rule() == Rule::string {
                                        class = Some(self.value(q));
                                    }
                                }
                                words.push(Value {
                                    kind: ValueKind::Name,
                                    text: "members".into(),
                                    span,
                                });
                            }
                            Rule::after_date => words.push(Value {
                                kind: ValueKind::Name,
                                text: "after".into(),
                                span: self.span(&p),
                            }),
                            _ => words.extend(p.into_inner().map(|w| self.value(w))),
                        }
                    }
                }
                StmtKind::Permit { verb, words, class }
            }
            Rule::authoritative_stmt => StmtKind::Authoritative {
                not: matches!(next().map(|p| p.as_rule()), Some(Rule::k_not)),
            },
            Rule::hardware_stmt => {
                next();
                let hw_type = self.take_value(next());
                StmtKind::Hardware {
                    hw_type,
                    address: self.take_value(next()),
                }
            }
            Rule::fixed_address_stmt => {
                next();
                StmtKind::FixedAddress {
                    addresses: it.map(|a| self.value(a)).collect(),
                }
            }
            Rule::match_stmt => {
                next();
                let mut is_if = false;
                let mut expr = None;
                for p in it {
                    match p.as_rule() {
                        Rule::k_if => is_if = true,
                        Rule::expr => expr = Some(self.expr(p)),
                        _ => {}
                    }
                }
                let expr = expr.unwrap_or(Expr {
                    text: String::new(),
                    span,
                    options: Vec::new(),
                    is_boolean: false,
                });
                StmtKind::Match { expr, is_if }
            }
            Rule::spawn_stmt => {
                let expr = it.find(|p| p.as_rule() == Rule::expr).map(|p| self.expr(p));
                StmtKind::Spawn {
                    expr: expr.unwrap_or(Expr {
                        text: String::new(),
                        span,
                        options: Vec::new(),
                        is_boolean: false,
                    }),
                }
            }
            Rule::lease_limit_stmt => {
                let limit = it
                    .find(|p| p.as_rule() == Rule::number)
                    .map(|p| self.value(p));
                StmtKind::LeaseLimit {
                    limit: self.take_value_opt(limit, span),
                }
            }
            Rule::executable => {
                let verb = next()
                    .map(|v| v.as_str().to_ascii_lowercase())
                    .unwrap_or_default();
                let rest: Vec<_> = it.collect();
                if verb == "add" {
                    let class = rest.into_iter().next().map(|c| self.value(c));
                    return StmtKind::AddClass {
                        class: self.take_value_opt(class, span),
                    };
                }
                StmtKind::Executable {
                    verb,
                    exprs: rest
                        .into_iter()
                        .filter(|p| p.as_rule() == Rule::expr)
                        .map(|p| self.expr(p))
                        .collect(),
                }
            }
            Rule::parameter => {
                let name = self.take_value(next());
                let rest: Vec<_> = it.collect();
                if let Some(e) = rest.iter().find(|p| p.as_rule() == Rule::expr) {
                    return StmtKind::Assignment {
                        name,
                        expr: self.expr(e.clone()),
                    };
                }
                StmtKind::Parameter {
                    name,
                    values: rest.into_iter().map(|v| self.value(v)).collect(),
                }
            }
            Rule::other_stmt => StmtKind::Other {
                name: self.first_token(span),
            },
            _ => StmtKind::Executable {
                verb: String::new(),
                exprs: Vec::new(),
            },
        }
    }

    /// The first token of the statement at `span`, as a value.
    fn first_token(&self, span: Span) -> Value {
        let text = self.text.get(span.start..span.end).unwrap_or("");
        let (toks, _) = crate::conf::dhcpd::lex::tokens(text);
        let Some(t) = toks.first().filter(|t| !t.is_eof()) else {
            return Value {
                kind: ValueKind::Name,
                text: String::new(),
                span,
            };
        };
        let raw = text.get(t.start..t.end).unwrap_or("");
        let kind = if t.is_number() {
            ValueKind::Number
        } else if t.is_string() {
            ValueKind::String
        } else {
            ValueKind::Name
        };
        let value = if t.is_string() {
            unescape(raw.trim_start_matches('"').trim_end_matches('"'))
        } else {
            raw.to_string()
        };
        Value {
            kind,
            text: value,
            span: Span {
                file: self.file,
                start: span.start + t.start,
                end: span.start + t.end,
            },
        }
    }

    fn take_value(&self, p: Option<Pair<'_, Rule>>) -> Value {
        let v = p.map(|p| self.value(p));
        self.take_value_opt(
            v,
            Span {
                file: self.file,
                start: 0,
                end: 0,
            },
        )
    }

    fn take_value_opt(&self, v: Option<Value>, at: Span) -> Value {
        v.unwrap_or(Value {
            kind: ValueKind::Name,
            text: String::new(),
            span: at,
        })
    }

    fn peer_stmt(&self, p: Pair<'_, Rule>) -> PeerStmt {
        let span = self.span(&p);
        let mut parts = p.into_inner();
        let (keyword, keyword_span) = match parts.next() {
            Some(k) => (peer_keyword(k.as_str()), self.span(&k)),
            None => (String::new(), span),
        };
        PeerStmt {
            keyword,
            keyword_span,
            value: parts.next().map(|v| self.value(v)),
            span,
        }
    }
}

/// The keyword of a peer statement, in lower case with single spaces. dhcpd reads `peer` as
/// a prefix that turns the next statement to the partner: it matters for the address, the port
/// and the two timing statements (`peer port`), and nowhere else (`peer mclt` is `mclt`), and
/// a repeated prefix counts once (`peer peer address` is `peer address`).
fn peer_keyword(text: &str) -> String {
    let words: Vec<String> = text
        .split_whitespace()
        .map(str::to_ascii_lowercase)
        .collect();
    let prefixes = words.iter().take_while(|w| *w == "peer").count();
    let rest = &words[prefixes.min(words.len())..];
    match rest.first().map(String::as_str) {
        None => "peer".into(),
        Some("address" | "port" | "max-response-delay" | "max-unacked-updates") if prefixes > 0 => {
            format!("peer {}", rest.join(" "))
        }
        Some(_) => rest.join(" "),
    }
}

fn collect_options(b: &Builder, p: Pair<'_, Rule>, out: &mut Vec<(String, Span)>) {
    let mut prev: Option<Rule> = None;
    for q in p.into_inner() {
        let rule = q.as_rule();
        if rule == Rule::option_name
            && matches!(
                prev,
                Some(Rule::k_option | Rule::k_exists | Rule::k_config_option)
            )
        {
            out.push((q.as_str().to_ascii_lowercase(), b.span(&q)));
        }
        prev = Some(rule);
        if matches!(rule, Rule::expr | Rule::primary | Rule::call) {
            collect_options(b, q, out);
        }
    }
}

/// Whether an expression is boolean at its top level.
fn is_boolean(p: Pair<'_, Rule>) -> bool {
    let parts: Vec<_> = p.into_inner().collect();
    let has_boolean_infix = parts.iter().any(|q| {
        q.as_rule() == Rule::infix
            && matches!(
                q.as_str().to_ascii_lowercase().as_str(),
                "=" | "!=" | "~=" | "~~" | "and" | "or"
            )
    });
    if has_boolean_infix || parts.iter().any(|q| q.as_rule() == Rule::prefix) {
        return true;
    }
    match parts.as_slice() {
        [primary] => {
            let inner: Vec<_> = primary.clone().into_inner().collect();
            match inner.first().map(|q| q.as_rule()) {
                Some(Rule::k_exists) => true,
                Some(Rule::expr) => is_boolean(inner[0].clone()),
                Some(Rule::option_name) => {
                    matches!(
                        inner[0].as_str().to_ascii_lowercase().as_str(),
                        "known" | "static"
                    ) || !inner[0].as_str().chars().all(|c| c.is_ascii_hexdigit())
                }
                Some(Rule::call) => {
                    let name = inner[0]
                        .clone()
                        .into_inner()
                        .next()
                        .map(|n| n.as_str().to_ascii_lowercase());
                    matches!(name.as_deref(), Some("defined") | Some("exists"))
                        || !matches!(
                            name.as_deref(),
                            Some(
                                "substring"
                                    | "suffix"
                                    | "concat"
                                    | "lcase"
                                    | "ucase"
                                    | "packet"
                                    | "binary-to-ascii"
                                    | "encode-int"
                                    | "extract-int"
                                    | "pick-first-value"
                                    | "reverse"
                                    | "v6relay"
                                    | "gethostname"
                            )
                        )
                }
                _ => false,
            }
        }
        _ => false,
    }
}

/// Deepest block nesting parsed; deeper input is refused before the recursive parser sees it.
const MAX_DEPTH: usize = 64;

/// The offset of the first `{` nested deeper than [`MAX_DEPTH`], outside strings and comments.
fn too_deep(text: &str) -> Option<usize> {
    let (mut depth, mut in_string, mut escaped, mut in_comment) = (0usize, false, false, false);
    for (i, b) in text.bytes().enumerate() {
        match (in_comment, in_string, b) {
            (true, _, b'\n') => in_comment = false,
            (true, _, _) => {}
            (false, true, _) => {
                if escaped {
                    escaped = false;
                } else if b == b'\\' {
                    escaped = true;
                } else if b == b'"' {
                    in_string = false;
                }
            }
            (false, false, b'"') => in_string = true,
            (false, false, b'#') => in_comment = true,
            (false, false, b'{' | b'(') => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(i);
                }
            }
            (false, false, b'}' | b')') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    // `not not not ...` nests as deeply as parentheses do, and so does `array of array of ...`
    // in an option definition: a run of these words counts one level per word.
    let mut run = 0usize;
    let mut offset = 0usize;
    for word in text.split_inclusive(|c: char| c.is_whitespace() || c == '(') {
        let bare = word.trim_end_matches(|c: char| c.is_whitespace() || c == '(');
        if ["not", "array", "of"]
            .iter()
            .any(|w| bare.eq_ignore_ascii_case(w))
        {
            run += 1;
            if run > MAX_DEPTH {
                return Some(offset);
            }
        } else if !word.trim().is_empty() {
            run = 0;
        }
        offset += word.len();
    }
    None
}

/// Decodes dhcpd string escapes: `\t \r \n \b`, octal `\NNN`, hex `\xHH`, other `\c` = c.
pub(crate) fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('n') => out.push('\n'),
            Some('b') => out.push('\u{8}'),
            Some('x') => {
                let hex: String = (0..2)
                    .filter_map(|_| chars.next_if(|c| c.is_ascii_hexdigit()))
                    .collect();
                out.push(u8::from_str_radix(&hex, 16).map_or('x', char::from));
            }
            Some(d @ '0'..='3') => {
                let mut oct = d.to_string();
                for _ in 0..2 {
                    if let Some(o) = chars.next_if(|c| ('0'..='7').contains(c)) {
                        oct.push(o);
                    }
                }
                out.push(u8::from_str_radix(&oct, 8).map_or('?', char::from));
            }
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

fn rule_name(rule: &Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::ipv4 => "an IPv4 address",
        Rule::string => "a quoted string",
        Rule::number => "a number",
        Rule::hex_list => "colon-separated hex octets",
        Rule::dotted | Rule::word | Rule::param_name | Rule::name => "a name",
        Rule::block | Rule::peer_block => "`{`",
        Rule::expr | Rule::primary => "an expression",
        Rule::infix => "an operator",
        Rule::statement | Rule::parameter => "a statement",
        Rule::param_value | Rule::option_value | Rule::peer_value => "a value",
        Rule::EOI => "end of file",
        Rule::k_netmask => "`netmask`",
        Rule::option_name => "an option name",
        Rule::option_type => "an option type",
        _ => return None,
    })
}

fn syntax_error(file: usize, text: &str, e: &pest::error::Error<Rule>) -> SyntaxError {
    let at = match e.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let at = at.min(text.len());
    let rest = text.get(at..).unwrap_or("");
    let token_len = if rest.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        rest.find(|c: char| !(c.is_ascii_alphanumeric() || "-_.:".contains(c)))
            .unwrap_or(rest.len())
    } else {
        rest.chars().next().map_or(0, char::len_utf8)
    };
    let span = Span {
        file,
        start: at,
        end: at + token_len,
    };
    let token = rest.get(..token_len).unwrap_or("");
    let before = text.get(..at).unwrap_or("").trim_end();
    if token == ";" && before.ends_with('}') {
        return SyntaxError {
            span,
            message: "`;` after a closing brace".into(),
            help: "remove the `;`: dhcpd refuses `};` after every block except `key { ... };`"
                .into(),
        };
    }
    // A non-ASCII look-alike of a hyphen, space, quote or semicolon on this line (copied from a
    // web page or a word processor) is the likely cause, wherever the parser stopped: name it.
    if let Some((pos, found)) = crate::conf::lookalike::on_line(text, at) {
        let message = if found.ascii.is_empty() {
            format!("unexpected invisible character {}", found.code_point())
        } else {
            format!(
                "unexpected `{}`: {}, which {}",
                found.ch,
                found.code_point(),
                found.looks_like()
            )
        };
        return SyntaxError {
            span: Span {
                file,
                start: pos,
                end: pos + found.ch.len_utf8(),
            },
            message,
            help: format!(
                "{}: dhcpd reads keywords, names and punctuation in ASCII only (text copied from web pages or word processors often carries such characters)",
                found.fix()
            ),
        };
    }
    if token.is_empty() {
        // Point at the end of the last line with content, not past the final newline.
        let end = text.trim_end().len();
        let last = text[..end].chars().next_back().map_or(0, char::len_utf8);
        let span = Span {
            file,
            start: end - last,
            end,
        };
        return SyntaxError {
            span,
            message: "unexpected end of file".into(),
            help: "a block is not closed: add the missing `}`, or the missing `;` of the last statement".into(),
        };
    }
    let mut expected: Vec<&str> = match &e.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => {
            positives.iter().filter_map(rule_name).collect()
        }
        pest::error::ErrorVariant::CustomError { .. } => Vec::new(),
    };
    expected.sort_unstable();
    expected.dedup();
    let help = if expected.is_empty() {
        "check the statement for a missing `;`, a misspelled keyword or an unbalanced brace"
            .to_string()
    } else {
        format!(
            "expected {}; a missing `;` on the line before is a common cause",
            expected.join(", ")
        )
    };
    let shown: String = token.chars().take(40).collect();
    let message = if let Some(c) = shown.chars().find(|c| !c.is_ascii()) {
        format!(
            "unexpected `{shown}` (non-ASCII character U+{:04X})",
            u32::from(c)
        )
    } else {
        format!("unexpected `{shown}`")
    };
    SyntaxError {
        span,
        message,
        help,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line_of(text: &str, e: &SyntaxError) -> usize {
        text[..e.span.start].matches('\n').count() + 1
    }

    #[test]
    fn peer_prefix_before_any_peer_statement() {
        let text = "failover peer \"fo\" {\n  primary;\n  peer peer address 10.0.0.2;\n  \
                    PEER  Port 647;\n  peer mclt 600;\n  peer\n split 128;\n  load balance max seconds 3;\n}\n";
        let statements = parse(0, text).expect("dhcpd accepts every statement here");
        let Some(StmtKind::FailoverPeer { statements, .. }) = statements.first().map(|s| &s.kind)
        else {
            panic!("not a peer declaration: {statements:?}");
        };
        let keywords: Vec<&str> = statements.iter().map(|s| s.keyword.as_str()).collect();
        assert_eq!(
            keywords,
            [
                "primary",
                "peer address",
                "peer port",
                "mclt",
                "split",
                "load balance max seconds"
            ]
        );
    }

    #[test]
    fn bad_secrets_are_syntax_errors() {
        let text = "key k {\n  algorithm hmac-md5;\n  secret YOUR_SECRET;\n}\n";
        let e = parse(0, text).unwrap_err();
        assert_eq!(line_of(text, &e), 3);
        assert!(
            e.message.contains("invalid base64 character 95"),
            "{}",
            e.message
        );
        let text = "key k {\n  algorithm hmac-md5;\n  secret FIXME;\n}\n";
        let e = parse(0, text).unwrap_err();
        assert!(
            e.message.contains("partial base64 value left over: 4"),
            "{}",
            e.message
        );
        let text = "key k { algorithm hmac-md5; secret \"c2VjcmV0\"; }\nkey j { algorithm hmac-md5; secret c2Vj cmV0; }\n";
        assert!(parse(0, text).is_ok());
    }

    #[test]
    fn dhcpds_first_complaint_comes_first() {
        // dhcpd stops at `if(1)` (not a condition) before the grammar stops at the nameless
        // shared-network.
        let text = "on commit {\n  if(1) {\n  }\n}\nshared-network {\n}\n";
        let e = parse(0, text).unwrap_err();
        assert_eq!(line_of(text, &e), 2);
        assert!(e.message.contains("boolean"), "{}", e.message);
        // An undeclared key before a bad secret: dhcpd reports the key first.
        let text =
            "zone z. {\n  key k;\n}\nkey k {\n  algorithm hmac-md5;\n  secret \"<removed>\";\n}\n";
        let e = parse(0, text).unwrap_err();
        assert_eq!(line_of(text, &e), 2);
    }

    #[test]
    fn lenient_where_dhcpd_is() {
        let stmts = parse(
            0,
            "foo(1);\nhost a {\n  hardware ethernet 00:22:41:XX:XX:XX;\n}\n",
        )
        .unwrap();
        assert!(matches!(&stmts[0].kind, StmtKind::Other { name } if name.text == "foo"));
        let host = stmts[1].body().unwrap_or_default();
        assert!(matches!(&host[0].kind, StmtKind::Other { name } if name.text == "hardware"));
        let stmts = parse(0, "subnet __NET__ netmask __MASK__ {\n}\n").unwrap();
        assert!(
            matches!(&stmts[0].kind, StmtKind::Subnet { network, .. } if network.text == "__NET__")
        );
        assert!(
            parse(
                0,
                "zone 5.16.172.-n-addr.arpa. {\n  primary 127.0.0.1;\n}\n"
            )
            .is_ok()
        );
        assert!(parse(0, "subnet 10.0.0.0 netmask -1.255.255.0 {\n}\n").is_ok());
    }

    #[test]
    fn end_of_file_points_at_the_last_line() {
        let text = "subnet 10.0.0.0 netmask 255.0.0.0 {\n  option routers 10.0.0.1;\n\n\n";
        let e = parse(0, text).unwrap_err();
        assert_eq!(line_of(text, &e), 2);
    }
}
