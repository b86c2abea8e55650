//! Fuzz target: arbitrary bytes (decoded as lossy UTF-8, as `Config::load` reads files) through
//! the dhcpd.conf parser and every lint rule. Any panic is a bug.
#![no_main]

use std::path::Path;

use dhcpfo::conf::Config;
use dhcpfo::conf::lint::{Selection, lint};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    // A path in a folder that does not exist: relative includes resolve to nothing, so the
    // fuzzer cannot make the target read files of the machine through them.
    let config = Config::from_text(Path::new("/nonexistent/dhcpfo-fuzz/dhcpd.conf"), text);
    std::hint::black_box(lint(&config, &Selection::default()));
});
