//! The HTTP client of shipgate: JSON over HTTP(S) for the adapters that fetch evidence from a
//! server (defect trackers; deployment approvals).
//!
//! One [`Client`] sends `GET` and `POST` requests with a JSON answer and takes care of what every
//! tracker needs and what is easy to get wrong:
//!
//! - a timeout on every request, and a bounded number of retries with exponential backoff on
//!   5xx answers, timeouts and broken connections;
//! - `429 Too Many Requests` (and `503`) with `Retry-After` waited out, up to a limit;
//! - 401, 403 and 404 explained in words a user can act on, naming the environment variable that
//!   held the rejected token, never the token;
//! - an answer that is not JSON (a proxy's login page, a truncated body) as an error, never as an
//!   empty result, and an answer that gives a key twice as an error, never as its last value
//!   (read through `shipgate-json`);
//! - `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY` from the environment, TLS by rustls with the system's
//!   and Mozilla's roots, plus an extra CA bundle for a company's own CA.
//!
//! Tokens are held in [`Secret`], whose `Debug` shows `***`: they are never printed, logged or
//! written anywhere, at any verbosity, and URLs are shown without any `user:password@`. What a
//! server says back goes through the client's [`Redactor`], which knows every form the
//! credentials can take (raw, the base64 of `user:token`, percent- and JSON-encoded): an error
//! page has them removed before it is cut short for a message, and a successful answer that
//! carries one is refused ([`HttpError::SecretInAnswer`]), so that no tracker answer can bring
//! a secret into the evidence, the report or the release record.
//!
//! Paging is not done here: each tracker pages in its own way, so its adapter follows the
//! tracker's paging with [`Client::get_json`]/[`Client::post_json`] and the helpers
//! [`next_link`] and [`JsonResponse::header`]. This crate must not know any tracker, read
//! environment variables (the caller resolves tokens) or print anything.
//!
//! # Example
//!
//! ```
//! use shipgate_http::{MASK, Redactor, Secret};
//!
//! let token = Secret::new("s3cr3t-api-token-4711");
//! assert_eq!(format!("{token:?}"), "Secret(***)");
//!
//! // A proxy's error page that echoes the Authorization header: base64 of `user:token`.
//! let mut redactor = Redactor::new();
//! redactor.add_basic("JIRA_API_TOKEN", "qa@example.com", "s3cr3t-api-token-4711");
//! let page = "denied: Basic cWFAZXhhbXBsZS5jb206czNjcjN0LWFwaS10b2tlbi00NzEx";
//! assert_eq!(redactor.find(page.as_bytes()), Some("JIRA_API_TOKEN"));
//! let shown = redactor.redact(page);
//! assert!(shown.contains(MASK) && !shown.contains("cWFAZXhhbXBsZS5jb206"), "{shown}");
//! ```

mod error;
mod redact;
mod retry;

pub use error::HttpError;
pub use redact::{MASK, MIN_SECRET_LEN, Redactor};

use reqwest::blocking::{Client as Reqwest, RequestBuilder};
use reqwest::header::{ACCEPT, HeaderMap, HeaderValue, USER_AGENT};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;
use std::path::PathBuf;
use std::time::Duration;

/// A secret (a token or password). `Debug` shows `***`, and there is no `Display`: the only way
/// to the value is `Secret::expose`, which only this crate calls when it builds a request.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value, for building a request.
    fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the value is empty (an environment variable set to nothing).
    pub fn is_empty(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// A secret and the environment variable it came from, so that a rejection can name the
/// variable (`the token in JIRA_API_TOKEN was rejected`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credential {
    /// The environment variable's name.
    pub env: String,
    /// Its value.
    pub secret: Secret,
}

/// How requests authenticate.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Auth {
    /// No credentials.
    #[default]
    None,
    /// HTTP basic: a user name (from `user_env`) and a token (Jira Cloud: email + API token).
    Basic {
        /// The user name or email.
        user: String,
        /// The environment variable the user came from.
        user_env: String,
        /// The password or API token.
        token: Credential,
    },
    /// `Authorization: Bearer <token>` (Jira Data Center PAT, GitHub).
    Bearer(Credential),
    /// The token in a header of its own (`PRIVATE-TOKEN` for GitLab, `X-Redmine-API-Key`).
    Header {
        /// The header name.
        name: String,
        /// The token.
        token: Credential,
    },
}

