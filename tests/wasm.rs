//! The wasm edge through real `fetch` against the mock Gist API on 127.0.0.1 (started by
//! `./build.sh test`). The same tests run in Node and, with WASM_BINDGEN_USE_BROWSER=1, in Chromium.

#![cfg(target_arch = "wasm32")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use gist_wasm::wasm::{normalize_event_name, JsGistClient, ListOptions, RequestOptions};
use js_sys::Reflect;
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

const MOCK_URL: &str = match option_env!("GIST_MOCK_URL") {
    Some(url) => url,
    None => "http://127.0.0.1:4010",
};

#[wasm_bindgen(inline_js = r#"
export async function post(url, body) {
  const r = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  if (!r.ok) throw new Error(`mock control ${url}: ${r.status}`);
}
export async function requestLog(url) {
  return (await (await fetch(url)).json()).requests;
}
export function signalAbortedAfter(ms) {
  const controller = new AbortController();
  setTimeout(() => controller.abort(), ms);
  return controller.signal;
}
export function isInstanceOfGistError(value) {
  return value instanceof Error && value.constructor.name === "GistError";
}
export function inBrowser() { return typeof window !== "undefined"; }
export async function firstLeadEmail(url) {
  const r = await fetch(`${url}/contacts?per_page=60`, { headers: { authorization: "Bearer mock-key" } });
  return (await r.json()).contacts.find((c) => c.type === "lead").email;
}
"#)]
extern "C" {
    async fn post(url: &str, body: JsValue);
    #[wasm_bindgen(js_name = requestLog)]
    async fn request_log(url: &str) -> JsValue;
    #[wasm_bindgen(js_name = signalAbortedAfter)]
    fn signal_aborted_after(ms: u32) -> JsValue;
    #[wasm_bindgen(js_name = isInstanceOfGistError)]
    fn is_instance_of_gist_error(value: &JsValue) -> bool;
    #[wasm_bindgen(js_name = inBrowser)]
    fn in_browser() -> bool;
    #[wasm_bindgen(js_name = firstLeadEmail)]
    async fn first_lead_email(url: &str) -> JsValue;
}

fn js(value: Value) -> JsValue {
    js_sys::JSON::parse(&value.to_string()).unwrap()
}

fn rust(value: &JsValue) -> Value {
    let text: String = js_sys::JSON::stringify(value).unwrap().into();
    serde_json::from_str(&text).unwrap()
}

fn field(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &key.into()).unwrap()
}

fn code(error: &JsValue) -> String {
    field(error, "code").as_string().unwrap_or_default()
}

fn options(value: Value) -> Option<RequestOptions> {
    Some(js(value).unchecked_into())
}

fn list_options(value: Value) -> Option<ListOptions> {
    Some(js(value).unchecked_into())
}

/// The JS class as a JS caller sees it: methods looked up by name on the object and awaited.
struct Gist(JsValue);

impl Gist {
    fn new(config: Value) -> Result<Self, JsValue> {
        JsGistClient::new(js(config).unchecked_into()).map(|c| Self(c.into()))
    }

    /// Calls `method` with `args`; a returned Promise is awaited.
    async fn call(&self, method: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
        let function: js_sys::Function = field(&self.0, method)
            .dyn_into()
            .unwrap_or_else(|_| panic!("no method {method}"));
        let result = function.apply(&self.0, &args.iter().collect::<js_sys::Array>())?;
        match result.dyn_into::<js_sys::Promise>() {
            Ok(promise) => JsFuture::from(promise).await,
            Err(value) => Ok(value),
        }
    }

    /// Calls `method` with JSON arguments and returns its JSON answer; panics when it rejects.
    async fn ok(&self, method: &str, args: &[Value]) -> Value {
        match self.json(method, args).await {
            Ok(value) => rust(&value),
            Err(error) => panic!("{method} rejected: {}", rust(&error)),
        }
    }

    /// Calls `method` with JSON arguments.
    async fn json(&self, method: &str, args: &[Value]) -> Result<JsValue, JsValue> {
        let args: Vec<JsValue> = args.iter().map(|a| js(a.clone())).collect();
        self.call(method, &args).await
    }

