//! Facts that several rules need, read off a configuration once per rule.

use super::ast::{PeerStmt, Span, Stmt, StmtKind, Value};
use super::load::Config;
use super::walk::{Scope, ScopeKind, walk};
use crate::model::Role;

/// A `failover peer NAME { ... }` declaration.
#[derive(Debug, Clone)]
pub struct PeerDecl<'a> {
    /// The declaration.
    pub stmt: &'a Stmt,
    /// Its name.
    pub name: &'a Value,
    /// Its statements.
    pub statements: &'a [PeerStmt],
    /// The scope it is declared in.
    pub scope: ScopeKind,
}

impl<'a> PeerDecl<'a> {
    /// The `primary;`/`secondary;` statement in effect (dhcpd keeps the last one), if any.
    pub fn role_stmt(&self) -> Option<&'a PeerStmt> {
        self.statements
            .iter()
            .rev()
            .find(|s| s.keyword == "primary" || s.keyword == "secondary")
    }

    /// The role the block states; `None` without a role statement (dhcpd then reads the
    /// block as a primary's).
    pub fn role(&self) -> Option<Role> {
        self.role_stmt().map(|s| {
            if s.keyword == "primary" {
                Role::Primary
            } else {
                Role::Secondary
            }
        })
    }

    /// The role dhcpd runs the server in: a secondary only with `secondary;`.
    pub fn runs_as(&self) -> Role {
        self.role().unwrap_or(Role::Primary)
    }

    /// Whether the peer is a secondary (dhcpd treats a block without a role as a primary).
    pub fn is_secondary(&self) -> bool {
        self.runs_as() == Role::Secondary
    }

    /// The last statement with this keyword (dhcpd keeps the last one).
    pub fn get(&self, keyword: &str) -> Option<&'a PeerStmt> {
        self.statements.iter().rev().find(|s| s.keyword == keyword)
    }

    /// The numeric value of a statement, if present and numeric.
    pub fn number(&self, keyword: &str) -> Option<(i64, Span)> {
        let s = self.get(keyword)?;
        let v = s.value.as_ref()?;
        v.number().map(|n| (n, v.span))
    }
}

/// Every failover peer declaration, in reading order.
pub(crate) fn peer_decls(config: &Config) -> Vec<PeerDecl<'_>> {
    let mut out = Vec::new();
    walk(config, &mut |stmt, scope: Scope<'_>| {
        if let StmtKind::FailoverPeer {
            name, statements, ..
        } = &stmt.kind
        {
            out.push(PeerDecl {
                stmt,
                name,
                statements,
                scope: scope.kind,
            });
        }
    });
    out
}