impl Auth {
    /// The environment variable that held the token, if any.
    pub fn token_env(&self) -> Option<&str> {
        match self {
            Auth::None => None,
            Auth::Basic { token, .. } | Auth::Bearer(token) | Auth::Header { token, .. } => {
                Some(&token.env)
            }
        }
    }

    /// The environment variable that held the user, for basic auth.
    pub fn user_env(&self) -> Option<&str> {
        match self {
            Auth::Basic { user_env, .. } => Some(user_env),
            _ => None,
        }
    }

    /// A redactor that knows every form of these credentials, each named by its variable.
    pub fn redactor(&self) -> Redactor {
        let mut redactor = Redactor::new();
        match self {
            Auth::None => {}
            Auth::Basic { user, token, .. } => {
                redactor.add_basic(&token.env, user, token.secret.expose());
            }
            Auth::Bearer(token) | Auth::Header { token, .. } => {
                redactor.add_secret(&token.env, token.secret.expose());
            }
        }
        redactor
    }
}

/// Timeouts, retries and TLS of a client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientOptions {
    /// The longest one request may take, connecting included.
    pub timeout: Duration,
    /// How many times a request is repeated after a 5xx, a timeout or a broken connection
    /// (`0`: tried once). A `429` is waited out as the server asks and counts too.
    pub retries: u32,
    /// The first wait before a retry; each later wait doubles, up to [`MAX_BACKOFF`].
    pub backoff: Duration,
    /// The longest `Retry-After` honoured; a server asking for more is an error.
    pub max_retry_after: Duration,
    /// PEM file of extra CA certificates to trust (a company's own CA).
    pub ca_bundle: Option<PathBuf>,
    /// The `User-Agent` sent (GitHub requires one).
    pub user_agent: String,
    /// The largest answer read, in bytes.
    pub max_body: u64,
}

/// The longest wait between two retries.
pub const MAX_BACKOFF: Duration = Duration::from_secs(30);

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30),
            retries: 4,
            backoff: Duration::from_millis(500),
            max_retry_after: Duration::from_secs(120),
            ca_bundle: None,
            user_agent: concat!("shipgate/", env!("CARGO_PKG_VERSION")).to_owned(),
            max_body: 64 * 1024 * 1024,
        }
    }
}

/// A JSON answer.
#[derive(Clone, Debug, PartialEq)]
pub struct JsonResponse {
    /// The URL asked, without credentials.
    pub url: String,
    /// The HTTP status (2xx).
    pub status: u16,
    /// The headers, names in lowercase; a repeated header's values joined with `, `.
    pub headers: BTreeMap<String, String>,
    /// The parsed body.
    pub body: Value,
}

impl JsonResponse {
    /// A header's value by name (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }
}

/// An HTTP client for JSON APIs. Cheap to share between threads by reference.
#[derive(Debug)]
pub struct Client {
    http: Reqwest,
    auth: Auth,
    redactor: Redactor,
    options: ClientOptions,
}

impl Client {
    /// Builds a client. Fails when the CA bundle cannot be read or TLS cannot be set up.
    pub fn new(options: ClientOptions, auth: Auth) -> Result<Self, HttpError> {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        let agent = HeaderValue::from_str(&options.user_agent)
            .unwrap_or_else(|_| HeaderValue::from_static("shipgate"));
        headers.insert(USER_AGENT, agent);
        let mut builder = Reqwest::builder()
            .timeout(options.timeout)
            .connect_timeout(options.timeout)
            .default_headers(headers)
            .redirect(same_host_redirects())
            .use_rustls_tls();
        if let Some(path) = &options.ca_bundle {
            let pem = std::fs::read(path).map_err(|e| HttpError::CaBundle {
                path: path.clone(),
                reason: e.to_string(),
            })?;
            let certs =
                reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| HttpError::CaBundle {
                    path: path.clone(),
                    reason: error::without_url(&e),
                })?;
            if certs.is_empty() {
                return Err(HttpError::CaBundle {
                    path: path.clone(),
                    reason: "it holds no PEM certificate".to_owned(),
                });
            }
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        let http = builder.build().map_err(|e| HttpError::Setup {
            reason: error::without_url(&e),
        })?;
        Ok(Self {
            http,
            redactor: auth.redactor(),
            auth,
            options,
        })
    }

