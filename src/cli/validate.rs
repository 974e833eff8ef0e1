//! `shipgate validate` and the reporting of policy problems shared with `check`.

use super::PolicyArg;
use super::output::{env_lookup, eprint, print_stdout};
use shipgate_evaluator::{EvaluatorError, LoadedPolicy};
use shipgate_model::ExitCode;
use shipgate_report::LogSyntax;

pub(crate) fn run(args: &PolicyArg) -> ExitCode {
    let loaded = match load(args) {
        Ok(l) => l,
        Err(code) => return code,
    };
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
    )
}

/// Loads the policy, or prints why it cannot be and returns the exit code (3).
pub(crate) fn load(args: &PolicyArg) -> Result<LoadedPolicy, ExitCode> {
    load_or_report(args).map_err(|_| ExitCode::InvalidPolicy)
}

/// Loads the policy, or prints why it cannot be and returns the error.
pub(crate) fn load_or_report(args: &PolicyArg) -> Result<LoadedPolicy, EvaluatorError> {
    let loaded = shipgate_evaluator::load_policy(&args.policy, &env_lookup)
        .inspect_err(report_policy_error)?;
    // From here on, the credentials the policy names are removed from all that is written.
    super::output::guard_secrets(&loaded.secrets);
    Ok(loaded)
}

pub(crate) fn report_policy_error(e: &EvaluatorError) {
    match e {
        EvaluatorError::PolicyInvalid { path, problems } => {
            let mut text = format!("shipgate: {e}:");
            for p in problems {
                let at = if p.path.is_empty() {
                    String::new()
                } else {
                    format!("`{}`: ", p.path)
                };
                text.push_str(&format!(
                    "\n  {}:{}:{}: {at}{}",
                    path.display(),
                    p.mark.line,
                    p.mark.col,
                    p.message
                ));
            }
            eprint(&text);
        }
        EvaluatorError::PolicyUnreadable { path, source } => {
            let hint = if source.kind() == std::io::ErrorKind::NotFound {
                format!(
                    "\n  there is no policy at `{}`: write one with `shipgate init`, or pass `--policy FILE` (or set SHIPGATE_POLICY)",
                    path.display()
                )
            } else {
                String::new()
            };
            eprint(&format!("shipgate: {e}: {source}{hint}"));
        }
        EvaluatorError::PolicyNotUtf8 { .. } => {
            eprint(&format!("shipgate: {e}; save the policy as UTF-8"));
        }
        other => eprint(&format!("shipgate: {other}")),
    }
}
