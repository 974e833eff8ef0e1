//! The client against a local server (wiremock): retries, Retry-After, timeouts, the status codes
//! a user must understand, and answers that are not JSON.

#![expect(
    clippy::unwrap_used,
    reason = "test code: a failed unwrap, expect or assertion is a failed test"
)]

use serde_json::json;
use shipgate_http::{Auth, Client, ClientOptions, Credential, HttpError, Secret};
use std::time::Duration;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "tok-7f3a9c2e-never-shown";

/// A server on its own runtime; the blocking client runs on the test's thread.
struct Server {
    rt: tokio::runtime::Runtime,
    server: MockServer,
}

impl Server {
    fn start() -> Self {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let server = rt.block_on(MockServer::start());
        Self { rt, server }
    }
    fn mount(&self, mock: Mock) {
        self.rt.block_on(mock.mount(&self.server));
    }
    fn url(&self, p: &str) -> String {
        format!("{}{p}", self.server.uri())
    }
    fn requests(&self) -> usize {
        self.rt
            .block_on(self.server.received_requests())
            .map_or(0, |r| r.len())
    }
}

fn client(retries: u32) -> Client {
    Client::new(
        ClientOptions {
            timeout: Duration::from_millis(700),
            retries,
            backoff: Duration::from_millis(10),
            ..ClientOptions::default()
        },
        Auth::Bearer(Credential {
            env: "TRACKER_TOKEN".into(),
            secret: Secret::new(TOKEN),
        }),
    )
    .unwrap()
}

#[test]
fn a_json_answer_is_parsed_and_the_token_is_sent() {
    let s = Server::start();
    s.mount(
        Mock::given(method("GET"))
            .and(path("/api/items"))
            .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("X-Next-Page", "2")
                    .set_body_json(json!({"items": [1, 2]})),
            ),
    );
    let r = client(0).get_json(&s.url("/api/items"), &[]).unwrap();
    assert_eq!(r.body["items"], json!([1, 2]));
    assert_eq!(r.header("x-next-page"), Some("2"));
}

#[test]
fn too_many_requests_is_waited_out_then_succeeds() {
    let s = Server::start();
    s.mount(
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
            .up_to_n_times(2),
    );
    s.mount(
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": true}))),
    );
    let r = client(3).get_json(&s.url("/x"), &[]).unwrap();
    assert_eq!(r.body["ok"], json!(true));
    assert_eq!(s.requests(), 3);
}

#[test]
fn a_retry_after_beyond_the_limit_is_an_error() {
    let s = Server::start();
    s.mount(
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "3600")),
    );
    let e = client(3).get_json(&s.url("/x"), &[]).unwrap_err();
    assert!(
        matches!(e, HttpError::RetryAfterTooLong { seconds: 3600, .. }),
        "{e}"
    );
    assert_eq!(s.requests(), 1);
}

#[test]
fn server_errors_are_retried_then_succeed() {
    let s = Server::start();
    s.mount(
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(502))
            .up_to_n_times(2),
    );
    s.mount(
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([]))),
    );
    let r = client(2)
        .post_json(&s.url("/search"), &json!({"q": 1}))
        .unwrap();
    assert_eq!(r.body, json!([]));
}

