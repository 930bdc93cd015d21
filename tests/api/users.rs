//! The Users module: request building, the quirks of answers, and the users-only rules.

use crate::fake::{fixture, json, FakeTransport};
use crate::{call, config};
use getgist::internal::models::ContactType;
use getgist::internal::resources::contacts::ContactRef;
use getgist::internal::resources::users::NewUser;
use getgist::ErrorCode;
use getgist::{json as j, Value};

fn user_ref(value: Value) -> Result<ContactRef, getgist::Error> {
    ContactRef::from_value(&value, ContactType::User, &[])
}

fn contact_json(id: u64, user_id: Option<u64>) -> Value {
    j!({"id": id, "type": if user_id.is_some() { "user" } else { "lead" }, "user_id": user_id.map(|u| u.to_string()), "email": format!("c{id}@example.com")})
}

fn page(ids: std::ops::Range<u64>, next: Option<&str>) -> String {
    let contacts: Vec<Value> = ids
        .map(|id| contact_json(id, (id % 2 == 0).then_some(id + 5000)))
        .collect();
    j!({"contacts": contacts, "pages": {"next": next}}).to_string()
}

#[test]
fn create_user_posts_every_field_with_user_id_as_a_string() {
    let fake = FakeTransport::new(vec![json(200, &fixture("contact_user_quirks.json"))]);
    let config = config();
    let user = j!({
        "user_id": 100488, "email": "a+b@example.com", "name": "R", "phone": "98",
        "unsubscribed_from_emails": false, "signed_up_at": 1600000000u64, "tags": ["tagA", "TAGA"],
        "custom_properties": {"age_number": 23, "vip": true, "note": null}
    });
    let contact = call(&config, &fake, "createUser", j!([user])).expect("created");
    assert_eq!(fake.paths(), vec!["POST /contacts"]);
    assert_eq!(
        fake.body(0),
        j!({"user_id": "100488", "email": "a+b@example.com", "name": "R", "phone": "98",
            "unsubscribed_from_emails": false, "signed_up_at": 1600000000u64, "tags": ["tagA", "TAGA"],
            "custom_properties": {"age_number": 23, "vip": true, "note": null}})
    );
    assert_eq!(contact["user_id"], "100488");
}

#[test]
fn the_quirks_of_a_contact_answer_are_normalised_and_unknown_fields_kept() {
    let fake = FakeTransport::new(vec![json(200, &fixture("contact_user_quirks.json"))]);
    let config = config();
    let out = call(&config, &fake, "fetchUser", j!([{"id": 179351}])).expect("found");
    assert_eq!(out["phone"], "9876543210");
    assert_eq!(out["unsubscribed_from_emails"], true);
    assert_eq!(out["signed_up_at"], Value::Null);
    assert_eq!(out["user_id"], "100488");
    assert_eq!(out["location_data"]["latitude"].as_f64(), Some(13.08));
    assert_eq!(out["tags"][0]["name"], "tagA");
    assert_eq!(out["custom_properties"]["age_number"], 23);
}

#[test]
fn user_id_must_be_a_whole_number() {
    for bad in [
        j!("abc"),
        j!(1.5),
        j!(-3),
        j!(""),
        j!(null),
        j!(true),
        j!("12a"),
    ] {
        let error = NewUser::from_value(j!({"user_id": bad.clone()})).expect_err("rejected");
        assert_eq!(error.code, ErrorCode::InvalidArgument, "{bad}");
    }
    let error = NewUser::from_value(j!({"email": "x@y.z"})).expect_err("missing user_id");
    assert_eq!(error.code, ErrorCode::InvalidArgument);
    for good in [j!(7), j!(7.0), j!("0042")] {
        assert!(
            NewUser::from_value(j!({"user_id": good.clone()})).is_ok(),
            "{good}"
        );
    }
}

#[test]
fn bad_fields_are_invalid_arguments_without_the_email_in_the_message() {
    let cases = [
        j!({"user_id": 1, "emial": "typo@example.com"}),
        j!({"user_id": 1, "email": "not-an-address"}),
        j!({"user_id": 1, "signed_up_at": "yesterday"}),
        j!({"user_id": 1, "custom_properties": {"nested": {"a": 1}}}),
        j!({"user_id": 1, "tags": "vip"}),
        j!({"user_id": 1, "email": 42}),
        j!([1, 2]),
    ];
    for case in cases {
        let error = NewUser::from_value(case.clone()).expect_err("rejected");
        assert_eq!(error.code, ErrorCode::InvalidArgument, "{case}");
        assert!(!error.message.contains("example.com"), "{}", error.message);
    }
}

