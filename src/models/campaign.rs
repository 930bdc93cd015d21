//! A Gist email campaign (docs/gist-api.md, "Segments and campaigns"); its rates come from Gist as
//! strings and stay strings.

model! {
    /// A campaign (docs/gist-api.md, "Segments and campaigns"); any other field Gist sends is kept as sent.
    pub struct Campaign as CAMPAIGN, "campaign" {
        /// Gist's id of the campaign.
        id: Id,
        /// Its name.
        name: Text,
        /// Its status, as Gist names it.
        status: Text,
        /// When it was created, Unix seconds.
        created_at: Timestamp,
        /// When it last changed, Unix seconds.
        updated_at: Timestamp,
        /// Active subscribers.
        active_subscriber_count: Whole,
        /// Unsubscribed subscribers.
        unsubscribed_subscriber_count: Whole,
        /// Emails in the campaign.
        email_count: Whole,
        /// Open rate, the string Gist sends (such as "42.5").
        email_open_rate: Text,
        /// Click rate, the string Gist sends.
        email_click_rate: Text,
    }
    as_sent {
        /// A link to the campaign, as Gist sent it.
        href: "string | null",
    }
}