    async fn create_user(
        &self,
        user: JsValue,
        o: Option<RequestOptions>,
    ) -> Result<JsValue, JsValue> {
        self.call("createUser", &[user, o.map(Into::into).unwrap_or_default()])
            .await
    }
    async fn update_user(
        &self,
        r: JsValue,
        changes: JsValue,
        o: Option<RequestOptions>,
    ) -> Result<JsValue, JsValue> {
        self.call(
            "updateUser",
            &[r, changes, o.map(Into::into).unwrap_or_default()],
        )
        .await
    }
    async fn fetch_user(&self, r: JsValue, o: Option<RequestOptions>) -> Result<JsValue, JsValue> {
        self.call("fetchUser", &[r, o.map(Into::into).unwrap_or_default()])
            .await
    }
    async fn list_users(
        &self,
        l: Option<ListOptions>,
        o: Option<RequestOptions>,
    ) -> Result<JsValue, JsValue> {
        let l = l.map(Into::into).unwrap_or_default();
        self.call("listUsers", &[l, o.map(Into::into).unwrap_or_default()])
            .await
    }
    async fn delete_user(&self, r: JsValue, o: Option<RequestOptions>) -> Result<JsValue, JsValue> {
        self.call("deleteUser", &[r, o.map(Into::into).unwrap_or_default()])
            .await
    }
    fn iter_users(&self, l: Option<ListOptions>) -> Result<JsValue, JsValue> {
        let function: js_sys::Function = field(&self.0, "iterUsers").unchecked_into();
        function.call1(&self.0, &l.map(Into::into).unwrap_or_default())
    }
}

/// Drains an async iterator, calling `return()` after `stop_after` items when given.
async fn drain(iterator: &JsValue, stop_after: Option<usize>) -> Vec<Value> {
    let next: js_sys::Function = field(iterator, "next").unchecked_into();
    let mut items = Vec::new();
    loop {
        if Some(items.len()) == stop_after {
            let finish: js_sys::Function = field(iterator, "return").unchecked_into();
            let done = JsFuture::from(
                finish
                    .call0(iterator)
                    .unwrap()
                    .unchecked_into::<js_sys::Promise>(),
            )
            .await
            .unwrap();
            assert!(field(&done, "done").is_truthy());
            return items;
        }
        let step = JsFuture::from(
            next.call0(iterator)
                .unwrap()
                .unchecked_into::<js_sys::Promise>(),
        )
        .await
        .unwrap();
        if field(&step, "done").is_truthy() {
            return items;
        }
        items.push(rust(&field(&step, "value")));
    }
}

fn client_with(extra: Value) -> Gist {
    let mut config = json!({ "apiKey": "mock-key", "baseUrl": MOCK_URL });
    config
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    Gist::new(config).unwrap_or_else(|e| panic!("client: {}", rust(&e)))
}

fn client() -> Gist {
    client_with(json!({}))
}

async fn fail_next(rule: Value) {
    post(&format!("{MOCK_URL}/__mock/fail"), js(rule)).await;
}

/// How many requests the mock logged with this method and path whose query or body contains `needle`.
/// Tests run concurrently: each counts only requests that carry its own unique values.
async fn requests_to(method: &str, path: &str, needle: &str) -> usize {
    let log = rust(&request_log(&format!("{MOCK_URL}/__mock/requests")).await);
    let contains = |r: &Value, key: &str| r[key].as_str().is_some_and(|t| t.contains(needle));
    log.as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r["method"] == method
                && r["path"] == path
                && (contains(r, "query") || contains(r, "body"))
        })
        .count()
}

/// A user id no other test uses.
fn fresh_user_id() -> u64 {
    (js_sys::Date::now() as u64 % 1_000_000_000) * 1000 + (js_sys::Math::random() * 1000.0) as u64
}

async fn new_user(gist: &Gist) -> Value {
    let user_id = fresh_user_id();
    let created = gist
        .create_user(js(json!({ "user_id": user_id, "email": format!("u{user_id}+tag@example.com"), "name": "Wasm Test" })), None)
        .await
        .unwrap_or_else(|e| panic!("create: {}", rust(&e)));
    rust(&created)
}

