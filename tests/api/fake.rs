//! A scripted [`Transport`]: answers from a queue, records what was sent, and runs a fake clock.

use getgist::internal::http::{HttpResponse, WireRequest};
use getgist::internal::transport::{Transport, TransportError};
use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard};

/// A `RefCell` that is `Sync`, so that the fake's futures are `Send` as native transports' must be.
#[derive(Default)]
pub struct RefCell<T>(Mutex<T>);

impl<T> RefCell<T> {
    pub fn borrow(&self) -> MutexGuard<'_, T> {
        self.0.lock().unwrap()
    }

    pub fn borrow_mut(&self) -> MutexGuard<'_, T> {
        self.borrow()
    }

    pub fn replace(&self, value: T) -> T {
        std::mem::replace(&mut *self.borrow(), value)
    }
}

impl<T: Copy> RefCell<T> {
    fn get(&self) -> T {
        *self.borrow()
    }

    fn set(&self, value: T) {
        *self.borrow() = value;
    }
}

pub type Reply = Result<HttpResponse, TransportError>;

#[derive(Default)]
pub struct FakeTransport {
    replies: RefCell<VecDeque<Reply>>,
    pub sent: RefCell<Vec<WireRequest>>,
    pub sleeps: RefCell<Vec<f64>>,
    clock: RefCell<f64>,
}

impl FakeTransport {
    pub fn new(replies: Vec<Reply>) -> Self {
        let fake = Self::default();
        fake.replies.replace(replies.into());
        fake.clock.set(1_000_000.0);
        fake
    }

    pub fn paths(&self) -> Vec<String> {
        self.sent
            .borrow()
            .iter()
            .map(|r| format!("{} {}", r.method.as_str(), r.url.trim_start_matches(BASE)))
            .collect()
    }

    pub fn body(&self, index: usize) -> getgist::internal::json::Value {
        let sent = self.sent.borrow();
        let body = sent
            .get(index)
            .and_then(|r| r.body.clone())
            .expect("request has a body");
        getgist::internal::json::from_str(&body).expect("body is JSON")
    }
}

pub const BASE: &str = "https://api.example.test";

impl Transport for &FakeTransport {
    async fn send(
        &self,
        request: &WireRequest,
        _timeout_ms: f64,
    ) -> Result<HttpResponse, TransportError> {
        self.sent.borrow_mut().push(request.clone());
        self.replies
            .borrow_mut()
            .pop_front()
            .unwrap_or_else(|| Err(TransportError::Network("no scripted reply".into())))
    }

    async fn sleep(&self, ms: f64) -> Result<(), TransportError> {
        self.sleeps.borrow_mut().push(ms);
        self.clock.set(self.clock.get() + ms);
        Ok(())
    }

    fn now_ms(&self) -> f64 {
        self.clock.get()
    }

    fn random(&self) -> f64 {
        0.5
    }
}

pub fn json(status: u16, body: &str) -> Reply {
    Ok(HttpResponse {
        status,
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.into(),
    })
}

pub fn with_header(reply: Reply, name: &str, value: &str) -> Reply {
    reply.map(|mut r| {
        r.headers.push((name.into(), value.into()));
        r
    })
}

pub fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}
