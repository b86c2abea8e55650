//! Fuzz target: arbitrary bytes (as lossy UTF-8) through the YAML pair model loader; a model
//! that loads is checked, and one without errors is rendered in both layouts. Any panic is a
//! bug.
#![no_main]

use dhcpfo::render::{Layout, RenderOptions, render};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let Ok(source) = dhcpfo::model::load_str("fuzz.yaml", text) else {
        return;
    };
    let diags = dhcpfo::model::check::check(&source);
    let (errors, _) = dhcpfo::diag::tally(&diags);
    if errors > 0 {
        return;
    }
    for layout in [Layout::Single, Layout::Split] {
        let options = RenderOptions {
            layout,
            ..RenderOptions::default()
        };
        let _ = std::hint::black_box(render(&source, &options));
    }
});
