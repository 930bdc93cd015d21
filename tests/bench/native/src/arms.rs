//! The arms: each operation done by hand with reqwest + serde_json (the floor, arm 0) and by the crate.

use std::hint::black_box;

/// The arms of `list_users`, in their index order.
pub const LIST: &[&str] = &["floor", "getgist"];
/// The arms of `parse_webhook`, in their index order.
pub const WEBHOOK: &[&str] = &["floor", "getgist"];

/// Arms whose calls are futures, run by index.
pub trait AsyncArms {
    /// Makes one call with arm `arm`.
    async fn run(&mut self, arm: usize);
}

/// `list_users` of 60 contacts against the mock at `base`.
pub struct List {
    gist: getgist::Client,
    http: reqwest::Client,
    page_url: String,
    key: String,
}

impl List {
    pub fn new(base: &str, key: &str) -> Result<List, Box<dyn std::error::Error>> {
        Ok(List {
            gist: getgist::Client::builder(key).base_url(base).build()?,
            http: reqwest::Client::builder().build()?,
            page_url: format!("{base}/contacts?page=1&per_page=60"),
            key: key.to_owned(),
        })
    }

    /// The crate: `list_users` with a limit of 60.
    async fn gist(&self) -> Result<Vec<getgist::Contact>, getgist::Error> {
        self.gist.list_users(getgist::ListContacts::default().limit(60u32)).await
    }

    /// The floor: GET the first page of 60 and parse it into JSON values.
    async fn floor(&self) -> Result<Vec<serde_json::Value>, Box<dyn std::error::Error>> {
        let answer = self
            .http
            .get(&self.page_url)
            .bearer_auth(&self.key)
            .header("accept", "application/json")
            .send()
            .await?
            .error_for_status()?;
        let mut page: serde_json::Value = serde_json::from_slice(&answer.bytes().await?)?;
        match page.get_mut("contacts").map(serde_json::Value::take) {
            Some(serde_json::Value::Array(contacts)) => Ok(contacts),
            _ => Err("no contacts in the page".into()),
        }
    }

    /// Fails unless every arm lists the same 60 contacts.
    pub async fn check(&mut self) -> Result<(), Box<dyn std::error::Error>> {
        let floor = self.floor().await?;
        let gist = self.gist().await?;
        let ids = |values: &[serde_json::Value]| values.iter().map(|c| c["id"].as_u64()).collect::<Vec<_>>();
        let gist_ids: Vec<Option<u64>> = gist.iter().map(|c| Some(c.id)).collect();
        if floor.len() != 60 || ids(&floor) != gist_ids {
            return Err(format!("the arms listed {} and {} contacts, or not the same", floor.len(), gist.len()).into());
        }
        Ok(())
    }
}

impl AsyncArms for List {
    async fn run(&mut self, arm: usize) {
        let listed = match arm {
            0 => self.floor().await.map(|contacts| contacts.len()),
            _ => self.gist().await.map(|contacts| contacts.len()).map_err(Into::into),
        };
        black_box(listed.ok());
    }
}

/// Fails unless every arm reads the webhook as a contact event.
pub fn check_webhook(body: &str) -> Result<(), Box<dyn std::error::Error>> {
    let value: serde_json::Value = serde_json::from_str(body)?;
    let event = getgist::parse_webhook(body, &[])?;
    if value["contact"]["id"] != 1007 || event.contact.map(|c| c.id) != Some(1007) {
        return Err("the arms do not read contact 1007 from the webhook".into());
    }
    Ok(())
}

/// Parses the webhook `body` with arm `arm`.
pub fn parse_webhook(arm: usize, body: &str) {
    match arm {
        0 => drop(black_box(serde_json::from_str::<serde_json::Value>(black_box(body)).ok())),
        _ => drop(black_box(getgist::parse_webhook(black_box(body), &[]).ok())),
    }
}
