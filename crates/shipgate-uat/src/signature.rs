//! Detached SSH signatures of a sign-off record (`ssh-keygen -Y sign -n shipgate-uat FILE`
//! writes `FILE.sig`), verified against an allowed-signers file as `ssh-keygen -Y verify` reads
//! it. Verification is done here, in Rust, never by running `ssh-keygen`.

use crate::error::UatError;
use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::Offset;
use shipgate_model::UatSignature;
use ssh_key::public::KeyData;
use ssh_key::{Algorithm, EcdsaCurve, HashAlg, PublicKey, SshSig};

/// The SSHSIG namespace a sign-off is signed in: `ssh-keygen -Y sign -n shipgate-uat`. A
/// signature made for anything else (`git`, `file`) is refused, so a signed commit or tag can
/// never be replayed as a sign-off.
pub const NAMESPACE: &str = "shipgate-uat";

/// Where the detached signature of a record is: the record's path with `.sig` appended, as
/// `ssh-keygen -Y sign` writes it.
pub fn signature_path(record_path: &str) -> String {
    format!("{record_path}.sig")
}

/// One usable line of an allowed-signers file.
#[derive(Clone, Debug)]
struct Entry {
    principals: Vec<String>,
    namespaces: Option<String>,
    valid_after: Option<Timestamp>,
    valid_before: Option<Timestamp>,
    key: KeyData,
}

/// The keys allowed to sign a sign-off, from a file in the format of `ssh-keygen -Y verify -f`.
#[derive(Clone, Debug)]
pub struct AllowedSigners {
    path: String,
    entries: Vec<Entry>,
}

impl AllowedSigners {
    /// Reads an allowed-signers file: `PRINCIPALS [OPTIONS] KEYTYPE BASE64-KEY [COMMENT]` per
    /// line, `#` comments and blank lines ignored. Options: `namespaces="..."`,
    /// `valid-after="..."`, `valid-before="..."` (times must end in `Z`: the gate has no time
    /// zone of its own) and `cert-authority` (such lines are not used: certificates are not
    /// verified). Any other option, or a line that cannot be read, is a problem; every problem
    /// is reported with its line.
    pub fn parse(path: &str, bytes: &[u8]) -> Result<AllowedSigners, UatError> {
        let text = std::str::from_utf8(bytes).map_err(|e| UatError::NotUtf8 {
            path: path.to_owned(),
            offset: e.valid_up_to(),
        })?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut entries = Vec::new();
        let mut problems = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            match parse_line(line) {
                Ok(Some(entry)) => entries.push(entry),
                Ok(None) => {}
                Err(message) => problems.push((i + 1, message)),
            }
        }
        if !problems.is_empty() {
            return Err(UatError::AllowedSigners {
                path: path.to_owned(),
                problems,
            });
        }
        if entries.is_empty() {
            return Err(UatError::AllowedSigners {
                path: path.to_owned(),
                problems: vec![(
                    1,
                    "it lists no key, so no signature could ever verify; add a line per signer"
                        .to_owned(),
                )],
            });
        }
        Ok(AllowedSigners {
            path: path.to_owned(),
            entries,
        })
    }

    /// How many keys are listed.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no key is listed (never true for a parsed file).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Splits off the next whitespace-separated field; double quotes protect spaces.
fn next_field(s: &str) -> Option<(&str, &str)> {
    let s = s.trim_start();
    if s.is_empty() {
        return None;
    }
    let mut quoted = false;
    for (i, c) in s.char_indices() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => return Some((&s[..i], &s[i..])),
            _ => {}
        }
    }
    Some((s, ""))
}

fn is_key_type(field: &str) -> bool {
    ["ssh-", "ecdsa-sha2-", "sk-ssh-", "sk-ecdsa-"]
        .iter()
        .any(|p| field.starts_with(p))
}

