//! Non-ASCII characters that look like the ASCII punctuation and spaces of dhcpd.conf: the
//! hyphens, dashes, spaces and quotes that word processors, web pages and chat programs put
//! into copied configuration (`max‐response‐delay` with U+2010 HYPHEN). dhcpd reads only
//! ASCII in keywords and punctuation, so one of them anywhere outside a quoted string or a
//! comment makes it refuse the file ("invalid statement in peer declaration").
//!
//! Used by the syntax error message (`src/conf/parse.rs`), the replay of dhcpd's reader
//! (`src/conf/dhcpd/`, to name a look-alike in the lines it stops at), DF313 and DF325.

/// A look-alike character: its Unicode name and the ASCII text it imitates (empty for an
/// invisible character).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LookAlike {
    /// The character.
    pub ch: char,
    /// Its Unicode name.
    pub name: &'static str,
    /// What it looks like (`-`, a space, `"`...); empty when it is invisible.
    pub ascii: &'static str,
}

impl LookAlike {
    /// `U+2010 HYPHEN`.
    pub(crate) fn code_point(&self) -> String {
        format!("U+{:04X} {}", u32::from(self.ch), self.name)
    }

    /// "looks like `-`" or "is invisible".
    pub(crate) fn looks_like(&self) -> String {
        match self.ascii {
            "" => "is invisible".to_string(),
            " " => "looks like a space".to_string(),
            a => format!("looks like `{a}`"),
        }
    }

    /// How to fix it.
    pub(crate) fn fix(&self) -> String {
        match self.ascii {
            "" => "delete it".to_string(),
            " " => "retype it as an ordinary space".to_string(),
            a => format!("retype it as the ASCII `{a}`"),
        }
    }
}

const TABLE: &[(char, &str, &str)] = &[
    ('\u{00A0}', "NO-BREAK SPACE", " "),
    ('\u{00AD}', "SOFT HYPHEN", ""),
    ('\u{2000}', "EN QUAD", " "),
    ('\u{2001}', "EM QUAD", " "),
    ('\u{2002}', "EN SPACE", " "),
    ('\u{2003}', "EM SPACE", " "),
    ('\u{2004}', "THREE-PER-EM SPACE", " "),
    ('\u{2005}', "FOUR-PER-EM SPACE", " "),
    ('\u{2006}', "SIX-PER-EM SPACE", " "),
    ('\u{2007}', "FIGURE SPACE", " "),
    ('\u{2008}', "PUNCTUATION SPACE", " "),
    ('\u{2009}', "THIN SPACE", " "),
    ('\u{200A}', "HAIR SPACE", " "),
    ('\u{200B}', "ZERO WIDTH SPACE", ""),
    ('\u{200C}', "ZERO WIDTH NON-JOINER", ""),
    ('\u{200D}', "ZERO WIDTH JOINER", ""),
    ('\u{2010}', "HYPHEN", "-"),
    ('\u{2011}', "NON-BREAKING HYPHEN", "-"),
    ('\u{2012}', "FIGURE DASH", "-"),
    ('\u{2013}', "EN DASH", "-"),
    ('\u{2014}', "EM DASH", "-"),
    ('\u{2015}', "HORIZONTAL BAR", "-"),
    ('\u{2018}', "LEFT SINGLE QUOTATION MARK", "'"),
    ('\u{2019}', "RIGHT SINGLE QUOTATION MARK", "'"),
    ('\u{201A}', "SINGLE LOW-9 QUOTATION MARK", "'"),
    ('\u{201B}', "SINGLE HIGH-REVERSED-9 QUOTATION MARK", "'"),
    ('\u{201C}', "LEFT DOUBLE QUOTATION MARK", "\""),
    ('\u{201D}', "RIGHT DOUBLE QUOTATION MARK", "\""),
    ('\u{201E}', "DOUBLE LOW-9 QUOTATION MARK", "\""),
    ('\u{201F}', "DOUBLE HIGH-REVERSED-9 QUOTATION MARK", "\""),
    ('\u{2024}', "ONE DOT LEADER", "."),
    ('\u{202F}', "NARROW NO-BREAK SPACE", " "),
    ('\u{2032}', "PRIME", "'"),
    ('\u{2033}', "DOUBLE PRIME", "\""),
    ('\u{205F}', "MEDIUM MATHEMATICAL SPACE", " "),
    ('\u{2060}', "WORD JOINER", ""),
    ('\u{2212}', "MINUS SIGN", "-"),
    ('\u{2236}', "RATIO", ":"),
    ('\u{3000}', "IDEOGRAPHIC SPACE", " "),
    ('\u{037E}', "GREEK QUESTION MARK", ";"),
    (
        '\u{00AB}',
        "LEFT-POINTING DOUBLE ANGLE QUOTATION MARK",
        "\"",
    ),
    (
        '\u{00BB}',
        "RIGHT-POINTING DOUBLE ANGLE QUOTATION MARK",
        "\"",
    ),
    ('\u{FE63}', "SMALL HYPHEN-MINUS", "-"),
    (
        '\u{FEFF}',
        "ZERO WIDTH NO-BREAK SPACE (byte order mark)",
        "",
    ),
    ('\u{FF02}', "FULLWIDTH QUOTATION MARK", "\""),
    ('\u{FF0C}', "FULLWIDTH COMMA", ","),
    ('\u{FF0D}', "FULLWIDTH HYPHEN-MINUS", "-"),
    ('\u{FF0E}', "FULLWIDTH FULL STOP", "."),
    ('\u{FF1A}', "FULLWIDTH COLON", ":"),
    ('\u{FF1B}', "FULLWIDTH SEMICOLON", ";"),
    ('\u{FF5B}', "FULLWIDTH LEFT CURLY BRACKET", "{"),
    ('\u{FF5D}', "FULLWIDTH RIGHT CURLY BRACKET", "}"),
];