#[wasm_bindgen_test]
async fn every_users_call_works_through_real_fetch() {
    let gist = client();
    let user = new_user(&gist).await;
    let id = user["id"].as_u64().unwrap();
    assert_eq!(user["type"], "user");
    assert!(
        user["user_id"].is_string(),
        "user_id comes back as a string"
    );
    assert_eq!(
        user["unsubscribed_from_emails"], false,
        "the mock's \"false\" became a boolean"
    );

    for reference in [
        json!({"id": id}),
        json!({"user_id": user["user_id"]}),
        json!({"email": user["email"]}),
    ] {
        let fetched = gist.fetch_user(js(reference.clone()), None).await.unwrap();
        assert_eq!(rust(&fetched)["id"], id, "by {reference}");
    }

    let updated = gist
        .update_user(
            js(json!({"id": id})),
            js(json!({"name": "Renamed", "custom_properties": {"plan": "pro"}})),
            None,
        )
        .await
        .unwrap();
    let updated = rust(&updated);
    assert_eq!(
        (updated["id"].as_u64(), updated["name"].as_str()),
        (Some(id), Some("Renamed"))
    );
    assert_eq!(updated["custom_properties"]["plan"], "pro");

    let listed = rust(
        &gist
            .list_users(list_options(json!({"limit": 75})), None)
            .await
            .unwrap(),
    );
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 75, "paged past the mock's 60 per page");
    assert!(listed.iter().all(|c| c["type"] == "user"), "users only");

    gist.delete_user(js(json!({"id": id})), None).await.unwrap();
    let gone = gist
        .fetch_user(js(json!({"id": id})), None)
        .await
        .unwrap_err();
    assert_eq!(code(&gone), "not_found");
}

#[wasm_bindgen_test]
async fn iter_users_yields_users_and_stops_at_its_limit() {
    let gist = client();
    let iterator = gist.iter_users(list_options(json!({"limit": 65}))).unwrap();
    let users = drain(&iterator, None).await;
    assert_eq!(users.len(), 65);
    assert!(users.iter().all(|u| u["type"] == "user"));
}

#[wasm_bindgen_test]
async fn breaking_out_of_iter_users_fetches_no_more_pages() {
    let gist = client();
    // The mock ignores `status`; it only marks this test's requests in the mock's log.
    let marker = format!("iter-{}", fresh_user_id());
    let iterator = gist
        .iter_users(list_options(json!({"status": marker})))
        .unwrap();
    let users = drain(&iterator, Some(10)).await;
    assert_eq!(users.len(), 10);
    assert_eq!(
        requests_to("GET", "/contacts", &marker).await,
        1,
        "one page was enough for 10 users"
    );
    let after = drain(&iterator, None).await;
    assert!(after.is_empty(), "a returned iterator is done");
    assert_eq!(requests_to("GET", "/contacts", &marker).await, 1);
}

#[wasm_bindgen_test]
async fn every_leads_call_works_through_real_fetch() {
    let gist = client();
    let email = format!("lead-{}@example.com", fresh_user_id());
    let lead = gist
        .ok("createLead", &[json!({"email": email, "name": "A Lead"})])
        .await;
    assert_eq!(
        (lead["type"].as_str(), lead["user_id"].is_null()),
        (Some("lead"), true)
    );
    let id = lead["id"].clone();
    assert_eq!(
        gist.ok("fetchLead", &[json!({"email": email})]).await["id"],
        id
    );
    let updated = gist
        .ok(
            "updateLead",
            &[json!({"id": id}), json!({"name": "Renamed"})],
        )
        .await;
    assert_eq!(updated["name"], "Renamed");

    let leads = gist.ok("listLeads", &[json!({"limit": 75})]).await;
    let leads = leads.as_array().unwrap();
    assert_eq!(
        leads.len(),
        75,
        "paged across several pages of mixed contacts"
    );
    assert!(leads.iter().all(|c| c["type"] == "lead"));
    let iterated = drain(
        &gist
            .json("iterLeads", &[json!({"limit": 3})])
            .await
            .unwrap(),
        None,
    )
    .await;
    assert_eq!(iterated.len(), 3);

    let user = new_user(&gist).await;
    let error = gist
        .json("fetchLead", &[json!({"id": user["id"]})])
        .await
        .unwrap_err();
    assert_eq!(code(&error), "not_found");
    gist.json("deleteLead", &[json!({"id": id})]).await.unwrap();
    assert_eq!(
        code(
            &gist
                .json("fetchLead", &[json!({"id": id})])
                .await
                .unwrap_err()
        ),
        "not_found"
    );
    assert_eq!(
        code(
            &gist
                .json("createLead", &[json!({"name": "no email"})])
                .await
                .unwrap_err()
        ),
        "invalid_argument"
    );
}

