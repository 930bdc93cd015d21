//! The arms: each operation done by hand with reqwest + serde_json (the floor, arm 0) and by the crate.

use std::hint::black_box;

/// The arms of `list_users`, in their index order.
pub const LIST: &[&str] = &["floor", "getgist"];
/// The arms of `parse_webhook`, in their index order.
pub const WEBHOOK: &[&str] = &["floor", "getgist"];

/// Arms whose calls are futures, run by index.
pub trait AsyncArms {
    /// The arms' names, in their index order.
    const ARMS: &'static [&'static str];
    /// Makes one call with arm `arm`.
    async fn run(&mut self, arm: usize);
}

/// `list_users` of 60 users from the server at `base`: each arm reads pages of 60 (`per_page=60`)
/// until it holds 60 users (the mock's pages mix users and leads), with the same requests.
pub struct List {
    gist: getgist::Client,
    http: reqwest::Client,
    base: String,
    key: String,
}

/// The users a list call gathers.
const USERS: usize = 60;

impl List {
    pub fn new(base: &str, key: &str) -> Result<List, Box<dyn std::error::Error>> {
        Ok(List {
            gist: getgist::Client::builder(key)
                .base_url(base)
                .per_page(60)
                .build()?,
            http: reqwest::Client::builder().build()?,
            base: base.to_owned(),
            key: key.to_owned(),
        })
    }

    /// The crate: `list_users` with a limit of 60.
    async fn gist(&self) -> Result<Vec<getgist::Contact>, getgist::Error> {
        self.gist
            .list_users(getgist::ListContacts::default().limit(USERS as u32))
            .await
    }

    /// The floor: GET pages of 60, parse each into JSON values, keep the users, until 60 (or no next page).
    async fn floor(&self) -> Result<Vec<serde_json::Value>, Box<dyn std::error::Error>> {
        let mut users = Vec::with_capacity(USERS);
        for page in 1.. {
            let answer = self
                .http
                .get(format!(
                    "{}/contacts?order=desc&page={page}&per_page=60",
                    self.base
                ))
                .bearer_auth(&self.key)
                .header("accept", "application/json")
                .send()
                .await?
                .error_for_status()?;
            let mut body: serde_json::Value = serde_json::from_slice(&answer.bytes().await?)?;
            let Some(serde_json::Value::Array(contacts)) =
                body.get_mut("contacts").map(serde_json::Value::take)
            else {
                return Err("no contacts in the page".into());
            };
            users.extend(contacts.into_iter().filter(|c| c["type"] == "user"));
            if users.len() >= USERS || body["pages"]["next"].is_null() {
                break;
            }
        }
        users.truncate(USERS);
        Ok(users)
    }

    /// Fails unless both arms send the same requests (`sent()` takes those received since its last
    /// call) and list the same 60 users.
    pub async fn check(
        &mut self,
        mut sent: impl AsyncFnMut() -> Vec<String>,
    ) -> Result<(), Box<dyn std::error::Error>> {
        sent().await;
        let floor = self.floor().await?;
        let floor_sent = sent().await;
        let gist = self.gist().await?;
        let gist_sent = sent().await;
        let floor_ids: Vec<Option<u64>> = floor.iter().map(|c| c["id"].as_u64()).collect();
        let gist_ids: Vec<Option<u64>> = gist.iter().map(|c| Some(c.id)).collect();
        if floor.len() != USERS || floor_ids != gist_ids || floor_sent != gist_sent {
            return Err(format!(
                "the arms differ: {floor_sent:?} and {gist_sent:?}, {} and {} users",
                floor.len(),
                gist.len()
            )
            .into());
        }
        eprintln!("bench: list_users(60) sends {floor_sent:?}");
        Ok(())
    }
}

impl AsyncArms for List {
    const ARMS: &'static [&'static str] = LIST;

    async fn run(&mut self, arm: usize) {
        let listed = match arm {
            0 => self.floor().await.map(|contacts| contacts.len()),
            _ => self
                .gist()
                .await
                .map(|contacts| contacts.len())
                .map_err(Into::into),
        };
        black_box(listed.ok());
    }
}

/// `parse_webhook` of one delivery.
pub struct Webhook {
    body: String,
}

impl Webhook {
    /// Fails unless both arms read the delivery as contact 1007's.
    pub fn new(body: String) -> Result<Webhook, Box<dyn std::error::Error>> {
        let value: serde_json::Value = serde_json::from_str(&body)?;
        let event = getgist::parse_webhook(&body, &[])?;
        if value["contact"]["id"] != 1007 || event.contact.map(|c| c.id) != Some(1007) {
            return Err("the arms do not read contact 1007 from the webhook".into());
        }
        Ok(Webhook { body })
    }

    /// The delivery's size in bytes.
    pub fn len(&self) -> usize {
        self.body.len()
    }
}

impl AsyncArms for Webhook {
    const ARMS: &'static [&'static str] = WEBHOOK;

    async fn run(&mut self, arm: usize) {
        let body = black_box(self.body.as_str());
        match arm {
            0 => drop(black_box(
                serde_json::from_str::<serde_json::Value>(body).ok(),
            )),
            _ => drop(black_box(getgist::parse_webhook(body, &[]).ok())),
        }
    }
}
