//! `shipgate`: the command line of the release readiness gate.
//!
//! Only argument parsing, wiring and printing live here; the domain is in the `shipgate-*`
//! crates. Every path out of `main` goes through [`ExitCode`]: a report to stdout, logs and
//! problems to stderr, and a documented exit status. A command returns its answer's code or a
//! `RunError`, which knows its own code (`cli::error`). A panic is caught and reported as an
//! internal error (exit 70, or 4 when it stopped a reader of evidence), never shown to the user
//! as a backtrace.

mod cli;

use clap::Parser;
use shipgate_model::ExitCode;
use std::process;

fn main() {
    // A bug must still end with a sentence and a non-zero exit, not a backtrace.
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let payload = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        cli::output::eprint(&panic_message(&location, &payload));
    }));
    let code = std::panic::catch_unwind(run).unwrap_or(ExitCode::Internal);
    process::exit(i32::from(code.code()));
}

/// What a panic prints. It names no exit code: a panic in `main` ends with 70, but one in a
/// thread that reads evidence is caught and that evidence reported unreadable (exit 4).
fn panic_message(location: &str, payload: &str) -> String {
    format!(
        "shipgate: internal error{location}: {payload}\nThis is a bug in shipgate; please report it. The gate does not pass: the release is blocked."
    )
}

fn run() -> ExitCode {
    let args = match cli::Cli::try_parse() {
        Ok(args) => args,
        Err(e) => {
            // Only an explicit `--help` or `--version` succeeds. A missing subcommand (clap shows
            // the help) is a usage error: `shipgate $CMD` with an empty variable must not pass.
            let code = match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::Ready
                }
                _ => ExitCode::Usage,
            };
            if cli::output::in_github_actions() {
                // An argument can come from evidence (a glob, a path): in a job, clap's text
                // goes through the same shield as everything else, without colour.
                let text = e.render().to_string();
                if code == ExitCode::Ready {
                    if let Err(e) =
                        cli::output::print_stdout(&text, shipgate_report::LogSyntax::Text)
                    {
                        let e = cli::error::RunError::from(e);
                        e.print();
                        return e.exit_code();
                    }
                } else {
                    cli::output::eprint(text.trim_end());
                }
            } else {
                // clap prints help to stdout and errors to stderr itself.
                let _ = e.print();
            }
            return code;
        }
    };
    cli::logging::init(args.verbose, args.quiet);
    match args.command.run(&args.global()) {
        Ok(code) => code,
        // The one place a failure becomes an exit code: the error knows its own.
        Err(e) => {
            e.print();
            e.exit_code()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_promises_no_exit_code() {
        let text = panic_message(" at src/x.rs:1", "boom");
        assert!(
            text.contains("internal error at src/x.rs:1: boom"),
            "{text}"
        );
        assert!(text.contains("the release is blocked"), "{text}");
        // A reader thread's panic is caught and the process exits 4: no code is promised.
        assert!(!text.contains("exit"), "{text}");
    }
}
