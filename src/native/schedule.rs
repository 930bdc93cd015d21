//! [`Schedule`]: requests' starts under `requests_per_second`, booked ahead (JS: `schedule` in
//! pace.js).

use std::cmp::Ordering;
use std::collections::BTreeSet;

/// Starts `spacing` ms apart, booked ahead. The last start booked, handed back, moves the schedule
/// back (never before now); another one handed back is freed, and the next caller takes it: every
/// start stays `spacing` from the next, whoever gives up, so that the starts in any window stay within
/// the rate. Each costs O(log n) in the starts freed, however many callers give up and in whatever
/// order.
#[derive(Debug)]
pub struct Schedule {
    spacing: f64,
    /// The start after the last one booked.
    next: f64,
    /// Starts handed back before `next`.
    freed: BTreeSet<Start>,
}

/// A start, ordered as a number.
#[derive(Debug, Clone, Copy)]
struct Start(f64);

impl PartialEq for Start {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Start {}

impl PartialOrd for Start {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Start {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

impl Schedule {
    /// Starts `spacing` ms apart (0: any start is now).
    pub fn new(spacing: f64) -> Self {
        Self {
            spacing,
            next: 0.0,
            freed: BTreeSet::new(),
        }
    }

    /// A start at or after `now`: a freed one still ahead, else the next.
    pub fn book(&mut self, now: f64) -> f64 {
        while let Some(Start(at)) = self.freed.pop_first() {
            if at >= now {
                return at;
            }
        }
        let start = self.next.max(now);
        self.next = start + self.spacing;
        start
    }

    /// Hands back `start`, booked and not used.
    pub fn unbook(&mut self, start: f64, now: f64) {
        if start + self.spacing != self.next {
            self.freed.insert(Start(start));
            return;
        }
        self.next = start.max(now);
        while let Some(&Start(last)) = self
            .freed
            .last()
            .filter(|&&Start(at)| at + self.spacing == self.next)
        {
            self.freed.pop_last();
            self.next = last.max(now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Schedule;

    #[test]
    fn a_start_given_up_in_the_middle_goes_to_the_next_caller_not_beside_another() {
        let mut schedule = Schedule::new(500.0);
        let booked: Vec<f64> = (0..4).map(|_| schedule.book(0.0)).collect();
        assert_eq!(booked, [0.0, 500.0, 1000.0, 1500.0]);
        schedule.unbook(500.0, 100.0);
        assert_eq!(schedule.book(100.0), 500.0, "the freed start");
        assert_eq!(schedule.book(100.0), 2000.0, "after the last booked");
    }

    #[test]
    fn starts_given_up_in_any_order_leave_the_schedule_as_if_never_booked() {
        let mut schedule = Schedule::new(500.0);
        for _ in 0..4 {
            schedule.book(0.0);
        }
        for start in [500.0, 1000.0, 1500.0] {
            schedule.unbook(start, 100.0);
        }
        assert_eq!(schedule.book(100.0), 500.0);
        assert_eq!(schedule.book(100.0), 1000.0);
        let mut schedule = Schedule::new(500.0);
        for _ in 0..4 {
            schedule.book(0.0);
        }
        for start in [1500.0, 500.0, 1000.0] {
            schedule.unbook(start, 100.0);
        }
        assert_eq!(
            (schedule.book(100.0), schedule.book(100.0)),
            (500.0, 1000.0)
        );
    }

    /// Wall ms of booking `n` starts, handing back all but the last (earliest first), and booking
    /// `n` again: each booking takes the earliest start freed.
    fn give_up_and_rebook_ms(n: usize) -> f64 {
        let clock = std::time::Instant::now();
        let mut schedule = Schedule::new(10.0);
        let starts: Vec<f64> = (0..n).map(|_| schedule.book(0.0)).collect();
        for &start in starts.iter().take(n - 1) {
            schedule.unbook(start, 0.0);
        }
        let rebooked: Vec<f64> = (0..n).map(|_| schedule.book(0.0)).collect();
        assert_eq!(rebooked.first(), starts.first());
        clock.elapsed().as_secs_f64() * 1000.0
    }

    #[test]
    fn giving_up_and_rebooking_take_time_linear_in_the_callers() {
        // Eight times the callers may take at most 24 times as long (n² would take 64); the fastest of
        // 5 rounds, the sizes interleaved (the one least slowed by other tests' threads).
        let (n, rounds) = (10_000, 5);
        let mut times = [Vec::new(), Vec::new()];
        for _ in 0..rounds {
            for (size, each) in [n, 8 * n].into_iter().zip(&mut times) {
                each.push(give_up_and_rebook_ms(size));
            }
        }
        let [small, large] = times.map(|each| each.into_iter().fold(f64::INFINITY, f64::min));
        assert!(
            large / small <= 24.0,
            "8x the callers took {:.1}x the time ({small:.1} ms, {large:.1} ms)",
            large / small
        );
    }

    #[test]
    fn freed_starts_that_passed_are_not_taken() {
        let mut schedule = Schedule::new(500.0);
        for _ in 0..3 {
            schedule.book(0.0);
        }
        schedule.unbook(500.0, 100.0);
        assert_eq!(schedule.book(600.0), 1500.0);
    }
}
