//! Free-text and JSON-path terms scan the store's text chunks contiguously: a match
//! must lie inside one event's text, removed events never match, and the result is
//! the same whether the scan is contiguous (many candidates) or per event (few).
#![allow(clippy::unwrap_used)]

use trailscope_core::engine::Engine;

fn event(id: usize, name: &str, extra: &str) -> String {
    format!(
        r#"{{"eventID":"id-{id}","eventName":"{name}","eventSource":"s3.amazonaws.com","eventTime":"2023-07-10T12:00:{:02}Z"{extra}}}"#,
        id % 60
    )
}

fn engine(events: &[String]) -> Engine {
    let mut e = Engine::new();
    e.load(
        "a.json",
        format!("{{\"Records\":[{}]}}", events.join(",")).as_bytes(),
    );
    e
}

#[test]
fn a_match_across_two_events_counts_for_neither() {
    // Event texts are stored back to back: `...}` then `{...`.
    let e = engine(&[event(0, "A", ""), event(1, "B", "")]);
    assert_eq!(e.query(r#""}{""#).unwrap(), Vec::<u32>::new());
    assert_eq!(e.query(r#""Z\"}""#).unwrap(), vec![0, 1]);
    // The end of one event plus the start of the next.
    assert_eq!(e.query(r#""Z\"}{\"eventID""#).unwrap(), Vec::<u32>::new());
}

#[test]
fn removed_events_do_not_match_free_text_or_paths() {
    let mut e = Engine::new();
    let a = format!(
        "{{\"Records\":[{}]}}",
        event(0, "A", r#","requestParameters":{"alarmName":"x"}"#)
    );
    let b = format!(
        "{{\"Records\":[{}]}}",
        event(1, "B", r#","requestParameters":{"alarmName":"x"}"#)
    );
    let fa = e.load("a.json", a.as_bytes()).id;
    e.load("b.json", b.as_bytes());
    assert_eq!(e.query("alarmname").unwrap(), vec![0, 1]);
    assert!(e.remove_file(fa));
    assert_eq!(e.query("alarmname").unwrap(), vec![1]);
    assert_eq!(e.query("requestParameters.alarmName:x").unwrap(), vec![1]);
}

#[test]
fn contiguous_and_per_event_scans_agree() {
    let events: Vec<String> = (0..400)
        .map(|i| {
            let extra = match i % 5 {
                0 => r#","requestParameters":{"alarmName":"CPU high"}"#.to_owned(),
                1 => r#","responseElements":{"alarmName":"not the path"}"#.to_owned(),
                2 => r#","requestParameters":{"note":"alarmName"}"#.to_owned(),
                _ => String::new(),
            };
            event(
                i,
                if i % 7 == 0 {
                    "DeleteAlarms"
                } else {
                    "PutMetricAlarm"
                },
                &extra,
            )
        })
        .collect();
    let e = engine(&events);
    // Few candidates (one eventName among many) take the per-event path; the bare
    // term scans everything.
    for (narrow, wide) in [
        ("eventName:DeleteAlarms cpu", "cpu"),
        (
            "eventName:DeleteAlarms requestParameters.alarmName:*",
            "requestParameters.alarmName:*",
        ),
        (
            r#"eventName:DeleteAlarms requestParameters.alarmName:"CPU high""#,
            r#"requestParameters.alarmName:"CPU high""#,
        ),
    ] {
        let deletes = e.query("eventName:DeleteAlarms").unwrap();
        let all = e.query(wide).unwrap();
        let want: Vec<u32> = all.into_iter().filter(|i| deletes.contains(i)).collect();
        assert_eq!(e.query(narrow).unwrap(), want, "{narrow}");
    }
    let hits = e.query("requestParameters.alarmName:*").unwrap();
    assert_eq!(hits, (0..400).filter(|i| i % 5 == 0).collect::<Vec<u32>>());
    assert_eq!(e.query("cpu").unwrap().len(), 80);
}

fn naive_find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() {
        return (from <= hay.len()).then_some(from);
    }
    (from..hay.len().saturating_sub(needle.len() - 1))
        .find(|&p| hay[p..p + needle.len()].eq_ignore_ascii_case(needle))
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
    #[test]
    fn finder_agrees_with_a_naive_search(
        hay in "[aAbBcC{}\"x1 -]{0,200}",
        needle in "[aAbBcC{}\"x1-]{1,6}",
        from in 0usize..210,
    ) {
        let f = trailscope_core::query::text::Finder::new(&needle);
        proptest::prop_assert_eq!(
            f.find_from(hay.as_bytes(), from),
            naive_find(hay.as_bytes(), needle.as_bytes(), from)
        );
    }
}
