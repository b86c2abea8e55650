//! Expressions (`parse_expression`, `parse_non_binary` in common/parse.c; the type tests of
//! common/tree.c).

use super::lex::Tok;
use super::{Cause, Parser};

/// What an expression parse expects (`enum expression_context`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Context {
    Any,
    Numeric,
    Boolean,
    Data,
    DataOrNumeric,
}

/// The top operator of an expression (`enum expr_op`), as far as its type matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Op {
    None,
    Check,
    Not,
    Exists,
    Static,
    Known,
    Substring,
    Suffix,
    Lcase,
    Ucase,
    Concat,
    BinaryToAscii,
    Reverse,
    PickFirstValue,
    Option,
    ConfigOption,
    Hardware,
    LeasedAddress,
    ClientState,
    Filename,
    Sname,
    LeaseTime,
    Null,
    HostDeclName,
    Packet,
    ConstData,
    ExtractInt,
    EncodeInt,
    ConstInt,
    VariableExists,
    Gethostname,
    HostLookup,
    V6relay,
    VariableReference,
    Funcall,
    Equal,
    NotEqual,
    RegexMatch,
    IregexMatch,
    And,
    Or,
    Add,
    Subtract,
    Multiply,
    Divide,
    Remainder,
    BinaryAnd,
    BinaryOr,
    BinaryXor,
}

impl Op {
    /// `is_boolean_expression`.
    pub(super) fn is_boolean(self) -> bool {
        matches!(
            self,
            Op::Check
                | Op::Exists
                | Op::VariableExists
                | Op::Equal
                | Op::NotEqual
                | Op::RegexMatch
                | Op::IregexMatch
                | Op::And
                | Op::Or
                | Op::Not
                | Op::Known
                | Op::Static
        )
    }

    /// `is_data_expression`.
    pub(super) fn is_data(self) -> bool {
        matches!(
            self,
            Op::Substring
                | Op::Suffix
                | Op::Lcase
                | Op::Ucase
                | Op::Option
                | Op::Hardware
                | Op::ConstData
                | Op::Packet
                | Op::Concat
                | Op::EncodeInt
                | Op::HostLookup
                | Op::BinaryToAscii
                | Op::Filename
                | Op::Sname
                | Op::Reverse
                | Op::PickFirstValue
                | Op::HostDeclName
                | Op::LeasedAddress
                | Op::ConfigOption
                | Op::Null
                | Op::Gethostname
                | Op::V6relay
        )
    }

    /// `is_numeric_expression`.
    pub(super) fn is_numeric(self) -> bool {
        matches!(
            self,
            Op::ExtractInt
                | Op::ConstInt
                | Op::LeaseTime
                | Op::Add
                | Op::Subtract
                | Op::Multiply
                | Op::Divide
                | Op::Remainder
                | Op::BinaryAnd
                | Op::BinaryOr
                | Op::BinaryXor
                | Op::ClientState
        )
    }

    /// `expression_context`.
    fn context(self) -> Context {
        if self.is_data() {
            Context::Data
        } else if self.is_numeric() {
            Context::Numeric
        } else if self.is_boolean() {
            Context::Boolean
        } else {
            Context::Any
        }
    }

    /// `op_val`: binding strength (lower binds tighter).
    fn val(self) -> i32 {
        match self {
            Op::Equal | Op::NotEqual | Op::RegexMatch | Op::IregexMatch => 4,
            Op::Or | Op::And => 3,
            Op::Add | Op::Subtract => 2,
            Op::Multiply | Op::Divide | Op::Remainder => 1,
            _ => 100,
        }
    }

    /// `op_context`: the context of an operator's right-hand side.
    fn op_context(self) -> Context {
        match self {
            Op::Equal | Op::NotEqual | Op::RegexMatch | Op::IregexMatch => Context::Data,
            Op::And | Op::Or => Context::Boolean,
            Op::Add
            | Op::Subtract
            | Op::Multiply
            | Op::Divide
            | Op::Remainder
            | Op::BinaryAnd
            | Op::BinaryOr
            | Op::BinaryXor
            | Op::ClientState => Context::Numeric,
            _ => Context::Any,
        }
    }
}

