//! `GistClient`, the JS class: each method converts its arguments, runs the core, converts back.

use super::convert::{from_js, to_js};
use super::fetch::FetchTransport;
use super::glue;
use super::iterator::{JsGistIterator, Source};
use crate::client::Client;
use crate::config::{check_timeout, ClientOptions, Config};
use crate::error::Error;
use crate::input;
use crate::models::ContactType;
use crate::resources::contacts::{ContactRef, ListContactsOptions};
use crate::resources::users::{self, NewUser, UserChanges};
use js_sys::Reflect;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// A client of the Gist API. Every method returns a Promise that rejects only with a `GistError`.
#[wasm_bindgen(js_name = GistClient)]
#[derive(Debug)]
pub struct JsGistClient {
    config: Rc<Config>,
    fetch: JsValue,
}

/// What one call needs: the shared configuration, a transport with the call's signal, its timeout.
pub(super) struct Call {
    config: Rc<Config>,
    transport: FetchTransport,
    timeout_ms: Option<f64>,
}

impl Call {
    /// The core client for this call; its deadline starts now.
    pub(super) fn client(&self) -> Client<'_, FetchTransport> {
        Client::new(&self.config, self.transport.clone(), self.timeout_ms)
    }
}

#[wasm_bindgen]
extern "C" {
    /// `RequestOptions` in TypeScript: `{ signal?, timeoutMs? }`.
    #[wasm_bindgen(typescript_type = "RequestOptions")]
    pub type RequestOptions;
    /// `ListContactsOptions` in TypeScript.
    #[wasm_bindgen(typescript_type = "ListContactsOptions")]
    pub type ListOptions;
}

fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

