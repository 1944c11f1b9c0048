//! One heap of timers in due order.
//!
//! A timer is a due time, a sequence number (ties break in the order timers were
//! set), and a payload the heap never looks at (the router's kind, subject and token).
//! Due times are finite numbers: the router refuses anything else before it gets here.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// A timer as it leaves the heap.
#[derive(Clone, Debug, PartialEq)]
pub struct Timer<P> {
    /// When it falls due.
    pub at: f64,
    /// Its place among timers due at the same time.
    pub seq: i64,
    /// What the owner attached.
    pub payload: P,
}

struct Entry<P>(Timer<P>);

impl<P> Entry<P> {
    fn key(&self) -> (f64, i64) {
        (self.0.at, self.0.seq)
    }
}

impl<P> PartialEq for Entry<P> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl<P> Eq for Entry<P> {}

impl<P> PartialOrd for Entry<P> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<P> Ord for Entry<P> {
    // Reversed: the standard heap is a max-heap and the earliest timer must come first.
    fn cmp(&self, other: &Self) -> Ordering {
        let (at, seq) = self.key();
        let (other_at, other_seq) = other.key();
        other_at.total_cmp(&at).then(other_seq.cmp(&seq))
    }
}

/// Timers in due order.
pub struct TimerHeap<P> {
    heap: BinaryHeap<Entry<P>>,
    seq: i64,
}

impl<P> Default for TimerHeap<P> {
    fn default() -> Self {
        Self::new()
    }
}

impl<P> TimerHeap<P> {
    /// An empty heap.
    pub fn new() -> Self {
        TimerHeap {
            heap: BinaryHeap::new(),
            seq: 0,
        }
    }

    /// The sequence number of the last timer set.
    pub fn seq(&self) -> i64 {
        self.seq
    }

    /// How many timers are set (stale ones included).
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// True when no timer is set.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// Set a timer due at `at`.
    pub fn set(&mut self, at: f64, payload: P) {
        self.seq += 1;
        self.heap.push(Entry(Timer {
            at,
            seq: self.seq,
            payload,
        }));
    }

    /// When the next timer is due.
    pub fn next_at(&self) -> Option<f64> {
        self.heap.peek().map(|entry| entry.0.at)
    }

    /// The next timer due at or before `now` (removed).
    pub fn pop_due(&mut self, now: f64) -> Option<Timer<P>> {
        if self.next_at()? <= now {
            self.heap.pop().map(|entry| entry.0)
        } else {
            None
        }
    }

    /// The timers in due order (the heap is left as it is).
    pub fn sorted(&self) -> Vec<&Timer<P>> {
        let mut timers: Vec<&Timer<P>> = self.heap.iter().map(|entry| &entry.0).collect();
        timers.sort_by(|a, b| a.at.total_cmp(&b.at).then(a.seq.cmp(&b.seq)));
        timers
    }

    /// Replace every timer by `timers`, the last sequence number by `seq`.
    pub fn load(&mut self, timers: impl IntoIterator<Item = Timer<P>>, seq: i64) {
        self.heap = timers.into_iter().map(Entry).collect();
        self.seq = seq;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timers_leave_in_due_order_and_ties_in_the_order_they_were_set() {
        let mut heap = TimerHeap::new();
        heap.set(5.0, "b");
        heap.set(1.0, "a");
        heap.set(5.0, "c");
        assert_eq!(heap.next_at(), Some(1.0));
        assert!(heap.pop_due(0.5).is_none());
        let order: Vec<&str> = std::iter::from_fn(|| heap.pop_due(10.0))
            .map(|t| t.payload)
            .collect();
        assert_eq!(order, ["a", "b", "c"]);
        assert!(heap.is_empty());
        assert_eq!(heap.seq(), 3);
    }

    #[test]
    fn sorted_and_load_round_trip() {
        let mut heap = TimerHeap::new();
        for (at, name) in [(3.0, "x"), (2.0, "y"), (2.0, "z")] {
            heap.set(at, name);
        }
        let saved: Vec<Timer<&str>> = heap.sorted().into_iter().cloned().collect();
        assert_eq!(
            saved.iter().map(|t| t.payload).collect::<Vec<_>>(),
            ["y", "z", "x"]
        );
        let mut other = TimerHeap::new();
        other.load(saved.clone(), heap.seq());
        assert_eq!(other.len(), 3);
        assert_eq!(
            other.sorted().into_iter().cloned().collect::<Vec<_>>(),
            saved
        );
        other.set(1.0, "w");
        assert_eq!(
            other.pop_due(1.0).map(|t| (t.seq, t.payload)),
            Some((4, "w"))
        );
    }

    #[test]
    fn an_empty_heap_has_nothing_due() {
        let mut heap: TimerHeap<()> = TimerHeap::default();
        assert_eq!(heap.next_at(), None);
        assert!(heap.pop_due(f64::MAX).is_none());
    }
}
