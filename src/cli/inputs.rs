//! The files `check` and `lint` read: the paths given, with each folder searched
//! recursively for files of the command's kind (`*.yaml`/`*.yml`, `*.conf`), in name order.
//! Hidden entries (`.git`) are skipped, and symbolic links to folders are not followed, so a
//! link loop cannot make the walk endless.

use std::path::{Path, PathBuf};

use crate::codes::runtime;
use crate::diag::JsonFinding;

/// Folders nested deeper than this below a folder given are not searched.
const MAX_DEPTH: usize = 32;

/// One file to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Input {
    /// The path, as given or as found.
    pub path: PathBuf,
    /// Whether it was found in a folder rather than named on the command line.
    pub found: bool,
}

/// The files named by `paths`: files as they are (a missing one too, so that reading it
/// reports it), folders replaced by the files with one of `extensions` under them. A folder
/// that holds none, or cannot be read, is a finding.
pub(super) fn expand(paths: &[PathBuf], extensions: &[&str]) -> (Vec<Input>, Vec<JsonFinding>) {
    let mut inputs: Vec<Input> = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        if !path.is_dir() {
            inputs.push(Input {
                path: path.clone(),
                found: false,
            });
            continue;
        }
        let mut found = Vec::new();
        walk(path, extensions, 0, &mut found, &mut problems);
        if found.is_empty() {
            let kinds: Vec<String> = extensions.iter().map(|e| format!("*.{e}")).collect();
            problems.push(
                JsonFinding::of(
                    &runtime::USAGE,
                    format!("{} holds no {} file", path.display(), kinds.join(" or ")),
                    "name the files, or a folder that holds some",
                )
                .in_file(path.display().to_string()),
            );
        }
        inputs.extend(found.into_iter().map(|path| Input { path, found: true }));
    }
    let mut seen = std::collections::HashSet::new();
    inputs.retain(|i| seen.insert(i.path.clone()));
    (inputs, problems)
}

fn walk(
    dir: &Path,
    extensions: &[&str],
    depth: usize,
    out: &mut Vec<PathBuf>,
    problems: &mut Vec<JsonFinding>,
) {
    if depth > MAX_DEPTH {
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            problems.push(
                JsonFinding::of(
                    &runtime::DF001,
                    format!("cannot read the folder {}: {e}", dir.display()),
                    "check the path and the folder's permissions",
                )
                .in_file(dir.display().to_string()),
            );
            return;
        }
    };
    let mut entries: Vec<std::fs::DirEntry> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for entry in entries {
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            walk(&path, extensions, depth + 1, out, problems);
        } else if has_extension(&path, extensions) && (kind.is_file() || path.is_file()) {
            out.push(path);
        }
    }
}

fn has_extension(path: &Path, extensions: &[&str]) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| extensions.iter().any(|x| x.eq_ignore_ascii_case(e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_are_searched_in_name_order_without_hidden_entries() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        for name in ["b.yaml", "a.yml", "notes.txt", ".hidden.yaml", "sub/c.yaml"] {
            let path = root.join(name);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, "x").expect("write");
        }
        std::fs::create_dir_all(root.join(".git")).expect("mkdir");
        std::fs::write(root.join(".git/d.yaml"), "x").expect("write");
        std::os::unix::fs::symlink(root, root.join("sub/loop")).expect("symlink");
        let (inputs, problems) = expand(&[root.to_path_buf()], &["yaml", "yml"]);
        let names: Vec<String> = inputs
            .iter()
            .map(|i| {
                i.path
                    .strip_prefix(root)
                    .expect("under root")
                    .display()
                    .to_string()
            })
            .collect();
        assert_eq!(names, ["a.yml", "b.yaml", "sub/c.yaml"]);
        assert!(inputs.iter().all(|i| i.found));
        assert!(problems.is_empty(), "{problems:?}");

        let (inputs, problems) = expand(&[root.join("sub/loop/notes.txt")], &["yaml"]);
        assert_eq!(inputs.len(), 1, "a file named is kept whatever its name");
        assert!(problems.is_empty());

        let empty = root.join("empty");
        std::fs::create_dir(&empty).expect("mkdir");
        let (inputs, problems) = expand(&[empty], &["conf"]);
        assert!(inputs.is_empty());
        assert_eq!(problems[0].code, "DF004");
        assert!(problems[0].message.contains("holds no *.conf file"));
    }
}
