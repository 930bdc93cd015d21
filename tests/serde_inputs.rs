//! With `serde`, each input is the JS argument both ways: it serialises as its `to_value`, and
//! deserialises from that shape as the core reads JS input, refusing what JS refuses with a message
//! that holds no email (nor a value the caller gave).

#![cfg(all(feature = "serde", not(target_arch = "wasm32")))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use getgist::{
    ContactFields, ContactInput, ContactRef, ListContacts, ListOptions, ListSegments, NewEvent,
    TagRequest, TagTarget, Value,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::fmt::Debug;

/// `input` serialises as `js` (its `to_value`, given as JSON text), and `js` deserialises back to it.
fn both_ways<T: Serialize + DeserializeOwned + PartialEq + Debug>(
    input: &T,
    to_value: Value,
    js: &str,
) {
    let js: serde_json::Value = serde_json::from_str(js).unwrap();
    assert_eq!(serde_json::to_value(&to_value).unwrap(), js, "to_value");
    assert_eq!(serde_json::to_value(input).unwrap(), js, "serialised");
    assert_eq!(
        &serde_json::from_value::<T>(js).unwrap(),
        input,
        "deserialised"
    );
}

#[test]
fn each_input_is_the_js_argument_both_ways() {
    let event = NewEvent::user("signed.up", ContactRef::id(1)).occurred_at(1_700_000_000);
    both_ways(
        &event,
        event.to_value(),
        r#"{"event_name": "signed.up", "user": {"id": 1}, "occurred_at": 1700000000}"#,
    );
    let event = NewEvent::lead("seen", ContactRef::email("a@b.co")).property("plan", "pro");
    both_ways(
        &event,
        event.to_value(),
        r#"{"event_name": "seen", "lead": {"email": "a@b.co"}, "properties": {"plan": "pro"}}"#,
    );
    let request = TagRequest::new("VIP")
        .user(ContactRef::email("a@b.co"))
        .untag_user(ContactRef::user_id(42))
        .lead(ContactRef::id(9));
    both_ways(
        &request,
        request.to_value(),
        r#"{"tag": "VIP", "users": [{"email": "a@b.co"}, {"user_id": "42", "untag": true}], "leads": [{"id": 9}]}"#,
    );
    let request = TagRequest::new("VIP").user(ContactRef::email("a@b.co"));
    both_ways(
        &request,
        request.to_value(),
        r#"{"tag": "VIP", "users": [{"email": "a@b.co"}]}"#,
    );
    let target = TagTarget {
        contact: ContactRef::id(3),
        untag: true,
    };
    both_ways(&target, target.to_value(), r#"{"id": 3, "untag": true}"#);
    let input = ContactInput::user(42)
        .email("a@b.co")
        .tag("vip")
        .custom("plan", "pro");
    both_ways(
        &input,
        input.to_value(),
        r#"{"email": "a@b.co", "tags": ["vip"], "custom_properties": {"plan": "pro"}, "user_id": "42"}"#,
    );
    let reference = ContactRef::user_id(7);
    both_ways(&reference, reference.to_value(), r#"{"user_id": "7"}"#);
    let options = ListContacts::default().limit(5).status("active");
    both_ways(
        &options,
        options.to_value(),
        r#"{"limit": 5, "status": "active"}"#,
    );
    let options = ListSegments::default().include_count(true);
    both_ways(&options, options.to_value(), r#"{"include_count": true}"#);
    let options = ListOptions::default().cursor("c1");
    both_ways(&options, options.to_value(), r#"{"cursor": "c1"}"#);

    // What JS takes as optional or leaves out is optional here too.
    let request: TagRequest = serde_json::from_str(r#"{"tag": "VIP"}"#).unwrap();
    assert_eq!(request, TagRequest::new("VIP"));
    let target: TagTarget = serde_json::from_str(r#"{"email": "a@b.co", "untag": null}"#).unwrap();
    assert!(!target.untag);
    let input: ContactInput = serde_json::from_str(r#"{"user_id": 42, "name": null}"#).unwrap();
    assert_eq!(input, ContactInput::user(42));
    let reference: ContactRef = serde_json::from_str(r#"{"user_id": 42}"#).unwrap();
    assert_eq!(reference, ContactRef::user_id(42));
    let fields: ContactFields = serde_json::from_str(r#"{"name": "Ada"}"#).unwrap();
    assert_eq!(fields.name.as_deref(), Some("Ada"));
}

/// The error of deserialising `text` as `T`.
fn refusal<T: DeserializeOwned + Debug>(text: &str) -> String {
    serde_json::from_str::<T>(text).expect_err(text).to_string()
}

#[test]
fn an_input_js_refuses_is_refused_with_the_cores_message() {
    for (error, expected) in [
        (
            refusal::<ContactInput>(r#"{"user_id": "42", "emial": "a@b.co"}"#),
            "unknown field `emial`",
        ),
        (
            refusal::<ContactInput>(r#"{"fields": {"email": "a@b.co"}}"#),
            "unknown field `fields`",
        ),
        (
            refusal::<ContactFields>(r#"{"user_id": "42"}"#),
            "unknown field `user_id`",
        ),
        (
            refusal::<ListContacts>(r#"{"limit": 5, "bogus": 1}"#),
            "unknown field `bogus`",
        ),
        (
            refusal::<ListSegments>(r#"{"bogus": 1}"#),
            "unknown field `bogus`",
        ),
        (
            refusal::<ListOptions>(r#"{"bogus": 1}"#),
            "unknown field `bogus`",
        ),
        (
            refusal::<TagTarget>(r#"{"id": 1, "bogus": 1}"#),
            "unknown key `bogus`",
        ),
        (
            refusal::<TagRequest>(r#"{"tag": "t", "bogus": 1}"#),
            "unknown field `bogus`",
        ),
        (
            refusal::<NewEvent>(r#"{"event_name": "e", "user": {"id": 1}, "bogus": 1}"#),
            "unknown field `bogus`",
        ),
        (
            refusal::<NewEvent>(r#"{"event_name": "e", "contact": {"id": 1}}"#),
            "exactly one of event.user or event.lead",
        ),
        (
            refusal::<ContactInput>(r#"{"user_id": 4.5}"#),
            "user_id must be a whole number",
        ),
        (
            refusal::<ContactInput>(r#"{"user_id": "ada"}"#),
            "user_id must be a whole number",
        ),
        (
            refusal::<ContactRef>(r#"{"user_id": -1}"#),
            "user_id must be a whole number",
        ),
        (
            refusal::<ContactRef>(r#"{"id": 1, "email": "a@b.co"}"#),
            "exactly one of",
        ),
        (
            refusal::<ListOptions>(r#"{"limit": 0}"#),
            "limit must be a whole number",
        ),
        (
            refusal::<ContactInput>(r#"{"signed_up_at": 1764720000000}"#),
            "not milliseconds: divide",
        ),
    ] {
        assert!(error.contains(expected), "{expected}: {error}");
    }
}

#[test]
fn a_refusal_holds_no_email_nor_a_value_given() {
    let email = "ada.lovelace@example.com";
    let encoded = "ada.lovelace%40example.com";
    for text in [email, encoded] {
        for error in [
            refusal::<ContactRef>(&format!(r#"{{"id": "{text}"}}"#)),
            refusal::<ContactRef>(&format!(r#"{{"user_id": "{text}"}}"#)),
            refusal::<ContactRef>(&format!(r#"{{"{text}": 1}}"#)),
            refusal::<ContactRef>(&format!(r#""{text}""#)),
            refusal::<ContactInput>(&format!(r#"{{"{text}": 1}}"#)),
            refusal::<ContactInput>(&format!(r#"{{"signed_up_at": "{text}"}}"#)),
            refusal::<ContactInput>(&format!(r#"{{"tags": "{text}"}}"#)),
            refusal::<ContactInput>(&format!(r#"{{"custom_properties": {{"{text}": [1]}}}}"#)),
            refusal::<ContactFields>(&format!(r#"{{"unsubscribed_from_emails": "{text}"}}"#)),
            refusal::<ListContacts>(&format!(r#"{{"limit": "{text}"}}"#)),
            refusal::<ListContacts>(&format!(r#"{{"status": 1, "{text}": 2}}"#)),
            refusal::<ListSegments>(&format!(r#"{{"include_count": "{text}"}}"#)),
            refusal::<ListOptions>(&format!(r#"{{"cursor": ["{text}"]}}"#)),
            refusal::<TagTarget>(&format!(r#"{{"email": "a@b.co", "untag": "{text}"}}"#)),
            refusal::<TagRequest>(&format!(
                r#"{{"tag": "x", "users": [{{"email": "a@b.co", "untag": "{text}"}}]}}"#
            )),
            refusal::<NewEvent>(&format!(
                r#"{{"event_name": "x", "user": {{"email": "a@b.co"}}, "occurred_at": "{text}"}}"#
            )),
            refusal::<NewEvent>(&format!(r#"{{"event_name": "x", "{text}": {{"id": 1}}}}"#)),
        ] {
            assert!(!error.contains("lovelace"), "{error}");
        }
    }
}
