//! The Tags module: names kept as given, batches of 50, failures reported per target.

use crate::fake::{json, FakeTransport};
use crate::{call, config};
use getgist::internal::resources::tags::TagRequest;
use getgist::internal::transport::TransportError;
use getgist::ErrorCode;
use getgist::{json as j, Value};

fn tag_answer(id: u64, name: &str) -> String {
    j!({"tag": {"id": id, "name": name}}).to_string()
}

/// Each target in a result's `failed`, and its error's code.
fn failures(result: &Value) -> Vec<(&Value, &Value)> {
    let failed = result["failed"].as_array().expect("an array");
    failed
        .iter()
        .map(|f| (&f["target"], &f["error"]["code"]))
        .collect()
}

#[test]
fn create_update_delete_and_list_build_their_requests() {
    let fake = FakeTransport::new(vec![
        json(200, &tag_answer(7, "VIP")),
        json(200, &tag_answer(7, "vip")),
        json(200, "{}"),
        json(
            200,
            r#"{"tags": [{"id": 1, "name": "a"}, {"id": "2", "name": "b", "color": "red"}]}"#,
        ),
    ]);
    let config = config();
    let c = |name: &str, args: Value| call(&config, &fake, name, args);
    assert_eq!(c("createTag", j!(["VIP"])).expect("created")["name"], "VIP");
    assert_eq!(
        c("updateTag", j!([7, "vip"])).expect("renamed")["name"],
        "vip",
        "case kept as given"
    );
    assert_eq!(c("deleteTag", j!([7])).expect("deleted"), Value::Null);
    let listed = c("list", j!(["tags", null])).expect("listed");
    let listed = listed.as_array().expect("an array");
    assert_eq!(
        listed.iter().map(|t| &t["id"]).collect::<Vec<_>>(),
        vec![&j!(1), &j!(2)]
    );
    assert_eq!(listed[1]["color"], "red");
    assert_eq!(
        fake.paths(),
        vec![
            "POST /tags",
            "POST /tags",
            "DELETE /tags/7",
            "GET /tags?page=1&per_page=60"
        ]
    );
    assert_eq!(fake.body(0), j!({"name": "VIP"}));
    assert_eq!(fake.body(1), j!({"id": 7, "name": "vip"}));
    assert!(c("createTag", j!(["  "])).is_err());
}

#[test]
fn tagging_120_contacts_sends_three_batches_of_at_most_50() {
    let users: Vec<Value> = (1..=100).map(|id| j!({"id": id})).collect();
    let leads: Vec<Value> = (101..=120)
        .map(|id| j!({"id": id, "untag": true}))
        .collect();
    let request = j!({"tag": "Beta", "users": users, "leads": leads});
    let fake = FakeTransport::new((0..3).map(|_| json(200, &tag_answer(9, "Beta"))).collect());
    let config = config();
    let result = call(&config, &fake, "tagContacts", j!([request])).expect("tagged");
    assert_eq!(
        (&result["tagged"], &result["untagged"], &result["failed"]),
        (&j!(100), &j!(20), &j!([]))
    );
    assert_eq!(fake.paths(), vec!["POST /tags"; 3]);
    let sizes: Vec<usize> = (0..3)
        .map(|i| fake.body(i)["contacts"].as_array().map_or(0, Vec::len))
        .collect();
    assert_eq!(sizes, vec![50, 50, 20]);
    assert_eq!(fake.body(0)["name"], "Beta");
    assert_eq!(fake.body(0)["contacts"][0], j!({"id": 1}));
    assert_eq!(fake.body(2)["contacts"][19], j!({"id": 120, "untag": true}));
}

#[test]
fn targets_by_email_or_user_id_are_resolved_and_failures_reported_without_losing_the_rest() {
    let request = j!({
        "tag": "t",
        "users": [{"email": "a@example.com"}, {"user_id": "77"}, {"email": "ghost@example.com"}, {"name": "bad"}],
        "leads": [{"id": 5}]
    });
    let fake = FakeTransport::new(vec![
        json(
            200,
            r#"{"contact": {"id": 11, "type": "user", "user_id": "1", "email": "a@example.com"}}"#,
        ),
        json(
            200,
            r#"{"contact": {"id": 12, "type": "user", "user_id": "77"}}"#,
        ),
        json(
            404,
            r#"{"errors": [{"code": "not_found", "message": "Contact not found"}]}"#,
        ),
        json(200, &tag_answer(3, "t")),
    ]);
    let config = config();
    let result = call(&config, &fake, "tagContacts", j!([request])).expect("partly done");
    assert_eq!(result["tagged"], 3);
    assert_eq!(
        failures(&result),
        vec![
            (&j!({"email": "ghost@example.com"}), &j!("not_found")),
            (&j!({"name": "bad"}), &j!("invalid_argument"))
        ]
    );
    assert_eq!(
        fake.body(3)["contacts"],
        j!([{"id": 11}, {"id": 12}, {"id": 5}])
    );
}

