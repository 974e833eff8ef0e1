//! `shipgate validate`, and the policy loading shared by every command that reads a policy.

use super::PolicyArg;
use super::error::RunError;
use super::output::{env_lookup, print_stdout};
use shipgate_evaluator::LoadedPolicy;
use shipgate_model::ExitCode;
use shipgate_report::LogSyntax;

pub(crate) fn run(args: &PolicyArg) -> Result<ExitCode, RunError> {
    let loaded = load(args)?;
    let ids = loaded.policy.check_ids();
    let list = ids
        .iter()
        .map(|id| format!("  {id}"))
        .collect::<Vec<_>>()
        .join("\n");
    print_stdout(
        &format!(
            "`{}` is valid: {} check{}\n{list}\n",
            args.policy.display(),
            ids.len(),
            if ids.len() == 1 { "" } else { "s" }
        ),
        LogSyntax::Text,
    )?;
    Ok(ExitCode::Ready)
}

/// Loads the policy, or says why it cannot be used (exit 3).
pub(crate) fn load(args: &PolicyArg) -> Result<LoadedPolicy, RunError> {
    let loaded = shipgate_evaluator::load_policy(&args.policy, &env_lookup)?;
    // From here on, the credentials the policy names are removed from all that is written.
    super::output::guard_secrets(&loaded.secrets);
    Ok(loaded)
}
