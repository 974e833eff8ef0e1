//! The exit-code table: a public contract that pipelines branch on.

use serde::Serialize;

/// Every exit code `shipgate` can return. The numbers are stable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum ExitCode {
    /// Every error-level check passed or was waived.
    Ready,
    /// The policy was evaluated and a check failed, or required evidence is missing.
    Blocked,
    /// Bad flags or arguments.
    Usage,
    /// The policy file is invalid.
    InvalidPolicy,
    /// Evidence could not be read or fetched.
    EvidenceError,
    /// A bug in shipgate.
    Internal,
}

impl ExitCode {
    /// Every code, in table order.
    pub const ALL: [ExitCode; 6] = [
        ExitCode::Ready,
        ExitCode::Blocked,
        ExitCode::Usage,
        ExitCode::InvalidPolicy,
        ExitCode::EvidenceError,
        ExitCode::Internal,
    ];

    /// The process exit status.
    pub const fn code(self) -> u8 {
        match self {
            ExitCode::Ready => 0,
            ExitCode::Blocked => 1,
            ExitCode::Usage => 2,
            ExitCode::InvalidPolicy => 3,
            ExitCode::EvidenceError => 4,
            ExitCode::Internal => 70,
        }
    }

    /// One line for the exit-code table in the docs and `--help`.
    pub const fn meaning(self) -> &'static str {
        match self {
            ExitCode::Ready => "ready: every error-level check passed or was waived",
            ExitCode::Blocked => {
                "blocked: the policy was evaluated and a check failed, or required evidence is missing"
            }
            ExitCode::Usage => "usage error (bad flags)",
            ExitCode::InvalidPolicy => "the policy file is invalid",
            ExitCode::EvidenceError => {
                "evidence could not be read or fetched (unparseable file, tracker unreachable after retries)"
            }
            ExitCode::Internal => "internal error",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_published_table() {
        let table: Vec<u8> = ExitCode::ALL.iter().map(|c| c.code()).collect();
        assert_eq!(table, vec![0, 1, 2, 3, 4, 70]);
    }
}
