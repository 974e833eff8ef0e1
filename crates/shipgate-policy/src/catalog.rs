//! What a check's catalogue entry says: its id, what it measures, when it blocks and how to fix
//! it. The entries live with their checks (`crate::checks`), and `shipgate explain` prints them.
//!
//! Ids are a public contract (reports, waivers and pipelines refer to them); `docs/checks.md`
//! documents the same ids, and a test keeps the two in step.

/// What one check is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckInfo {
    /// The stable id. `performance.<metric>` is a family: one check per configured metric.
    pub id: &'static str,
    /// A short title.
    pub title: &'static str,
    /// What is measured.
    pub measures: &'static str,
    /// When it blocks.
    pub blocks_when: &'static str,
    /// The policy keys that configure it.
    pub configure: &'static str,
    /// How to make it pass.
    pub fix: &'static str,
    /// Why it matters for defect leakage.
    pub why: &'static str,
}
