//! `parse_statement` (server/confpars.c) and `parse_executable_statement` (common/parse.c).

use super::lex::Tok;
use super::{Cause, Ctx, Parser, ScopeKind, closest};

/// What a host declaration has seen so far.
#[derive(Debug, Clone, Default)]
pub(super) struct HostState {
    pub name: String,
    pub hardware: Option<crate::conf::ast::Span>,
    pub fixed: Option<crate::conf::ast::Span>,
}

/// The context a `case` may appear in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CaseCtx {
    /// Not in a switch.
    Any,
    /// In a switch on data.
    Data,
    /// In a switch on a number.
    Numeric,
}

/// Words that start a statement (for did-you-mean on unknown words).
const STATEMENT_WORDS: &[&str] = &[
    "include",
    "host",
    "group",
    "shared-network",
    "subnet",
    "class",
    "subclass",
    "vendor-class",
    "user-class",
    "hardware",
    "fixed-address",
    "pool",
    "range",
    "authoritative",
    "server-identifier",
    "option",
    "failover",
    "lease-id-format",
    "db-time-format",
    "if",
    "add",
    "break",
    "send",
    "supersede",
    "allow",
    "deny",
    "ignore",
    "default",
    "prepend",
    "append",
    "on",
    "switch",
    "define",
    "set",
    "unset",
    "eval",
    "execute",
    "return",
    "log",
    "parse-vendor-option",
    "zone",
    "key",
    "uid",
    "match",
    "spawn",
    "interface",
];

