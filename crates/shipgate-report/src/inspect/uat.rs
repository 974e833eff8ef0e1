//! `shipgate inspect uat`: a UAT sign-off record as the gate reads it, before any policy
//! applies: the release it names, the decision, who signed in which role and when, and what
//! came of its signature.

use crate::ansi::{Paint, Tone};
use crate::text::{one_line, pad};
use crate::{RenderOptions, ReportError};
use shipgate_model::{Signoff, UatDecision, UatEvidence, UatSignature};

/// Renders the record as pretty JSON (the evidence's own serialisation) with a trailing newline.
pub fn render_uat_inspection_json(evidence: &UatEvidence) -> Result<String, ReportError> {
    let mut json = serde_json::to_string_pretty(evidence).map_err(|source| ReportError::Json {
        what: "UAT inspection",
        source,
    })?;
    json.push('\n');
    Ok(json)
}

/// Renders the record for a terminal. Every text that came from the record is made printable.
pub fn render_uat_inspection_human(evidence: &UatEvidence, options: &RenderOptions) -> String {
    let paint = Paint {
        enabled: options.color,
    };
    let label = |s: &str| paint.paint(Tone::Strong, &pad(s, 10));
    let mut out = vec![format!(
        "{} {}",
        paint.paint(Tone::Strong, "UAT sign-off"),
        one_line(&evidence.path)
    )];
    let commit = evidence
        .commit
        .as_deref()
        .map(|c| format!(" (commit {})", one_line(c)))
        .unwrap_or_default();
    out.push(format!(
        "{}{} {}{commit}",
        label("release"),
        one_line(&evidence.release),
        one_line(&evidence.version)
    ));
    let tone = match evidence.decision {
        UatDecision::Approved => Tone::Good,
        UatDecision::Rejected => Tone::Bad,
        UatDecision::Conditional => Tone::Caution,
    };
    out.push(format!(
        "{}{}",
        label("decision"),
        paint.paint(tone, evidence.decision.as_str())
    ));
    for condition in &evidence.conditions {
        out.push(format!("{}- {}", pad("", 10), one_line(condition)));
    }
    if let Some(scope) = &evidence.scope {
        out.push(format!("{}{}", label("scope"), one_line(scope)));
    }
    out.push(label("signoffs").trim_end().to_owned());
    if evidence.signoffs.is_empty() {
        out.push(format!("{}nobody has signed", pad("", 2)));
    }
    let column = |field: fn(&Signoff) -> &str| {
        evidence
            .signoffs
            .iter()
            .map(|s| one_line(field(s)).chars().count())
            .max()
            .unwrap_or(0)
    };
    let name_width = column(|s| &s.name);
    let role_width = column(|s| &s.role);
    for s in &evidence.signoffs {
        let note = s
            .note
            .as_deref()
            .map(|n| format!("  {}", paint.paint(Tone::Faint, &one_line(n))))
            .unwrap_or_default();
        out.push(format!(
            "  {}  {}  {}  {}{note}",
            pad(&one_line(&s.name), name_width),
            pad(&one_line(&s.role), role_width),
            s.at,
            s.meaning.as_str()
        ));
    }
    let signature = match &evidence.signature {
        UatSignature::Verified {
            principals,
            fingerprint,
            ..
        } => paint.paint(
            Tone::Good,
            &format!(
                "verified: {} ({fingerprint})",
                one_line(&principals.join(", "))
            ),
        ),
        UatSignature::Unverified { path } => paint.paint(
            Tone::Caution,
            &format!(
                "signed, not verified ({}; pass --allowed-signers FILE to verify it)",
                one_line(path)
            ),
        ),
        UatSignature::Unsigned { expected } => {
            format!("unsigned (no {})", one_line(expected))
        }
        UatSignature::Invalid { reason, .. } => {
            paint.paint(Tone::Bad, &format!("invalid: {}", one_line(reason)))
        }
    };
    out.push(format!("{}{signature}", label("signature")));
    let mut text = out.join("\n");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use shipgate_model::SignatureMeaning;

    fn record() -> UatEvidence {
        UatEvidence {
            path: "release/uat.yaml".into(),
            release: "payments-api".into(),
            version: "2.4.0".into(),
            commit: Some("3f2a9c1".into()),
            decision: UatDecision::Conditional,
            scope: Some("Checkout".into()),
            conditions: vec!["PAY-9 fixed\u{1b}[31m".into()],
            signoffs: vec![Signoff {
                name: "Dana Reyes".into(),
                role: "product-owner".into(),
                at: "2026-11-20T15:04:00Z".parse().unwrap(),
                meaning: SignatureMeaning::Approval,
                note: Some("ok".into()),
            }],
            signature: UatSignature::Invalid {
                path: "release/uat.yaml.sig".into(),
                reason: "it does not match".into(),
            },
        }
    }

    #[test]
    fn the_human_view_lists_the_record_and_strips_escapes() {
        let text = render_uat_inspection_human(&record(), &RenderOptions::default());
        assert_eq!(
            text,
            "UAT sign-off release/uat.yaml
release   payments-api 2.4.0 (commit 3f2a9c1)
decision  conditional
          - PAY-9 fixed
scope     Checkout
signoffs
  Dana Reyes  product-owner  2026-11-20T15:04:00Z  approval  ok
signature invalid: it does not match
"
        );
        assert!(!text.contains('\u{1b}'));
    }

    #[test]
    fn the_json_view_is_the_evidence() {
        let v: serde_json::Value =
            shipgate_json::parse_value(render_uat_inspection_json(&record()).unwrap().as_bytes())
                .unwrap();
        assert_eq!(v["signature"]["status"], "invalid");
        assert_eq!(v["decision"], "conditional");
        assert_eq!(v["signoffs"][0]["at"], "2026-11-20T15:04:00Z");
    }
}
