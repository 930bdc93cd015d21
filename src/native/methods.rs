//! The client's methods: each names the core's endpoint (the JS method's name) and hands it the JS
//! method's arguments, so that JS and Rust run the very same checks and flows.

use super::client::Client;
use super::input::{
    ApiRequest, ContactInput, ContactRef, ListContacts, ListOptions, ListSegments, NewEvent,
    TagRequest,
};
use super::output::{ApiResponse, FromCall, TagResult};
use super::pending::Pending;
use super::walk::Walk;
use crate::json::{Map, Value};
use crate::models::{Campaign, Contact, Segment, Tag, TrackedEvent};

impl Client {
    fn call<T: FromCall + Send + 'static>(
        &self,
        method: &'static str,
        args: Vec<Value>,
    ) -> Pending<T> {
        Pending::new(self, method, Ok(args), T::from_call)
    }

    /// The core's `list` call of `list`, shown as the JS method `method` (`listUsers`).
    fn list<T: FromCall + Send + 'static>(
        &self,
        method: &'static str,
        list: &'static str,
        options: Value,
    ) -> Pending<Vec<T>> {
        self.call("list", vec![list.into(), options])
            .shown_as(method)
    }

    /// Creates a user (`POST /contacts`): `user.user_id` is required, a whole number.
    pub fn create_user(&self, user: ContactInput) -> Pending<Contact> {
        self.call("createUser", vec![user.into_value()])
    }

    /// Changes a user; never creates one (`not_found` when `user` matches nobody, or a lead).
    pub fn update_user(&self, user: ContactRef, changes: ContactInput) -> Pending<Contact> {
        self.call("updateUser", vec![user.to_value(), changes.into_value()])
    }

    /// Fetches a user by id, `user_id` or email (`not_found` for a lead).
    pub fn fetch_user(&self, user: ContactRef) -> Pending<Contact> {
        self.call("fetchUser", vec![user.to_value()])
    }

    /// Deletes a user (`not_found` for a lead).
    pub fn delete_user(&self, user: ContactRef) -> Pending<()> {
        self.call("deleteUser", vec![user.to_value()])
    }

    /// Lists users (never leads), up to `options.limit` (100 by default, at most 10 000).
    pub fn list_users(&self, options: ListContacts) -> Pending<Vec<Contact>> {
        self.list("listUsers", "users", options.to_value())
    }

    /// Walks the users one page at a time, as the stream is polled.
    pub fn users(&self, options: ListContacts) -> Walk<Contact> {
        Walk::new(self, "users", options.to_value())
    }

    /// Creates a lead (a contact without `user_id`).
    pub fn create_lead(&self, lead: ContactInput) -> Pending<Contact> {
        self.call("createLead", vec![lead.into_value()])
    }

    /// Changes a lead, by id or email; never creates one.
    pub fn update_lead(&self, lead: ContactRef, changes: ContactInput) -> Pending<Contact> {
        self.call("updateLead", vec![lead.to_value(), changes.into_value()])
    }

    /// Fetches a lead by id or email (`not_found` for a user).
    pub fn fetch_lead(&self, lead: ContactRef) -> Pending<Contact> {
        self.call("fetchLead", vec![lead.to_value()])
    }

    /// Deletes a lead.
    pub fn delete_lead(&self, lead: ContactRef) -> Pending<()> {
        self.call("deleteLead", vec![lead.to_value()])
    }

    /// Lists leads (never users).
    pub fn list_leads(&self, options: ListContacts) -> Pending<Vec<Contact>> {
        self.list("listLeads", "leads", options.to_value())
    }

    /// Walks the leads one page at a time.
    pub fn leads(&self, options: ListContacts) -> Walk<Contact> {
        Walk::new(self, "leads", options.to_value())
    }

    /// Creates a tag (names are case-sensitive: "VIP" and "vip" are two tags).
    pub fn create_tag(&self, name: &str) -> Pending<Tag> {
        self.call("createTag", vec![name.into()])
    }

    /// Renames a tag.
    pub fn update_tag(&self, id: u64, name: &str) -> Pending<Tag> {
        self.call("updateTag", vec![id.into(), name.into()])
    }

    /// Deletes a tag.
    pub fn delete_tag(&self, id: u64) -> Pending<()> {
        self.call("deleteTag", vec![id.into()])
    }

    /// Tags and untags users and leads, 50 per request; a target that fails is reported in
    /// [`TagResult::failed`] and the rest still goes through.
    pub fn tag_contacts(&self, request: TagRequest) -> Pending<TagResult> {
        self.call("tagContacts", vec![request.to_value()])
    }

    /// Lists tags.
    pub fn list_tags(&self, options: ListOptions) -> Pending<Vec<Tag>> {
        self.list("listTags", "tags", options.to_value())
    }

    /// Walks the tags one page at a time.
    pub fn tags(&self, options: ListOptions) -> Walk<Tag> {
        Walk::new(self, "tags", options.to_value())
    }

    /// Fetches a segment, with its contacts counted when `include_count`.
    pub fn fetch_segment(&self, id: u64, include_count: bool) -> Pending<Segment> {
        let mut options = Map::new();
        if include_count {
            options.set("include_count", true.into());
        }
        self.call("fetchSegment", vec![id.into(), Value::Object(options)])
    }

    /// Lists segments.
    pub fn list_segments(&self, options: ListSegments) -> Pending<Vec<Segment>> {
        self.list("listSegments", "segments", options.to_value())
    }

    /// Walks the segments one page at a time.
    pub fn segments(&self, options: ListSegments) -> Walk<Segment> {
        Walk::new(self, "segments", options.to_value())
    }

    /// Fetches a campaign.
    pub fn fetch_campaign(&self, id: u64) -> Pending<Campaign> {
        self.call("fetchCampaign", vec![id.into()])
    }

    /// Lists campaigns.
    pub fn list_campaigns(&self, options: ListOptions) -> Pending<Vec<Campaign>> {
        self.list("listCampaigns", "campaigns", options.to_value())
    }

    /// Walks the campaigns one page at a time.
    pub fn campaigns(&self, options: ListOptions) -> Walk<Campaign> {
        Walk::new(self, "campaigns", options.to_value())
    }

    /// Records a tracked event; its name is sent normalised (`completed.order` as `completed-order`),
    /// as Gist stores it. Never retried after a network failure (it could be recorded twice).
    pub fn record_event(&self, event: NewEvent) -> Pending<TrackedEvent> {
        self.call("recordEvent", vec![event.into_value()])
    }

    /// Lists tracked events of every type.
    pub fn list_events(&self, options: ListOptions) -> Pending<Vec<TrackedEvent>> {
        self.list("listEvents", "events", options.to_value())
    }

    /// Walks the tracked events one page at a time.
    pub fn events(&self, options: ListOptions) -> Walk<TrackedEvent> {
        Walk::new(self, "events", options.to_value())
    }

    /// Any request to a path of the API, answered whatever its status; `request.url` must be a path
    /// (an absolute URL is `invalid_argument`: the key never goes to another host).
    pub fn api_call(&self, request: ApiRequest) -> Pending<ApiResponse> {
        Pending::new(
            self,
            "apiCall",
            request.into_value().map(|r| vec![r]),
            FromCall::from_call,
        )
    }
}
