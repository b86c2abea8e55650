//! dhcpd.conf source text on one line, the one walk that both the pair comparison
//! (canonical text) and `import` (expressions kept as written) use: comments dropped,
//! quoted strings copied unchanged (escapes included), a run of whitespace or a comment
//! kept as one space where the caller wants one.

/// Rewrites `text`: each character outside quotes goes through `map`; a gap (whitespace or
/// a comment) before the next character `c` becomes one space when `space_before(out, c)`
/// says so (`c` is `"` for a quoted string).
pub(crate) fn squeeze(
    text: &str,
    map: impl Fn(char) -> char,
    space_before: impl Fn(&str, char) -> bool,
) -> String {
    let mut out = String::with_capacity(text.len());
    let mut gap = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '#' => {
                for s in chars.by_ref() {
                    if s == '\n' {
                        break;
                    }
                }
                gap = true;
            }
            c if c.is_whitespace() => gap = true,
            c => {
                if gap && space_before(&out, c) {
                    out.push(' ');
                }
                gap = false;
                if c != '"' {
                    out.push(map(c));
                    continue;
                }
                out.push('"');
                while let Some(s) = chars.next() {
                    out.push(s);
                    if s == '\\' {
                        if let Some(e) = chars.next() {
                            out.push(e);
                        }
                    } else if s == '"' {
                        break;
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_go_quotes_stay_and_gaps_are_the_callers_choice() {
        let text = "if  option  host-name = \"A  #b\\\"\" # note\n  {  X; }";
        assert_eq!(
            squeeze(text, |c| c, |out, _| !out.is_empty()),
            "if option host-name = \"A  #b\\\"\" { X; }"
        );
        assert_eq!(
            squeeze(text, |c| c.to_ascii_lowercase(), |_, _| false),
            "ifoptionhost-name=\"A  #b\\\"\"{x;}"
        );
    }
}
