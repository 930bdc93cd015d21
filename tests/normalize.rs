//! The streaming normaliser against its oracle: for random answer texts (objects of random fields of
//! every JSON kind, duplicate and escaped keys, `__proto__`, odd numbers and strings, quirky values in
//! modelled fields), what the normaliser writes, parsed, equals what a tree-based reference
//! normaliser (here, written apart from the product's: each rule over the parsed object) makes of each
//! model's table, key order included; and it refuses exactly what the reference refuses, with the
//! same message. The model types' `from_value(...).into_value()` give the same again.

#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use getgist::internal::json::{from_str, Value};
use getgist::internal::models::normalize::{
    self, Model, Rule, CAMPAIGN, CONTACT, EVENT, SEGMENT, TAG,
};
use getgist::internal::models::{Campaign, Contact, Segment, Tag, TrackedEvent};
use getgist::internal::serde_util::{as_whole, boolean, string, timestamp};
use getgist::internal::webhook::{summary, WebhookEvent};
use getgist::Error;
use proptest::prelude::*;

/// Numbers as Gist (or a hostile server) might write them.
const NUMBERS: [&str; 12] = [
    "0",
    "-0",
    "42",
    "1.0",
    "4.5",
    "-1",
    "1e3",
    "1E-2",
    "1e400",
    "9007199254740993",
    "18446744073709551616",
    "1700000000",
];

/// Strings, written as JSON text: escapes, surrogate pairs (and half of one), digits, booleans as
/// text, empty.
const STRINGS: [&str; 13] = [
    r#""""#,
    r#""179351""#,
    r#""true""#,
    r#"" false ""#,
    r#""user""#,
    r#""lead""#,
    r#""a\"b\\c\/\n""#,
    r#""\u00e9\ud83d\ude00""#,
    r#""Ann \ud83d""#,
    r#""é😀""#,
    r#""1502979465""#,
    r#""x@example.com""#,
    r#""4a""#,
];

/// Keys: every model's fields, the one an event's name falls back to, escaped spellings, `__proto__`.
const KEYS: [&str; 16] = [
    "id",
    "type",
    "user_id",
    "email",
    "name",
    "phone",
    "unsubscribed_from_emails",
    "created_at",
    "count",
    "email_open_rate",
    "occurred_at",
    "event_name",
    "__proto__",
    "\\u0069d",
    "other",
    "x\\ny",
];

/// White space that may come between tokens.
fn space() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just(""), Just(" "), Just("\n\t ")]
}

/// Any JSON value as text, nested a few levels.
fn json_text() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("null".to_owned()),
        Just("true".to_owned()),
        Just("false".to_owned()),
        prop::sample::select(&NUMBERS[..]).prop_map(str::to_owned),
        any::<i64>().prop_map(|n| n.to_string()),
        prop::sample::select(&STRINGS[..]).prop_map(str::to_owned),
    ];
    leaf.prop_recursive(3, 24, 5, |inner| {
        prop_oneof![
            (prop::collection::vec(inner.clone(), 0..4), space())
                .prop_map(|(items, s)| format!("[{s}{}{s}]", items.join(","))),
            object_text(inner),
        ]
    })
}

/// An object of `values`, its keys drawn from [`KEYS`] (so often repeated).
fn object_text(values: impl Strategy<Value = String>) -> impl Strategy<Value = String> {
    (
        prop::collection::vec((prop::sample::select(&KEYS[..]), values, space()), 0..10),
        space(),
    )
        .prop_map(|(fields, s)| {
            let fields: Vec<String> = fields
                .into_iter()
                .map(|(key, value, s)| format!("{s}\"{key}\"{s}:{s}{value}"))
                .collect();
            format!("{{{}{s}}}", fields.join(","))
        })
}

/// The reference: `value` read as `model` over the parsed tree, each field taken out and normalised
/// by its rule, then written after the fields the model does not name.
fn reference(model: &Model, value: Value) -> Result<Value, Error> {
    let Value::Object(mut object) = value else {
        let what = model.what;
        return Err(Error::invalid_response(format!(
            "Gist sent a {what} that is not a JSON object"
        )));
    };
    let raw: Vec<Option<Value>> = model
        .fields
        .iter()
        .map(|(name, _)| object.remove(name))
        .collect();
    let user_id = model
        .fields
        .iter()
        .zip(&raw)
        .any(|((name, _), value)| *name == "user_id" && string(value.clone()).is_some());
    for ((name, rule), value) in model.fields.iter().zip(raw) {
        let normalised = match rule {
            Rule::Id => match value.as_ref().and_then(as_whole) {
                Some(id) => Value::from(id),
                None => {
                    let what = model.what;
                    return Err(Error::invalid_response(format!(
                        "Gist sent a {what} without a numeric id"
                    )));
                }
            },
            Rule::Text => string(value).into(),
            Rule::TextOrEmpty => string(value).unwrap_or_default().into(),
            Rule::TextOr(key) => string(value)
                .or_else(|| object.get(key).and_then(Value::as_str).map(str::to_owned))
                .into(),
            Rule::Whole => value.as_ref().and_then(as_whole).into(),
            Rule::WholeIfKnown => match value.as_ref().and_then(as_whole) {
                Some(n) => n.into(),
                None => continue,
            },
            Rule::Timestamp => timestamp(value.as_ref()).into(),
            Rule::Boolean => boolean(value.as_ref()).into(),
            Rule::ContactType => match string(value).as_deref() {
                Some(kind @ ("user" | "lead")) => kind.into(),
                _ if user_id => "user".into(),
                _ => "lead".into(),
            },
        };
        object.insert((*name).to_owned(), normalised);
    }
    Ok(Value::Object(object))
}