fn parse_line(line: &str) -> Result<Option<Entry>, String> {
    let (principals, rest) = next_field(line).ok_or("the line is empty")?;
    let principals = principals.trim_matches('"');
    let (second, rest) = next_field(rest)
        .ok_or("the line has principals but no key; write `PRINCIPALS KEYTYPE BASE64-KEY`")?;
    let (options, key_type, rest) = if is_key_type(second) {
        ("", second, rest)
    } else {
        let (key_type, rest) = next_field(rest)
            .ok_or("the line has no key after its options; write `PRINCIPALS [OPTIONS] KEYTYPE BASE64-KEY`")?;
        (second, key_type, rest)
    };
    let (base64, _comment) = next_field(rest).ok_or("the key has no base64 data")?;
    let key = PublicKey::from_openssh(&format!("{key_type} {base64}")).map_err(|e| {
        format!(
            "the key `{key_type} {}` cannot be read ({e})",
            abbreviate(base64)
        )
    })?;
    let mut entry = Entry {
        principals: principals
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect(),
        namespaces: None,
        valid_after: None,
        valid_before: None,
        key: key.key_data().clone(),
    };
    if entry.principals.is_empty() {
        return Err("the line names no principal".to_owned());
    }
    for option in split_options(options) {
        let (name, value) = match option.split_once('=') {
            Some((n, v)) => (n.to_ascii_lowercase(), Some(v.trim_matches('"'))),
            None => (option.to_ascii_lowercase(), None),
        };
        match (name.as_str(), value) {
            ("cert-authority", None) => return Ok(None),
            ("namespaces", Some(v)) => entry.namespaces = Some(v.to_owned()),
            ("valid-after", Some(v)) => entry.valid_after = Some(parse_validity(v)?),
            ("valid-before", Some(v)) => entry.valid_before = Some(parse_validity(v)?),
            _ => {
                return Err(format!(
                    "the option `{option}` is not one shipgate can honour (it knows `namespaces`, `valid-after`, `valid-before` and `cert-authority`)"
                ));
            }
        }
    }
    Ok(Some(entry))
}

fn abbreviate(s: &str) -> String {
    if s.len() > 16 {
        format!(
            "{}…",
            &s[..s.char_indices().nth(12).map_or(s.len(), |(i, _)| i)]
        )
    } else {
        s.to_owned()
    }
}

/// Splits `a,b="x,y",c` on the commas outside quotes.
fn split_options(options: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    for (i, c) in options.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                out.push(&options[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if start < options.len() {
        out.push(&options[start..]);
    }
    out.into_iter().filter(|o| !o.is_empty()).collect()
}

/// `YYYYMMDD[HHMM[SS]]Z`, as `ssh-keygen` writes validity times, in UTC only.
fn parse_validity(v: &str) -> Result<Timestamp, String> {
    let bad = || {
        format!(
            "`{v}` is not a UTC time; write `YYYYMMDDZ` or `YYYYMMDDHHMM[SS]Z` (shipgate has no time zone of its own, so the `Z` is required)"
        )
    };
    let digits = v.strip_suffix(['Z', 'z']).ok_or_else(bad)?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) || ![8, 12, 14].contains(&digits.len()) {
        return Err(bad());
    }
    let num = |r: std::ops::Range<usize>| digits.get(r).and_then(|s| s.parse::<i16>().ok());
    let year = num(0..4).ok_or_else(bad)?;
    let month = num(4..6).ok_or_else(bad)?;
    let day = num(6..8).ok_or_else(bad)?;
    let hour = if digits.len() >= 12 {
        num(8..10).ok_or_else(bad)?
    } else {
        0
    };
    let minute = if digits.len() >= 12 {
        num(10..12).ok_or_else(bad)?
    } else {
        0
    };
    let second = if digits.len() == 14 {
        num(12..14).ok_or_else(bad)?
    } else {
        0
    };
    let date = Date::new(
        year,
        i8::try_from(month).map_err(|_| bad())?,
        i8::try_from(day).map_err(|_| bad())?,
    )
    .map_err(|_| bad())?;
    let time = Time::new(
        i8::try_from(hour).map_err(|_| bad())?,
        i8::try_from(minute).map_err(|_| bad())?,
        i8::try_from(second).map_err(|_| bad())?,
        0,
    )
    .map_err(|_| bad())?;
    Offset::UTC
        .to_timestamp(DateTime::from_parts(date, time))
        .map_err(|_| bad())
}

/// Whether `name` matches an OpenSSH pattern list (`a,b*,!c`): a negated match refuses, any
/// other match accepts.
fn matches_pattern_list(name: &str, list: &str) -> bool {
    let mut matched = false;
    for pattern in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match pattern.strip_prefix('!') {
            Some(negated) if wildcard(negated.as_bytes(), name.as_bytes()) => return false,
            Some(_) => {}
            None => matched |= wildcard(pattern.as_bytes(), name.as_bytes()),
        }
    }
    matched
}

