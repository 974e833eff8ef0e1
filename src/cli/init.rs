//! `shipgate init`: write a commented starter policy.

use super::error::RunError;
use super::output::print_stdout;
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

pub(crate) fn run(args: &InitArgs) -> Result<ExitCode, RunError> {
    let text = starter_policy(args.profile);
    if args.output.as_os_str() == "-" {
        print_stdout(text, LogSyntax::Text)?;
        return Ok(ExitCode::Ready);
    }
    if args.output.exists() && !args.force {
        return Err(RunError::Usage(format!(
            "`{}` already exists; pass --force to overwrite it, or --output to write elsewhere",
            args.output.display()
        )));
    }
    std::fs::write(&args.output, text).map_err(|e| {
        RunError::Internal(format!("failed to write `{}`: {e}", args.output.display()))
    })?;
    print_stdout(
        &format!(
            "wrote `{path}`.\nNext: edit `release` and `sources.tests.junit`, then run `shipgate validate --policy {path}` and `shipgate check --policy {path} --dry-run`.\n",
            path = args.output.display()
        ),
        LogSyntax::Text,
    )?;
    Ok(ExitCode::Ready)
}
