//! The Leads module: `"type": "lead"` on create, leads only, named by id or email.

use crate::fake::{fixture, json, FakeTransport};
use crate::{call, config};
use getgist::internal::resources::contacts::ContactRef;
use getgist::internal::resources::leads::{lead_ref, NewLead};
use getgist::ErrorCode;
use getgist::{json as j, Value};

#[test]
fn create_lead_posts_type_lead_and_needs_an_email() {
    let fake = FakeTransport::new(vec![json(200, &fixture("contact_lead.json"))]);
    let config = config();
    let lead = j!({"email": "lead@example.com", "name": "L", "tags": ["x"]});
    let contact = call(&config, &fake, "createLead", j!([lead])).expect("created");
    assert_eq!(contact["type"], "lead");
    assert_eq!(fake.paths(), vec!["POST /contacts"]);
    assert_eq!(
        fake.body(0),
        j!({"type": "lead", "email": "lead@example.com", "name": "L", "tags": ["x"]})
    );

    for bad in [
        j!({"name": "no email"}),
        j!({"email": "a@b.c", "user_id": 5}),
        j!({"email": "a@b.c", "mail": 1}),
    ] {
        let error = NewLead::from_value(bad.clone()).expect_err("rejected");
        assert_eq!(error.code, ErrorCode::InvalidArgument, "{bad}");
    }
}

#[test]
fn a_lead_is_named_by_id_or_email_only() {
    assert_eq!(lead_ref(&j!({"id": 3})), Ok(ContactRef::Id(3)));
    assert_eq!(
        lead_ref(&j!({"email": "a@b.c"})),
        Ok(ContactRef::Email("a@b.c".into()))
    );
    assert!(lead_ref(&j!({"user_id": 3})).is_err());
}

#[test]
fn update_lead_checks_the_type_then_posts_with_id_and_email() {
    let fake = FakeTransport::new(vec![
        json(200, &fixture("contact_lead.json")),
        json(200, &fixture("contact_lead.json")),
    ]);
    let config = config();
    let changes = j!({"name": "New"});
    call(
        &config,
        &fake,
        "updateLead",
        j!([{"id": 200001}, changes.clone()]),
    )
    .expect("updated");
    assert_eq!(fake.paths(), vec!["GET /contacts/200001", "POST /contacts"]);
    assert_eq!(
        fake.body(1),
        j!({"id": 200001, "email": "lead@example.com", "type": "lead", "name": "New"})
    );

    let fake = FakeTransport::new(vec![json(200, &fixture("contact_user_quirks.json"))]);
    let error =
        call(&config, &fake, "updateLead", j!([{"id": 179351}, changes])).expect_err("a user");
    assert_eq!(error.code, ErrorCode::NotFound);
    assert!(error.message.contains("updateUser"), "{}", error.message);
    assert_eq!(fake.sent.borrow().len(), 1, "nothing was posted");
}

#[test]
fn list_leads_returns_leads_only() {
    let contacts: Vec<Value> = (1..=60)
        .map(|i| j!({"id": i, "user_id": if i % 3 == 0 { Value::from(i) } else { Value::Null }}))
        .collect();
    let fake = FakeTransport::new(vec![json(
        200,
        &j!({"contacts": contacts, "pages": {"next": null}}).to_string(),
    )]);
    let config = config();
    let found = call(&config, &fake, "list", j!(["leads", null])).expect("listed");
    let found = found.as_array().expect("an array");
    assert_eq!(found.len(), 40);
    assert!(found.iter().all(|c| c["type"] == "lead"));
}

#[test]
fn delete_lead_of_a_user_is_not_found_and_deletes_nothing() {
    let fake = FakeTransport::new(vec![json(200, &fixture("contact_user_quirks.json"))]);
    let config = config();
    let error = call(
        &config,
        &fake,
        "deleteLead",
        j!([{"email": "rubamaga@example.com"}]),
    )
    .expect_err("user");
    assert_eq!(error.code, ErrorCode::NotFound);
    assert_eq!(
        fake.paths(),
        vec!["GET /contacts?email=rubamaga%40example.com"]
    );
}
