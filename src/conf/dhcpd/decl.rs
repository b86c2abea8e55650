//! Declarations (`server/confpars.c`): host, group, shared-network, subnet, class, pool,
//! range, failover peer, permits; and `key`/`zone` (`common/parse.c`).

use super::lex::Tok;
use super::stmt::HostState;
use super::{Cause, Ctx, Parser, ScopeKind, Shared, Subnet, closest, dotted};
use crate::dhcpd::ValueForm;

/// Characters `parse_base64` accepts in a secret (and `=`).
fn base64_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'+' || c == b'/' || c == b'='
}

impl Parser<'_, '_, '_> {
    /// `parse_lbrace`.
    fn lbrace(&mut self, what: &str) -> bool {
        let t = self.next();
        if t.is('{') {
            return true;
        }
        self.expected(
            Cause::Syntax,
            t,
            "`{`",
            &format!("{what} needs a block: `{{ ... }}`"),
        );
        self.skip_to_semi();
        false
    }

    fn unexpected_eof(&mut self, t: Tok, what: &str) {
        self.warn(
            Cause::Syntax,
            self.span(t),
            format!("unexpected end of file inside {what}"),
            "the file ends here",
            "a `}` is missing",
        );
    }

    /// `parse_host_declaration` (after `host`).
    pub(super) fn host_declaration(&mut self, ctx: Ctx) {
        let _ = ctx;
        let n = self.peek();
        let Some((name, _)) = self.host_name() else {
            let shown = self.shown(n);
            let help = if n.is_string() {
                "host names are written without quotes: `host NAME { ... }`"
            } else {
                "write `host NAME { ... }`"
            };
            self.warn(
                Cause::Syntax,
                self.span(n),
                format!("expecting a name for the host declaration, found {shown}"),
                "not a host name",
                help,
            );
            self.skip_to_semi();
            return;
        };
        let name_span = self.span2(n, self.last.unwrap_or(n));
        if !self.lbrace("a host") {
            return;
        }
        let mut host = Some(HostState {
            name: name.clone(),
            ..HostState::default()
        });
        let mut deleted = false;
        let mut uid_seen = false;
        let mut declaration = false;
        let hctx = Ctx {
            ty: ScopeKind::Host,
            shared: None,
            subnet: None,
        };
        loop {
            let t = self.peek();
            if t.is('}') {
                self.next();
                break;
            }
            if t.is_eof() {
                self.next();
                self.unexpected_eof(t, "a host");
                break;
            }
            let word = self.keyword(t);
            if word == "dynamic" || word == "deleted" {
                self.next();
                deleted |= word == "deleted";
                if !self.semi(Cause::Syntax) {
                    break;
                }
                continue;
            }
            if word == "group" {
                self.next();
                let g = self.next();
                if !g.is_string() && !g.is_identifier() {
                    self.expected(Cause::Syntax, g, "a group name", "write `group \"NAME\";`");
                    self.skip_to_rbrace(1);
                    break;
                }
                let gname = self.val(g);
                if !self.st.groups.contains(&gname) {
                    let known: Vec<&str> = self.st.groups.iter().map(String::as_str).collect();
                    let help = match closest(&gname, known.into_iter()) {
                        Some(k) => format!(
                            "did you mean \"{k}\"? A named group must be declared before the hosts that use it"
                        ),
                        None => format!("declare `group \"{gname}\" {{ ... }}` before this host"),
                    };
                    self.warn(
                        Cause::UnknownGroup,
                        self.span(g),
                        format!("unknown group {gname} in host {name}"),
                        "no group of this name so far",
                        help,
                    );
                }
                if !self.semi(Cause::Syntax) {
                    break;
                }
                continue;
            }
            if word == "uid" {
                self.next();
                if uid_seen {
                    self.warn(
                        Cause::RepeatedHostAddress,
                        self.span(t),
                        format!("host {name} already has a uid"),
                        "second `uid` statement",
                        "a host has one client identifier",
                    );
                    self.skip_to_rbrace(1);
                    break;
                }
                uid_seen = true;
                if self.peek().is_string() {
                    self.next();
                } else if self
                    .numeric_aggregate(0, ':', 16, 8, Cause::OptionValue)
                    .is_none()
                {
                    continue;
                }
                if !self.semi(Cause::Syntax) {
                    break;
                }
                continue;
            }
            if word == "host-identifier" {
                self.next();
                let k = self.next();
                if self.kw(k, "v6relopt") {
                    let n = self.next();
                    if !n.is_number() {
                        self.expected(
                            Cause::Syntax,
                            n,
                            "a number",
                            "write `host-identifier v6relopt N option ...`",
                        );
                        self.skip_to_rbrace(1);
                        break;
                    }
                } else if !self.kw(k, "option") {
                    self.expected(
                        Cause::Syntax,
                        k,
                        "`option` or `v6relopt`",
                        "write `host-identifier option NAME VALUE;`",
                    );
                    self.skip_to_rbrace(1);
                    break;
                }
                let Some(opt) = self.option_name(true) else {
                    break;
                };
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
                    self.skip_to_rbrace(1);
                    break;
                }
                if !self.option_data(&opt, Cause::OptionValue) {
                    self.skip_to_rbrace(1);
                    break;
                }
                if !self.semi(Cause::Syntax) {
                    self.skip_to_rbrace(1);
                    break;
                }
                continue;
            }
            let before = self.pos;
            declaration = self.statement(hctx, &mut host, declaration);
            if self.pos == before {
                self.next();
            }
        }
        if deleted {
            self.st.hosts.remove(&name);
            return;
        }
        let end = self.last.unwrap_or(n);
        if let Some(first) = self.st.hosts.get(&name).copied() {
            self.st.problems.push(super::Problem {
                cause: Cause::DuplicateHost,
                span: name_span,
                message: format!("host {name}: already exists"),
                label: "a second host of this name".into(),
                help: "host names must be unique in the whole configuration (hosts are global): rename one".into(),
                related: vec![(first, "first declared here".into())],
            });
            let _ = end;
        } else {
            self.st.hosts.insert(name, name_span);
        }
    }

    /// `parse_group_declaration` (after `group`).
    pub(super) fn group_declaration(&mut self, ctx: Ctx) {
        let _ = ctx;
        let t = self.peek();
        let mut name = None;
        if t.is_identifier() || t.is_string() {
            self.next();
            name = Some(self.val(t));
        }
        if !self.lbrace("a group") {
            return;
        }
        let gctx = Ctx {
            ty: ScopeKind::Group,
            shared: None,
            subnet: None,
        };
        let mut deleted = false;
        let mut declaration = false;
        loop {
            let t = self.peek();
            if t.is('}') {
                self.next();
                break;
            }
            if t.is_eof() {
                self.next();
                self.unexpected_eof(t, "a group");
                break;
            }
            let word = self.keyword(t);
            if word == "deleted" || word == "dynamic" || word == "static" {
                self.next();
                self.semi(Cause::Syntax);
                deleted |= word == "deleted";
            }
            let before = self.pos;
            declaration = self.statement(gctx, &mut None, declaration);
            if self.pos == before {
                self.next();
            }
        }
        if let Some(name) = name
            && !deleted
        {
            self.st.groups.insert(name);
        }
    }

    /// `parse_shared_net_declaration` (after `shared-network`).
    pub(super) fn shared_net_declaration(&mut self, ctx: Ctx) {
        let _ = ctx;
        let t = self.peek();
        let name_tok = t;
        let name = if t.is_string() {
            self.next();
            let v = self.val(t);
            if v.is_empty() {
                self.warn(
                    Cause::Syntax,
                    self.span(t),
                    "zero-length shared network name",
                    "empty name",
                    "give the shared network a name",
                );
            }
            v
        } else {
            match self.host_name() {
                Some((n, _)) => n,
                None => {
                    self.expected(
                        Cause::Syntax,
                        t,
                        "a name for the shared-network",
                        "write `shared-network NAME { ... }`",
                    );
                    self.skip_to_semi();
                    return;
                }
            }
        };
        let id = self.st.shared.len();
        self.st.shared.push(Shared {
            name,
            subnets: Vec::new(),
            interface: false,
        });
        if !self.lbrace("a shared-network") {
            return;
        }
        let sctx = Ctx {
            ty: ScopeKind::SharedNetwork,
            shared: Some(id),
            subnet: None,
        };
        let mut declaration = false;
        loop {
            let t = self.peek();
            if t.is('}') {
                self.next();
                if self.st.shared[id].subnets.is_empty() {
                    let name = self.st.shared[id].name.clone();
                    self.warn(
                        Cause::EmptySharedNetwork,
                        self.span(name_tok),
                        format!("empty shared-network declaration: {name} has no subnet"),
                        "no subnet inside",
                        "a shared-network must contain at least one subnet declaration; add the subnet(s) or remove the shared-network",
                    );
                }
                return;
            }
            if t.is_eof() {
                self.next();
                self.unexpected_eof(t, "a shared-network");
                return;
            }
            if self.kw(t, "interface") {
                self.next();
                self.interface(id);
                if !self.semi(Cause::Syntax) {
                    return;
                }
                continue;
            }
            let before = self.pos;
            declaration = self.statement(sctx, &mut None, declaration);
            if self.pos == before {
                self.next();
            }
        }
    }

    /// `interface NAME` in a shared network or subnet (`new_shared_network_interface`).
    fn interface(&mut self, shared: usize) {
        let t = self.next();
        let name = self.val(t);
        if self.st.shared[shared].interface {
            self.warn(
                Cause::Syntax,
                self.span(t),
                "a subnet or shared network can't be connected to two interfaces",
                "second interface",
                "a network is on one interface: keep one `interface` statement (in a shared-network, all its subnets share it)",
            );
            return;
        }
        if self.st.interfaces.insert(name) {
            self.st.shared[shared].interface = true;
        }
    }

    /// `parse_subnet_declaration` (after `subnet`), in `ctx`'s shared network or a new
    /// implicit one.
    pub(super) fn subnet_declaration(&mut self, ctx: Ctx, keyword: Tok) {
        let (shared, implicit) = match ctx.shared {
            Some(s) => (s, false),
            None => {
                self.st.shared.push(Shared {
                    name: String::new(),
                    subnets: Vec::new(),
                    interface: false,
                });
                (self.st.shared.len() - 1, true)
            }
        };
        let net_tok = self.peek();
        let Some(net) = self.ip_addr(Cause::BadAddress) else {
            return;
        };
        let net_end = self.last.unwrap_or(net_tok);
        let t = self.next();
        if !self.kw(t, "netmask") {
            self.expected(
                Cause::Syntax,
                t,
                "`netmask`",
                "write `subnet 192.0.2.0 netmask 255.255.255.0 { ... }`",
            );
            self.skip_to_semi();
            return;
        }
        let mask_tok = self.peek();
        let Some(mask) = self.ip_addr(Cause::BadAddress) else {
            return;
        };
        let net_span = self.span2(net_tok, net_end);
        if crate::judgement::subnet_host_bits(net, mask) != 0 {
            let fixed = dotted(net & mask);
            self.st.problems.push(super::Problem {
                cause: Cause::SubnetHostBits,
                span: net_span,
                message: format!(
                    "subnet {} netmask {}: bad subnet number/mask combination (host bits set)",
                    dotted(net),
                    dotted(mask)
                ),
                label: format!("host bits set under netmask {}", dotted(mask)),
                help: format!(
                    "write the network number: `subnet {fixed} netmask {}` (or fix the mask)",
                    dotted(mask)
                ),
                related: vec![(self.span(mask_tok), "the netmask".into())],
            });
            self.skip_to_semi();
            return;
        }
        let _ = keyword;
        let id = self.st.subnets.len();
        self.st.subnets.push(Subnet {
            net,
            mask,
            span: net_span,
        });
        if implicit {
            self.st.shared[shared].name = format!("{}/{}", dotted(net), mask.count_ones());
        }
        if !self.lbrace("a subnet") {
            return;
        }
        let sctx = Ctx {
            ty: ScopeKind::Subnet,
            shared: if implicit { Some(shared) } else { None },
            subnet: Some(id),
        };
        let mut declaration = false;
        loop {
            let t = self.peek();
            if t.is('}') {
                self.next();
                break;
            }
            if t.is_eof() {
                self.next();
                self.unexpected_eof(t, "a subnet");
                break;
            }
            if self.kw(t, "interface") {
                self.next();
                self.interface(shared);
                if !self.semi(Cause::Syntax) {
                    break;
                }
                continue;
            }
            let before = self.pos;
            declaration = self.statement(sctx, &mut None, declaration);
            if self.pos == before {
                self.next();
            }
        }
        self.st.shared[shared].subnets.push(id);
    }

    /// `parse_class_declaration` (after `class`, `subclass`, `vendor-class`, `user-class`).
    pub(super) fn class_declaration(&mut self, ctx: Ctx, kind: &str, keyword: Tok) {
        let _ = (ctx, keyword);
        let n = self.next();
        if !n.is_string() {
            let help = if n.is_identifier() {
                "class names are quoted: `class \"NAME\" { ... }`"
            } else {
                "write `class \"NAME\" { ... }`"
            };
            self.expected(Cause::ClassDeclaration, n, "a quoted class name", help);
            self.skip_to_semi();
            return;
        }
        let name = self.val(n);
        let exists = self.st.classes.contains_key(&name);
        let is_class = kind == "class";
        if !exists && !is_class {
            self.undeclared_class(n, &name);
            self.skip_to_semi();
            return;
        }
        let subclassing = !is_class;
        if kind == "subclass" {
            let k = self.peek();
            if k.is_string() {
                self.next();
            } else if k.is_number_or_name() || k.is_number() {
                if !self.cshl(Cause::ClassDeclaration) {
                    return;
                }
            } else {
                self.expected(
                    Cause::ClassDeclaration,
                    k,
                    "a quoted string or hex list (the subclass key)",
                    "write `subclass \"CLASS\" \"key\";` or `subclass \"CLASS\" 1:2:3:4:5:6;`",
                );
                return;
            }
        }
        if subclassing && self.peek().is(';') {
            self.next();
            return;
        }
        if !self.lbrace("a class") {
            return;
        }
        let cctx = Ctx {
            ty: ScopeKind::Class,
            shared: None,
            subnet: None,
        };
        let mut matched_once = false;
        let mut submatched_once = false;
        let mut deleted = false;
        let mut declaration = false;
        loop {
            let t = self.peek();
            if t.is('}') {
                self.next();
                break;
            }
            if t.is_eof() {
                self.next();
                self.unexpected_eof(t, "a class");
                break;
            }
            let word = self.keyword(t);
            match word.as_str() {
                "dynamic" | "deleted" => {
                    self.next();
                    deleted |= word == "deleted";
                    if !self.semi(Cause::Syntax) {
                        break;
                    }
                }
                "match" => {
                    if subclassing {
                        self.warn(
                            Cause::ClassDeclaration,
                            self.span(t),
                            "invalid match in subclass",
                            "a subclass cannot match",
                            "a subclass is selected by its key; put `match` in the parent class",
                        );
                        self.skip_to_semi();
                        break;
                    }
                    self.next();
                    if self.kw(self.peek(), "if") {
                        let i = self.next();
                        if matched_once {
                            self.warn(
                                Cause::ClassDeclaration,
                                self.span(i),
                                "a class may only have one 'match if' clause",
                                "second `match if`",
                                "combine the conditions with `and`/`or` in one `match if`",
                            );
                            self.skip_to_semi();
                            break;
                        }
                        matched_once = true;
                        let mut lose = false;
                        if self.boolean_expression(&mut lose).is_none() {
                            if !lose {
                                let b = self.peek();
                                self.expected(Cause::NonBoolean, b, "a boolean expression", "write a condition such as `substring(option vendor-class-identifier, 0, 9) = \"PXEClient\"`");
                                self.skip_to_semi();
                            }
                        } else {
                            self.semi(Cause::Syntax);
                        }
                    } else if !self.submatch(&mut submatched_once, t) {
                        break;
                    }
                }
                "spawn" => {
                    self.next();
                    if subclassing {
                        self.warn(
                            Cause::ClassDeclaration,
                            self.span(t),
                            "invalid spawn in subclass",
                            "a subclass cannot spawn",
                            "put `spawn with` in the parent class",
                        );
                        self.skip_to_semi();
                        break;
                    }
                    let w = self.next();
                    if !self.kw(w, "with") {
                        self.expected(
                            Cause::ClassDeclaration,
                            w,
                            "`with` after `spawn`",
                            "write `spawn with EXPR;`",
                        );
                        self.skip_to_semi();
                        break;
                    }
                    if !self.submatch(&mut submatched_once, t) {
                        break;
                    }
                }
                "lease" => {
                    self.next();
                    let l = self.next();
                    if !self.kw(l, "limit") {
                        self.expected(
                            Cause::ClassDeclaration,
                            l,
                            "`limit` after `lease`",
                            "write `lease limit N;`",
                        );
                        if !l.is(';') {
                            self.skip_to_semi();
                        }
                        break;
                    }
                    let n = self.next();
                    if !n.is_number() {
                        self.expected(
                            Cause::ClassDeclaration,
                            n,
                            "a number",
                            "write `lease limit N;`",
                        );
                        if !n.is(';') {
                            self.skip_to_semi();
                        }
                        break;
                    }
                    self.semi(Cause::Syntax);
                }
                _ => {
                    let before = self.pos;
                    declaration = self.statement(cctx, &mut None, declaration);
                    if self.pos == before {
                        self.next();
                    }
                }
            }
        }
        if is_class && !exists && !deleted {
            self.st.classes.insert(name, self.span(n));
        } else if is_class && deleted {
            self.st.classes.remove(&name);
        }
    }

    /// `match DATA-EXPR;` / `spawn with DATA-EXPR;` in a class. Returns false to end the
    /// class body (as dhcpd does after some errors).
    fn submatch(&mut self, once: &mut bool, t: Tok) -> bool {
        if *once {
            self.warn(
                Cause::ClassDeclaration,
                self.span(t),
                "can't override existing submatch/spawn",
                "second `match`/`spawn with`",
                "a class has at most one `match DATA;` or `spawn with DATA;`",
            );
            self.skip_to_semi();
            return false;
        }
        *once = true;
        let mut lose = false;
        if self.data_expression(&mut lose).is_none() {
            if !lose {
                let b = self.peek();
                self.expected(
                    Cause::Expression,
                    b,
                    "a data expression",
                    "write `match DATA;` with a data expression, or `match if CONDITION;`",
                );
                self.skip_to_semi();
            }
        } else {
            self.semi(Cause::Syntax);
        }
        true
    }

    /// `parse_hardware_param` (after `hardware`). Returns whether an address was read.
    pub(super) fn hardware_param(&mut self, keyword: Tok) -> bool {
        let t = self.next();
        let word = self.keyword(t);
        let ok_type = ["ethernet", "token-ring", "fddi", "infiniband"].contains(&word.as_str())
            || self.text(t).starts_with("unknown-");
        if !ok_type {
            let shown = self.shown(t);
            let known = ["ethernet", "token-ring", "fddi", "infiniband"];
            let help = match closest(self.text(t), known.into_iter()) {
                Some(k) => format!("did you mean `{k}`?"),
                None => "write `hardware ethernet 00:11:22:33:44:55;`".to_string(),
            };
            self.warn(
                Cause::Hardware,
                self.span(t),
                format!("expecting a network hardware type, found {shown}"),
                "not a hardware type",
                help,
            );
            self.skip_to_semi();
            return false;
        }
        if self.peek().is(';') {
            self.next();
            return true;
        }
        let first = self.peek();
        let Some(octets) = self.numeric_aggregate(0, ':', 16, 8, Cause::Hardware) else {
            return false;
        };
        if octets.len() > 20 {
            let last = self.last.unwrap_or(first);
            self.warn(
                Cause::Hardware,
                self.span2(first, last),
                format!(
                    "hardware address too long ({} octets, at most 20)",
                    octets.len()
                ),
                "too long",
                "an Ethernet address has 6 octets",
            );
        }
        let s = self.next();
        if !s.is(';') {
            self.missing_semi(Cause::Syntax, s);
            self.skip_to_semi();
        }
        let _ = keyword;
        true
    }

    /// `parse_fixed_addr_param` (after `fixed-address`).
    pub(super) fn fixed_addr_param(&mut self, v6: bool) -> bool {
        loop {
            let ok = if v6 {
                self.ip6_addr(Cause::BadAddress)
            } else {
                self.ip_addr_or_hostname(Cause::BadAddress)
            };
            if !ok {
                return false;
            }
            if self.peek().is(',') {
                self.next();
                continue;
            }
            break;
        }
        self.semi(Cause::Syntax)
    }

    /// `parse_pool_statement` (after `pool`); `ctx` is the enclosing subnet or shared network.
    pub(super) fn pool_statement(&mut self, ctx: Ctx, keyword: Tok) {
        if !self.lbrace("a pool") {
            return;
        }
        let pctx = Ctx {
            ty: ScopeKind::Pool,
            shared: None,
            subnet: None,
        };
        let mut ranges = 0;
        let mut after_seen = false;
        let mut declaration = false;
        loop {
            let t = self.peek();
            let word = self.keyword(t);
            match word.as_str() {
                "no" => {
                    self.next();
                    let f = self.next();
                    let ok = self.kw(f, "failover") && {
                        let p = self.next();
                        self.kw(p, "peer")
                    };
                    if !ok {
                        let last = self.last.unwrap_or(f);
                        self.expected(
                            Cause::Syntax,
                            last,
                            "`failover peer` after `no`",
                            "write `no failover peer` (without `;` in dhcpd 4.4)",
                        );
                        self.skip_to_semi();
                    }
                }
                "failover" => {
                    self.next();
                    let p = self.next();
                    if !self.kw(p, "peer") {
                        self.expected(
                            Cause::Syntax,
                            p,
                            "`peer` after `failover`",
                            "write `failover peer \"NAME\";`",
                        );
                        self.skip_to_semi();
                        continue;
                    }
                    let n = self.next();
                    if !n.is_string() {
                        // A bare name followed by `;` is the failover rules' case (DF312).
                        let cause = if n.is_identifier() && self.peek().is(';') {
                            Cause::Failover
                        } else {
                            Cause::Syntax
                        };
                        self.warn(
                            cause,
                            self.span(n),
                            "expecting a quoted failover peer name",
                            "not a quoted name",
                            "in a pool the peer name is quoted: `failover peer \"NAME\";`",
                        );
                        self.skip_to_semi();
                        continue;
                    }
                    let name = self.val(n);
                    if !self.st.peers.contains(&name) {
                        self.warn(
                            Cause::Failover,
                            self.span(n),
                            format!("failover peer {name}: not found"),
                            "no peer of this name declared before",
                            "declare `failover peer \"NAME\" { ... }` before the pools that use it",
                        );
                    }
                    self.semi(Cause::Syntax);
                }
                "range" => {
                    self.next();
                    if self.address_range(ctx, Some(()), t) {
                        ranges += 1;
                    }
                }
                "allow" | "deny" => {
                    self.next();
                    self.permit(&mut after_seen);
                }
                _ if t.is('}') => {
                    self.next();
                    break;
                }
                _ if t.is_eof() => {
                    self.next();
                    self.unexpected_eof(t, "a pool");
                    return;
                }
                _ => {
                    let before = self.pos;
                    declaration = self.statement(pctx, &mut None, declaration);
                    if self.pos == before {
                        self.next();
                    }
                }
            }
        }
        if ranges == 0 {
            self.warn(
                Cause::PoolWithoutRange,
                self.span(keyword),
                "pool declaration with no address range",
                "this pool has no `range`",
                "add a `range LOW HIGH;` to the pool (pool declarations must always contain at least one range), or remove the pool",
            );
        }
    }

    /// `get_permit` (after `allow`/`deny` in a pool).
    fn permit(&mut self, after_seen: &mut bool) {
        let t = self.next();
        let word = self.keyword(t);
        let mut need_clients = true;
        match word.as_str() {
            "unknown" | "known" | "authenticated" | "unauthenticated" | "all" => {}
            "known-clients" | "unknown-clients" => need_clients = false,
            "dynamic" => {
                let b = self.next();
                if !self.kw(b, "bootp") {
                    self.expected(Cause::Permit, b, "`bootp`", "write `dynamic bootp clients`");
                    self.skip_to_semi();
                    return;
                }
            }
            "members" => {
                need_clients = false;
                let o = self.next();
                if !self.kw(o, "of") {
                    self.expected(Cause::Permit, o, "`of`", "write `members of \"CLASS\"`");
                    self.skip_to_semi();
                    return;
                }
                let c = self.next();
                if !c.is_string() {
                    self.expected(
                        Cause::Permit,
                        c,
                        "a quoted class name",
                        "write `members of \"CLASS\"`",
                    );
                    self.skip_to_semi();
                    return;
                }
                let name = self.val(c);
                if !self.st.classes.contains_key(&name) {
                    self.undeclared_class(c, &name);
                }
            }
            "after" => {
                need_clients = false;
                if *after_seen {
                    self.warn(
                        Cause::Permit,
                        self.span(t),
                        "duplicate \"after\" clause",
                        "second `after`",
                        "a pool takes one `after` date",
                    );
                    self.skip_to_semi();
                    return;
                }
                *after_seen = true;
                self.date();
            }
            _ => {
                let shown = self.shown(t);
                let known = [
                    "known-clients",
                    "unknown-clients",
                    "known clients",
                    "unknown clients",
                    "all clients",
                    "dynamic bootp clients",
                    "members of",
                    "authenticated clients",
                    "unauthenticated clients",
                    "after",
                ];
                let help = match closest(self.text(t), known.into_iter()) {
                    Some(k) => format!("did you mean `{k}`? (pool permits: known-clients, unknown-clients, all clients, dynamic bootp clients, members of \"CLASS\", after DATE)"),
                    None => "inside a pool, allow/deny take known-clients, unknown-clients, all clients, dynamic bootp clients, members of \"CLASS\" or after DATE".to_string(),
                };
                self.warn(
                    Cause::Permit,
                    self.span(t),
                    format!("expecting a permit type, found {shown}"),
                    "not a pool permit",
                    help,
                );
                self.skip_to_semi();
                return;
            }
        }
        if need_clients {
            let c = self.next();
            if !self.kw(c, "clients") {
                self.expected(
                    Cause::Permit,
                    c,
                    "`clients`",
                    &format!("write `{word} clients`"),
                );
                self.skip_to_semi();
                return;
            }
        }
        self.semi(Cause::Syntax);
    }

    /// `parse_date_core`, loosely: `never`, `epoch N`, or `W YYYY/MM/DD HH:MM:SS`.
    fn date(&mut self) {
        let t = self.peek();
        if self.kw(t, "never") {
            self.next();
            return;
        }
        if self.kw(t, "epoch") {
            self.next();
            let n = self.peek();
            if !n.is_number() {
                if !n.is(';') {
                    self.next();
                }
                self.expected(
                    Cause::Permit,
                    n,
                    "seconds since the epoch",
                    "write `after epoch N`",
                );
                return;
            }
            self.next();
            return;
        }
        // Day of week, year / month / day, hour : minute : second [zone offset].
        let pattern = ['n', 'n', '/', 'n', '/', 'n', 'n', ':', 'n', ':', 'n'];
        for p in pattern {
            let t = self.peek();
            let ok = if p == 'n' { t.is_number() } else { t.is(p) };
            if !ok {
                if !t.is(';') {
                    self.next();
                }
                self.expected(
                    Cause::Permit,
                    t,
                    "a date `W YYYY/MM/DD HH:MM:SS`",
                    "dates are in UTC, e.g. `after 4 2026/01/01 00:00:00`",
                );
                return;
            }
            self.next();
        }
        if self.peek().is_number() {
            self.next();
        }
    }

    /// `parse_allow_deny` (after `allow`/`deny`/`ignore` outside a pool).
    pub(super) fn allow_deny(&mut self) -> bool {
        let t = self.next();
        let word = self.keyword(t);
        let keys = [
            "bootp",
            "booting",
            "dynamic-bootp",
            "unknown-clients",
            "duplicates",
            "declines",
            "client-updates",
            "leasequery",
        ];
        if !keys.contains(&word.as_str()) {
            let shown = self.shown(t);
            let help = match closest(self.text(t), keys.into_iter()) {
                Some(k) => format!("did you mean `{k}`?"),
                None if [
                    "known-clients",
                    "all",
                    "members",
                    "known",
                    "unknown",
                    "dynamic",
                    "after",
                ]
                .contains(&self.text(t).to_ascii_lowercase().as_str()) =>
                {
                    "this is a pool permit: it is only valid inside `pool { ... }`".to_string()
                }
                None => format!("outside pools, allow/deny/ignore take: {}", keys.join(", ")),
            };
            self.warn(
                Cause::Permit,
                self.span(t),
                format!("expecting an allow/deny key, found {shown}"),
                "not an allow/deny key",
                help,
            );
            self.skip_to_semi();
            return false;
        }
        self.semi(Cause::Syntax);
        true
    }

    /// `parse_address_range` (after `range`); `ctx` is the subnet or shared network the range
    /// (or its pool) is in. Returns whether the range was entered.
    pub(super) fn address_range(&mut self, ctx: Ctx, _pool: Option<()>, keyword: Tok) -> bool {
        if self.kw(self.peek(), "dynamic-bootp") {
            self.next();
        }
        let low_tok = self.peek();
        let Some(low) = self.ip_addr(Cause::BadAddress) else {
            return false;
        };
        let low_span = self.span2(low_tok, self.last.unwrap_or(low_tok));
        let (high, high_span) = if self.peek().is(';') {
            (low, low_span)
        } else {
            let high_tok = self.peek();
            let Some(high) = self.ip_addr(Cause::BadAddress) else {
                return false;
            };
            (high, self.span2(high_tok, self.last.unwrap_or(high_tok)))
        };
        let s = self.next();
        if !s.is(';') {
            self.missing_semi(Cause::Syntax, s);
            self.skip_to_semi();
            return false;
        }
        let range_span = self.span2(keyword, s);
        let subnet = if ctx.ty == ScopeKind::Subnet {
            ctx.subnet
        } else {
            let shared = ctx.shared;
            let found = shared.and_then(|sid| {
                self.st.shared[sid].subnets.iter().copied().find(|&i| {
                    let sn = &self.st.subnets[i];
                    low & sn.mask == sn.net
                })
            });
            if found.is_none() {
                let name = shared
                    .map(|s| self.st.shared[s].name.clone())
                    .unwrap_or_default();
                self.warn(
                    Cause::RangeOutsideSubnet,
                    low_span,
                    format!("address range not on network {name}: {} is in none of its subnets declared so far", dotted(low)),
                    "no subnet above contains this address",
                    "declare the subnet that contains the range before this pool (a shared-network pool takes its ranges from the subnets declared earlier in it)",
                );
                return false;
            }
            found
        };
        let Some(sid) = subnet else {
            return false;
        };
        let sn = self.st.subnets[sid].clone();
        for (addr, span) in [(low, low_span), (high, high_span)] {
            if !crate::judgement::in_subnet(addr, sn.net, sn.mask) {
                self.st.problems.push(super::Problem {
                    cause: Cause::RangeOutsideSubnet,
                    span,
                    message: format!(
                        "bad range, address {} not in subnet {} netmask {}",
                        dotted(addr),
                        dotted(sn.net),
                        dotted(sn.mask)
                    ),
                    label: format!("outside {}/{}", dotted(sn.net), sn.mask.count_ones()),
                    help: "dhcpd stops at once on this: fix the address, or the subnet's netmask"
                        .into(),
                    related: vec![(sn.span, "the subnet".into())],
                });
                return false;
            }
        }
        let (lo, hi) = if low <= high {
            (low, high)
        } else {
            (high, low)
        };
        if let Some(first) = self.st.ranges.add(lo, hi) {
            let other = self
                .st
                .range_spans
                .iter()
                .find(|(s, e, _)| (*s..=*e).contains(&first))
                .map_or(range_span, |(_, _, span)| *span);
            self.st.problems.push(super::Problem {
                cause: Cause::AddressInTwoRanges,
                span: range_span,
                message: format!(
                    "lease {} is declared twice: it is also in an earlier range",
                    dotted(first)
                ),
                label: "overlaps an earlier range".into(),
                help: "every address may be in one range only: shrink or remove one of the ranges"
                    .into(),
                related: vec![(other, "the earlier range".into())],
            });
        }
        self.st.range_spans.push((lo, hi, range_span));
        true
    }

    /// `parse_failover_peer` (after `failover`), read only to stay in step: the failover rules
    /// judge it.
    pub(super) fn failover_peer(&mut self, ctx: Ctx) {
        let p = self.next();
        if !self.kw(p, "peer") {
            self.expected(
                Cause::Syntax,
                p,
                "`peer` after `failover`",
                "write `failover peer NAME { ... }`",
            );
            self.skip_to_semi();
            return;
        }
        let n = self.next();
        if !n.is_identifier() && !n.is_string() {
            self.expected(
                Cause::Syntax,
                n,
                "a failover peer name",
                "write `failover peer \"NAME\" { ... }`",
            );
            self.skip_to_semi();
            return;
        }
        let name = self.val(n);
        let exists = self.st.peers.contains(&name);
        let t = self.next();
        if t.is(';') {
            if ctx.ty != ScopeKind::SharedNetwork || !exists {
                self.warn(
                    Cause::Failover,
                    self.span(n),
                    "failover peer reference outside a shared-network, or to an undeclared peer",
                    "here",
                    "refer to a declared peer from a pool (`failover peer \"NAME\";`) or a shared-network",
                );
            }
            return;
        }
        if self.kw(t, "state") {
            if !exists {
                self.warn(
                    Cause::Failover,
                    self.span(n),
                    "state declaration for unknown failover peer",
                    "no peer of this name",
                    "declare the peer first",
                );
            }
            if self.next().is('{') {
                self.skip_to_rbrace(1);
            } else {
                self.skip_to_semi();
            }
            return;
        }
        if !t.is('{') {
            self.expected(
                Cause::Syntax,
                t,
                "`{`, `;` or `state`",
                "write `failover peer \"NAME\" { ... }`",
            );
            self.skip_to_semi();
        }
        if exists {
            self.warn(
                Cause::Failover,
                self.span(n),
                "redeclaration of failover peer",
                "declared before",
                "give each failover relationship one declaration",
            );
            self.skip_to_rbrace(1);
            return;
        }
        let mut secondary = false;
        let mut partner_address = false;
        let mut load_balance = false;
        let mut mclt = false;
        loop {
            let mut k = self.next();
            let partner = self.kw(k, "peer");
            while self.kw(k, "peer") {
                k = self.next();
            }
            let word = self.keyword(k);
            if k.is('}') {
                break;
            }
            match word.as_str() {
                "primary" => secondary = false,
                "secondary" => secondary = true,
                "address" if partner => partner_address = true,
                "split" | "hba" => load_balance = true,
                "mclt" => mclt = true,
                _ => {}
            }
            // `load balance max seconds` is four tokens; every other statement is one word
            // (after any `peer`), whose value form the shared table gives.
            let ok = if word == "load" {
                let b = self.next();
                let m = self.next();
                let s = self.next();
                let v = self.next();
                self.kw(b, "balance") && self.kw(m, "max") && self.kw(s, "seconds") && v.is_number()
            } else {
                match crate::dhcpd::peer_statement(&word).map(|s| s.form) {
                    Some(ValueForm::Nothing) => true,
                    Some(ValueForm::Address) => self.ip_addr_or_hostname(Cause::Failover),
                    Some(ValueForm::Number) => self.next().is_number(),
                    Some(ValueForm::Hex) => self
                        .numeric_aggregate(32, ':', 16, 8, Cause::Failover)
                        .is_some(),
                    None => false,
                }
            };
            if !ok {
                self.warn(
                    Cause::Failover,
                    self.span(k),
                    "invalid statement in peer declaration",
                    "not a failover peer statement",
                    "see `dhcpfo lint --explain DF319` for the statements a peer block takes",
                );
                self.skip_to_rbrace(1);
                return;
            }
            let s = self.next();
            if !s.is(';') {
                self.warn(
                    Cause::Failover,
                    self.span(s),
                    "semicolon expected in the peer declaration",
                    "dhcpd expects `;` here",
                    "end each peer statement with `;`",
                );
                self.skip_to_rbrace(1);
                return;
            }
        }
        let end = self.last.unwrap_or(n);
        let missing = if !partner_address {
            Some("peer address may not be omitted")
        } else if !secondary && !load_balance {
            Some("primary failover server must have hba or split")
        } else if !secondary && !mclt {
            Some("primary failover server must have mclt")
        } else {
            None
        };
        if let Some(message) = missing {
            self.warn(
                Cause::Failover,
                self.span(end),
                format!("failover peer {name}: {message}"),
                "the peer declaration ends here",
                "see `dhcpfo lint --explain DF308`, `DF303` and `DF304`",
            );
        }
        self.st.peers.insert(name);
    }

    /// `parse_key` (after `key`).
    pub(super) fn key_statement(&mut self) -> bool {
        let n = self.peek();
        let name = if n.is_string() {
            self.next();
            self.val(n)
        } else {
            match self.host_name() {
                Some((name, _)) => name,
                None => {
                    self.expected(
                        Cause::KeyDeclaration,
                        n,
                        "a key name",
                        "write `key NAME { algorithm ...; secret ...; }`",
                    );
                    self.skip_to_semi();
                    return false;
                }
            }
        };
        let b = self.next();
        if !b.is('{') {
            self.expected(
                Cause::KeyDeclaration,
                b,
                "`{`",
                "write `key NAME { algorithm ...; secret ...; }`",
            );
            return false;
        }
        let mut algorithm = false;
        let mut secret = false;
        let t = loop {
            let t = self.next();
            let word = self.keyword(t);
            match word.as_str() {
                "algorithm" => {
                    if algorithm {
                        self.warn(
                            Cause::KeyDeclaration,
                            self.span(t),
                            format!("key {name}: too many algorithms"),
                            "second `algorithm`",
                            "a key has one algorithm",
                        );
                        self.skip_to_rbrace(1);
                        return false;
                    }
                    algorithm = true;
                    let a = self.peek();
                    if self.host_name().is_none() {
                        self.expected(
                            Cause::KeyDeclaration,
                            a,
                            "an algorithm name",
                            "write `algorithm hmac-md5;` (or hmac-sha256, ...)",
                        );
                        self.skip_to_rbrace(1);
                        return false;
                    }
                    if !self.semi(Cause::KeyDeclaration) {
                        self.skip_to_rbrace(1);
                        return false;
                    }
                }
                "secret" => {
                    if secret {
                        self.warn(
                            Cause::KeyDeclaration,
                            self.span(t),
                            format!("key {name}: too many secrets"),
                            "second `secret`",
                            "a key has one secret",
                        );
                        self.skip_to_rbrace(1);
                        return false;
                    }
                    secret = true;
                    // parse_base64: the first token, then every following token made of
                    // base64 characters only (the secret's bytes are checked when the tree
                    // is built).
                    let first = self.next();
                    if first.is_eof() {
                        break first;
                    }
                    let mut secret_text = self.val(first);
                    loop {
                        let p = self.peek();
                        if p.is_eof() {
                            break;
                        }
                        let v = self.val(p);
                        if v.bytes().all(base64_char) {
                            self.next();
                            secret_text.push_str(&v);
                        } else {
                            break;
                        }
                    }
                    if let Some(problem) = super::base64_problem(&secret_text) {
                        let last = self.last.unwrap_or(first);
                        self.warn(
                            Cause::KeyDeclaration,
                            self.span2(first, last),
                            format!("{problem} in the secret of key {name}"),
                            "not a base64 secret",
                            "a TSIG secret is base64 (A-Z, a-z, 0-9, `+`, `/`, padded with `=`): paste the secret `tsig-keygen` printed, not a placeholder",
                        );
                        self.skip_to_rbrace(1);
                        return false;
                    }
                    if !self.semi(Cause::KeyDeclaration) {
                        self.skip_to_rbrace(1);
                        return false;
                    }
                }
                _ => break t,
            }
        };
        if !t.is('}') {
            let shown = self.shown(t);
            let help = match closest(self.text(t), ["algorithm", "secret"].into_iter()) {
                Some(k) => {
                    format!("did you mean `{k}`? A key block holds only `algorithm` and `secret`")
                }
                None => "a key block holds only `algorithm NAME;` and `secret BASE64;`".to_string(),
            };
            self.warn(
                Cause::KeyDeclaration,
                self.span(t),
                format!("expecting `}}` to close key {name}, found {shown}"),
                "not a key statement",
                help,
            );
            self.skip_to_rbrace(1);
            return false;
        }
        if !algorithm || !secret {
            let missing = match (algorithm, secret) {
                (false, false) => "an algorithm and a secret",
                (false, true) => "an algorithm",
                _ => "a secret",
            };
            self.warn(
                Cause::KeyDeclaration,
                self.span(n),
                format!(
                    "key {name} has no {}: dhcpd 4.4 crashes reading it",
                    missing.trim_start_matches("an ").trim_start_matches("a ")
                ),
                format!("needs {missing}"),
                "give every key both `algorithm NAME;` and `secret BASE64;`",
            );
        }
        if self.peek().is(';') {
            self.next();
        }
        self.st.keys.insert(name.to_ascii_lowercase(), self.span(n));
        true
    }

    /// `zone NAME { ... }` (after `zone`).
    pub(super) fn zone_statement(&mut self) -> bool {
        let n = self.peek();
        let Some((name, _)) = self.host_name() else {
            self.expected(
                Cause::ZoneDeclaration,
                n,
                "a zone name",
                "write `zone example.com. { primary 192.0.2.53; key NAME; }` (unquoted)",
            );
            self.skip_to_semi();
            return false;
        };
        let b = self.next();
        if !b.is('{') {
            self.expected(
                Cause::ZoneDeclaration,
                b,
                "`{`",
                "write `zone NAME { primary ADDRESS; key KEY; }`",
            );
            self.skip_to_semi();
            return false;
        }
        let mut seen: Vec<String> = Vec::new();
        let mut has_key = false;
        loop {
            let t = self.peek();
            let word = self.keyword(t);
            match word.as_str() {
                "primary" | "secondary" | "primary6" | "secondary6" => {
                    if seen.contains(&word) {
                        self.warn(
                            Cause::ZoneDeclaration,
                            self.span(t),
                            format!("zone {name}: more than one {word}"),
                            format!("second `{word}` line"),
                            format!("list every server in one line: `{word} A, B;`"),
                        );
                        self.skip_to_semi();
                        return false;
                    }
                    seen.push(word.clone());
                    self.next();
                    let v6 = word.ends_with('6');
                    loop {
                        let ok = if v6 {
                            self.ip6_addr(Cause::ZoneDeclaration)
                        } else {
                            self.ip_addr_or_hostname(Cause::ZoneDeclaration)
                        };
                        if !ok {
                            return false;
                        }
                        let s = self.next();
                        if s.is(',') {
                            continue;
                        }
                        if !s.is(';') {
                            self.missing_semi(Cause::Syntax, s);
                            self.skip_to_semi();
                            return false;
                        }
                        break;
                    }
                }
                "key" => {
                    self.next();
                    let k = self.peek();
                    let key = if k.is_string() {
                        self.next();
                        self.val(k)
                    } else {
                        match self.host_name() {
                            Some((key, _)) => key,
                            None => {
                                self.expected(
                                    Cause::ZoneDeclaration,
                                    k,
                                    "a key name",
                                    "write `key NAME;`",
                                );
                                self.skip_to_semi();
                                return false;
                            }
                        }
                    };
                    let span = self.span2(k, self.last.unwrap_or(k));
                    if has_key {
                        self.warn(
                            Cause::ZoneDeclaration,
                            span,
                            format!("multiple key definitions for zone {name}"),
                            "second key",
                            "a zone has one key (dhcpd stops at once on this)",
                        );
                    }
                    has_key = true;
                    if !self.st.keys.contains_key(&key.to_ascii_lowercase()) {
                        let known: Vec<String> = self.st.keys.keys().cloned().collect();
                        let help = super::suggest_help(
                            &key,
                            &known,
                            "declare `key NAME { algorithm ...; secret ...; }` before the zone (or include the file that does, earlier)",
                        );
                        self.warn(
                            Cause::UndeclaredKey,
                            span,
                            format!("unknown key {key}"),
                            "no key of this name declared before",
                            help,
                        );
                    }
                    if !self.semi(Cause::Syntax) {
                        return false;
                    }
                }
                _ => break,
            }
        }
        let r = self.next();
        if !r.is('}') {
            let shown = self.shown(r);
            let help = match closest(
                self.text(r),
                ["primary", "secondary", "primary6", "secondary6", "key"].into_iter(),
            ) {
                Some(k) => format!("did you mean `{k}`?"),
                None => {
                    "a zone block holds `primary`, `secondary`, `primary6`, `secondary6` and `key`"
                        .to_string()
                }
            };
            self.warn(
                Cause::ZoneDeclaration,
                self.span(r),
                format!("expecting `}}` to close zone {name}, found {shown}"),
                "not a zone statement",
                help,
            );
            return false;
        }
        true
    }
}