#[test]
fn a_target_resolved_to_a_contact_of_the_other_type_is_reported_not_tagged() {
    let request = j!({
        "tag": "t",
        "users": [{"email": "lead@example.com"}, {"user_id": "7"}],
        "leads": [{"email": "user@example.com"}]
    });
    let fake = FakeTransport::new(vec![
        json(
            200,
            r#"{"contact": {"id": 1, "type": "lead", "email": "lead@example.com"}}"#,
        ),
        json(
            200,
            r#"{"contact": {"id": 2, "type": "user", "user_id": "7"}}"#,
        ),
        json(
            200,
            r#"{"contact": {"id": 3, "type": "user", "user_id": "8", "email": "user@example.com"}}"#,
        ),
        json(200, &tag_answer(3, "t")),
    ]);
    let config = config();
    let result = call(&config, &fake, "tagContacts", j!([request])).expect("partly done");
    assert_eq!(result["tagged"], 1);
    assert_eq!(
        failures(&result),
        vec![
            (&j!({"email": "lead@example.com"}), &j!("not_found")),
            (&j!({"email": "user@example.com"}), &j!("not_found"))
        ]
    );
    assert_eq!(fake.body(3)["contacts"], j!([{"id": 2}]));
}

#[test]
fn a_failed_batch_is_reported_and_the_other_batches_still_go_through() {
    let users: Vec<Value> = (1..=120).map(|id| j!({"id": id})).collect();
    let request = j!({"tag": "t", "users": users});
    let fake = FakeTransport::new(vec![
        json(200, &tag_answer(3, "t")),
        json(500, "{}"),
        json(200, &tag_answer(3, "t")),
    ]);
    let config = config();
    let result = call(&config, &fake, "tagContacts", j!([request])).expect("partly done");
    assert_eq!(result["tagged"], 70);
    let failed = result["failed"].as_array().expect("an array");
    assert_eq!(failed.len(), 50);
    assert!(failed
        .iter()
        .all(|f| f["error"]["code"] == ErrorCode::ServerError.as_str()));
    assert_eq!(failed[0]["target"], j!({"id": 51}));
    assert_eq!(
        fake.sent.borrow().len(),
        3,
        "a POST that got 500 is not retried"
    );
}

#[test]
fn tagging_rejects_only_when_nothing_could_be_done() {
    let request = j!({"tag": "t", "users": [{"id": 1}]});
    let fake = FakeTransport::new(vec![Err(TransportError::Network("down".into()))]);
    let config = config();
    let error = call(&config, &fake, "tagContacts", j!([request])).expect_err("nothing done");
    assert_eq!(error.code, ErrorCode::NetworkError);

    let empty = j!({"tag": "only-create"});
    let fake = FakeTransport::new(vec![json(200, &tag_answer(4, "only-create"))]);
    let result = call(&config, &fake, "tagContacts", j!([empty])).expect("tag created");
    assert_eq!((&result["tag"]["id"], &result["tagged"]), (&j!(4), &j!(0)));
    assert_eq!(fake.body(0), j!({"name": "only-create"}));
}

#[test]
fn a_bad_tag_request_is_an_invalid_argument() {
    for bad in [
        j!({}),
        j!({"tag": ""}),
        j!({"tag": "t", "users": {"id": 1}}),
        j!({"tag": "t", "groups": []}),
    ] {
        assert_eq!(
            TagRequest::from_value(bad.clone()).map_err(|e| e.code),
            Err(ErrorCode::InvalidArgument),
            "{bad}"
        );
    }
    let request =
        TagRequest::from_value(j!({"tag": "t", "users": [{"id": 1, "untag": "yes"}, {"id": 2}]}))
            .expect("kept");
    assert!(
        request.targets[0].reference.is_err(),
        "a bad untag is reported per target"
    );
    assert_eq!(
        TagRequest::from_value(j!({"tag": "t", "users": [{}, {"id": "x"}]})).map_err(|e| e.code),
        Err(ErrorCode::InvalidArgument),
        "every target malformed: nothing can be done"
    );
}

