//! The defect adapter of shipgate: a tracker's issues, or an export of them, as normalised
//! [`DefectEvidence`].
//!
//! Sources ([`TrackerKind`]): Jira Cloud (`jira`), Jira Data Center/Server (`jira-dc`), GitHub, GitLab,
//! Redmine, and a file (`file`): a Jira CSV export or the defect JSON form that
//! [`write_json`] writes and [`read_json`] reads back byte for byte. Each tracker is paged the way
//! its API pages, and each issue is mapped to one [`shipgate_model::Defect`] through the policy's
//! severity and origin maps; values that are not mapped become `unknown` and stay visible.
//!
//! HTTP (timeouts, retries, `Retry-After`, proxies, TLS, secrets) is `shipgate-http`'s business.
//! This crate must not evaluate anything (windows, thresholds and leakage are the policy
//! engine's), read environment variables other than through the lookup its caller passes, print,
//! or log a secret.
//!
//! # Example
//!
//! ```
//! use shipgate_defects::{read_json, write_json};
//! use shipgate_model::{DefectStatus, Severity};
//!
//! let form = br#"{
//!   "format": "shipgate-defects", "version": 1,
//!   "source": "jira", "location": "https://acme.atlassian.net",
//!   "defects": [{
//!     "key": "PAY-2", "title": "Rounding of split payments loses a cent",
//!     "severity": "high", "origin": "pre-production", "status": "open",
//!     "created": "2026-10-15T10:00:00Z"
//!   }]
//! }"#;
//! let evidence = read_json(form, "defects.json")?;
//! assert_eq!(evidence.defects[0].severity, Severity::High);
//! assert_eq!(evidence.defects[0].status, DefectStatus::Open);
//! // What `write_json` writes reads back to the same bytes.
//! let written = write_json(&evidence);
//! assert_eq!(write_json(&read_json(written.as_bytes(), "again.json")?), written);
//!
//! // An open defect written a second time as closed is refused, not read as closed.
//! let twice = String::from_utf8_lossy(form).replace(r#""status": "open""#, r#""status": "open", "status": "closed""#);
//! assert!(read_json(twice.as_bytes(), "defects.json").is_err());
//! # Ok::<(), shipgate_defects::DefectsError>(())
//! ```

mod config;
mod dates;
mod error;
mod github;
mod gitlab;
mod jira;
mod jira_csv;
mod json_form;
mod labelled;
mod mapping;
mod paging;
mod redmine;
mod similar;
mod tracker;
mod trackers;

pub use config::SourceConfig;
pub use error::DefectsError;
pub use json_form::{read_json, write_json};
pub use shipgate_http::ClientOptions;
pub use shipgate_model::trackers::{
    DefectSourceSettings, NotDefectRule, OriginMap, SeverityMap, TrackerKind,
};

use jiff::Timestamp;
use shipgate_http::{Auth, Client, Credential, Secret};
use shipgate_model::DefectEvidence;
use std::path::Path;
use tracker::{Tracker, User};

/// Looks up an environment variable (the caller decides where from).
pub type EnvLookup<'a> = &'a (dyn Fn(&str) -> Option<String> + Sync);

/// How to load.
pub struct LoadOptions<'a> {
    /// No network: a tracker source is then missing evidence.
    pub offline: bool,
    /// Resolves `user_env` and `token_env`.
    pub env: EnvLookup<'a>,
    /// Recorded as the evidence's `fetched_at` for a tracker source.
    pub fetched_at: Option<Timestamp>,
}

/// What was loaded, and the bytes the decision rests on: the file as read, or the fetched set in
/// its JSON form (so that the input's hash is the hash of the snapshot a replay reads).
#[derive(Clone, Debug, PartialEq)]
pub struct Loaded {
    /// The defects.
    pub evidence: DefectEvidence,
    /// The bytes to hash for provenance.
    pub bytes: Vec<u8>,
}

