//! Writing to stdout and stderr without panicking on a closed pipe, and deciding on colour.

use super::ColorChoice;
use shipgate_model::ExitCode;
use std::io::{IsTerminal, Write};

/// Writes the report to stdout. A closed pipe (`shipgate check | head`) is not an error worth
/// changing the exit code for; any other write failure is.
pub(crate) fn print_stdout(text: &str) -> ExitCode {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::Ready,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::Ready,
        Err(e) => {
            eprint(&format!("shipgate: failed to write to stdout: {e}"));
            ExitCode::Internal
        }
    }
}

/// One message on stderr (best effort: nowhere else to report a failure).
pub(crate) fn eprint(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{text}");
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
