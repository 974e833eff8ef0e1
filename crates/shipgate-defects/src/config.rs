//! What the caller (the evaluator) tells the adapter: the defect source's settings as the policy
//! validated them (the shared [`DefectSourceSettings`]), where its file is, and how to reach the
//! tracker.

use crate::error::DefectsError;
use shipgate_http::ClientOptions;
use shipgate_model::trackers::{DefectSourceSettings, NotDefectRule, SeverityMap, TrackerKind};
use std::path::{Path, PathBuf};

/// One defect source, resolved by the caller (paths absolute or relative to the working folder).
#[derive(Clone, Debug, PartialEq)]
pub struct SourceConfig {
    /// The settings, as the policy validated them.
    pub settings: DefectSourceSettings,
    /// The file to read, for `kind: file`.
    pub path: Option<PathBuf>,
    /// The path as the user wrote it, for messages and provenance.
    pub path_display: Option<String>,
    /// Timeouts, retries and TLS.
    pub http: ClientOptions,
}

impl SourceConfig {
    /// The configuration of `settings`, with its paths (`path`, `ca_bundle`) resolved against
    /// `base_dir`, the policy file's folder.
    pub fn new(settings: DefectSourceSettings, base_dir: &Path) -> Self {
        let defaults = ClientOptions::default();
        let http = ClientOptions {
            timeout: settings.timeout.unwrap_or(defaults.timeout),
            retries: settings.retries.unwrap_or(defaults.retries),
            ca_bundle: settings.ca_bundle.as_ref().map(|p| base_dir.join(p)),
            ..defaults
        };
        Self {
            path: settings.path.as_ref().map(|p| base_dir.join(p)),
            path_display: settings.path.clone(),
            settings,
            http,
        }
    }

    /// A configuration of this kind with nothing else set.
    pub fn of_kind(kind: TrackerKind) -> Self {
        Self::new(DefectSourceSettings::new(kind), Path::new(""))
    }

    /// Which kind of source.
    pub fn kind(&self) -> TrackerKind {
        self.settings.kind
    }

    /// The severity mapping in force: the policy's, else the kind's default.
    pub fn severity_map(&self) -> Option<SeverityMap> {
        self.settings
            .severity
            .clone()
            .or_else(|| self.settings.kind.spec().default_severity())
    }

    /// The rule in force for issues that are not defects.
    pub fn not_defect_rule(&self) -> NotDefectRule {
        self.settings
            .not_defects
            .clone()
            .unwrap_or_else(|| self.settings.kind.spec().default_not_defects())
    }

    /// The key prefix in force.
    pub fn key_prefix(&self) -> &str {
        self.settings
            .key_prefix
            .as_deref()
            .unwrap_or(self.settings.kind.spec().default_key_prefix())
    }

    /// The tracker's base URL without a trailing `/`: `url`, or `default` (the public service,
    /// e.g. `https://api.github.com`) when none is set.
    pub(crate) fn base_url<'a>(&'a self, default: &'a str) -> &'a str {
        self.settings
            .url
            .as_deref()
            .unwrap_or(default)
            .trim_end_matches('/')
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
            kind: self.settings.kind.as_str(),
            message: format!("`{key}` is not set (e.g. {example})"),
        })
    }

    /// Where the defects come from, for messages and the evidence's `location`.
    pub fn location(&self) -> String {
        if !self.settings.kind.spec().fetches {
            return self
                .path_display
                .clone()
                .or_else(|| self.path.as_ref().map(|p| p.display().to_string()))
                .unwrap_or_default();
        }
        let base = shipgate_http::redact_url(self.settings.url.as_deref().unwrap_or_default());
        match (&self.settings.repository, &self.settings.project) {
            (Some(r), _) => format!("{} ({r})", base.trim_end_matches('/')),
            (None, Some(p)) => format!("{} (project {p})", base.trim_end_matches('/')),
            _ => base,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_lose_their_trailing_slash_and_fall_back_to_the_service() {
        let mut c = SourceConfig::of_kind(TrackerKind::Github);
        assert_eq!(
            c.base_url("https://api.github.com"),
            "https://api.github.com"
        );
        c.settings.url = Some("https://ghe.acme.example/api/v3//".to_owned());
        assert_eq!(
            c.base_url("https://api.github.com"),
            "https://ghe.acme.example/api/v3"
        );
    }

    #[test]
    fn a_missing_setting_is_named_with_an_example() {
        let c = SourceConfig::of_kind(TrackerKind::Gitlab);
        let e = c
            .require(c.settings.project.as_deref(), "project", "`acme/payments`")
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "failed to use the `gitlab` defect source: `project` is not set (e.g. `acme/payments`)"
        );
        let mut c = SourceConfig::of_kind(TrackerKind::File);
        c.path = Some(PathBuf::from("d.csv"));
        let path = c.require(c.path.as_deref(), "path", "`d.csv`").unwrap();
        assert_eq!(path, std::path::Path::new("d.csv"));
    }
}
