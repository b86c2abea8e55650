//! dhcpfo: declarative DHCPv4 failover pairs in the ISC dhcpd style.
//!
//! - [`model`]: the YAML pair model and its validation (`dhcpfo check`);
//! - [`render`]: matched primary/secondary dhcpd.conf files (`dhcpfo render`);
//! - [`leases`]: ISC dhcpd.leases files (parse, write, list);
//! - [`diag`]: diagnostics shared by every command, and their output formats;
//! - [`codes`]: every code dhcpfo prints, with its documentation;
//! - [`remote`]: `diff`, `deploy` and `status` over SSH;
//! - [`cli`]: the command-line interface.

pub mod cli;
pub mod codes;
pub mod conf;
pub mod dhcpd;
pub mod diag;
pub mod import;
pub mod judgement;
pub mod leases;
pub mod model;
pub mod remote;
pub mod render;
pub mod serve;