/// What the reference (or a model type's `from_value(...).into_value()`) makes of `text`: the
/// normalised object's JSON, or the error.
fn oracle(
    text: &str,
    read: impl Fn(Value) -> Result<Value, Error>,
) -> Option<Result<String, Error>> {
    let value = from_str(text).ok()?;
    Some(read(value).map(|value| value.to_json()))
}

/// What the streaming normaliser makes of the answer `{"item": <text>}`, in the same form.
fn streamed(text: &str, model: &'static Model) -> Option<Result<String, Error>> {
    let answer = format!("{{\"item\":{text}}}");
    let record = normalize::single(&answer, "item", model).ok()?;
    Some(record.map(|record| from_str(&record.json).expect("its own JSON").to_json()))
}

/// A model type's `from_value(...).into_value()`.
type Typed = fn(Value) -> Result<Value, Error>;

/// Each model's table and its type's `from_value(...).into_value()`.
fn models() -> [(&'static Model, Typed); 5] {
    [
        (&CONTACT, |v| {
            Contact::from_value(v).map(Contact::into_value)
        }),
        (&TAG, |v| Tag::from_value(v).map(Tag::into_value)),
        (&SEGMENT, |v| {
            Segment::from_value(v).map(Segment::into_value)
        }),
        (&CAMPAIGN, |v| {
            Campaign::from_value(v).map(Campaign::into_value)
        }),
        (&EVENT, |v| {
            TrackedEvent::from_value(v).map(TrackedEvent::into_value)
        }),
    ]
}

/// Keys of a webhook delivery: the topic's, the shapes', and others.
const DELIVERY_KEYS: [&str; 9] = [
    "topic",
    "event",
    "event_name",
    "event_type",
    "contact",
    "message",
    "conversation",
    "__proto__",
    "other",
];

/// A webhook body: an object of delivery keys, each a contact-like object, a `message` holding one, or
/// any JSON value (so keys repeat, and shapes are often wrong).
fn delivery_text() -> impl Strategy<Value = String> {
    let contact = || object_text(json_text());
    let message = prop_oneof![
        contact().prop_map(|c| format!("{{\"body\":\"hi\",\"contact\":{c}}}")),
        contact(),
    ];
    let value = prop_oneof![contact(), message, json_text()];
    prop::collection::vec((prop::sample::select(&DELIVERY_KEYS[..]), value), 0..6).prop_map(
        |fields| {
            let fields: Vec<String> = fields
                .into_iter()
                .map(|(key, value)| format!("\"{key}\":{value}"))
                .collect();
            format!("{{{}}}", fields.join(","))
        },
    )
}

/// What the wasm answered for a delivery before it streamed: the tree-read event without its
/// payload and conversation.
fn tree_summary(body: &str, headers: &[(String, String)]) -> Value {
    let mut event = WebhookEvent::parse(body, headers).unwrap_or_else(|_| {
        WebhookEvent::unreadable("{}", headers).expect("an unknown event of the headers alone")
    });
    event.payload = Value::Null;
    event.conversation = None;
    event.to_value()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(5_000))]

    #[test]
    fn a_delivery_streams_the_summary_the_tree_path_makes(
        body in delivery_text(),
        header in prop::sample::select(&["", " header.topic "][..]),
    ) {
        let headers = match header {
            "" => Vec::new(),
            topic => vec![("X-Gist-Topic".to_owned(), topic.to_owned())],
        };
        let streamed = from_str(&summary(&body, &headers).to_json()).expect("its own JSON");
        prop_assert_eq!(streamed.to_json(), tree_summary(&body, &headers).to_json(), "{}", body);
    }

    #[test]
    fn every_model_streams_what_the_reference_makes(text in object_text(json_text())) {
        for (model, typed) in models() {
            let expected = oracle(&text, |v| reference(model, v));
            prop_assert_eq!(&streamed(&text, model), &expected, "{} of {}", model.what, text);
            prop_assert_eq!(oracle(&text, typed), expected, "typed {} of {}", model.what, text);
        }
    }

    #[test]
    fn any_value_streams_or_fails_as_the_reference_does(text in json_text()) {
        for (model, typed) in models() {
            let expected = oracle(&text, |v| reference(model, v));
            prop_assert_eq!(&streamed(&text, model), &expected, "{} of {}", model.what, text);
            prop_assert_eq!(oracle(&text, typed), expected, "typed {} of {}", model.what, text);
        }
    }

    #[test]
    fn a_list_streams_its_last_array_and_its_first_refusal(
        pages in prop::collection::vec(prop::collection::vec(object_text(json_text()), 0..4), 1..3)
    ) {
        let arrays: Vec<String> = pages.iter().map(|items| format!("[{}]", items.join(","))).collect();
        let answer = format!("{{\"contacts\":{}}}", arrays.join(",\"contacts\":"));
        let (items, _) = normalize::list(&answer, "contacts", &CONTACT, &|_| true).expect("JSON");
        let items = items.expect("an array");
        let tree = from_str(&answer).expect("JSON");
        let expected: Result<Vec<String>, Error> = tree["contacts"]
            .as_array()
            .expect("an array")
            .iter()
            .map(|item| reference(&CONTACT, item.clone()).map(|c| c.to_json()))
            .collect();
        let got = match items.error {
            Some(error) => Err(error),
            None => Ok(items
                .records
                .iter()
                .map(|r| from_str(&r.json).expect("its own JSON").to_json())
                .collect()),
        };
        prop_assert_eq!(got, expected);
        // The first item's id as sent, where its model keeps one (not null, not one it drops).
        let first = &tree["contacts"][0];
        let kept = reference(&CONTACT, first.clone()).is_ok_and(|c| c.get("id").is_some_and(|id| !id.is_null()));
        prop_assert_eq!(items.first_id.as_ref(), first.get("id").filter(|_| kept));
    }
}

