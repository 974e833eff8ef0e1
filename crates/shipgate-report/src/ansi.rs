//! The few ANSI styles of the human formats. Whether to use them is the caller's decision
//! ([`crate::RenderOptions::color`]); when off, [`Paint`] returns its text untouched.

/// A style of text in the human formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tone {
    /// Blocking: BLOCKED, FAIL.
    Bad,
    /// Needs attention, does not block: WARN.
    Caution,
    /// Passed: READY, PASS.
    Good,
    /// Accepted risk: WAIVED.
    Waived,
    /// Headings and labels.
    Strong,
    /// Secondary information.
    Faint,
}

impl Tone {
    fn sgr(self) -> &'static str {
        match self {
            Tone::Bad => "1;31",
            Tone::Caution => "1;33",
            Tone::Good => "1;32",
            Tone::Waived => "1;36",
            Tone::Strong => "1",
            Tone::Faint => "2",
        }
    }
}

/// Applies tones when colour is on.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Paint {
    pub(crate) enabled: bool,
}

impl Paint {
    /// `text` in `tone`. `text` must already be printable: it is not filtered here.
    pub(crate) fn paint(self, tone: Tone, text: &str) -> String {
        if self.enabled && !text.is_empty() {
            format!("\u{1b}[{}m{text}\u{1b}[0m", tone.sgr())
        } else {
            text.to_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_only_when_enabled() {
        assert_eq!(Paint { enabled: false }.paint(Tone::Bad, "x"), "x");
        assert_eq!(
            Paint { enabled: true }.paint(Tone::Bad, "x"),
            "\u{1b}[1;31mx\u{1b}[0m"
        );
        assert_eq!(Paint { enabled: true }.paint(Tone::Bad, ""), "");
    }
}