/// The look-alike description of a character, if it is one.
pub(crate) fn describe(ch: char) -> Option<LookAlike> {
    TABLE
        .iter()
        .find(|(c, _, _)| *c == ch)
        .map(|&(ch, name, ascii)| LookAlike { ch, name, ascii })
}

/// The first look-alike character on the line that contains byte `at`, outside quoted strings
/// and comments, with its byte offset. The character at `at` itself is preferred.
pub(crate) fn on_line(text: &str, at: usize) -> Option<(usize, LookAlike)> {
    let at = at.min(text.len());
    if let Some(found) = at_offset(text, at) {
        return Some((at, found));
    }
    let start = text
        .get(..at)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |i| i + 1);
    let end = text
        .get(at..)
        .and_then(|t| t.find('\n'))
        .map_or(text.len(), |i| at + i);
    first_in_line(text.get(start..end)?).map(|(i, found)| (start + i, found))
}

/// The look-alike character at byte `at`, if there is one.
fn at_offset(text: &str, at: usize) -> Option<LookAlike> {
    text.get(at..)
        .and_then(|r| r.chars().next())
        .and_then(describe)
}

/// The first look-alike in one line, outside quoted strings and comments.
fn first_in_line(line: &str) -> Option<(usize, LookAlike)> {
    if line.is_ascii() {
        return None;
    }
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '#' if !quoted => return None,
            _ if !quoted => {
                if let Some(found) = describe(c) {
                    return Some((i, found));
                }
            }
            _ => {}
        }
    }
    None
}

/// [`on_line`] for many offsets of one text: the lines that hold a look-alike are found once,
/// so a file with thousands of findings on one long line stays linear.
#[derive(Debug, Default)]
pub(crate) struct LineIndex {
    /// (line start, line end, offset of its first look-alike, the look-alike), by offset.
    lines: Vec<(usize, usize, usize, LookAlike)>,
}

impl LineIndex {
    /// Indexes `text`.
    pub(crate) fn new(text: &str) -> Self {
        let mut lines = Vec::new();
        if !text.is_ascii() {
            let mut start = 0;
            for line in text.split_inclusive('\n') {
                let end = start + line.trim_end_matches('\n').len();
                if let Some((i, found)) = first_in_line(&text[start..end]) {
                    lines.push((start, end, start + i, found));
                }
                start += line.len();
            }
        }
        LineIndex { lines }
    }

    /// What [`on_line`] returns for `text` (the indexed text) and `at`.
    pub(crate) fn on_line(&self, text: &str, at: usize) -> Option<(usize, LookAlike)> {
        let at = at.min(text.len());
        if let Some(found) = at_offset(text, at) {
            return Some((at, found));
        }
        let i = self.lines.partition_point(|&(start, ..)| start <= at);
        let &(_, end, pos, found) = self.lines.get(i.checked_sub(1)?)?;
        (at <= end).then_some((pos, found))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_agrees_with_the_line_scan() {
        let texts = [
            "subnet 10.0.0.0 netmask 255.255.255.0 {}\n",
            "failover peer \"a\u{2010}b\" {\n  load\u{00A0}balance max seconds 3;\n}\n",
            "# \u{2010} in a comment\nx \"\u{2013}\" \u{FF1B} y;\n\u{200B}\nlast \u{2010}",
            "\u{FEFF}",
            "",
        ];
        for text in texts {
            let index = LineIndex::new(text);
            let boundaries = text.char_indices().map(|(i, _)| i);
            for at in boundaries.chain([text.len(), text.len() + 1]) {
                assert_eq!(
                    index.on_line(text, at),
                    on_line(text, at),
                    "{text:?} at {at}"
                );
            }
        }
    }

    #[test]
    fn names_the_character() {
        let h = describe('\u{2010}').unwrap();
        assert_eq!(h.code_point(), "U+2010 HYPHEN");
        assert_eq!(h.looks_like(), "looks like `-`");
        assert_eq!(
            describe('\u{A0}').unwrap().looks_like(),
            "looks like a space"
        );
        assert!(describe('é').is_none());
        assert!(describe('-').is_none());
    }

    #[test]
    fn finds_on_the_line_outside_strings_and_comments() {
        let text = "a;\n  max\u{2010}response 3;\nb;\n";
        let (at, found) = on_line(text, 4).unwrap();
        assert_eq!(found.ch, '\u{2010}');
        assert_eq!(&text[at..at + 3], "\u{2010}");
        assert!(on_line("x \"\u{2010}\";\n", 0).is_none());
        assert!(on_line("x; # \u{2010}\n", 0).is_none());
        assert!(on_line("x;\ny \u{2010};\n", 0).is_none());
    }
}
