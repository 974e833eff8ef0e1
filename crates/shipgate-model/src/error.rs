//! Why a value of the shared vocabulary was refused: a test pattern, or a date, time or time
//! zone as a person or a tool wrote it.
//!
//! Every message is a sentence fragment that names the text as written and says what to write
//! instead, so that a reader can put it after a file name and a line.

/// Why a value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    /// A test pattern is empty or only white space.
    #[error("a test pattern must not be empty")]
    EmptyPattern,
    /// The text is not a date or a date-time at all.
    #[error(
        "`{text}` is not a date-time: {reason}; write e.g. `2026-11-24T10:00:00Z`, `2026-11-24T11:00:00+01:00` or `2026-11-24T05:00:00[America/New_York]`"
    )]
    NotADateTime {
        /// The text as written.
        text: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A date and a time with neither an offset nor a zone: it could be any of 26 hours.
    #[error(
        "`{text}` has a time but no time zone, so it could mean any instant across 26 hours; add `Z` for UTC (`{text}Z`), an offset such as `+01:00`, or a zone such as `[Europe/Berlin]`"
    )]
    NoZone {
        /// The text as written.
        text: String,
    },
    /// A date alone where an instant is needed.
    #[error(
        "`{text}` is a date alone, and an instant is needed here; write the time and its zone, e.g. `{text}T00:00:00Z`"
    )]
    DateAlone {
        /// The text as written.
        text: String,
    },
    /// A date alone with a zone or an offset: a day in a zone is not one instant.
    #[error(
        "`{text}` gives a date with a time zone but no time; write the instant it means, e.g. `{date}T00:00:00[{zone}]`, or the date alone (`{date}`)"
    )]
    DateWithZone {
        /// The text as written.
        text: String,
        /// The date part.
        date: String,
        /// The zone or offset part.
        zone: String,
    },
    /// The seconds are `60`: a leap second, which shipgate's clock (like Unix time) never shows.
    #[error(
        "`{text}` names a leap second (`:60`); shipgate counts time without leap seconds: write `:59`"
    )]
    LeapSecond {
        /// The text as written.
        text: String,
    },
    /// The hour is `24` (`24:00` for the end of a day).
    #[error(
        "`{text}` writes midnight as `24:00`; write `00:00` of the next day (or the date alone, which for an expiry holds through the end of that day UTC)"
    )]
    Hour24 {
        /// The text as written.
        text: String,
    },
    /// A bracketed zone, or a policy's `timezone`, that the time zone database does not know.
    #[error(
        "`{zone}` is not a time zone in the IANA database shipgate carries; write a name such as `Europe/Berlin`, `America/New_York` or `UTC` (or an offset such as `+01:00`)"
    )]
    UnknownZone {
        /// The zone as written.
        zone: String,
    },
    /// An offset and a bracketed zone that disagree: one of them is wrong, and the gate cannot
    /// tell which.
    #[error(
        "`{text}` gives the offset `{offset}`, but `{zone}` is at `{expected}` at that time; correct the offset or the zone"
    )]
    OffsetConflict {
        /// The text as written.
        text: String,
        /// The offset as written.
        offset: String,
        /// The zone named in brackets.
        zone: String,
        /// The zone's offset at that instant.
        expected: String,
    },
    /// A local time that happens twice in its zone (the clocks go back).
    #[error(
        "`{text}` happens twice in `{zone}` (the clocks go back over it), at offset `{earlier}` and again at `{later}`; write the offset too, e.g. `{example}`"
    )]
    Ambiguous {
        /// The text as written.
        text: String,
        /// The zone.
        zone: String,
        /// The offset of the first occurrence.
        earlier: String,
        /// The offset of the second occurrence.
        later: String,
        /// The text with the first offset written in.
        example: String,
    },
    /// A local time that never happens in its zone (the clocks go forward over it).
    #[error(
        "`{text}` does not exist in `{zone}`: the clocks go forward over it (from offset `{before}` to `{after}`); write the instant meant, with its offset"
    )]
    Skipped {
        /// The text as written.
        text: String,
        /// The zone.
        zone: String,
        /// The offset before the gap.
        before: String,
        /// The offset after it.
        after: String,
    },
}