    /// `GET url?query` and parse the JSON answer.
    pub fn get_json(&self, url: &str, query: &[(&str, &str)]) -> Result<JsonResponse, HttpError> {
        let parsed = parse_url(url)?;
        retry::send(self, "GET", &parsed, || {
            self.authed(self.http.get(parsed.clone()).query(query))
        })
    }

    /// `POST url` with a JSON body and parse the JSON answer. Only for requests that are safe to
    /// repeat (a search), since a failed attempt is retried.
    pub fn post_json(&self, url: &str, body: &Value) -> Result<JsonResponse, HttpError> {
        let parsed = parse_url(url)?;
        let bytes = serde_json::to_vec(body).map_err(|e| HttpError::Setup {
            reason: format!("the request body could not be written as JSON: {e}"),
        })?;
        retry::send(self, "POST", &parsed, || {
            self.authed(
                self.http
                    .post(parsed.clone())
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(bytes.clone()),
            )
        })
    }

    fn authed(&self, request: RequestBuilder) -> RequestBuilder {
        match &self.auth {
            Auth::None => request,
            Auth::Basic { user, token, .. } => {
                request.basic_auth(user, Some(token.secret.expose()))
            }
            Auth::Bearer(token) => request.bearer_auth(token.secret.expose()),
            Auth::Header { name, token } => match HeaderValue::from_str(token.secret.expose()) {
                Ok(mut value) => {
                    value.set_sensitive(true);
                    request.header(name.as_str(), value)
                }
                // A token with a line break cannot be sent; sending none gets a 401 that names
                // the variable, which is the right message.
                Err(_) => request,
            },
        }
    }

    pub(crate) fn options(&self) -> &ClientOptions {
        &self.options
    }

    pub(crate) fn auth(&self) -> &Auth {
        &self.auth
    }

    pub(crate) fn redactor(&self) -> &Redactor {
        &self.redactor
    }
}

/// Redirects are followed on the same host only. reqwest drops `Authorization` on a redirect to
/// another host, but not a token in a header of its own (`PRIVATE-TOKEN`, `X-Redmine-API-Key`):
/// a redirect elsewhere is returned as it is, and reported, rather than followed with the token.
fn same_host_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let first = attempt.previous().first().map(|u| {
            (
                u.scheme().to_owned(),
                u.host_str().map(str::to_owned),
                u.port_or_known_default(),
            )
        });
        let next = (
            attempt.url().scheme().to_owned(),
            attempt.url().host_str().map(str::to_owned),
            attempt.url().port_or_known_default(),
        );
        if first.as_ref() != Some(&next) {
            attempt.stop()
        } else if attempt.previous().len() > 5 {
            attempt.error("more than 5 redirects")
        } else {
            attempt.follow()
        }
    })
}

fn parse_url(url: &str) -> Result<reqwest::Url, HttpError> {
    let parsed = reqwest::Url::parse(url).map_err(|e| HttpError::InvalidUrl {
        url: redact_url(url),
        reason: e.to_string(),
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(HttpError::InvalidUrl {
            url: redact_url(url),
            reason: format!("`{}` is not http or https", parsed.scheme()),
        });
    }
    Ok(parsed)
}

/// The URL without `user:password@`, for messages and logs.
pub fn redact_url(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut u) => {
            if !u.username().is_empty() || u.password().is_some() {
                let _ = u.set_username("");
                let _ = u.set_password(None);
            }
            u.to_string()
        }
        Err(_) => match url.split_once("://") {
            Some((scheme, rest)) => match rest.split_once('@') {
                Some((_, host)) if !rest.split('/').next().unwrap_or("").is_empty() => {
                    format!("{scheme}://{host}")
                }
                _ => url.to_owned(),
            },
            None => url.to_owned(),
        },
    }
}

