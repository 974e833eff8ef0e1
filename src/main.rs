//! `shipgate`: the command line of the release readiness gate.
//!
//! Only argument parsing, wiring and printing live here; the domain is in the `shipgate-*`
//! crates. Every path out of `main` goes through [`ExitCode`]: a report to stdout, logs and
//! problems to stderr, and a documented exit status. A panic is caught and reported as an
//! internal error (exit 70), never shown to the user as a backtrace.

mod cli;

use clap::Parser;
use shipgate_model::ExitCode;
use std::process;

fn main() {
    // A bug must still end with exit 70 and a sentence, not a backtrace.
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
        cli::output::eprint(&format!(
            "shipgate: internal error{location}: {payload}\nThis is a bug in shipgate; please report it. The release is blocked (exit 70)."
        ));
    }));
    let code = std::panic::catch_unwind(run).unwrap_or(ExitCode::Internal);
    process::exit(i32::from(code.code()));
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
            // clap prints help to stdout and errors to stderr itself.
            let _ = e.print();
            return code;
        }
    };
    cli::logging::init(args.verbose, args.quiet);
    args.command.run(&args.global())
}
