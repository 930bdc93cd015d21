//! The service's two routes.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use getgist::{
    header_pairs, normalize_event_name, parse_webhook, verify_webhook, ContactInput, ContactRef,
    ErrorCode, NewEvent,
};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::App;

/// The largest delivery read: as the JS `handleWebhook`'s `maxBodyBytes` (413 past it).
const MAX_BODY_BYTES: usize = 1 << 20;

type Answer = (StatusCode, Json<Value>);

/// `POST /signup` and `POST /webhooks/gist`.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/signup", post(signup))
        .route("/webhooks/gist", post(webhook))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(app)
}

/// What a signup form sends.
#[derive(Deserialize)]
struct Signup {
    user_id: String,
    email: String,
    name: Option<String>,
}

/// Upserts the user in Gist (a second signup with the same `user_id` updates it); answers its Gist id.
async fn signup(State(app): State<Arc<App>>, Json(form): Json<Signup>) -> Answer {
    let mut user = ContactInput::user(form.user_id).email(form.email);
    if let Some(name) = form.name {
        user = user.name(name);
    }
    match app.gist.create_user(user).await {
        Ok(contact) => (StatusCode::OK, Json(json!({ "id": contact.id }))),
        // The crate's errors never hold the key or an email: safe to answer and to log.
        Err(error) if error.code == ErrorCode::InvalidArgument => (
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": error.message })),
        ),
        Err(error) => {
            eprintln!("signup: {error}");
            (
                StatusCode::BAD_GATEWAY,
                Json(json!({ "error": error.code.as_str() })),
            )
        }
    }
}

/// Verifies and parses a delivery (fail closed: 401 unless verified, 400 unless a JSON object), answers
/// at once, then records a contact event back in Gist as `webhook-<topic>` on that contact.
async fn webhook(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Answer {
    let headers = header_pairs(&headers);
    if !verify_webhook(&body, &headers, &app.verify) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "error": "unverified" })),
        );
    }
    let Ok(text) = std::str::from_utf8(&body) else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": "the body is not UTF-8" })),
        );
    };
    let event = match parse_webhook(text, &headers) {
        Ok(event) => event,
        Err(error) => {
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({ "error": error.message })),
            )
        }
    };
    if let Some(contact) = event.contact {
        let name = normalize_event_name(&format!(
            "webhook.{}",
            event.topic.as_deref().unwrap_or(event.kind.as_str())
        ));
        let target = ContactRef::id(contact.id);
        let recorded = if contact.kind == getgist::ContactType::User {
            NewEvent::user(name, target)
        } else {
            NewEvent::lead(name, target)
        };
        let gist = app.gist.clone();
        // Not awaited: the answer goes at once (Gist retries a delivery it does not see answered soon).
        tokio::spawn(async move {
            if let Err(error) = gist.record_event(recorded).await {
                eprintln!("record_event: {}", error.code.as_str());
            }
        });
    }
    (StatusCode::OK, Json(json!({ "ok": true })))
}
