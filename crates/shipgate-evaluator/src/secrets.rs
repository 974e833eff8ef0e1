//! The secrets of a run: every credential the policy names (`sources.defects.token_env` with
//! its `user_env`, `sources.uat.github_approvals.token_env`), resolved once from the
//! environment into one [`Redactor`] that the caller applies wherever text leaves the gate
//! (stdout, stderr, report files, GitHub's outputs) and that the release record is checked
//! against.
//!
//! It also refuses a policy that copies a secret into itself with `${VAR}`: the expanded value
//! would be printed with the release name or URL, and the release record keeps the value of
//! every `${VAR}` so that a replay can expand the policy the same way.

use shipgate_http::Redactor;
use shipgate_policy::{EnvLookup, Policy, Problem};
use std::collections::BTreeMap;

/// The redactor of every credential the policy names, as `env` resolves them now.
pub fn of_policy(policy: &Policy, env: EnvLookup<'_>) -> Redactor {
    let mut redactor = Redactor::new();
    let resolve = |name: &str| env(name.trim()).filter(|v| !v.trim().is_empty());
    if let Some(defects) = &policy.sources.defects
        && let Some(token_env) = &defects.token_env
        && let Some(token) = resolve(token_env)
    {
        match defects.user_env.as_deref().and_then(resolve) {
            // The user is not a secret, but `user:token` in base64 is what basic auth sends.
            Some(user) => redactor.add_basic(token_env.trim(), &user, &token),
            None => redactor.add_secret(token_env.trim(), &token),
        }
    }
    if let Some(gh) = policy
        .sources
        .uat
        .as_ref()
        .and_then(|u| u.github_approvals.as_ref())
        && let Some(token) = resolve(&gh.token_env)
    {
        redactor.add_secret(gh.token_env.trim(), &token);
    }
    redactor
}

/// The redactor of the credentials a policy that could not be parsed names, found in its text:
/// every `token_env` key's value. A problem with such a policy can quote the value a `${VAR}`
/// filled in (`min_pass_rate: ${JIRA_API_TOKEN}` is "not a number"), and the secrets must not
/// be printed with it.
pub(crate) fn named_in_text(text: &str, env: EnvLookup<'_>) -> Redactor {
    let mut redactor = Redactor::new();
    for (at, _) in text.match_indices("token_env") {
        let rest = text[at + "token_env".len()..].trim_start_matches([' ', '\t']);
        let Some(rest) = rest.strip_prefix(':') else {
            continue;
        };
        let rest = rest.trim_start_matches([' ', '\t', '"', '\'']);
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if let Some(value) = env(&name).filter(|v| !v.trim().is_empty()) {
            redactor.add_secret(&name, &value);
        }
    }
    redactor
}

/// A problem for each `${VAR}` of the policy whose value holds a secret of the run, at the
/// first place the policy text names it.
pub(crate) fn copied_into_policy(
    text: &str,
    referenced: &BTreeMap<String, Option<String>>,
    secrets: &Redactor,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (name, value) in referenced {
        let Some(value) = value else { continue };
        let Some(env) = secrets.find(value.as_bytes()) else {
            continue;
        };
        let mut problem = Problem::new(
            Default::default(),
            "",
            format!(
                "`${{{name}}}` copies the secret of `{env}` into the policy, where it would be printed with the value it fills in and kept in the release record; name the variable only where the policy asks for one (`token_env`, `user_env`), which shipgate reads without printing it"
            ),
        );
        if let Some((line, col)) = position(text, &format!("${{{name}")) {
            problem.mark.line = line;
            problem.mark.col = col;
        }
        problems.push(problem);
    }
    problems
}

/// The 1-based line and column of the first `needle` in `text`.
fn position(text: &str, needle: &str) -> Option<(usize, usize)> {
    let at = text.find(needle)?;
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Some((line, col))
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: &str = "version: 1\nrelease: {name: pay, version: '1.0'}\nsources:\n  tests: {junit: [r.xml]}\n  defects:\n    kind: jira\n    url: https://acme.atlassian.net\n    user_env: TRACKER_USER\n    token_env: TRACKER_TOKEN\n    query: project = PAY\n    origin: {field: Defect origin, production: [Production], pre_production: [QA]}\n  uat:\n    github_approvals:\n      repository: acme/pay\n      run_id: '42'\n      environment: production\n      token_env: GH_TOKEN\n      roles:\n        qa-lead: {users: [sam]}\nchecks:\n  defects: {max_open: {critical: 0}}\n  uat: {required_roles: [qa-lead]}\n";

    fn env(name: &str) -> Option<String> {
        match name {
            "TRACKER_USER" => Some("qa@acme.example".into()),
            "TRACKER_TOKEN" => Some("  jira-token-1234  ".into()),
            "GH_TOKEN" => Some("ghp_abcdefghijklmnop".into()),
            _ => None,
        }
    }

    #[test]
    fn every_credential_of_the_policy_is_known() {
        let policy = Policy::parse(POLICY, &env).unwrap();
        let secrets = of_policy(&policy, &env);
        assert_eq!(secrets.find(b"x jira-token-1234 y"), Some("TRACKER_TOKEN"));
        assert_eq!(secrets.find(b"ghp_abcdefghijklmnop"), Some("GH_TOKEN"));
        // `qa@acme.example:jira-token-1234` in base64, as basic auth sends it.
        assert_eq!(
            secrets.find(b"Basic cWFAYWNtZS5leGFtcGxlOmppcmEtdG9rZW4tMTIzNA=="),
            Some("TRACKER_TOKEN")
        );
        assert_eq!(
            secrets.find(b"qa@acme.example"),
            None,
            "a user is no secret"
        );
    }

    #[test]
    fn a_policy_that_does_not_parse_still_names_its_tokens() {
        let text = "sources:\n  defects: {kind: github, token_env: TRACKER_TOKEN}\n  uat:\n    github_approvals:\n      token_env: 'GH_TOKEN'\nchecks: {regression: {min_pass_rate: x}}\n";
        let secrets = named_in_text(text, &env);
        assert_eq!(secrets.find(b"jira-token-1234"), Some("TRACKER_TOKEN"));
        assert_eq!(secrets.find(b"ghp_abcdefghijklmnop"), Some("GH_TOKEN"));
        assert!(named_in_text("token_env", &env).is_empty());
    }

    #[test]
    fn a_secret_copied_with_a_variable_is_found_on_its_line() {
        let policy = Policy::parse(POLICY, &env).unwrap();
        let secrets = of_policy(&policy, &env);
        let text = "version: 1\nrelease:\n  name: ${ALIAS}\n";
        let referenced = BTreeMap::from([
            ("ALIAS".to_owned(), Some("jira-token-1234".to_owned())),
            ("RELEASE".to_owned(), Some("1.0".to_owned())),
            ("UNSET".to_owned(), None),
        ]);
        let problems = copied_into_policy(text, &referenced, &secrets);
        assert_eq!(problems.len(), 1);
        assert_eq!((problems[0].mark.line, problems[0].mark.col), (3, 9));
        assert!(problems[0].message.contains("`TRACKER_TOKEN`"));
        assert!(!problems[0].message.contains("jira-token"));
    }
}
