//! [`Schedule`]: requests' starts under `requests_per_second`, booked ahead (JS: `schedule` in
//! pace.js).

/// Starts `spacing` ms apart, booked ahead. The last start booked, handed back, moves the schedule
/// back (never before now); another one handed back is freed, and the next caller takes it: every
/// start stays `spacing` from the next, whoever gives up, so that the starts in any window stay within
/// the rate.
#[derive(Debug)]
pub struct Schedule {
    spacing: f64,
    /// The start after the last one booked.
    next: f64,
    /// Starts handed back before `next`, earliest first.
    freed: Vec<f64>,
}

impl Schedule {
    /// Starts `spacing` ms apart (0: any start is now).
    pub fn new(spacing: f64) -> Self {
        Self {
            spacing,
            next: 0.0,
            freed: Vec::new(),
        }
    }

    /// A start at or after `now`: a freed one still ahead, else the next.
    pub fn book(&mut self, now: f64) -> f64 {
        let passed = self.freed.iter().take_while(|&&at| at < now).count();
        self.freed.drain(..passed);
        if !self.freed.is_empty() {
            return self.freed.remove(0);
        }
        let start = self.next.max(now);
        self.next = start + self.spacing;
        start
    }

    /// Hands back `start`, booked and not used.
    pub fn unbook(&mut self, start: f64, now: f64) {
        if start + self.spacing != self.next {
            let later = self.freed.partition_point(|&at| at <= start);
            self.freed.insert(later, start);
            return;
        }
        self.next = start.max(now);
        while let Some(&last) = self
            .freed
            .last()
            .filter(|&&at| at + self.spacing == self.next)
        {
            self.freed.pop();
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
