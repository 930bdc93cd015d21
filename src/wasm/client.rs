//! `GistClient`, the JS class: each method reads its arguments, runs the core, and settles a Promise.

use super::convert::from_js;
use super::fetch::FetchTransport;
use super::glue;
use super::iterator::{JsGistIterator, Source};
use super::promise::settle;
use crate::client::Client;
use crate::config::{check_timeout, ClientOptions, Config};
use crate::error::Error;
use crate::input;
use crate::models::{Contact, ContactType};
use crate::resources::contacts::{ContactRef, ListContactsOptions};
use crate::resources::users::{self, NewUser, UserChanges};
use js_sys::{Promise, Reflect};
use serde_json::Value;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `GistClientOptions` in TypeScript.
    #[wasm_bindgen(typescript_type = "GistClientOptions")]
    pub type JsClientOptions;
    /// `RequestOptions` in TypeScript: `{ signal?, timeoutMs? }`.
    #[wasm_bindgen(typescript_type = "RequestOptions")]
    pub type RequestOptions;
    /// `ListContactsOptions` in TypeScript.
    #[wasm_bindgen(typescript_type = "ListContactsOptions")]
    pub type ListOptions;
    /// `ContactRef` in TypeScript.
    #[wasm_bindgen(typescript_type = "ContactRef")]
    pub type JsContactRef;
    /// `NewUser` in TypeScript.
    #[wasm_bindgen(typescript_type = "NewUser")]
    pub type JsNewUser;
    /// `UserChanges` in TypeScript.
    #[wasm_bindgen(typescript_type = "UserChanges")]
    pub type JsUserChanges;
}

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

fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

fn user_ref(reference: &JsValue) -> Result<ContactRef, Error> {
    ContactRef::from_value(&from_js(reference, "ref")?, ContactType::User, &[])
}

fn list_options(options: Option<ListOptions>) -> Result<ListContactsOptions, Error> {
    let options: JsValue = options.map(Into::into).unwrap_or_default();
    ListContactsOptions::from_value(from_js(&options, "options")?)
}

fn contacts_json(contacts: Vec<Contact>) -> Value {
    Value::Array(contacts.iter().map(Contact::to_value).collect())
}

