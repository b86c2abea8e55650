//! Reading a dhcpd.conf and the files it includes.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::ast::{Span, Stmt, StmtKind};
use super::parse::{SyntaxError, parse};
use crate::diag::SourceFile;

/// One parsed file.
#[derive(Debug, Clone)]
pub struct ConfFile {
    /// Path on disk (as resolved).
    pub path: PathBuf,
    /// Name and text, for diagnostics.
    pub source: SourceFile,
    /// Its statements; empty when it did not parse.
    pub statements: Vec<Stmt>,
    /// Bytes dhcpd never reads: from the first byte 0xFF on, which dhcpd's lexer takes for
    /// the end of the file (the text holds only what comes before it).
    pub ignored_bytes: usize,
}

/// Something that stopped a file from being read completely.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadProblem {
    /// A syntax error in a file.
    Syntax(SyntaxError),
    /// An include names a file that cannot be read.
    MissingInclude {
        /// The include statement.
        span: Span,
        /// The path it names, as resolved.
        path: String,
        /// Why it cannot be read.
        error: String,
    },
    /// An include names a file that is already being read.
    IncludeCycle {
        /// The include statement.
        span: Span,
        /// The path it names, as resolved.
        path: String,
    },
}

/// A configuration: the main file and every file it includes, in reading order.
#[derive(Debug, Clone)]
pub struct Config {
    /// Files; index 0 is the main file.
    pub files: Vec<ConfFile>,
    /// Syntax errors and include problems.
    pub problems: Vec<LoadProblem>,
    /// Where absolute include paths are read from (see [`Config::load_under`]).
    root: Option<PathBuf>,
}

/// Includes nested deeper than this are reported as a cycle (dhcpd has no limit but loops).
const MAX_INCLUDE_DEPTH: usize = 32;

impl Config {
    /// Reads `path` and its includes. Only an unreadable main file is an error; include
    /// problems are reported in [`Config::problems`] at the include line.
    pub fn load(path: &Path) -> std::io::Result<Config> {
        Ok(Config::from_file_text(path, read_text(path)?))
    }

    /// Reads `path` and its includes as a tree copied or rendered away from the server's
    /// root: an absolute include `/P` is read from `ROOT/P`, or, when that does not exist,
    /// from the including file's folder under P's file name (where `dhcpfo render --out DIR
    /// --layout split` writes `dhcpd.shared.conf`).
    pub fn load_under(path: &Path, root: &Path) -> std::io::Result<Config> {
        Ok(Config::read(
            path,
            read_text(path)?,
            Some(root.to_path_buf()),
        ))
    }

    /// Parses `text` as if read from `path` (includes are still read from disk).
    pub fn from_text(path: &Path, text: String) -> Config {
        Config::from_file_text(path, FileText { text, ignored: 0 })
    }

    fn from_file_text(path: &Path, text: FileText) -> Config {
        Config::read(path, text, None)
    }

    fn read(path: &Path, text: FileText, root: Option<PathBuf>) -> Config {
        let mut config = Config {
            files: Vec::new(),
            problems: Vec::new(),
            root,
        };
        config.add_file(
            path.to_path_buf(),
            path.display().to_string(),
            text,
            &mut vec![canonical(path)],
        );
        config
    }

    fn add_file(
        &mut self,
        path: PathBuf,
        name: String,
        FileText { text, ignored }: FileText,
        stack: &mut Vec<PathBuf>,
    ) -> usize {
        let index = self.files.len();
        let mut statements = match parse(index, &text) {
            Ok(statements) => statements,
            Err(e) => {
                self.problems.push(LoadProblem::Syntax(e));
                Vec::new()
            }
        };
        self.files.push(ConfFile {
            path: path.clone(),
            source: SourceFile::shared(name, Arc::new(text)),
            statements: Vec::new(),
            ignored_bytes: ignored,
        });
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        self.resolve_includes(&mut statements, &dir, stack);
        self.files[index].statements = statements;
        index
    }

