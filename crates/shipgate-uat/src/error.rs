//! Why a sign-off record, an allowed-signers file or the GitHub deployment approvals could not
//! be read.

use shipgate_http::HttpError;
use shipgate_yaml::Problem;

/// A sign-off record, allowed-signers file or GitHub deployment approvals that cannot be used.
/// A signature that does not verify is not an error: it is evidence
/// ([`shipgate_model::UatSignature::Invalid`]); nor is an approval that counts for no role.
#[derive(Debug, thiserror::Error)]
pub enum UatError {
    /// The file is not UTF-8 text.
    #[error("failed to read `{path}`: it is not UTF-8 text (invalid byte at offset {offset})")]
    NotUtf8 {
        /// The file.
        path: String,
        /// The offset of the first invalid byte.
        offset: usize,
    },
    /// The sign-off record has problems; each is listed with its line.
    #[error("failed to read the UAT sign-off `{path}`: {}", describe(problems))]
    Invalid {
        /// The file.
        path: String,
        /// Every problem, in line order.
        problems: Vec<Problem>,
    },
    /// The allowed-signers file has lines that cannot be used; each is listed.
    #[error(
        "failed to read the allowed signers `{path}`: {}",
        describe_lines(problems)
    )]
    AllowedSigners {
        /// The file.
        path: String,
        /// (line, what is wrong), in line order.
        problems: Vec<(usize, String)>,
    },
    /// The policy names no workflow run (outside GitHub Actions, `${GITHUB_RUN_ID:-}` is empty).
    #[error(
        "there is no workflow run to read deployment approvals of: `{key}` in `sources.uat.github_approvals` is empty"
    )]
    NoRun {
        /// `repository` or `run_id`.
        key: &'static str,
        /// What to write instead.
        example: &'static str,
    },
    /// `--offline`, and the approvals are only on GitHub.
    #[error(
        "the GitHub deployment approvals `{location}` are not read with `--offline`: they need the network"
    )]
    Offline {
        /// The review history's URL.
        location: String,
    },
    /// The token's environment variable is not set.
    #[error(
        "failed to read the token for the GitHub deployment approvals: the environment variable `{env}` is not set"
    )]
    MissingToken {
        /// The variable.
        env: String,
    },
    /// GitHub could not be reached, or refused.
    #[error("{source}")]
    Http {
        /// The request's error.
        #[source]
        source: HttpError,
    },
    /// GitHub answered, but not in the shape its API documents.
    #[error("failed to read the answer of `{url}`: {reason}")]
    ApprovalsShape {
        /// The URL, without credentials.
        url: String,
        /// What was missing or wrong.
        reason: String,
    },
    /// The approvals a release record stored cannot be read back.
    #[error("failed to read the stored deployment approvals `{path}`: {reason}")]
    StoredApprovals {
        /// The stored file.
        path: String,
        /// Why.
        reason: String,
    },
}

impl From<HttpError> for UatError {
    fn from(source: HttpError) -> Self {
        UatError::Http { source }
    }
}

impl UatError {
    /// Whether the evidence is absent (missing: blocks, exit 1) rather than unreadable (exit 4).
    pub fn is_missing(&self) -> bool {
        matches!(self, UatError::NoRun { .. } | UatError::Offline { .. })
    }