#[wasm_bindgen(js_class = GistClient)]
impl JsGistClient {
    /// Creates a client. Throws `GistError` (`invalid_argument`) for a missing key or bad options,
    /// and in a browser for Gist's own `baseUrl` unless `dangerouslyAllowBrowser` is true.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsClientOptions) -> Result<JsGistClient, JsValue> {
        let options: JsValue = options.into();
        Ok(Self::from_options(&options)?)
    }

    fn from_options(options: &JsValue) -> Result<JsGistClient, Error> {
        if !options.is_object() {
            return Err(Error::invalid_argument(
                "new GistClient(options) needs an options object with apiKey",
            ));
        }
        let fetch = get(options, "fetch");
        if !fetch.is_undefined() && !fetch.is_function() {
            return Err(Error::invalid_argument("fetch must be a function"));
        }
        let parsed = ClientOptions::from_value(from_js(options, "options")?)?;
        let config = Config::from_options(parsed, glue::in_browser())?;
        Ok(Self {
            config: Rc::new(config),
            fetch,
        })
    }

    pub(super) fn call(&self, options: Option<RequestOptions>) -> Result<Call, Error> {
        let options: JsValue = options.map(Into::into).unwrap_or_default();
        let (signal, timeout) = if options.is_undefined() || options.is_null() {
            (JsValue::UNDEFINED, JsValue::UNDEFINED)
        } else if options.is_object() {
            (get(&options, "signal"), get(&options, "timeoutMs"))
        } else {
            return Err(Error::invalid_argument("request options must be an object"));
        };
        if !signal.is_undefined() && !glue::is_abort_signal(&signal) {
            return Err(Error::invalid_argument("signal must be an AbortSignal"));
        }
        let timeout_ms = match (timeout.is_undefined(), timeout.as_f64()) {
            (true, _) => None,
            (false, Some(ms)) => Some(check_timeout(Some(ms), self.config.timeout_ms)?),
            (false, None) => {
                return Err(Error::invalid_argument(
                    "timeoutMs must be a positive number",
                ))
            }
        };
        Ok(Call {
            config: Rc::clone(&self.config),
            transport: FetchTransport::new(self.fetch.clone(), signal),
            timeout_ms,
        })
    }

    /// Creates a user (`POST /contacts`). `user_id` must be a whole number, else `invalid_argument`.
    #[wasm_bindgen(js_name = createUser, unchecked_return_type = "Promise<Contact>")]
    pub fn create_user(&self, user: JsNewUser, options: Option<RequestOptions>) -> Promise {
        let args = (|| {
            Ok((
                self.call(options)?,
                NewUser::from_value(from_js(&user, "user")?)?,
            ))
        })();
        settle(args, |(call, user)| async move {
            Ok(users::create_user(&call.client(), &user).await?.to_value())
        })
    }

    /// Changes an existing user; never creates one: `not_found` when `ref` matches no user.
    #[wasm_bindgen(js_name = updateUser, unchecked_return_type = "Promise<Contact>")]
    pub fn update_user(
        &self,
        #[wasm_bindgen(js_name = ref)] reference: JsContactRef,
        changes: JsUserChanges,
        options: Option<RequestOptions>,
    ) -> Promise {
        let args = (|| {
            let changes = UserChanges::from_value(from_js(&changes, "changes")?)?;
            Ok((self.call(options)?, user_ref(&reference)?, changes))
        })();
        settle(args, |(call, reference, changes)| async move {
            Ok(users::update_user(&call.client(), &reference, &changes)
                .await?
                .to_value())
        })
    }

    /// Fetches a user by `{id}`, `{user_id}` or `{email}`; a lead or no match is `not_found`.
    #[wasm_bindgen(js_name = fetchUser, unchecked_return_type = "Promise<Contact>")]
    pub fn fetch_user(
        &self,
        #[wasm_bindgen(js_name = ref)] reference: JsContactRef,
        options: Option<RequestOptions>,
    ) -> Promise {
        let args = (|| Ok((self.call(options)?, user_ref(&reference)?)))();
        settle(args, |(call, reference)| async move {
            Ok(users::fetch_user(&call.client(), &reference)
                .await?
                .to_value())
        })
    }

    /// Lists users (never leads), paging until `limit` (default 100, at most 10000) or the end.
    #[wasm_bindgen(js_name = listUsers, unchecked_return_type = "Promise<Contact[]>")]
    pub fn list_users(
        &self,
        options: Option<ListOptions>,
        #[wasm_bindgen(js_name = requestOptions)] request_options: Option<RequestOptions>,
    ) -> Promise {
        let args = (|| Ok((self.call(request_options)?, list_options(options)?)))();
        settle(args, |(call, options)| async move {
            Ok(contacts_json(
                users::list_users(&call.client(), &options).await?,
            ))
        })
    }

    /// Deletes a user; a lead or no match is `not_found`.
    #[wasm_bindgen(js_name = deleteUser, unchecked_return_type = "Promise<void>")]
    pub fn delete_user(
        &self,
        #[wasm_bindgen(js_name = ref)] reference: JsContactRef,
        options: Option<RequestOptions>,
    ) -> Promise {
        let args = (|| Ok((self.call(options)?, user_ref(&reference)?)))();
        settle(args, |(call, reference)| async move {
            users::delete_user(&call.client(), &reference).await?;
            Ok(Value::Null)
        })
    }

    /// Iterates over users one page at a time (`for await`); `limit` stops early, `break` stops fetching.
    #[wasm_bindgen(js_name = iterUsers, unchecked_return_type = "AsyncIterableIterator<Contact>")]
    pub fn iter_users(&self, options: Option<ListOptions>) -> Result<JsValue, JsValue> {
        let options = list_options(options)?;
        let limit = input::limit(options.limit, None, u32::MAX)?;
        let call = self.call(None)?;
        Ok(JsGistIterator::start(
            call,
            Source::Contacts(ContactType::User, options),
            limit,
        ))
    }
}