    fn resolve_includes(&mut self, statements: &mut [Stmt], dir: &Path, stack: &mut Vec<PathBuf>) {
        for stmt in statements.iter_mut() {
            match &mut stmt.kind {
                StmtKind::Include { path, file } => {
                    let target = self.include_path(&path.text, dir);
                    let key = canonical(&target);
                    if stack.contains(&key) || stack.len() >= MAX_INCLUDE_DEPTH {
                        self.problems.push(LoadProblem::IncludeCycle {
                            span: stmt.span,
                            path: path.text.clone(),
                        });
                        continue;
                    }
                    match read_include(&target) {
                        Ok(text) => {
                            stack.push(key);
                            *file = Some(self.add_file(
                                target.clone(),
                                target.display().to_string(),
                                text,
                                stack,
                            ));
                            stack.pop();
                        }
                        Err(e) => self.problems.push(LoadProblem::MissingInclude {
                            span: stmt.span,
                            path: path.text.clone(),
                            error: e.to_string(),
                        }),
                    }
                }
                _ => {
                    if let Some(body) = body_mut(stmt) {
                        self.resolve_includes(body, dir, stack);
                    }
                }
            }
        }
    }

    /// The file an include names: relative to the including file's folder `dir`, or, for an
    /// absolute path under a root, as [`Config::load_under`] says.
    fn include_path(&self, named: &str, dir: &Path) -> PathBuf {
        let Some(root) = self.root.as_deref().filter(|_| named.starts_with('/')) else {
            return dir.join(named);
        };
        let under = root.join(named.trim_start_matches('/'));
        if under.exists() {
            return under;
        }
        match Path::new(named).file_name() {
            Some(name) if dir.join(name).exists() => dir.join(name),
            _ => under,
        }
    }

    /// The main file.
    pub fn main(&self) -> Option<&ConfFile> {
        self.files.first()
    }

    /// Whether every file parsed and every include was found.
    pub fn is_complete(&self) -> bool {
        self.problems.is_empty()
    }
}

fn body_mut(stmt: &mut Stmt) -> Option<&mut Vec<Stmt>> {
    match &mut stmt.kind {
        StmtKind::SharedNetwork { body, .. }
        | StmtKind::Subnet { body, .. }
        | StmtKind::Pool { body }
        | StmtKind::Group { body, .. }
        | StmtKind::Host { body, .. }
        | StmtKind::Class { body, .. }
        | StmtKind::Switch { body, .. } => Some(body),
        StmtKind::Subclass { body, .. } | StmtKind::On { body, .. } => body.as_mut(),
        _ => None,
    }
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Largest file read as configuration: real ones are a few MiB at most, and a limit keeps
/// `/dev/zero` or a runaway generator from exhausting memory.
pub(crate) const MAX_FILE_SIZE: u64 = 64 << 20;

/// A file's text as dhcpd reads it.
#[derive(Debug)]
struct FileText {
    /// Up to the first byte 0xFF (invalid UTF-8 replaced).
    text: String,
    /// Bytes from the first 0xFF on.
    ignored: usize,
}

/// Reads a configuration file of at most [`MAX_FILE_SIZE`] bytes. Any kind of file is
/// accepted, so `dhcpfo lint <(ssh host cat dhcpd.conf)` works.
fn read_text(path: &Path) -> std::io::Result<FileText> {
    read_limited(std::fs::File::open(path)?, MAX_FILE_SIZE)
}

fn read_limited(reader: impl Read, limit: u64) -> std::io::Result<FileText> {
    let mut bytes = Vec::new();
    reader.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("larger than {limit} bytes"),
        ));
    }
    let end = dhcpd_end_of_file(&bytes);
    let ignored = bytes.len() - end;
    bytes.truncate(end);
    let text = String::from_utf8(bytes)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    Ok(FileText { text, ignored })
}

