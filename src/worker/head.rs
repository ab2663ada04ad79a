//! When a view is answered twice: a *head* (the new count and the table's first rows)
//! ahead of the whole answer (facets, groups, summary, timeline, parameter columns).
//!
//! The head brings the first rows sooner by as long as the panels take to count, and
//! costs the whole view the page's drawing of a second answer (about 15 ms at 1,000,000
//! events on the 2-core machine the benchmark runs on, where the page's drawing of the
//! head competes with the worker's counting). So a head is posted only when the panels
//! are expected to take long: at the pace (time per event) the last views' panels were
//! counted at, for the events the new query matched.

/// Events loaded from which a new query may be answered with a head first.
pub const HEAD_MIN_EVENTS: usize = 50_000;
/// The panels' expected time from which the head goes first, in milliseconds.
pub const HEAD_AFTER_MS: f64 = 30.0;
/// Views over fewer events do not set the pace: their fixed costs would count as pace.
const PACE_MIN_EVENTS: usize = 10_000;

/// Decides whether a view posts a head answer, from the pace of the panels counted so far.
#[derive(Debug, Default)]
pub struct HeadRule {
    /// Milliseconds per event of the last panels counted over enough events.
    ms_per_event: Option<f64>,
    /// Every new query over [`HEAD_MIN_EVENTS`] posts a head, however fast (test builds:
    /// the end-to-end suite's loads are small, and must still go down the head's path).
    eager: bool,
}

impl HeadRule {
    pub fn new(eager: bool) -> Self {
        HeadRule {
            ms_per_event: None,
            eager,
        }
    }

    /// Whether a new query's view, with `total` events loaded and `matched` by the
    /// query, posts a head first. Without a pace yet, it does.
    pub fn wants_head(&self, total: usize, matched: usize) -> bool {
        if total < HEAD_MIN_EVENTS {
            return false;
        }
        if self.eager {
            return true;
        }
        self.expected_ms(matched)
            .is_none_or(|ms| ms > HEAD_AFTER_MS)
    }

    /// The panels' expected time over `events`, once a pace is known.
    pub fn expected_ms(&self, events: usize) -> Option<f64> {
        self.ms_per_event.map(|pace| pace * events as f64)
    }

    /// The panels of a view over `events` took `ms` to count.
    pub fn learn(&mut self, events: usize, ms: f64) {
        if events >= PACE_MIN_EVENTS && ms.is_finite() && ms >= 0.0 {
            self.ms_per_event = Some(ms / events as f64);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_loads_never_post_a_head() {
        let mut rule = HeadRule::new(true);
        assert!(!rule.wants_head(HEAD_MIN_EVENTS - 1, HEAD_MIN_EVENTS - 1));
        rule.learn(20_000, 1_000.0);
        assert!(!rule.wants_head(HEAD_MIN_EVENTS - 1, HEAD_MIN_EVENTS - 1));
    }

    #[test]
    fn a_head_goes_first_until_the_pace_is_known() {
        let rule = HeadRule::new(false);
        assert_eq!(rule.expected_ms(250_000), None);
        assert!(rule.wants_head(1_000_000, 1));
    }

    #[test]
    fn the_pace_of_the_last_panels_decides() {
        let mut rule = HeadRule::new(false);
        // 1,000,000 events counted in 60 ms: 250,000 take 15 ms, 600,000 take 36.
        rule.learn(1_000_000, 60.0);
        assert!(rule
            .expected_ms(250_000)
            .is_some_and(|ms| (ms - 15.0).abs() < 1e-9));
        assert!(!rule.wants_head(1_000_000, 250_000));
        assert!(rule.wants_head(1_000_000, 600_000));
        // A busy machine: the same panels took four times as long.
        rule.learn(1_000_000, 240.0);
        assert!(rule.wants_head(1_000_000, 250_000));
    }

    #[test]
    fn views_over_few_events_or_bad_times_do_not_set_the_pace() {
        let mut rule = HeadRule::new(false);
        rule.learn(1_000_000, 40.0);
        rule.learn(PACE_MIN_EVENTS - 1, 50.0);
        rule.learn(1_000_000, f64::NAN);
        rule.learn(1_000_000, -1.0);
        assert!(rule
            .expected_ms(1_000_000)
            .is_some_and(|ms| (ms - 40.0).abs() < 1e-9));
    }

    #[test]
    fn eager_rules_post_a_head_however_fast_the_panels() {
        let mut rule = HeadRule::new(true);
        rule.learn(1_000_000, 1.0);
        assert!(rule.wants_head(HEAD_MIN_EVENTS, 1));
        assert!(!HeadRule::new(false).eager);
    }
}