/// `*` any run, `?` one character.
fn wildcard(pattern: &[u8], text: &[u8]) -> bool {
    match (pattern.first(), text.first()) {
        (None, None) => true,
        (Some(b'*'), _) => {
            wildcard(&pattern[1..], text) || (!text.is_empty() && wildcard(pattern, &text[1..]))
        }
        (Some(b'?'), Some(_)) => wildcard(&pattern[1..], &text[1..]),
        (Some(p), Some(t)) if p == t => wildcard(&pattern[1..], &text[1..]),
        _ => false,
    }
}

fn supported(algorithm: &Algorithm) -> bool {
    matches!(
        algorithm,
        Algorithm::Ed25519
            | Algorithm::SkEd25519
            | Algorithm::SkEcdsaSha2NistP256
            | Algorithm::Ecdsa {
                curve: EcdsaCurve::NistP256 | EcdsaCurve::NistP384
            }
    )
}

/// The flag a FIDO authenticator sets when the user touched it (user presence).
const SK_USER_PRESENT: u8 = 0x01;

/// Bytes after a security key's signature proper: its flags (1) and counter (4).
const SK_TRAILER: usize = 5;

/// Whether a security-key (`sk-*`) signature says the user touched the key: its flags byte,
/// which ssh-key 0.6 keeps (without reading it) after the signature proper, followed by the
/// counter. `None` for another kind of signature, or one too short to hold the flags.
fn user_present(signature: &ssh_key::Signature) -> Option<bool> {
    if !matches!(
        signature.algorithm(),
        Algorithm::SkEd25519 | Algorithm::SkEcdsaSha2NistP256
    ) {
        return None;
    }
    let bytes = signature.as_bytes();
    let flags = bytes.get(bytes.len().checked_sub(SK_TRAILER)?)?;
    Some(flags & SK_USER_PRESENT != 0)
}

