//! Why a performance file could not be read.

use shipgate_json::JsonErrorKind;

const REGENERATE: &str = "regenerate the file with the load-test tool; if the tool wrote it as is, please report it to shipgate with the file";

/// Everything that can stop a performance file from becoming evidence. Each names the file and,
/// where there is one, the line or the JSON field; [`PerfError::remedy`] says what to do.
#[derive(Debug, thiserror::Error)]
pub enum PerfError {
    /// The file could not be opened or read.
    #[error("failed to read `{path}`: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file is empty (zero bytes or only whitespace).
    #[error("failed to read `{path}`: the file is empty")]
    EmptyFile {
        /// The file.
        path: String,
    },
    /// The bytes are in no format shipgate reads.
    #[error("failed to read `{path}`: {what}")]
    NotRecognised {
        /// The file.
        path: String,
        /// What it looks like, and why that is not enough.
        what: String,
    },
    /// The policy named one format and the file is another.
    #[error("failed to read `{path}` as {declared}: it looks like {found}")]
    FormatMismatch {
        /// The file.
        path: String,
        /// The format named in the policy or on the command line.
        declared: String,
        /// The format the file looks like.
        found: String,
    },
    /// The file is in a known format but something in it is wrong.
    #[error("failed to read `{path}` ({format}) at {at}: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// The format being read.
        format: String,
        /// Where: `line 12`, `metrics.http_req_duration.values`.
        at: String,
        /// What is wrong.
        message: String,
    },
    /// The file's JSON could not be read: not JSON, a key given twice, or (in shipgate's own
    /// forms) a key the form does not have.
    #[error("failed to read `{path}` ({format}): {source}")]
    Json {
        /// The file.
        path: String,
        /// The format being read (`JSON` before it is recognised).
        format: String,
        /// What is wrong, and where.
        #[source]
        source: shipgate_json::JsonError,
    },
    /// The samples of a file too large to hold in memory could not be written to, or read back
    /// whole from, the temporary file they are kept in while the file is read.
    #[error(
        "failed to read `{path}`: {what} the temporary file that holds its samples, in `{dir}`: {source}"
    )]
    Spill {
        /// The file being read.
        path: String,
        /// The folder of the temporary file.
        dir: String,
        /// What failed: `could not create`, `could not write`, `could not read back`.
        what: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file is readable but measured nothing: no sample, no metric.
    #[error("`{path}` ({format}) holds no {what}")]
    NoMeasurements {
        /// The file.
        path: String,
        /// The format read.
        format: String,
        /// What is missing (`samples`, `metrics`).
        what: String,
    },
}

impl PerfError {
    /// Whether the file is there and readable but holds no measurement: missing evidence (exit 1)
    /// rather than unreadable evidence (exit 4).
    pub fn is_empty_run(&self) -> bool {
        matches!(
            self,
            PerfError::NoMeasurements { .. } | PerfError::EmptyFile { .. }
        )
    }

    /// The file concerned.
    pub fn path(&self) -> &str {
        match self {
            PerfError::Io { path, .. }
            | PerfError::EmptyFile { path }
            | PerfError::NotRecognised { path, .. }
            | PerfError::FormatMismatch { path, .. }
            | PerfError::Invalid { path, .. }
            | PerfError::Json { path, .. }
            | PerfError::Spill { path, .. }
            | PerfError::NoMeasurements { path, .. } => path,
        }
    }

    /// What the user can do about it.
    pub fn remedy(&self) -> String {
        match self {
            PerfError::Io { .. } => "check that the load test ran and wrote its results where `sources.performance` looks (paths are relative to the policy file's folder)".to_owned(),
            PerfError::EmptyFile { .. } | PerfError::NoMeasurements { .. } => "the load test wrote a file but measured nothing: check that it ran against the system, that requests were sent, and that it finished before its results were written".to_owned(),
            PerfError::NotRecognised { .. } => "point `sources.performance` at a k6 summary or `--out json` file, a JMeter JTL (CSV or XML) or statistics.json, a Locust `--json` file, `_stats.csv` or `_stats_history.csv`, a Gatling binary simulation.log or stats.json/global_stats.json, a generic metrics JSON or Bencher Metric Format file, or a baseline written by `shipgate perf baseline promote`".to_owned(),
            PerfError::FormatMismatch { .. } => "correct `format` in `sources.performance` (or leave it out: shipgate recognises the format by itself), or point the path at the right file".to_owned(),
            PerfError::Invalid { .. } => REGENERATE.to_owned(),
            PerfError::Spill { dir, .. } => format!("make room in `{dir}` (a file's samples take 8 bytes each there while it is read), or point `TMPDIR` at a folder with room, and run shipgate again"),
            PerfError::Json { source, .. } => match source.kind() {
                JsonErrorKind::NotJson { .. } | JsonErrorKind::Invalid { .. } => {
                    REGENERATE.to_owned()
                }
                JsonErrorKind::DuplicateKey { .. } => "a file that gives one key two values cannot be read either way: find what wrote the key twice (a script that merged results, an edit by hand) and write the file again with each key once".to_owned(),
                JsonErrorKind::UnknownKey { .. } => "correct the key (the nearest known one is named) or remove it: shipgate's own formats are described in docs/performance-evidence.md".to_owned(),
            },
        }
    }
}
