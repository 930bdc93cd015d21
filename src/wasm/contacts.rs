//! `GistClient`'s Users and Leads methods.

use super::client::{list_options, JsGistClient, ListOptions, RequestOptions};
use super::convert::from_js;
use super::iterator::{JsGistIterator, Source};
use super::promise::settle;
use crate::error::Error;
use crate::input;
use crate::models::{Contact, ContactType};
use crate::resources::contacts::ContactRef;
use crate::resources::leads::{self, LeadChanges, NewLead};
use crate::resources::users::{self, NewUser, UserChanges};
use js_sys::Promise;
use serde_json::Value;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `ContactRef` in TypeScript.
    #[wasm_bindgen(typescript_type = "ContactRef")]
    pub type JsContactRef;
    /// `LeadRef` in TypeScript.
    #[wasm_bindgen(typescript_type = "LeadRef")]
    pub type JsLeadRef;
    /// `NewUser` in TypeScript.
    #[wasm_bindgen(typescript_type = "NewUser")]
    pub type JsNewUser;
    /// `UserChanges` in TypeScript.
    #[wasm_bindgen(typescript_type = "UserChanges")]
    pub type JsUserChanges;
    /// `NewLead` in TypeScript.
    #[wasm_bindgen(typescript_type = "NewLead")]
    pub type JsNewLead;
    /// `LeadChanges` in TypeScript.
    #[wasm_bindgen(typescript_type = "LeadChanges")]
    pub type JsLeadChanges;
}

fn user_ref(reference: &JsValue) -> Result<ContactRef, Error> {
    ContactRef::from_value(&from_js(reference, "ref")?, ContactType::User, &[])
}

fn lead_ref(reference: &JsValue) -> Result<ContactRef, Error> {
    leads::lead_ref(&from_js(reference, "ref")?)
}

fn contacts_json(contacts: Vec<Contact>) -> Value {
    Value::Array(contacts.iter().map(Contact::to_value).collect())
}

#[wasm_bindgen(js_class = GistClient)]
impl JsGistClient {
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
        self.iter_contacts(ContactType::User, options)
    }

    /// Creates a lead (`POST /contacts` with `"type": "lead"`); it needs an email.
    #[wasm_bindgen(js_name = createLead, unchecked_return_type = "Promise<Contact>")]
    pub fn create_lead(&self, lead: JsNewLead, options: Option<RequestOptions>) -> Promise {
        let args = (|| {
            Ok((
                self.call(options)?,
                NewLead::from_value(from_js(&lead, "lead")?)?,
            ))
        })();
        settle(args, |(call, lead)| async move {
            Ok(leads::create_lead(&call.client(), &lead).await?.to_value())
        })
    }

    /// Changes an existing lead; never creates one: `not_found` when `ref` matches no lead.
    #[wasm_bindgen(js_name = updateLead, unchecked_return_type = "Promise<Contact>")]
    pub fn update_lead(
        &self,
        #[wasm_bindgen(js_name = ref)] reference: JsLeadRef,
        changes: JsLeadChanges,
        options: Option<RequestOptions>,
    ) -> Promise {
        let args = (|| {
            let changes = LeadChanges::from_value(from_js(&changes, "changes")?)?;
            Ok((self.call(options)?, lead_ref(&reference)?, changes))
        })();
        settle(args, |(call, reference, changes)| async move {
            Ok(leads::update_lead(&call.client(), &reference, &changes)
                .await?
                .to_value())
        })
    }

    /// Fetches a lead by `{id}` or `{email}`; a user or no match is `not_found`.
    #[wasm_bindgen(js_name = fetchLead, unchecked_return_type = "Promise<Contact>")]
    pub fn fetch_lead(
        &self,
        #[wasm_bindgen(js_name = ref)] reference: JsLeadRef,
        options: Option<RequestOptions>,
    ) -> Promise {
        let args = (|| Ok((self.call(options)?, lead_ref(&reference)?)))();
        settle(args, |(call, reference)| async move {
            Ok(leads::fetch_lead(&call.client(), &reference)
                .await?
                .to_value())
        })
    }

    /// Lists leads (never users), paging until `limit` (default 100, at most 10000) or the end.
    #[wasm_bindgen(js_name = listLeads, unchecked_return_type = "Promise<Contact[]>")]
    pub fn list_leads(
        &self,
        options: Option<ListOptions>,
        #[wasm_bindgen(js_name = requestOptions)] request_options: Option<RequestOptions>,
    ) -> Promise {
        let args = (|| Ok((self.call(request_options)?, list_options(options)?)))();
        settle(args, |(call, options)| async move {
            Ok(contacts_json(
                leads::list_leads(&call.client(), &options).await?,
            ))
        })
    }

    /// Deletes a lead; a user or no match is `not_found`.
    #[wasm_bindgen(js_name = deleteLead, unchecked_return_type = "Promise<void>")]
    pub fn delete_lead(
        &self,
        #[wasm_bindgen(js_name = ref)] reference: JsLeadRef,
        options: Option<RequestOptions>,
    ) -> Promise {
        let args = (|| Ok((self.call(options)?, lead_ref(&reference)?)))();
        settle(args, |(call, reference)| async move {
            leads::delete_lead(&call.client(), &reference).await?;
            Ok(Value::Null)
        })
    }

    /// Iterates over leads one page at a time (`for await`); `limit` stops early, `break` stops fetching.
    #[wasm_bindgen(js_name = iterLeads, unchecked_return_type = "AsyncIterableIterator<Contact>")]
    pub fn iter_leads(&self, options: Option<ListOptions>) -> Result<JsValue, JsValue> {
        self.iter_contacts(ContactType::Lead, options)
    }

    fn iter_contacts(
        &self,
        kind: ContactType,
        options: Option<ListOptions>,
    ) -> Result<JsValue, JsValue> {
        let options = list_options(options)?;
        let limit = input::limit(options.limit, None, u32::MAX)?;
        let call = self.call(None)?;
        Ok(JsGistIterator::start(
            call,
            Source::Contacts(kind, options),
            limit,
        ))
    }
}