/// The `rel="next"` target of an RFC 8288 `Link` header (GitHub, GitLab).
///
/// Each link (`<target>; param=value; ...`) is read whole: a comma inside its `<...>` target or
/// inside a quoted parameter does not split it, and a `rel=next` inside another parameter's
/// quoted value is not its relation. A part that is not a link is skipped, and the links after
/// it are still read: a malformed part must not end the paging after the first page.
pub fn next_link(link: &str) -> Option<String> {
    let mut rest = link;
    loop {
        rest = rest.trim_start_matches(|c: char| c == ',' || c.is_whitespace());
        if rest.is_empty() {
            return None;
        }
        rest = match link_value(rest) {
            Ok(value) if value.is_next => return Some(value.target.to_owned()),
            Ok(value) => value.rest,
            Err(after) => after,
        };
    }
}

/// One link of a `Link` header, as [`link_value`] read it.
struct LinkValue<'a> {
    target: &'a str,
    /// Whether its first `rel` parameter names `next` among its relation types.
    is_next: bool,
    /// What follows it: nothing, or the comma before the next link.
    rest: &'a str,
}

/// Reads the link at the start of `s`. `Err` holds what follows the malformed part: the text
/// after its next comma outside quotes, or nothing when nothing more can be read.
fn link_value(s: &str) -> Result<LinkValue<'_>, &str> {
    let ows = |c: char| c.is_whitespace();
    let Some(inner) = s.strip_prefix('<') else {
        return Err(after_part(s));
    };
    let Some(close) = inner.find('>') else {
        return Err("");
    };
    let target = &inner[..close];
    let mut rest = &inner[close + 1..];
    let mut rel: Option<String> = None;
    loop {
        rest = rest.trim_start_matches(ows);
        if rest.is_empty() || rest.starts_with(',') {
            break;
        }
        let Some(param) = rest.strip_prefix(';') else {
            return Err(after_part(rest));
        };
        rest = param.trim_start_matches(ows);
        let name_len = rest
            .find(|c: char| c == '=' || c == ';' || c == ',' || ows(c))
            .unwrap_or(rest.len());
        let name = &rest[..name_len];
        rest = rest[name_len..].trim_start_matches(ows);
        let mut value = String::new();
        if let Some(after_eq) = rest.strip_prefix('=') {
            rest = after_eq.trim_start_matches(ows);
            if let Some(quoted) = rest.strip_prefix('"') {
                let (text, after) = quoted_string(quoted).ok_or("")?;
                value = text;
                rest = after;
            } else {
                let len = rest
                    .find(|c: char| c == ';' || c == ',' || ows(c))
                    .unwrap_or(rest.len());
                value = rest[..len].to_owned();
                rest = &rest[len..];
            }
        }
        if name.is_empty() {
            return Err(after_part(rest));
        }
        // Only the first `rel` counts (RFC 8288, section 3.3).
        if rel.is_none() && name.eq_ignore_ascii_case("rel") {
            rel = Some(value);
        }
    }
    let is_next = rel.is_some_and(|r| r.split_whitespace().any(|t| t.eq_ignore_ascii_case("next")));
    Ok(LinkValue {
        target,
        is_next,
        rest,
    })
}

/// The text of a quoted string whose opening quote is just before `s`, and what follows its
/// closing quote; `None` when it is never closed.
fn quoted_string(s: &str) -> Option<(String, &str)> {
    let mut text = String::new();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((text, &s[i + 1..])),
            '\\' => text.push(chars.next()?.1),
            c => text.push(c),
        }
    }
    None
}

/// What follows the part at the start of `s`: the text after its next comma outside a quoted
/// string, or nothing.
fn after_part(s: &str) -> &str {
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ',' if !quoted => return &s[i + 1..],
            _ => {}
        }
    }
    ""
}

