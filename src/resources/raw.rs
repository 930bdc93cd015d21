//! "Make an API Call": any request to a path of the API, answered whatever its status.
//!
//! The URL must be a path inside `baseUrl` ([`crate::url`]), so the API key never goes to another
//! host, and the `Authorization` header stays the client's own.

use crate::client::Client;
use crate::error::Error;
use crate::http::{HttpRequest, Method};
use crate::input::Fields;
use crate::json::{Map, Value};
use crate::transport::Transport;

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
            Value::Number(n) => n.as_str().to_owned(),
            Value::Bool(b) => b.to_string(),
            _ => {
                return Err(Error::invalid_argument(format!(
                    "request.query.{name} must be a string, number or boolean"
                )))
            }
        };
        request.query.push((name, text));
    }
    if let Some(body) = fields.take("body") {
        if matches!(method, Method::Get | Method::Delete) {
            return Err(Error::invalid_argument(
                "request.body: a GET or DELETE request has no body",
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
        Some(_) => Err(Error::invalid_argument(format!(
            "request.{key} must be an object"
        ))),
    }
}

/// The answer of an API call: `{ status, headers, body }`, `body` parsed as JSON or else the text.
pub async fn api_call<T: Transport>(
    client: &Client<'_, T>,
    request: &HttpRequest,
) -> Result<Value, Error> {
    let response = client.send_raw(request).await?;
    let headers: Map<String, Value> = response
        .headers
        .iter()
        .map(|(name, value)| (name.to_ascii_lowercase(), Value::String(value.clone())))
        .collect();
    let body = crate::json::from_str(&response.body).unwrap_or(Value::String(response.body));
    let mut answer = Map::new();
    answer.insert("status".into(), response.status.into());
    answer.insert("headers".into(), Value::Object(headers));
    answer.insert("body".into(), body);
    Ok(Value::Object(answer))
}
