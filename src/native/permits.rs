//! [`Permits`]: at most so many requests of one client in flight at once (JS's `maxConcurrent`);
//! the others wait in the client, first come first served.

use std::collections::{BTreeMap, HashSet};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

/// A counting semaphore: [`Permits::acquire`] waits for a free permit, which its [`Permit`] gives
/// back when dropped. Waiters are served in the order they came: a permit given back goes to the
/// oldest waiter at once, whether or not it is being polled, so that one left unpolled holds that one
/// permit, never the others; one that gives up (its future dropped) passes its turn, or its permit, on.
pub struct Permits {
    state: Mutex<State>,
}

struct State {
    /// The permits no one holds and none is granted: 0 while anyone waits.
    free: usize,
    next_ticket: u64,
    /// The waiters not yet granted a permit, by ticket (oldest first), each with its waker; one that
    /// gives up leaves at once.
    waiting: BTreeMap<u64, Waker>,
    /// The waiters granted a permit, which each takes at its next poll (or gives back, dropped).
    granted: HashSet<u64>,
}

impl State {
    /// Grants the free permits to the oldest waiters, each in O(log n) whatever the number granted
    /// and not yet polled; returns their wakers, to wake outside the lock.
    fn grant(&mut self) -> Vec<Waker> {
        let mut woken = Vec::new();
        while self.free > 0 {
            let Some((ticket, waker)) = self.waiting.pop_first() else {
                break;
            };
            self.granted.insert(ticket);
            self.free -= 1;
            woken.push(waker);
        }
        woken
    }
}

impl Permits {
    /// `count` permits.
    pub fn new(count: usize) -> Self {
        Self {
            state: Mutex::new(State {
                free: count,
                next_ticket: 0,
                waiting: BTreeMap::new(),
                granted: HashSet::new(),
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

    /// Grants what is free to the oldest waiters, and wakes them outside the lock.
    fn grant(&self, mut state: MutexGuard<'_, State>) {
        let woken = state.grant();
        drop(state);
        woken.into_iter().for_each(Waker::wake);
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
        let Some(ticket) = this.ticket else {
            if state.free > 0 {
                state.free -= 1;
                return Poll::Ready(Permit(permits));
            }
            let ticket = state.next_ticket;
            state.next_ticket += 1;
            state.waiting.insert(ticket, cx.waker().clone());
            this.ticket = Some(ticket);
            return Poll::Pending;
        };
        if let Some(waker) = state.waiting.get_mut(&ticket) {
            if !waker.will_wake(cx.waker()) {
                waker.clone_from(cx.waker());
            }
            return Poll::Pending;
        }
        state.granted.remove(&ticket);
        this.ticket = None;
        Poll::Ready(Permit(permits))
    }
}

impl Drop for Acquire<'_> {
    fn drop(&mut self) {
        if let Some(ticket) = self.ticket {
            let mut state = self.permits.state();
            if state.granted.remove(&ticket) {
                state.free += 1; // granted, never taken: the next waiter's
            } else {
                state.waiting.remove(&ticket);
            }
            self.permits.grant(state);
        }
    }
}

/// A permit, given back when dropped.
pub struct Permit<'a>(&'a Permits);

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let mut state = self.0.state();
        state.free += 1;
        self.0.grant(state);
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

    /// `count` waiters that each wait once (none is free) and give up.
    fn give_up(permits: &Permits, count: usize) {
        for _ in 0..count {
            let mut waiter = permits.acquire();
            assert!(poll(&mut waiter).is_none());
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
        give_up(&permits, 1000);
        assert!(
            permits.state().waiting.is_empty(),
            "none kept while the permit is held"
        );
        drop(held);
        assert!(poll(&mut permits.acquire()).is_some());
        let state = permits.state();
        assert!(state.waiting.is_empty() && state.granted.is_empty());
    }

    #[test]
    fn waiters_that_give_up_behind_one_still_waiting_leave_nothing_behind() {
        let permits = Permits::new(1);
        let held = poll(&mut permits.acquire()).expect("free");
        let mut first = permits.acquire();
        assert!(poll(&mut first).is_none());
        give_up(&permits, 1000);
        assert_eq!(
            permits.state().waiting.len(),
            1,
            "only the one still waiting"
        );
        drop(held);
        assert!(poll(&mut first).is_some(), "its turn came");
    }

    /// The time to give back `count` permits at once, each to a waiter not polled since.
    fn release_all(count: usize) -> std::time::Duration {
        let permits = Permits::new(count);
        let held: Vec<_> = (0..count)
            .map(|_| poll(&mut permits.acquire()).expect("free"))
            .collect();
        let mut waiters: Vec<_> = (0..count).map(|_| permits.acquire()).collect();
        for waiter in &mut waiters {
            assert!(poll(waiter).is_none(), "all held");
        }
        let started = std::time::Instant::now();
        drop(held);
        let took = started.elapsed();
        assert!(waiters.iter_mut().all(|waiter| poll(waiter).is_some()));
        took
    }

    #[test]
    fn permits_given_back_at_once_cost_linear_time() {
        // Each grant skipped every waiter granted before it and not yet polled: 80,000 took 17.7 s.
        let fastest = |count| (0..3).map(|_| release_all(count)).min().unwrap_or_default();
        let (small, large) = (fastest(5_000), fastest(20_000));
        let ratio = large.as_secs_f64() / small.as_secs_f64().max(1e-6);
        assert!(
            ratio < 8.0,
            "4 times the waiters took {ratio:.1} times as long"
        );
    }

    #[test]
    fn a_waiter_left_unpolled_holds_one_permit_not_the_others() {
        let permits = Permits::new(2);
        let held = [permits.acquire(), permits.acquire()].map(|mut a| poll(&mut a).expect("free"));
        let mut parked = permits.acquire();
        assert!(poll(&mut parked).is_none(), "both held");
        drop(held);
        // `parked` is never polled again: one permit is its, the other anyone's.
        let newcomer =
            poll(&mut permits.acquire()).expect("the permit the parked one does not hold");
        assert!(poll(&mut permits.acquire()).is_none());
        drop(newcomer);
        assert!(poll(&mut parked).is_some(), "its permit waited for it");
        drop(parked);
        assert_eq!(
            permits.state().free,
            2,
            "dropped granted, its permit comes back"
        );
    }
}
