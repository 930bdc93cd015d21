//! "Make an API Call": any request to a path of the API, answered whatever its status.
//!
//! The URL must be a path inside `baseUrl` ([`crate::url`]), so the API key never goes to another
//! host, and the `Authorization` header stays the client's own.

use crate::endpoints::Endpoint;
use crate::error::Error;
use crate::flows::{single, Read};
use crate::http::{HttpRequest, Method};
use crate::input::Fields;
use crate::json::{Map, Value};
use crate::text::text;

/// `apiCall(request)`: answered `{ status, headers, body }` whatever the status.
pub const ENDPOINTS: &[Endpoint] = &[endpoint! {
    /// Calls any path of the API (relative to `baseUrl`) and resolves for every HTTP status with
    /// `{ status, headers, body }`; rejects on network failure, timeout or abort.
    apiCall("request: ApiCallRequest") -> "ApiCallResponse",
    |args| Ok(single(read_call(args.arg())?, Read::Raw)),
}];

const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/// Reads `{ url, method?, headers?, query?, body? }` into a request.
pub fn read_call(value: Value) -> Result<HttpRequest, Error> {
    let mut fields = Fields::new(value, "request")?;
    let url = fields
        .string("url")?
        .ok_or_else(|| Error::invalid_argument("request.url is required"))?;
    crate::url::check_path(&url)?;
    let method = fields
        .choice("method", &METHODS)?
        .and_then(Method::parse)
        .unwrap_or(Method::Get);
    let mut request = HttpRequest::new(method, url);
    request.headers = fields.headers("headers")?;
    for (name, value) in object(&mut fields, "query")? {
        let text = match value {
            Value::String(s) => s,
            Value::Number(_) | Value::Bool(_) => value.to_json(),
            _ => {
                return Err(Error::invalid_argument(text!(
                    "request.query.{} must be a string, number or boolean",
                    name
                )))
            }
        };
        request.query.push((name, text));
    }
    // A url that ends with its query's `?` or an `&` of it takes the query's first pair at once.
    let ends_query =
        request.path.contains('?') && matches!(request.path.as_bytes().last(), Some(b'?' | b'&'));
    if !request.query.is_empty() && ends_query {
        request.path.truncate(request.path.len() - 1);
    }
    if let Some(body) = fields.take("body") {
        if matches!(method, Method::Get | Method::Delete) {
            return Err(Error::invalid_argument(
                "request.body: a GET or DELETE request has no body",
            ));
        }
        if body.is_string() {
            return Err(Error::invalid_argument(
                "request.body is a string, which would be sent as a JSON string: pass the value itself (apiCall writes its JSON)",
            ));
        }
        request.body = Some(body);
    }
    fields.finish()?;
    Ok(request)
}

fn object(fields: &mut Fields, key: &str) -> Result<Map<String, Value>, Error> {
    match fields.take(key) {
        None => Ok(Map::new()),
        Some(Value::Object(map)) => Ok(map),
        Some(_) => Err(Error::invalid_argument(text!(
            "request.{} must be an object",
            key
        ))),
    }
}
