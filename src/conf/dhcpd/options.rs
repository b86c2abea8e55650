//! Values, option names, option spaces, option definitions and option data, as
//! `common/parse.c` reads them.

use super::lex::Tok;
use super::{Cause, OptDef, Parser, Space, closest};

/// An option named in a statement: its space, its name and its format (`None` when unknown).
#[derive(Debug, Clone)]
pub(super) struct OptRef {
    pub space: usize,
    pub name: String,
    pub known: bool,
    pub format: String,
    /// The name tokens (first through last).
    pub first: Tok,
    pub last: Tok,
}

impl Parser<'_, '_, '_> {
    /// `convert_num`: converts a number token in `base` (0 = from the text: `0x` hex, leading
    /// `0` octal, else decimal) to `size` bits, reporting bogus digits and overflow.
    pub(super) fn convert_num(
        &mut self,
        t: Tok,
        base: u32,
        size: u32,
        cause: Cause,
    ) -> Option<u64> {
        let text = self.text(t).to_string();
        let (negative, mut digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.as_str()),
        };
        let mut base = base;
        if base == 0 {
            let b = digits.as_bytes();
            if b.first() == Some(&b'0') && b.get(1) == Some(&b'x') {
                base = 16;
                digits = &digits[2..];
            } else if b.first() == Some(&b'0') && b.get(1).is_some_and(u8::is_ascii_digit) {
                base = 8;
                digits = &digits[1..];
            } else {
                base = 10;
            }
        }
        let mut val: u32 = 0;
        let bytes = digits.as_bytes();
        let mut i = 0;
        // dhcpd's loop reads at least one character (the terminating NUL of an empty string).
        loop {
            let c = bytes.get(i).copied().unwrap_or(0);
            i += 1;
            let d = if c >= b'a' {
                u32::from(c - b'a') + 10
            } else if c >= b'A' {
                u32::from(c - b'A') + 10
            } else if c >= b'0' {
                u32::from(c - b'0')
            } else {
                let span = self.span(t);
                self.warn(
                    cause,
                    span,
                    format!("bogus number {}", self.shown(t)),
                    "not a number",
                    "write a number here",
                );
                return None;
            };
            if d >= base {
                let span = self.span(t);
                let word = self.shown(t);
                let help = if base == 16 {
                    "a hex number: digits 0-9 and a-f only (dhcpd reads a bare word here as hex data)"
                } else {
                    "a decimal number (a leading 0 means octal, 0x hex)"
                };
                self.warn(
                    cause,
                    span,
                    format!("bogus number {word}: digit {d} is not in base {base}"),
                    format!("dhcpd reads this as a base-{base} number"),
                    help,
                );
                return None;
            }
            val = val.wrapping_mul(base).wrapping_add(d);
            if i >= bytes.len() {
                break;
            }
        }
        let max: u64 = if size >= 32 {
            u64::from(u32::MAX)
        } else if negative {
            1 << (size - 1)
        } else {
            (1 << size) - 1
        };
        if size < 32 && u64::from(val) > max {
            let span = self.span(t);
            let shown = self.shown(t);
            let (message, label) = if cause == Cause::BadAddress && size == 8 {
                (
                    format!("{shown} exceeds the maximum (255) of an IPv4 address octet"),
                    "octets go from 0 to 255".to_string(),
                )
            } else {
                (
                    format!("{shown} exceeds the maximum ({max}) of a {size}-bit value"),
                    format!("too big for {size} bits"),
                )
            };
            self.warn(
                cause,
                span,
                message,
                label,
                format!("use a value from 0 to {max}"),
            );
            return None;
        }
        // A negative number is stored in two's complement (`-1` as an octet is 255).
        let bits = if size >= 64 {
            u64::MAX
        } else {
            (1u64 << size) - 1
        };
        Some(if negative {
            (u64::from(val)).wrapping_neg() & bits
        } else {
            u64::from(val) & bits
        })
    }

    /// `parse_numeric_aggregate`: `count` numbers (0 = any) separated by `sep`, each `size`
    /// bits in `base`. Returns the numbers, or `None` after reporting the problem.
    pub(super) fn numeric_aggregate(
        &mut self,
        count: usize,
        sep: char,
        base: u32,
        size: u32,
        cause: Cause,
    ) -> Option<Vec<u64>> {
        let mut out = Vec::new();
        let first = self.peek();
        loop {
            if !out.is_empty() {
                let t = self.peek();
                if !t.is(sep) {
                    if count == 0 {
                        break;
                    }
                    let t = if t.is('{') || t.is('}') {
                        t
                    } else {
                        self.next()
                    };
                    let what = if sep == '.' {
                        "an IPv4 address"
                    } else {
                        "a value"
                    };
                    self.warn(
                        cause,
                        self.span2(first, t),
                        format!(
                            "too few numbers in {what}: {} of {count}, then {}",
                            out.len(),
                            self.shown(t)
                        ),
                        format!("dhcpd expects {count} numbers separated by `{sep}`"),
                        if sep == '.' {
                            "write a complete dotted quad such as 192.0.2.1"
                        } else {
                            "complete the value"
                        },
                    );
                    if !t.is(';') {
                        self.skip_to_semi();
                    }
                    return None;
                }
                self.next();
            }
            let t = self.next();
            if t.is_eof() {
                self.warn(
                    Cause::Syntax,
                    self.span(t),
                    "unexpected end of file",
                    "the file ends here",
                    "complete the statement",
                );
                break;
            }
            if !(t.is_number() || (base == 16 && t.is_number_or_name())) {
                let shown = self.shown(t);
                let (message, help) = if sep == '.' {
                    (
                        format!("expecting a numeric IPv4 address, found {shown}"),
                        "dhcpd needs a dotted quad of decimal numbers here; host names and placeholders are not allowed",
                    )
                } else {
                    (
                        format!("expecting a hex number, found {shown}"),
                        "write colon-separated hex octets such as 00:11:22:33:44:55",
                    )
                };
                self.warn(cause, self.span(t), message, "not a number", help);
                self.skip_to_semi();
                return None;
            }
            // dhcpd reports a bad number but goes on reading the aggregate.
            let v = self.convert_num(t, base, size, cause).unwrap_or(0);
            out.push(v);
            if count != 0 && out.len() == count {
                break;
            }
        }
        Some(out)
    }

    /// `parse_ip_addr`: four decimal octets.
    pub(super) fn ip_addr(&mut self, cause: Cause) -> Option<u32> {
        let v = self.numeric_aggregate(4, '.', 10, 8, cause)?;
        if v.len() != 4 {
            return None;
        }
        Some(v.iter().fold(0u32, |a, o| (a << 8) | (*o as u32)))
    }

    /// `parse_host_name`: identifiers or numbers joined by dots. Returns the name and its
    /// last token, or `None` (nothing consumed) when the next token cannot start one.
    pub(super) fn host_name(&mut self) -> Option<(String, Tok)> {
        let mut name = String::new();
        let mut last = None;
        loop {
            let t = self.peek();
            if !t.is_identifier() && !t.is_number() {
                break;
            }
            self.next();
            if !name.is_empty() {
                name.push('.');
            }
            name.push_str(self.text(t));
            last = Some(t);
            if self.peek().is('.') {
                let dot = self.next();
                last = Some(dot);
            } else {
                break;
            }
        }
        if let Some(l) = last
            && l.is('.')
        {
            name.push('.');
        }
        last.map(|l| (name, l))
    }

    /// `parse_ip_addr_or_hostname`.
    pub(super) fn ip_addr_or_hostname(&mut self, cause: Cause) -> bool {
        let t = self.peek();
        if t.is_number() {
            let is_addr =
                self.peek2().is('.') && self.toks.get(self.pos + 2).is_some_and(|x| x.is_number());
            if is_addr {
                // A dotted quad is an address whatever the statement: its problems are
                // address problems.
                return self.ip_addr(Cause::BadAddress).is_some();
            }
        }
        if t.is_identifier() || t.is_number() {
            return self.host_name().is_some();
        }
        let t = if !t.is('{') && !t.is('}') {
            self.next()
        } else {
            t
        };
        let shown = self.shown(t);
        let quoted = t.is_string();
        self.warn(
            cause,
            self.span(t),
            format!("expecting an IP address or host name, found {shown}"),
            "not an address",
            if quoted {
                "remove the quotes: addresses and host names are written bare"
            } else {
                "write an IPv4 address such as 192.0.2.1 or a host name"
            },
        );
        if !t.is(';') {
            self.skip_to_semi();
        }
        false
    }

    /// `parse_cshl`: a colon-separated list of hex octets.
    pub(super) fn cshl(&mut self, cause: Cause) -> bool {
        loop {
            let t = self.next();
            if !t.is_number() && !t.is_number_or_name() {
                let shown = self.shown(t);
                self.warn(
                    cause,
                    self.span(t),
                    format!("expecting a hexadecimal number, found {shown}"),
                    "not a hex octet",
                    "write colon-separated hex octets such as 01:02:03",
                );
                self.skip_to_semi();
                return false;
            }
            // dhcpd warns but keeps going on a bogus octet.
            let _ = self.convert_num(t, 16, 8, cause);
            if !self.peek().is(':') {
                return true;
            }
            self.next();
        }
    }

    /// `parse_ip6_addr`: the run of hex words, numbers, dots and colons written without spaces.
    pub(super) fn ip6_addr(&mut self, cause: Cause) -> bool {
        let first = self.peek();
        let mut text = String::new();
        let mut end = first.start;
        let mut any = false;
        loop {
            let t = self.peek();
            if any && t.start != end {
                break;
            }
            let word = self.text(t);
            let ok = ((t.is_identifier() && !t.keyword) || self.kw(t, "add"))
                && word.chars().all(|c| c.is_ascii_hexdigit())
                || t.is_number()
                || t.is('.')
                || t.is(':');
            if !ok {
                break;
            }
            text.push_str(word);
            end = t.end;
            any = true;
            self.next();
        }
        if text.parse::<std::net::Ipv6Addr>().is_err() {
            let last = self.last.unwrap_or(first);
            self.warn(
                cause,
                self.span2(first, last),
                format!("invalid IPv6 address `{text}`"),
                "not an IPv6 address",
                "write an IPv6 address such as 2001:db8::1",
            );
            self.skip_to_semi();
            return false;
        }
        true
    }

    /// `parse_option_name`: `[SPACE.]NAME`. With `allocate`, an unknown name is returned as
    /// unknown (it may be a definition); without, it is reported.
    pub(super) fn option_name(&mut self, allocate: bool) -> Option<OptRef> {
        let first = self.next();
        if !first.is_identifier() {
            let shown = self.shown(first);
            self.warn(
                Cause::Syntax,
                self.span(first),
                format!("expecting an option name after `option`, found {shown}"),
                "not an option name",
                "write the option's name (e.g. `option routers 192.0.2.1;`)",
            );
            if !first.is(';') {
                self.skip_to_semi();
            }
            return None;
        }
        let mut last = first;
        let mut name = self.text(first).to_string();
        let space = if self.peek().is('.') {
            self.next();
            let t = self.next();
            if !t.is_identifier() {
                let shown = self.shown(t);
                self.warn(
                    Cause::Syntax,
                    self.span(t),
                    format!("expecting an option name after `.`, found {shown}"),
                    "not an option name",
                    "write SPACE.NAME",
                );
                if !t.is(';') {
                    self.skip_to_semi();
                }
                return None;
            }
            last = t;
            let space_name = name.clone();
            name = self.text(t).to_string();
            match self.st.space(&space_name) {
                Some(s) => s,
                None => {
                    let known: Vec<&str> = self.st.spaces.iter().map(|s| s.name.as_str()).collect();
                    let help = match closest(&space_name, known.into_iter()) {
                        Some(k) => format!(
                            "did you mean `{k}`? Declare new spaces first with `option space {space_name};`"
                        ),
                        None => format!(
                            "declare it first with `option space {space_name};`, before this line"
                        ),
                    };
                    self.warn(
                        Cause::UnknownOption,
                        self.span(first),
                        format!("no option space named {space_name}"),
                        "unknown option space",
                        help,
                    );
                    self.skip_to_semi();
                    return None;
                }
            }
        } else {
            0
        };
        let found = self.st.spaces[space]
            .options
            .get(&name.to_ascii_lowercase())
            .cloned();
        if let Some(def) = found {
            return Some(OptRef {
                space,
                name: def.name,
                known: true,
                format: def.format,
                first,
                last,
            });
        }
        if name.len() > 8 && name[..8].eq_ignore_ascii_case("unknown-") {
            let code: u32 = name[8..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
                .parse()
                .unwrap_or(0);
            let sp = &self.st.spaces[space];
            if code == 0 || code == sp.end {
                let message = format!(
                    "option codes 0 and {} are illegal in the {} space",
                    sp.end, sp.name
                );
                self.warn(
                    Cause::UnknownOption,
                    self.span2(first, last),
                    message,
                    "illegal option code",
                    "use an option code from 1 to 254",
                );
                self.skip_to_semi();
                return None;
            }
            let format = sp
                .codes
                .get(&code)
                .and_then(|n| sp.options.get(&n.to_ascii_lowercase()))
                .map_or_else(|| "X".to_string(), |d| d.format.clone());
            return Some(OptRef {
                space,
                name,
                known: true,
                format,
                first,
                last,
            });
        }
        if allocate {
            return Some(OptRef {
                space,
                name,
                known: false,
                format: String::new(),
                first,
                last,
            });
        }
        let sp_name = self.st.spaces[space].name.clone();
        self.unknown_option(
            space,
            &name,
            first,
            last,
            &format!("no option named {name} in space {sp_name}"),
        );
        self.skip_to_semi();
        None
    }

    /// Reports an unknown option, with a did-you-mean among the space's options.
    pub(super) fn unknown_option(
        &mut self,
        space: usize,
        name: &str,
        first: Tok,
        last: Tok,
        message: &str,
    ) {
        let sp = &self.st.spaces[space];
        let known: Vec<&str> = sp.options.values().map(|d| d.name.as_str()).collect();
        let code_hint = match name.to_ascii_lowercase().strip_prefix("option-") {
            Some(code) if code.chars().all(|c| c.is_ascii_digit()) => format!(
                "dhcpd has no `option-{code}` names: define it with `option NAME code {code} = TYPE;` before use, or write `unknown-{code}`"
            ),
            _ => String::new(),
        };
        let help = match closest(name, known.into_iter()) {
            Some(k) => format!(
                "did you mean `{k}`? Otherwise define it first with `option {name} code N = TYPE;`"
            ),
            None if !code_hint.is_empty() => code_hint,
            None => format!(
                "define it before this line with `option {name} code N = TYPE;` (at the top level), or check the spelling"
            ),
        };
        self.warn(
            Cause::UnknownOption,
            self.span2(first, last),
            message.to_string(),
            "dhcpd does not know this option here",
            help,
        );
    }

    /// `parse_option_space_decl` (after `option space`).
    pub(super) fn option_space_decl(&mut self) {
        let t = self.next();
        if !t.is_identifier() {
            let shown = self.shown(t);
            self.warn(
                Cause::OptionSpace,
                self.span(t),
                format!("expecting an option space name, found {shown}"),
                "not a name",
                "write `option space NAME;`",
            );
            self.skip_to_semi();
            return;
        }
        let name = self.text(t).to_string();
        let mut ok = true;
        loop {
            let k = self.next();
            if k.is(';') || k.is_eof() {
                break;
            }
            let word = self.keyword(k);
            let bad = |p: &mut Self, at: Tok, message: String, help: &str| {
                p.warn(Cause::OptionSpace, p.span(at), message, "here", help);
                p.skip_to_semi();
            };
            match word.as_str() {
                "code" | "length" => {
                    let w = self.next();
                    if !self.kw(w, "width") {
                        let m =
                            format!("expecting `width` after `{word}`, found {}", self.shown(w));
                        bad(self, w, m, "write `code width N` or `length width N`");
                        ok = false;
                        break;
                    }
                    let n = self.next();
                    if !n.is_number() {
                        let m = format!(
                            "expecting a number after `{word} width`, found {}",
                            self.shown(n)
                        );
                        bad(
                            self,
                            n,
                            m,
                            "code width is 1, 2 or 4; length width is 1 or 2",
                        );
                        ok = false;
                        break;
                    }
                    let v = super::atoi(self.text(n));
                    if word == "code" && ![1, 2, 4].contains(&v) {
                        let m = format!("invalid code width ({v}), expecting 1, 2 or 4");
                        bad(self, n, m, "use `code width 1`, `2` or `4`");
                        ok = false;
                        break;
                    }
                    if word == "length" && ![1, 2].contains(&v) {
                        let m = format!("invalid length width ({v}), expecting 1 or 2");
                        bad(
                            self,
                            n,
                            m,
                            "use `length width 1` or `2` (dhcpd 4.4 refuses 0 and 4, whatever the manual says)",
                        );
                        ok = false;
                        break;
                    }
                }
                "hash" => {
                    let s = self.next();
                    if !self.kw(s, "size") {
                        let m = format!("expecting `size` after `hash`, found {}", self.shown(s));
                        bad(self, s, m, "write `hash size N`");
                        ok = false;
                        break;
                    }
                    let n = self.next();
                    if !n.is_number() {
                        let m = format!(
                            "expecting a number after `hash size`, found {}",
                            self.shown(n)
                        );
                        bad(self, n, m, "write `hash size N` with a decimal N");
                        ok = false;
                        break;
                    }
                }
                _ => {
                    let m = format!(
                        "unexpected {} in an option space declaration",
                        self.shown(k)
                    );
                    self.warn(
                        Cause::OptionSpace,
                        self.span(k),
                        m,
                        "here",
                        "an option space takes only `code width N`, `length width N` and `hash size N`",
                    );
                    ok = false;
                }
            }
        }
        if ok && self.st.space(&name).is_none() {
            self.st.spaces.push(Space {
                name,
                options: Default::default(),
                codes: Default::default(),
                end: 0,
            });
        } else if ok && let Some(i) = self.st.space(&name) {
            // A redeclared space starts empty again.
            self.st.spaces[i].options.clear();
            self.st.spaces[i].codes.clear();
        }
    }

    /// `parse_option_code_definition` (after `option NAME code`).
    pub(super) fn option_code_definition(&mut self, opt: &OptRef) {
        let bad = |p: &mut Self, at: Tok, message: String, help: &str| {
            p.warn(Cause::OptionDefinition, p.span(at), message, "here", help);
        };
        let t = self.next();
        if !t.is_number() {
            let m = format!("expecting an option code number, found {}", self.shown(t));
            bad(
                self,
                t,
                m,
                "write `option NAME code N = TYPE;` with a decimal code",
            );
            self.skip_to_semi();
            return;
        }
        let code = super::atoi(self.text(t)) as u32;
        let t = self.next();
        if !t.is('=') {
            let m = format!("expecting `=`, found {}", self.shown(t));
            bad(self, t, m, "write `option NAME code N = TYPE;`");
            self.skip_to_semi();
            return;
        }
        let mut format = String::new();
        let mut arrayp = 0u8;
        let mut recordp = false;
        let mut no_more_in_record = false;
        let mut has_encapsulation = false;
        let mut t = self.next();
        if self.kw(t, "array") {
            let of = self.next();
            if !self.kw(of, "of") {
                let m = format!("expecting `of`, found {}", self.shown(of));
                bad(self, of, m, "write `array of TYPE`");
                self.skip_to_semi();
                return;
            }
            arrayp = 1;
            t = self.next();
        }
        if t.is('{') {
            recordp = true;
            t = self.next();
        }
        let types_help = "types: boolean, [un]signed integer 8|16|32, ip-address, ip6-address, text, string, domain-name, domain-list [compressed], encapsulate SPACE, zerolen, array of T, { T, T }";
        let skip_bad = |p: &mut Self, recordp: bool| {
            p.skip_to_rbrace(usize::from(recordp));
            if recordp {
                p.skip_to_semi();
            }
        };
        loop {
            if has_encapsulation {
                let m = "encapsulate must always be the last item".to_string();
                bad(self, t, m, "put `encapsulate SPACE` last");
                self.skip_to_semi();
                return;
            }
            let word = self.keyword(t);
            let ty: String = match word.as_str() {
                "array" => {
                    if arrayp > 0 {
                        bad(
                            self,
                            t,
                            "no nested arrays".into(),
                            "an array's element type cannot be an array",
                        );
                        skip_bad(self, recordp);
                        return;
                    }
                    let of = self.next();
                    if !self.kw(of, "of") {
                        let m = format!("expecting `of`, found {}", self.shown(of));
                        bad(self, of, m, "write `array of TYPE`");
                        self.skip_to_semi();
                        return;
                    }
                    arrayp = u8::from(recordp) + 1;
                    t = self.next();
                    if recordp && t.is('{') {
                        bad(
                            self,
                            t,
                            "only uniform arrays inside a record".into(),
                            "an array inside a record must be of one simple type",
                        );
                        self.skip_to_rbrace(2);
                        self.skip_to_semi();
                        return;
                    }
                    continue;
                }
                "boolean" => "f".into(),
                "integer" | "signed" | "unsigned" => {
                    let signed = word != "unsigned";
                    if word != "integer" {
                        let i = self.next();
                        if !self.kw(i, "integer") {
                            let m = format!("expecting `integer`, found {}", self.shown(i));
                            bad(
                                self,
                                i,
                                m,
                                "write `signed integer N` or `unsigned integer N`",
                            );
                            skip_bad(self, recordp);
                            return;
                        }
                    }
                    let n = self.next();
                    if !n.is_number() {
                        let m = format!("expecting a number of bits, found {}", self.shown(n));
                        bad(self, n, m, "integer widths are 8, 16 or 32");
                        skip_bad(self, recordp);
                        return;
                    }
                    match super::atoi(self.text(n)) {
                        8 => if signed { "b" } else { "B" }.into(),
                        16 => if signed { "s" } else { "S" }.into(),
                        32 => if signed { "l" } else { "L" }.into(),
                        _ => {
                            let other = self.text(n).to_string();
                            let m = format!("{other} bit precision is not supported");
                            bad(self, n, m, "integer widths are 8, 16 or 32");
                            skip_bad(self, recordp);
                            return;
                        }
                    }
                }
                "ip-address" => "I".into(),
                "ip6-address" => "6".into(),
                "domain-name" | "domain-list" | "text" | "string" => {
                    let letter = match word.as_str() {
                        "domain-name" => "d".to_string(),
                        "domain-list" => {
                            if self.kw(self.peek(), "compressed") {
                                self.next();
                                "Dc".to_string()
                            } else {
                                "D".to_string()
                            }
                        }
                        "text" => "t".to_string(),
                        _ => "X".to_string(),
                    };
                    if arrayp > 0 {
                        bad(
                            self,
                            t,
                            format!("arrays of {word} are not supported"),
                            "use a single value, or a record ending in this type",
                        );
                        skip_bad(self, recordp);
                        return;
                    }
                    no_more_in_record = true;
                    letter
                }
                "encapsulate" => {
                    let s = self.next();
                    if !s.is_identifier() {
                        let m = format!("expecting an option space name, found {}", self.shown(s));
                        bad(self, s, m, "write `encapsulate SPACE`");
                        self.skip_to_semi();
                        return;
                    }
                    let space = self.text(s).to_string();
                    if self.st.space(&space).is_none() {
                        self.warn(
                            Cause::UnknownOption,
                            self.span(s),
                            format!("unknown option space {space}"),
                            "not declared (yet)",
                            format!("declare it first with `option space {space};`"),
                        );
                        self.skip_to_semi();
                        return;
                    }
                    has_encapsulation = true;
                    format!("E{space}.")
                }
                "zerolen" => {
                    if arrayp > 0 {
                        bad(
                            self,
                            t,
                            "array incompatible with zerolen".into(),
                            "zerolen takes no value",
                        );
                        skip_bad(self, recordp);
                        return;
                    }
                    no_more_in_record = true;
                    "Z".into()
                }
                _ => {
                    let shown = self.shown(t);
                    let m = format!("unknown data type {shown}");
                    bad(self, t, m, types_help);
                    skip_bad(self, recordp);
                    return;
                }
            };
            format.push_str(&ty);
            if recordp {
                t = self.next();
                if arrayp > u8::from(recordp) {
                    arrayp = 0;
                    format.push('a');
                }
                if t.is(',') {
                    if no_more_in_record {
                        bad(
                            self,
                            t,
                            "text and string must be at the end of a record".into(),
                            "move the text/string field last",
                        );
                        self.skip_to_rbrace(1);
                        self.skip_to_semi();
                        return;
                    }
                    t = self.next();
                    continue;
                }
                if !t.is('}') {
                    let m = format!("expecting `}}`, found {}", self.shown(t));
                    bad(self, t, m, "close the record with `}`");
                    self.skip_to_rbrace(1);
                    self.skip_to_semi();
                    return;
                }
            }
            break;
        }
        let s = self.next();
        if !s.is(';') {
            self.missing_semi(Cause::OptionDefinition, s);
            self.skip_to_semi();
            return;
        }
        if has_encapsulation && arrayp > 0 {
            bad(
                self,
                s,
                "arrays of encapsulations don't make sense".into(),
                "remove `array of`",
            );
            return;
        }
        if arrayp > 0 {
            format.push(if arrayp > u8::from(recordp) { 'a' } else { 'A' });
        }
        let sp = &mut self.st.spaces[opt.space];
        if let Some(old) = sp
            .options
            .get(&opt.name.to_ascii_lowercase())
            .map(|d| d.code)
        {
            // A known name is removed from both tables before it is redefined.
            if sp
                .codes
                .get(&old)
                .is_some_and(|n| n.eq_ignore_ascii_case(&opt.name))
            {
                sp.codes.remove(&old);
            }
        }
        sp.codes.insert(code, opt.name.clone());
        sp.options.insert(
            opt.name.to_ascii_lowercase(),
            OptDef {
                name: opt.name.clone(),
                code,
                format,
            },
        );
    }

    /// `parse_option_statement` (after the option name): `;`, `= EXPR;` or values then `;`.
    pub(super) fn option_statement(&mut self, opt: &OptRef, cause: Cause) -> bool {
        let t = self.peek();
        if t.is(';') && !opt.format.starts_with('Z') {
            // dhcpd eats this `;` as an empty value, then still expects the statement's `;`:
            // `NAME;` alone swallows the next statement's first token.
            self.next();
        } else if t.is('=') {
            self.next();
            let mut lose = false;
            if self.data_expression(&mut lose).is_none() {
                if !lose {
                    let t = self.peek();
                    self.expected(
                        Cause::Expression,
                        t,
                        "a data expression",
                        "after `=` write an expression such as `concat(...)`, `\"text\"` or `option NAME`",
                    );
                    self.skip_to_semi();
                }
                return false;
            }
        } else if !self.option_data(opt, cause) {
            return false;
        }
        let s = self.peek();
        if t.is(';') && !s.is(';') {
            self.next();
            let name = opt.name.clone();
            self.warn(
                cause,
                self.span(t),
                format!("{name} has no value"),
                "a value is missing here",
                format!("write a value for {name} before the `;` (dhcpd reads `{name};` as an empty value and then expects another `;`)"),
            );
            self.skip_to_semi();
            return false;
        }
        self.semi(cause)
    }

    /// `parse_option_data`: the values of an option by its format.
    pub(super) fn option_data(&mut self, opt: &OptRef, cause: Cause) -> bool {
        let fmt: Vec<char> = opt.format.chars().collect();
        let at = |i: usize| fmt.get(i).copied().unwrap_or('\0');
        let mut f: Option<usize> = None;
        loop {
            // and_again:
            let mut i = match f {
                Some(i) if i != 0 && at(i) == 'a' => i - 1,
                Some(i) if at(i) != 'A' => i,
                _ => 0,
            };
            loop {
                let c = at(i);
                if c == 'A' || c == 'a' || c == '\0' {
                    break;
                }
                if c == 'o' {
                    i += 1;
                    continue;
                }
                if at(i + 1) == 'o' && self.peek().is(';') {
                    i += 1;
                    continue;
                }
                if self.option_token(&fmt, &mut i, opt, cause).is_none() && at(i + 1) != 'o' {
                    return false;
                }
                i += 1;
            }
            f = Some(i);
            let c = at(i);
            if c != 'A' && c != 'a' {
                return true;
            }
            if self.peek().is(',') {
                self.next();
                continue;
            }
            if c == 'A' || at(i + 1) == '\0' {
                return true;
            }
            // `a` followed by more format: go on with the next letter.
            f = Some(i + 1);
        }
    }

    /// `parse_option_token`: one value of format letter `fmt[*idx]`.
    fn option_token(
        &mut self,
        fmt: &[char],
        idx: &mut usize,
        opt: &OptRef,
        cause: Cause,
    ) -> Option<()> {
        let letter = fmt.get(*idx).copied().unwrap_or('X');
        let optional = fmt.get(*idx + 1) == Some(&'o');
        let name = opt.name.clone();
        match letter {
            'U' => {
                let t = self.next();
                if !t.is_identifier() {
                    if !optional {
                        let m =
                            format!("{name} takes an option space name, found {}", self.shown(t));
                        self.warn(
                            cause,
                            self.span(t),
                            m,
                            "not a name",
                            "write the name of an option space, unquoted",
                        );
                        if !t.is(';') {
                            self.skip_to_semi();
                        }
                    }
                    return None;
                }
            }
            'E' | 'X' => {
                if letter == 'E' {
                    // Skip the space name up to the dot.
                    while *idx < fmt.len() && fmt[*idx] != '.' {
                        *idx += 1;
                    }
                }
                let t = self.peek();
                if t.is_number_or_name() || t.is_number() {
                    if !self.cshl(cause) {
                        return None;
                    }
                } else {
                    let t = self.next();
                    if !t.is_string() {
                        if !optional {
                            let shown = self.shown(t);
                            self.warn(
                                cause,
                                self.span(t),
                                format!("{name} takes a quoted string or colon-separated hex bytes, found {shown}"),
                                "expecting string or hexadecimal data",
                                "write \"text\" or hex octets such as 01:02:03",
                            );
                            self.skip_to_semi();
                        }
                        return None;
                    }
                }
            }
            'D' => {
                if fmt.get(*idx + 1) == Some(&'c') {
                    *idx += 1;
                }
                loop {
                    let t = self.next();
                    if !t.is_string() {
                        let shown = self.shown(t);
                        self.warn(
                            cause,
                            self.span(t),
                            format!("{name} takes quoted domain names separated by commas, found {shown}"),
                            "expecting a domain string",
                            "write \"example.com\", \"example.net\"",
                        );
                        if !optional {
                            self.skip_to_semi();
                        }
                        return None;
                    }
                    let value = self.val(t);
                    if !valid_domain(&value) {
                        self.warn(
                            cause,
                            self.span(t),
                            format!("`{value}` is not a valid domain name"),
                            "labels are 1..63 characters, names up to 255",
                            "check for empty labels (`..`) and over-long labels",
                        );
                        return None;
                    }
                    if !self.peek().is(',') {
                        break;
                    }
                    self.next();
                }
            }
            'd' => {
                let t = self.peek();
                match self.host_name() {
                    Some((value, _)) if valid_domain(&value) => {}
                    _ => {
                        let shown = self.shown(t);
                        self.warn(
                            cause,
                            self.span(t),
                            format!("{name} takes a domain name, found {shown}"),
                            "not a valid domain name",
                            "write an unquoted domain name such as example.com",
                        );
                        self.skip_to_semi();
                        return None;
                    }
                }
            }
            't' => {
                let t = self.next();
                if !t.is_string() && !t.is_identifier() {
                    if !optional {
                        let shown = self.shown(t);
                        let dotted_hint = t.is_number() || t.is('.');
                        self.warn(
                            cause,
                            self.span(t),
                            format!("{name} takes a quoted string, found {shown}"),
                            "expecting a string",
                            if dotted_hint {
                                "quote the value: \"...\""
                            } else {
                                "write the value in double quotes"
                            },
                        );
                        if !t.is(';') {
                            self.skip_to_semi();
                        }
                    }
                    return None;
                }
            }
            'k' => {
                let t = self.peek();
                let key = if t.is_string() {
                    self.next();
                    Some(self.val(t))
                } else {
                    self.host_name().map(|(n, _)| n)
                };
                match key {
                    Some(k) => {
                        if name == "omapi-key" {
                            let last = self.last.unwrap_or(t);
                            self.st.omapi_keys.push((k, self.span2(t, last)));
                        }
                    }
                    None => {
                        let shown = self.shown(t);
                        self.warn(
                            cause,
                            self.span(t),
                            format!("{name} takes a key name, found {shown}"),
                            "not a valid key name",
                            "write the name of a declared key",
                        );
                        self.skip_to_semi();
                        return None;
                    }
                }
            }
            'N' => {
                let start = *idx + 1;
                let mut end = start;
                while end < fmt.len() && fmt[end] != '.' {
                    end += 1;
                }
                let enum_name: String = fmt.get(start..end).unwrap_or_default().iter().collect();
                *idx = end;
                let t = self.next();
                if !t.is_identifier() {
                    let shown = self.shown(t);
                    self.warn(
                        cause,
                        self.span(t),
                        format!("{name} takes one of its keywords, found {shown}"),
                        "identifier expected",
                        enum_help(&enum_name),
                    );
                    self.skip_to_semi();
                    return None;
                }
                let value = self.text(t).to_string();
                let values = crate::dhcpd::tables::ENUMERATIONS
                    .iter()
                    .find(|(n, _)| *n == enum_name)
                    .map_or(&[][..], |(_, v)| *v);
                if !values.contains(&value.as_str()) {
                    let help = match closest(&value, values.iter().copied()) {
                        Some(k) => format!("did you mean `{k}`? ({})", enum_help(&enum_name)),
                        None => enum_help(&enum_name),
                    };
                    self.warn(
                        cause,
                        self.span(t),
                        format!("unknown value `{value}` for {name}"),
                        "not one of its values",
                        help,
                    );
                    self.skip_to_semi();
                    return None;
                }
            }
            'I' => {
                if !self.ip_addr_or_hostname(cause) {
                    return None;
                }
            }
            '6' => {
                if !self.ip6_addr(cause) {
                    return None;
                }
            }
            'T' | 'L' | 'l' | 's' | 'S' | 'b' | 'B' => {
                let t = self.next();
                if letter == 'T' && self.kw(t, "infinite") {
                    return Some(());
                }
                if !t.is_number() && !t.is_number_or_name() {
                    if !optional {
                        let shown = self.shown(t);
                        let what = match letter {
                            'T' => "a number of seconds (or `infinite`)",
                            'B' | 'b' => "an 8-bit number",
                            'S' | 's' => "a 16-bit number",
                            _ => "a 32-bit number",
                        };
                        self.warn(
                            cause,
                            self.span(t),
                            format!("{name} takes {what}, found {shown}"),
                            "expecting a number",
                            "write a decimal number (0x for hex)",
                        );
                        if !t.is(';') {
                            self.skip_to_semi();
                        }
                    }
                    return None;
                }
                let size = match letter {
                    'B' | 'b' => 8,
                    'S' | 's' => 16,
                    _ => 32,
                };
                // dhcpd reports a bad number but keeps the statement.
                let _ = self.convert_num(t, 0, size, cause);
            }
            'f' => {
                let t = self.next();
                if !t.is_identifier() {
                    if !optional {
                        let shown = self.shown(t);
                        self.warn(
                            cause,
                            self.span(t),
                            format!("{name} takes true/false/on/off, found {shown}"),
                            "expecting an identifier",
                            "write on, off, true, false or ignore",
                        );
                        if !t.is(';') {
                            self.skip_to_semi();
                        }
                    }
                    return None;
                }
                let v = self.text(t).to_ascii_lowercase();
                if !["true", "on", "false", "off", "ignore"].contains(&v.as_str()) {
                    if !optional {
                        let shown = self.shown(t);
                        self.warn(
                            cause,
                            self.span(t),
                            format!("{name} takes true/false/on/off, found {shown}"),
                            "expecting a boolean",
                            "write on, off, true, false or ignore",
                        );
                        if !t.is(';') {
                            self.skip_to_semi();
                        }
                    }
                    return None;
                }
            }
            'Z' => {
                let t = self.peek();
                if !t.is(';') {
                    self.missing_semi(cause, t);
                    self.skip_to_semi();
                }
            }
            _ => {
                let t = self.peek();
                self.warn(
                    cause,
                    self.span(t),
                    format!("dhcpd cannot read values of {name} (format `{letter}`)"),
                    "here",
                    "set this option with `= EXPR` instead",
                );
                self.skip_to_semi();
                return None;
            }
        }
        Some(())
    }
}

fn enum_help(name: &str) -> String {
    let values = crate::dhcpd::tables::ENUMERATIONS
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(&[][..], |(_, v)| *v);
    format!("one of: {}", values.join(", "))
}

/// What `MRns_name_pton` accepts: labels of 1..63 bytes, 255 bytes in all.
fn valid_domain(name: &str) -> bool {
    if name.is_empty() || name == "." {
        return true;
    }
    let trimmed = name.strip_suffix('.').unwrap_or(name);
    trimmed.len() < 255 && trimmed.split('.').all(|l| !l.is_empty() && l.len() <= 63)
}
