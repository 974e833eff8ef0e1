//! Logs go to stderr, never to stdout where the report is, through the same shield as every
//! other message (secrets removed, workflow commands neutralised in a GitHub Actions job).

use tracing_subscriber::EnvFilter;

pub(crate) fn init(verbose: u8, quiet: bool) {
    let default = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "debug",
        (false, _) => "trace",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(super::output::LogWriter::default)
        .with_target(false)
        .without_time()
        .try_init();
}
