//! [`Permits`]: at most so many requests of one client in flight at once (JS's `maxConcurrent`);
//! the others wait in the client, first come first served.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

/// A counting semaphore: [`Permits::acquire`] waits for a free permit, which its [`Permit`] gives
/// back when dropped. Waiters are served in the order they came; one that gives up (its future
/// dropped) passes its turn on.
pub struct Permits {
    state: Mutex<State>,
}

struct State {
    free: usize,
    next_ticket: u64,
    /// The tickets of the waiters, oldest first; one withdrawn stays until it reaches the front.
    order: VecDeque<u64>,
    /// The waker of each ticket still waiting.
    waiting: HashMap<u64, Waker>,
}

impl State {
    /// The oldest ticket still waiting (the withdrawn ones before it are dropped).
    fn first(&mut self) -> Option<u64> {
        while let Some(&ticket) = self.order.front() {
            if self.waiting.contains_key(&ticket) {
                return Some(ticket);
            }
            self.order.pop_front();
        }
        None
    }

    /// The waker of the oldest waiter, when a permit is free for it (the withdrawn ones before it are
    /// dropped either way, so that waiters that give up while every permit is held leave nothing).
    fn next_to_wake(&mut self) -> Option<Waker> {
        let ticket = self.first()?;
        if self.free == 0 {
            return None;
        }
        self.waiting.get(&ticket).cloned()
    }
}

impl Permits {
    /// `count` permits.
    pub fn new(count: usize) -> Self {
        Self {
            state: Mutex::new(State {
                free: count,
                next_ticket: 0,
                order: VecDeque::new(),
                waiting: HashMap::new(),
            }),
        }
    }

    /// Waits for a permit.
    pub fn acquire(&self) -> Acquire<'_> {
        Acquire {
            permits: self,
            ticket: None,
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Wakes the oldest waiter if a permit is free for it (outside the lock).
    fn wake_next(&self, mut state: MutexGuard<'_, State>) {
        let next = state.next_to_wake();
        drop(state);
        if let Some(waker) = next {
            waker.wake();
        }
    }
}

/// The future of [`Permits::acquire`]: in the queue (`ticket`) from its first wait until it gets a
/// permit or is dropped.
pub struct Acquire<'a> {
    permits: &'a Permits,
    ticket: Option<u64>,
}

impl<'a> Future for Acquire<'a> {
    type Output = Permit<'a>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Permit<'a>> {
        let this = self.get_mut();
        let permits = this.permits;
        let mut state = permits.state();
        let ticket = match this.ticket {
            Some(ticket) => ticket,
            None if state.free > 0 && state.first().is_none() => {
                state.free -= 1;
                return Poll::Ready(Permit(permits));
            }
            None => {
                let ticket = state.next_ticket;
                state.next_ticket += 1;
                state.order.push_back(ticket);
                state.waiting.insert(ticket, cx.waker().clone());
                this.ticket = Some(ticket);
                return Poll::Pending;
            }
        };
        if state.free > 0 && state.first() == Some(ticket) {
            state.order.pop_front();
            state.waiting.remove(&ticket);
            state.free -= 1;
            this.ticket = None;
            permits.wake_next(state);
            return Poll::Ready(Permit(permits));
        }
        if let Some(waker) = state.waiting.get_mut(&ticket) {
            if !waker.will_wake(cx.waker()) {
                waker.clone_from(cx.waker());
            }
        }
        Poll::Pending
    }
}

impl Drop for Acquire<'_> {
    fn drop(&mut self) {
        if let Some(ticket) = self.ticket {
            let mut state = self.permits.state();
            state.waiting.remove(&ticket);
            self.permits.wake_next(state);
        }
    }
}

/// A permit, given back when dropped.
pub struct Permit<'a>(&'a Permits);

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let mut state = self.0.state();
        state.free += 1;
        self.0.wake_next(state);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn poll<'a>(acquire: &mut Acquire<'a>) -> Option<Permit<'a>> {
        match Pin::new(acquire).poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(permit) => Some(permit),
            Poll::Pending => None,
        }
    }

    #[test]
    fn waiters_are_served_in_the_order_they_came() {
        let permits = Permits::new(1);
        let held = poll(&mut permits.acquire()).expect("free");
        let mut waiters: Vec<_> = (0..4).map(|_| permits.acquire()).collect();
        for waiter in &mut waiters {
            assert!(poll(waiter).is_none(), "none free");
        }
        drop(held);
        // The last comer, polled first, waits its turn.
        assert!(poll(&mut waiters[3]).is_none());
        assert!(poll(&mut permits.acquire()).is_none(), "a newcomer queues");
        let first = poll(&mut waiters[0]).expect("the oldest");
        assert!(poll(&mut waiters[1]).is_none());
        drop(first);
        // The second gives up: its turn passes to the third.
        drop(waiters.remove(1));
        assert!(poll(&mut waiters[1]).is_some());
    }

    #[test]
    fn waiters_that_give_up_leave_nothing_behind() {
        let permits = Permits::new(1);
        let held = poll(&mut permits.acquire()).expect("free");
        for _ in 0..1000 {
            let mut waiter = permits.acquire();
            assert!(poll(&mut waiter).is_none());
        }
        assert!(
            permits.state().order.is_empty(),
            "none kept while the permit is held"
        );
        drop(held);
        assert!(poll(&mut permits.acquire()).is_some());
        let state = permits.state();
        assert!(state.waiting.is_empty() && state.order.is_empty());
    }
}
