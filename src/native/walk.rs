//! [`Walk`]: a list read lazily, one page per call of the core, as a `futures::Stream` (JS's
//! `iter*`), with the token that resumes it.

use super::client::Client;
use super::output::FromCall;
use super::pending::RequestOptions;
use crate::error::Error;
use crate::json::Value;
use futures_core::Stream;
use futures_util::future::BoxFuture;
use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};

/// One page of a walk: its items, and the token that resumes the walk after them.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The page's items (within the walk's limit).
    pub items: Vec<T>,
    /// Resumes the walk after this page's items (within the page when the walk's limit cut it): pass
    /// it as the list options' `cursor`. It carries the list's filters. After the last page, a walk
    /// resumed from it reads nothing.
    pub cursor: String,
}

/// A list walked one page at a time as it is polled: a `Stream` of `Result<T, Error>` (see
/// [`Walk::pages`] for whole pages). Each page is one call (its own deadline and retries); an error
/// ends the walk. Dropping it stops it.
///
/// ```no_run
/// # async fn example(client: getgist::Client) -> Result<(), getgist::Error> {
/// use futures_util::TryStreamExt;
/// use getgist::ListContacts;
///
/// let mut users = client.users(ListContacts::default());
/// while let Some(user) = users.try_next().await? {
///     println!("{}", user.id);
/// }
/// # Ok(()) }
/// ```
#[must_use = "a walk does nothing until it is polled"]
pub struct Walk<T> {
    client: Client,
    list: &'static str,
    options: Value,
    request: RequestOptions,
    limit: Option<u64>,
    given: u64,
    /// The core's cursor for the next page (`null`: where the options start).
    next: Value,
    /// The token after the last page read; before the first, the one of where the walk starts, with
    /// its filters (`None` only where the core refuses the options: the first poll fails with that).
    resume: Option<String>,
    /// The core's cursor where the last page read started, its items, and how many of them the
    /// walk took (within its limit): those not in `buffer` were handed out.
    at: Value,
    size: usize,
    taken: usize,
    done: bool,
    buffer: VecDeque<T>,
    fetching: Option<BoxFuture<'static, Result<Value, Error>>>,
}

