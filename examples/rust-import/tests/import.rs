//! The import for real: its binary against the mock Gist API on a loopback port, stopped and resumed,
//! killed and resumed; the mock's request log says what it received.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use gist_examples_support::{MockGist, MOCK_KEY};
use serde_json::{json, Value};

const CONTACTS: usize = 300;
const CONCURRENCY: usize = 4;

/// A fresh directory for one test's files.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

/// The i-th contact's email; every third one is a lead (no user_id).
fn email(i: usize) -> String {
    format!("import.{i}@example.com")
}

fn write_csv(dir: &Path) -> PathBuf {
    let mut text = String::from("user_id,email,name,plan\n");
    for i in 0..CONTACTS {
        let user_id = if i % 3 == 2 {
            String::new()
        } else {
            format!("{}", 90_000 + i)
        };
        text.push_str(&format!(
            "{user_id},{},Person {i},{}\n",
            email(i),
            if i % 2 == 0 { "pro" } else { "free" }
        ));
    }
    let path = dir.join("contacts.csv");
    std::fs::write(&path, text).expect("the CSV");
    path
}

fn import(mock: &MockGist, input: &Path, extra: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_rust-import"));
    command
        .arg(input)
        .args(["--concurrency", &CONCURRENCY.to_string()])
        .args(extra)
        .env("GIST_API_KEY", MOCK_KEY)
        .env("GIST_BASE_URL", &mock.url);
    command
}

fn run(mut command: Command) -> Output {
    let out = command.output().expect("the import runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn cursor_done(input: &Path) -> u64 {
    let text = std::fs::read_to_string(format!("{}.cursor", input.display())).unwrap_or_default();
    serde_json::from_str::<Value>(&text).map_or(0, |cursor| cursor["done"].as_u64().unwrap_or(0))
}

/// How many upserts the mock received for each email.
async fn upserts(mock: &MockGist) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for request in mock.requests().await.expect("the mock's log") {
        if request["method"] == "POST" && request["path"] == "/contacts" {
            let body: Value =
                serde_json::from_str(request["body"].as_str().unwrap_or("")).expect("a JSON body");
            *counts
                .entry(body["email"].as_str().unwrap_or("").to_owned())
                .or_insert(0) += 1;
        }
    }
    counts
}

/// The contact the mock holds for `email`, read through its API.
async fn contact_in_gist(mock: &MockGist, email: &str) -> Value {
    let answer = reqwest::Client::new()
        .get(format!("{}/contacts", mock.url))
        .query(&[("email", email)])
        .bearer_auth(MOCK_KEY)
        .send()
        .await
        .expect("the mock answers");
    serde_json::from_slice::<Value>(&answer.bytes().await.expect("a body")).expect("JSON")
        ["contact"]
        .take()
}

#[tokio::test]
async fn a_stopped_import_resumes_after_its_cursor_and_sends_each_contact_once() {
    let mock = MockGist::start().expect("the mock starts");
    let dir = scratch("stopped");
    let input = write_csv(&dir);

    run(import(&mock, &input, &["--limit", "120"]));
    assert_eq!(cursor_done(&input), 120);
    let first = upserts(&mock).await;
    assert_eq!(first.keys().cloned().collect::<Vec<_>>(), {
        let mut e: Vec<_> = (0..120).map(email).collect();
        e.sort();
        e
    });

    let out = run(import(&mock, &input, &[]));
    assert_eq!(cursor_done(&input), CONTACTS as u64);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("180 rows done this run"),
        "{out:?}"
    );
    let all = upserts(&mock).await;
    assert_eq!(all.len(), CONTACTS);
    assert!(all.values().all(|&n| n == 1), "each contact once: {all:?}");

    // What arrived is each row: a user with its user_id, a lead without, the other column a custom property.
    let user = contact_in_gist(&mock, &email(4)).await;
    assert_eq!(
        (&user["type"], &user["user_id"], &user["name"]),
        (&json!("user"), &json!("90004"), &json!("Person 4"))
    );
    assert_eq!(user["custom_properties"]["plan"], "pro");
    assert_eq!(contact_in_gist(&mock, &email(5)).await["type"], "lead");

    // A finished import run again sends nothing.
    let out = run(import(&mock, &input, &[]));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("0 rows done this run"),
        "{out:?}"
    );
    assert_eq!(upserts(&mock).await.values().sum::<usize>(), CONTACTS);
}