#[wasm_bindgen_test]
async fn every_tags_call_works_through_real_fetch() {
    let gist = client();
    let name = format!("Tag {}", fresh_user_id());
    let tag = gist.ok("createTag", &[json!(name)]).await;
    assert_eq!(tag["name"], name.as_str());
    let renamed = gist
        .ok(
            "updateTag",
            &[tag["id"].clone(), json!(name.to_uppercase())],
        )
        .await;
    assert_eq!(renamed["name"], name.to_uppercase());
    let listed = gist.ok("listTags", &[json!({"limit": 1000})]).await;
    assert!(listed
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["id"] == tag["id"]));
    let iterated = drain(&gist.json("iterTags", &[]).await.unwrap(), None).await;
    assert!(
        iterated.iter().any(|t| t["id"] == tag["id"]),
        "iterTags reaches the new tag"
    );
    gist.json("deleteTag", &[tag["id"].clone()]).await.unwrap();
    let listed = gist.ok("listTags", &[]).await;
    assert!(!listed
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["id"] == tag["id"]));
    assert_eq!(
        code(&gist.json("createTag", &[json!(42)]).await.unwrap_err()),
        "invalid_argument"
    );
    assert_eq!(
        code(&gist.json("deleteTag", &[json!("x")]).await.unwrap_err()),
        "invalid_argument"
    );
}

#[wasm_bindgen_test]
async fn tagging_120_contacts_makes_exactly_three_tag_requests() {
    let gist = client();
    let name = format!("bulk-{}", fresh_user_id());
    let users: Vec<Value> = (1001..1121).map(|id| json!({"id": id})).collect();
    let result = gist
        .ok("tagContacts", &[json!({"tag": name, "users": users})])
        .await;
    assert_eq!(
        (result["tagged"].as_u64(), result["untagged"].as_u64()),
        (Some(120), Some(0))
    );
    assert_eq!(result["failed"], json!([]));
    assert_eq!(requests_to("POST", "/tags", &name).await, 3);
    let tagged = rust(
        &gist
            .json("fetchUser", &[json!({"id": 1001})])
            .await
            .unwrap_or(JsValue::NULL),
    );
    let lead_or_user = if tagged.is_null() {
        gist.ok("fetchLead", &[json!({"id": 1001})]).await
    } else {
        tagged
    };
    assert!(lead_or_user["tags"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["name"] == name.as_str()));
}

#[wasm_bindgen_test]
async fn a_failing_batch_is_listed_in_failed_and_the_other_batches_succeed() {
    let gist = client();
    let name = format!("flaky-{}", fresh_user_id());
    fail_next(json!({"path": "/tags", "method": "POST", "status": 500, "bodyIncludes": name}))
        .await;
    let users: Vec<Value> = (1001..1121).map(|id| json!({"id": id})).collect();
    let leads = json!([{"email": "nobody-here@example.com"}]);
    let result = gist
        .ok(
            "tagContacts",
            &[json!({"tag": name, "users": users, "leads": leads})],
        )
        .await;
    assert_eq!(result["tagged"], 70);
    let failed = result["failed"].as_array().unwrap();
    assert_eq!(failed.len(), 51, "one batch of 50 and one unknown lead");
    assert_eq!(
        failed
            .iter()
            .filter(|f| f["error"]["code"] == "server_error")
            .count(),
        50
    );
    assert!(failed.iter().any(
        |f| f["target"] == json!({"email": "nobody-here@example.com"})
            && f["error"]["code"] == "not_found"
    ));
    assert_eq!(
        requests_to("POST", "/tags", &name).await,
        3,
        "the failed write was not retried"
    );
}

#[wasm_bindgen_test]
async fn segments_campaigns_and_events_work_through_real_fetch() {
    let gist = client();
    let segment = gist
        .ok("fetchSegment", &[json!(1), json!({"include_count": true})])
        .await;
    assert!(segment["count"].is_u64());
    let segments = gist
        .ok("listSegments", &[json!({"include_count": true})])
        .await;
    assert!(segments
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["count"].is_u64()));
    assert_eq!(
        drain(
            &gist
                .json("iterSegments", &[json!({"limit": 2})])
                .await
                .unwrap(),
            None
        )
        .await
        .len(),
        2
    );

    let campaign = gist.ok("fetchCampaign", &[json!(100)]).await;
    assert!(
        campaign["email_open_rate"].is_string(),
        "rates stay strings"
    );
    let campaigns = gist.ok("listCampaigns", &[json!({"limit": 2})]).await;
    assert_eq!(campaigns.as_array().unwrap().len(), 2);
    assert_eq!(
        drain(&gist.json("iterCampaigns", &[]).await.unwrap(), None)
            .await
            .len(),
        4
    );

    let user = new_user(&gist).await;
    let event = json!({"event_name": "order.completed$now", "user": {"email": user["email"]}, "properties": {"total": 12.5}});
    let recorded = gist.ok("recordEvent", &[event]).await;
    assert_eq!(recorded["name"], "order-completed-now");
    let listed = gist.ok("listEvents", &[json!({"limit": 10000})]).await;
    assert!(listed
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["id"] == recorded["id"]));
    assert!(
        !drain(&gist.json("iterEvents", &[]).await.unwrap(), Some(5))
            .await
            .is_empty()
    );
    assert_eq!(
        normalize_event_name("completed.order".into())
            .ok()
            .as_deref(),
        Some("completed-order")
    );
    assert!(normalize_event_name(42.into()).is_err());
}

