//! Integration tests of shipgate-uat, in one binary (one link instead of two): GitHub deployment
//! approvals against a local server (wiremock), and signatures written by the real `ssh-keygen`.

mod github_approvals;
mod ssh_keygen;
