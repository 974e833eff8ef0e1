//! Why a request failed, in words that name the server and the environment variable involved,
//! never a secret.

use std::path::PathBuf;

/// Why a request could not get a JSON answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    /// The URL cannot be used.
    #[error("failed to use the URL `{url}`: {reason}")]
    InvalidUrl {
        /// The URL, without credentials.
        url: String,
        /// Why.
        reason: String,
    },
    /// The extra CA bundle could not be read.
    #[error("failed to read the CA bundle `{}`: {reason}", path.display())]
    CaBundle {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The client could not be set up (TLS).
    #[error("failed to set up the HTTP client: {reason}")]
    Setup {
        /// Why.
        reason: String,
    },
    /// 401: the credentials were refused.
    #[error("failed to sign in to `{url}`: {}", rejected(.token_env.as_deref()))]
    Unauthorized {
        /// The URL, without credentials.
        url: String,
        /// The environment variable that held the token, when one was sent.
        token_env: Option<String>,
        /// The environment variable that held the user name, for basic auth.
        user_env: Option<String>,
    },
    /// 403: signed in, but not allowed.
    #[error("failed to read `{url}`: the server refused access (HTTP 403){}", with_token(.token_env.as_deref()))]
    Forbidden {
        /// The URL, without credentials.
        url: String,
        /// The environment variable that held the token, when one was sent.
        token_env: Option<String>,
        /// What the server said, cut short.
        detail: Option<String>,
    },
    /// 404: nothing there (or not visible to this token).
    #[error("failed to read `{url}`: not found (HTTP 404)")]
    NotFound {
        /// The URL, without credentials.
        url: String,
        /// Whether a token was sent.
        token_env: Option<String>,
    },
    /// Another 4xx (or a 5xx that is not retried).
    #[error("failed to read `{url}`: HTTP {status}{}", detail.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    Status {
        /// The URL, without credentials.
        url: String,
        /// The status.
        status: u16,
        /// What the server said, cut short.
        detail: Option<String>,
    },
    /// The server asked to wait longer than shipgate waits.
    #[error(
        "failed to read `{url}`: the server asked to retry after {seconds} s (HTTP {status}), longer than the {limit} s shipgate waits"
    )]
    RetryAfterTooLong {
        /// The URL, without credentials.
        url: String,
        /// 429 or 503.
        status: u16,
        /// What the server asked for.
        seconds: u64,
        /// The most shipgate waits.
        limit: u64,
    },
    /// Every attempt failed with a 5xx, a 429, a timeout or a broken connection.
    #[error("failed to read `{url}` after {attempts} attempt{}: {last}", if *.attempts == 1 { "" } else { "s" })]
    GaveUp {
        /// The URL, without credentials.
        url: String,
        /// How many requests were sent.
        attempts: u32,
        /// What went wrong the last time (`HTTP 503`, `timed out after 30 s`).
        last: String,
    },
    /// The answer is not JSON.
    #[error("failed to read the answer of `{url}` as JSON: {reason}")]
    MalformedJson {
        /// The URL, without credentials.
        url: String,
        /// The parser's message with line and column, or what the body looked like.
        reason: String,
        /// Whether the body looked like an HTML page (a proxy or sign-in page).
        html: bool,
    },
    /// A successful answer carries a credential of this run.
    #[error("failed to read `{url}`: its answer holds the token in `{token_env}`")]
    SecretInAnswer {
        /// The URL, without credentials.
        url: String,
        /// The environment variable that held the token.
        token_env: String,
    },
    /// The answer is JSON that gives one key two values (`"status": "open", "status":
    /// "closed"`): read either way, it could hide an open defect or a missing approval.
    #[error("failed to read the answer of `{url}`: {source}")]
    DuplicateKey {
        /// The URL, without credentials.
        url: String,
        /// The key, where it is in the answer and its line and column.
        #[source]
        source: shipgate_json::JsonError,
    },
    /// The answer is larger than shipgate reads.
    #[error("failed to read the answer of `{url}`: it is larger than {limit} bytes")]
    TooLarge {
        /// The URL, without credentials.
        url: String,
        /// The limit.
        limit: u64,
    },
}

fn rejected(token_env: Option<&str>) -> String {
    match token_env {
        Some(env) => format!("the token in `{env}` was rejected (HTTP 401)"),
        None => "the server asks for credentials and none were configured (HTTP 401)".to_owned(),
    }
}

fn with_token(token_env: Option<&str>) -> String {
    match token_env {
        Some(env) => format!(" to the account of the token in `{env}`"),
        None => String::new(),
    }
}

