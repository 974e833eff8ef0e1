//! The renderers of evidence as `shipgate inspect` shows it (test results and their history,
//! load-test results, a UAT sign-off, defects) and of the `shipgate leakage` report. They show
//! what was read; nothing here evaluates it against a policy.

mod defects;
mod history;
mod performance;
mod test_results;
mod uat;

pub use defects::{
    render_defect_inspection_human, render_leakage_human, render_leakage_json,
    render_leakage_markdown,
};
pub use history::{history_json, render_history_human};
pub use performance::{
    BaselineInspection, BaselineRunInspection, PerfInspection, render_baseline_inspection_human,
    render_baseline_inspection_json, render_perf_inspection_human, render_perf_inspection_json,
};
pub use test_results::{
    render_test_inspection_human, render_test_inspection_json,
    render_test_inspection_json_with_history,
};
pub use uat::{render_uat_inspection_human, render_uat_inspection_json};
