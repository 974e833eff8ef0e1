//! Rules of the UAT sections: `sources.uat` (the sign-off record, or GitHub deployment approvals)
//! and `checks.uat`.

use super::defects::is_env_name;
use crate::raw::RawPolicy;
use crate::uat::GithubApprovals;
use crate::validator::Validator;

impl Validator<'_> {
    pub(crate) fn validate_uat(&mut self, policy: &RawPolicy) {
        if let Some(uat) = &policy.sources.uat {
            if uat.signoff.is_none() && uat.github_approvals.is_none() {
                self.problem(
                    "sources.uat",
                    "name the sign-off record (`signoff: release/uat-signoff.yaml`), the GitHub deployment approvals of the run (`github_approvals`), or both",
                );
            }
            if uat.signoff.as_deref().is_some_and(|s| s.trim().is_empty()) {
                self.problem(
                    "sources.uat.signoff",
                    "name the sign-off record, e.g. `release/uat-signoff.yaml`",
                );
            }
            if uat.signoff.is_none() {
                for (key, set) in [
                    ("allowed_signers", uat.allowed_signers.is_some()),
                    ("require_signature", uat.require_signature.is_some()),
                ] {
                    if set {
                        self.problem(
                            &format!("sources.uat.{key}"),
                            format!("`{key}` is about the signature of the sign-off record, and there is no `sources.uat.signoff`"),
                        );
                    }
                }
            }
            if let Some(gh) = &uat.github_approvals {
                self.validate_github_approvals(gh);
            }
            if uat
                .allowed_signers
                .as_deref()
                .is_some_and(|p| p.trim().is_empty())
            {
                self.problem(
                    "sources.uat.allowed_signers",
                    "name the allowed-signers file, e.g. `release/allowed_signers`, or remove the key",
                );
            }
            if uat.signature_required() && uat.allowed_signers.is_none() {
                self.problem(
                    "sources.uat.require_signature",
                    "a required signature needs `sources.uat.allowed_signers`, the file of keys allowed to sign the record",
                );
            }
        }
        let Some(check) = &policy.checks.uat else {
            return;
        };
        if policy.sources.uat.is_none() {
            self.cross_problem(
                "checks.uat",
                "`checks.uat` needs UAT evidence: add `sources.uat.signoff` with the sign-off record's path, or `sources.uat.github_approvals`",
            );
        }
        if let Some(uat) = &policy.sources.uat
            && uat.signoff.is_none()
            && let Some(gh) = &uat.github_approvals
        {
            for (i, role) in check.required_roles.iter().enumerate() {
                if !role.trim().is_empty() && gh.approvers(role).is_none() {
                    self.cross_problem(
                        &format!("checks.uat.required_roles[{i}]"),
                        format!("no one can approve as `{role}`: there is no sign-off record, and `sources.uat.github_approvals.roles` does not name `{role}`; add the users or teams who approve for it"),
                    );
                }
            }
        }
        if check.required_roles.is_empty() {
            self.problem(
                "checks.uat.required_roles",
                "list the roles that must approve, e.g. `[product-owner, qa-lead]`",
            );
        }
        for (i, role) in check.required_roles.iter().enumerate() {
            if role.trim().is_empty() {
                self.problem(
                    &format!("checks.uat.required_roles[{i}]"),
                    "an empty role can never be signed",
                );
            }
        }
        if check.max_age.is_some_and(|a| a.get().is_zero()) {
            self.problem(
                "checks.uat.max_age",
                "a maximum age of zero refuses every sign-off; write e.g. `14d`",
            );
        }
    }

    fn validate_github_approvals(&mut self, gh: &GithubApprovals) {
        const AT: &str = "sources.uat.github_approvals";
        // Written, but possibly empty: `${GITHUB_RUN_ID:-}` outside a pipeline is null.
        for (key, example) in [
            ("repository", "${GITHUB_REPOSITORY}"),
            ("run_id", "${GITHUB_RUN_ID}"),
        ] {
            if !self.has(&format!("{AT}.{key}")) {
                self.problem(
                    AT,
                    format!("missing required key `{key}`; write `{key}: {example}`"),
                );
            }
        }
        let repository = gh.repository();
        // Empty is allowed (`${GITHUB_REPOSITORY:-}` outside a pipeline): the approvals are then
        // missing evidence, which blocks unless `on_missing: warn`.
        if !repository.is_empty()
            && !repository
                .split_once('/')
                .is_some_and(|(owner, name)| is_github_name(owner) && is_github_name(name))
        {
            self.problem(
                &format!("{AT}.repository"),
                format!("`{repository}` is not `owner/name`; write e.g. `${{GITHUB_REPOSITORY}}`"),
            );
        }
        let run_id = gh.run_id();
        if !run_id.is_empty() && run_id.parse::<u64>().is_err() {
            self.problem(
                &format!("{AT}.run_id"),
                format!(
                    "`{run_id}` is not a workflow run id (a number); write `${{GITHUB_RUN_ID}}`"
                ),
            );
        }
        if gh.environment.is_empty() {
            self.problem(
                &format!("{AT}.environment"),
                "name the environment whose deployment approvals count, e.g. `production`",
            );
        }
        for (i, env) in gh.environment.iter().enumerate() {
            if env.trim().is_empty() {
                self.problem(
                    &format!("{AT}.environment[{i}]"),
                    "name the environment whose deployment approvals count, e.g. `production`",
                );
            }
        }
        if !is_env_name(gh.token_env.trim()) {
            self.problem(
                &format!("{AT}.token_env"),
                "`token_env` is the name of an environment variable in capitals (e.g. `GITHUB_TOKEN`), never the token itself (and not `${VAR}`, which would put the token in the policy); the value is not shown here",
            );
        }
        if let Some(url) = &gh.url
            && !(url.trim().starts_with("https://") || url.trim().starts_with("http://"))
        {
            self.problem(
                &format!("{AT}.url"),
                "write the API's base URL with its scheme: `https://api.github.com`, or `https://HOST/api/v3` for GitHub Enterprise Server",
            );
        }
        if gh.roles.is_empty() {
            self.problem(
                &format!("{AT}.roles"),
                "map at least one role to the users or teams who approve for it, e.g. `{qa-lead: {teams: [acme/qa]}}`",
            );
        }
        for (role, approvers) in &gh.roles {
            let at = format!("{AT}.roles.{role}");
            if role.trim().is_empty() {
                self.problem(&at, "a role needs a name");
            }
            if approvers.users.is_empty() && approvers.teams.is_empty() {
                self.problem(
                    &at,
                    format!("no one approves as `{role}`: list `users` (GitHub logins) or `teams` (`org/team-slug`)"),
                );
            }
            for (i, user) in approvers.users.iter().enumerate() {
                let user = user.trim();
                if !is_github_name(user) {
                    let hint = if user.starts_with('@') {
                        "; write the login without `@`"
                    } else {
                        ""
                    };
                    self.problem(
                        &format!("{at}.users[{i}]"),
                        format!("`{user}` is not a GitHub login{hint}"),
                    );
                }
            }
            for (i, team) in approvers.teams.iter().enumerate() {
                let team = team.trim();
                if !team
                    .split_once('/')
                    .is_some_and(|(org, slug)| is_github_name(org) && is_github_name(slug))
                {
                    self.problem(
                        &format!("{at}.teams[{i}]"),
                        format!(
                            "`{team}` is not a team: write `org/team-slug`, e.g. `acme/qa-leads`"
                        ),
                    );
                }
            }
        }
        if gh.retries.is_some_and(|r| r > 10) {
            self.problem(&format!("{AT}.retries"), "at most 10 retries");
        }
        if gh.timeout.is_some_and(|t| t.get().is_zero()) {
            self.problem(&format!("{AT}.timeout"), "a timeout must be longer than 0");
        }
        if gh.ca_bundle.as_deref().is_some_and(|p| p.trim().is_empty()) {
            self.problem(
                &format!("{AT}.ca_bundle"),
                "name the PEM file, or remove the key",
            );
        }
    }
}

/// A login, organisation, team slug or repository name as GitHub writes them: letters, digits,
/// `-`, `_` and `.` (never `.` or `..` alone). Anything else would change the API path it is
/// put in.
fn is_github_name(s: &str) -> bool {
    !s.is_empty()
        && s != "."
        && s != ".."
        && s.len() <= 100
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}
