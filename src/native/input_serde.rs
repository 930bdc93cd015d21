//! With the `serde` feature, each input is the JS argument both ways: it serialises as its `to_value`
//! gives it, and deserialises from that shape as the core reads JS input, refusing what JS refuses with
//! the core's message in this crate's terms, every email in it as `[email]` (a field's name the caller
//! wrote may be one; no message repeats a value).

use super::input::{
    ContactInput, ContactRef, ListContacts, ListOptions, ListSegments, NewEvent, TagRequest,
    TagTarget,
};
use super::wording::message_in_rust_terms;
use crate::error::Error;
use crate::input::Fields;
use crate::json::Value;
use crate::models::ContactType;
use crate::resources::contacts::{self, ContactFields};
use crate::resources::{events, tags, users};

/// `Serialize` through the method that gives the JS object, `Deserialize` through a reader of it.
macro_rules! as_js {
    ($($type:ty: $write:ident, $read:ident;)*) => {$(
        impl serde::Serialize for $type {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serde::Serialize::serialize(&self.$write(), serializer)
            }
        }

        impl<'de> serde::Deserialize<'de> for $type {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <Value as serde::Deserialize>::deserialize(deserializer)?;
                $read(value).map_err(|error| {
                    let message = message_in_rust_terms(&error.message);
                    serde::de::Error::custom(crate::redact::redact_emails(&message))
                })
            }
        }
    )*};
}

as_js! {
    ContactRef: to_value, contact_ref;
    ContactInput: to_value, contact_input;
    ContactFields: to_body, contact_fields;
    ListContacts: to_value, list_contacts;
    ListSegments: to_value, list_segments;
    ListOptions: to_value, list_options;
    TagTarget: to_value, tag_target;
    TagRequest: to_value, tag_request;
    NewEvent: to_value, new_event;
}

/// `{ id } | { user_id } | { email }`.
fn contact_ref(value: Value) -> Result<ContactRef, Error> {
    contacts::ContactRef::from_value(&value, ContactType::User, &[]).map(native)
}

/// The core's reference as this crate's.
fn native(reference: contacts::ContactRef) -> ContactRef {
    match reference {
        contacts::ContactRef::Id(id) => ContactRef::Id(id),
        contacts::ContactRef::UserId(user_id) => ContactRef::UserId(user_id),
        contacts::ContactRef::Email(email) => ContactRef::Email(email),
    }
}

/// `{ user_id?, ...fields }`.
fn contact_input(value: Value) -> Result<ContactInput, Error> {
    let read = users::UserChanges::read(value, "contact")?;
    Ok(ContactInput {
        user_id: read.user_id.map(|user_id| user_id.0),
        fields: read.fields,
    })
}

/// The writable fields but `user_id`.
fn contact_fields(value: Value) -> Result<ContactFields, Error> {
    let mut fields = Fields::new(value, "fields")?;
    let read = ContactFields::read(&mut fields)?;
    fields.finish()?;
    Ok(read)
}

/// A `limit` as a walk takes it (a `list_*` call checks its own, at most 10 000).
fn limit(fields: &mut Fields) -> Result<Option<u32>, Error> {
    crate::input::limit(fields.number("limit")?, None, u32::MAX)
}

/// `{ limit?, segment_id?, tag_id?, created_since?, status?, order_by?, order?, cursor? }`.
fn list_contacts(value: Value) -> Result<ListContacts, Error> {
    let mut fields = Fields::optional(value, "options")?;
    let options = ListContacts {
        limit: limit(&mut fields)?,
        segment_id: fields.whole("segment_id")?,
        tag_id: fields.whole("tag_id")?,
        created_since: fields.unix_seconds("created_since")?,
        status: fields.string("status")?,
        order_by: fields.string("order_by")?,
        order: fields.string("order")?,
        cursor: fields.string("cursor")?,
    };
    fields.finish()?;
    Ok(options)
}

/// `{ limit?, include_count?, cursor? }`.
fn list_segments(value: Value) -> Result<ListSegments, Error> {
    let mut fields = Fields::optional(value, "options")?;
    let options = ListSegments {
        limit: limit(&mut fields)?,
        include_count: fields.boolean("include_count")?,
        cursor: fields.string("cursor")?,
    };
    fields.finish()?;
    Ok(options)
}

/// `{ limit?, cursor? }`.
fn list_options(value: Value) -> Result<ListOptions, Error> {
    let mut fields = Fields::optional(value, "options")?;
    let options = ListOptions {
        limit: limit(&mut fields)?,
        cursor: fields.string("cursor")?,
    };
    fields.finish()?;
    Ok(options)
}

/// `{ ...ref, untag? }`.
fn tag_target(value: Value) -> Result<TagTarget, Error> {
    let read = tags::target(value, ContactType::User);
    Ok(TagTarget {
        contact: native(read.reference?),
        untag: read.untag,
    })
}

/// `{ tag, users?, leads? }`; a target that cannot be read is refused (JS reports it in `failed`).
fn tag_request(value: Value) -> Result<TagRequest, Error> {
    let read = tags::TagRequest::from_value(value)?;
    let mut request = TagRequest::new(read.tag);
    for target in read.targets {
        let list = match target.kind {
            ContactType::User => &mut request.users,
            ContactType::Lead => &mut request.leads,
        };
        list.push(TagTarget {
            contact: native(target.reference?),
            untag: target.untag,
        });
    }
    Ok(request)
}

/// `{ event_name, user | lead, properties?, occurred_at? }`.
fn new_event(value: Value) -> Result<NewEvent, Error> {
    let read = events::NewEvent::from_value(value)?;
    Ok(NewEvent {
        event_name: read.event_name,
        contact: native(read.contact),
        lead: read.kind == ContactType::Lead,
        properties: read.properties,
        occurred_at: read.occurred_at,
    })
}
