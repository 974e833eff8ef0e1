//! `shipgate explain CHECK-ID`.

use super::error::RunError;
use super::output::print_stdout;
use clap::Args;
use shipgate_model::ExitCode;
use shipgate_policy::catalog;
use shipgate_report::LogSyntax;

#[derive(Debug, Args)]
pub(crate) struct ExplainArgs {
    /// The check id (`regression.pass-rate`, ...). Without it, every check is listed.
    pub check_id: Option<String>,
}

pub(crate) fn run(args: &ExplainArgs) -> Result<ExitCode, RunError> {
    let Some(id) = &args.check_id else {
        let width = catalog().map(|c| c.id.len()).max().unwrap_or(0);
        let mut text = String::from("Checks (run `shipgate explain ID` for one):\n");
        for c in catalog() {
            text.push_str(&format!("  {:width$}  {}\n", c.id, c.title));
        }
        print_stdout(&text, LogSyntax::Text)?;
        return Ok(ExitCode::Ready);
    };
    let Some(info) = shipgate_policy::explain(id) else {
        let hint = match shipgate_policy::nearest_id(id) {
            Some(c) => format!("; did you mean `{c}`?"),
            None => {
                let ids: Vec<&str> = catalog().map(|c| c.id).collect();
                format!("; the checks are: {}", ids.join(", "))
            }
        };
        return Err(RunError::Usage(format!("there is no check `{id}`{hint}")));
    };
    // A family entry (`performance.<metric>`) explains each of its ids.
    let heading = if info.id == id.as_str() {
        info.id.to_owned()
    } else {
        format!("{id} ({})", info.id)
    };
    let text = format!(
        "{heading} — {title}\n\nMeasures:     {measures}\nBlocks when:  {blocks}\nConfigure:    {configure}\nTo fix:       {fix}\nWhy:          {why}\n",
        title = info.title,
        measures = info.measures,
        blocks = info.blocks_when,
        configure = info.configure,
        fix = info.fix,
        why = info.why,
    );
    print_stdout(&text, LogSyntax::Text)?;
    Ok(ExitCode::Ready)
}
