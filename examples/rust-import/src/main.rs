//! Imports contacts into Gist from a CSV or JSON lines file ([`rows`] says which columns), with a
//! progress bar, upserting a few at a time. After each contact done it writes how far it got to a
//! cursor file ([`cursor`]); run again after a crash, or a stop, and it resumes after the last contact
//! done. A contact whose request was in flight at a crash is sent again on resume: an upsert twice is
//! the same contact, so the import is safe to repeat. A row Gist refuses (`invalid_argument`) is
//! reported by its number and skipped; any other error stops the import, to be resumed.
//!
//! Run: `GIST_API_KEY=... cargo run -p rust-import -- contacts.csv [--cursor FILE]
//! [--concurrency 4] [--limit N]` from `examples/` (`GIST_BASE_URL` points it at another API, such
//! as the mock). The cursor defaults to the input's name plus `.cursor`; `--limit` stops after N
//! contacts this run.

use std::error::Error;
use std::path::PathBuf;

use futures::{stream, StreamExt};
use getgist::{Client, ContactInput, ErrorCode};
use indicatif::{ProgressBar, ProgressStyle};

mod cursor;
mod rows;

/// The command line.
struct Args {
    input: PathBuf,
    cursor: PathBuf,
    concurrency: usize,
    limit: Option<usize>,
}

fn args() -> Result<Args, String> {
    let mut input = None;
    let (mut cursor, mut concurrency, mut limit) = (None, 4, None);
    let mut list = std::env::args().skip(1);
    while let Some(arg) = list.next() {
        let mut value = || list.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--cursor" => cursor = Some(PathBuf::from(value()?)),
            "--concurrency" => {
                concurrency = value()?
                    .parse()
                    .map_err(|_| "--concurrency needs a number")?
            }
            "--limit" => limit = Some(value()?.parse().map_err(|_| "--limit needs a number")?),
            _ if input.is_none() && !arg.starts_with("--") => input = Some(PathBuf::from(arg)),
            _ => return Err(format!("unknown argument {arg}")),
        }
    }
    let input =
        input.ok_or("usage: rust-import FILE [--cursor FILE] [--concurrency N] [--limit N]")?;
    let cursor = cursor.unwrap_or_else(|| PathBuf::from(format!("{}.cursor", input.display())));
    Ok(Args {
        input,
        cursor,
        concurrency: concurrency.max(1),
        limit,
    })
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let args = args()?;
    let mut gist =
        Client::builder(&std::env::var("GIST_API_KEY").map_err(|_| "GIST_API_KEY is not set")?);
    if let Ok(url) = std::env::var("GIST_BASE_URL") {
        gist = gist.base_url(url);
    }
    let gist = gist.build()?;
    let mut cursor = cursor::Cursor::open(&args.cursor, &args.input)?;
    let bar = ProgressBar::new(rows::count(&args.input)?).with_position(cursor.done);
    bar.set_style(ProgressStyle::with_template(
        "{bar:40} {pos}/{len} contacts, {per_sec}, {eta} left",
    )?);

    let start = cursor.done;
    let todo = rows::read(&args.input)?
        .skip(start as usize)
        .take(args.limit.unwrap_or(usize::MAX));
    // In order, a few at a time: each result comes back in its row's order, so the cursor only moves
    // past contacts that are done.
    let mut results = stream::iter(todo)
        .map(|row| upsert(&gist, row))
        .buffered(args.concurrency);
    let mut skipped = 0;
    while let Some(result) = results.next().await {
        let row = cursor.done + 1;
        match result {
            Ok(()) => {}
            Err(Skip(why)) => {
                skipped += 1;
                bar.suspend(|| eprintln!("row {row} skipped: {why}"));
            }
            Err(Stop(error)) => {
                bar.abandon();
                return Err(format!("stopped at row {row} ({error}); run again to resume").into());
            }
        }
        cursor.advance()?;
        bar.inc(1);
    }
    bar.finish();
    let done = cursor.done - start;
    println!(
        "{done} rows done this run ({skipped} skipped), {} in all; cursor {}",
        cursor.done,
        args.cursor.display()
    );
    Ok(())
}

/// Why a row was not imported.
enum Failure {
    /// Skip it and go on: the row is bad.
    Skip(String),
    /// Stop the import here: anything else (the API is down, the key is wrong, ...).
    Stop(getgist::Error),
}
use Failure::{Skip, Stop};

async fn upsert(gist: &Client, row: rows::Row) -> Result<(), Failure> {
    let (contact, is_user): (ContactInput, bool) = row.map_err(Skip)?;
    let sent = if is_user {
        gist.create_user(contact).await.map(drop)
    } else {
        gist.create_lead(contact).await.map(drop)
    };
    sent.map_err(|error| match error.code {
        // The core's message names the field, never its value: no email in the output.
        ErrorCode::InvalidArgument => Skip(error.message.clone()),
        _ => Stop(error),
    })
}
