//! Why a sign-off record or an allowed-signers file could not be read.

use shipgate_yaml::Problem;

/// A sign-off record or allowed-signers file that cannot be used. A signature that does not
/// verify is not an error: it is evidence ([`shipgate_model::UatSignature::Invalid`]).
#[derive(Debug, thiserror::Error)]
pub enum UatError {
    /// The file is not UTF-8 text.
    #[error("failed to read `{path}`: it is not UTF-8 text (invalid byte at offset {offset})")]
    NotUtf8 {
        /// The file.
        path: String,
        /// The offset of the first invalid byte.
        offset: usize,
    },
    /// The sign-off record has problems; each is listed with its line.
    #[error("failed to read the UAT sign-off `{path}`: {}", describe(problems))]
    Invalid {
        /// The file.
        path: String,
        /// Every problem, in line order.
        problems: Vec<Problem>,
    },
    /// The allowed-signers file has lines that cannot be used; each is listed.
    #[error(
        "failed to read the allowed signers `{path}`: {}",
        describe_lines(problems)
    )]
    AllowedSigners {
        /// The file.
        path: String,
        /// (line, what is wrong), in line order.
        problems: Vec<(usize, String)>,
    },
}

impl UatError {
    /// What the user can do about it.
    pub fn remedy(&self) -> String {
        match self {
            UatError::NotUtf8 { path, .. } => format!("save `{path}` as UTF-8"),
            UatError::Invalid { path, .. } => format!(
                "correct `{path}` (its fields are described in docs/policy.md#sourcesuat); if it is signed, sign it again afterwards"
            ),
            UatError::AllowedSigners { path, .. } => format!(
                "correct `{path}`: each line is `PRINCIPALS [OPTIONS] KEYTYPE BASE64-KEY`, as `ssh-keygen -Y verify` reads it (see ALLOWED SIGNERS in ssh-keygen(1))"
            ),
        }
    }
}

fn describe(problems: &[Problem]) -> String {
    match problems {
        [] => "it could not be read".to_owned(),
        [one] => one.to_string(),
        [first, rest @ ..] => format!(
            "{first} (and {} more problem{}: {})",
            rest.len(),
            if rest.len() == 1 { "" } else { "s" },
            rest.iter()
                .map(|p| format!("line {}: {}", p.mark.line, p.message))
                .collect::<Vec<_>>()
                .join("; ")
        ),
    }
}

fn describe_lines(problems: &[(usize, String)]) -> String {
    problems
        .iter()
        .map(|(line, message)| format!("line {line}: {message}"))
        .collect::<Vec<_>>()
        .join("; ")
}
