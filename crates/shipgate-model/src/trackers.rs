//! The vocabulary of defect sources: which kinds of tracker exist ([`TrackerKind`]), what each
//! needs and accepts in the policy's `sources.defects` and which defaults it brings
//! ([`TrackerSpec`], as data), and the settings of one source as the policy validated them
//! ([`DefectSourceSettings`]), which the defect adapter reads as they are.
//!
//! The policy engine validates `sources.defects` against a kind's [`TrackerSpec`]; the defect
//! adapter (`shipgate-defects`) fetches with the tracker its `TRACKERS` list holds for the kind and
//! fills in the spec's defaults. Neither keeps a list of kinds of its own, so a kind cannot be
//! known to one and not the other. Adding a tracker is its variant and spec here, its module and
//! registry line in `shipgate-defects`, and its docs (docs/architecture.md).
//!
//! Plain data: nothing here reads a tracker, a file or the environment.

use crate::defects::Severity;
use crate::instant::Zone;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The kinds of defect source: the policy's `sources.defects.kind`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum TrackerKind {
    /// Jira Cloud (REST v3).
    Jira,
    /// Jira Data Center or Server (REST v2).
    JiraDc,
    /// GitHub or GitHub Enterprise Issues.
    Github,
    /// GitLab Issues.
    Gitlab,
    /// Redmine.
    Redmine,
    /// A Jira CSV export or the defect JSON form.
    File,
}

impl TrackerKind {
    /// Every kind, in the order the docs list them.
    pub const ALL: [TrackerKind; 6] = [
        TrackerKind::Jira,
        TrackerKind::JiraDc,
        TrackerKind::Github,
        TrackerKind::Gitlab,
        TrackerKind::Redmine,
        TrackerKind::File,
    ];

    /// What the kind needs, accepts and brings.
    pub const fn spec(self) -> &'static TrackerSpec {
        match self {
            TrackerKind::Jira => &JIRA,
            TrackerKind::JiraDc => &JIRA_DC,
            TrackerKind::Github => &GITHUB,
            TrackerKind::Gitlab => &GITLAB,
            TrackerKind::Redmine => &REDMINE,
            TrackerKind::File => &FILE,
        }
    }

    /// The name used in policies and reports (`jira-dc`).
    pub const fn as_str(self) -> &'static str {
        self.spec().name
    }
}

/// The keys of `sources.defects` that apply to some kinds only; the rest (`kind`, `query`,
/// `severity`, `origin`, `not_defects`, `introduced_in`) apply to every kind.
pub const KIND_SPECIFIC_KEYS: [&str; 11] = [
    "url",
    "path",
    "repository",
    "project",
    "user_env",
    "token_env",
    "key_prefix",
    "timezone",
    "timeout",
    "retries",
    "ca_bundle",
];

/// What a kind of defect source needs and accepts in the policy, and the defaults it brings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrackerSpec {
    /// The name in the policy and reports.
    pub name: &'static str,
    /// Whether the defects are fetched over the network (a tracker), rather than read from a
    /// file: the kind then has its tracker in `shipgate-defects`' `TRACKERS`.
    pub fetches: bool,
    /// The keys the kind needs, each with what to write (`the site, e.g. ...`).
    pub required: &'static [(&'static str, &'static str)],
    /// The [`KIND_SPECIFIC_KEYS`] that apply to the kind (its required ones among them).
    pub accepts: &'static [&'static str],
    /// Whether the kind's issues carry labels (`not_defects.labels`).
    pub labels: bool,
    /// The field severity is read from when the policy names none, and its map; `None` when the
    /// kind has no such field (GitHub and GitLab carry severity in labels the policy must name).
    pub severity: Option<SeverityDefault>,
    /// The resolutions and labels of a closed issue that mean "not a defect" when the policy
    /// names none. Only what plainly says the issue was no defect, or is counted under another
    /// key, is named: a defect closed as `Won't Fix`, `Won't Do`, `Cannot Reproduce`, GitHub
    /// `not_planned` or GitLab `moved` may have been real, and still counts
    /// (docs/decisions/0010-defects-that-are-not-defects.md).
    pub not_defects: NotDefectDefault,
}