#[test]
fn a_contact_is_named_by_exactly_one_of_id_user_id_or_email() {
    assert_eq!(user_ref(j!({"id": 5})), Ok(ContactRef::Id(5)));
    assert_eq!(
        user_ref(j!({"user_id": 77})),
        Ok(ContactRef::UserId("77".into()))
    );
    assert_eq!(
        user_ref(j!({"email": "a@b.c"})),
        Ok(ContactRef::Email("a@b.c".into()))
    );
    for bad in [
        j!({}),
        j!({"id": 1, "email": "a@b.c"}),
        j!({"id": "x"}),
        j!({"uid": 1}),
        j!("a@b.c"),
        j!(null),
    ] {
        assert_eq!(
            user_ref(bad.clone()).map_err(|e| e.code),
            Err(ErrorCode::InvalidArgument),
            "{bad}"
        );
    }
    let lead_ref = ContactRef::from_value(&j!({"user_id": 1}), ContactType::Lead, &[]);
    assert!(lead_ref.is_err(), "a lead has no user_id");
}

/// README (Guarantees): a field given as `null` counts as not given, in a contact's naming keys too (an
/// outside review: `{ id, email: null }` was "name the user by exactly one of…").
#[test]
fn a_naming_key_given_as_null_counts_as_not_given() {
    assert_eq!(
        user_ref(j!({"id": 1001, "email": null})),
        Ok(ContactRef::Id(1001))
    );
    assert_eq!(
        user_ref(j!({"id": null, "user_id": null, "email": "a@b.c"})),
        Ok(ContactRef::Email("a@b.c".into()))
    );
    let error = user_ref(j!({"id": null})).expect_err("none given");
    assert!(
        error.message.contains("exactly one of"),
        "{}",
        error.message
    );
    let contact = r#"{"contact": {"id": 1001, "type": "user", "user_id": "5"}}"#;
    let fake = FakeTransport::new(vec![json(200, contact)]);
    call(
        &config(),
        &fake,
        "fetchUser",
        j!([{"id": 1001, "email": null}]),
    )
    .expect("found");
    assert_eq!(fake.paths(), vec!["GET /contacts/1001"]);
}

#[test]
fn fetch_builds_the_three_requests_with_encoded_values() {
    let config = config();
    for (reference, path) in [
        (j!({"id": 179351}), "GET /contacts/179351"),
        (j!({"user_id": "100488"}), "GET /contacts?user_id=100488"),
        (
            j!({"email": "a+b@example.com"}),
            "GET /contacts?email=a%2Bb%40example.com",
        ),
    ] {
        let contact = r#"{"contact": {"id": 179351, "type": "user", "user_id": "100488", "email": "a+b@example.com"}}"#;
        let fake = FakeTransport::new(vec![json(200, contact)]);
        call(&config, &fake, "fetchUser", j!([reference])).expect("found");
        assert_eq!(fake.paths(), vec![path]);
    }
}

#[test]
fn another_contact_than_the_one_asked_for_is_refused_and_nothing_is_deleted() {
    let config = config();
    for reference in [
        j!({"id": 1}),
        j!({"user_id": "1"}),
        j!({"email": "someone.else@example.com"}),
    ] {
        let fake = FakeTransport::new(vec![json(200, &fixture("contact_user_quirks.json"))]);
        let error =
            call(&config, &fake, "deleteUser", j!([reference.clone()])).expect_err("another");
        assert_eq!(error.code, ErrorCode::InvalidResponse, "{reference}");
        assert_eq!(fake.paths().len(), 1, "{reference}: only the lookup");
    }
    // The same email in another case is the same contact.
    let fake = FakeTransport::new(vec![json(200, &fixture("contact_user_quirks.json"))]);
    call(
        &config,
        &fake,
        "fetchUser",
        j!([{"email": "RubaMaga@example.com"}]),
    )
    .expect("found");
    // In any script.
    let swedish = r#"{"contact": {"id": 5, "type": "user", "user_id": "5", "email": "Åsa.Öberg@example.se"}}"#;
    let fake = FakeTransport::new(vec![json(200, swedish)]);
    let reference = j!([{"email": "åsa.öberg@example.se"}]);
    call(&config, &fake, "fetchUser", reference).expect("found");
}