#[wasm_bindgen_test]
async fn api_call_resolves_for_every_status_and_refuses_other_hosts() {
    let gist = client();
    let answer = gist
        .ok(
            "apiCall",
            &[json!({"url": "/contacts", "query": {"per_page": 2}})],
        )
        .await;
    assert_eq!(answer["status"], 200);
    assert_eq!(answer["body"]["contacts"].as_array().map(Vec::len), Some(2));
    let missing = gist.ok("apiCall", &[json!({"url": "/contacts/1"})]).await;
    assert_eq!(missing["status"], 404);
    assert_eq!(missing["body"]["errors"][0]["code"], "not_found");
    for url in ["http://127.0.0.1:9/x", "//127.0.0.1:9/x"] {
        assert_eq!(
            code(
                &gist
                    .json("apiCall", &[json!({"url": url})])
                    .await
                    .unwrap_err()
            ),
            "invalid_argument"
        );
    }
}

#[wasm_bindgen_test]
async fn a_lead_or_an_unknown_email_is_not_found_for_fetch_user() {
    let gist = client();
    let lead_email = first_lead_email(MOCK_URL).await.as_string().unwrap();
    let error = gist
        .fetch_user(js(json!({"email": lead_email})), None)
        .await
        .unwrap_err();
    assert_eq!(code(&error), "not_found");
    assert!(field(&error, "message")
        .as_string()
        .unwrap()
        .contains("is a lead"));

    let nobody = format!("nobody-{}", fresh_user_id());
    let error = gist
        .fetch_user(js(json!({"email": format!("{nobody}@example.com")})), None)
        .await
        .unwrap_err();
    assert_eq!(code(&error), "not_found");
    assert_eq!(field(&error, "status").as_f64(), Some(404.0));
    let message = field(&error, "message").as_string().unwrap();
    assert!(!message.contains(&nobody), "no email in the message");
    assert_eq!(
        requests_to("GET", "/contacts", &nobody).await,
        1,
        "a 404 is not retried"
    );
}

#[wasm_bindgen_test]
async fn a_timeout_and_an_abort_give_their_codes() {
    let gist = client();
    let user = new_user(&gist).await;
    let path = format!("/contacts/{}", user["id"]);
    fail_next(json!({"path": path, "delayMs": 3000, "status": 200, "body": "{}"})).await;
    let error = gist
        .fetch_user(
            js(json!({"id": user["id"]})),
            options(json!({"timeoutMs": 300})),
        )
        .await
        .unwrap_err();
    assert_eq!(code(&error), "timeout");

    fail_next(json!({"path": path, "delayMs": 3000, "status": 200, "body": "{}"})).await;
    let signal = signal_aborted_after(100);
    let opts: RequestOptions = js_sys::Object::new().unchecked_into();
    Reflect::set(&opts, &"signal".into(), &signal).unwrap();
    let error = gist
        .fetch_user(js(json!({"id": user["id"]})), Some(opts))
        .await
        .unwrap_err();
    assert_eq!(code(&error), "aborted");
}