impl TrackerSpec {
    /// Whether `key` (one of [`KIND_SPECIFIC_KEYS`]) applies to the kind.
    pub fn accepts(&self, key: &str) -> bool {
        self.accepts.contains(&key)
    }

    /// The severity mapping of the kind when the policy names none.
    pub fn default_severity(&self) -> Option<SeverityMap> {
        self.severity.map(|d| SeverityMap {
            field: d.field.to_owned(),
            map: d
                .map
                .iter()
                .map(|(s, values)| (*s, owned(values)))
                .collect(),
        })
    }

    /// The rule for issues that are not defects when the policy names none.
    pub fn default_not_defects(&self) -> NotDefectRule {
        NotDefectRule {
            resolutions: owned(self.not_defects.resolutions),
            labels: owned(self.not_defects.labels),
        }
    }

    /// The prefix put before an issue number to make its key, when the policy names none.
    pub const fn default_key_prefix(&self) -> &'static str {
        "#"
    }
}

fn owned(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| (*v).to_owned()).collect()
}

/// A kind's default severity field and map, as data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeverityDefault {
    /// The field (`priority`).
    pub field: &'static str,
    /// Which values mean which severity.
    pub map: &'static [(Severity, &'static [&'static str])],
}

/// A kind's default "not a defect" rule, as data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NotDefectDefault {
    /// Resolutions (state reasons, closed statuses) meaning "not a defect".
    pub resolutions: &'static [&'static str],
    /// Labels meaning "not a defect".
    pub labels: &'static [&'static str],
}

/// The network settings every tracker accepts.
const NETWORK: [&str; 3] = ["timeout", "retries", "ca_bundle"];

/// Jira's priorities (Cloud, Data Center and its CSV exports).
const JIRA_PRIORITY: SeverityDefault = SeverityDefault {
    field: "priority",
    map: &[
        (Severity::Critical, &["Highest", "Blocker", "Critical"]),
        (Severity::High, &["High", "Major"]),
        (Severity::Medium, &["Medium"]),
        (Severity::Low, &["Low", "Lowest", "Minor", "Trivial"]),
    ],
};

/// Jira's resolutions that say an issue was no defect.
const JIRA_NOT_DEFECTS: NotDefectDefault = NotDefectDefault {
    resolutions: &[
        "Duplicate",
        "Not a Bug",
        "Works as Designed",
        "Working as Intended",
        "Invalid",
        "Rejected",
    ],
    labels: &[],
};

const JIRA_QUERY: (&str, &str) = ("query", "the JQL, e.g. `project = PAY AND issuetype = Bug`");

const JIRA: TrackerSpec = TrackerSpec {
    name: "jira",
    fetches: true,
    required: &[
        ("url", "the site, e.g. `https://acme.atlassian.net`"),
        JIRA_QUERY,
        ("user_env", "the variable holding the account's email"),
        ("token_env", "the variable holding the API token"),
    ],
    accepts: &[
        "url",
        "user_env",
        "token_env",
        NETWORK[0],
        NETWORK[1],
        NETWORK[2],
    ],
    labels: true,
    severity: Some(JIRA_PRIORITY),
    not_defects: JIRA_NOT_DEFECTS,
};

const JIRA_DC: TrackerSpec = TrackerSpec {
    name: "jira-dc",
    fetches: true,
    required: &[
        ("url", "the server, e.g. `https://jira.acme.example`"),
        JIRA_QUERY,
        ("token_env", "the variable holding a personal access token"),
    ],
    accepts: JIRA.accepts,
    labels: true,
    severity: Some(JIRA_PRIORITY),
    not_defects: JIRA_NOT_DEFECTS,
};

const GITHUB: TrackerSpec = TrackerSpec {
    name: "github",
    fetches: true,
    required: &[("repository", "`owner/name`")],
    accepts: &[
        "url",
        "repository",
        "token_env",
        "key_prefix",
        NETWORK[0],
        NETWORK[1],
        NETWORK[2],
    ],
    labels: true,
    severity: None,
    // `state_reason: duplicate`; and GitHub's default labels `duplicate` and `invalid`, since
    // its Close button says `completed` whatever the reason.
    not_defects: NotDefectDefault {
        resolutions: &["duplicate"],
        labels: &["duplicate", "invalid"],
    },
};

