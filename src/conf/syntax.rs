//! The pest parser generated from `grammar.pest`.

use pest_derive::Parser;

/// Parser for ISC dhcpd 4.4 dhcpd.conf files.
#[derive(Parser)]
#[grammar = "conf/grammar.pest"]
pub struct ConfParser;
