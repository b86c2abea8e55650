//! Unified line diffs that stay near-linear on large files.
//!
//! Each line is hashed to a number first (a line-hash pre-pass), so the search compares
//! numbers. When the differing middle of the two texts (after the lines they begin and end
//! with in common) shares no line, removing one and adding the other is the shortest diff
//! and no search runs. Otherwise the patience diff (anchored on lines found once in each
//! text, Myers' search between them) runs until a deadline; past it, similar replaces what
//! it had not finished wholesale, and each such block is then matched greedily (each new line
//! against the next equal old line), which keeps the diff correct and close to the shortest
//! one in linear time. A diff found that way is reported as approximate.

use std::collections::HashMap;
use std::fmt::Write;
use std::ops::Range;
use std::time::{Duration, Instant};

use similar::{Algorithm, DiffOp, DiffTag, udiff::UnifiedHunkHeader};

/// A unified diff with its counts.
#[derive(Debug, Default)]
pub(super) struct LineDiff {
    /// The unified diff text (headers, hunks with 3 lines of context).
    pub text: String,
    /// Lines removed from the old text.
    pub removed: usize,
    /// Lines added from the new text.
    pub added: usize,
    /// The search stopped at its deadline: correct, maybe longer than the shortest diff.
    pub approximate: bool,
}

/// The unified diff from `old` to `new`, searching for at most `budget`.
pub(super) fn unified(
    old: &str,
    new: &str,
    old_header: &str,
    new_header: &str,
    budget: Duration,
) -> LineDiff {
    let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
    let new_lines: Vec<&str> = new.split_inclusive('\n').collect();
    let mut numbers: HashMap<&str, u32> = HashMap::new();
    let old_ids: Vec<u32> = old_lines.iter().map(|l| number(&mut numbers, l)).collect();
    let new_ids: Vec<u32> = new_lines.iter().map(|l| number(&mut numbers, l)).collect();
    let searched = middles_share_a_line(&old_ids, &new_ids);
    let deadline = Instant::now() + if searched { budget } else { Duration::ZERO };
    let ops = similar::capture_diff_slices_deadline(
        Algorithm::Patience,
        &old_ids,
        &new_ids,
        Some(deadline),
    );
    let approximate = searched && Instant::now() >= deadline;
    let ops = if approximate {
        refine(&old_ids, &new_ids, &ops)
    } else {
        ops
    };
    let mut diff = LineDiff {
        approximate,
        ..LineDiff::default()
    };
    for op in &ops {
        let (_, old_range, new_range) = op.as_tag_tuple();
        if op.tag() != DiffTag::Equal {
            diff.removed += old_range.len();
            diff.added += new_range.len();
        }
    }
    if diff.removed + diff.added > 0 {
        diff.text = format(&ops, &old_lines, &new_lines, old_header, new_header);
    }
    diff
}

/// The number of a line: the same for equal lines.
fn number<'t>(numbers: &mut HashMap<&'t str, u32>, line: &'t str) -> u32 {
    let next = u32::try_from(numbers.len()).unwrap_or(u32::MAX);
    *numbers.entry(line).or_insert(next)
}

/// Whether a line occurs in the differing middle of both texts, after the lines they begin
/// and end with in common.
fn middles_share_a_line(old: &[u32], new: &[u32]) -> bool {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let seen: std::collections::HashSet<u32> =
        old[prefix..old.len() - suffix].iter().copied().collect();
    new[prefix..new.len() - suffix]
        .iter()
        .any(|l| seen.contains(l))
}

/// Ops in order, adjacent ones of a kind merged.
#[derive(Default)]
struct Ops(Vec<DiffOp>);

impl Ops {
    fn equal(&mut self, old: usize, new: usize, len: usize) {
        if len == 0 {
            return;
        }
        if let Some(DiffOp::Equal { len: last, .. }) = self.0.last_mut() {
            *last += len;
        } else {
            self.0.push(DiffOp::Equal {
                old_index: old,
                new_index: new,
                len,
            });
        }
    }

    fn change(&mut self, old: Range<usize>, new: Range<usize>) {
        if !old.is_empty() {
            self.0.push(DiffOp::Delete {
                old_index: old.start,
                old_len: old.len(),
                new_index: new.start,
            });
        }
        if !new.is_empty() {
            self.0.push(DiffOp::Insert {
                old_index: old.end,
                new_index: new.start,
                new_len: new.len(),
            });
        }
    }
}

/// Matches greedily inside every block of changes: each new line against the next equal old
/// line after the last match. The result is a common subsequence, so the diff stays correct.
fn refine(old: &[u32], new: &[u32], ops: &[DiffOp]) -> Vec<DiffOp> {
    let mut out = Ops::default();
    let mut i = 0;
    while i < ops.len() {
        let (tag, old_range, new_range) = ops[i].as_tag_tuple();
        if tag == DiffTag::Equal {
            out.equal(old_range.start, new_range.start, old_range.len());
            i += 1;
            continue;
        }
        // The whole block of changes up to the next equal run.
        let (mut old_end, mut new_end) = (old_range.end, new_range.end);
        let mut j = i + 1;
        while j < ops.len() && ops[j].tag() != DiffTag::Equal {
            let (_, o, n) = ops[j].as_tag_tuple();
            (old_end, new_end) = (o.end, n.end);
            j += 1;
        }
        greedy(
            old,
            new,
            old_range.start..old_end,
            new_range.start..new_end,
            &mut out,
        );
        i = j;
    }
    out.0
}

fn greedy(old: &[u32], new: &[u32], olds: Range<usize>, news: Range<usize>, out: &mut Ops) {
    let mut positions: HashMap<u32, Vec<usize>> = HashMap::new();
    for i in olds.clone() {
        positions.entry(old[i]).or_default().push(i);
    }
    let (mut o, mut n) = (olds.start, news.start);
    for j in news.clone() {
        let Some(list) = positions.get(&new[j]) else {
            continue;
        };
        let k = list.partition_point(|p| *p < o);
        if let Some(&p) = list.get(k) {
            out.change(o..p, n..j);
            out.equal(p, j, 1);
            (o, n) = (p + 1, j + 1);
        }
    }
    out.change(o..olds.end, n..news.end);
}

/// The unified diff text of `ops`, with 3 lines of context, as `diff -u` prints it.
fn format(
    ops: &[DiffOp],
    old: &[&str],
    new: &[&str],
    old_header: &str,
    new_header: &str,
) -> String {
    let mut out = format!("--- {old_header}\n+++ {new_header}\n");
    let line = |out: &mut String, sign: char, text: &str| {
        out.push(sign);
        out.push_str(text);
        if !text.ends_with('\n') {
            out.push_str("\n\\ No newline at end of file\n");
        }
    };
    for group in similar::group_diff_ops(ops.to_vec(), 3) {
        let _ = writeln!(out, "{}", UnifiedHunkHeader::new(&group));
        for op in &group {
            let (tag, old_range, new_range) = op.as_tag_tuple();
            match tag {
                DiffTag::Equal => old[old_range].iter().for_each(|l| line(&mut out, ' ', l)),
                _ => {
                    old[old_range].iter().for_each(|l| line(&mut out, '-', l));
                    new[new_range].iter().for_each(|l| line(&mut out, '+', l));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
