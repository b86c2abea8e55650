//! dhcpd.conf: the grammar, the syntax tree, include resolution and the lint rules.

pub mod ast;
pub mod facts;
pub mod lint;
pub mod load;
pub mod pair;
pub mod parse;
pub mod rules;
pub mod syntax;
pub mod text;
pub mod walk;

pub use load::{ConfFile, Config, LoadProblem};
