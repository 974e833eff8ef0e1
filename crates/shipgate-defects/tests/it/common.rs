//! What the adapter's HTTP tests share: a local server (wiremock) on its own runtime, so that the
//! blocking client can run on the test thread, and a source configuration pointed at it.

#![allow(
    dead_code,
    reason = "each test binary uses some of these helpers; `expect` would be unfulfilled in one that uses them all"
)]
#![expect(
    clippy::unwrap_used,
    reason = "test code: a failed unwrap, expect or assertion is a failed test"
)]

use serde_json::Value;
use shipgate_defects::{ClientOptions, DefectsError, LoadOptions, SourceConfig, TrackerKind, load};
use shipgate_model::Defect;
use std::time::Duration;
use wiremock::{Mock, MockServer};

/// A mock server on its own runtime.
pub struct Server {
    rt: tokio::runtime::Runtime,
    server: MockServer,
}

impl Server {
    pub fn start() -> Self {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let server = rt.block_on(MockServer::start());
        Self { rt, server }
    }

    pub fn mount(&self, mock: Mock) {
        self.rt.block_on(mock.mount(&self.server));
    }

    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// The bodies (as JSON) and query strings of the requests received on `path`.
    pub fn requests_to(&self, path: &str) -> Vec<(Option<Value>, String)> {
        self.rt
            .block_on(self.server.received_requests())
            .unwrap_or_default()
            .into_iter()
            .filter(|r| r.url.path() == path)
            .map(|r| {
                (
                    shipgate_json::parse_value(&r.body).ok(),
                    r.url.query().unwrap_or_default().to_owned(),
                )
            })
            .collect()
    }
}

fn token(name: &str) -> Option<String> {
    matches!(name, "TRACKER_TOKEN" | "TRACKER_USER").then(|| "tok".to_owned())
}

/// The defects a configuration loads.
pub fn fetch_defects(config: &SourceConfig) -> Result<Vec<Defect>, DefectsError> {
    let options = LoadOptions {
        offline: false,
        env: &token,
        fetched_at: None,
    };
    load(config, &options).map(|l| l.evidence.defects)
}

/// The keys of the defects a configuration loads.
pub fn fetch(config: &SourceConfig) -> Result<Vec<String>, DefectsError> {
    fetch_defects(config).map(|d| d.into_iter().map(|d| d.key).collect())
}

/// A source of `kind` at `uri` with a token, a short timeout and no retries.
pub fn config(kind: TrackerKind, uri: &str) -> SourceConfig {
    let mut c = SourceConfig::of_kind(kind);
    c.settings.url = Some(uri.to_owned());
    c.settings.token_env = Some("TRACKER_TOKEN".to_owned());
    c.http = ClientOptions {
        timeout: Duration::from_secs(5),
        retries: 0,
        ..ClientOptions::default()
    };
    c
}