/// Where dhcpd's lexer sees the end of the file. It reads bytes as signed chars, so 0xFF is
/// -1, its end-of-file marker: between tokens or inside one the file ends there, and inside a
/// string it is "eof in string constant". Inside a comment it only ends the comment, and
/// reading goes on; the rest of that comment line, which dhcpd then reads as statements, is
/// left as a comment here.
fn dhcpd_end_of_file(bytes: &[u8]) -> usize {
    let (mut in_string, mut escaped, mut in_comment) = (false, false, false);
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            0xFF if in_comment => in_comment = false,
            0xFF => return i,
            _ if in_comment => in_comment = b != b'\n',
            _ if in_string => {
                if escaped {
                    escaped = false;
                } else if b == b'\\' {
                    escaped = true;
                } else if b == b'"' {
                    in_string = false;
                }
            }
            b'"' => in_string = true,
            b'#' => in_comment = true,
            _ => {}
        }
    }
    bytes.len()
}

/// Reads an included file: a regular file only, so an include of a device, a pipe or
/// standard input is reported instead of blocking or reading forever.
fn read_include(path: &Path) -> std::io::Result<FileText> {
    if !std::fs::metadata(path)?.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    read_text(path)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{Config, LoadProblem, read_limited};

    #[test]
    fn an_include_of_a_device_is_reported_not_read() {
        for device in ["/dev/zero", "/dev/stdin", "/dev/null"] {
            let text = format!("authoritative;\ninclude \"{device}\";\n");
            let config = Config::from_text(Path::new("main.conf"), text);
            match config.problems.as_slice() {
                [LoadProblem::MissingInclude { span, error, .. }] => {
                    assert!(error.contains("not a regular file"), "{device}: {error}");
                    assert_eq!(config.files[0].source.line_col(span.start).0, 2);
                }
                other => panic!("{device}: {other:?}"),
            }
        }
    }

    #[test]
    fn absolute_includes_are_read_under_a_root() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        std::fs::create_dir_all(root.join("etc/dhcp")).expect("mkdir");
        std::fs::create_dir_all(root.join("flat")).expect("mkdir");
        std::fs::write(root.join("etc/dhcp/a.conf"), "authoritative;\n").expect("write");
        std::fs::write(root.join("flat/b.conf"), "ping-check false;\n").expect("write");
        let main = root.join("flat/dhcpd.conf");
        std::fs::write(
            &main,
            "include \"/etc/dhcp/a.conf\";\ninclude \"/etc/dhcp/b.conf\";\n",
        )
        .expect("write");
        // Under the root; then beside the including file; the machine's /etc is not read.
        let config = Config::load_under(&main, root).expect("load");
        assert!(config.problems.is_empty(), "{:?}", config.problems);
        let names: Vec<&Path> = config.files.iter().map(|f| f.path.as_path()).collect();
        let (a, b) = (root.join("etc/dhcp/a.conf"), root.join("flat/b.conf"));
        assert_eq!(names, [main.as_path(), a.as_path(), b.as_path()]);
        // Without the root, the absolute paths are read as they are.
        let plain = Config::load(&main).expect("load");
        assert_eq!(plain.problems.len(), 2, "{:?}", plain.problems);
    }

    #[test]
    fn dhcpd_stops_at_byte_ff() {
        let read = read_limited(&b"authoritative;\n\xff rest\n"[..], 100).expect("read");
        assert_eq!(read.text, "authoritative;\n");
        assert_eq!(read.ignored, 7);
        // Inside a string: the string never ends.
        let read = read_limited(&b"option domain-name \"a\xffb\";\n"[..], 100).expect("read");
        assert_eq!(read.text, "option domain-name \"a");
        // Inside a comment, reading goes on.
        let read = read_limited(&b"# caf\xe9 \xff\nauthoritative;\n"[..], 100).expect("read");
        assert_eq!(read.text, "# caf\u{FFFD} \u{FFFD}\nauthoritative;\n");
        assert_eq!(read.ignored, 0);
    }

    #[test]
    fn reading_stops_past_the_limit() {
        let read = read_limited(&b"abc"[..], 3).expect("within the limit");
        assert_eq!((read.text.as_str(), read.ignored), ("abc", 0));
        let err = read_limited(std::io::repeat(b'x'), 1000).expect_err("endless input");
        assert!(err.to_string().contains("larger than 1000 bytes"), "{err}");
    }
}
