//! Text from input reaches the terminal without its control characters (SPEC §12): a claim id,
//! an enterprise id, a column name or a rules value holding ESC (`\033[2J` clears the screen),
//! CR (a line overwritten), LF (a line forged), another C0 or C1 control, or a bidi override
//! (text shown reversed) is printed with that character escaped as `\u{1b}`, `\u{202e}` …
//!
//! Two places use it: every value from input is escaped where it is put into a message
//! ([`escape`], which escapes line feeds too), and every message goes out through [`print`] or
//! [`eprint`], which escape whatever is left but the message's own line breaks. JSON output is
//! not printed through here: JSON writes C0 controls as `\u001b` itself.

use std::borrow::Cow;
use std::io::Write;

/// Whether a terminal could act on `c` instead of showing it: C0 controls (tab and line feed
/// included), DEL, C1 controls, the bidi embeddings, overrides, isolates and marks, and the
/// Unicode line and paragraph separators.
fn acts_on_terminal(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}')
}

fn escaped(text: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    if text.chars().all(|c| keep(c) || !acts_on_terminal(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if keep(c) || !acts_on_terminal(c) {
            out.push(c);
        } else {
            out.extend(c.escape_unicode());
        }
    }
    Cow::Owned(out)
}

/// A value from input, safe to put in a message: every control character escaped, line feeds
/// included (`C1\n` → `C1\u{a}`).
pub fn escape(value: &str) -> Cow<'_, str> {
    escaped(value, |_| false)
}

/// A message, safe to print: every control character escaped but its line feeds.
pub fn escape_lines(message: &str) -> Cow<'_, str> {
    escaped(message, |c| c == '\n')
}

/// Writes a message to stdout. A reader that stops early (`subsidy … | head`) is not an error:
/// the command just ends.
pub fn print(message: &str) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(escape_lines(message).as_bytes()).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e),
        _ => Ok(()),
    }
}

/// Writes a message to stderr.
pub fn eprint(message: &str) {
    let _ = std::io::stderr().lock().write_all(escape_lines(message).as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_and_bidi_overrides_are_escaped_in_values() {
        assert_eq!(escape("C1\u{1b}[2J"), "C1\\u{1b}[2J");
        assert_eq!(escape("a\rb\nc\td\u{7f}\u{9b}"), "a\\u{d}b\\u{a}c\\u{9}d\\u{7f}\\u{9b}");
        assert_eq!(escape("\u{202e}fdp.exe"), "\\u{202e}fdp.exe");
        assert_eq!(escape("\u{2066}x\u{2069}\u{200f}\u{2028}"), "\\u{2066}x\\u{2069}\\u{200f}\\u{2028}");
    }

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        for text in ["C1", "梁溪区", "6-18-02-04", "Ünïcödé ✓ → 元"] {
            assert!(matches!(escape(text), Cow::Borrowed(t) if t == text));
        }
    }

    #[test]
    fn a_message_keeps_its_own_line_breaks() {
        assert_eq!(escape_lines("2 problems\n  a\u{1b}b\r\n"), "2 problems\n  a\\u{1b}b\\u{d}\n");
    }
}
