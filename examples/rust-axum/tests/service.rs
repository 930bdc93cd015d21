//! The service for real: the mock Gist API and the service's binary as child processes on loopback
//! ports, spoken to over HTTP as a signup form and Gist would.

use std::time::{Duration, Instant};

use getgist::{sign_webhook, Encoding, Scheme, VerifyOptions};
use gist_examples_support::{MockGist, Served, MOCK_KEY};
use serde_json::{json, Value};

const SECRETS: &str = "old-secret,new-secret";

fn start_service(mock: &MockGist) -> Served {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_rust-axum"));
    command
        .args(["--addr", "127.0.0.1:0"])
        .env("GIST_API_KEY", MOCK_KEY)
        .env("GIST_BASE_URL", &mock.url)
        .env("GIST_WEBHOOK_SECRET", SECRETS);
    Served::start(command).expect("the service starts")
}

async fn post(
    url: &str,
    headers: &[(String, String)],
    body: impl Into<reqwest::Body>,
) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(body);
    for (name, value) in headers {
        request = request.header(name, value);
    }
    let answer = request.send().await.expect("the service answers");
    let status = answer.status().as_u16();
    let bytes = answer.bytes().await.expect("a body");
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// The contact the mock holds for `user_id`, read through its API.
async fn contact_in_gist(mock: &MockGist, user_id: &str) -> Value {
    let answer = reqwest::Client::new()
        .get(format!("{}/contacts?user_id={user_id}", mock.url))
        .bearer_auth(MOCK_KEY)
        .send()
        .await
        .expect("the mock answers");
    serde_json::from_slice::<Value>(&answer.bytes().await.expect("a body")).expect("JSON")
        ["contact"]
        .take()
}

/// The tracked events the mock was asked to record.
async fn events_posted(mock: &MockGist) -> Vec<Value> {
    let requests = mock.requests().await.expect("the mock's log");
    requests
        .into_iter()
        .filter(|r| r["method"] == "POST" && r["path"] == "/events")
        .map(|r| {
            serde_json::from_str(r["body"].as_str().unwrap_or("null"))
                .expect("an event body is JSON")
        })
        .collect()
}

#[tokio::test]
async fn signup_upserts_the_user_in_gist() {
    let mock = MockGist::start().expect("the mock starts");
    let service = start_service(&mock);
    let signup = format!("{}/signup", service.url);

    let form = json!({ "user_id": "7001", "email": "ada@example.com", "name": "Ada" });
    let (status, first) = post(&signup, &[], form.to_string()).await;
    assert_eq!(status, 200, "{first}");
    let contact = contact_in_gist(&mock, "7001").await;
    assert_eq!(contact["email"], "ada@example.com");
    assert_eq!(contact["name"], "Ada");
    assert_eq!(contact["type"], "user");
    assert_eq!(contact["id"], first["id"]);

    // The same user signing up again is an update of the same contact, not a second one.
    let again = json!({ "user_id": "7001", "email": "ada@example.com", "name": "Ada Lovelace" });
    let (status, second) = post(&signup, &[], again.to_string()).await;
    assert_eq!((status, &second["id"]), (200, &first["id"]));
    assert_eq!(contact_in_gist(&mock, "7001").await["name"], "Ada Lovelace");
    let upserts = mock
        .requests()
        .await
        .expect("the log")
        .iter()
        .filter(|r| r["method"] == "POST" && r["path"] == "/contacts")
        .count();
    assert_eq!(upserts, 2);

    // A form the core refuses never reaches Gist; one that is not a form is refused by axum.
    let (status, refused) = post(
        &signup,
        &[],
        json!({ "user_id": "not-a-number", "email": "ada@example.com" }).to_string(),
    )
    .await;
    assert_eq!(status, 400, "{refused}");
    assert!(
        !refused.to_string().contains("ada@example.com"),
        "no email in an error: {refused}"
    );
    let (status, _) = post(&signup, &[], "not json").await;
    assert_eq!(status, 400);
    let upserts = mock
        .requests()
        .await
        .expect("the log")
        .iter()
        .filter(|r| r["method"] == "POST" && r["path"] == "/contacts")
        .count();
    assert_eq!(upserts, 2, "no request for a refused form");
}

#[tokio::test]
async fn webhooks_are_verified_and_recorded_back_in_gist() {
    let mock = MockGist::start().expect("the mock starts");
    let service = start_service(&mock);
    let route = format!("{}/webhooks/gist", service.url);
    let delivery = json!({
        "topic": "user.created",
        "contact": { "id": 1001, "type": "user", "user_id": "5001", "email": "ada@example.com" },
    })
    .to_string();
    let signed_with = |secret: &str| {
        let options =
            VerifyOptions::new(vec![secret.to_owned()], Scheme::Token, None, Encoding::Hex)
                .expect("options");
        sign_webhook(delivery.as_bytes(), &options)
    };

    // Forged: no token, a wrong one, a token in another header. Nothing is recorded for them.
    let wrong_header = vec![("x-gist-signature".to_owned(), "new-secret".to_owned())];
    for headers in [vec![], signed_with("guessed"), wrong_header] {
        let (status, answer) = post(&route, &headers, delivery.clone()).await;
        assert_eq!(status, 401, "{headers:?}: {answer}");
    }
    // Verified but not a delivery: 400.
    let (status, _) = post(&route, &signed_with("new-secret"), "[1, 2]").await;
    assert_eq!(status, 400);
    // Over 1 MiB: refused unread.
    let (status, _) = post(
        &route,
        &signed_with("new-secret"),
        vec![b' '; (1 << 20) + 1],
    )
    .await;
    assert_eq!(status, 413);

    // Genuine, with the current secret and with the old one (rotation): answered 200, each recorded once.
    for secret in ["new-secret", "old-secret"] {
        let (status, answer) = post(&route, &signed_with(secret), delivery.clone()).await;
        assert_eq!(status, 200, "{secret}: {answer}");
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut events = events_posted(&mock).await;
    while events.len() < 2 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
        events = events_posted(&mock).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let events = events_posted(&mock).await;
    assert_eq!(
        events.len(),
        2,
        "one event per verified delivery, none for the others: {events:?}"
    );
    for event in events {
        assert_eq!(event["event_name"], "webhook-user-created", "{event}");
        // Contact 1001, named by its Gist id: its user_id goes with the event.
        assert_eq!(event["user_id"].as_str(), Some("5001"), "{event}");
    }
}

#[test]
fn without_a_webhook_secret_the_service_does_not_start() {
    for secret in [None, Some(""), Some("a,")] {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_rust-axum"));
        command
            .args(["--addr", "127.0.0.1:0"])
            .env("GIST_API_KEY", MOCK_KEY)
            .env_remove("GIST_WEBHOOK_SECRET");
        if let Some(secret) = secret {
            command.env("GIST_WEBHOOK_SECRET", secret);
        }
        let mut child = command
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("the service runs");
        let deadline = Instant::now() + Duration::from_secs(10);
        let status = loop {
            match child.try_wait().expect("its status") {
                Some(status) => break Some(status),
                None if Instant::now() > deadline => break None,
                None => std::thread::sleep(Duration::from_millis(20)),
            }
        };
        let _ = child.kill();
        let _ = child.wait();
        assert!(
            status.is_some_and(|status| !status.success()),
            "{secret:?}: it must fail, not serve"
        );
    }
}
