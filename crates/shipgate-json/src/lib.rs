//! The one way shipgate reads JSON: strictly.
//!
//! Every JSON document shipgate reads — a tracker's answer, a load-test tool's results, a copy
//! stored in a release record, a form shipgate defines — is read here, and refused where a plain
//! `serde_json` read would quietly pick one meaning:
//!
//! - **A repeated key**, in any object, whatever type is read. `serde_json::Value`, a map and
//!   `#[serde(flatten)]` keep the last value, so `"status": "open", "status": "closed"` would read
//!   as closed and an open critical defect would ship. The error names the key, the object that
//!   holds it (`defects[3]`) and the line and column.
//! - **An unknown key, in a form shipgate defines** ([`parse_form`], [`form_from_value`],
//!   [`check_keys`]): a misspelt key must not leave the field it meant at its default. The error
//!   names the nearest known key ([`did_you_mean`], the same suggestion the YAML files get).
//!   Third-party formats ([`parse_value`]) keep unknown keys: tools add fields.
//!
//! The check is in the deserializer (module `strict`), not in each reader, so a new reader cannot
//! forget it; `clippy.toml` forbids `serde_json::from_str`, `from_slice` and `from_reader`
//! everywhere else. A byte order mark before the document is skipped, as Windows tools write one.
//!
//! This crate must not read files, the network or the environment: callers pass the bytes, and
//! name the file or the (redacted) URL in their own errors around a [`JsonError`].
//!
//! # Example
//!
//! ```
//! let answer = shipgate_json::parse_value(br#"{"key": "PAY-2", "status": "open"}"#)?;
//! assert_eq!(answer["status"], "open");
//!
//! // The same key twice would read as its last value ("closed") anywhere else: refused here.
//! let twice = shipgate_json::parse_value(br#"{"key": "PAY-2", "status": "open", "status": "closed"}"#);
//! assert!(twice.is_err_and(|e| e.is_duplicate_key()));
//!
//! assert_eq!(shipgate_json::did_you_mean("severty", &["status", "severity"]), Some("severity"));
//! # Ok::<(), shipgate_json::JsonError>(())
//! ```

mod error;
mod keys;
mod strict;

pub use error::{JsonError, JsonErrorKind, Position};
pub use keys::{check_keys, did_you_mean};

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use strict::{Mode, Strict, Track};

/// Reads a third-party JSON document (a tool's results, a tracker's answer): a repeated key is
/// refused, an unknown one kept.
pub fn parse_value(bytes: &[u8]) -> Result<Value, JsonError> {
    parse(bytes, Mode::Document)
}

/// Reads a third-party document straight into a type, without building a `Value`: a repeated
/// key is refused in every object, the type's fields and those it skips alike, and an unknown
/// key is kept (skipped). For readers of large files of small objects (k6 `--out json`).
pub fn parse_document<'de, T: Deserialize<'de>>(bytes: &'de [u8]) -> Result<T, JsonError> {
    parse(bytes, Mode::Document)
}

/// A type whose own `Deserialize` refuses a repeated key in every object it reads, and refuses
/// (does not skip) a key it does not know, so that no object of the document goes unchecked:
/// a struct derived with `#[serde(deny_unknown_fields)]` (serde's derive refuses a repeated
/// field, "duplicate field"), of fields that are numbers, text or types of this kind, and maps
/// read by a visitor that compares each key with those before it. Implementing it is a promise
/// the compiler cannot check: a test of the type must show each repeat refused.
pub trait RefusesRepeatedKeys {}

/// Reads a third-party document straight into a type that checks its own keys, without the
/// wrapper that checks every key for any type ([`parse_document`]): the fast path of a reader
/// of millions of small objects (k6 `--out json`). The error of a refused document says only
/// what serde said (`duplicate field `value``), with no path: a caller that must say more reads
/// the same bytes again with [`parse_value`] or [`parse_document`], which name the key, the
/// object and the position.
pub fn parse_self_checked<'de, T: Deserialize<'de> + RefusesRepeatedKeys>(
    bytes: &'de [u8],
) -> Result<T, JsonError> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    #[expect(
        clippy::disallowed_methods,
        reason = "the type refuses repeated and unknown keys itself (`RefusesRepeatedKeys`)"
    )]
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let read = T::deserialize(&mut de).and_then(|v| de.end().map(|()| v));
    read.map_err(|e| Track::default().into_error(&e))
}

/// Reads a form shipgate defines into its type: a repeated key is refused, and so is a key the
/// struct being read does not have, naming the nearest one it has. Keys inside a map or a
/// `Value` of the form are names, not fields, and are free.
pub fn parse_form<'de, T: Deserialize<'de>>(bytes: &'de [u8]) -> Result<T, JsonError> {
    parse(bytes, Mode::Form)
}

/// Reads a form people write or export as evidence (the defect JSON form):
/// as [`parse_form`], and a key written `null` is refused too (leave it out instead), so that a
/// `null` can never switch a value off, as in the YAML files.
pub fn parse_input_form<'de, T: Deserialize<'de>>(bytes: &'de [u8]) -> Result<T, JsonError> {
    parse(bytes, Mode::Input)
}

/// [`input_form_from_value`] is to [`parse_input_form`] what [`form_from_value`] is to
/// [`parse_form`].
pub fn input_form_from_value<T: DeserializeOwned>(value: Value) -> Result<T, JsonError> {
    let track = Track::default();
    T::deserialize(Strict::new(value, &track, Mode::Input)).map_err(|e| track.into_error(&e))
}

/// Reads a form from a document already read by [`parse_value`] (for a reader that looks at a
/// key first, such as the form's version), with the same refusals as [`parse_form`]. The errors
/// carry the path in the document but no line: the text is gone.
pub fn form_from_value<T: DeserializeOwned>(value: Value) -> Result<T, JsonError> {
    let track = Track::default();
    T::deserialize(Strict::new(value, &track, Mode::Form)).map_err(|e| track.into_error(&e))
}

fn parse<'de, T: Deserialize<'de>>(bytes: &'de [u8], mode: Mode) -> Result<T, JsonError> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let track = Track::default();
    #[expect(
        clippy::disallowed_methods,
        reason = "the one place JSON text is parsed, through the strict wrapper"
    )]
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let read =
        T::deserialize(Strict::new(&mut de, &track, mode)).and_then(|v| de.end().map(|()| v));
    read.map_err(|e| track.into_error(&e))
}