#[test]
fn server_errors_until_the_bound_give_up_with_the_count() {
    let s = Server::start();
    s.mount(Mock::given(method("GET")).respond_with(ResponseTemplate::new(503)));
    let e = client(2).get_json(&s.url("/x"), &[]).unwrap_err();
    match &e {
        HttpError::GaveUp { attempts, last, .. } => {
            assert_eq!(*attempts, 3);
            assert_eq!(last, "HTTP 503");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s.requests(), 3);
    assert!(e.remedy().contains("re-run the gate later"));
}

#[test]
fn a_slow_server_times_out_and_is_retried_to_the_bound() {
    let s = Server::start();
    s.mount(
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3))),
    );
    let e = client(1).get_json(&s.url("/slow"), &[]).unwrap_err();
    match e {
        HttpError::GaveUp { attempts, last, .. } => {
            assert_eq!(attempts, 2);
            assert!(last.starts_with("timed out after"), "{last}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn unauthorized_names_the_variable_and_never_the_token() {
    let s = Server::start();
    s.mount(
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(401).set_body_string(format!("bad token {TOKEN}"))),
    );
    let e = client(3).get_json(&s.url("/x"), &[]).unwrap_err();
    let text = format!("{e} {} {e:?}", e.remedy());
    assert!(
        text.contains("the token in `TRACKER_TOKEN` was rejected"),
        "{text}"
    );
    assert!(!text.contains(TOKEN), "{text}");
    assert_eq!(s.requests(), 1, "a 401 is not retried");
}

#[test]
fn forbidden_and_not_found_say_what_to_check() {
    let s = Server::start();
    s.mount(Mock::given(path("/secret")).respond_with(
        ResponseTemplate::new(403).set_body_json(json!({"message": "no access", "echo": TOKEN})),
    ));
    s.mount(Mock::given(path("/gone")).respond_with(ResponseTemplate::new(404)));
    let e = client(0).get_json(&s.url("/secret"), &[]).unwrap_err();
    assert!(matches!(e, HttpError::Forbidden { .. }));
    let text = format!("{e} {e:?} {}", e.remedy());
    assert!(text.contains("permission"), "{text}");
    assert!(!text.contains(TOKEN), "an echoed token is scrubbed: {text}");
    let e = client(0).get_json(&s.url("/gone"), &[]).unwrap_err();
    assert!(matches!(e, HttpError::NotFound { .. }));
    assert!(e.remedy().contains("permissions"));
}

/// A tracker's answer that gives `status` twice: read with serde_json alone it would say
/// `closed`, and an open defect would not count.
#[test]
fn an_answer_with_a_key_given_twice_is_refused_not_read_as_its_last_value() {
    let s = Server::start();
    s.mount(
        Mock::given(path("/issues")).respond_with(ResponseTemplate::new(200).set_body_raw(
            "[{\"number\": 7,\n  \"state\": \"open\", \"state\": \"closed\"}]",
            "application/json",
        )),
    );
    // Credentials in the URL are never shown.
    let url = s
        .url("/issues")
        .replace("http://", "http://user:pw-never-shown@");
    let e = client(3).get_json(&url, &[]).unwrap_err();
    assert_eq!(
        s.requests(),
        1,
        "not retried: the same answer would come again"
    );
    match &e {
        HttpError::DuplicateKey { url, source } => {
            assert!(!url.contains("pw-never-shown"), "{url}");
            assert!(source.is_duplicate_key());
            let at = source.position().unwrap();
            assert_eq!((at.line, at.column), (2, 26));
        }
        other => panic!("{other:?}"),
    }
    let text = format!("{e} {}", e.remedy());
    assert!(
        text.contains("the key `state` appears twice in `[0]` (line 2, column 26)"),
        "{text}"
    );
    assert!(text.contains("/issues"), "{text}");
    assert!(!text.contains("pw-never-shown"), "{text}");
}

#[test]
fn an_html_page_or_broken_json_is_an_error_not_an_empty_answer() {
    let s = Server::start();
    s.mount(
        Mock::given(path("/sso")).respond_with(ResponseTemplate::new(200).set_body_raw(
            "<!DOCTYPE html><html><body>Sign in</body></html>",
            "text/html",
        )),
    );
    s.mount(Mock::given(path("/cut")).respond_with(
        ResponseTemplate::new(200).set_body_raw("{\"issues\": [", "application/json"),
    ));
    s.mount(Mock::given(path("/empty")).respond_with(ResponseTemplate::new(200)));
    let e = client(0).get_json(&s.url("/sso"), &[]).unwrap_err();
    assert!(
        matches!(e, HttpError::MalformedJson { html: true, .. }),
        "{e:?}"
    );
    assert!(e.remedy().contains("single sign-on"));
    let e = client(0).get_json(&s.url("/cut"), &[]).unwrap_err();
    assert!(e.to_string().contains("line 1, column"), "{e}");
    let e = client(0).get_json(&s.url("/empty"), &[]).unwrap_err();
    assert!(e.to_string().contains("the answer is empty"), "{e}");
}

#[test]
fn a_closed_port_gives_up_after_the_retries() {
    // Bind then drop a listener: nothing answers on that port.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let e = client(1)
        .get_json(&format!("http://127.0.0.1:{port}/x"), &[])
        .unwrap_err();
    match e {
        HttpError::GaveUp {
            attempts: 2, last, ..
        } => {
            assert!(last.starts_with("could not connect"), "{last}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_redirect_to_another_host_is_not_followed_with_the_token() {
    let elsewhere = Server::start();
    elsewhere.mount(
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({}))),
    );
    let s = Server::start();
    s.mount(Mock::given(path("/moved")).respond_with(
        ResponseTemplate::new(302).insert_header("Location", elsewhere.url("/x").as_str()),
    ));
    s.mount(
        Mock::given(path("/here"))
            .respond_with(ResponseTemplate::new(301).insert_header("Location", "/there")),
    );
    s.mount(
        Mock::given(path("/there"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": 1}))),
    );
    let e = client(0).get_json(&s.url("/moved"), &[]).unwrap_err();
    assert!(matches!(e, HttpError::Status { status: 302, .. }), "{e:?}");
    assert!(e.remedy().contains("final address"));
    assert_eq!(
        elsewhere.requests(),
        0,
        "the other host never saw the token"
    );
    let r = client(0).get_json(&s.url("/here"), &[]).unwrap();
    assert_eq!(r.body["ok"], 1, "a redirect on the same host is followed");
}

/// A basic-auth client for `user` with [`TOKEN`].
fn basic_client() -> Client {
    Client::new(
        ClientOptions {
            retries: 0,
            ..ClientOptions::default()
        },
        Auth::Basic {
            user: "qa@acme.example".into(),
            user_env: "TRACKER_USER".into(),
            token: Credential {
                env: "TRACKER_TOKEN".into(),
                secret: Secret::new(TOKEN),
            },
        },
    )
    .unwrap()
}

/// The base64 forms a test can plant: taken from the header reqwest really sent, so the
/// redactor is checked against what goes over the wire, not against its own encoder.
fn sent_basic(s: &Server) -> String {
    let requests = s.rt.block_on(s.server.received_requests()).unwrap();
    let value = requests[0].headers.get("authorization").unwrap();
    value
        .to_str()
        .unwrap()
        .strip_prefix("Basic ")
        .unwrap()
        .to_owned()
}

/// Every form of the secret an error page can echo, none of which may reach the message.
#[test]
fn an_error_page_echoing_the_secret_in_any_form_shows_none_of_it() {
    let s = Server::start();
    s.mount(Mock::given(path("/probe")).respond_with(ResponseTemplate::new(204)));
    let _ = basic_client().get_json(&s.url("/probe"), &[]);
    let basic = sent_basic(&s);
    let unpadded = basic.trim_end_matches('=').to_owned();
    let url_safe = unpadded.replace('+', "-").replace('/', "_");
    let encoded: String = TOKEN
        .bytes()
        .map(|b| format!("%{b:02X}"))
        .collect::<String>();
    // Each echo straddles the 200-character cut of the message, and each in another form.
    let echoes = [
        TOKEN.to_owned(),
        format!("Basic {basic}"),
        unpadded.clone(),
        url_safe,
        encoded,
        TOKEN.replace('-', "%2d"),
        format!("{{\"auth\":\"{}\"}}", basic.replace('/', "\\/")),
    ];
    for (i, echo) in echoes.iter().enumerate() {
        let route = format!("/e{i}");
        let page = format!("{}{echo} and more text after it", "x".repeat(180));
        for status in [400, 403, 500] {
            s.mount(
                Mock::given(path(format!("{route}/{status}")))
                    .respond_with(ResponseTemplate::new(status).set_body_string(page.clone())),
            );
            let e = basic_client()
                .get_json(&s.url(&format!("{route}/{status}")), &[])
                .unwrap_err();
            let text = format!("{e} {e:?} {}", e.remedy());
            for part in [
                TOKEN,
                "tok-7f3a",
                "7f3a9c2e",
                &unpadded[..12],
                &unpadded[unpadded.len() - 12..],
            ] {
                assert!(
                    !text.contains(part),
                    "{echo} ({status}) shows {part}: {text}"
                );
            }
        }
    }
}

#[test]
fn a_successful_answer_that_carries_the_secret_is_refused() {
    let s = Server::start();
    s.mount(
        Mock::given(path("/issues")).respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"issues": [{"title": format!("leaked {TOKEN}")}]})),
        ),
    );
    s.mount(
        Mock::given(path("/linked")).respond_with(
            ResponseTemplate::new(200)
                .insert_header(
                    "Link",
                    format!("<https://x/y?token={TOKEN}>; rel=\"next\"").as_str(),
                )
                .set_body_json(json!([])),
        ),
    );
    for route in ["/issues", "/linked"] {
        let e = client(0).get_json(&s.url(route), &[]).unwrap_err();
        assert!(matches!(e, HttpError::SecretInAnswer { .. }), "{e:?}");
        let text = format!("{e} {e:?} {}", e.remedy());
        assert!(!text.contains(TOKEN), "{text}");
        assert!(text.contains("`TRACKER_TOKEN`"), "{text}");
        assert!(text.contains("revoke"), "{text}");
    }
}
