//! `shipgate init`: write a commented starter policy.

use super::output::{eprint, print_stdout};
use clap::{Args, ValueEnum};
use shipgate_model::ExitCode;
use shipgate_policy::{Profile, starter_policy};
use shipgate_report::LogSyntax;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// Which starter policy.
    #[arg(long, value_enum, default_value_t = ProfileArg::Basic)]
    pub profile: ProfileArg,

    /// Where to write it (`-` for stdout).
    #[arg(long, short = 'o', default_value = "shipgate.yaml")]
    pub output: PathBuf,

    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum ProfileArg {
    /// Test results: pass rate, suite size, a critical path, flaky tests.
    Basic,
    /// Stricter: payment, authentication and data-integrity critical paths.
    Fintech,
}

pub(crate) fn run(args: &InitArgs) -> ExitCode {
    let profile = match args.profile {
        ProfileArg::Basic => Profile::Basic,
        ProfileArg::Fintech => Profile::Fintech,
    };
    let text = starter_policy(profile);
    if args.output.as_os_str() == "-" {
        return print_stdout(text, LogSyntax::Text);
    }
    if args.output.exists() && !args.force {
        eprint(&format!(
            "shipgate: `{}` already exists; pass --force to overwrite it, or --output to write elsewhere",
            args.output.display()
        ));
        return ExitCode::Usage;
    }
    if let Err(e) = std::fs::write(&args.output, text) {
        eprint(&format!(
            "shipgate: failed to write `{}`: {e}",
            args.output.display()
        ));
        return ExitCode::Internal;
    }
    print_stdout(
        &format!(
            "wrote `{path}`.\nNext: edit `release` and `sources.tests.junit`, then run `shipgate validate --policy {path}` and `shipgate check --policy {path} --dry-run`.\n",
            path = args.output.display()
        ),
        LogSyntax::Text,
    )
}
