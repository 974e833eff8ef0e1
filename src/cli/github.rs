//! GitHub Actions: in a job (`GITHUB_ACTIONS=true`), `check` also writes the step summary,
//! the step outputs and annotations for the checks that block.
//!
//! The runner reads workflow commands on stdout and stderr, and its legacy `##[...]` syntax
//! matches anywhere in a line. The report is printed like every other output (see
//! `output`): in a job, each marker in it is neutralised in the report's own syntax, so no
//! evidence text can run a command and `--format json | jq` still reads the same JSON. The
//! annotations are the only commands shipgate writes: after a human or Markdown report on
//! stdout, so the log shows them under it; on stderr with a JSON or JUnit report, or when
//! stdout is a file, so that what is piped or redirected is the report alone.

use super::output::{StdoutError, eprint_commands, print_commands, redact};
use shipgate_evaluator::EvaluatorError;
use shipgate_model::Report;
use shipgate_report::Format;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The files and mode of the GitHub Actions job this runs in.
#[derive(Debug)]
pub(crate) struct Github {
    summary: Option<PathBuf>,
    output: Option<PathBuf>,
}

impl Github {
    /// The job's environment, when running in GitHub Actions.
    pub(crate) fn detect() -> Option<Self> {
        if std::env::var("GITHUB_ACTIONS").ok().as_deref() != Some("true") {
            return None;
        }
        let path = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        Some(Self {
            summary: path("GITHUB_STEP_SUMMARY"),
            output: path("GITHUB_OUTPUT"),
        })
    }

    /// Writes the annotations: on stdout after a human or Markdown report that goes to the log,
    /// else on stderr (a JSON or JUnit report must stay parseable on a pipe, and a file must
    /// hold the report alone).
    pub(crate) fn print_annotations(
        &self,
        annotations: &str,
        format: Format,
    ) -> Result<(), StdoutError> {
        let machine = matches!(format, Format::Json | Format::Junit);
        if machine || stdout_is_a_file() {
            eprint_commands(annotations);
            Ok(())
        } else {
            print_commands(annotations)
        }
    }

    /// Appends the step outputs, then the step summary. Each is written on its own: the outputs
    /// are what later steps decide on, so a summary that cannot be written never costs them.
    /// Every failure is returned, one per line.
    pub(crate) fn publish(
        &self,
        report: &Report,
        report_json: Option<&Path>,
    ) -> Result<(), String> {
        let mut failures = Vec::new();
        if let Some(path) = &self.output {
            let report_path = report_json.map(|p| p.display().to_string());
            if let Err(e) = append(
                path,
                &redact(&shipgate_report::render_github_step_outputs(
                    report,
                    report_path.as_deref(),
                )),
            ) {
                failures.push(e);
            }
        }
        if let Some(path) = &self.summary {
            // The limit is for the step's whole summary file, which may already hold text.
            let used = std::fs::metadata(path)
                .map(|m| m.len() as usize)
                .unwrap_or(0);
            let budget = shipgate_report::STEP_SUMMARY_LIMIT.saturating_sub(used + 1024);
            let text = shipgate_report::render_github_step_summary(report, budget);
            if let Err(e) = append(path, &redact(&text)) {
                failures.push(e);
            }
        }
        if failures.is_empty() {
            Ok(())
        } else {
            Err(failures.join("; "))
        }
    }

    /// For a policy that could not be loaded: an annotation per problem, on the policy file's
    /// line, and outputs that say the gate blocked with exit code 3.
    pub(crate) fn policy_failed(&self, error: &EvaluatorError) -> Result<(), String> {
        let mut annotations = String::new();
        match error {
            EvaluatorError::PolicyInvalid { path, problems } => {
                let file = path.display().to_string();
                for p in problems.iter().take(shipgate_report::ANNOTATIONS_PER_TYPE) {
                    let line = p.mark.line.to_string();
                    let col = p.mark.col.to_string();
                    let message = if p.path.is_empty() {
                        p.message.clone()
                    } else {
                        format!("`{}`: {}", p.path, p.message)
                    };
                    annotations.push_str(&shipgate_report::github_command(
                        "error",
                        &[
                            ("file", &file),
                            ("line", &line),
                            ("col", &col),
                            ("title", "shipgate: invalid policy"),
                        ],
                        &message,
                    ));
                }
            }
            other => annotations.push_str(&shipgate_report::github_command(
                "error",
                &[("title", "shipgate: invalid policy")],
                &other.to_string(),
            )),
        }
        eprint_commands(&annotations);
        if let Some(path) = &self.output {
            append(
                path,
                &shipgate_report::render_github_outputs(&[
                    ("decision", "blocked"),
                    ("exit-code", "3"),
                    ("blocking", "0"),
                    ("report", ""),
                ]),
            )?;
        }
        Ok(())
    }
}

fn append(path: &Path, text: &str) -> Result<(), String> {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|e| format!("failed to write `{}`: {e}", path.display()))
}

/// Whether stdout is redirected to a regular file (not the runner's log pipe).
fn stdout_is_a_file() -> bool {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        std::io::stdout()
            .as_fd()
            .try_clone_to_owned()
            .map(std::fs::File::from)
            .and_then(|f| f.metadata())
            .is_ok_and(|m| m.is_file())
    }
    #[cfg(windows)]
    {
        use std::os::windows::io::AsHandle;
        std::io::stdout()
            .as_handle()
            .try_clone_to_owned()
            .map(std::fs::File::from)
            .and_then(|f| f.metadata())
            .is_ok_and(|m| m.is_file())
    }
    #[cfg(not(any(unix, windows)))]
    {
        false
    }
}
