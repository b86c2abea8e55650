//! Grouping in human output: many findings of one code in one file (six hosts without a
//! hardware address, a pool copied forty times) show their first few snippets, then one line
//! for each of the others, so a long run stays readable and nothing is left out.

use std::collections::HashMap;

use super::Diagnostic;

/// Snippets shown for one code in one file before the others are listed one line each.
pub(super) const SNIPPETS_ALIKE: usize = 3;

/// Locations listed on the line that sums up findings with one message.
const LOCATIONS_LISTED: usize = 20;

/// Which diagnostics get a snippet, and which are summed up after which.
pub(super) struct Groups {
    /// For each diagnostic: its group and its rank in the group (0-based).
    members: Vec<(usize, usize)>,
    /// Size of each group.
    sizes: Vec<usize>,
}

impl Groups {
    /// Groups `diagnostics` by file and code, in order.
    pub(super) fn of(diagnostics: &[Diagnostic]) -> Groups {
        let mut ids: HashMap<(&str, &str), usize> = HashMap::new();
        let mut sizes: Vec<usize> = Vec::new();
        let members = diagnostics
            .iter()
            .map(|d| {
                let key = (d.source.name.as_str(), d.finding.code);
                let group = *ids.entry(key).or_insert_with(|| {
                    sizes.push(0);
                    sizes.len() - 1
                });
                let rank = sizes[group];
                sizes[group] += 1;
                (group, rank)
            })
            .collect();
        Groups { members, sizes }
    }

    /// Whether the diagnostic at `index` is shown as a snippet.
    pub(super) fn shows_snippet(&self, index: usize) -> bool {
        self.members
            .get(index)
            .is_none_or(|(_, rank)| *rank < SNIPPETS_ALIKE)
    }

    /// After the last snippet of a group that has more members: the others, one line each,
    /// or one line with their locations when they all have the same message.
    pub(super) fn rest_after(&self, index: usize, diagnostics: &[Diagnostic]) -> String {
        let Some(&(group, rank)) = self.members.get(index) else {
            return String::new();
        };
        if rank + 1 != SNIPPETS_ALIKE || self.sizes[group] <= SNIPPETS_ALIKE {
            return String::new();
        }
        let rest: Vec<&Diagnostic> = diagnostics
            .iter()
            .zip(&self.members)
            .filter(|(_, (g, r))| *g == group && *r >= SNIPPETS_ALIKE)
            .map(|(d, _)| d)
            .collect();
        let first = &diagnostics[index];
        let same_message = rest
            .iter()
            .all(|d| d.finding.message == first.finding.message);
        if same_message {
            let lines: Vec<String> = rest
                .iter()
                .take(LOCATIONS_LISTED)
                .map(|d| d.source.line_col(d.finding.span.offset()).0.to_string())
                .collect();
            let more = rest.len().saturating_sub(LOCATIONS_LISTED);
            let tail = if more > 0 {
                format!(" and {more} other line(s)")
            } else {
                String::new()
            };
            return format!(
                "  ... and {} more like this ({}) in {}, line(s) {}{tail}\n\n",
                rest.len(),
                first.finding.code,
                first.source.name,
                lines.join(", "),
            );
        }
        let mut out = format!(
            "  ... and {} more like this ({}):\n",
            rest.len(),
            first.finding.code
        );
        for d in rest {
            out.push_str(&format!("    {}: {}\n", d.location(), d.finding.message));
        }
        out.push('\n');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Diagnostic, Finding, SourceFile, render_human};

    fn findings(messages: &[&str]) -> Vec<Diagnostic> {
        let text: String = messages.iter().map(|_| "host: x\n").collect();
        let source = SourceFile::new("pair.yaml", text);
        messages
            .iter()
            .enumerate()
            .map(|(i, m)| Diagnostic {
                finding: Finding::warning("DF145", (i * 8..i * 8 + 4).into(), *m),
                source: source.clone(),
            })
            .collect()
    }

    #[test]
    fn past_three_alike_the_rest_is_one_line_each() {
        let names = ["a", "b", "c", "d", "e", "f"];
        let messages: Vec<String> = names.iter().map(|n| format!("host `{n}`")).collect();
        let refs: Vec<&str> = messages.iter().map(String::as_str).collect();
        let text = render_human(&findings(&refs), false);
        assert_eq!(text.matches("╭─[").count(), 3, "{text}");
        assert!(text.contains("... and 3 more like this (DF145):"), "{text}");
        for (line, name) in [(4, "d"), (5, "e"), (6, "f")] {
            assert!(
                text.contains(&format!("pair.yaml:{line}:1: host `{name}`")),
                "{text}"
            );
        }
    }

    #[test]
    fn one_message_many_times_is_summed_up_by_line() {
        let text = render_human(&findings(&["same"; 8]), false);
        assert_eq!(text.matches("╭─[").count(), 3, "{text}");
        assert!(
            text.contains("... and 5 more like this (DF145) in pair.yaml, line(s) 4, 5, 6, 7, 8"),
            "{text}"
        );
        // Three alike are shown in full, with no summary.
        let text = render_human(&findings(&["same"; 3]), false);
        assert_eq!(text.matches("╭─[").count(), 3, "{text}");
        assert!(!text.contains("more like this"), "{text}");
    }
}
