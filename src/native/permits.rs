//! [`Permits`]: at most so many requests of one client in flight at once (JS's `maxConcurrent`);
//! the others wait in the client.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

/// A counting semaphore: [`Permits::acquire`] waits for a free permit, which its [`Permit`] gives
/// back when dropped. Every waiter is woken when a permit is freed and tries again, so that a waiter
/// that gave up (its future dropped) never holds a wake-up another needs.
pub struct Permits {
    state: Mutex<State>,
}

struct State {
    free: usize,
    waiting: Vec<Waker>,
}

impl Permits {
    /// `count` permits.
    pub fn new(count: usize) -> Self {
        Self {
            state: Mutex::new(State {
                free: count,
                waiting: Vec::new(),
            }),
        }
    }

    /// Waits for a permit.
    pub fn acquire(&self) -> Acquire<'_> {
        Acquire(self)
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The future of [`Permits::acquire`].
pub struct Acquire<'a>(&'a Permits);

impl<'a> Future for Acquire<'a> {
    type Output = Permit<'a>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Permit<'a>> {
        let permits = self.0;
        let mut state = permits.state();
        if state.free > 0 {
            state.free -= 1;
            return Poll::Ready(Permit(permits));
        }
        if !state
            .waiting
            .iter()
            .any(|waker| waker.will_wake(cx.waker()))
        {
            state.waiting.push(cx.waker().clone());
        }
        Poll::Pending
    }
}

/// A permit, given back when dropped.
pub struct Permit<'a>(&'a Permits);

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let mut state = self.0.state();
        state.free += 1;
        let waiting = std::mem::take(&mut state.waiting);
        drop(state);
        waiting.into_iter().for_each(Waker::wake);
    }
}
