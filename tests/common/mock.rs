//! A local HTTP server answering with a real API's shapes (wiremock), and the outcome of one
//! `shipgate` run, for the tests of the sources that fetch over HTTP.

use wiremock::{Mock, MockServer};

/// A mock server on its own runtime, so the test thread can run the binary.
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
    /// The requests received so far.
    pub fn requests(&self) -> Vec<wiremock::Request> {
        self.rt
            .block_on(self.server.received_requests())
            .unwrap_or_default()
    }
}

/// What one run of the binary printed and how it ended.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(mut cmd: assert_cmd::Command) -> Run {
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Every file under `dir`, recursively, as (path, text): to assert that a secret is in none.
pub fn files_under(dir: &std::path::Path) -> Vec<(String, String)> {
    let mut seen = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for f in std::fs::read_dir(&folder).unwrap() {
            let f = f.unwrap().path();
            if f.is_dir() {
                folders.push(f);
            } else {
                let bytes = std::fs::read(&f).unwrap();
                seen.push((
                    f.display().to_string(),
                    String::from_utf8_lossy(&bytes).into_owned(),
                ));
            }
        }
    }
    seen
}
