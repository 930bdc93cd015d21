//! The input file's contacts: a CSV file with a header row, or JSON lines (one object a line). The
//! columns or keys `user_id`, `email`, `name` and `phone` are the contact's; any other is a custom
//! property. A row with a `user_id` is a user, one without a lead.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use getgist::ContactInput;
use serde_json::{Map, Value};

/// One contact read from the file, or why its row could not be read (its number, never its data).
/// The contact comes with whether it is a user.
pub type Row = Result<(ContactInput, bool), String>;

/// The rows of `path` in order, read lazily: CSV unless the name ends in `.jsonl` or `.ndjson`.
pub fn read(path: &Path) -> std::io::Result<Box<dyn Iterator<Item = Row>>> {
    let file = File::open(path)?;
    let json_lines = matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("jsonl" | "ndjson")
    );
    if json_lines {
        // Numbered as in the file, blank lines skipped.
        let lines = BufReader::new(file)
            .lines()
            .enumerate()
            .filter(|(_, line)| line.as_ref().map_or(true, |l| !l.trim().is_empty()));
        Ok(Box::new(lines.map(|(i, line)| {
            let object = line
                .ok()
                .and_then(|line| serde_json::from_str::<Map<String, Value>>(&line).ok());
            object
                .map(contact)
                .ok_or_else(|| format!("line {} is not a JSON object", i + 1))
        })))
    } else {
        let mut reader = csv::Reader::from_reader(file);
        let header = reader.headers()?.clone();
        Ok(Box::new(reader.into_records().enumerate().map(
            move |(i, record)| {
                let record = record.map_err(|_| format!("CSV row {} cannot be read", i + 1))?;
                let fields = header
                    .iter()
                    .zip(record.iter())
                    .filter(|(_, value)| !value.is_empty());
                Ok(contact(
                    fields
                        .map(|(key, value)| (key.to_owned(), Value::from(value)))
                        .collect(),
                ))
            },
        )))
    }
}

/// The number of rows in `path`, for the progress bar (a first pass over the file).
pub fn count(path: &Path) -> std::io::Result<u64> {
    Ok(read(path)?.count() as u64)
}

fn contact(mut fields: Map<String, Value>) -> (ContactInput, bool) {
    let mut text = |key: &str| match fields.remove(key) {
        Some(Value::String(s)) => Some(s),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let (user_id, email, name, phone) =
        (text("user_id"), text("email"), text("name"), text("phone"));
    let is_user = user_id.is_some();
    let mut contact = match user_id {
        Some(id) => ContactInput::user(id),
        None => ContactInput::lead(),
    };
    if let Some(email) = email {
        contact = contact.email(email);
    }
    if let Some(name) = name {
        contact = contact.name(name);
    }
    if let Some(phone) = phone {
        contact = contact.phone(phone);
    }
    for (key, value) in fields {
        // The crate's own JSON value, through serde (its `serde` feature).
        if let Ok(value) = serde_json::from_value::<getgist::Value>(value) {
            contact = contact.custom(key, value);
        }
    }
    (contact, is_user)
}