/// Verifies the detached signature `signature` (the bytes of `signature_path`) over `message`
/// (the record's exact bytes), in the [`NAMESPACE`] namespace, with a key of `allowed`.
///
/// Never fails: a signature that does not verify is [`UatSignature::Invalid`] with the reason,
/// so that the check can say what happened (tampered record, wrong key, wrong namespace).
pub fn verify_signature(
    message: &[u8],
    signature: &[u8],
    signature_path: &str,
    allowed: &AllowedSigners,
) -> UatSignature {
    let invalid = |reason: String| UatSignature::Invalid {
        path: signature_path.to_owned(),
        reason,
    };
    let Some(sig) = std::str::from_utf8(signature)
        .ok()
        .and_then(|text| SshSig::from_pem(text.trim()).ok())
    else {
        return invalid(format!(
            "`{signature_path}` is not an SSH signature (one starts with `-----BEGIN SSH SIGNATURE-----`, as `ssh-keygen -Y sign` writes it)"
        ));
    };
    if sig.namespace() != NAMESPACE {
        return invalid(format!(
            "`{signature_path}` was made for the namespace `{}`, not `{NAMESPACE}`; sign the record with `ssh-keygen -Y sign -n {NAMESPACE}`",
            sig.namespace()
        ));
    }
    let key = sig.public_key();
    let fingerprint = key.fingerprint(HashAlg::Sha256).to_string();
    let algorithm = key.algorithm();
    if !supported(&algorithm) {
        return invalid(format!(
            "`{signature_path}` was made with a {} key ({fingerprint}), which shipgate does not verify; sign with an Ed25519 or ECDSA P-256/P-384 key",
            algorithm.as_str()
        ));
    }
    if PublicKey::from(key.clone())
        .verify(NAMESPACE, message, &sig)
        .is_err()
    {
        return invalid(format!(
            "`{signature_path}` does not match the record's bytes: the record was changed after it was signed, or the signature belongs to another file"
        ));
    }
    // ssh-key does not look at a security key's flags; `ssh-keygen -Y verify` requires the
    // user-presence flag unless the key is listed `no-touch-required` (which the allowed-signers
    // reader refuses). The flags are covered by the signature that was just verified.
    let security_key = matches!(
        algorithm,
        Algorithm::SkEd25519 | Algorithm::SkEcdsaSha2NistP256
    );
    if security_key && user_present(sig.signature()) != Some(true) {
        return invalid(format!(
            "`{signature_path}` was made with the security key {fingerprint} without the user touching it (its user-presence flag is not set); `ssh-keygen -Y verify` refuses such a signature, and so does shipgate: sign again and touch the key when it blinks"
        ));
    }
    let listed: Vec<&Entry> = allowed.entries.iter().filter(|e| &e.key == key).collect();
    if listed.is_empty() {
        return invalid(format!(
            "`{signature_path}` was made with the key {fingerprint}, which `{}` does not list",
            allowed.path
        ));
    }
    let Some(entry) = listed.iter().find(|e| {
        e.namespaces
            .as_deref()
            .is_none_or(|list| matches_pattern_list(NAMESPACE, list))
    }) else {
        return invalid(format!(
            "the key {fingerprint} is listed in `{}`, but not for the namespace `{NAMESPACE}` (its `namespaces` option does not include it)",
            allowed.path
        ));
    };
    UatSignature::Verified {
        path: signature_path.to_owned(),
        principals: entry.principals.clone(),
        fingerprint,
        valid_after: entry.valid_after,
        valid_before: entry.valid_before,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ssh_key::{LineEnding, PrivateKey};

    fn key() -> PrivateKey {
        PrivateKey::random(&mut ssh_key::rand_core::OsRng, Algorithm::Ed25519).unwrap()
    }

    fn sign(key: &PrivateKey, namespace: &str, message: &[u8]) -> Vec<u8> {
        key.sign(namespace, HashAlg::Sha512, message)
            .unwrap()
            .to_pem(LineEnding::LF)
            .unwrap()
            .into_bytes()
    }

    fn allowed_line(principals: &str, options: &str, key: &PrivateKey) -> String {
        let public = key.public_key().to_openssh().unwrap();
        if options.is_empty() {
            format!("{principals} {public}\n")
        } else {
            format!("{principals} {options} {public}\n")
        }
    }

    fn allowed(text: &str) -> AllowedSigners {
        AllowedSigners::parse("allowed_signers", text.as_bytes()).unwrap()
    }

    const RECORD: &[u8] = b"release: payments-api\nversion: 2.4.0\n";

    fn reason(s: UatSignature) -> String {
        match s {
            UatSignature::Invalid { reason, .. } => reason,
            other => panic!("expected invalid, got {other:?}"),
        }
    }

    #[test]
    fn a_listed_key_in_the_right_namespace_verifies() {
        let k = key();
        let signers = allowed(&format!(
            "# release approvers\n\n{}",
            allowed_line("qa-lead@acme.example,po@acme.example", "", &k)
        ));
        let sig = sign(&k, NAMESPACE, RECORD);
        match verify_signature(RECORD, &sig, "uat.yaml.sig", &signers) {
            UatSignature::Verified {
                principals,
                fingerprint,
                ..
            } => {
                assert_eq!(principals, ["qa-lead@acme.example", "po@acme.example"]);
                assert!(fingerprint.starts_with("SHA256:"), "{fingerprint}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_changed_record_does_not_verify() {
        let k = key();
        let signers = allowed(&allowed_line("qa@acme.example", "", &k));
        let sig = sign(&k, NAMESPACE, RECORD);
        let tampered = b"release: payments-api\nversion: 2.4.1\n";
        assert!(
            reason(verify_signature(tampered, &sig, "uat.yaml.sig", &signers))
                .contains("record was changed after it was signed")
        );
    }

    #[test]
    fn an_unlisted_key_does_not_verify() {
        let listed = key();
        let other = key();
        let signers = allowed(&allowed_line("qa@acme.example", "", &listed));
        let sig = sign(&other, NAMESPACE, RECORD);
        let r = reason(verify_signature(RECORD, &sig, "uat.yaml.sig", &signers));
        assert!(r.contains("which `allowed_signers` does not list"), "{r}");
        assert!(
            r.contains(&other.fingerprint(HashAlg::Sha256).to_string()),
            "{r}"
        );
    }

    #[test]
    fn a_signature_for_another_namespace_does_not_verify() {
        let k = key();
        let signers = allowed(&allowed_line("qa@acme.example", "", &k));
        let sig = sign(&k, "git", RECORD);
        let r = reason(verify_signature(RECORD, &sig, "uat.yaml.sig", &signers));
        assert!(r.contains("namespace `git`, not `shipgate-uat`"), "{r}");
    }

    #[test]
    fn a_key_restricted_to_other_namespaces_does_not_verify() {
        let k = key();
        let signers = allowed(&allowed_line(
            "qa@acme.example",
            "namespaces=\"git,file\"",
            &k,
        ));
        let sig = sign(&k, NAMESPACE, RECORD);
        let r = reason(verify_signature(RECORD, &sig, "uat.yaml.sig", &signers));
        assert!(r.contains("not for the namespace"), "{r}");
        let signers = allowed(&allowed_line(
            "qa@acme.example",
            "namespaces=\"shipgate-*\"",
            &k,
        ));
        assert!(matches!(
            verify_signature(RECORD, &sig, "uat.yaml.sig", &signers),
            UatSignature::Verified { .. }
        ));
    }

    #[test]
    fn garbage_is_not_a_signature() {
        let k = key();
        let signers = allowed(&allowed_line("qa@acme.example", "", &k));
        for junk in [&b"hello"[..], b"\xff\xfe", b""] {
            let r = reason(verify_signature(RECORD, junk, "uat.yaml.sig", &signers));
            assert!(r.contains("is not an SSH signature"), "{r}");
        }
    }

    #[test]
    fn validity_options_are_read_in_utc() {
        let k = key();
        let signers = allowed(&allowed_line(
            "qa@acme.example",
            "valid-after=\"20260101Z\",valid-before=\"202612312359Z\"",
            &k,
        ));
        let sig = sign(&k, NAMESPACE, RECORD);
        match verify_signature(RECORD, &sig, "uat.yaml.sig", &signers) {
            UatSignature::Verified {
                valid_after,
                valid_before,
                ..
            } => {
                assert_eq!(valid_after.unwrap().to_string(), "2026-01-01T00:00:00Z");
                assert_eq!(valid_before.unwrap().to_string(), "2026-12-31T23:59:00Z");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bad_allowed_signers_lines_are_reported_with_their_lines() {
        let k = key();
        let good = allowed_line("qa@acme.example", "", &k);
        let text = format!(
            "{good}qa@acme.example\nqa@acme.example ssh-ed25519 AAAAnotbase64!!\nqa@acme.example valid-after=\"20260101\" {}\nqa@acme.example no-touch-required {}\n",
            k.public_key().to_openssh().unwrap(),
            k.public_key().to_openssh().unwrap()
        );
        match AllowedSigners::parse("allowed_signers", text.as_bytes()).unwrap_err() {
            UatError::AllowedSigners { problems, .. } => {
                let lines: Vec<usize> = problems.iter().map(|p| p.0).collect();
                assert_eq!(lines, vec![2, 3, 4, 5], "{problems:#?}");
                assert!(problems[0].1.contains("no key"));
                assert!(problems[1].1.contains("cannot be read"));
                assert!(problems[2].1.contains("the `Z` is required"));
                assert!(problems[3].1.contains("`no-touch-required`"));
            }
            other => panic!("{other:?}"),
        }
        let err = AllowedSigners::parse("allowed_signers", b"# nobody\n").unwrap_err();
        assert!(err.to_string().contains("lists no key"), "{err}");
    }

    #[test]
    fn certificate_authority_lines_are_not_used() {
        let k = key();
        let signers = allowed(&format!(
            "{}{}",
            allowed_line("*@acme.example", "cert-authority", &k),
            allowed_line("qa@acme.example", "", &key())
        ));
        assert_eq!(signers.len(), 1);
        let sig = sign(&k, NAMESPACE, RECORD);
        assert!(reason(verify_signature(RECORD, &sig, "s", &signers)).contains("does not list"));
    }

    #[test]
    fn quoted_principals_and_comments_are_read() {
        let k = key();
        let public = k.public_key().to_openssh().unwrap();
        let signers = allowed(&format!("\"qa lead@acme.example\" {public} laptop key\n"));
        let sig = sign(&k, NAMESPACE, RECORD);
        match verify_signature(RECORD, &sig, "s", &signers) {
            UatSignature::Verified { principals, .. } => {
                assert_eq!(principals, ["qa lead@acme.example"])
            }
            other => panic!("{other:?}"),
        }
    }

    /// A signature by a FIDO security key (`sk-ssh-ed25519@openssh.com`), made in software: the
    /// authenticator's data (the hash of the application, `flags`, a counter, the hash of the
    /// SSHSIG data) signed with an Ed25519 key, as a token would. Returns the signature's PEM
    /// and the allowed-signers line of its key.
    fn sign_with_security_key(flags: u8, message: &[u8]) -> (Vec<u8>, String) {
        use ssh_key::public::{KeyData, SkEd25519};
        use ssh_key::{Signature, SigningKey};
        fn raw_sign<S: SigningKey>(key: &S, data: &[u8]) -> Signature {
            key.try_sign(data).unwrap()
        }
        let private = key();
        let keypair = private.key_data().ed25519().unwrap();
        let public = SkEd25519::new(keypair.public, "ssh:");
        let signed = SshSig::signed_data(NAMESPACE, HashAlg::Sha512, message).unwrap();
        let counter = 7u32.to_be_bytes();
        let mut authenticator_data = HashAlg::Sha256.digest(public.application().as_bytes());
        authenticator_data.push(flags);
        authenticator_data.extend(counter);
        authenticator_data.extend(HashAlg::Sha256.digest(&signed));
        let mut data = raw_sign(&private, &authenticator_data).as_bytes().to_vec();
        data.push(flags);
        data.extend(counter);
        let signature = Signature::new(Algorithm::SkEd25519, data).unwrap();
        let key_data = KeyData::SkEd25519(public);
        let sig = SshSig::new(key_data.clone(), NAMESPACE, HashAlg::Sha512, signature).unwrap();
        let line = format!(
            "qa@acme.example {}\n",
            PublicKey::from(key_data).to_openssh().unwrap()
        );
        (sig.to_pem(LineEnding::LF).unwrap().into_bytes(), line)
    }

    #[test]
    fn a_security_key_signature_needs_the_user_s_touch() {
        // Touched (user presence, flag 0x01): verified, as `ssh-keygen -Y verify` does.
        let (sig, line) = sign_with_security_key(0x01, RECORD);
        let signers = allowed(&line);
        assert!(
            matches!(
                verify_signature(RECORD, &sig, "uat.yaml.sig", &signers),
                UatSignature::Verified { .. }
            ),
            "{:?}",
            verify_signature(RECORD, &sig, "uat.yaml.sig", &signers)
        );
        // Not touched: the signature itself is sound (ssh-key verifies it), but `ssh-keygen`
        // refuses it unless the key is `no-touch-required`, which shipgate does not accept.
        let (sig, line) = sign_with_security_key(0x04, RECORD);
        let parsed = SshSig::from_pem(&sig).unwrap();
        assert!(
            PublicKey::from(parsed.public_key().clone())
                .verify(NAMESPACE, RECORD, &parsed)
                .is_ok()
        );
        let r = reason(verify_signature(
            RECORD,
            &sig,
            "uat.yaml.sig",
            &allowed(&line),
        ));
        assert!(r.contains("user-presence flag is not set"), "{r}");
        // The flag is read from the signature's trailer, after the signature proper.
        assert_eq!(user_present(parsed.signature()), Some(false));
        assert_eq!(
            user_present(
                SshSig::from_pem(&sign_with_security_key(0x05, RECORD).0)
                    .unwrap()
                    .signature()
            ),
            Some(true)
        );
    }

    #[test]
    fn pattern_lists_follow_openssh() {
        assert!(matches_pattern_list("shipgate-uat", "git,shipgate-uat"));
        assert!(matches_pattern_list("shipgate-uat", "ship*"));
        assert!(matches_pattern_list("shipgate-uat", "shipgate-ua?"));
        assert!(!matches_pattern_list("shipgate-uat", "*,!shipgate-*"));
        assert!(!matches_pattern_list("shipgate-uat", "git"));
    }
}