const GITLAB: TrackerSpec = TrackerSpec {
    name: "gitlab",
    fetches: true,
    required: &[("project", "the project's id or path")],
    accepts: &[
        "url",
        "project",
        "token_env",
        "key_prefix",
        NETWORK[0],
        NETWORK[1],
        NETWORK[2],
    ],
    labels: true,
    severity: None,
    // Closed with `/duplicate` (`_links.closed_as_duplicate_of`).
    not_defects: NotDefectDefault {
        resolutions: &["duplicate"],
        labels: &[],
    },
};

const REDMINE: TrackerSpec = TrackerSpec {
    name: "redmine",
    fetches: true,
    required: &[("url", "the server, e.g. `https://redmine.acme.example`")],
    accepts: GITLAB.accepts,
    // Redmine has no labels: its closed statuses go in `not_defects.resolutions`.
    labels: false,
    severity: Some(SeverityDefault {
        field: "priority",
        map: &[
            (Severity::Critical, &["Immediate", "Urgent"]),
            (Severity::High, &["High"]),
            (Severity::Medium, &["Normal"]),
            (Severity::Low, &["Low"]),
        ],
    }),
    // Redmine's default closed status for issues that are not accepted.
    not_defects: NotDefectDefault {
        resolutions: &["Rejected"],
        labels: &[],
    },
};

const FILE: TrackerSpec = TrackerSpec {
    name: "file",
    fetches: false,
    required: &[("path", "the export, e.g. `defects.csv`")],
    accepts: &["path", "timezone"],
    labels: true,
    severity: Some(JIRA_PRIORITY),
    not_defects: JIRA_NOT_DEFECTS,
};

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

/// One defect source as the policy validated it (`sources.defects`): the one configuration the
/// policy hands the defect adapter. Paths are as written, relative to the policy file's folder.
#[derive(Clone, Debug, PartialEq)]
pub struct DefectSourceSettings {
    /// Which tracker.
    pub kind: TrackerKind,
    /// The tracker's base URL (`https://acme.atlassian.net`, `https://api.github.com`).
    pub url: Option<String>,
    /// The file to read, for `kind: file`, as written.
    pub path: Option<String>,
    /// GitHub `owner/name`.
    pub repository: Option<String>,
    /// GitLab project id or path; Redmine project id or identifier.
    pub project: Option<String>,
    /// JQL (Jira), or extra query parameters of the list API (`labels=bug`).
    pub query: Option<String>,
    /// The environment variable holding the user (Jira basic auth).
    pub user_env: Option<String>,
    /// The environment variable holding the token.
    pub token_env: Option<String>,
    /// Severity mapping; `None` uses the kind's default ([`TrackerSpec::severity`]).
    pub severity: Option<SeverityMap>,
    /// Origin mapping; `None` leaves every origin unknown.
    pub origin: Option<OriginMap>,
    /// The field (or label prefix, or `milestone`) naming the sprint or release a defect was
    /// introduced in.
    pub introduced_in: Option<String>,
    /// Which closed issues are not defects; `None` uses the kind's default. Given, it is the
    /// whole rule: a list it leaves out names nothing.
    pub not_defects: Option<NotDefectRule>,
    /// Prefix of keys made from issue numbers (GitHub, GitLab, Redmine); default `#`.
    pub key_prefix: Option<String>,
    /// The time zone of dates written without one (Jira CSV exports). Without it such a date
    /// is refused, never read as UTC.
    pub timezone: Option<Zone>,
    /// The longest one request may take; `None`: the HTTP client's default.
    pub timeout: Option<Duration>,
    /// How many times a request is repeated; `None`: the HTTP client's default.
    pub retries: Option<u32>,
    /// A PEM file of extra CA certificates, as written.
    pub ca_bundle: Option<String>,
}

