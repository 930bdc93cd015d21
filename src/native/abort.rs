//! [`AbortSignal`]: cancels calls from anywhere, as a JS `AbortSignal` does.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
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
    /// The id of the next waiting future ([`Aborted`]).
    next: AtomicU64,
    /// The waker of each future waiting for the signal, by its id; a future takes its own out when it
    /// is dropped, so a signal shared by many calls holds only those still waiting.
    wakers: Mutex<HashMap<u64, Waker>>,
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
        wakers.into_values().for_each(Waker::wake);
    }

    /// Whether it has fired.
    pub fn is_aborted(&self) -> bool {
        self.0.aborted.load(Ordering::SeqCst)
    }

    /// Resolves when the signal fires.
    pub(crate) fn aborted(&self) -> Aborted<'_> {
        Aborted {
            signal: self,
            id: None,
        }
    }

    fn wakers(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Waker>> {
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

/// The future of [`AbortSignal::aborted`]: registered with the signal (`id`) from its first poll
/// until it is dropped.
pub(crate) struct Aborted<'a> {
    signal: &'a AbortSignal,
    id: Option<u64>,
}

impl Future for Aborted<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        let signal = this.signal;
        if signal.is_aborted() {
            return Poll::Ready(());
        }
        let id = *this
            .id
            .get_or_insert_with(|| signal.0.next.fetch_add(1, Ordering::Relaxed));
        let mut wakers = signal.wakers();
        match wakers.get_mut(&id) {
            Some(waker) if waker.will_wake(cx.waker()) => {}
            Some(waker) => waker.clone_from(cx.waker()),
            None => {
                wakers.insert(id, cx.waker().clone());
            }
        }
        drop(wakers);
        // Fired between the first check and the waker's registration: `abort` may have missed it.
        match signal.is_aborted() {
            true => Poll::Ready(()),
            false => Poll::Pending,
        }
    }
}

impl Drop for Aborted<'_> {
    fn drop(&mut self) {
        if let Some(id) = self.id {
            self.signal.wakers().remove(&id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn poll_once(future: &mut Aborted<'_>) -> Poll<()> {
        Pin::new(future).poll(&mut Context::from_waker(Waker::noop()))
    }

    #[test]
    fn a_dropped_wait_leaves_nothing_registered() {
        let signal = AbortSignal::new();
        for _ in 0..1000 {
            let mut waiting = signal.aborted();
            assert_eq!(poll_once(&mut waiting), Poll::Pending);
            assert_eq!(poll_once(&mut waiting), Poll::Pending);
            assert_eq!(signal.wakers().len(), 1);
        }
        assert!(signal.wakers().is_empty());
    }

    #[test]
    fn abort_ends_every_wait() {
        let signal = AbortSignal::new();
        let mut first = signal.aborted();
        let mut second = signal.aborted();
        assert_eq!(poll_once(&mut first), Poll::Pending);
        assert_eq!(poll_once(&mut second), Poll::Pending);
        signal.clone().abort();
        assert_eq!(poll_once(&mut first), Poll::Ready(()));
        assert_eq!(poll_once(&mut second), Poll::Ready(()));
        assert!(signal.wakers().is_empty());
    }
}
