//! [`AbortSignal`]: cancels calls from anywhere, as a JS `AbortSignal` does.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};

/// Cancels the calls given it: after [`AbortSignal::abort`], a call waiting for an answer or a retry
/// ends with the code `aborted`, and sends nothing more. Clones share one signal; it is `Send + Sync`.
/// (Dropping a call's future also cancels it, without an error.)
///
/// ```
/// let signal = getgist::AbortSignal::new();
/// assert!(!signal.is_aborted());
/// signal.clone().abort();
/// assert!(signal.is_aborted());
/// ```
#[derive(Clone, Default)]
pub struct AbortSignal(Arc<State>);

#[derive(Default)]
struct State {
    aborted: AtomicBool,
    wakers: Mutex<Vec<Waker>>,
}

impl AbortSignal {
    /// A signal that has not fired.
    pub fn new() -> Self {
        Self::default()
    }

    /// Fires the signal: every call it was given stops.
    pub fn abort(&self) {
        self.0.aborted.store(true, Ordering::SeqCst);
        let wakers = std::mem::take(&mut *self.wakers());
        wakers.into_iter().for_each(Waker::wake);
    }

    /// Whether it has fired.
    pub fn is_aborted(&self) -> bool {
        self.0.aborted.load(Ordering::SeqCst)
    }

    /// Resolves when the signal fires.
    pub(crate) fn aborted(&self) -> Aborted<'_> {
        Aborted(self)
    }

    fn wakers(&self) -> std::sync::MutexGuard<'_, Vec<Waker>> {
        self.0.wakers.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl std::fmt::Debug for AbortSignal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AbortSignal")
            .field("aborted", &self.is_aborted())
            .finish()
    }
}

/// The future of [`AbortSignal::aborted`].
pub(crate) struct Aborted<'a>(&'a AbortSignal);

impl Future for Aborted<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0.is_aborted() {
            return Poll::Ready(());
        }
        let mut wakers = self.0.wakers();
        if !wakers.iter().any(|waker| waker.will_wake(cx.waker())) {
            wakers.push(cx.waker().clone());
        }
        drop(wakers);
        // Fired between the first check and the waker's registration: `abort` may have missed it.
        match self.0.is_aborted() {
            true => Poll::Ready(()),
            false => Poll::Pending,
        }
    }
}