/// Reads at most `limit` bytes of a body; more is an error.
pub(crate) fn read_limited(
    response: reqwest::blocking::Response,
    limit: u64,
) -> std::io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    response.take(limit + 1).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= limit).then_some(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_do_not_show_in_debug() {
        let c = Credential {
            env: "JIRA_API_TOKEN".into(),
            secret: Secret::new("hunter2-very-secret"),
        };
        let auth = Auth::Basic {
            user: "qa@acme.example".into(),
            user_env: "JIRA_EMAIL".into(),
            token: c,
        };
        let shown = format!("{auth:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("JIRA_API_TOKEN"));
        assert_eq!(auth.token_env(), Some("JIRA_API_TOKEN"));
        assert_eq!(auth.user_env(), Some("JIRA_EMAIL"));
    }

    #[test]
    fn urls_lose_their_credentials() {
        assert_eq!(
            redact_url("https://bob:s3cret@acme.atlassian.net/rest"),
            "https://acme.atlassian.net/rest"
        );
        assert_eq!(
            redact_url("https://acme.example/a?b=c"),
            "https://acme.example/a?b=c"
        );
        assert!(!redact_url("not a url://bob:s3cret@x").contains("s3cret"));
    }

    #[test]
    fn the_next_link_is_found_among_others() {
        let link = r#"<https://api.github.com/repositories/1/issues?page=2>; rel="next", <https://api.github.com/repositories/1/issues?page=5>; rel="last""#;
        assert_eq!(
            next_link(link).as_deref(),
            Some("https://api.github.com/repositories/1/issues?page=2")
        );
        let last =
            r#"<https://x/issues?page=1>; rel="prev", <https://x/issues?page=1>; rel="first""#;
        assert_eq!(next_link(last), None);
        assert_eq!(next_link(""), None);
    }

    #[test]
    fn a_comma_inside_a_url_does_not_end_the_paging() {
        let link = r#"<https://api.github.com/repositories/1/issues?labels=bug,ui&page=2>; rel="next", <https://api.github.com/repositories/1/issues?labels=bug,ui&page=5>; rel="last""#;
        assert_eq!(
            next_link(link).as_deref(),
            Some("https://api.github.com/repositories/1/issues?labels=bug,ui&page=2")
        );
    }

    #[test]
    fn a_malformed_part_is_skipped_not_the_end() {
        // A target without its angle brackets, then the real next link.
        let link = r#"https://x/issues?page=9; rel="next", <https://x/issues?page=2>; rel="next""#;
        assert_eq!(next_link(link).as_deref(), Some("https://x/issues?page=2"));
        let link = r#"; rel="next", garbage, <https://x/issues?page=2>; rel=next"#;
        assert_eq!(next_link(link).as_deref(), Some("https://x/issues?page=2"));
        // Junk after a link's parameters spoils that link only.
        let link = r#"<https://x/a>; rel="next" junk, <https://x/b>; rel="next""#;
        assert_eq!(next_link(link).as_deref(), Some("https://x/b"));
        // Unclosed: nothing can be read, and nothing is made up.
        assert_eq!(next_link(r#"<https://x/issues?page=2; rel="next""#), None);
    }

    #[test]
    fn quoted_parameters_are_read_whole() {
        // `rel=next` inside another parameter's quoted value is not a rel.
        let link = r#"<https://x/issues?page=1>; title="see; rel=next, or not"; rel="prev", <https://x/issues?page=3>; rel="last""#;
        assert_eq!(next_link(link), None);
        let link = r#"<https://x/p?page=2>; title="a \"quoted\", word"; REL = "prefetch next""#;
        assert_eq!(next_link(link).as_deref(), Some("https://x/p?page=2"));
        // Only the first `rel` of a link counts (RFC 8288, 3.3).
        let link = r#"<https://x/p?page=1>; rel="prev"; rel="next""#;
        assert_eq!(next_link(link), None);
    }

    #[test]
    fn a_bad_ca_bundle_is_named() {
        let dir = std::env::temp_dir().join(format!("shipgate-http-ca-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("ca.pem");
        std::fs::write(&path, "not a certificate").unwrap();
        let options = ClientOptions {
            ca_bundle: Some(path.clone()),
            ..ClientOptions::default()
        };
        let err = Client::new(options, Auth::None).unwrap_err();
        assert!(err.to_string().contains("ca.pem"), "{err}");
        let missing = ClientOptions {
            ca_bundle: Some(dir.join("nope.pem")),
            ..ClientOptions::default()
        };
        assert!(matches!(
            Client::new(missing, Auth::None),
            Err(HttpError::CaBundle { .. })
        ));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn only_http_urls_are_accepted() {
        let c = Client::new(ClientOptions::default(), Auth::None).unwrap();
        assert!(matches!(
            c.get_json("ftp://x/y", &[]),
            Err(HttpError::InvalidUrl { .. })
        ));
        assert!(matches!(
            c.get_json("no url", &[]),
            Err(HttpError::InvalidUrl { .. })
        ));
    }
}
