use super::*;
use similar::TextDiff;

/// Applies a unified diff (as printed) to `old`.
fn apply(old: &str, diff: &str) -> String {
    let old: Vec<&str> = old.split_inclusive('\n').collect();
    let (mut out, mut at, mut last) = (String::new(), 0, ' ');
    for line in diff.split_inclusive('\n').skip(2) {
        if let Some(hunk) = line.strip_prefix("@@ -") {
            let start: usize = hunk.split([',', ' ']).next().unwrap().parse().unwrap();
            while at + 1 < start {
                out.push_str(old[at]);
                at += 1;
            }
            continue;
        }
        if line.starts_with('\\') {
            // "\ No newline at end of file": the line before had none.
            if last != '-' {
                out.pop();
            }
            continue;
        }
        last = line.chars().next().unwrap();
        match last {
            ' ' => {
                out.push_str(&line[1..]);
                at += 1;
            }
            '-' => at += 1,
            _ => out.push_str(&line[1..]),
        }
    }
    old[at..].iter().for_each(|l| out.push_str(l));
    out
}

/// Numbered lines `from..to`, each `prefix N;`.
fn lines(prefix: &str, range: Range<usize>) -> String {
    range.map(|i| format!("{prefix} {i};\n")).collect()
}

fn diff(old: &str, new: &str) -> LineDiff {
    unified(old, new, "a", "b", Duration::from_secs(60))
}

#[test]
fn the_text_is_what_diff_u_prints() {
    // Against similar's own formatter with the same algorithm and no deadline.
    let cases = [
        ("a\nb\nc\n", "a\nc\n"),
        ("a\nb\n", "a\nb\nc\n"),
        ("", "x\ny\n"),
        ("x\ny\n", ""),
        (
            &*lines("l", 0..40),
            &*lines("l", 0..40).replace("l 20;", "m 20;"),
        ),
        ("a\nb", "a\nc"),
        ("a\nb\n", "a\nb"),
    ];
    for (old, new) in cases {
        let ours = diff(old, new);
        let theirs = TextDiff::configure()
            .algorithm(Algorithm::Patience)
            .diff_lines(old, new)
            .unified_diff()
            .context_radius(3)
            .header("a", "b")
            .to_string();
        assert_eq!(ours.text, theirs, "{old:?} -> {new:?}");
        assert!(!ours.approximate);
        assert_eq!(apply(old, &ours.text), new, "{old:?} -> {new:?}");
    }
    assert_eq!(diff("same\n", "same\n").text, "");
}

#[test]
fn a_large_file_with_nothing_in_common_is_diffed_without_a_search() {
    // 250,000 live lines, none of them in the rendered file: the whole middle goes.
    let live = format!("head\n{}tail\n", lines("host", 0..250_000));
    let rendered = format!("head\n{}tail\n", lines("subnet", 0..40));
    let d = unified(&live, &rendered, "a", "b", Duration::ZERO);
    assert_eq!((d.removed, d.added, d.approximate), (250_000, 40, false));
    assert!(
        d.text
            .starts_with("--- a\n+++ b\n@@ -1,250002 +1,42 @@\n head\n-host 0;\n")
    );
    assert!(d.text.ends_with("+subnet 39;\n tail\n"));
}

#[test]
fn out_of_time_the_blocks_are_matched_greedily_and_stay_correct() {
    // Stanzas inserted in the middle, sharing their `}` lines with the rest; no time at all
    // for the search: similar replaces the block, the greedy pass finds the common lines.
    let base: String = (0..300)
        .map(|i| format!("host r{i} {{\n  fixed {i};\n}}\n"))
        .collect();
    let lines_of: Vec<&str> = base.split_inclusive('\n').collect();
    let mut live = lines_of[..450].concat();
    for i in 0..5000 {
        live.push_str(&format!("host x{i} {{\n  fixed x{i};\n}}\n"));
    }
    live.push_str(&lines_of[450..].concat());
    let live = live.replace("fixed 7;", "fixed 8;");
    let exact = diff(&live, &base);
    assert_eq!(
        (exact.removed, exact.added, exact.approximate),
        (15_001, 1, false)
    );
    let rushed = unified(&live, &base, "a", "b", Duration::ZERO);
    assert!(rushed.approximate);
    assert_eq!(apply(&live, &rushed.text), base);
    assert_eq!(rushed.removed - rushed.added, 15_000);
    assert!(
        rushed.removed < 15_100,
        "close to the shortest diff: {}",
        rushed.removed
    );
}

#[test]
fn greedy_matching_is_a_common_subsequence() {
    let old = [1, 2, 3, 4, 5, 2, 6];
    let new = [2, 9, 5, 6, 1];
    let ops = refine(
        &old,
        &new,
        &[DiffOp::Replace {
            old_index: 0,
            old_len: 7,
            new_index: 0,
            new_len: 5,
        }],
    );
    let (mut o, mut n, mut common) = (0, 0, Vec::new());
    for op in &ops {
        let (tag, or, nr) = op.as_tag_tuple();
        assert_eq!((or.start, nr.start), (o, n), "contiguous: {ops:?}");
        if tag == DiffTag::Equal {
            assert_eq!(old[or.clone()], new[nr.clone()]);
            common.extend_from_slice(&old[or.clone()]);
        }
        (o, n) = (or.end, nr.end);
    }
    assert_eq!((o, n), (7, 5));
    assert_eq!(common, [2, 5, 6]);
}