#[wasm_bindgen_test]
async fn statuses_map_to_codes() {
    let gist = client_with(json!({"maxRetries": 0}));
    let user = new_user(&gist).await;
    let path = format!("/contacts/{}", user["id"]);
    let reference = json!({"id": user["id"]});

    let wrong_key = Gist::new(json!({"apiKey": "wrong", "baseUrl": MOCK_URL})).unwrap();
    let error = wrong_key
        .fetch_user(js(reference.clone()), None)
        .await
        .unwrap_err();
    assert_eq!(
        (code(&error), field(&error, "status").as_f64()),
        ("unauthorized".into(), Some(401.0))
    );
    assert!(
        !rust(&error).to_string().contains("wrong"),
        "the key is not in the error"
    );

    let error = gist
        .fetch_user(js(json!({"id": 1})), None)
        .await
        .unwrap_err();
    assert_eq!(code(&error), "not_found");
    assert_eq!(
        field(&error, "path").as_string().as_deref(),
        Some("/contacts/1")
    );
    assert_eq!(field(&error, "method").as_string().as_deref(), Some("GET"));

    fail_next(json!({"path": path, "status": 500})).await;
    let error = gist
        .fetch_user(js(reference.clone()), None)
        .await
        .unwrap_err();
    assert_eq!(
        (code(&error), field(&error, "status").as_f64()),
        ("server_error".into(), Some(500.0))
    );

    fail_next(json!({"path": path, "status": 200, "body": "<html>not json</html>"})).await;
    let error = gist.fetch_user(js(reference), None).await.unwrap_err();
    assert_eq!(code(&error), "invalid_response");
    assert!(is_instance_of_gist_error(&error));
    assert_eq!(
        field(&error, "name").as_string().as_deref(),
        Some("GistError")
    );
}

#[wasm_bindgen_test]
async fn a_read_that_gets_503_with_retry_after_succeeds_after_one_retry() {
    let gist = client();
    let user = new_user(&gist).await;
    let path = format!("/contacts/{}", user["id"]);
    fail_next(json!({"path": path, "status": 503, "headers": {"retry-after": "1"}})).await;
    let started = js_sys::Date::now();
    let fetched = gist
        .fetch_user(js(json!({"id": user["id"]})), None)
        .await
        .unwrap();
    assert_eq!(rust(&fetched)["id"], user["id"]);
    assert_eq!(requests_to("GET", &path, "").await, 2, "one retry");
    assert!(
        js_sys::Date::now() - started >= 900.0,
        "it waited for Retry-After"
    );
}

#[wasm_bindgen_test]
async fn a_create_that_gets_500_is_sent_exactly_once() {
    let gist = client();
    let user_id = fresh_user_id().to_string();
    let marker = format!("\"user_id\":\"{user_id}\"");
    fail_next(
        json!({"path": "/contacts", "method": "POST", "status": 500, "bodyIncludes": marker}),
    )
    .await;
    let error = gist
        .create_user(js(json!({"user_id": user_id})), None)
        .await
        .unwrap_err();
    assert_eq!(code(&error), "server_error");
    assert_eq!(requests_to("POST", "/contacts", &marker).await, 1);
}

#[wasm_bindgen_test]
async fn a_deadline_shorter_than_retry_after_fails_without_waiting() {
    let gist = client();
    let user = new_user(&gist).await;
    let path = format!("/contacts/{}", user["id"]);
    fail_next(json!({"path": path, "status": 429, "headers": {"retry-after": "5"}})).await;
    let started = js_sys::Date::now();
    let error = gist
        .fetch_user(
            js(json!({"id": user["id"]})),
            options(json!({"timeoutMs": 2000})),
        )
        .await
        .unwrap_err();
    assert_eq!(code(&error), "rate_limited");
    assert_eq!(field(&error, "retryAfter").as_f64(), Some(5.0));
    assert!(
        js_sys::Date::now() - started < 2000.0,
        "did not wait out the 5 s"
    );
}