impl Parser<'_, '_, '_> {
    /// `parse_statement`: one statement in scope `ctx`. Returns the new `declaration` flag.
    pub(super) fn statement(
        &mut self,
        ctx: Ctx,
        host: &mut Option<HostState>,
        declaration: bool,
    ) -> bool {
        if self.nesting >= super::MAX_NESTING {
            // Too deep to follow: skip the statement (and its block) unjudged.
            self.skip_to_semi();
            return declaration;
        }
        self.nesting += 1;
        let r = self.statement_inner(ctx, host, declaration);
        self.nesting -= 1;
        r
    }

    fn statement_inner(
        &mut self,
        ctx: Ctx,
        host: &mut Option<HostState>,
        declaration: bool,
    ) -> bool {
        let t = self.peek();
        let word = self.keyword(t);
        match word.as_str() {
            "include" => {
                self.next();
                let f = self.next();
                if !f.is_string() {
                    self.expected(
                        Cause::Syntax,
                        f,
                        "a quoted file name",
                        "write `include \"/path/to/file\";`",
                    );
                    self.skip_to_semi();
                    return true;
                }
                if let Some(file) = self.include_target(t) {
                    self.include(file, ctx);
                }
                self.semi(Cause::Syntax);
                true
            }
            "host" => {
                self.next();
                if ctx.ty != ScopeKind::Host && ctx.ty != ScopeKind::Class {
                    self.host_declaration(ctx);
                } else {
                    self.misplaced(t, "host declarations are not allowed here", ctx);
                    self.skip_to_semi();
                }
                true
            }
            "group" => {
                self.next();
                if ctx.ty != ScopeKind::Host && ctx.ty != ScopeKind::Class {
                    self.group_declaration(ctx);
                } else {
                    self.misplaced(t, "group declarations are not allowed here", ctx);
                    self.skip_to_semi();
                }
                true
            }
            "shared-network" => {
                self.next();
                if matches!(
                    ctx.ty,
                    ScopeKind::SharedNetwork
                        | ScopeKind::Host
                        | ScopeKind::Subnet
                        | ScopeKind::Class
                ) {
                    self.misplaced(t, "shared-network declarations are not allowed here", ctx);
                    self.skip_to_semi();
                    return declaration;
                }
                self.shared_net_declaration(ctx);
                true
            }
            "subnet" | "subnet6" => {
                self.next();
                if matches!(
                    ctx.ty,
                    ScopeKind::Host | ScopeKind::Subnet | ScopeKind::Class
                ) {
                    self.misplaced(t, "subnet declarations are not allowed here", ctx);
                    self.skip_to_semi();
                    return true;
                }
                if word == "subnet6" {
                    self.warn(
                        Cause::Misplaced,
                        self.span(t),
                        "subnet6 is only supported in DHCPv6 mode",
                        "a DHCPv6 declaration",
                        "move DHCPv6 declarations to the dhcpd6.conf read by `dhcpd -6`",
                    );
                    self.skip_to_semi();
                    return true;
                }
                self.subnet_declaration(ctx, t);
                true
            }
            "vendor-class" | "user-class" | "class" | "subclass" => {
                self.next();
                if ctx.ty == ScopeKind::Class {
                    self.misplaced(t, "class declarations are not allowed inside a class", ctx);
                    self.skip_to_semi();
                    return declaration;
                }
                self.class_declaration(ctx, &word, t);
                true
            }
            "hardware" => {
                self.next();
                if let Some(h) = host.as_ref()
                    && let Some(first) = h.hardware
                {
                    let name = h.name.clone();
                    self.st.problems.push(super::Problem {
                        cause: Cause::RepeatedHostAddress,
                        span: self.span(t),
                        message: format!("host {name} already has a hardware address"),
                        label: "second `hardware` statement".into(),
                        help: "a host has one hardware address: declare another host for the second interface".into(),
                        related: vec![(first, "the first one".into())],
                    });
                    return declaration;
                }
                let ok = self.hardware_param(t);
                match host.as_mut() {
                    Some(h) => {
                        if ok {
                            h.hardware = Some(self.span(t));
                        }
                    }
                    None => self.misplaced(
                        t,
                        "a hardware address is only allowed in a host declaration",
                        ctx,
                    ),
                }
                declaration
            }
            "fixed-address" | "fixed-address6" => {
                self.next();
                let ok = self.fixed_addr_param(word == "fixed-address6");
                if ok {
                    match host.as_mut() {
                        Some(h) => {
                            if let Some(first) = h.fixed {
                                let name = h.name.clone();
                                self.st.problems.push(super::Problem {
                                    cause: Cause::RepeatedHostAddress,
                                    span: self.span(t),
                                    message: format!(
                                        "host {name} already has a fixed-address: only one fixed address declaration per host"
                                    ),
                                    label: "second `fixed-address` statement".into(),
                                    help: "list every address in one statement: `fixed-address 192.0.2.10, 198.51.100.10;`".into(),
                                    related: vec![(first, "the first one".into())],
                                });
                            } else {
                                h.fixed = Some(self.span(t));
                            }
                        }
                        None => self.misplaced(
                            t,
                            "fixed-address is only allowed in a host declaration",
                            ctx,
                        ),
                    }
                }
                declaration
            }
            "pool" => {
                self.next();
                if ctx.ty == ScopeKind::Pool {
                    self.misplaced(t, "pool declared within pool", ctx);
                    self.skip_to_semi();
                } else if ctx.ty != ScopeKind::Subnet && ctx.ty != ScopeKind::SharedNetwork {
                    self.misplaced(
                        t,
                        "pool declared outside of a subnet or shared-network",
                        ctx,
                    );
                    self.skip_to_semi();
                } else {
                    self.pool_statement(ctx, t);
                }
                declaration
            }
            "range" => {
                self.next();
                if ctx.ty != ScopeKind::Subnet || ctx.subnet.is_none() {
                    self.misplaced(t, "range declaration not allowed here", ctx);
                    self.skip_to_semi();
                    return declaration;
                }
                self.address_range(ctx, None, t);
                declaration
            }
            "range6" | "prefix6" | "fixed-prefix6" | "pool6" => {
                self.next();
                self.warn(
                    Cause::Misplaced,
                    self.span(t),
                    format!("{word} is a DHCPv6 statement"),
                    "not valid in a DHCPv4 configuration",
                    "move DHCPv6 declarations to the dhcpd6.conf read by `dhcpd -6`",
                );
                self.skip_to_semi();
                declaration
            }
            "not" => {
                self.next();
                let a = self.next();
                if !self.kw(a, "authoritative") {
                    self.expected(
                        Cause::Syntax,
                        a,
                        "`authoritative` after `not`",
                        "write `not authoritative;`",
                    );
                    self.skip_to_semi();
                    return declaration;
                }
                self.authoritative(ctx, t);
                declaration
            }
            "authoritative" => {
                self.next();
                self.authoritative(ctx, t);
                declaration
            }
            "server-identifier" => {
                self.next();
                let opt = super::options::OptRef {
                    space: 0,
                    name: "dhcp-server-identifier".into(),
                    known: true,
                    format: "I".into(),
                    first: t,
                    last: t,
                };
                self.option_statement(&opt, Cause::OptionValue);
                declaration
            }
            "option" => {
                self.next();
                if self.kw(self.peek(), "space") {
                    if ctx.ty != ScopeKind::Root {
                        self.scoped_definition(t, "option space definitions may not be scoped");
                        self.skip_to_semi();
                        return declaration;
                    }
                    self.next();
                    self.option_space_decl();
                    return declaration;
                }
                let Some(opt) = self.option_name(true) else {
                    return declaration;
                };
                if self.kw(self.peek(), "code") {
                    if ctx.ty != ScopeKind::Root {
                        self.scoped_definition(t, "option definitions may not be scoped");
                        self.skip_to_semi();
                        return declaration;
                    }
                    self.next();
                    self.option_code_definition(&opt);
                    return declaration;
                }
                if !opt.known {
                    let space = self.st.spaces[opt.space].name.clone();
                    let message = format!("unknown option {space}.{}", opt.name);
                    self.unknown_option(
                        opt.space,
                        &opt.name.clone(),
                        opt.first,
                        opt.last,
                        &message,
                    );
                    self.skip_to_semi();
                    return declaration;
                }
                self.option_statement(&opt, Cause::OptionValue);
                declaration
            }
            "failover" => {
                if ctx.ty != ScopeKind::Root && ctx.ty != ScopeKind::SharedNetwork {
                    self.warn(
                        Cause::Failover,
                        self.span(t),
                        "failover peers may only be defined in shared-network declarations and the outer scope",
                        "not allowed here",
                        "declare `failover peer` at the top level (or in a shared-network); pools refer to it",
                    );
                    self.skip_to_semi();
                    return declaration;
                }
                self.next();
                self.failover_peer(ctx);
                declaration
            }
            "server-duid" => {
                self.next();
                self.skip_to_semi();
                declaration
            }
            "lease-id-format" => {
                self.next();
                let v = self.next();
                let value = self.keyword(v);
                if value != "octal" && value != "hex" {
                    self.warn(
                        Cause::ParameterValue,
                        self.span(v),
                        format!(
                            "lease-id-format must be octal or hex, found {}",
                            self.shown(v)
                        ),
                        "not octal or hex",
                        "write `lease-id-format octal;` or `lease-id-format hex;`",
                    );
                    self.skip_to_semi();
                    return declaration;
                }
                let s = self.next();
                if !s.is(';') {
                    self.missing_semi(Cause::Syntax, s);
                    self.skip_to_semi();
                }
                declaration
            }
            _ if t.is('%') => {
                self.skip_to_semi();
                declaration
            }
            _ => {
                let mut lose = false;
                if !self.executable_statement(&mut lose, CaseCtx::Any, Some(ctx)) && !lose {
                    self.not_a_statement(t, declaration, ctx);
                    self.skip_to_semi();
                }
                declaration
            }
        }
    }

    fn authoritative(&mut self, ctx: Ctx, t: Tok) {
        if ctx.ty == ScopeKind::Host {
            self.misplaced(t, "authority makes no sense in a host declaration", ctx);
        }
        let s = self.next();
        if !s.is(';') {
            let found = self.shown(s);
            self.warn(
                Cause::ParameterValue,
                self.span(s),
                format!("`authoritative` takes no value, found {found}"),
                "dhcpd expects `;` here",
                "write `authoritative;` (or `not authoritative;`)",
            );
            self.skip_to_semi();
        }
    }

    /// Reports a statement in a scope that does not allow it.
    pub(super) fn misplaced(&mut self, t: Tok, message: &str, ctx: Ctx) {
        let scope = match ctx.ty {
            ScopeKind::Root => "at the top level",
            ScopeKind::Host => "in a host",
            ScopeKind::SharedNetwork => "in a shared-network",
            ScopeKind::Subnet => "in a subnet",
            ScopeKind::Class => "in a class",
            ScopeKind::Group => "in a group",
            ScopeKind::Pool => "in a pool",
            // dhcpd reads executable bodies with their declaration's type.
            ScopeKind::Body => "in an executable body",
        };
        let word = self.text(t).to_ascii_lowercase();
        let help = match word.as_str() {
            "range" => {
                "put ranges directly in a subnet, or in a pool inside a subnet or shared-network"
            }
            "pool" => {
                "pools go directly inside a subnet or a shared-network, never in another pool"
            }
            "hardware" | "fixed-address" | "fixed-address6" => {
                "put it inside a `host NAME { ... }` declaration"
            }
            "host" | "group" => {
                "declare it at the top level, or in a group, subnet or shared-network"
            }
            "shared-network" => "declare shared networks at the top level (or in a group)",
            "subnet" => "declare subnets at the top level, in a shared-network or in a group",
            "authoritative" | "not" => {
                "put `authoritative;` in the subnet, shared-network or global scope"
            }
            _ => "move it to a scope that allows it (see `dhcpfo lint --explain DF206`)",
        };
        self.warn(
            Cause::Misplaced,
            self.span(t),
            format!("{message} ({} {scope})", self.shown(t)),
            format!("not allowed {scope}"),
            help,
        );
    }

    fn scoped_definition(&mut self, t: Tok, message: &str) {
        self.warn(
            Cause::ScopedDefinition,
            self.span(t),
            message,
            "inside a scope",
            "move `option space` and `option NAME code N = TYPE;` definitions to the top level, before their first use",
        );
    }

    /// Reports a token that cannot start a statement.
    fn not_a_statement(&mut self, t: Tok, declaration: bool, _ctx: Ctx) {
        let shown = self.shown(t);
        let what = if declaration {
            "a declaration"
        } else {
            "a parameter or declaration"
        };
        let help = if t.is('}') {
            "this `}` closes nothing: remove it, or the `{` that is missing before".to_string()
        } else if t.is(';') {
            "remove the extra `;` (a block's `}` needs none, and `no failover peer` takes none)"
                .to_string()
        } else if t.keyword {
            format!(
                "{shown} is a keyword that cannot start a statement here; a statement before it may be incomplete"
            )
        } else {
            "check for a stray character or an incomplete statement before it".to_string()
        };
        self.warn(
            Cause::Syntax,
            self.span(t),
            format!("expecting {what}, found {shown}"),
            "dhcpd cannot start a statement here",
            help,
        );
    }

    /// `parse_executable_statements`: statements up to (not including) what cannot start
    /// one. Returns `false` when a statement failed with `lose`.
    pub(super) fn executable_statements(&mut self, lose: &mut bool, case: CaseCtx) -> bool {
        loop {
            let before = self.pos;
            if !self.executable_statement(lose, case, None) {
                break;
            }
            if self.pos == before {
                break;
            }
        }
        !*lose
    }

    /// `parse_executable_statement`. `ctx` is the declaration scope when called from
    /// `parse_statement` (None inside if/on/switch bodies). Returns whether a statement was
    /// read; `lose` tells a reported error from "not a statement".
    pub(super) fn executable_statement(
        &mut self,
        lose: &mut bool,
        case: CaseCtx,
        ctx: Option<Ctx>,
    ) -> bool {
        if self.nesting >= super::MAX_NESTING {
            self.skip_to_semi();
            *lose = true;
            return false;
        }
        self.nesting += 1;
        let r = self.executable_statement_inner(lose, case, ctx);
        self.nesting -= 1;
        r
    }

    fn executable_statement_inner(
        &mut self,
        lose: &mut bool,
        case: CaseCtx,
        ctx: Option<Ctx>,
    ) -> bool {
        let t = self.peek();
        let word = self.keyword(t);
        match word.as_str() {
            "db-time-format" => {
                self.next();
                let v = self.next();
                let value = self.keyword(v);
                if value != "default" && value != "local" {
                    self.warn(
                        Cause::ParameterValue,
                        self.span(v),
                        format!(
                            "db-time-format takes `local` or `default`, found {}",
                            self.shown(v)
                        ),
                        "expecting 'local' or 'default'",
                        "write `db-time-format local;` or `db-time-format default;`",
                    );
                    if !v.is(';') {
                        self.skip_to_semi();
                    }
                    *lose = true;
                    return false;
                }
                let s = self.next();
                if !s.is(';') {
                    self.missing_semi(Cause::Syntax, s);
                    *lose = true;
                    return false;
                }
                true
            }
            "if" => {
                self.next();
                self.if_statement(lose)
            }
            "add" => {
                self.next();
                let c = self.next();
                if !c.is_string() {
                    self.expected(
                        Cause::ClassDeclaration,
                        c,
                        "a quoted class name",
                        "write `add \"CLASS\";`",
                    );
                    self.skip_to_semi();
                    *lose = true;
                    return false;
                }
                let name = self.val(c);
                if !self.st.classes.contains_key(&name) {
                    self.undeclared_class(c, &name);
                    self.skip_to_semi();
                    *lose = true;
                    return false;
                }
                if !self.semi(Cause::Syntax) {
                    *lose = true;
                    return false;
                }
                true
            }
            "break" => {
                self.next();
                if !self.semi(Cause::Syntax) {
                    *lose = true;
                    return false;
                }
                true
            }
            "send" | "supersede" | "option" | "prepend" | "append" => {
                self.next();
                let Some(opt) = self.option_name(false) else {
                    *lose = true;
                    return false;
                };
                let ok = self.option_statement(&opt, Cause::OptionValue);
                if !ok {
                    *lose = true;
                }
                ok
            }
            "default" => {
                self.next();
                if self.peek().is(':') {
                    self.next();
                    if case == CaseCtx::Any {
                        self.warn(
                            Cause::Syntax,
                            self.span(t),
                            "switch default statement in inappropriate scope",
                            "`default:` outside a switch",
                            "`default:` labels belong inside `switch (...) { ... }`",
                        );
                        *lose = true;
                        return false;
                    }
                    return true;
                }
                let Some(opt) = self.option_name(false) else {
                    *lose = true;
                    return false;
                };
                let ok = self.option_statement(&opt, Cause::OptionValue);
                if !ok {
                    *lose = true;
                }
                ok
            }
            "allow" | "deny" | "ignore" => {
                self.next();
                if !self.allow_deny() {
                    // dhcpd would also complain about the next token; one report is enough.
                    *lose = true;
                    return false;
                }
                true
            }
            "on" => {
                self.next();
                self.on_statement(lose)
            }
            "switch" => {
                self.next();
                self.switch_statement(lose)
            }
            "case" => {
                self.next();
                if case == CaseCtx::Any {
                    self.warn(
                        Cause::Syntax,
                        self.span(t),
                        "case statement in inappropriate scope",
                        "`case` outside a switch",
                        "`case VALUE:` labels belong inside `switch (...) { ... }`",
                    );
                    *lose = true;
                    self.skip_to_semi();
                    return false;
                }
                self.case_statement(lose, case)
            }
            "define" | "set" => {
                self.next();
                self.set_statement(lose, case, word == "define")
            }
            "unset" => {
                self.next();
                let v = self.next();
                if !v.is_name() && !v.is_number_or_name() {
                    let m = format!("{} can't be a variable name", self.shown(v));
                    self.warn(
                        Cause::Syntax,
                        self.span(v),
                        m,
                        "not a variable name",
                        "variable names are plain words that are not keywords",
                    );
                    self.skip_to_semi();
                    *lose = true;
                    return false;
                }
                if !self.semi(Cause::Syntax) {
                    *lose = true;
                    return false;
                }
                true
            }
            "eval" => {
                self.next();
                if self
                    .expression(lose, super::expr::Context::Data, None)
                    .is_none()
                {
                    if !*lose {
                        let n = self.peek();
                        self.expected(
                            Cause::Expression,
                            n,
                            "a data expression",
                            "write an expression after `eval`",
                        );
                    }
                    *lose = true;
                    self.skip_to_semi();
                    return false;
                }
                if !self.semi(Cause::Syntax) {
                    *lose = true;
                }
                true
            }
            "execute" => {
                self.next();
                self.execute_statement(lose)
            }
            "return" => {
                self.next();
                if self
                    .expression(lose, super::expr::Context::Data, None)
                    .is_none()
                {
                    if !*lose {
                        let n = self.peek();
                        self.expected(
                            Cause::Expression,
                            n,
                            "a data expression",
                            "write an expression after `return`",
                        );
                    }
                    *lose = true;
                    self.skip_to_semi();
                    return false;
                }
                if !self.semi(Cause::Syntax) {
                    *lose = true;
                    return false;
                }
                true
            }
            "log" => {
                self.next();
                self.log_statement(lose)
            }
            "parse-vendor-option" => {
                self.next();
                if !self.semi(Cause::Syntax) {
                    *lose = true;
                    return false;
                }
                true
            }
            "zone" => {
                self.next();
                if !self.zone_statement() {
                    *lose = true;
                    self.skip_to_semi();
                    return false;
                }
                true
            }
            "key" => {
                self.next();
                if !self.key_statement() {
                    *lose = true;
                    return false;
                }
                true
            }
            _ => self.default_statement(lose, t, ctx),
        }
    }

    /// The default branch: a server parameter, else an expression statement.
    fn default_statement(&mut self, lose: &mut bool, t: Tok, ctx: Option<Ctx>) -> bool {
        if t.is_identifier() {
            let name = self.text(t).to_ascii_lowercase();
            let server = self.st.space("server").unwrap_or(0);
            if let Some(def) = self.st.spaces[server].options.get(&name).cloned() {
                self.next();
                let opt = super::options::OptRef {
                    space: server,
                    name: def.name.clone(),
                    known: true,
                    format: def.format.clone(),
                    first: t,
                    last: t,
                };
                let value = self.peek();
                let ok = self.option_statement(&opt, Cause::ParameterValue);
                if ok
                    && def.name == "ddns-update-style"
                    && ctx.is_some_and(|c| c.ty == ScopeKind::Root)
                    && value.is_identifier()
                {
                    let v = self.text(value).to_string();
                    self.st.ddns_style = Some((v, self.span2(t, value)));
                }
                if !ok {
                    *lose = true;
                }
                return ok;
            }
        }
        if !(t.is_name() || t.is_number_or_name()) {
            *lose = false;
            return false;
        }
        // An expression statement (dhcpd "fakes up an eval statement").
        let problems_before = self.st.problems.len();
        let start = self.pos;
        let e = self.expression(lose, super::expr::Context::Data, None);
        let Some(op) = e else {
            if !*lose {
                let n = self.peek();
                self.expected(
                    Cause::Expression,
                    n,
                    "a function call",
                    "check the statement",
                );
            }
            *lose = true;
            self.skip_to_semi();
            return false;
        };
        let end = self.pos;
        let s = self.next();
        if !s.is(';') {
            let word = self.text(t).to_string();
            let known: Vec<&str> = STATEMENT_WORDS
                .iter()
                .copied()
                .chain(self.server_names())
                .collect();
            let suggestion = closest(&word, known.into_iter()).map(str::to_string);
            if end == start + 1 && self.st.problems.len() == problems_before {
                // A lone unknown word followed by values.
                let help = match &suggestion {
                    Some(k) => format!("did you mean `{k}`?"),
                    None if word.to_ascii_lowercase().starts_with("ldap-") => {
                        "the ldap-* parameters exist only in LDAP-enabled builds of dhcpd; Debian's isc-dhcp-server has none".to_string()
                    }
                    None => "check the spelling: dhcpd knows no statement or parameter of this name".to_string(),
                };
                self.warn(
                    Cause::UnknownKeyword,
                    self.span(t),
                    format!("unknown statement `{word}`: dhcpd reads it as an expression and then expects `;`, found {}", self.shown(s)),
                    "not a statement or parameter dhcpd knows",
                    help,
                );
            } else {
                self.missing_semi(Cause::Syntax, s);
            }
            self.skip_to_semi();
            *lose = true;
            return false;
        }
        if self.st.problems.len() == problems_before {
            let word = self.text(t).to_string();
            let known: Vec<&str> = STATEMENT_WORDS
                .iter()
                .copied()
                .chain(self.server_names())
                .collect();
            let suggestion = closest(&word, known.into_iter()).map(str::to_string);
            let what = match op {
                super::expr::Op::VariableReference => "a variable reference",
                super::expr::Op::Funcall => "a call of a function it does not know",
                _ => "an expression",
            };
            let help = statement_help(&word, op, suggestion);
            let last = self.last.unwrap_or(t);
            self.warn(
                Cause::UnknownStatement,
                self.span2(t, last),
                format!("unknown statement `{word}`: dhcpd accepts it only as {what}, which does nothing"),
                "not a statement or parameter",
                help,
            );
        }
        true
    }

    fn server_names(&self) -> impl Iterator<Item = &str> {
        let server = self.st.space("server").unwrap_or(0);
        self.st.spaces[server]
            .options
            .values()
            .map(|d| d.name.as_str())
    }

    fn set_statement(&mut self, lose: &mut bool, case: CaseCtx, define: bool) -> bool {
        let v = self.next();
        if !v.is_name() && !v.is_number_or_name() {
            let m = format!("{} can't be a variable name", self.shown(v));
            self.warn(
                Cause::Syntax,
                self.span(v),
                m,
                "not a variable name",
                "variable names are plain words that are not keywords",
            );
            self.skip_to_semi();
            *lose = true;
            return false;
        }
        let t = self.next();
        if t.is('(') {
            loop {
                let a = self.next();
                if a.is(')') {
                    break;
                }
                if !a.is_name() && !a.is_number_or_name() {
                    self.expected(
                        Cause::Syntax,
                        a,
                        "an argument name",
                        "write `define NAME (ARG, ...) { ... }`",
                    );
                    self.skip_to_rbrace(0);
                    *lose = true;
                    return false;
                }
                let n = self.next();
                if n.is(',') {
                    continue;
                }
                if !n.is(')') {
                    self.expected(Cause::Syntax, n, "`)`", "close the argument list");
                    self.skip_to_semi();
                    *lose = true;
                    return false;
                }
                break;
            }
            let b = self.next();
            if !b.is('{') {
                self.expected(Cause::Syntax, b, "`{`", "a function body is a block");
                self.skip_to_semi();
                *lose = true;
                return false;
            }
            if !self.executable_statements(lose, case) && *lose {
                self.skip_to_semi();
                return false;
            }
            let r = self.next();
            if !r.is('}') {
                self.expected(Cause::Syntax, r, "`}`", "close the function body");
                self.skip_to_semi();
                *lose = true;
                return false;
            }
            return true;
        }
        if !t.is('=') {
            let what = if define { "define" } else { "set" };
            self.expected(
                Cause::Syntax,
                t,
                &format!("`=` in the {what} statement"),
                "write `set NAME = EXPR;`",
            );
            self.skip_to_semi();
            *lose = true;
            return false;
        }
        if self
            .expression(lose, super::expr::Context::Any, None)
            .is_none()
        {
            if !*lose {
                let n = self.peek();
                self.expected(
                    Cause::Expression,
                    n,
                    "an expression",
                    "write an expression after `=`",
                );
            }
            *lose = true;
            self.skip_to_semi();
            return false;
        }
        if !self.semi(Cause::Syntax) {
            *lose = true;
            return false;
        }
        true
    }

    fn execute_statement(&mut self, lose: &mut bool) -> bool {
        let t = self.next();
        if !t.is('(') {
            self.expected(
                Cause::Syntax,
                t,
                "`(`",
                "write `execute (\"/path/to/program\", ARGS...);`",
            );
            self.skip_to_semi();
            *lose = true;
            return false;
        }
        let c = self.next();
        if !c.is_string() {
            self.expected(
                Cause::Syntax,
                c,
                "a quoted program path",
                "write `execute (\"/path/to/program\", ARGS...);`",
            );
            self.skip_to_semi();
            *lose = true;
            return false;
        }
        let mut t = self.next();
        while t.is(',') {
            if self.data_expression(lose).is_none() {
                if !*lose {
                    let n = self.peek();
                    self.expected(
                        Cause::Expression,
                        n,
                        "an expression",
                        "each argument is a data expression",
                    );
                }
                self.skip_to_semi();
                *lose = true;
                return false;
            }
            t = self.next();
        }
        if !t.is(')') {
            self.expected(Cause::Syntax, t, "`)`", "close the argument list");
            self.skip_to_semi();
            *lose = true;
            return false;
        }
        if !self.semi(Cause::Syntax) {
            *lose = true;
        }
        true
    }

    fn log_statement(&mut self, lose: &mut bool) -> bool {
        let t = self.next();
        if !t.is('(') {
            self.expected(Cause::Syntax, t, "`(`", "write `log (info, EXPR);`");
            self.skip_to_semi();
            *lose = true;
            return false;
        }
        let p = self.peek();
        let prio = self.keyword(p);
        if ["fatal", "error", "debug", "info"].contains(&prio.as_str()) {
            self.next();
            let c = self.next();
            if !c.is(',') {
                self.expected(Cause::Syntax, c, "`,`", "write `log (info, EXPR);`");
                self.skip_to_semi();
                *lose = true;
                return false;
            }
        }
        if self.data_expression(lose).is_none() {
            // dhcpd gives up on the statement without a word here (no parse_warn): the
            // file is still accepted.
            self.skip_to_semi();
            *lose = true;
            return false;
        }
        let r = self.next();
        if !r.is(')') {
            self.expected(
                Cause::Syntax,
                r,
                "`)`",
                "close the log statement's parenthesis",
            );
            self.skip_to_semi();
            *lose = true;
            return false;
        }
        let s = self.next();
        if !s.is(';') {
            self.missing_semi(Cause::Syntax, s);
            self.skip_to_semi();
            *lose = true;
            return false;
        }
        true
    }

    fn if_statement(&mut self, lose: &mut bool) -> bool {
        let paren = self.peek().is('(');
        if paren {
            self.next();
        }
        if self.boolean_expression(lose).is_none() {
            if !*lose {
                let n = self.peek();
                self.expected(
                    Cause::NonBoolean,
                    n,
                    "a boolean expression",
                    "write a condition such as `option X = \"...\"` or `exists X`",
                );
            }
            *lose = true;
            return false;
        }
        if paren {
            let r = self.next();
            if !r.is(')') {
                self.expected(Cause::Syntax, r, "`)`", "close the condition's parenthesis");
                *lose = true;
                return false;
            }
        }
        let b = self.next();
        if !b.is('{') {
            self.expected(
                Cause::Syntax,
                b,
                "`{`",
                "the body of `if` must be a block in braces",
            );
            self.skip_to_semi();
            *lose = true;
            return false;
        }
        if !self.executable_statements(lose, CaseCtx::Any) && *lose {
            loop {
                let t = self.next();
                if t.is_eof() || t.is('}') {
                    break;
                }
            }
            return false;
        }
        let r = self.next();
        if !r.is('}') {
            self.body_end(r);
            self.skip_to_semi();
            *lose = true;
            return false;
        }
        let e = self.peek();
        if self.kw(e, "else") {
            self.next();
            let n = self.peek();
            if self.kw(n, "if") {
                self.next();
                if !self.if_statement(lose) {
                    *lose = true;
                    return false;
                }
            } else if !n.is('{') {
                self.expected(
                    Cause::Syntax,
                    n,
                    "`{` or `if` after `else`",
                    "write `else { ... }` or `else if COND { ... }`",
                );
                self.skip_to_semi();
                *lose = true;
                return false;
            } else {
                self.next();
                if !self.executable_statements(lose, CaseCtx::Any) {
                    return false;
                }
                let r = self.next();
                if !r.is('}') {
                    self.body_end(r);
                    self.skip_to_semi();
                    *lose = true;
                    return false;
                }
            }
        } else if self.kw(e, "elsif") {
            self.next();
            if !self.if_statement(lose) {
                *lose = true;
                return false;
            }
        }
        true
    }

    /// Reports what stopped an if/on/switch body: a declaration or parameter that bodies do
    /// not allow, or a missing `}`.
    fn body_end(&mut self, t: Tok) {
        if t.is_identifier() && !t.is_eof() {
            let shown = self.shown(t);
            self.warn(
                Cause::Misplaced,
                self.span(t),
                format!("{shown} is not allowed inside an if/on/switch body (right brace expected)"),
                "only executable statements may appear here",
                "bodies of `if`, `on` and `switch` take option settings and executable statements, not declarations, ranges or `authoritative`",
            );
        } else {
            self.expected(Cause::Syntax, t, "`}`", "close the block");
        }
    }

    fn on_statement(&mut self, lose: &mut bool) -> bool {
        loop {
            let e = self.next();
            let w = self.keyword(e);
            if !["expiry", "commit", "release", "transmission"].contains(&w.as_str()) {
                self.expected(
                    Cause::Syntax,
                    e,
                    "a lease event (commit, release, expiry)",
                    "write `on commit { ... }`",
                );
                self.skip_to_semi();
                *lose = true;
                return false;
            }
            let n = self.next();
            if self.kw(n, "or") {
                continue;
            }
            if n.is(';') {
                return true;
            }
            if !n.is('{') {
                self.expected(Cause::Syntax, n, "`{`", "write `on EVENT { ... }`");
                self.skip_to_semi();
                *lose = true;
                return false;
            }
            break;
        }
        if !self.executable_statements(lose, CaseCtx::Any) && *lose {
            loop {
                let t = self.next();
                if t.is_eof() || t.is('}') {
                    break;
                }
            }
            return false;
        }
        let r = self.next();
        if !r.is('}') {
            self.body_end(r);
            self.skip_to_semi();
            *lose = true;
            return false;
        }
        true
    }

    fn switch_statement(&mut self, lose: &mut bool) -> bool {
        let p = self.next();
        if !p.is('(') {
            self.expected(
                Cause::Syntax,
                p,
                "`(`",
                "write `switch (EXPR) { case ...: ... }`",
            );
            *lose = true;
            self.skip_to_semi();
            return false;
        }
        let Some(op) = self.expression(lose, super::expr::Context::DataOrNumeric, None) else {
            if !*lose {
                let n = self.peek();
                self.expected(
                    Cause::Expression,
                    n,
                    "a data or numeric expression",
                    "switch on a data or numeric expression",
                );
                *lose = true;
                self.skip_to_semi();
            }
            return false;
        };
        let r = self.next();
        if !r.is(')') {
            self.expected(Cause::Syntax, r, "`)`", "close the switch expression");
            *lose = true;
            self.skip_to_semi();
            return false;
        }
        let b = self.next();
        if !b.is('{') {
            self.expected(Cause::Syntax, b, "`{`", "the body of a switch is a block");
            *lose = true;
            self.skip_to_semi();
            return false;
        }
        let case = if op.is_data() {
            CaseCtx::Data
        } else {
            CaseCtx::Numeric
        };
        if !self.executable_statements(lose, case) && *lose {
            self.skip_to_rbrace(1);
            return false;
        }
        let r = self.next();
        if !r.is('}') {
            self.body_end(r);
            *lose = true;
            self.skip_to_semi();
            return false;
        }
        true
    }

    fn case_statement(&mut self, lose: &mut bool, case: CaseCtx) -> bool {
        let context = if case == CaseCtx::Data {
            super::expr::Context::Data
        } else {
            super::expr::Context::Numeric
        };
        if self.expression(lose, context, None).is_none() {
            if !*lose {
                let n = self.peek();
                let what = if case == CaseCtx::Data {
                    "a data expression"
                } else {
                    "a numeric expression"
                };
                self.expected(
                    Cause::Expression,
                    n,
                    what,
                    "case values have the type of the switch expression",
                );
            }
            *lose = true;
            self.skip_to_semi();
            return false;
        }
        let c = self.next();
        if !c.is(':') {
            self.expected(Cause::Syntax, c, "`:`", "write `case VALUE:`");
            *lose = true;
            self.skip_to_semi();
            return false;
        }
        true
    }

    /// Reports a class named before it is declared.
    pub(super) fn undeclared_class(&mut self, t: Tok, name: &str) {
        let known: Vec<&str> = self.st.classes.keys().map(String::as_str).collect();
        let help = match closest(name, known.into_iter()) {
            Some(k) => {
                format!("did you mean \"{k}\"? Classes must be declared before they are used")
            }
            None => format!("declare `class \"{name}\" {{ ... }}` before this line"),
        };
        self.warn(
            Cause::UndeclaredClass,
            self.span(t),
            format!("class \"{name}\" is not declared (yet)"),
            "no class of this name so far",
            help,
        );
    }
}

/// The help line for an unknown word dhcpd accepts as an expression statement.
fn statement_help(word: &str, op: super::expr::Op, suggestion: Option<String>) -> String {
    let lower = word.to_ascii_lowercase();
    for verb in ["allow", "deny", "ignore"] {
        if let Some(key) = lower.strip_prefix(verb).and_then(|r| r.strip_prefix('-')) {
            let keys = [
                "unknown-clients",
                "bootp",
                "booting",
                "dynamic-bootp",
                "duplicates",
                "declines",
                "client-updates",
                "leasequery",
            ];
            if keys.contains(&key) {
                return format!("did you mean `{verb} {key};`? (a space, not a dash)");
            }
        }
    }
    if op != super::expr::Op::VariableReference
        && word
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
    {
        return "this is shell syntax: variables such as DHCPDARGS or INTERFACESv4 belong in /etc/default/isc-dhcp-server, not in dhcpd.conf; remove the line".to_string();
    }
    match suggestion {
        Some(k) => format!("did you mean `{k}`?"),
        None => "remove it, or fix the spelling".to_string(),
    }
}
