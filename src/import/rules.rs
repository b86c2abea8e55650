//! The codes `dhcpfo import` reports what it cannot express and what it repairs with
//! (DF490..DF499). The code registry ([`crate::codes`]) lists them with the lint rules, so
//! `dhcpfo lint --explain` and `--list-rules` show them; they have no lint check of their own.

crate::codes::declare_codes! {
    /// Every code of `dhcpfo import`, in code order.
    pub(crate) ALL = lint_rule;
    DF490 {
        name: "import-unsupported-statement",
        severity: Warning,
        doc: "`dhcpfo import` met a statement the pair model has no place for: `if`/`elsif`/`else`, \
`switch`, `on` events, `key` and `zone` (dynamic DNS), `option space` and option definitions, \
`subclass`, `match` without `if`, `spawn with`, executable statements (`set`, `log`, \
`execute`...) or a `failover peer ... state` block. The statement is left out of the YAML and \
reported at its line, and the import exits with status 1: keep it by hand (for instance in a \
template override) or drop it knowingly.",
    }
    DF491 {
        name: "import-unsupported-option",
        severity: Warning,
        doc: "`dhcpfo import` met an option the model cannot express: a name that is not in the \
model's typed `options` list (`impress-servers`, `static-routes`, vendor or site options such \
as `SUNW.root-path-name`...), a verb other than `option` or `supersede` (`default`, `prepend`, \
`append`, `send`), a computed value (`option NAME = EXPR;`), or a value that does not fit the \
option's type in the model (a host name where addresses are expected, a number out of range). \
The option is left out of the YAML and the import exits with status 1.",
    }
    DF492 {
        name: "import-unsupported-parameter",
        severity: Warning,
        doc: "`dhcpfo import` met a parameter the model has no key for in that scope: server \
settings such as `lease-file-name`, `pid-file-name`, `omapi-key`, `local-port`, \
`server-identifier`, `get-lease-hostnames`, `vendor-option-space`; a global-only key in another \
scope (`authoritative` or `not authoritative` in a subnet, `ddns-update-style` in a pool); \
scope-level `allow`/`deny`/`ignore` flags (`ignore client-updates`); or a failover peer \
statement without a model key (`peer max-response-delay`, an unknown keyword). It is left out \
of the YAML and the import exits with status 1.",
    }
    DF493 {
        name: "import-unsupported-structure",
        severity: Warning,
        doc: "`dhcpfo import` met a structure the model cannot express: a `group` with parameters \
or options (its hosts, subnets and classes are imported without them), a pool or range \
directly in a shared network (the model has pools in subnets only), a second failover \
relationship or a pool that refers to another one (the model has one relationship), a \
declaration where dhcpd would not accept it, or a configuration without a failover peer block. \
What can be kept is imported; the rest is reported at its line and the import exits with \
status 1.",
    }
    DF494 {
        name: "import-peers-differ",
        severity: Warning,
        doc: "The two imported files differ beyond what the failover peer blocks must (a finding of \
`dhcpfo lint --pair`, whose code the message names). The model describes one configuration \
shared by both peers, so the import follows the primary: what only the secondary has is left \
out, and where the values differ the primary's is kept. Each difference is reported where it \
is written, with the other file's line; the import exits with status 1. Run `dhcpfo lint \
--pair` for the same findings under their own codes.",
    }
    DF495 {
        name: "import-unsupported-value",
        severity: Warning,
        doc: "`dhcpfo import` met a value the model's types cannot hold: a failover or fixed \
address given as a host name, a hardware address that is not 6-octet ethernet, an `infinite` \
or negative lease time, a netmask that is not contiguous, a `log-facility` or \
`ddns-update-style` the model does not accept, a range with and without `dynamic-bootp` in one \
pool, an `ignore` or `after` permit. Where the YAML can carry the raw value it does, so `check` \
points at it after the import; otherwise it is left out. The import exits with status 1.",
    }
    DF496 {
        name: "import-repaired",
        severity: Warning,
        doc: "The imported files carry a failover mistake that the model rules out by construction, \
and the imported model no longer has it: `split`, `hba` or `mclt` on the secondary (the model \
writes them on the primary only, and takes them from the secondary when the primary lacks \
them), a `peer address` or `peer port` that is not the partner's own `address` or `port` (the \
model mirrors each peer's own), or a relationship setting that differs between the peer blocks \
(the model writes the primary's on both). The message names the lint finding that was \
repaired. The import still succeeds (exit status 0 if nothing else is reported): render the \
model and deploy it to fix the live files.",
    }
}
