//! Reporting statements that differ inside declarations both peers have (DF420..DF424).

use super::diff::{Diff, Difference, Findings, SECOND};
use super::tree::{Cat, Item, ScopeKind};
use crate::codes::Code;

/// Reports every [`Difference::Item`] of one category with `rule`; `effect` says what the
/// difference does to clients.
pub(super) fn report(
    diff: &Diff<'_>,
    out: &mut Findings,
    rule: &'static Code,
    cat: Cat,
    effect: fn(&Item) -> String,
) {
    for d in &diff.differences {
        let Difference::Item {
            cat: c,
            nodes,
            items,
        } = d
        else {
            continue;
        };
        if *c != cat {
            continue;
        }
        let scope = |side: usize| {
            let node = diff.node(side, nodes[side]);
            if node.kind == ScopeKind::Root {
                String::new()
            } else {
                format!(" in {}", node.title)
            }
        };
        match items {
            [Some(first), Some(second)] => out.push(
                SECOND,
                rule.lint_at(
                    second.span,
                    format!(
                        "`{}`{} here, `{}` in the partner ({})",
                        second.shown,
                        scope(SECOND),
                        first.shown,
                        diff.loc(0, first.span)
                    ),
                )
                .label("differs on the partner")
                .help(format!("{}: write the same on both peers", effect(second))),
            ),
            [first, second] => {
                let (side, item) = match (first, second) {
                    (Some(item), None) => (0, item),
                    (None, Some(item)) => (SECOND, item),
                    _ => continue,
                };
                let missing = if item.cat == Cat::Other {
                    "no such statement".to_string()
                } else {
                    format!("no `{}`", item.key)
                };
                out.push(
                    side,
                    rule.lint_at(
                        item.span,
                        format!(
                            "`{}`{} is only on this peer: {} has {missing}",
                            item.shown,
                            scope(side),
                            diff.place(1 - side, nodes[1 - side])
                        ),
                    )
                    .label("not on the partner")
                    .help(format!("{}: write it on both peers", effect(item))),
                );
            }
        }
    }
}

/// Reports declarations of one kind present on one side only.
pub(super) fn report_nodes(
    diff: &Diff<'_>,
    out: &mut Findings,
    rule: &'static Code,
    kind: ScopeKind,
    effect: &str,
) {
    for d in &diff.differences {
        let Difference::NodeOnOneSide { side, node } = d else {
            continue;
        };
        let node = diff.node(*side, *node);
        if node.kind != kind {
            continue;
        }
        out.push(
            *side,
            rule.lint_at(
                node.span,
                format!(
                    "{} is declared here but not in the partner ({})",
                    node.title,
                    diff.file(1 - side)
                ),
            )
            .label("only on this peer")
            .help(effect.to_string()),
        );
    }
}
