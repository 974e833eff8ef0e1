//! Everything shipgate writes for people and pipelines leaves through here: stdout, stderr
//! (messages and logs), and the report files. Two things are done in this one place, so that no
//! subcommand or call site can forget them:
//!
//! - **secrets** are removed: once a policy is loaded, every credential it names (in every
//!   form: raw, base64 of `user:token`, percent- and JSON-encoded) is replaced by `***` in all
//!   text written afterwards ([`guard_secrets`]);
//! - **workflow commands** are neutralised in a GitHub Actions job: the runner reads commands
//!   on stdout and stderr, so a marker in evidence text (`::` at a line's start, `##[` anywhere)
//!   is broken up in the way the text's syntax allows ([`shipgate_report::LogSyntax`]); outside
//!   a job the text is written as it is. shipgate's own annotations are the only commands
//!   written, through [`print_commands`] and [`eprint_commands`].
//!
//! A closed pipe (`shipgate check | head`) is not an error worth changing the exit code for.

use super::ColorChoice;
use shipgate_evaluator::Redactor;
use shipgate_report::LogSyntax;
use std::borrow::Cow;
use std::io::{IsTerminal, Write};
use std::sync::{OnceLock, PoisonError, RwLock};

/// The secrets of this run, from the moment a policy naming them was loaded.
static SECRETS: RwLock<Option<Redactor>> = RwLock::new(None);

/// Removes `secrets` from everything written from now on (added to those already known).
pub(crate) fn guard_secrets(secrets: &Redactor) {
    if secrets.is_empty() {
        return;
    }
    let mut known = SECRETS.write().unwrap_or_else(PoisonError::into_inner);
    known.get_or_insert_with(Redactor::new).extend(secrets);
}

/// The text without any secret of the run: for report files, and under everything printed.
pub(crate) fn redact(text: &str) -> Cow<'_, str> {
    let known = SECRETS.read().unwrap_or_else(PoisonError::into_inner);
    match known.as_ref() {
        Some(r) => Cow::Owned(r.redact(text).into_owned()),
        None => Cow::Borrowed(text),
    }
}

/// Whether this runs in a GitHub Actions job (or a runner that reads its workflow commands,
/// such as Gitea's and Forgejo's, which set the same variable). Any value but empty or `false`
/// counts: neutralising a marker is harmless, missing one is not.
pub(crate) fn in_github_actions() -> bool {
    static IN_ACTIONS: OnceLock<bool> = OnceLock::new();
    *IN_ACTIONS.get_or_init(|| {
        std::env::var_os("GITHUB_ACTIONS")
            .is_some_and(|v| !v.is_empty() && v != "false" && v != "0")
    })
}

/// Text as it may be printed: secrets removed, and in a GitHub Actions job, markers broken up.
fn shield(text: &str, syntax: LogSyntax) -> String {
    let text = redact(text);
    if in_github_actions() {
        shipgate_report::neutralise_workflow_commands(&text, syntax).into_owned()
    } else {
        text.into_owned()
    }
}

/// Writes a report or listing in `syntax` to stdout.
pub(crate) fn print_stdout(text: &str, syntax: LogSyntax) -> Result<(), StdoutError> {
    write_stdout(&shield(text, syntax))
}

/// Writes shipgate's own workflow commands (escaped by `shipgate_report::github_command`) to
/// stdout, with secrets removed but the commands left working.
pub(crate) fn print_commands(commands: &str) -> Result<(), StdoutError> {
    write_stdout(&redact(commands))
}

/// Stdout could not be written (other than a closed pipe).
#[derive(Debug)]
pub(crate) struct StdoutError(pub std::io::Error);

fn write_stdout(text: &str) -> Result<(), StdoutError> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(StdoutError(e)),
    }
}

/// One message on stderr (best effort: nowhere else to report a failure).
pub(crate) fn eprint(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{}", shield(text, LogSyntax::Text));
}

/// shipgate's own workflow commands on stderr, with secrets removed.
pub(crate) fn eprint_commands(commands: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(redact(commands).as_bytes());
}

/// Writes a report file (`report.json`, `summary.md`, ...) with the run's secrets removed.
/// Files are not neutralised: the runner does not read them, and the JSON and JUnit files keep
/// the bytes a pipe would get outside a job.
pub(crate) fn redacted_file_text(text: String) -> String {
    match redact(&text) {
        Cow::Borrowed(_) => text,
        Cow::Owned(clean) => clean,
    }
}

/// A writer for log lines: each event is buffered and written to stderr whole, shielded like
/// every other message.
#[derive(Default)]
pub(crate) struct LogWriter {
    buffer: Vec<u8>,
}

impl Write for LogWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let text = String::from_utf8_lossy(&self.buffer);
        let shown = shield(&text, LogSyntax::Text);
        self.buffer.clear();
        let mut err = std::io::stderr().lock();
        err.write_all(shown.as_bytes())
    }
}

impl Drop for LogWriter {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

/// Whether human output on stdout is coloured: `--color`, else a terminal without `NO_COLOR`.
pub(crate) fn stdout_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}

/// Looks up environment variables for `${VAR}` in the policy.
pub(crate) fn env_lookup(name: &str) -> Option<String> {
    std::env::var(name).ok()
}
