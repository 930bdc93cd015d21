//! `GistClient`'s Tags methods.

use super::client::{limit_option, whole_id, JsGistClient, LimitOptions, RequestOptions};
use super::convert::from_js;
use super::iterator::{JsGistIterator, Source};
use super::promise::settle;
use crate::error::Error;
use crate::http::HttpRequest;
use crate::models::Tag;
use crate::resources::tags::{self, TagRequest};
use js_sys::Promise;
use serde_json::Value;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `TagRequest` in TypeScript.
    #[wasm_bindgen(typescript_type = "TagRequest")]
    pub type JsTagRequest;
}

fn tag_name(name: &JsValue) -> Result<String, Error> {
    name.as_string()
        .ok_or_else(|| Error::invalid_argument("the tag name must be a string"))
}

#[wasm_bindgen(js_class = GistClient)]
impl JsGistClient {
    /// Creates a tag; the name is kept exactly as given ("TAG" and "tag" are two tags).
    #[wasm_bindgen(js_name = createTag, unchecked_return_type = "Promise<Tag>")]
    pub fn create_tag(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
        options: Option<RequestOptions>,
    ) -> Promise {
        let args = (|| Ok((self.call(options)?, tag_name(&name)?)))();
        settle(args, |(call, name)| async move {
            Ok(tags::create_tag(&call.client(), &name).await?.to_value())
        })
    }

    /// Renames the tag with this id.
    #[wasm_bindgen(js_name = updateTag, unchecked_return_type = "Promise<Tag>")]
    pub fn update_tag(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
        options: Option<RequestOptions>,
    ) -> Promise {
        let args = (|| Ok((self.call(options)?, whole_id(&id, "id")?, tag_name(&name)?)))();
        settle(args, |(call, id, name)| async move {
            Ok(tags::update_tag(&call.client(), id, &name)
                .await?
                .to_value())
        })
    }

    /// Tags and untags users and leads, 50 per request; what failed is listed in `failed`, and the
    /// call rejects only when nothing could be done.
    #[wasm_bindgen(js_name = tagContacts, unchecked_return_type = "Promise<TagResult>")]
    pub fn tag_contacts(&self, request: JsTagRequest, options: Option<RequestOptions>) -> Promise {
        let args = (|| {
            Ok((
                self.call(options)?,
                TagRequest::from_value(from_js(&request, "request")?)?,
            ))
        })();
        settle(args, |(call, request)| async move {
            Ok(tags::tag_contacts(&call.client(), &request)
                .await?
                .to_value())
        })
    }

    /// Lists tags, paging until `limit` (default 100, at most 10000) or the end.
    #[wasm_bindgen(js_name = listTags, unchecked_return_type = "Promise<Tag[]>")]
    pub fn list_tags(
        &self,
        options: Option<LimitOptions>,
        #[wasm_bindgen(js_name = requestOptions)] request_options: Option<RequestOptions>,
    ) -> Promise {
        let args = (|| Ok((self.call(request_options)?, limit_option(options)?)))();
        settle(args, |(call, limit)| async move {
            let found = tags::list_tags(&call.client(), limit).await?;
            Ok(Value::Array(found.iter().map(Tag::to_value).collect()))
        })
    }

    /// Deletes the tag with this id.
    #[wasm_bindgen(js_name = deleteTag, unchecked_return_type = "Promise<void>")]
    pub fn delete_tag(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] id: JsValue,
        options: Option<RequestOptions>,
    ) -> Promise {
        let args = (|| Ok((self.call(options)?, whole_id(&id, "id")?)))();
        settle(args, |(call, id)| async move {
            tags::delete_tag(&call.client(), id).await?;
            Ok(Value::Null)
        })
    }

    /// Iterates over every tag, one page at a time.
    #[wasm_bindgen(js_name = iterTags, unchecked_return_type = "AsyncIterableIterator<Tag>")]
    pub fn iter_tags(&self) -> Result<JsValue, JsValue> {
        let source = Source::Plain {
            request: HttpRequest::get("/tags"),
            key: "tags",
            read: |v| Tag::from_value(v).map(|t| t.to_value()),
        };
        Ok(JsGistIterator::start(self.call(None)?, source, None))
    }
}
