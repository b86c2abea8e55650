//! `--layout` and `--shared-path`, which `render` writes by and `diff` and `deploy` put on
//! the peers by.

use crate::render::{self, Layout};

/// Which files each peer holds.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct LayoutArgs {
    /// File layout on each peer: one dhcpd.conf, or (split) a per-peer dhcpd.conf that
    /// includes a shared file, the same for both peers.
    #[arg(long, value_enum, default_value_t = Layout::Single)]
    pub layout: Layout,
    /// Absolute path of the shared file on the servers (split layout), where each peer's
    /// dhcpd.conf includes it from.
    #[arg(long, value_name = "PATH", default_value = render::DEFAULT_SHARED_PATH)]
    pub shared_path: String,
}

impl Default for LayoutArgs {
    fn default() -> Self {
        LayoutArgs {
            layout: Layout::Single,
            shared_path: render::DEFAULT_SHARED_PATH.into(),
        }
    }
}
