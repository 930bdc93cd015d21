//! `./build.sh bench`'s native rows: the getgist crate's `list_users` (60 users, real HTTP on loopback
//! to the package's mock and to a server answering a fixed page) and `parse_webhook` (the JS bench's
//! 1 KB delivery), each beside its floor, reqwest + serde_json doing the same by hand. In each round the arms alternate in blocks after a
//! warm-up, and each arm's median per call is taken; the table gives the median over the rounds and
//! their range, and writes the same numbers as JSON to the path given by `--json`.
//!
//! Run: `cargo run --release -p gist-native-bench -- [--rounds 5] [--json target/bench/native.json]`
//! from `examples/` (Node must be on the PATH: the mock runs in it).

use std::process::Command;
use std::time::Instant;

use gist_examples_support::{repo_root, MockGist, MOCK_KEY};

mod arms;
mod fixed;

use fixed::FixedServer;

/// Calls per arm in a round, and how many run before the arms switch.
const MOCK_LIST_CALLS: usize = 1000;
const FIXED_LIST_CALLS: usize = 3000;
const LIST_BLOCK: usize = 50;
const WEBHOOK_CALLS: usize = 20_000;
const WEBHOOK_BLOCK: usize = 500;

/// One operation's numbers: per round, each arm's median µs per call.
struct Row {
    title: &'static str,
    arms: &'static [&'static str],
    rounds: Vec<Vec<f64>>,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rounds: usize = flag("--rounds").map_or(Ok(5), |n| n.parse())?;
    let mock = MockGist::start()?;
    let fixed = FixedServer::start(fixture("listText")?)?;
    let mut webhook = arms::Webhook::new(fixture("webhookText")?)?;
    let mut mock_list = arms::List::new(&mock.url, MOCK_KEY)?;
    mock_list
        .check(async || {
            let requests = mock.requests().await.unwrap_or_default();
            let _ = mock.reset().await;
            requests
                .iter()
                .map(|r| {
                    ["method", "path", "query"]
                        .map(|k| r[k].as_str().unwrap_or("").to_owned())
                        .concat()
                })
                .collect()
        })
        .await?;
    let mut fixed_list = arms::List::new(&fixed.url, MOCK_KEY)?;
    fixed_list.check(async || fixed.take_requests()).await?;

    let mut rows = [
        Row {
            title: "`list_users` 60 users, loopback HTTP to the mock (2 pages of 60 contacts)",
            arms: arms::LIST,
            rounds: vec![],
        },
        Row {
            title: "`list_users` 60 users, loopback HTTP to a fixed 31.6 KB page (1 request)",
            arms: arms::LIST,
            rounds: vec![],
        },
        Row {
            title: "`parse_webhook` 1 KB",
            arms: arms::WEBHOOK,
            rounds: vec![],
        },
    ];
    for round in 0..rounds {
        eprintln!("bench: native round {} of {rounds}", round + 1);
        let [mock_row, fixed_row, webhook_row] = &mut rows;
        mock_row
            .rounds
            .push(measure(&mut mock_list, round, MOCK_LIST_CALLS, LIST_BLOCK).await);
        fixed_row
            .rounds
            .push(measure(&mut fixed_list, round, FIXED_LIST_CALLS, LIST_BLOCK).await);
        webhook_row
            .rounds
            .push(measure(&mut webhook, round, WEBHOOK_CALLS, WEBHOOK_BLOCK).await);
    }
    println!("{}", table(&rows, webhook.len()));
    if let Some(path) = flag("--json") {
        std::fs::write(path, json(&rows).to_string())?;
    }
    Ok(())
}

/// The value after `name` on the command line.
fn flag(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|arg| arg == name)
        .and_then(|i| args.get(i + 1).cloned())
}