impl Parser<'_, '_, '_> {
    /// `parse_boolean_expression`.
    pub(super) fn boolean_expression(&mut self, lose: &mut bool) -> Option<Op> {
        let start = self.peek();
        let op = self.expression(lose, Context::Boolean, None)?;
        if !op.is_boolean() && op != Op::VariableReference && op != Op::Funcall {
            let last = self.last.unwrap_or(start);
            let text: String = self
                .text
                .get(start.start..last.end)
                .unwrap_or("")
                .chars()
                .take(60)
                .collect();
            let kind = if op.is_numeric() {
                "a number"
            } else if op.is_data() {
                "data"
            } else {
                "not a condition"
            };
            self.warn(
                Cause::NonBoolean,
                self.span2(start, last),
                format!("expecting a boolean expression: `{text}` is {kind}"),
                "not a condition",
                "write a comparison (`A = B`, `A != B`, `A ~= REGEX`), `exists OPTION`, `known`, or combine conditions with and/or/not; `if (1)` is not a condition",
            );
            *lose = true;
            return None;
        }
        Some(op)
    }

    /// `parse_data_expression`.
    pub(super) fn data_expression(&mut self, lose: &mut bool) -> Option<Op> {
        let start = self.peek();
        let op = self.expression(lose, Context::Data, None)?;
        if !op.is_data() && op != Op::VariableReference && op != Op::Funcall {
            let last = self.last.unwrap_or(start);
            self.warn(
                Cause::Expression,
                self.span2(start, last),
                "expecting a data expression",
                if op.is_boolean() { "a condition, not data" } else { "a number, not data" },
                "use a string, hex bytes, `option NAME`, or a function returning data (`concat`, `substring`, `encode-int`, ...)",
            );
            *lose = true;
            return None;
        }
        Some(op)
    }

    /// `parse_numeric_expression`.
    pub(super) fn numeric_expression(&mut self, lose: &mut bool) -> Option<Op> {
        let start = self.peek();
        let op = self.expression(lose, Context::Numeric, None)?;
        if !op.is_numeric() && op != Op::VariableReference && op != Op::Funcall {
            let last = self.last.unwrap_or(start);
            self.warn(
                Cause::Expression,
                self.span2(start, last),
                "expecting a numeric expression",
                "not a number",
                "use a number, `extract-int(...)`, `lease-time`, or arithmetic on them",
            );
            *lose = true;
            return None;
        }
        Some(op)
    }

    /// `parse_expression`: a non-binary expression and the binary operators after it.
    pub(super) fn expression(
        &mut self,
        lose: &mut bool,
        context: Context,
        lhs: Option<(Op, Op)>,
    ) -> Option<Op> {
        // `lhs` is (left operand, pending operator) when called for a tighter subexpression.
        let mut context = context;
        let (mut left, mut binop) = match lhs {
            Some((l, b)) => (Some(l), b),
            None => (None, Op::None),
        };
        loop {
            // new_rhs:
            let Some(mut rhs) = self.non_binary(lose, context) else {
                if left.is_some() && !*lose {
                    let t = self.peek();
                    self.expected(
                        Cause::Expression,
                        t,
                        "a right-hand side",
                        "complete the expression after the operator",
                    );
                    *lose = true;
                    self.skip_to_semi();
                }
                return None;
            };
            let t = self.peek();
            let next_op = match t.kind {
                super::lex::Kind::Punct('!') => {
                    self.next();
                    if !self.peek().is('=') {
                        let n = self.peek();
                        self.expected(Cause::Expression, n, "`=` after `!`", "write `!=`");
                        *lose = true;
                        self.skip_to_semi();
                        return None;
                    }
                    context = rhs.context();
                    Op::NotEqual
                }
                super::lex::Kind::Punct('=') => {
                    context = rhs.context();
                    Op::Equal
                }
                super::lex::Kind::Punct('~') => {
                    self.next();
                    let n = self.peek();
                    let op = if n.is('~') {
                        Op::IregexMatch
                    } else if n.is('=') {
                        Op::RegexMatch
                    } else {
                        self.expected(
                            Cause::Expression,
                            n,
                            "`~=` or `~~`",
                            "write `A ~= REGEX` or `A ~~ REGEX`",
                        );
                        *lose = true;
                        self.skip_to_semi();
                        return None;
                    };
                    context = rhs.context();
                    op
                }
                super::lex::Kind::Punct('+') => Op::Add,
                super::lex::Kind::Punct('-') => Op::Subtract,
                super::lex::Kind::Punct('/') => Op::Divide,
                super::lex::Kind::Punct('*') => Op::Multiply,
                super::lex::Kind::Punct('%') => Op::Remainder,
                super::lex::Kind::Punct('&') => Op::BinaryAnd,
                super::lex::Kind::Punct('|') => Op::BinaryOr,
                super::lex::Kind::Punct('^') => Op::BinaryXor,
                _ if self.kw(t, "and") => Op::And,
                _ if self.kw(t, "or") => Op::Or,
                _ => Op::None,
            };
            if !matches!(
                next_op,
                Op::None | Op::NotEqual | Op::Equal | Op::RegexMatch | Op::IregexMatch
            ) {
                context = rhs.context();
            }
            let Some(l) = left else {
                if next_op == Op::None {
                    return Some(rhs);
                }
                left = Some(rhs);
                binop = next_op;
                self.next();
                continue;
            };
            let mut next_op = next_op;
            if binop != Op::None && next_op != Op::None && binop.val() - next_op.val() < 0 {
                self.next();
                let sub = self.expression(lose, next_op.op_context(), Some((rhs, next_op)));
                let Some(sub) = sub else {
                    if !*lose {
                        let n = self.peek();
                        self.expected(
                            Cause::Expression,
                            n,
                            "a subexpression",
                            "complete the expression",
                        );
                        *lose = true;
                    }
                    return None;
                };
                rhs = sub;
                next_op = Op::None;
            }
            if binop != Op::None {
                let rc = rhs.context();
                let lc = l.context();
                let at = self.last.unwrap_or(t);
                if rc != Context::Any && lc != Context::Any && rc != lc {
                    self.warn(
                        Cause::Expression,
                        self.span(at),
                        "illegal expression relating different types",
                        "the two sides have different types",
                        "compare data with data and numbers with numbers (`encode-int`/`extract-int` convert)",
                    );
                    self.skip_to_semi();
                    *lose = true;
                    return None;
                }
                let bad = match binop {
                    Op::Equal | Op::NotEqual => !matches!(
                        rc,
                        Context::DataOrNumeric | Context::Data | Context::Numeric | Context::Any
                    ),
                    Op::RegexMatch | Op::IregexMatch => rhs.context() != Context::Data,
                    Op::And | Op::Or => !matches!(rc, Context::Boolean | Context::Any),
                    Op::Add
                    | Op::Subtract
                    | Op::Divide
                    | Op::Multiply
                    | Op::Remainder
                    | Op::BinaryAnd
                    | Op::BinaryOr
                    | Op::BinaryXor => !matches!(rc, Context::Numeric | Context::Any),
                    _ => false,
                };
                if bad {
                    let what = match binop {
                        Op::Equal | Op::NotEqual => "data or numeric expressions",
                        Op::RegexMatch | Op::IregexMatch => "a data expression",
                        Op::And | Op::Or => "boolean expressions",
                        _ => "numeric expressions",
                    };
                    self.warn(
                        Cause::Expression,
                        self.span(at),
                        format!("expecting {what} on both sides of the operator"),
                        "wrong type here",
                        "check the operands' types",
                    );
                    self.skip_to_semi();
                    *lose = true;
                    return None;
                }
            }
            if next_op == Op::None {
                return Some(binop);
            }
            self.next();
            left = Some(binop);
            binop = next_op;
        }
    }

    fn paren(&mut self, lose: &mut bool, c: char) -> bool {
        let t = self.next();
        if t.is(c) {
            return true;
        }
        let what = match c {
            '(' => "`(`",
            ')' => "`)`",
            _ => "`,`",
        };
        self.expected(
            Cause::Expression,
            t,
            what,
            "check the function's parentheses and commas",
        );
        *lose = true;
        false
    }

    fn arg(&mut self, lose: &mut bool, numeric: bool) -> bool {
        let r = if numeric {
            self.numeric_expression(lose)
        } else {
            self.data_expression(lose)
        };
        if r.is_none() {
            if !*lose {
                let t = self.peek();
                let what = if numeric {
                    "a numeric expression"
                } else {
                    "a data expression"
                };
                self.expected(Cause::Expression, t, what, "check the function's arguments");
                self.skip_to_semi();
                *lose = true;
            }
            return false;
        }
        true
    }

    /// `parse_non_binary`: a subexpression without binary operators.
    pub(super) fn non_binary(&mut self, lose: &mut bool, context: Context) -> Option<Op> {
        if self.nesting >= super::MAX_NESTING {
            // Too deep to follow: give up on the expression unjudged.
            self.skip_to_semi();
            *lose = true;
            return None;
        }
        self.nesting += 1;
        let r = self.non_binary_inner(lose, context);
        self.nesting -= 1;
        r
    }

    fn non_binary_inner(&mut self, lose: &mut bool, context: Context) -> Option<Op> {
        let t = self.peek();
        let word = self.keyword(t);
        let simple = |p: &mut Self, op: Op| {
            p.next();
            Some(op)
        };
        match word.as_str() {
            "check" => {
                self.next();
                let s = self.next();
                if !s.is_string() {
                    self.expected(
                        Cause::Expression,
                        s,
                        "a quoted string",
                        "write `check \"COLLECTION\"`",
                    );
                    self.skip_to_semi();
                    *lose = true;
                    return None;
                }
                let name = self.val(s);
                if name != "default" {
                    self.warn(
                        Cause::Expression,
                        self.span(s),
                        "unknown collection",
                        "no such collection",
                        "the only collection is \"default\"",
                    );
                    *lose = true;
                    return None;
                }
                Some(Op::Check)
            }
            "not" => {
                self.next();
                let Some(inner) = self.non_binary(lose, Context::Boolean) else {
                    if !*lose {
                        let n = self.peek();
                        self.expected(
                            Cause::Expression,
                            n,
                            "an expression",
                            "write `not CONDITION`",
                        );
                        self.skip_to_semi();
                    }
                    *lose = true;
                    return None;
                };
                if !inner.is_boolean() {
                    let last = self.last.unwrap_or(t);
                    self.warn(
                        Cause::NonBoolean,
                        self.span2(t, last),
                        "boolean expression expected after `not`",
                        "not a condition",
                        "`not` negates a condition such as `exists X` or `A = B`",
                    );
                    self.skip_to_semi();
                    *lose = true;
                    return None;
                }
                Some(Op::Not)
            }
            "exists" => {
                self.next();
                if self.option_name(false).is_none() {
                    *lose = true;
                    return None;
                }
                Some(Op::Exists)
            }
            "static" => simple(self, Op::Static),
            "known" => simple(self, Op::Known),
            "substring" | "suffix" => {
                self.next();
                if !self.paren(lose, '(')
                    || !self.arg(lose, false)
                    || !self.paren(lose, ',')
                    || !self.arg(lose, true)
                {
                    return None;
                }
                if word == "substring" && (!self.paren(lose, ',') || !self.arg(lose, true)) {
                    return None;
                }
                if !self.paren(lose, ')') {
                    return None;
                }
                Some(if word == "substring" {
                    Op::Substring
                } else {
                    Op::Suffix
                })
            }
            "lcase" | "ucase" => {
                self.next();
                if !self.paren(lose, '(') || !self.arg(lose, false) || !self.paren(lose, ')') {
                    return None;
                }
                Some(if word == "lcase" {
                    Op::Lcase
                } else {
                    Op::Ucase
                })
            }
            "concat" => {
                self.next();
                if !self.paren(lose, '(') || !self.arg(lose, false) || !self.paren(lose, ',') {
                    return None;
                }
                loop {
                    if !self.arg(lose, false) {
                        return None;
                    }
                    let n = self.next();
                    if n.is(',') {
                        continue;
                    }
                    if !n.is(')') {
                        self.expected(Cause::Expression, n, "`)`", "close concat(...)");
                        *lose = true;
                        return None;
                    }
                    break;
                }
                Some(Op::Concat)
            }
            "binary-to-ascii" => {
                self.next();
                let ok = self.paren(lose, '(')
                    && self.arg(lose, true)
                    && self.paren(lose, ',')
                    && self.arg(lose, true)
                    && self.paren(lose, ',')
                    && self.arg(lose, false)
                    && self.paren(lose, ',')
                    && self.arg(lose, false)
                    && self.paren(lose, ')');
                ok.then_some(Op::BinaryToAscii)
            }
            "reverse" => {
                self.next();
                let ok = self.paren(lose, '(')
                    && self.arg(lose, true)
                    && self.paren(lose, ',')
                    && self.arg(lose, false)
                    && self.paren(lose, ')');
                ok.then_some(Op::Reverse)
            }
            "pick-first-value" | "pick" => {
                self.next();
                if !self.paren(lose, '(') {
                    return None;
                }
                loop {
                    if !self.arg(lose, false) {
                        return None;
                    }
                    let n = self.next();
                    if n.is(',') {
                        continue;
                    }
                    if !n.is(')') {
                        self.expected(Cause::Expression, n, "`)`", "close pick-first-value(...)");
                        *lose = true;
                        return None;
                    }
                    break;
                }
                Some(Op::PickFirstValue)
            }
            "option" | "config-option" => {
                self.next();
                if self.option_name(false).is_none() {
                    *lose = true;
                    return None;
                }
                Some(if word == "option" {
                    Op::Option
                } else {
                    Op::ConfigOption
                })
            }
            "hardware" => simple(self, Op::Hardware),
            "leased-address" => simple(self, Op::LeasedAddress),
            "client-state" => simple(self, Op::ClientState),
            "filename" => simple(self, Op::Filename),
            "server-name" => simple(self, Op::Sname),
            "lease-time" => simple(self, Op::LeaseTime),
            "null" => simple(self, Op::Null),
            "host-decl-name" => simple(self, Op::HostDeclName),
            "packet" => {
                self.next();
                let ok = self.paren(lose, '(')
                    && self.arg(lose, true)
                    && self.paren(lose, ',')
                    && self.arg(lose, true)
                    && self.paren(lose, ')');
                ok.then_some(Op::Packet)
            }
            "extract-int" | "encode-int" => {
                self.next();
                if !self.paren(lose, '(') {
                    return None;
                }
                let numeric = word == "encode-int";
                if !self.arg(lose, numeric) || !self.paren(lose, ',') {
                    return None;
                }
                let n = self.next();
                if !n.is_number() {
                    self.expected(
                        Cause::Expression,
                        n,
                        "a number (8, 16 or 32)",
                        "the width is 8, 16 or 32",
                    );
                    *lose = true;
                    return None;
                }
                if ![8, 16, 32].contains(&super::atoi(self.text(n))) {
                    let m = format!("unsupported integer size {}", self.text(n));
                    self.warn(
                        Cause::Expression,
                        self.span(n),
                        m,
                        "not 8, 16 or 32",
                        "the width is 8, 16 or 32",
                    );
                    *lose = true;
                    self.skip_to_semi();
                    return None;
                }
                if !self.paren(lose, ')') {
                    return None;
                }
                Some(if numeric {
                    Op::EncodeInt
                } else {
                    Op::ExtractInt
                })
            }
            "formerr" | "noerror" | "notauth" | "notimp" | "notzone" | "nxdomain" | "nxrrset"
            | "refused" | "servfail" | "yxdomain" | "yxrrset" | "booting" | "reboot" | "select"
            | "request" | "bound" | "renew" | "rebind" => simple(self, Op::ConstInt),
            "defined" => {
                self.next();
                if !self.paren(lose, '(') {
                    return None;
                }
                let v = self.next();
                if !v.is_name() && !v.is_number_or_name() {
                    let m = format!("{} can't be a variable name", self.shown(v));
                    self.warn(
                        Cause::Expression,
                        self.span(v),
                        m,
                        "not a variable name",
                        "write `defined (NAME)`",
                    );
                    self.skip_to_semi();
                    *lose = true;
                    return None;
                }
                if !self.paren(lose, ')') {
                    return None;
                }
                Some(Op::VariableExists)
            }
            "gethostname" => {
                self.next();
                if !self.paren(lose, '(') || !self.paren(lose, ')') {
                    return None;
                }
                Some(Op::Gethostname)
            }
            "gethostbyname" => {
                self.next();
                if !self.paren(lose, '(') {
                    return None;
                }
                let s = self.next();
                if !s.is_string() {
                    self.expected(
                        Cause::Expression,
                        s,
                        "a quoted host name",
                        "write `gethostbyname(\"host.example.com\")`",
                    );
                    self.skip_to_semi();
                    *lose = true;
                    return None;
                }
                if !self.paren(lose, ')') {
                    return None;
                }
                Some(Op::HostLookup)
            }
            "v6relay" => {
                self.next();
                let ok = self.paren(lose, '(')
                    && self.arg(lose, true)
                    && self.paren(lose, ',')
                    && self.arg(lose, false)
                    && self.paren(lose, ')');
                ok.then_some(Op::V6relay)
            }
            _ => self.non_binary_other(lose, context, t),
        }
    }

    fn non_binary_other(&mut self, lose: &mut bool, context: Context, t: Tok) -> Option<Op> {
        if t.is('(') {
            self.next();
            let Some(op) = self.expression(lose, context, None) else {
                if !*lose {
                    let n = self.peek();
                    self.expected(
                        Cause::Expression,
                        n,
                        "an expression",
                        "complete the parenthesised expression",
                    );
                    self.skip_to_semi();
                }
                *lose = true;
                return None;
            };
            let r = self.next();
            if !r.is(')') {
                *lose = true;
                self.expected(Cause::Expression, r, "`)`", "close the parenthesis");
                self.skip_to_semi();
                return None;
            }
            return Some(op);
        }
        if t.is_string() {
            self.next();
            return Some(Op::ConstData);
        }
        if t.is_number() && matches!(context, Context::Numeric | Context::DataOrNumeric) {
            self.next();
            return Some(Op::ConstInt);
        }
        if t.is_number() || t.is_number_or_name() {
            if !self.cshl(Cause::Expression) {
                return None;
            }
            return Some(Op::ConstData);
        }
        if !t.is_name() {
            return None;
        }
        self.next();
        if !self.peek().is('(') {
            return Some(Op::VariableReference);
        }
        self.next();
        loop {
            if self.expression(lose, Context::Any, None).is_none() {
                if !*lose {
                    let n = self.peek();
                    self.expected(
                        Cause::Expression,
                        n,
                        "an expression",
                        "each argument is an expression; keywords such as `info` are not values",
                    );
                    *lose = true;
                }
                self.skip_to_semi();
                return None;
            }
            let n = self.next();
            if n.is(',') {
                continue;
            }
            if !n.is(')') {
                self.expected(Cause::Expression, n, "`)`", "close the function call");
                self.skip_to_semi();
                *lose = true;
                return None;
            }
            break;
        }
        Some(Op::Funcall)
    }
}