impl HttpError {
    /// What the user can do about it.
    pub fn remedy(&self) -> String {
        match self {
            HttpError::InvalidUrl { .. } => {
                "write the tracker's base URL with its scheme, e.g. `https://acme.atlassian.net`"
                    .to_owned()
            }
            HttpError::CaBundle { .. } => {
                "point `ca_bundle` at a readable PEM file holding your CA's certificates".to_owned()
            }
            HttpError::Setup { .. } => {
                "this is a problem with the machine's TLS setup; check `ca_bundle` and the system's certificates".to_owned()
            }
            HttpError::Unauthorized {
                token_env: Some(env),
                user_env,
                ..
            } => {
                let user = user_env
                    .as_deref()
                    .map(|u| format!(", that it belongs to the user in `{u}`"))
                    .unwrap_or_default();
                format!(
                    "check that `{env}` holds a current, unrevoked token for this server{user}, and that the pipeline passes it to shipgate (secrets are read only from environment variables)"
                )
            }
            HttpError::Unauthorized { token_env: None, .. } => {
                "set `token_env` in `sources.defects` to the environment variable that holds an API token".to_owned()
            }
            HttpError::Forbidden { token_env, .. } => format!(
                "give the account{} permission to browse this project (or use a token with read access to it)",
                token_env
                    .as_deref()
                    .map(|e| format!(" whose token is in `{e}`"))
                    .unwrap_or_default()
            ),
            HttpError::NotFound { token_env, .. } => format!(
                "check the URL, project or repository named in the policy{}",
                if token_env.is_some() {
                    "; trackers also answer 404 when the token may not see the project, so check its permissions too"
                } else {
                    ""
                }
            ),
            HttpError::Status { status: 410, .. } => {
                "this API is gone on this server; for Jira Cloud use `kind: jira` (the `/rest/api/3/search/jql` API), for Jira Data Center or Server `kind: jira-dc`".to_owned()
            }
            HttpError::Status {
                status: 300..=399, ..
            } => {
                "the server redirects elsewhere (another host, or from http to https), and shipgate does not follow a redirect with your token to another place: write the final address in `url`".to_owned()
            }
            HttpError::Status { status: 400, .. } => {
                "check the `query` in `sources.defects`: the server refused it".to_owned()
            }
            HttpError::Status { .. } => {
                "check the tracker settings in `sources.defects`; the server's message is above".to_owned()
            }
            HttpError::RetryAfterTooLong { .. } | HttpError::GaveUp { .. } => {
                "the tracker is unavailable or rate-limiting; re-run the gate later (the release stays blocked until the tracker answers), or raise `retries`/`timeout` in `sources.defects`".to_owned()
            }
            HttpError::MalformedJson { html: true, .. } => {
                "the server answered with a web page instead of JSON: usually a proxy or single sign-on page in front of the tracker, or a wrong base URL".to_owned()
            }
            HttpError::MalformedJson { html: false, .. } => {
                "the answer was cut short or is not this API's; check the URL and re-run".to_owned()
            }
            HttpError::SecretInAnswer { token_env, .. } => format!(
                "treat the token as leaked: revoke it, put a new one in `{token_env}`, and remove the old one from where the server shows it (an issue's text, a proxy that echoes requests); shipgate does not read an answer that carries a secret, since it would be written into the report and the release record"
            ),
            HttpError::DuplicateKey { .. } => {
                "the server (or a proxy or gateway in front of it) answered with a key given twice, so the answer cannot be read one way; re-run the gate, and if it happens again, show the URL and the key to the server's administrators".to_owned()
            }
            HttpError::TooLarge { .. } => {
                "narrow the query so that each page is smaller".to_owned()
            }
        }
    }

    /// Whether the error is in the gate's settings (a bad URL or CA bundle) rather than in what
    /// the server answered.
    pub fn is_setup(&self) -> bool {
        matches!(
            self,
            HttpError::InvalidUrl { .. } | HttpError::CaBundle { .. } | HttpError::Setup { .. }
        )
    }
}

/// A reqwest error's message without the URL (which the caller names itself, redacted) and with
/// its causes.
pub(crate) fn without_url(e: &reqwest::Error) -> String {
    let mut text = String::new();
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(e);
    let mut first = true;
    while let Some(err) = current {
        let part = if first {
            first = false;
            match e.url() {
                Some(_) => {
                    // reqwest writes "... for url (URL)": the part before it is the message.
                    let s = err.to_string();
                    match s.find(" for url (") {
                        Some(at) => s[..at].to_owned(),
                        None => s,
                    }
                }
                None => err.to_string(),
            }
        } else {
            err.to_string()
        };
        if !part.is_empty() && !text.contains(&part) {
            if !text.is_empty() {
                text.push_str(": ");
            }
            text.push_str(&part);
        }
        current = err.source();
    }
    text
}

/// A server's message, on one line, cut to a readable length. The caller removes secrets
/// first: the cut could split one.
pub(crate) fn snippet(text: &str) -> Option<String> {
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if one_line.is_empty() {
        return None;
    }
    let cut: String = one_line.chars().take(200).collect();
    Some(if cut.len() < one_line.len() {
        format!("{cut}…")
    } else {
        cut
    })
}
