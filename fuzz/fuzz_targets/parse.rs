//! Fuzz target: arbitrary bytes (decoded as lossy UTF-8, as `Config::load` reads files) through
//! the dhcpd.conf parser and every lint rule, and the findings through both output formats of
//! `dhcpfo lint`. Any panic is a bug.
#![no_main]

use std::path::Path;

use dhcpfo::conf::Config;
use dhcpfo::conf::lint::{Selection, lint};
use dhcpfo::diag::{render_human, render_json};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    // A path in a folder that does not exist: relative includes resolve to nothing, so the
    // fuzzer cannot make the target read files of the machine through them.
    let config = Config::from_text(Path::new("/nonexistent/dhcpfo-fuzz/dhcpd.conf"), text);
    let diags = lint(&config, &Selection::default());
    // Each finding shows its source lines: a hundred are plenty to exercise the renderer.
    let shown = &diags[..diags.len().min(100)];
    std::hint::black_box(render_human(shown, false));
    std::hint::black_box(render_json(shown));
});
