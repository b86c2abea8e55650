//! The integration tests that take seconds: the command line, `check`, `lint` against the
//! corpus and the rule snapshots, `import`, the shipped examples, generated files, lease
//! files, and the failover codec, state machine and engines. One binary, so that they are
//! compiled and linked once. Run one group with its module name, e.g.
//! `cargo test --test quick generated_files`.

// Tests unwrap freely and share helpers through `pub` items of their own modules; the
// `[lints]` of Cargo.toml are for the library.
#![allow(clippy::unwrap_used, unreachable_pub)]

#[path = "../common/mod.rs"]
mod common;

mod check;
mod cli;
mod corpus;
mod examples;
mod failover_engines;
mod failover_state;
mod failover_wire;
mod generated_files;
mod import;
mod leases;
mod lint_failover;
mod pair_checkers;
mod rule_snapshots;
