//! `GistClient`'s Segments, Campaigns and Tracked Events methods.

use super::client::{limit_option, optional, whole_id, JsGistClient, LimitOptions, RequestOptions};
use super::convert::from_js;
use super::iterator::{JsGistIterator, Source};
use super::promise::settle;
use crate::http::HttpRequest;
use crate::input;
use crate::models::{Campaign, Segment, TrackedEvent};
use crate::resources::campaigns;
use crate::resources::events::{self, NewEvent};
use crate::resources::segments::{self, SegmentOptions};
use js_sys::Promise;
use serde_json::Value;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `SegmentOptions` in TypeScript.
    #[wasm_bindgen(typescript_type = "SegmentOptions")]
    pub type JsSegmentOptions;
    /// `ListSegmentsOptions` in TypeScript.
    #[wasm_bindgen(typescript_type = "ListSegmentsOptions")]
    pub type JsListSegmentsOptions;
    /// `NewEvent` in TypeScript.
    #[wasm_bindgen(typescript_type = "NewEvent")]
    pub type JsNewEvent;
}

#[wasm_bindgen(js_class = GistClient)]
impl JsGistClient {
    /// Fetches a segment; with `include_count`, its contact count too.
    #[wasm_bindgen(js_name = fetchSegment, unchecked_return_type = "Promise<Segment>")]
    pub fn fetch_segment(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] id: JsValue,
        options: Option<JsSegmentOptions>,
        #[wasm_bindgen(js_name = requestOptions)] request_options: Option<RequestOptions>,
    ) -> Promise {
        let args = (|| {
            let options = SegmentOptions::from_value(optional(options, "options")?, false)?;
            Ok((self.call(request_options)?, whole_id(&id, "id")?, options))
        })();
        settle(args, |(call, id, options)| async move {
            Ok(
                segments::fetch_segment(&call.client(), id, options.include_count)
                    .await?
                    .to_value(),
            )
        })
    }

    /// Lists segments, paging until `limit` (default 100, at most 10000) or the end.
    #[wasm_bindgen(js_name = listSegments, unchecked_return_type = "Promise<Segment[]>")]
    pub fn list_segments(
        &self,
        options: Option<JsListSegmentsOptions>,
        #[wasm_bindgen(js_name = requestOptions)] request_options: Option<RequestOptions>,
    ) -> Promise {
        let args = (|| {
            Ok((
                self.call(request_options)?,
                SegmentOptions::from_value(optional(options, "options")?, true)?,
            ))
        })();
        settle(args, |(call, options)| async move {
            let found = segments::list_segments(&call.client(), &options).await?;
            Ok(Value::Array(found.iter().map(Segment::to_value).collect()))
        })
    }

    /// Iterates over segments one page at a time; `limit` stops early.
    #[wasm_bindgen(js_name = iterSegments, unchecked_return_type = "AsyncIterableIterator<Segment>")]
    pub fn iter_segments(
        &self,
        options: Option<JsListSegmentsOptions>,
    ) -> Result<JsValue, JsValue> {
        let options = SegmentOptions::from_value(optional(options, "options")?, true)?;
        let limit = input::limit(options.limit, None, u32::MAX)?;
        let source = Source::Plain {
            request: options.request(),
            key: "segments",
            read: |v| Segment::from_value(v).map(|s| s.to_value()),
        };
        Ok(JsGistIterator::start(self.call(None)?, source, limit))
    }

    /// Fetches a campaign.
    #[wasm_bindgen(js_name = fetchCampaign, unchecked_return_type = "Promise<Campaign>")]
    pub fn fetch_campaign(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] id: JsValue,
        options: Option<RequestOptions>,
    ) -> Promise {
        let args = (|| Ok((self.call(options)?, whole_id(&id, "id")?)))();
        settle(args, |(call, id)| async move {
            Ok(campaigns::fetch_campaign(&call.client(), id)
                .await?
                .to_value())
        })
    }

    /// Lists campaigns, paging until `limit` (default 100, at most 10000) or the end.
    #[wasm_bindgen(js_name = listCampaigns, unchecked_return_type = "Promise<Campaign[]>")]
    pub fn list_campaigns(
        &self,
        options: Option<LimitOptions>,
        #[wasm_bindgen(js_name = requestOptions)] request_options: Option<RequestOptions>,
    ) -> Promise {
        let args = (|| Ok((self.call(request_options)?, limit_option(options)?)))();
        settle(args, |(call, limit)| async move {
            let found = campaigns::list_campaigns(&call.client(), limit).await?;
            Ok(Value::Array(found.iter().map(Campaign::to_value).collect()))
        })
    }

    /// Iterates over every campaign, one page at a time.
    #[wasm_bindgen(js_name = iterCampaigns, unchecked_return_type = "AsyncIterableIterator<Campaign>")]
    pub fn iter_campaigns(&self) -> Result<JsValue, JsValue> {
        let source = Source::Plain {
            request: HttpRequest::get("/campaigns"),
            key: "campaigns",
            read: |v| Campaign::from_value(v).map(|c| c.to_value()),
        };
        Ok(JsGistIterator::start(self.call(None)?, source, None))
    }

    /// Records a tracked event for a user or a lead; the name is normalised first (`.`/`$` -> `-`).
    #[wasm_bindgen(js_name = recordEvent, unchecked_return_type = "Promise<TrackedEvent>")]
    pub fn record_event(&self, event: JsNewEvent, options: Option<RequestOptions>) -> Promise {
        let args = (|| {
            Ok((
                self.call(options)?,
                NewEvent::from_value(from_js(&event, "event")?)?,
            ))
        })();
        settle(args, |(call, event)| async move {
            Ok(events::record_event(&call.client(), &event)
                .await?
                .to_value())
        })
    }

    /// Lists tracked events (`GET /events?event_type=all`), paging until `limit` or the end.
    #[wasm_bindgen(js_name = listEvents, unchecked_return_type = "Promise<TrackedEvent[]>")]
    pub fn list_events(
        &self,
        options: Option<LimitOptions>,
        #[wasm_bindgen(js_name = requestOptions)] request_options: Option<RequestOptions>,
    ) -> Promise {
        let args = (|| Ok((self.call(request_options)?, limit_option(options)?)))();
        settle(args, |(call, limit)| async move {
            let found = events::list_events(&call.client(), limit).await?;
            Ok(Value::Array(
                found.iter().map(TrackedEvent::to_value).collect(),
            ))
        })
    }

    /// Iterates over every tracked event, one page at a time.
    #[wasm_bindgen(js_name = iterEvents, unchecked_return_type = "AsyncIterableIterator<TrackedEvent>")]
    pub fn iter_events(&self) -> Result<JsValue, JsValue> {
        let source = Source::Plain {
            request: events::list_request(),
            key: "events",
            read: |v| TrackedEvent::from_value(v).map(|e| e.to_value()),
        };
        Ok(JsGistIterator::start(self.call(None)?, source, None))
    }
}