/// A target's `untag` or naming key given as `null` counts as not given (an outside review: "untag must
/// be true or false", and `{ id: null }` "id must be a whole number").
#[test]
fn a_target_field_given_as_null_counts_as_not_given() {
    let request = TagRequest::from_value(j!({"tag": "t", "users": [
        {"id": 1, "untag": null},
        {"id": null, "email": "a@b.c"},
        {"id": null},
    ]}))
    .expect("read");
    let targets = &request.targets;
    assert_eq!(
        (targets[0].reference.is_ok(), targets[0].untag),
        (true, false)
    );
    assert!(targets[1].reference.is_ok());
    let error = targets[2].reference.clone().expect_err("none given");
    assert!(
        error.message.contains("exactly one of"),
        "{}",
        error.message
    );
}

#[test]
fn a_batch_or_lookup_with_no_answer_fails_its_targets_and_the_rest_goes_on() {
    let users: Vec<Value> = (1..=60).map(|id| j!({"id": id})).collect();
    let request = j!({"tag": "t", "users": users, "leads": [{"email": "gone@example.com"}]});
    // The first batch (a POST, full before the lead's lookup) is not retried, the lookup (a GET) twice.
    let reset = || Err(TransportError::Network("reset".into()));
    let answered = json(200, &tag_answer(3, "t"));
    let fake = FakeTransport::new(vec![reset(), reset(), reset(), reset(), answered]);
    let config = config();
    let result = call(&config, &fake, "tagContacts", j!([request])).expect("partly done");
    assert_eq!(result["tagged"], 10);
    let codes: Vec<&Value> = failures(&result).into_iter().map(|(_, c)| c).collect();
    assert_eq!(
        codes,
        vec![&j!("network_error"); 51],
        "the first batch, the lookup"
    );
    let lookup = "GET /contacts?email=gone%40example.com";
    let sent = vec!["POST /tags", lookup, lookup, lookup, "POST /tags"];
    assert_eq!(fake.paths(), sent);
}

#[test]
fn a_full_batch_goes_before_the_next_lookups_so_a_deadline_among_them_keeps_it() {
    let email = |i: u64| format!("user{i}@example.com");
    let users: Vec<Value> = (1..=55).map(|i| j!({ "email": email(i) })).collect();
    let found = |i: u64| {
        let contact = j!({"contact": {"id": 1000 + i, "type": "user", "email": email(i)}});
        json(200, &contact.to_string())
    };
    let mut answers: Vec<_> = (1..=50).map(found).collect();
    answers.push(json(200, &tag_answer(3, "t")));
    answers.extend([found(51), found(52), Err(TransportError::Timeout)]);
    let fake = FakeTransport::new(answers);
    let config = config();
    let request = j!({"tag": "t", "users": users});
    let result = call(&config, &fake, "tagContacts", j!([request])).expect("the first batch done");
    assert_eq!(result["tagged"], 50);
    let failed = failures(&result);
    let timed_out: Vec<&Value> = failed.iter().map(|(target, _)| &target["email"]).collect();
    let expected: Vec<Value> = [53, 54, 55, 51, 52].map(|i| j!(email(i))).into();
    assert_eq!(timed_out, expected.iter().collect::<Vec<_>>());
    assert!(failed.iter().all(|(_, code)| *code == "timeout"));
    let paths = fake.paths();
    assert_eq!(
        paths.len(),
        54,
        "50 lookups, the batch, 3 lookups: nothing after the deadline"
    );
    assert_eq!(paths[50], "POST /tags");
    assert_eq!(fake.body(50)["contacts"].as_array().map(Vec::len), Some(50));
}

#[test]
fn a_contact_named_twice_is_sent_and_counted_once_and_named_to_both_ends_the_later_fails() {
    // Contact 11 by id, again by id, and by email; contact 12 tagged, then untagged.
    let request = j!({
        "tag": "t",
        "users": [{"id": 11}, {"id": 11}, {"email": "a@example.com"}, {"id": 12}, {"id": 12, "untag": true}]
    });
    let fake = FakeTransport::new(vec![
        json(
            200,
            r#"{"contact": {"id": 11, "type": "user", "user_id": "1", "email": "a@example.com"}}"#,
        ),
        json(200, &tag_answer(3, "t")),
    ]);
    let result = call(&config(), &fake, "tagContacts", j!([request])).expect("done");
    assert_eq!(fake.body(1)["contacts"], j!([{"id": 11}, {"id": 12}]));
    assert_eq!((&result["tagged"], &result["untagged"]), (&j!(2), &j!(0)));
    assert_eq!(
        failures(&result),
        vec![(&j!({"id": 12, "untag": true}), &j!("invalid_argument"))]
    );
}
