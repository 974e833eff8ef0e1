//! What the caller (the evaluator) tells the adapter: which tracker, where, which query, and how
//! the tracker's values map to severity and origin. Plain data, built from the policy.

use crate::error::DefectsError;
use shipgate_http::ClientOptions;
use shipgate_model::{Severity, Zone};
use std::path::PathBuf;

/// The kinds of defect source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Jira Cloud, REST v3 (`/rest/api/3/search/jql`, token paging).
    Jira,
    /// Jira Data Center or Server, REST v2 (`/rest/api/2/search`, `startAt` paging).
    JiraDc,
    /// GitHub or GitHub Enterprise Issues.
    Github,
    /// GitLab (gitlab.com or self-managed) Issues.
    Gitlab,
    /// Redmine REST (`/issues.json`).
    Redmine,
    /// A file: a Jira CSV export or the defect JSON form.
    File,
}

impl Kind {
    /// The name used in policies and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Jira => "jira",
            Kind::JiraDc => "jira-dc",
            Kind::Github => "github",
            Kind::Gitlab => "gitlab",
            Kind::Redmine => "redmine",
            Kind::File => "file",
        }
    }

    /// The field severity is read from when the policy names none, and its map.
    pub fn default_severity(self) -> Option<SeverityMap> {
        let map = |pairs: &[(Severity, &[&str])]| {
            pairs
                .iter()
                .map(|(s, v)| (*s, v.iter().map(|x| (*x).to_owned()).collect()))
                .collect()
        };
        match self {
            Kind::Jira | Kind::JiraDc | Kind::File => Some(SeverityMap {
                field: "priority".to_owned(),
                map: map(&[
                    (Severity::Critical, &["Highest", "Blocker", "Critical"]),
                    (Severity::High, &["High", "Major"]),
                    (Severity::Medium, &["Medium"]),
                    (Severity::Low, &["Low", "Lowest", "Minor", "Trivial"]),
                ]),
            }),
            Kind::Redmine => Some(SeverityMap {
                field: "priority".to_owned(),
                map: map(&[
                    (Severity::Critical, &["Immediate", "Urgent"]),
                    (Severity::High, &["High"]),
                    (Severity::Medium, &["Normal"]),
                    (Severity::Low, &["Low"]),
                ]),
            }),
            Kind::Github | Kind::Gitlab => None,
        }
    }

    /// Which resolutions and labels of a closed issue mean "not a defect" when the policy names
    /// none. Only what plainly says the issue was no defect, or is counted under another key, is
    /// named: a defect closed as `Won't Fix`, `Won't Do`, `Cannot Reproduce`, GitHub
    /// `not_planned` or GitLab `moved` may have been real, and still counts
    /// (docs/decisions/0010-defects-that-are-not-defects.md).
    pub fn default_not_defects(self) -> NotDefectRule {
        let list = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect();
        match self {
            Kind::Jira | Kind::JiraDc | Kind::File => NotDefectRule {
                resolutions: list(&[
                    "Duplicate",
                    "Not a Bug",
                    "Works as Designed",
                    "Working as Intended",
                    "Invalid",
                    "Rejected",
                ]),
                labels: Vec::new(),
            },
            // `state_reason: duplicate`; and GitHub's default labels `duplicate` and `invalid`,
            // since its Close button says `completed` whatever the reason.
            Kind::Github => NotDefectRule {
                resolutions: list(&["duplicate"]),
                labels: list(&["duplicate", "invalid"]),
            },
            // Closed with `/duplicate` (`_links.closed_as_duplicate_of`).
            Kind::Gitlab => NotDefectRule {
                resolutions: list(&["duplicate"]),
                labels: Vec::new(),
            },
            // Redmine's default closed status for issues that are not accepted.
            Kind::Redmine => NotDefectRule {
                resolutions: list(&["Rejected"]),
                labels: Vec::new(),
            },
        }
    }

    /// The prefix put before an issue number to make its key, when the policy names none.
    pub fn default_key_prefix(self) -> &'static str {
        "#"
    }
}

/// Tracker values → severity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeverityMap {
    /// The field (Jira, Redmine, CSV: a field name or id) or label prefix (GitHub, GitLab)
    /// holding the severity.
    pub field: String,
    /// Which tracker values mean which severity (compared ignoring case).
    pub map: Vec<(Severity, Vec<String>)>,
}

/// Tracker values → origin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OriginMap {
    /// The field or label prefix holding where the defect was found.
    pub field: String,
    /// Values meaning "found in production".
    pub production: Vec<String>,
    /// Values meaning "found before production".
    pub pre_production: Vec<String>,
}

/// Which closed issues the tracker says are not defects: they are left out of every count.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NotDefectRule {
    /// Resolutions (Jira), state reasons (GitHub), closes (GitLab `duplicate`, `moved`) or
    /// closed statuses (Redmine) meaning "not a defect", compared ignoring case.
    pub resolutions: Vec<String>,
    /// Labels meaning "not a defect", compared ignoring case.
    pub labels: Vec<String>,
}

