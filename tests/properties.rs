//! Property tests: arbitrary bytes and arbitrary JSON never panic, and are either read or refused with
//! the right `GistError` code, in the webhook parser, every reader of caller input and every model; the
//! event-name normaliser changes `.` and `$` and nothing else. 10,000 cases per property.

#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use gist_wasm::config::ClientOptions;
use gist_wasm::json::Value;
use gist_wasm::models::{
    normalize_event_name, Campaign, Contact, ContactType, Segment, Tag, TrackedEvent,
};
use gist_wasm::resources::contacts::{ContactRef, ListContactsOptions};
use gist_wasm::resources::events::NewEvent;
use gist_wasm::resources::leads::{LeadChanges, NewLead};
use gist_wasm::resources::raw::read_call;
use gist_wasm::resources::segments::SegmentOptions;
use gist_wasm::resources::tags::TagRequest;
use gist_wasm::resources::users::{NewUser, UserChanges};
use gist_wasm::webhook::{VerifyOptions, WebhookEvent, WebhookKind};
use gist_wasm::{Error, ErrorCode};
use proptest::prelude::*;

/// Any JSON value, nested a few levels.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        let keys = prop_oneof![
            Just("contact".to_string()),
            Just("message".to_string()),
            Just("conversation".to_string()),
            Just("id".to_string()),
            Just("type".to_string()),
            Just("user_id".to_string()),
            Just("email".to_string()),
            Just("topic".to_string()),
            Just("tags".to_string()),
            Just("created_at".to_string()),
            ".{0,8}".prop_map(|s| s),
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(keys, inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Cases per property.
const CASES: u32 = 10_000;

/// A reader of caller input may accept or refuse, but only with `invalid_argument`.
fn refused_cleanly<T>(result: Result<T, Error>) -> bool {
    result
        .err()
        .is_none_or(|e| e.code == ErrorCode::InvalidArgument)
}

/// A reader of Gist's answers may accept or refuse, but only with `invalid_response`.
fn answered_cleanly<T>(result: Result<T, Error>) -> bool {
    result
        .err()
        .is_none_or(|e| e.code == ErrorCode::InvalidResponse)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let text = String::from_utf8_lossy(&bytes);
        if let Err(error) = WebhookEvent::parse(&text, &[]) {
            prop_assert_eq!(error.code, ErrorCode::InvalidWebhook);
        }
    }

    #[test]
    fn arbitrary_json_objects_always_parse_and_keep_the_payload(value in json_value()) {
        let text = value.to_string();
        match WebhookEvent::parse(&text, &[]) {
            Ok(event) => {
                prop_assert!(value.is_object());
                prop_assert_eq!(&event.payload, &gist_wasm::json::from_str(&text).unwrap());
                prop_assert_eq!(event.contact.is_some(), matches!(event.kind, WebhookKind::Contact | WebhookKind::Automation));
                let _ = event.to_value();
            }
            Err(error) => {
                prop_assert!(!value.is_object());
                prop_assert_eq!(error.code, ErrorCode::InvalidWebhook);
            }
        }
    }

    #[test]
    fn every_input_reader_accepts_or_refuses_with_invalid_argument(value in json_value()) {
        prop_assert!(refused_cleanly(NewUser::from_value(value.clone())));
        prop_assert!(refused_cleanly(UserChanges::from_value(value.clone())));
        prop_assert!(refused_cleanly(NewLead::from_value(value.clone())));
        prop_assert!(refused_cleanly(LeadChanges::from_value(value.clone())));
        prop_assert!(refused_cleanly(ContactRef::from_value(&value, ContactType::User, &[])));
        prop_assert!(refused_cleanly(ListContactsOptions::from_value(value.clone())));
        prop_assert!(refused_cleanly(SegmentOptions::from_value(value.clone(), true)));
        prop_assert!(refused_cleanly(TagRequest::from_value(value.clone())));
        prop_assert!(refused_cleanly(NewEvent::from_value(value.clone())));
        prop_assert!(refused_cleanly(read_call(value.clone())));
        prop_assert!(refused_cleanly(VerifyOptions::from_value(value.clone())));
        prop_assert!(refused_cleanly(ClientOptions::from_value(value)));
    }

    #[test]
    fn every_model_reads_or_refuses_with_invalid_response(value in json_value()) {
        prop_assert!(answered_cleanly(Contact::from_value(value.clone()).map(|c| c.to_value())));
        prop_assert!(answered_cleanly(Tag::from_value(value.clone()).map(|t| t.to_value())));
        prop_assert!(answered_cleanly(Segment::from_value(value.clone()).map(|s| s.to_value())));
        prop_assert!(answered_cleanly(Campaign::from_value(value.clone()).map(|c| c.to_value())));
        prop_assert!(answered_cleanly(TrackedEvent::from_value(value).map(|e| e.to_value())));
    }

    #[test]
    fn normalized_names_have_no_dot_or_dollar_and_nothing_else_changes(name in ".{0,40}") {
        let out = normalize_event_name(&name);
        prop_assert!(!out.contains('.') && !out.contains('$'));
        prop_assert_eq!(out.chars().count(), name.chars().count());
        for (a, b) in name.chars().zip(out.chars()) {
            if a == '.' || a == '$' { prop_assert_eq!(b, '-'); } else { prop_assert_eq!(a, b); }
        }
    }

    #[test]
    fn normalizing_twice_changes_nothing_more(name in "[a-z.$_ -]{0,30}") {
        let once = normalize_event_name(&name);
        prop_assert_eq!(normalize_event_name(&once), once.clone());
    }
}
