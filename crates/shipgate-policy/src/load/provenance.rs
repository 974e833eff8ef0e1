//! Rules of `checks.provenance`: which sources it names, and how old their evidence may be.

use crate::provenance::PROVENANCE_SOURCES;
use crate::raw::RawPolicy;
use crate::validator::Validator;
use shipgate_model::SourceId;

/// Whether the policy configures the source (one of [`PROVENANCE_SOURCES`]).
fn is_configured(source: SourceId, policy: &RawPolicy) -> bool {
    match source {
        SourceId::Tests => policy.sources.tests.is_some(),
        SourceId::Performance => policy.sources.performance.is_some(),
        SourceId::Uat => policy.sources.uat.is_some(),
        _ => false,
    }
}

impl Validator<'_> {
    pub(crate) fn validate_provenance(&mut self, policy: &RawPolicy) {
        let Some(check) = &policy.checks.provenance else {
            return;
        };
        let ages = check.max_age.clone().unwrap_or_default();
        for source in PROVENANCE_SOURCES {
            let name = source.as_str();
            if let Some(age) = ages.get(source) {
                if !is_configured(source, policy) {
                    self.cross_problem(
                        &format!("checks.provenance.max_age.{name}"),
                        format!("`max_age.{name}` is set but the policy has no `sources.{name}`; configure the source or remove the limit"),
                    );
                }
                if age.get().is_zero() {
                    self.problem(
                        &format!("checks.provenance.max_age.{name}"),
                        "a maximum age of zero refuses all evidence; write e.g. `1d`",
                    );
                }
            }
        }
    }
}