#[wasm_bindgen_test]
async fn bad_input_is_an_invalid_argument_and_the_instance_keeps_working() {
    let gist = client();
    let bad_users = [
        json!({"user_id": "abc"}),
        json!({"email": "no-user-id@example.com"}),
        json!({"user_id": 1, "name": 42}),
        json!("a string"),
        json!(null),
    ];
    for bad in bad_users {
        let error = gist.create_user(js(bad.clone()), None).await.unwrap_err();
        assert_eq!(code(&error), "invalid_argument", "{bad}");
        assert!(is_instance_of_gist_error(&error));
    }
    let nan = js_sys::Object::new();
    Reflect::set(&nan, &"user_id".into(), &1.into()).unwrap();
    let props = js_sys::Object::new();
    Reflect::set(&props, &"score".into(), &f64::NAN.into()).unwrap();
    Reflect::set(&nan, &"custom_properties".into(), &props).unwrap();
    assert_eq!(
        code(&gist.create_user(nan.into(), None).await.unwrap_err()),
        "invalid_argument"
    );
    let bigint = js_sys::Object::new();
    Reflect::set(
        &bigint,
        &"user_id".into(),
        &js_sys::BigInt::from(5u64).into(),
    )
    .unwrap();
    assert_eq!(
        code(&gist.create_user(bigint.into(), None).await.unwrap_err()),
        "invalid_argument"
    );

    for bad_ref in [
        json!({}),
        json!({"id": "x"}),
        json!({"id": 1, "email": "a@b.c"}),
    ] {
        assert_eq!(
            code(&gist.fetch_user(js(bad_ref), None).await.unwrap_err()),
            "invalid_argument"
        );
    }
    assert_eq!(
        code(
            &gist
                .list_users(list_options(json!({"limit": 0})), None)
                .await
                .unwrap_err()
        ),
        "invalid_argument"
    );
    assert_eq!(
        code(
            &gist
                .list_users(list_options(json!({"order": "up"})), None)
                .await
                .unwrap_err()
        ),
        "invalid_argument"
    );
    let bad_timeout = gist
        .list_users(None, options(json!({"timeoutMs": -5})))
        .await
        .unwrap_err();
    assert_eq!(code(&bad_timeout), "invalid_argument");

    for bad_config in [
        json!({}),
        json!({"apiKey": ""}),
        json!({"apiKey": "k", "fetch": "nope"}),
        json!({"apiKey": "k", "timeout": 5}),
    ] {
        let error = Gist::new(bad_config.clone()).map(|_| ()).unwrap_err();
        assert_eq!(code(&error), "invalid_argument", "{bad_config}");
    }

    let still_works = rust(
        &gist
            .list_users(list_options(json!({"limit": 3})), None)
            .await
            .unwrap(),
    );
    assert_eq!(still_works.as_array().map(Vec::len), Some(3));
}

#[wasm_bindgen_test]
fn gists_own_host_needs_an_opt_in_in_a_browser_only() {
    let result = Gist::new(json!({"apiKey": "k"}));
    if in_browser() {
        assert_eq!(code(&result.map(|_| ()).unwrap_err()), "invalid_argument");
        assert!(Gist::new(json!({"apiKey": "k", "dangerouslyAllowBrowser": true})).is_ok());
    } else {
        assert!(result.is_ok());
    }
}

#[wasm_bindgen(inline_js = r#"
export function headersOf(record) { return new Headers(record); }
export function requestOf(body, headers) { return new Request("http://receiver.test/hook", { method: "POST", body, headers }); }
"#)]
extern "C" {
    #[wasm_bindgen(js_name = headersOf)]
    fn headers_of(record: JsValue) -> JsValue;
    #[wasm_bindgen(js_name = requestOf)]
    fn request_of(body: &str, headers: JsValue) -> JsValue;
}

