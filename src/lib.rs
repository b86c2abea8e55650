//! dhcpfo: declarative DHCPv4 failover pairs in the ISC dhcpd style.
//!
//! - [`model`]: the YAML pair model and its validation (`dhcpfo check`);
//! - [`render`]: matched primary/secondary dhcpd.conf files (`dhcpfo render`);
//! - [`conf`]: dhcpd.conf read as dhcpd reads it, and its lint rules (`dhcpfo lint`);
//! - [`import`]: two dhcpd.conf files back into a pair model (`dhcpfo import`);
//! - `dhcpd`: ISC dhcpd's defaults and tables, in one place;
//! - `judgement`: each failover mistake decided once, for `check` and `lint` alike;
//! - [`leases`]: ISC dhcpd.leases files (parse, write, list);
//! - [`diag`]: diagnostics shared by every command, and their output formats;
//! - [`codes`]: every code dhcpfo prints, with its documentation;
//! - [`remote`]: `diff`, `deploy` and `status` over SSH;
//! - [`serve`]: the DHCPv4 server and its failover peer (`dhcpfo serve`);
//! - [`cli`]: the command-line interface.

pub mod cli;
pub mod codes;
pub mod conf;
pub(crate) mod dhcpd;
pub mod diag;
pub mod import;
pub(crate) mod judgement;
pub mod leases;
pub mod model;
pub mod remote;
pub mod render;
pub mod serve;