impl DefectSourceSettings {
    /// Settings of this kind with nothing else set.
    pub fn new(kind: TrackerKind) -> Self {
        Self {
            kind,
            url: None,
            path: None,
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
            timeout: None,
            retries: None,
            ca_bundle: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_policy_spelling_and_every_kind_is_listed_once() {
        let names: Vec<&str> = TrackerKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(
            names,
            ["jira", "jira-dc", "github", "gitlab", "redmine", "file"]
        );
        for kind in TrackerKind::ALL {
            let json = serde_json::to_string(&kind).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
        }
    }

    #[test]
    fn every_spec_names_only_kind_specific_keys_and_accepts_what_it_requires() {
        for kind in TrackerKind::ALL {
            let spec = kind.spec();
            for key in spec.accepts {
                assert!(KIND_SPECIFIC_KEYS.contains(key), "{kind:?}: {key}");
            }
            for (key, what) in spec.required {
                assert!(!what.is_empty());
                assert!(
                    spec.accepts(key) || !KIND_SPECIFIC_KEYS.contains(key),
                    "{kind:?} requires `{key}` but does not accept it"
                );
            }
            // A tracker is reached over the network; a file is not.
            assert_eq!(spec.accepts("url"), spec.fetches, "{kind:?}");
            assert_eq!(spec.accepts("path"), !spec.fetches, "{kind:?}");
        }
    }

    /// Which kind takes which key is the policy's contract (docs/policy.md): a key a kind took
    /// by mistake would be accepted and ignored, a credential or zone the gate never uses.
    #[test]
    fn each_kind_accepts_exactly_its_documented_keys() {
        let accepted = |kind: TrackerKind| {
            KIND_SPECIFIC_KEYS
                .iter()
                .filter(|k| kind.spec().accepts(k))
                .copied()
                .collect::<Vec<_>>()
        };
        let network = ["timeout", "retries", "ca_bundle"];
        let with = |keys: &[&'static str]| {
            KIND_SPECIFIC_KEYS
                .iter()
                .filter(|k| keys.contains(k) || network.contains(k))
                .copied()
                .collect::<Vec<_>>()
        };
        assert_eq!(
            accepted(TrackerKind::Jira),
            with(&["url", "user_env", "token_env"])
        );
        assert_eq!(
            accepted(TrackerKind::JiraDc),
            with(&["url", "user_env", "token_env"])
        );
        assert_eq!(
            accepted(TrackerKind::Github),
            with(&["url", "repository", "token_env", "key_prefix"])
        );
        for kind in [TrackerKind::Gitlab, TrackerKind::Redmine] {
            assert_eq!(
                accepted(kind),
                with(&["url", "project", "token_env", "key_prefix"])
            );
        }
        assert_eq!(accepted(TrackerKind::File), ["path", "timezone"]);
        let required = |kind: TrackerKind| -> Vec<&str> {
            kind.spec().required.iter().map(|(k, _)| *k).collect()
        };
        assert_eq!(
            required(TrackerKind::Jira),
            ["url", "query", "user_env", "token_env"]
        );
        assert_eq!(required(TrackerKind::JiraDc), ["url", "query", "token_env"]);
        assert_eq!(required(TrackerKind::Github), ["repository"]);
        assert_eq!(required(TrackerKind::Gitlab), ["project"]);
        assert_eq!(required(TrackerKind::Redmine), ["url"]);
        assert_eq!(required(TrackerKind::File), ["path"]);
        assert!(!TrackerKind::Redmine.spec().labels);
    }

    #[test]
    fn defaults_are_the_documented_ones() {
        let jira = TrackerKind::Jira.spec().default_severity();
        let jira = jira.as_ref().map(|m| (m.field.as_str(), m.map.len()));
        assert_eq!(jira, Some(("priority", 4)));
        assert_eq!(TrackerKind::Github.spec().default_severity(), None);
        assert_eq!(
            TrackerKind::Github.spec().default_not_defects().labels,
            ["duplicate", "invalid"]
        );
        assert_eq!(
            TrackerKind::Redmine
                .spec()
                .default_not_defects()
                .resolutions,
            ["Rejected"]
        );
    }
}