#[tokio::test]
async fn a_killed_import_resumes_after_its_cursor() {
    let mock = MockGist::start().expect("the mock starts");
    let dir = scratch("killed");
    let input = write_csv(&dir);
    // Slow answers, so that the kill lands mid-import.
    mock.fail(json!({ "method": "POST", "path": "/contacts", "delayMs": 15, "times": 10_000 }))
        .await
        .expect("a rule");

    let mut child = import(&mock, &input, &[])
        .spawn()
        .expect("the import starts");
    let deadline = Instant::now() + Duration::from_secs(30);
    while cursor_done(&input) < 100 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().expect("killed");
    child.wait().expect("reaped");
    let at_kill = cursor_done(&input) as usize;
    assert!(
        (100..CONTACTS).contains(&at_kill),
        "killed midway: {at_kill} done"
    );

    run(import(&mock, &input, &[]));
    assert_eq!(cursor_done(&input), CONTACTS as u64);
    let all = upserts(&mock).await;
    assert_eq!(all.len(), CONTACTS, "every contact arrived");
    // Before the cursor: sent once. After it: only what was in flight at the kill was sent again.
    assert!(
        (0..at_kill).all(|i| all[&email(i)] == 1),
        "nothing before the cursor sent again"
    );
    let again: usize = all.values().map(|n| n - 1).sum();
    assert!(
        again <= CONCURRENCY,
        "{again} contacts sent twice, at most {CONCURRENCY} were in flight"
    );
}

#[tokio::test]
async fn json_lines_import_with_a_bad_line_skipped_by_its_number() {
    let mock = MockGist::start().expect("the mock starts");
    let dir = scratch("jsonl");
    let input = dir.join("contacts.jsonl");
    let lines = [
        json!({ "user_id": 77, "email": "grace@example.com", "name": "Grace", "custom_properties_seats": 3 }).to_string(),
        "not json, and grace2@example.com".to_owned(),
        json!({ "email": "lead@example.com" }).to_string(),
    ];
    std::fs::write(&input, lines.join("\n\n") + "\n").expect("the file");

    let out = run(import(&mock, &input, &[]));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("3 rows done this run (1 skipped)"),
        "{stdout}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("row 2 skipped: line 3 is not a JSON object"),
        "{stderr}"
    );
    assert!(
        !format!("{stdout}{stderr}").contains("grace2@"),
        "no data of a bad row in the output"
    );
    let grace = contact_in_gist(&mock, "grace@example.com").await;
    assert_eq!(
        (
            &grace["user_id"],
            &grace["custom_properties"]["custom_properties_seats"]
        ),
        (&json!("77"), &json!(3))
    );
    assert_eq!(upserts(&mock).await.len(), 2);
}

#[tokio::test]
async fn an_import_stopped_by_an_api_failure_resumes_after_its_cursor() {
    let mock = MockGist::start().expect("the mock starts");
    let dir = scratch("api-down");
    let input = write_csv(&dir);
    // Contact 50's upsert answers 503 to its first try and both retries (the default 2): the import
    // stops there, as it would if Gist were down.
    let rule = json!({ "path": "/contacts", "bodyIncludes": email(50), "status": 503, "times": 3 });
    mock.fail(rule).await.expect("a rule");

    let out = import(&mock, &input, &[])
        .output()
        .expect("the import runs");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("stopped at row 51") && stderr.contains("run again to resume"),
        "{stderr}"
    );
    assert!(
        !stderr.contains(MOCK_KEY) && !stderr.contains("@example.com"),
        "no key or email: {stderr}"
    );
    assert_eq!(cursor_done(&input), 50);

    run(import(&mock, &input, &[]));
    let all = upserts(&mock).await;
    assert_eq!(all.len(), CONTACTS, "every contact arrived");
    assert!(
        (0..50).all(|i| all[&email(i)] == 1),
        "nothing before the cursor sent again"
    );
    assert_eq!(
        all[&email(50)],
        4,
        "the failed contact: 3 refused tries, then once on resume"
    );
}