const CONTACT_HOOK: &str = r#"{"topic":"contact.tagged","contact":{"id":1001,"user_id":5001,"unsubscribed_from_emails":"true","tags":[{"id":3,"name":"VIP"}]}}"#;
// HMAC-SHA256 of CONTACT_HOOK with the key "s3cret", in hex.
fn contact_hook_signature() -> String {
    use hmac::{KeyInit, Mac};
    let mut mac = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(b"s3cret").unwrap();
    mac.update(CONTACT_HOOK.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[wasm_bindgen_test]
fn parse_webhook_types_contact_payloads_and_refuses_only_non_objects() {
    let event = rust(&gist_wasm::wasm::parse_webhook(CONTACT_HOOK.into(), None).unwrap());
    assert_eq!(event["kind"], "contact");
    assert_eq!(event["topic"], "contact.tagged");
    assert_eq!(event["contact"]["user_id"], "5001");
    assert_eq!(event["contact"]["unsubscribed_from_emails"], true);
    assert_eq!(event["payload"]["contact"]["tags"][0]["name"], "VIP");

    let headers = headers_of(js(json!({"X-Gist-Event": "meeting.scheduled"}))).unchecked_into();
    let unknown =
        rust(&gist_wasm::wasm::parse_webhook(r#"{"meeting":{}}"#.into(), Some(headers)).unwrap());
    assert_eq!(
        (unknown["kind"].as_str(), unknown["topic"].as_str()),
        (Some("unknown"), Some("meeting.scheduled"))
    );

    for body in ["<html>", "[1]", ""] {
        let error = gist_wasm::wasm::parse_webhook(body.into(), None).unwrap_err();
        assert_eq!(code(&error), "invalid_webhook");
        assert!(is_instance_of_gist_error(&error));
    }
    assert_eq!(
        code(&gist_wasm::wasm::parse_webhook(JsValue::from(5), None).unwrap_err()),
        "invalid_argument"
    );
}

#[wasm_bindgen_test]
async fn verify_webhook_checks_tokens_and_signatures_with_rotation() {
    let verify = |body: &str, headers: JsValue, options: Value| {
        let request = js_sys::Object::new();
        Reflect::set(&request, &"body".into(), &body.into()).unwrap();
        Reflect::set(&request, &"headers".into(), &headers).unwrap();
        JsFuture::from(gist_wasm::wasm::verify_webhook(
            request.unchecked_into(),
            js(options).unchecked_into(),
        ))
    };
    let token = json!({"secret": ["old", "s3cret"]});
    assert_eq!(
        verify(
            CONTACT_HOOK,
            js(json!({"x-gist-webhook-token": "s3cret"})),
            token.clone()
        )
        .await
        .unwrap(),
        true
    );
    assert_eq!(
        verify(
            CONTACT_HOOK,
            js(json!({"x-gist-webhook-token": "forged"})),
            token.clone()
        )
        .await
        .unwrap(),
        false
    );
    assert_eq!(
        verify(CONTACT_HOOK, js(json!({})), token).await.unwrap(),
        false
    );

    let hmac = json!({"secret": "s3cret", "scheme": "hmac-sha256"});
    let signed = headers_of(js(
        json!({"X-Gist-Signature": format!("sha256={}", contact_hook_signature())}),
    ));
    assert_eq!(
        verify(CONTACT_HOOK, signed.clone(), hmac.clone())
            .await
            .unwrap(),
        true
    );
    assert_eq!(
        verify(&CONTACT_HOOK.replace("VIP", "vip"), signed, hmac)
            .await
            .unwrap(),
        false,
        "a changed body fails"
    );

    let error = verify(CONTACT_HOOK, js(json!({})), json!({"secret": ""}))
        .await
        .unwrap_err();
    assert_eq!(code(&error), "invalid_argument");
}

#[wasm_bindgen_test]
async fn handle_webhook_reads_verifies_and_parses_a_request() {
    let handle = |request: JsValue, options: Option<Value>| {
        JsFuture::from(gist_wasm::wasm::handle_webhook(
            request.unchecked_into(),
            options.map(|o| js(o).unchecked_into()),
        ))
    };
    let verify = json!({"verify": {"secret": "s3cret", "scheme": "hmac-sha256"}});
    let signature = js(json!({"x-gist-signature": contact_hook_signature()}));
    let event = handle(
        request_of(CONTACT_HOOK, signature.clone()),
        Some(verify.clone()),
    )
    .await
    .unwrap();
    assert_eq!(rust(&event)["kind"], "contact");

    let forged = handle(
        request_of(CONTACT_HOOK, js(json!({"x-gist-signature": "00"}))),
        Some(verify.clone()),
    )
    .await
    .unwrap_err();
    assert_eq!(
        (code(&forged), field(&forged, "status").as_f64()),
        ("invalid_webhook".into(), Some(401.0))
    );

    let malformed = handle(request_of("not json", js(json!({}))), None)
        .await
        .unwrap_err();
    assert_eq!(
        (code(&malformed), field(&malformed, "status").as_f64()),
        ("invalid_webhook".into(), Some(400.0))
    );

    let unverified_without_options = handle(request_of(CONTACT_HOOK, js(json!({}))), None)
        .await
        .unwrap();
    assert_eq!(rust(&unverified_without_options)["contact"]["id"], 1001);
}

#[wasm_bindgen_test]
async fn an_abort_cuts_a_retry_wait_short() {
    let gist = client();
    let user = new_user(&gist).await;
    let path = format!("/contacts/{}", user["id"]);
    fail_next(json!({"path": path, "status": 503, "headers": {"retry-after": "5"}})).await;
    let opts: RequestOptions = js_sys::Object::new().unchecked_into();
    Reflect::set(&opts, &"signal".into(), &signal_aborted_after(300)).unwrap();
    Reflect::set(&opts, &"timeoutMs".into(), &20_000.into()).unwrap();
    let started = js_sys::Date::now();
    let error = gist
        .fetch_user(js(json!({"id": user["id"]})), Some(opts))
        .await
        .unwrap_err();
    assert_eq!(code(&error), "aborted");
    let waited = js_sys::Date::now() - started;
    assert!(
        waited < 3000.0,
        "the 5 s wait was cut short after {waited} ms"
    );
    assert_eq!(requests_to("GET", &path, "").await, 1, "no retry was sent");
}