impl<T> std::fmt::Debug for Walk<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Walk")
            .field("list", &self.list)
            .field("given", &self.given)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl<T: FromCall + Unpin + Send + 'static> Walk<T> {
    pub(crate) fn new(client: &Client, list: &'static str, options: Value) -> Self {
        let limit = options.get("limit").and_then(Value::as_u64);
        let resume = resume_at(list, &options, Value::Null);
        Self {
            client: client.clone(),
            list,
            options,
            request: RequestOptions::default(),
            limit,
            given: 0,
            next: Value::Null,
            resume,
            at: Value::Null,
            size: 0,
            taken: 0,
            done: false,
            buffer: VecDeque::new(),
            fetching: None,
        }
    }

    /// Sets the per-call options of every page's call.
    pub fn options(mut self, options: RequestOptions) -> Self {
        self.request = options;
        self
    }

    /// Where to resume after the last item handed out, so that none is missed or given twice: within
    /// the last page read while some of it is left (not yet given, or past the walk's limit), else
    /// after it. Before the first page is read (or when it failed), where the walk starts, with its
    /// filters, as JS's `cursor` is. `None` only for options the core refuses, which the walk's first
    /// poll fails with.
    pub fn cursor(&self) -> Option<String> {
        let handed = self.taken.saturating_sub(self.buffer.len());
        if handed < self.size {
            let mut at = self.at.clone();
            if let Value::Object(fields) = &mut at {
                let skip = fields.get("skip").and_then(Value::as_u64).unwrap_or(0);
                fields.set("skip", (skip + handed as u64).into());
            }
            if let Some(token) = resume_at(self.list, &self.options, at) {
                return Some(token);
            }
        }
        self.resume.clone()
    }

    /// The walk as a stream of whole pages, each with the token that resumes after it; where items were
    /// taken from it first, the first page is what is left of the page in hand.
    pub fn pages(self) -> Pages<T> {
        Pages(self)
    }

    /// Reads the next page: its items, or `None` at the end.
    fn poll_page(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Vec<T>, Error>>> {
        if self.done {
            return Poll::Ready(None);
        }
        let fetching = self.fetching.get_or_insert_with(|| {
            let (client, list, request) = (self.client.clone(), self.list, self.request.clone());
            let args = vec![list.into(), self.options.clone(), self.next.clone()];
            Box::pin(async move {
                let flow = crate::endpoints::start("page", args);
                client
                    .run("page", flow, &request, Ok)
                    .await
                    .map(|(page, _)| page)
            })
        });
        let outcome = match fetching.as_mut().poll(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(outcome) => outcome,
        };
        self.fetching = None;
        Poll::Ready(Some(self.read(outcome)))
    }

    /// Takes in a page: its items within the limit, and where the walk goes on.
    fn read(&mut self, page: Result<Value, Error>) -> Result<Vec<T>, Error> {
        let mut page = page.inspect_err(|_| self.done = true)?;
        let items = match page.get_mut("items").map(Value::take) {
            Some(Value::Array(items)) => items,
            _ => Vec::new(),
        };
        self.next = page
            .get_mut("cursor")
            .map(Value::take)
            .unwrap_or(Value::Null);
        if let Some(resume) = page.get("resume").and_then(Value::as_str) {
            self.resume = Some(resume.to_owned());
        }
        self.at = page.get_mut("at").map(Value::take).unwrap_or_default();
        self.size = items.len();
        self.taken = 0;
        let left = self
            .limit
            .map_or(u64::MAX, |limit| limit - self.given.min(limit));
        let items: Vec<T> = items
            .into_iter()
            .take(usize::try_from(left).unwrap_or(usize::MAX))
            .map(T::from_call)
            .collect::<Result<_, _>>()
            .inspect_err(|_| self.done = true)?;
        self.given += items.len() as u64;
        self.taken = items.len();
        let ended = self.next.get("done").and_then(Value::as_bool) != Some(false);
        // A page can hold none of the walk's kind (users and leads come in one list): only the core's
        // cursor says the list ended.
        self.done = ended || self.limit.is_some_and(|limit| self.given >= limit);
        Ok(items)
    }
}

impl<T: FromCall + Unpin + Send + 'static> Stream for Walk<T> {
    type Item = Result<T, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let walk = self.get_mut();
        loop {
            if let Some(item) = walk.buffer.pop_front() {
                return Poll::Ready(Some(Ok(item)));
            }
            match walk.poll_page(cx) {
                Poll::Ready(Some(Ok(items))) => walk.buffer.extend(items),
                Poll::Ready(Some(Err(error))) => return Poll::Ready(Some(Err(error))),
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

/// The token that resumes the walk of `list` with `options` at the core's cursor `at` (`null`: where
/// the options start); `None` when the core refuses them.
fn resume_at(list: &'static str, options: &Value, at: Value) -> Option<String> {
    let args = vec![list.into(), options.clone(), at];
    match crate::endpoints::start("page", args) {
        Ok(crate::flows::Flow::Pages(page)) => page.resume(),
        _ => None,
    }
}

/// A [`Walk`] as a stream of whole [`Page`]s.
#[must_use = "a walk does nothing until it is polled"]
#[derive(Debug)]
pub struct Pages<T>(Walk<T>);

impl<T: FromCall + Unpin + Send + 'static> Stream for Pages<T> {
    type Item = Result<Page<T>, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let walk = &mut self.get_mut().0;
        // What is left of the page in hand, where the walk handed out some of its items first.
        if !walk.buffer.is_empty() {
            let items = walk.buffer.drain(..).collect();
            let cursor = walk.cursor().unwrap_or_default();
            return Poll::Ready(Some(Ok(Page { items, cursor })));
        }
        walk.poll_page(cx).map(|page| {
            page.map(|items| {
                items.map(|items| Page {
                    items,
                    cursor: walk.cursor().unwrap_or_default(),
                })
            })
        })
    }
}