#[test]
fn of_a_list_of_contacts_with_the_email_the_one_of_the_asked_type_is_taken() {
    let config = config();
    let answer = r#"{"contacts": [
        {"id": 1, "type": "lead", "email": "twin@example.com"},
        {"id": 2, "type": "user", "user_id": "7", "email": "twin@example.com"}]}"#;
    let fake = FakeTransport::new(vec![json(200, answer)]);
    let user = call(
        &config,
        &fake,
        "fetchUser",
        j!([{"email": "twin@example.com"}]),
    )
    .expect("the user");
    assert_eq!(user["id"], 2);
    let fake = FakeTransport::new(vec![json(200, answer)]);
    let lead = call(
        &config,
        &fake,
        "fetchLead",
        j!([{"email": "twin@example.com"}]),
    )
    .expect("the lead");
    assert_eq!(lead["id"], 1);
}

#[test]
fn fetching_a_lead_as_a_user_is_not_found_and_says_so() {
    let fake = FakeTransport::new(vec![json(200, &fixture("contact_lead.json"))]);
    let config = config();
    let reference = j!({"email": "lead@example.com"});
    let error = call(&config, &fake, "fetchUser", j!([reference])).expect_err("a lead");
    assert_eq!(error.code, ErrorCode::NotFound);
    assert!(error.message.contains("is a lead"), "{}", error.message);
    assert!(error.message.contains("fetchLead"), "{}", error.message);
    assert!(
        !error.message.contains("lead@example.com"),
        "{}",
        error.message
    );
}

#[test]
fn a_404_by_email_is_not_found_without_the_email() {
    let fake = FakeTransport::new(vec![json(
        404,
        r#"{"errors":[{"code":"not_found","message":"Contact not found"}]}"#,
    )]);
    let config = config();
    let reference = j!({"email": "ghost@example.com"});
    let error = call(&config, &fake, "fetchUser", j!([reference])).expect_err("missing");
    assert_eq!((error.code, error.status), (ErrorCode::NotFound, Some(404)));
    assert_eq!(error.message, "no user matches that email");
    assert_eq!(error.path.as_deref(), Some("/contacts"));
}

#[test]
fn update_never_creates_a_contact() {
    let fake = FakeTransport::new(vec![json(
        404,
        r#"{"errors":[{"code":"not_found","message":"x"}]}"#,
    )]);
    let config = config();
    let changes = j!({"name": "New"});
    let error = call(
        &config,
        &fake,
        "updateUser",
        j!([{"user_id": "9"}, changes]),
    )
    .expect_err("none");
    assert_eq!(error.code, ErrorCode::NotFound);
    assert_eq!(
        fake.paths(),
        vec!["GET /contacts?user_id=9"],
        "no POST was sent"
    );
}

#[test]
fn update_posts_the_changes_with_the_contacts_id_and_user_id() {
    let fake = FakeTransport::new(vec![
        json(200, &fixture("contact_user_quirks.json")),
        json(200, &fixture("contact_user_quirks.json")),
    ]);
    let config = config();
    let changes = j!({"name": "New", "custom_properties": {"plan": "pro"}});
    let reference = j!({"email": "rubamaga@example.com"});
    call(&config, &fake, "updateUser", j!([reference, changes])).expect("updated");
    assert_eq!(
        fake.paths(),
        vec![
            "GET /contacts?email=rubamaga%40example.com",
            "POST /contacts"
        ]
    );
    assert_eq!(
        fake.body(1),
        j!({"id": 179351, "user_id": "100488", "name": "New", "custom_properties": {"plan": "pro"}})
    );
}

#[test]
fn update_of_a_lead_through_the_users_module_is_not_found() {
    let fake = FakeTransport::new(vec![json(200, &fixture("contact_lead.json"))]);
    let config = config();
    let changes = j!({"name": "x"});
    let error =
        call(&config, &fake, "updateUser", j!([{"id": 200001}, changes])).expect_err("lead");
    assert_eq!(error.code, ErrorCode::NotFound);
    assert_eq!(fake.sent.borrow().len(), 1);
}

