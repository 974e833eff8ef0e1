//! What a tracker is: the trait every tracker of the registry (`crate::trackers`) implements.
//!
//! This file must not name any tracker: the trackers' modules depend on it, and the registry on
//! them.

use crate::config::SourceConfig;
use crate::error::DefectsError;
use crate::mapping::RawDefect;
use shipgate_http::{Auth, Client, Credential};
use shipgate_model::TrackerKind;

/// One tracker: how it authenticates and how its issues are fetched.
pub(crate) trait Tracker: Sync {
    /// The kind of source it serves.
    fn kind(&self) -> TrackerKind;

    /// How the token (and the user, when `user_env` names one) is sent. Default: a bearer token.
    fn auth(&self, token: Credential, user: Option<User>) -> Auth {
        let _ = user;
        Auth::Bearer(token)
    }

    /// Every issue the configuration selects, page after page, before mapping.
    fn fetch(&self, config: &SourceConfig, client: &Client)
    -> Result<Vec<RawDefect>, DefectsError>;
}

/// A user read from the variable `user_env` names: not a secret, only needed to pair with a token.
pub(crate) struct User {
    /// The variable's name.
    pub env: String,
    /// Its value.
    pub name: String,
}
