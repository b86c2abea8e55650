//! Every shipped example, rendered in both layouts: ISC `dhcpd -t` accepts both peers' files,
//! the files match outside the peer block, the secondary carries no mclt/split/hba, addresses
//! and ports are mirrored, and rendering is deterministic.

use crate::common;

use std::path::{Path, PathBuf};

use common::{dhcpd_or_skip, dhcpd_test, split_peer_block};
use dhcpfo::model::{Role, check, load_file};
use dhcpfo::render::{Layout, RenderOptions, RenderedFile, render, write_files};

fn examples() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut all: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("examples folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    all.sort();
    assert!(all.len() >= 4, "the shipped examples are missing");
    all
}

fn content<'a>(files: &'a [RenderedFile], role: Role, name: &str) -> &'a str {
    files
        .iter()
        .find(|f| f.role == role && f.name == name)
        .map(|f| f.content.as_str())
        .unwrap_or_else(|| panic!("no {name} for {}", role.as_str()))
}

#[test]
fn examples_render_to_matched_files_that_dhcpd_accepts() {
    let dhcpd = dhcpd_or_skip("examples_render_to_matched_files_that_dhcpd_accepts");
    for path in examples() {
        let name = path.display().to_string();
        let source = load_file(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        let findings = check::check(&source);
        assert!(!check::has_errors(&findings), "{name} fails check");

        let dir = tempfile::tempdir().expect("tempdir");
        let shared = dir
            .path()
            .join("split")
            .join("primary")
            .join("dhcpd.shared.conf");
        for layout in [Layout::Single, Layout::Split] {
            let options = RenderOptions {
                layout,
                templates: None,
                shared_path: Some(shared.display().to_string()),
            };
            let files = render(&source, &options).unwrap_or_else(|e| panic!("{name}: {e}"));
            // (d) deterministic
            assert_eq!(
                files,
                render(&source, &options).expect("render again"),
                "{name}: not deterministic"
            );

            let (p, s) = (
                content(&files, Role::Primary, "dhcpd.conf"),
                content(&files, Role::Secondary, "dhcpd.conf"),
            );
            let (pb, p_rest) =
                split_peer_block(p).unwrap_or_else(|e| panic!("{name} primary: {e}"));
            let (sb, s_rest) =
                split_peer_block(s).unwrap_or_else(|e| panic!("{name} secondary: {e}"));
            // (b) identical once the peer block is removed
            assert_eq!(
                p_rest, s_rest,
                "{name} ({layout:?}): the peers differ outside the peer block"
            );
            if layout == Layout::Split {
                assert_eq!(
                    content(&files, Role::Primary, "dhcpd.shared.conf"),
                    content(&files, Role::Secondary, "dhcpd.shared.conf"),
                    "{name}: the shared file differs between the peers"
                );
            }
            // (c) primary-only settings and mirroring
            assert!(pb.has("primary") && sb.has("secondary"), "{name}: roles");
            assert!(
                pb.has("mclt") && (pb.has("split") || pb.has("hba")),
                "{name}: primary lacks mclt/split"
            );
            for keyword in ["mclt", "split", "hba"] {
                assert!(!sb.has(keyword), "{name}: the secondary has `{keyword}`");
            }
            assert_eq!(
                pb.get("address"),
                sb.get("peer address"),
                "{name}: address not mirrored"
            );
            assert_eq!(
                sb.get("address"),
                pb.get("peer address"),
                "{name}: address not mirrored"
            );
            assert_eq!(
                pb.get("port"),
                sb.get("peer port"),
                "{name}: port not mirrored"
            );
            assert_eq!(
                sb.get("port"),
                pb.get("peer port"),
                "{name}: port not mirrored"
            );
            for keyword in [
                "max-response-delay",
                "max-unacked-updates",
                "load balance max seconds",
            ] {
                assert!(
                    pb.has(keyword) && sb.has(keyword),
                    "{name}: `{keyword}` not written on both"
                );
            }
            assert_eq!(pb.name, sb.name);

            // (a) ISC dhcpd accepts both
            let out = dir.path().join(format!("{layout:?}").to_lowercase());
            write_files(&out, &files).expect("write rendered files");
            if let Some(dhcpd) = &dhcpd {
                for role in ["primary", "secondary"] {
                    let conf = out.join(role).join("dhcpd.conf");
                    if let Err(e) = dhcpd_test(dhcpd, &conf) {
                        panic!("{name} ({layout:?}, {role}): {e}");
                    }
                }
            }
        }
    }
}