    /// What the user can do about it.
    pub fn remedy(&self) -> String {
        match self {
            UatError::NotUtf8 { path, .. } => format!("save `{path}` as UTF-8"),
            UatError::Invalid { path, .. } => format!(
                "correct `{path}` (its fields are described in docs/policy.md#sourcesuat); if it is signed, sign it again afterwards"
            ),
            UatError::AllowedSigners { path, .. } => format!(
                "correct `{path}`: each line is `PRINCIPALS [OPTIONS] KEYTYPE BASE64-KEY`, as `ssh-keygen -Y verify` reads it (see ALLOWED SIGNERS in ssh-keygen(1))"
            ),
            UatError::NoRun { key, example } => format!(
                "run the gate inside the GitHub Actions job whose deployment is approved, with `{key}: {example}`; for a dry run elsewhere, use `on_missing: warn` or `--dry-run`"
            ),
            UatError::Offline { .. } => "run without `--offline`: deployment approvals are read from GitHub (a replay of a release record reads the stored copy)".to_owned(),
            UatError::MissingToken { env } => format!(
                "pass the token to shipgate in `{env}` (in a workflow: `env: {env}: ${{{{ secrets.GITHUB_TOKEN }}}}` with `permissions: actions: read`); shipgate reads credentials only from environment variables"
            ),
            UatError::Http { source } => http_remedy(source),
            UatError::ApprovalsShape { .. } => "check `url` in `sources.uat.github_approvals`: it is the API's base URL (`https://api.github.com`, or `https://HOST/api/v3` for GitHub Enterprise Server)".to_owned(),
            UatError::StoredApprovals { .. } => "the release record holds approvals this shipgate cannot read; replay it with the shipgate version that recorded it".to_owned(),
        }
    }
}

/// What to do about a failed GitHub request, in the words of `sources.uat.github_approvals`
/// (the HTTP crate's own remedies speak of trackers).
fn http_remedy(e: &HttpError) -> String {
    match e {
        HttpError::Forbidden { .. } => "give the token `actions: read` on the repository (in a workflow: `permissions: actions: read`); when `roles` name teams, the token must also read the organisation's team memberships, which a workflow's GITHUB_TOKEN cannot: use a GitHub App token or a fine-grained token with organisation Members: read".to_owned(),
        HttpError::NotFound { .. } => "check `repository`, `run_id` and `url` in `sources.uat.github_approvals`; GitHub also answers 404 when the token may not see the repository".to_owned(),
        HttpError::InvalidUrl { .. } => "write the API's base URL with its scheme in `sources.uat.github_approvals.url`: `https://api.github.com`, or `https://HOST/api/v3` for GitHub Enterprise Server".to_owned(),
        HttpError::RetryAfterTooLong { .. } | HttpError::GaveUp { .. } => "GitHub is unavailable or rate-limiting; re-run the gate later (the release stays blocked until GitHub answers), or raise `retries`/`timeout` in `sources.uat.github_approvals`".to_owned(),
        HttpError::MalformedJson { html: true, .. } => "GitHub answered with a web page instead of JSON: check `url` in `sources.uat.github_approvals` (GitHub Enterprise Server's API is at `https://HOST/api/v3`) and any proxy in between".to_owned(),
        HttpError::Status { status: 300..=399, .. } => e.remedy(),
        HttpError::Status { .. } => "check `sources.uat.github_approvals`; GitHub's message is above".to_owned(),
        HttpError::CaBundle { .. } => "point `sources.uat.github_approvals.ca_bundle` at a readable PEM file holding your CA's certificates".to_owned(),
        HttpError::Unauthorized { .. }
        | HttpError::Setup { .. }
        | HttpError::MalformedJson { html: false, .. }
        | HttpError::DuplicateKey { .. }
        | HttpError::TooLarge { .. }
        | HttpError::SecretInAnswer { .. } => e.remedy(),
    }
}

fn describe(problems: &[Problem]) -> String {
    match problems {
        [] => "it could not be read".to_owned(),
        [one] => one.to_string(),
        [first, rest @ ..] => format!(
            "{first} (and {} more problem{}: {})",
            rest.len(),
            if rest.len() == 1 { "" } else { "s" },
            rest.iter()
                .map(|p| format!("line {}: {}", p.mark.line, p.message))
                .collect::<Vec<_>>()
                .join("; ")
        ),
    }
}

fn describe_lines(problems: &[(usize, String)]) -> String {
    problems
        .iter()
        .map(|(line, message)| format!("line {line}: {message}"))
        .collect::<Vec<_>>()
        .join("; ")
}