/// One defect source, resolved by the caller (paths absolute or relative to the working folder).
#[derive(Clone, Debug, PartialEq)]
pub struct SourceConfig {
    /// Which tracker.
    pub kind: Kind,
    /// The tracker's base URL (`https://acme.atlassian.net`, `https://api.github.com`).
    pub url: Option<String>,
    /// The file to read, for `kind: file`.
    pub path: Option<PathBuf>,
    /// The path as the user wrote it, for messages and provenance.
    pub path_display: Option<String>,
    /// GitHub `owner/name`.
    pub repository: Option<String>,
    /// GitLab project id or path; Redmine project id or identifier.
    pub project: Option<String>,
    /// JQL (Jira), or extra query parameters of the list API (`labels=bug`).
    pub query: Option<String>,
    /// The environment variable holding the user (Jira Cloud basic auth).
    pub user_env: Option<String>,
    /// The environment variable holding the token.
    pub token_env: Option<String>,
    /// Severity mapping; `None` uses [`Kind::default_severity`].
    pub severity: Option<SeverityMap>,
    /// Origin mapping; `None` leaves every origin unknown.
    pub origin: Option<OriginMap>,
    /// The field (or label prefix, or `milestone`) naming the sprint or release a defect was
    /// introduced in.
    pub introduced_in: Option<String>,
    /// Which closed issues are not defects; `None` uses [`Kind::default_not_defects`].
    pub not_defects: Option<NotDefectRule>,
    /// Prefix of keys made from issue numbers (GitHub, GitLab, Redmine); default `#`.
    pub key_prefix: Option<String>,
    /// The time zone of dates written without one (Jira CSV exports). Without it such a date
    /// is refused, never read as UTC.
    pub timezone: Option<Zone>,
    /// Timeouts, retries and TLS.
    pub http: ClientOptions,
}

impl SourceConfig {
    /// A configuration of this kind with nothing else set.
    pub fn new(kind: Kind) -> Self {
        Self {
            kind,
            url: None,
            path: None,
            path_display: None,
            repository: None,
            project: None,
            query: None,
            user_env: None,
            token_env: None,
            severity: None,
            origin: None,
            introduced_in: None,
            not_defects: None,
            key_prefix: None,
            timezone: None,
            http: ClientOptions::default(),
        }
    }

    /// The severity mapping in force.
    pub fn severity_map(&self) -> Option<SeverityMap> {
        self.severity
            .clone()
            .or_else(|| self.kind.default_severity())
    }

    /// The rule in force for issues that are not defects.
    pub fn not_defect_rule(&self) -> NotDefectRule {
        self.not_defects
            .clone()
            .unwrap_or_else(|| self.kind.default_not_defects())
    }

    /// The key prefix in force.
    pub fn key_prefix(&self) -> &str {
        self.key_prefix
            .as_deref()
            .unwrap_or(self.kind.default_key_prefix())
    }

    /// The tracker's base URL without a trailing `/`: `url`, or `default` (the public service,
    /// e.g. `https://api.github.com`) when none is set.
    pub(crate) fn base_url<'a>(&'a self, default: &'a str) -> &'a str {
        self.url.as_deref().unwrap_or(default).trim_end_matches('/')
    }

    /// A setting this kind of source needs: its value, or a configuration error naming `key`,
    /// with `example` of what to write.
    pub(crate) fn require<'a, T: ?Sized>(
        &self,
        value: Option<&'a T>,
        key: &str,
        example: &str,
    ) -> Result<&'a T, DefectsError> {
        value.ok_or_else(|| DefectsError::Config {
            kind: self.kind.as_str(),
            message: format!("`{key}` is not set (e.g. {example})"),
        })
    }

    /// Where the defects come from, for messages and the evidence's `location`.
    pub fn location(&self) -> String {
        match self.kind {
            Kind::File => self
                .path_display
                .clone()
                .or_else(|| self.path.as_ref().map(|p| p.display().to_string()))
                .unwrap_or_default(),
            _ => {
                let base = shipgate_http::redact_url(self.url.as_deref().unwrap_or_default());
                match (&self.repository, &self.project) {
                    (Some(r), _) => format!("{} ({r})", base.trim_end_matches('/')),
                    (None, Some(p)) => format!("{} (project {p})", base.trim_end_matches('/')),
                    _ => base,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn base_urls_lose_their_trailing_slash_and_fall_back_to_the_service() {
        let mut c = SourceConfig::new(Kind::Github);
        assert_eq!(
            c.base_url("https://api.github.com"),
            "https://api.github.com"
        );
        c.url = Some("https://ghe.acme.example/api/v3//".to_owned());
        assert_eq!(
            c.base_url("https://api.github.com"),
            "https://ghe.acme.example/api/v3"
        );
    }

    #[test]
    fn a_missing_setting_is_named_with_an_example() {
        let c = SourceConfig::new(Kind::Gitlab);
        let e = c
            .require(c.project.as_deref(), "project", "`acme/payments`")
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "failed to use the `gitlab` defect source: `project` is not set (e.g. `acme/payments`)"
        );
        let mut c = SourceConfig::new(Kind::File);
        c.path = Some(PathBuf::from("d.csv"));
        let path = c.require(c.path.as_deref(), "path", "`d.csv`").unwrap();
        assert_eq!(path, std::path::Path::new("d.csv"));
    }
}
