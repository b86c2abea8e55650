//! Fuzz target: arbitrary bytes (as lossy UTF-8) through the YAML pair model loader; a model
//! that loads is checked, and one without errors is rendered in both layouts. The diagnostics
//! go through both output formats of `dhcpfo check`. Any panic is a bug.
#![no_main]

use dhcpfo::diag::{Diagnostic, render_human, render_json};
use dhcpfo::model::LoadError;
use dhcpfo::render::{Layout, RenderOptions, render};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let source = match dhcpfo::model::load_str("fuzz.yaml", text) {
        Ok(source) => source,
        Err(LoadError::Invalid(diags)) => return show(&diags),
        Err(_) => return,
    };
    let diags = dhcpfo::model::check::check(&source);
    show(&diags);
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

/// Renders (the first hundred) diagnostics as `dhcpfo check` prints them.
fn show(diags: &[Diagnostic]) {
    let shown = &diags[..diags.len().min(100)];
    std::hint::black_box(render_human(shown, false));
    std::hint::black_box(render_json(shown));
}
