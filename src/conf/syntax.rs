//! The pest parser generated from `grammar.pest`.

// pest derives a public `Rule` enum from the grammar, whose comments document each rule.
#![allow(missing_docs)]

use pest_derive::Parser;

/// Parser for ISC dhcpd 4.4 dhcpd.conf files.
#[derive(Parser)]
#[grammar = "conf/grammar.pest"]
pub(crate) struct ConfParser;
