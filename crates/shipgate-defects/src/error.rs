//! Why defects could not be loaded.

use shipgate_http::HttpError;

/// Why the defects could not be read or fetched.
#[derive(Debug, thiserror::Error)]
pub enum DefectsError {
    /// `--offline` and a tracker that is only reachable over the network.
    #[error("the `{kind}` defect source is not read with `--offline`: it needs the network")]
    Offline {
        /// The kind of source.
        kind: &'static str,
    },
    /// A required environment variable is not set.
    #[error(
        "failed to read the {what} for the `{kind}` defect source: the environment variable `{env}` is not set"
    )]
    MissingEnv {
        /// The kind of source.
        kind: &'static str,
        /// `token`, `user`.
        what: &'static str,
        /// The variable.
        env: String,
    },
    /// The configuration lacks something this kind needs.
    #[error("failed to use the `{kind}` defect source: {message}")]
    Config {
        /// The kind of source.
        kind: &'static str,
        /// What is missing or wrong.
        message: String,
    },
    /// The file does not exist.
    #[error("the defect file `{path}` does not exist")]
    FileMissing {
        /// The path as written in the policy.
        path: String,
    },
    /// The file could not be read.
    #[error("failed to read the defect file `{path}`: {reason}")]
    FileUnreadable {
        /// The path as written in the policy.
        path: String,
        /// Why.
        reason: String,
    },
    /// The file's contents are not what its format says.
    #[error("failed to read the defect file `{path}`{}: {reason}", .line.map(|l| format!(" at line {l}")).unwrap_or_default())]
    FileFormat {
        /// The path as written in the policy.
        path: String,
        /// The line (1-based), when known.
        line: Option<u64>,
        /// What is wrong.
        reason: String,
        /// What to do.
        remedy: String,
    },
    /// The tracker could not be reached or refused.
    #[error("{source}")]
    Http {
        /// The request's error.
        #[source]
        source: HttpError,
    },
    /// The tracker answered, but not in the shape its API documents.
    #[error("failed to read the answer of `{url}`: {reason}")]
    Shape {
        /// The URL, without credentials.
        url: String,
        /// What was missing or wrong.
        reason: String,
    },
    /// A field named in the policy does not exist in the tracker.
    #[error("failed to find the field `{field}` named in `{setting}` on `{location}`{}", suggest(.known))]
    UnknownField {
        /// The field as written.
        field: String,
        /// The policy key that names it (`severity.field`).
        setting: String,
        /// The tracker or file.
        location: String,
        /// Similar fields that do exist.
        known: Vec<String>,
    },
    /// A field name in the policy that several of the tracker's fields have.
    #[error("failed to tell which field `{field}` named in `{setting}` means on `{location}`: {} fields have that name: {}", .candidates.len(), .candidates.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", "))]
    AmbiguousField {
        /// The field as written.
        field: String,
        /// The policy key that names it.
        setting: String,
        /// The tracker.
        location: String,
        /// The fields with that name: id, type and scope.
        candidates: Vec<String>,
    },
    /// The query returned no defect at all.
    #[error("the `{kind}` defect source returned no defect from `{location}`{}", .query.as_deref().map(|q| format!(" for the query `{q}`")).unwrap_or_default())]
    Empty {
        /// The kind of source.
        kind: &'static str,
        /// The tracker or file.
        location: String,
        /// The query.
        query: Option<String>,
    },
}

fn suggest(known: &[String]) -> String {
    if known.is_empty() {
        String::new()
    } else {
        format!(
            "; did you mean {}?",
            known
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(" or ")
        )
    }
}

impl From<HttpError> for DefectsError {
    fn from(source: HttpError) -> Self {
        DefectsError::Http { source }
    }
}

impl DefectsError {
    /// What the user can do about it.
    pub fn remedy(&self) -> String {
        match self {
            DefectsError::Offline { .. } => "run without `--offline`, or point `sources.defects` at an export (`kind: file`, `path: defects.csv`) for an offline dry run".to_owned(),
            DefectsError::MissingEnv { env, .. } => format!(
                "set `{env}` in the pipeline's environment (as a masked secret); shipgate reads credentials only from environment variables"
            ),
            DefectsError::Config { .. } => {
                "complete `sources.defects` in the policy (see docs/policy.md)".to_owned()
            }
            DefectsError::FileMissing { .. } => "export the defects (Jira: Filters → Export → CSV (all fields)) to that path, or correct `sources.defects.path` (relative to the policy file's folder)".to_owned(),
            DefectsError::FileUnreadable { .. } => {
                "check the file's permissions and that it is a regular file".to_owned()
            }
            DefectsError::FileFormat { remedy, .. } => remedy.clone(),
            DefectsError::Http { source } => source.remedy(),
            DefectsError::Shape { .. } => "check that `url` is the tracker's base URL and `kind` its kind (Jira Cloud is `jira`, Jira Data Center/Server `jira-dc`)".to_owned(),
            DefectsError::UnknownField { setting, .. } => format!(
                "write in `{setting}` a field name or id that exists in the tracker (Jira: Settings → Issues → Custom fields; Redmine: Administration → Custom fields)"
            ),
            DefectsError::AmbiguousField {
                setting,
                candidates,
                ..
            } => format!(
                "name the field by its id in `{setting}` (the one your issues fill in, e.g. `field: {}`): Jira allows several fields with one name (each team-managed project makes its own), and the gate will not guess which one holds the values",
                candidates
                    .first()
                    .and_then(|c| c.split_whitespace().next())
                    .unwrap_or("customfield_10042")
            ),
            DefectsError::Empty { .. } => "check the query in `sources.defects`: a gate must not pass on a tracker that shows it nothing (a wrong project, or a token that sees no issue)".to_owned(),
        }
    }

    /// Whether the evidence is absent (rather than unreadable): an `--offline` network source, a
    /// file that does not exist, or a query that returned nothing.
    pub fn is_missing(&self) -> bool {
        matches!(
            self,
            DefectsError::Offline { .. }
                | DefectsError::FileMissing { .. }
                | DefectsError::Empty { .. }
        )
    }
}