/// Loads the defects a source configuration names. A query or file with no defect at all is an
/// error ([`DefectsError::Empty`]): a gate must not pass on a tracker that showed it nothing.
pub fn load(config: &SourceConfig, options: &LoadOptions<'_>) -> Result<Loaded, DefectsError> {
    let kind = config.kind().as_str();
    let loaded = match trackers::tracker(config.kind()) {
        None => read_file(config)?,
        Some(tracker) => {
            if options.offline {
                return Err(DefectsError::Offline { kind });
            }
            let raws = fetch(config, options, tracker)?;
            let severity = config.severity_map();
            let not_defects = config.not_defect_rule();
            let maps = mapping::Maps {
                severity: severity.as_ref(),
                origin: config.settings.origin.as_ref(),
                not_defects: &not_defects,
            };
            let mut defects = Vec::with_capacity(raws.len());
            for raw in raws {
                let key = raw.key.clone();
                let defect = mapping::normalise(raw, maps).ok_or_else(|| DefectsError::Shape {
                    url: config.location(),
                    reason: format!("issue {key} has no readable creation date"),
                })?;
                defects.push(defect);
            }
            let mut evidence = DefectEvidence::new(
                kind,
                &config.location(),
                config.settings.query.clone(),
                defects,
            );
            evidence.fetched_at = options.fetched_at;
            let bytes = write_json(&evidence).into_bytes();
            Loaded { evidence, bytes }
        }
    };
    if loaded.evidence.defects.is_empty() {
        return Err(DefectsError::Empty {
            kind,
            location: config.location(),
            query: config.settings.query.clone(),
        });
    }
    tracing::debug!(
        kind,
        defects = loaded.evidence.defects.len(),
        "defects loaded"
    );
    Ok(loaded)
}

fn fetch(
    config: &SourceConfig,
    options: &LoadOptions<'_>,
    tracker: &dyn Tracker,
) -> Result<Vec<mapping::RawDefect>, DefectsError> {
    let client = Client::new(config.http.clone(), auth(config, tracker, options.env)?)?;
    tracing::debug!(kind = config.kind().as_str(), location = %config.location(), "fetching defects");
    tracker.fetch(config, &client)
}

fn read_file(config: &SourceConfig) -> Result<Loaded, DefectsError> {
    let shown = config.location();
    let path = config.require(
        config.path.as_deref(),
        "path",
        "`defects.csv` or `defects.json`",
    )?;
    let bytes = std::fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => DefectsError::FileMissing {
            path: shown.clone(),
        },
        _ => DefectsError::FileUnreadable {
            path: shown.clone(),
            reason: e.to_string(),
        },
    })?;
    let evidence = match extension(path).as_deref() {
        Some("json") => read_json(&bytes, &shown)?,
        Some("csv") => {
            let severity = config.severity_map();
            let not_defects = config.not_defect_rule();
            let maps = mapping::Maps {
                severity: severity.as_ref(),
                origin: config.settings.origin.as_ref(),
                not_defects: &not_defects,
            };
            let defects = jira_csv::read(
                &bytes,
                &shown,
                maps,
                config.settings.introduced_in.as_deref(),
                config.settings.timezone.as_ref(),
            )?;
            DefectEvidence::new("file", &shown, None, defects)
        }
        _ => {
            return Err(DefectsError::FileFormat {
                path: shown,
                line: None,
                reason: "its name ends neither in `.csv` nor in `.json`".to_owned(),
                remedy:
                    "name a Jira CSV export `*.csv`, or a file in the defect JSON form `*.json`"
                        .to_owned(),
            });
        }
    };
    Ok(Loaded { evidence, bytes })
}

fn extension(path: &Path) -> Option<String> {
    path.extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
}

/// The credentials a source needs, from the environment variables the policy names, sent the
/// way its tracker takes them.
fn auth(
    config: &SourceConfig,
    tracker: &dyn Tracker,
    env: EnvLookup<'_>,
) -> Result<Auth, DefectsError> {
    let kind = config.kind().as_str();
    let read = |what: &'static str, name: &str| -> Result<Credential, DefectsError> {
        match env(name) {
            Some(v) if !v.trim().is_empty() => Ok(Credential {
                env: name.to_owned(),
                secret: Secret::new(v.trim()),
            }),
            _ => Err(DefectsError::MissingEnv {
                kind,
                what,
                env: name.to_owned(),
            }),
        }
    };
    let token = match &config.settings.token_env {
        Some(name) => Some(read("token", name)?),
        None => None,
    };
    // A user name is not a secret; only whether it is set matters here.
    let user = match &config.settings.user_env {
        Some(name) => match env(name) {
            Some(v) if !v.trim().is_empty() => Some(User {
                env: name.clone(),
                name: v.trim().to_owned(),
            }),
            _ => {
                return Err(DefectsError::MissingEnv {
                    kind,
                    what: "user",
                    env: name.clone(),
                });
            }
        },
        None => None,
    };
    Ok(match token {
        None => Auth::None,
        Some(token) => tracker.auth(token, user),
    })
}

/// Extra query parameters written in the policy (`labels=bug&milestone=3`), unencoded.
pub(crate) fn query_params(query: Option<&str>) -> Vec<(String, String)> {
    query
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.trim().is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (k.trim().to_owned(), v.trim().to_owned()),
            None => (p.trim().to_owned(), String::new()),
        })
        .collect()
}
