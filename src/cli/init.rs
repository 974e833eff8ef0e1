//! `shipgate init`: write a commented starter policy.

use super::output::{eprint, print_stdout};
use clap::Args;
use shipgate_model::ExitCode;
use shipgate_policy::{Profile, starter_policy};
use shipgate_report::LogSyntax;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// Which starter policy.
    #[arg(long, default_value = "basic", value_parser = super::words::one_of(&Profile::ALL, Profile::as_str, Profile::describe))]
    pub profile: Profile,

    /// Where to write it (`-` for stdout).
    #[arg(long, short = 'o', default_value = "shipgate.yaml")]
    pub output: PathBuf,

    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
}

pub(crate) fn run(args: &InitArgs) -> ExitCode {
    let text = starter_policy(args.profile);
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
