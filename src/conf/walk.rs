//! Walking a configuration in reading order, with included files spliced in place and the
//! chain of enclosing declarations at hand.

pub(crate) use super::ast::ScopeKind;
use super::ast::{Stmt, StmtKind};
use super::load::Config;

/// Where a visited statement stands.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scope<'a> {
    /// Innermost scope kind.
    pub kind: ScopeKind,
    /// Enclosing declarations, outermost first.
    pub parents: &'a [&'a Stmt],
}

impl Scope<'_> {
    /// The innermost enclosing declaration of a kind, if any.
    pub(crate) fn nearest(&self, kind: ScopeKind) -> Option<&Stmt> {
        self.parents
            .iter()
            .rev()
            .find(|s| scope_of(s) == Some(kind))
            .copied()
    }
}

/// The scope a declaration opens, if it opens one.
pub(crate) fn scope_of(stmt: &Stmt) -> Option<ScopeKind> {
    Some(match stmt.kind {
        StmtKind::SharedNetwork { .. } => ScopeKind::SharedNetwork,
        StmtKind::Subnet { .. } => ScopeKind::Subnet,
        StmtKind::Pool { .. } => ScopeKind::Pool,
        StmtKind::Group { .. } => ScopeKind::Group,
        StmtKind::Host { .. } => ScopeKind::Host,
        StmtKind::Class { .. } | StmtKind::Subclass { .. } => ScopeKind::Class,
        StmtKind::If { .. } | StmtKind::On { .. } | StmtKind::Switch { .. } => ScopeKind::Body,
        _ => return None,
    })
}

/// Calls `f` for every statement in reading order (includes spliced in), before its body.
///
/// Generic over the callback (rather than taking `&mut dyn FnMut`) so each caller's closure is
/// inlined into the walk: many rules walk the whole tree, and the walk is their main cost.
pub(crate) fn walk<'a, F>(config: &'a Config, f: &mut F)
where
    F: FnMut(&'a Stmt, Scope<'_>) + ?Sized,
{
    if let Some(main) = config.files.first() {
        let mut parents: Vec<&'a Stmt> = Vec::new();
        walk_list(config, &main.statements, &mut parents, f, 0);
    }
}

fn walk_list<'a, F>(
    config: &'a Config,
    statements: &'a [Stmt],
    parents: &mut Vec<&'a Stmt>,
    f: &mut F,
    depth: usize,
) where
    F: FnMut(&'a Stmt, Scope<'_>) + ?Sized,
{
    // The same for every statement of the list: `parents` is restored after each body.
    let kind = parents
        .last()
        .and_then(|p| scope_of(p))
        .unwrap_or(ScopeKind::Root);
    for stmt in statements {
        f(stmt, Scope { kind, parents });
        match &stmt.kind {
            StmtKind::Include { file, .. } => {
                if let Some(index) = *file
                    && depth < 64
                    && let Some(included) = config.files.get(index)
                {
                    walk_list(config, &included.statements, parents, f, depth + 1);
                }
            }
            StmtKind::If {
                branches,
                otherwise,
            } => {
                parents.push(stmt);
                for (_, body) in branches {
                    walk_list(config, body, parents, f, depth);
                }
                if let Some(body) = otherwise {
                    walk_list(config, body, parents, f, depth);
                }
                parents.pop();
            }
            _ => {
                if let Some(body) = stmt.body() {
                    parents.push(stmt);
                    walk_list(config, body, parents, f, depth);
                    parents.pop();
                }
            }
        }
    }
}
