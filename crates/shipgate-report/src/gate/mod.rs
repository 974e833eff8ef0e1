//! The renderers of the gate's report (`shipgate check`): the terminal table, the JSON audit
//! record, Markdown, JUnit and GitHub Actions' annotations, step summary and outputs, with the
//! grouping and the details they share. They write what the report says, never decide it.

mod details;
mod github;
mod human;
mod json;
mod junit;
mod markdown;
mod summary;

pub use github::{
    ANNOTATIONS_PER_TYPE, LogSyntax, STEP_SUMMARY_LIMIT, command as github_command,
    neutralise_workflow_commands, render_github_annotations,
    render_outputs as render_github_outputs, render_step_outputs as render_github_step_outputs,
    render_step_summary as render_github_step_summary,
};
pub use human::render_human;
pub use json::render_json;
pub use junit::render_junit;
pub use markdown::render_markdown;

pub(crate) use markdown::inline as markdown_inline;
pub(crate) use summary::{exit_sentence, ordered, plural, release_label, short_sha};
