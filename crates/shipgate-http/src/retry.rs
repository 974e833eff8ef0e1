//! Sending one request with timeouts, bounded retries, `Retry-After`, and answers turned into
//! JSON or into an error a user can act on.

use crate::error::{HttpError, snippet, without_url};
use crate::{Client, JsonResponse, MAX_BACKOFF, read_limited, redact_url};
use reqwest::blocking::{RequestBuilder, Response};
use std::collections::BTreeMap;
use std::time::Duration;

/// What one attempt came to.
enum Attempt {
    Done(Result<JsonResponse, HttpError>),
    /// Worth another try, after waiting this long (or the backoff when `None`).
    Retry {
        reason: String,
        wait: Option<Duration>,
    },
}

pub(crate) fn send(
    client: &Client,
    method: &str,
    url: &reqwest::Url,
    build: impl Fn() -> RequestBuilder,
) -> Result<JsonResponse, HttpError> {
    let shown = redact_url(url.as_str());
    let options = client.options();
    let attempts = options.retries.saturating_add(1);
    let mut backoff = options.backoff;
    for attempt in 1..=attempts {
        tracing::debug!(method, url = %shown, attempt, "request");
        let outcome = match build().send() {
            Ok(response) => answer(client, &shown, response),
            Err(e) if e.is_timeout() => Attempt::Retry {
                reason: format!("timed out after {}", seconds(options.timeout.as_secs_f64())),
                wait: None,
            },
            Err(e) if e.is_connect() || e.is_request() || e.is_body() => Attempt::Retry {
                reason: format!("could not connect: {}", clean(client, &without_url(&e))),
                wait: None,
            },
            Err(e) => Attempt::Done(Err(HttpError::GaveUp {
                url: shown.clone(),
                attempts: attempt,
                last: clean(client, &without_url(&e)),
            })),
        };
        match outcome {
            Attempt::Done(result) => return result,
            Attempt::Retry { reason, wait } => {
                if attempt == attempts {
                    return Err(HttpError::GaveUp {
                        url: shown,
                        attempts,
                        last: reason,
                    });
                }
                let wait = wait.unwrap_or(backoff);
                tracing::warn!(url = %shown, attempt, %reason, wait_ms = wait.as_millis() as u64, "retrying");
                std::thread::sleep(wait);
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
        }
    }
    // `attempts` is at least 1, so the loop returned.
    Err(HttpError::GaveUp {
        url: shown,
        attempts,
        last: "no attempt was made".to_owned(),
    })
}

fn answer(client: &Client, url: &str, response: Response) -> Attempt {
    let status = response.status().as_u16();
    tracing::debug!(url, status, "response");
    let headers = header_map(&response);
    let auth = client.auth();
    let options = client.options();
    if status == 429 || status == 503 {
        let wait = headers
            .get("retry-after")
            .and_then(|v| retry_after(v, jiff::Timestamp::now()));
        if let Some(wait) = wait
            && wait > options.max_retry_after
        {
            return Attempt::Done(Err(HttpError::RetryAfterTooLong {
                url: url.to_owned(),
                status,
                seconds: wait.as_secs(),
                limit: options.max_retry_after.as_secs(),
            }));
        }
        return Attempt::Retry {
            reason: format!("HTTP {status}"),
            wait,
        };
    }
    if (500..600).contains(&status) {
        return Attempt::Retry {
            reason: format!("HTTP {status}"),
            wait: None,
        };
    }
    let body = match read_limited(response, options.max_body) {
        Ok(Some(b)) => b,
        Ok(None) => {
            return Attempt::Done(Err(HttpError::TooLarge {
                url: url.to_owned(),
                limit: options.max_body,
            }));
        }
        Err(e) => {
            return Attempt::Retry {
                reason: format!("the answer was cut off: {e}"),
                wait: None,
            };
        }
    };
    let token_env = auth.token_env().map(str::to_owned);
    let redactor = client.redactor();
    // The secret is removed from the whole body before it is cut short: cut first, a secret
    // across the cut would be shown in part.
    let detail = || snippet(&redactor.redact(&String::from_utf8_lossy(&body)));
    let error = match status {
        200..=299 => None,
        401 => Some(HttpError::Unauthorized {
            url: url.to_owned(),
            token_env,
            user_env: auth.user_env().map(str::to_owned),
        }),
        403 => Some(HttpError::Forbidden {
            url: url.to_owned(),
            token_env,
            detail: detail(),
        }),
        404 => Some(HttpError::NotFound {
            url: url.to_owned(),
            token_env,
        }),
        _ => Some(HttpError::Status {
            url: url.to_owned(),
            status,
            detail: detail(),
        }),
    };
    if let Some(e) = error {
        return Attempt::Done(Err(e));
    }
    // An answer that carries a credential of this run (a server or proxy that echoes requests,
    // a token pasted into an issue) is refused rather than cleaned: cleaning would change the
    // evidence the decision rests on, and kept, the secret would reach the report and the
    // release record.
    let echoed = redactor.find(&body).or_else(|| {
        headers
            .values()
            .find_map(|value| redactor.find(value.as_bytes()))
    });
    if let Some(env) = echoed {
        return Attempt::Done(Err(HttpError::SecretInAnswer {
            url: url.to_owned(),
            token_env: env.to_owned(),
        }));
    }
    Attempt::Done(match shipgate_json::parse_value(&body) {
        Ok(json) => Ok(JsonResponse {
            url: url.to_owned(),
            status,
            headers,
            body: json,
        }),
        // Not retried: a server that repeats a key repeats it on the next attempt too.
        Err(e) if e.is_duplicate_key() => Err(HttpError::DuplicateKey {
            url: url.to_owned(),
            source: e,
        }),
        Err(e) => {
            let start = String::from_utf8_lossy(&body[..body.len().min(512)]).to_ascii_lowercase();
            let html = start.trim_start().starts_with('<')
                && (start.contains("<html") || start.contains("<!doctype"));
            let reason = if body.iter().all(u8::is_ascii_whitespace) {
                "the answer is empty".to_owned()
            } else if html {
                "the answer is an HTML page".to_owned()
            } else {
                clean(client, &e.to_string())
            };
            Err(HttpError::MalformedJson {
                url: url.to_owned(),
                reason,
                html,
            })
        }
    })
}

/// A message with the client's secrets removed, in case it quotes one.
fn clean(client: &Client, text: &str) -> String {
    client.redactor().redact(text).into_owned()
}

fn header_map(response: &Response) -> BTreeMap<String, String> {
    let mut map: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in response.headers() {
        let Ok(value) = value.to_str() else { continue };
        map.entry(name.as_str().to_ascii_lowercase())
            .and_modify(|v| {
                v.push_str(", ");
                v.push_str(value);
            })
            .or_insert_with(|| value.to_owned());
    }
    map
}

/// `Retry-After`: a number of seconds, or an HTTP date.
pub(crate) fn retry_after(value: &str, now: jiff::Timestamp) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = jiff::fmt::rfc2822::parse(v).ok()?.timestamp();
    let wait = at.duration_since(now);
    Some(Duration::try_from(wait).unwrap_or(Duration::ZERO))
}

fn seconds(s: f64) -> String {
    if s >= 1.0 && s.fract() == 0.0 {
        format!("{s:.0} s")
    } else {
        format!("{s} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Auth, Credential, Secret};

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let now: jiff::Timestamp = "2015-10-21T07:28:00Z".parse().unwrap();
        assert_eq!(retry_after("5", now), Some(Duration::from_secs(5)));
        assert_eq!(
            retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after("soon", now), None);
    }

    #[test]
    fn an_echoed_secret_is_removed_before_the_cut() {
        let auth = Auth::Bearer(Credential {
            env: "T".into(),
            secret: Secret::new("abcd1234-efgh5678"),
        });
        let redactor = auth.redactor();
        // The secret straddles the 200th character.
        let page = format!("{}abcd1234-efgh5678 tail", "x".repeat(195));
        let shown = snippet(&redactor.redact(&page)).unwrap();
        assert!(!shown.contains("abcd"), "{shown}");
        assert!(shown.contains("***"), "{shown}");
    }
}