#[test]
fn a_timestamp_just_below_what_an_i64_holds_is_none_as_in_js() {
    // Found by an outside review: -9223372036854775809 rounds, as an f64, onto -2^63 and was read as
    // i64::MIN; the JS client gives null. i64::MIN itself, written as an integer, is read exactly.
    let read = |text| timestamp(Some(&from_str(text).expect("JSON")));
    assert_eq!(read("-9223372036854775809"), None);
    assert_eq!(read("-9223372036854775809.5"), None);
    assert_eq!(read("-9223372036854775808"), Some(i64::MIN));
}

#[test]
fn nesting_past_the_parsers_limit_is_refused_as_the_tree_path_refuses_it() {
    for depth in [120, 125, 126, 127, 128, 200] {
        let nested = "[".repeat(depth) + &"]".repeat(depth);
        let text = format!("{{\"id\":1,\"deep\":{nested}}}");
        for (model, _) in models() {
            let answer = format!("{{\"item\":{text}}}");
            assert_eq!(
                normalize::single(&answer, "item", model).is_ok(),
                from_str(&answer).is_ok(),
                "depth {depth}"
            );
        }
    }
}

#[test]
fn a_delivery_nested_past_the_parsers_limit_is_unknown_with_its_own_topic_first() {
    let headers = [("x-gist-event".to_owned(), "user.created".to_owned())];
    let topic_of = |event: &Value| {
        event
            .get("topic")
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    for depth in [126, 127, 128, 200] {
        let nested = "[".repeat(depth) + &"]".repeat(depth);
        for (first, last) in [(r#""topic":"t","#, ""), ("", r#","topic":"t""#)] {
            let body = format!("{{{first}\"contact\":{{\"id\":1}},\"deep\":{nested}{last}}}");
            for headers in [&headers[..], &[]] {
                let tree = tree_summary(&body, headers);
                assert_eq!(topic_of(&tree).as_deref(), Some("t"), "depth {depth}");
                let streamed = summary(&body, headers);
                if depth < 128 {
                    assert_eq!(streamed.to_json(), tree.to_json(), "depth {depth}");
                } else {
                    // Too deep for the streaming read: the runtime hands back the topic fields alone.
                    let header = headers.first().map(|(_, value)| value.clone());
                    assert_eq!(topic_of(&streamed), header, "depth {depth}");
                    let fields = summary(r#"{"topic":"t"}"#, headers);
                    assert_eq!(topic_of(&fields), topic_of(&tree));
                }
            }
        }
        let untitled = format!("{{\"topic\":{nested},\"deep\":{nested}}}");
        let event = WebhookEvent::parse(&untitled, &headers).expect("an object");
        assert_eq!(
            event.topic.as_deref(),
            Some("user.created"),
            "no string, no topic"
        );
    }
}