/// An export of the JS bench's fixtures (tests/bench/fixtures.mjs), byte for byte: `webhookText` (the
/// 936-byte delivery), `listText` (a page of 60 users, 31.6 KB).
fn fixture(name: &str) -> Result<String, Box<dyn std::error::Error>> {
    let fixtures = repo_root().join("tests/bench/fixtures.mjs");
    let script = format!(
        "import({:?}).then((m) => process.stdout.write(m.{name}))",
        format!("file://{}", fixtures.display())
    );
    let out = Command::new("node").args(["-e", &script]).output()?;
    if !out.status.success() || out.stdout.is_empty() {
        return Err(format!(
            "node could not print {name}: {}",
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(String::from_utf8(out.stdout)?)
}

/// Each arm's median µs per call over `calls` calls, the arms taking turns in blocks of `block`
/// after a block each of warm-up, the first arm rotating with `round`.
async fn measure<A: arms::AsyncArms>(
    arms: &mut A,
    round: usize,
    calls: usize,
    block: usize,
) -> Vec<f64> {
    let count = A::ARMS.len();
    let mut times = vec![Vec::with_capacity(calls); count];
    for arm in 0..count {
        for _ in 0..block {
            arms.run(arm).await;
        }
    }
    for turn in 0..calls / block {
        for k in 0..count {
            let arm = (k + turn + round) % count;
            for _ in 0..block {
                let start = Instant::now();
                arms.run(arm).await;
                times[arm].push(start.elapsed().as_secs_f64() * 1e6);
            }
        }
    }
    times.into_iter().map(median).collect()
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    match (values.get(mid.wrapping_sub(1)), values.get(mid)) {
        (Some(a), Some(b)) if values.len().is_multiple_of(2) => (a + b) / 2.0,
        (_, Some(b)) => *b,
        _ => f64::NAN,
    }
}

/// The median and the range of `values`.
fn spread(values: impl Iterator<Item = f64>) -> (f64, f64, f64) {
    let values: Vec<f64> = values.collect();
    let low = values.iter().copied().fold(f64::INFINITY, f64::min);
    let high = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (median(values), low, high)
}

fn micros(x: f64) -> String {
    if x < 100.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.0}")
    }
}

/// The Markdown table: each arm's µs per call and the crate's ratio to the floor, as the median over
/// the rounds (the range over the rounds in brackets; a ratio is taken within each round).
fn table(rows: &[Row], webhook_bytes: usize) -> String {
    let mut lines = vec![
        "| native, µs per call: median over rounds (range) | floor: reqwest + serde_json by hand | getgist | × floor |".to_owned(),
        "|---|---|---|---|".to_owned(),
    ];
    let cell =
        |(m, lo, hi): (f64, f64, f64)| format!("{} ({}–{})", micros(m), micros(lo), micros(hi));
    for row in rows {
        let arm = |i: usize| spread(row.rounds.iter().map(|round| round[i]));
        let (ratio, low, high) = spread(row.rounds.iter().map(|round| round[1] / round[0]));
        lines.push(format!(
            "| {} | {} | {} | {ratio:.2}× ({low:.2}–{high:.2}) |",
            row.title,
            cell(arm(0)),
            cell(arm(1))
        ));
    }
    lines.push(String::new());
    lines.push(format!(
        "{} rounds; per arm and round {MOCK_LIST_CALLS} and {FIXED_LIST_CALLS} list calls and {WEBHOOK_CALLS} parses of the \
         {webhook_bytes}-byte delivery. The floors: reqwest's GET of each page (the requests the crate sends) + \
         `serde_json::from_slice::<Value>`, users kept; `serde_json::from_str::<Value>` of the delivery. Both on one \
         current-thread tokio runtime, release builds.",
        rows.first().map_or(0, |row| row.rounds.len()),
    ));
    lines.join("\n")
}

fn json(rows: &[Row]) -> serde_json::Value {
    let rows: Vec<serde_json::Value> = rows
        .iter()
        .map(|row| serde_json::json!({ "title": row.title, "arms": row.arms, "roundsMicros": row.rounds }))
        .collect();
    serde_json::json!({ "rows": rows })
}
