//! A Gist email campaign (docs/gist-api.md, "Segments and campaigns"); its rates come from Gist as
//! strings and stay strings.

use super::record::{Out, Raw};
use crate::error::Error;
use crate::json::{Map, Value};

/// A campaign.
#[derive(Debug, Clone, PartialEq)]
pub struct Campaign {
    /// Gist's id of the campaign.
    pub id: u64,
    /// Its name.
    pub name: Option<String>,
    /// Its status, as Gist names it.
    pub status: Option<String>,
    /// When it was created, Unix seconds.
    pub created_at: Option<i64>,
    /// When it last changed, Unix seconds.
    pub updated_at: Option<i64>,
    /// Active subscribers.
    pub active_subscriber_count: Option<u64>,
    /// Unsubscribed subscribers.
    pub unsubscribed_subscriber_count: Option<u64>,
    /// Emails in the campaign.
    pub email_count: Option<u64>,
    /// Open rate, as the string Gist sends (such as "42.5").
    pub email_open_rate: Option<String>,
    /// Click rate, as the string Gist sends.
    pub email_click_rate: Option<String>,
    /// Every other field, as Gist sent it.
    pub other: Map<String, Value>,
}

impl Campaign {
    /// Reads a campaign object from Gist.
    pub fn from_value(value: Value) -> Result<Self, Error> {
        let mut raw = Raw::new(value, "campaign")?;
        Ok(Self {
            id: raw.id("campaign")?,
            name: raw.string("name"),
            status: raw.string("status"),
            created_at: raw.timestamp("created_at"),
            updated_at: raw.timestamp("updated_at"),
            active_subscriber_count: raw.whole("active_subscriber_count"),
            unsubscribed_subscriber_count: raw.whole("unsubscribed_subscriber_count"),
            email_count: raw.whole("email_count"),
            email_open_rate: raw.string("email_open_rate"),
            email_click_rate: raw.string("email_click_rate"),
            other: raw.rest(),
        })
    }

    /// The campaign as JSON.
    pub fn into_value(self) -> Value {
        Out::new(self.other)
            .put("id", self.id)
            .opt("name", self.name)
            .opt("status", self.status)
            .opt("created_at", self.created_at)
            .opt("updated_at", self.updated_at)
            .opt("active_subscriber_count", self.active_subscriber_count)
            .opt(
                "unsubscribed_subscriber_count",
                self.unsubscribed_subscriber_count,
            )
            .opt("email_count", self.email_count)
            .opt("email_open_rate", self.email_open_rate)
            .opt("email_click_rate", self.email_click_rate)
            .done()
    }

    /// [`Self::into_value`] of a copy.
    pub fn to_value(&self) -> Value {
        self.clone().into_value()
    }
}