#[wasm_bindgen(js_class = GistClient)]
impl JsGistClient {
    /// Creates a client. Throws `GistError` (`invalid_argument`) for a missing key or bad options,
    /// and in a browser for Gist's own `baseUrl` unless `dangerouslyAllowBrowser` is true.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "GistClientOptions")] options: JsValue,
    ) -> Result<JsGistClient, JsValue> {
        if !options.is_object() {
            return Err(Error::invalid_argument(
                "new GistClient(options) needs an options object with apiKey",
            )
            .into());
        }
        let fetch = get(&options, "fetch");
        if !fetch.is_undefined() && !fetch.is_function() {
            return Err(Error::invalid_argument("fetch must be a function").into());
        }
        let parsed: ClientOptions = input::parse("options", from_js(&options, "options")?)?;
        let config = Config::from_options(parsed, glue::in_browser())?;
        Ok(Self {
            config: Rc::new(config),
            fetch,
        })
    }

    pub(super) fn call(&self, options: Option<RequestOptions>) -> Result<Call, JsValue> {
        let options: JsValue = options.map(Into::into).unwrap_or_default();
        let (signal, timeout) = if options.is_undefined() || options.is_null() {
            (JsValue::UNDEFINED, JsValue::UNDEFINED)
        } else if options.is_object() {
            (get(&options, "signal"), get(&options, "timeoutMs"))
        } else {
            return Err(Error::invalid_argument("request options must be an object").into());
        };
        if !signal.is_undefined() && !glue::is_abort_signal(&signal) {
            return Err(Error::invalid_argument("signal must be an AbortSignal").into());
        }
        let timeout_ms = match timeout.is_undefined() {
            true => None,
            false => match timeout.as_f64() {
                Some(ms) => Some(check_timeout(Some(ms), self.config.timeout_ms)?),
                None => {
                    return Err(
                        Error::invalid_argument("timeoutMs must be a positive number").into(),
                    )
                }
            },
        };
        Ok(Call {
            config: Rc::clone(&self.config),
            transport: FetchTransport::new(self.fetch.clone(), signal),
            timeout_ms,
        })
    }

    /// Creates a user (`POST /contacts`). `user_id` must be a whole number, else `invalid_argument`.
    #[wasm_bindgen(js_name = createUser, unchecked_return_type = "Contact")]
    pub async fn create_user(
        &self,
        #[wasm_bindgen(unchecked_param_type = "NewUser")] user: JsValue,
        options: Option<RequestOptions>,
    ) -> Result<JsValue, JsValue> {
        let call = self.call(options)?;
        let user = NewUser::from_value(from_js(&user, "user")?)?;
        to_js(&users::create_user(&call.client(), &user).await?)
    }

    /// Changes an existing user; never creates one: `not_found` when `ref` matches no user.
    #[wasm_bindgen(js_name = updateUser, unchecked_return_type = "Contact")]
    pub async fn update_user(
        &self,
        #[wasm_bindgen(js_name = ref, unchecked_param_type = "ContactRef")] reference: JsValue,
        #[wasm_bindgen(unchecked_param_type = "UserChanges")] changes: JsValue,
        options: Option<RequestOptions>,
    ) -> Result<JsValue, JsValue> {
        let call = self.call(options)?;
        let reference = user_ref(&reference)?;
        let changes = UserChanges::from_value(from_js(&changes, "changes")?)?;
        to_js(&users::update_user(&call.client(), &reference, &changes).await?)
    }

    /// Fetches a user by `{id}`, `{user_id}` or `{email}`; a lead or no match is `not_found`.
    #[wasm_bindgen(js_name = fetchUser, unchecked_return_type = "Contact")]
    pub async fn fetch_user(
        &self,
        #[wasm_bindgen(js_name = ref, unchecked_param_type = "ContactRef")] reference: JsValue,
        options: Option<RequestOptions>,
    ) -> Result<JsValue, JsValue> {
        let call = self.call(options)?;
        let reference = user_ref(&reference)?;
        to_js(&users::fetch_user(&call.client(), &reference).await?)
    }

    /// Lists users (never leads), paging until `limit` (default 100, at most 10000) or the end.
    #[wasm_bindgen(js_name = listUsers, unchecked_return_type = "Contact[]")]
    pub async fn list_users(
        &self,
        options: Option<ListOptions>,
        #[wasm_bindgen(js_name = requestOptions)] request_options: Option<RequestOptions>,
    ) -> Result<JsValue, JsValue> {
        let call = self.call(request_options)?;
        let options: ListContactsOptions = input::parse_options(
            "options",
            from_js(&options.map(Into::into).unwrap_or_default(), "options")?,
        )?;
        to_js(&users::list_users(&call.client(), &options).await?)
    }

    /// Deletes a user; a lead or no match is `not_found`.
    #[wasm_bindgen(js_name = deleteUser)]
    pub async fn delete_user(
        &self,
        #[wasm_bindgen(js_name = ref, unchecked_param_type = "ContactRef")] reference: JsValue,
        options: Option<RequestOptions>,
    ) -> Result<(), JsValue> {
        let call = self.call(options)?;
        let reference = user_ref(&reference)?;
        Ok(users::delete_user(&call.client(), &reference).await?)
    }

    /// Iterates over users one page at a time (`for await`); `limit` stops early, `break` stops fetching.
    #[wasm_bindgen(js_name = iterUsers, unchecked_return_type = "AsyncIterableIterator<Contact>")]
    pub fn iter_users(&self, options: Option<ListOptions>) -> Result<JsValue, JsValue> {
        let options: ListContactsOptions = input::parse_options(
            "options",
            from_js(&options.map(Into::into).unwrap_or_default(), "options")?,
        )?;
        let limit = input::limit(options.limit, None, u32::MAX)?;
        let call = self.call(None)?;
        Ok(JsGistIterator::start(
            call,
            Source::Contacts(ContactType::User, options),
            limit,
        ))
    }
}

fn user_ref(reference: &JsValue) -> Result<ContactRef, JsValue> {
    Ok(ContactRef::from_value(
        &from_js(reference, "ref")?,
        ContactType::User,
        &[],
    )?)
}
