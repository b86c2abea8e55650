//! dhcpd.conf: the grammar, the syntax tree, include resolution, a replay of dhcpd's own
//! reader (`dhcpd`) and the lint rules.

pub(crate) mod ast;
pub(crate) mod dhcpd;
pub(crate) mod facts;
pub mod lint;
pub(crate) mod load;
pub(crate) mod lookalike;
pub mod pair;
pub(crate) mod parse;
pub mod rules;
pub(crate) mod syntax;
pub(crate) mod text;
pub(crate) mod walk;

pub use load::{ConfFile, Config, LoadProblem};
