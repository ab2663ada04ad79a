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

/// Free text matches exactly the events whose JSON text contains the needle with
/// ASCII letters compared ignoring case and every other byte (non-ASCII letters
/// included: `É` is not `é`) compared as is. Checked against a brute-force search
/// over every record, for needles of every kind the finder treats differently
/// (no letters, one letter, letters only, letters beside digits and punctuation,
/// non-ASCII, longer than a scan block), on a store large enough that the
/// contiguous scan and its block loop run, and on a narrowed candidate set.
#[test]
fn free_text_agrees_with_a_brute_force_search_over_every_record() {
    let words = [
        "AccessDenied",
        "accessdenied",
        "Café",
        "CAFÉ",
        "straße",
        "Ünïcode",
        "i-0A1b2C3d",
        "10.0.0.1",
        "kms",
        "KMS",
        "🙂smile",
        "x-amz-id",
        "[bracket]",
        "@at`back",
    ];
    let events: Vec<String> = (0..3000)
        .map(|i| {
            // A deterministic mix: each event holds a few words, in varied case.
            let mut note = String::new();
            for k in 0..(i % 4) {
                let w = words[(i * 5 + k * 3) % words.len()];
                let w = if (i + k) % 3 == 0 {
                    w.to_ascii_uppercase()
                } else {
                    w.to_owned()
                };
                note.push_str(&w);
                note.push(' ');
            }
            let extra = format!(
                r#","requestParameters":{{"note":"{note}","n":{}}},"errorCode":"{}""#,
                i * 31 % 997,
                if i % 11 == 0 { "AccessDenied" } else { "" }
            );
            event(
                i,
                if i % 23 == 0 {
                    "GetObject"
                } else {
                    "PutObject"
                },
                &extra,
            )
        })
        .collect();
    let e = engine(&events);
    let long = "x".repeat(70);
    let mut needles: Vec<&str> = vec![
        "accessdenied",
        "ACCESSDENIED",
        "AccessDenied",
        "acc",
        "kms",
        "s",
        "zz",
        "qzxjvwk",
        "café",
        "CAFÉ",
        "cafÉ",
        "é",
        "straSSe",
        "straße",
        "ünïcode",
        "Ünïcode",
        "🙂",
        "🙂SMILE",
        "i-0a1b2c3d",
        "I-0A1B",
        "10.0.0.1",
        "0.0",
        "997",
        "x-amz",
        "[bracket",
        "{bracket",
        "@AT`BACK",
        "`at@back",
        "putobject",
        "eventname",
        &long,
    ];
    needles.sort_unstable();
    let texts: Vec<String> = (0..e.len() as u32)
        .map(|i| e.raw_json(i).to_owned())
        .collect();
    let brute = |needle: &str| -> Vec<u32> {
        let n = needle.to_ascii_lowercase();
        (0..texts.len() as u32)
            .filter(|&i| texts[i as usize].to_ascii_lowercase().contains(&n))
            .collect()
    };
    let narrow = e.query("eventName:GetObject").unwrap();
    assert!(
        narrow.len() * 16 < e.len(),
        "the narrow set must take the per-event path"
    );
    for needle in needles {
        let want = brute(needle);
        let q = format!("\"{needle}\"");
        assert_eq!(e.query(&q).unwrap(), want, "{needle}");
        let want_narrow: Vec<u32> = want
            .iter()
            .copied()
            .filter(|i| narrow.contains(i))
            .collect();
        assert_eq!(
            e.query(&format!("eventName:GetObject {q}")).unwrap(),
            want_narrow,
            "{needle} among GetObject"
        );
    }
    // The case rules, spelled out on one event each way.
    assert!(!brute("café").is_empty() && !brute("CAFÉ").is_empty());
    assert_ne!(
        brute("café"),
        brute("CAFÉ"),
        "non-ASCII letters keep their case"
    );
}

/// A path term narrows its candidates with one scan, on the value when it is exact
/// and long, else on the key; either way the result is the events whose value at
/// that path matches, not those holding the value or the key somewhere else.
#[test]
fn path_terms_match_the_path_whichever_text_narrows_them() {
    let events: Vec<String> = (0..600)
        .map(|i| {
            let extra = match i % 6 {
                0 => r#","requestParameters":{"bucketName":"my-logs-bucket","maxResults":10}"#,
                1 => r#","requestParameters":{"bucketName":"other"},"note":"my-logs-bucket""#,
                2 => r#","responseElements":{"bucketName":"my-logs-bucket"}"#,
                3 => r#","requestParameters":{"inner":{"bucketName":"my-logs-bucket"}}"#,
                4 => r#","requestParameters":{"bucketName":"My-Logs-Bucket","maxResults":100}"#,
                _ => r#","requestParameters":{"maxResults":"10"}"#,
            };
            event(
                i,
                if i % 50 == 0 {
                    "ListObjects"
                } else {
                    "PutObject"
                },
                extra,
            )
        })
        .collect();
    let e = engine(&events);
    let every = |k: u32| -> Vec<u32> { (0..600).filter(|i| i % 6 == k).collect() };
    let cases: Vec<(&str, Vec<u32>)> = vec![
        ("requestParameters.bucketName:my-logs-bucket", every(0)),
        ("requestParameters.bucketName:other", every(1)),
        ("requestParameters.bucketName:*logs*", {
            let mut v = every(0);
            v.extend(every(4));
            v.sort_unstable();
            v
        }),
        ("responseElements.bucketName:my-logs-bucket", every(2)),
        (
            "requestParameters.inner.bucketName:my-logs-bucket",
            every(3),
        ),
        ("requestParameters.maxResults:10", {
            let mut v = every(0);
            v.extend(every(5));
            v.sort_unstable();
            v
        }),
        ("requestParameters.maxResults:100", every(4)),
        ("requestParameters.bucketName:*", {
            let mut v: Vec<u32> = every(0);
            v.extend(every(1));
            v.extend(every(4));
            v.sort_unstable();
            v
        }),
    ];
    let narrow = e.query("eventName:ListObjects").unwrap();
    assert!(narrow.len() * 16 < e.len());
    for (q, want) in cases {
        assert_eq!(e.query(q).unwrap(), want, "{q}");
        let want_narrow: Vec<u32> = want.into_iter().filter(|i| narrow.contains(i)).collect();
        assert_eq!(
            e.query(&format!("eventName:ListObjects {q}")).unwrap(),
            want_narrow,
            "{q} among ListObjects"
        );
    }
}
