//! dhcpd.conf: the grammar, the syntax tree, include resolution, a replay of dhcpd's own
//! reader (`dhcpd`) and the lint rules.

pub mod ast;
pub(crate) mod dhcpd;
pub mod facts;
pub mod lint;
pub mod load;
pub(crate) mod lookalike;
pub mod pair;
pub mod parse;
pub mod rules;
pub mod syntax;
pub mod text;
pub mod walk;

pub use load::{ConfFile, Config, LoadProblem};