#[test]
fn delete_checks_the_type_then_deletes_by_id() {
    let fake = FakeTransport::new(vec![
        json(200, &fixture("contact_user_quirks.json")),
        json(200, "{}"),
    ]);
    let config = config();
    call(&config, &fake, "deleteUser", j!([{"user_id": "100488"}])).expect("deleted");
    assert_eq!(
        fake.paths(),
        vec!["GET /contacts?user_id=100488", "DELETE /contacts/179351"]
    );

    let fake = FakeTransport::new(vec![
        json(200, &fixture("contact_lead.json")),
        json(200, "{}"),
    ]);
    let error = call(&config, &fake, "deleteUser", j!([{"id": 200001}])).expect_err("a lead");
    assert_eq!(error.code, ErrorCode::NotFound);
    assert_eq!(
        fake.paths(),
        vec!["GET /contacts/200001"],
        "the lead was not deleted"
    );
}

#[test]
fn list_users_pages_until_the_limit_and_returns_users_only() {
    let fake = FakeTransport::new(vec![
        json(200, &page(1..61, Some("https://x/contacts?page=2"))),
        json(200, &page(61..121, Some("https://x/contacts?page=3"))),
        json(200, &page(121..181, Some("https://x/contacts?page=4"))),
    ]);
    let config = config();
    let options = j!({
        "limit": 45, "tag_id": 3, "segment_id": 2, "created_since": 1600000000u64,
        "status": "active", "order_by": "last_seen_at"
    });
    let found = call(&config, &fake, "list", j!(["users", options])).expect("listed");
    let found = found.as_array().expect("an array");
    assert_eq!(found.len(), 45);
    assert!(found.iter().all(|c| c["type"] == "user"));
    assert_eq!(
        fake.paths(),
        vec![
            "GET /contacts?order=desc&order_by=last_seen_at&segment_id=2&tag_id=3&created_since=1600000000&status=active&page=1&per_page=60",
            "GET /contacts?order=desc&order_by=last_seen_at&segment_id=2&tag_id=3&created_since=1600000000&status=active&page=2&per_page=60",
        ]
    );
}

#[test]
fn list_stops_on_an_empty_page_a_null_next_or_a_short_page_without_pages() {
    let config = config();
    let cases: Vec<(Vec<String>, usize)> = vec![
        (
            vec![
                page(1..61, Some("n")),
                j!({"contacts": [], "pages": {"next": "n"}}).to_string(),
            ],
            2,
        ),
        (vec![page(1..61, None)], 1),
        (
            vec![
                j!({"contacts": (1..61).map(|i| contact_json(i, Some(i))).collect::<Vec<_>>()})
                    .to_string(),
                j!({"contacts": (61..70).map(|i| contact_json(i, Some(i))).collect::<Vec<_>>()})
                    .to_string(),
            ],
            2,
        ),
    ];
    for (pages, expected_requests) in cases {
        let fake = FakeTransport::new(pages.iter().map(|p| json(200, p)).collect());
        call(&config, &fake, "list", j!(["users", {"limit": 10_000}])).expect("listed");
        assert_eq!(fake.sent.borrow().len(), expected_requests);
    }
}

#[test]
fn list_limit_must_be_between_1_and_10000() {
    let config = config();
    for limit in [0.0, 10_001.0, 2.5, -1.0] {
        let fake = FakeTransport::new(vec![]);
        let error =
            call(&config, &fake, "list", j!(["users", {"limit": limit}])).expect_err("bad limit");
        assert_eq!(error.code, ErrorCode::InvalidArgument);
        assert!(fake.sent.borrow().is_empty());
    }
}

#[test]
fn a_list_answer_without_contacts_is_an_invalid_response() {
    let fake = FakeTransport::new(vec![json(200, r#"{"users": []}"#)]);
    let config = config();
    let error = call(&config, &fake, "page", j!(["users", null, null])).expect_err("wrong shape");
    assert_eq!(error.code, ErrorCode::InvalidResponse);
    assert_eq!(error.path.as_deref(), Some("/contacts"));
}
