//! Browser unit tests of the page's pure logic (wasm-bindgen-test, headless Chromium):
//! how facet and "filter by this value" clicks build query terms, how times are shown,
//! what counts as an epoch time or an ARN, and the order-keeping JSON tree of the detail
//! pane. Run with `wasm-pack`-free `cargo test --target wasm32-unknown-unknown` and
//! `wasm-bindgen-test-runner` (see scripts/test).
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used)]

use trailscope::app::format::{
    append_term, display_param, epoch_ms, format_time, format_time_zoned, group_digits, parse_arn,
    parse_iso, query_term, truncate,
};
use trailscope::app::json::Node;
use trailscope::app::table::{next_rows, window_range};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn facet_terms_quote_only_when_needed() {
    let cases = [
        (
            "eventName",
            "PutMetricAlarm",
            false,
            "eventName:PutMetricAlarm",
        ),
        (
            "eventName",
            "PutMetricAlarm",
            true,
            "-eventName:PutMetricAlarm",
        ),
        (
            "requestParameters.alarmName",
            "CloudTrail Test Alarm",
            false,
            "requestParameters.alarmName:\"CloudTrail Test Alarm\"",
        ),
        (
            "userIdentity.arn",
            "arn:aws:iam::123456789012:user/johndoe",
            false,
            "userIdentity.arn:\"arn:aws:iam::123456789012:user/johndoe\"",
        ),
        (
            "userAgent",
            "say \"hi\"",
            false,
            "userAgent:\"say \\\"hi\\\"\"",
        ),
        ("errorCode", "", false, "errorCode:\"\""),
        ("principal", "-dash", false, "principal:\"-dash\""),
        ("x", "OR", false, "x:\"OR\""),
    ];
    for (field, value, exclude, expected) in cases {
        assert_eq!(
            query_term(field, value, exclude),
            expected,
            "{field} {value:?}"
        );
    }
}

#[wasm_bindgen_test]
fn terms_are_appended_without_changing_the_meaning() {
    assert_eq!(append_term("", "a:b"), "a:b");
    assert_eq!(append_term("  x:y ", "a:b"), "x:y a:b");
    assert_eq!(append_term("x:y a:b", "a:b"), "x:y a:b", "no duplicate");
    assert_eq!(
        append_term("x:1 OR x:2", "a:b"),
        "(x:1 OR x:2) a:b",
        "OR binds inside"
    );
}

#[wasm_bindgen_test]
fn times_in_utc_and_with_an_offset() {
    assert_eq!(format_time(0, 0), "1970-01-01 00:00:00");
    assert_eq!(format_time(1_576_697_326_000, 0), "2019-12-18 19:28:46");
    assert_eq!(format_time(1_576_697_326_123, 0), "2019-12-18 19:28:46.123");
    assert_eq!(format_time(1_576_697_326_000, -300), "2019-12-18 14:28:46");
    assert_eq!(
        format_time(951_782_400_000, 0),
        "2000-02-29 00:00:00",
        "leap day"
    );
    assert_eq!(format_time_zoned(0, 330), "1970-01-01 05:30:00 UTC+05:30");
    assert_eq!(format_time_zoned(0, 0), "1970-01-01 00:00:00 UTC");
}

#[wasm_bindgen_test]
fn iso_times_parse_like_the_browser() {
    for text in [
        "2019-12-18T19:28:46Z",
        "2020-05-06T16:56:59.250Z",
        "2015-11-17T23:56:15+02:00",
        "1999-12-31T23:59:59-05:30",
    ] {
        let ours = parse_iso(text).unwrap();
        let browser = js_sys::Date::parse(text) as i64;
        assert_eq!(ours, browser, "{text}");
    }
    for bad in [
        "",
        "2019-12-18",
        "Dec 18, 2019 5:28:46 PM",
        "2019-13-18T19:28:46Z",
        "2019-12-18T19:28:46",
    ] {
        assert_eq!(parse_iso(bad), None, "{bad}");
    }
}

#[wasm_bindgen_test]
fn epoch_numbers_are_recognised_by_size_or_by_key() {
    // CloudWatch Logs CreateExportTask: `from`/`to` are epoch milliseconds, even tiny ones.
    assert_eq!(epoch_ms(0.0, Some("from")), Some(0));
    assert_eq!(
        epoch_ms(123_456_789_012.0, Some("to")),
        Some(123_456_789_012)
    );
    assert_eq!(
        epoch_ms(1_700_000_000.0, Some("creationDate")),
        Some(1_700_000_000_000)
    );
    assert_eq!(epoch_ms(1_700_000_000.0, None), Some(1_700_000_000_000));
    assert_eq!(epoch_ms(1_700_000_000_000.0, None), Some(1_700_000_000_000));
    // Ports, periods, thresholds and counts stay numbers.
    assert_eq!(epoch_ms(60.0, Some("period")), None);
    assert_eq!(epoch_ms(443.0, None), None);
    assert_eq!(epoch_ms(50.5, Some("threshold")), None);
    assert_eq!(epoch_ms(-1.0, Some("from")), None);
}

#[wasm_bindgen_test]
fn parameter_cells_show_dates_and_decoded_json() {
    assert_eq!(
        display_param("requestParameters.to", "123456789012", 0),
        "1973-11-29 21:33:09.012 (123456789012)"
    );
    assert_eq!(
        display_param("requestParameters.from", "0", 0),
        "1970-01-01 00:00:00 (0)"
    );
    assert_eq!(display_param("requestParameters.period", "60", 0), "60");
    assert_eq!(
        display_param(
            "requestParameters.eventPattern",
            "{\"source\": [\"aws.ec2\"]}",
            0
        ),
        "{\"source\":[\"aws.ec2\"]}"
    );
    assert_eq!(
        display_param("requestParameters.alarmName", "CloudTrail Test Alarm", 0),
        "CloudTrail Test Alarm"
    );
}

#[wasm_bindgen_test]
fn arns_split_into_their_parts() {
    let a = parse_arn("arn:aws:iam::123456789012:user/johndoe").unwrap();
    assert_eq!(
        (
            a.partition.as_str(),
            a.service.as_str(),
            a.region.as_str(),
            a.account.as_str(),
            a.resource.as_str()
        ),
        ("aws", "iam", "", "123456789012", "user/johndoe")
    );
    let b = parse_arn("arn:aws:events:us-east-1:123456789012:rule/cttest2").unwrap();
    assert_eq!(
        (b.region.as_str(), b.resource.as_str()),
        ("us-east-1", "rule/cttest2")
    );
    let c = parse_arn("arn:aws:logs:us-east-1:1:log-group:/aws/x:*").unwrap();
    assert_eq!(
        c.resource, "log-group:/aws/x:*",
        "colons stay in the resource"
    );
    assert_eq!(parse_arn("arn:aws:iam::user-arn"), None);
    assert_eq!(parse_arn("not an arn"), None);
}

#[wasm_bindgen_test]
fn json_tree_keeps_document_order_and_finds_tables() {
    let text = r#"{"eventVersion":"1.05","userIdentity":{"type":"IAMUser"},"responseElements":{"datasetGroups":[{"name":"a","status":"ACTIVE"},{"name":"b","extra":1}]},"t":50.0}"#;
    let n = Node::parse(text).unwrap();
    assert_eq!(n.to_json(), text);
    let groups = n
        .get("responseElements")
        .and_then(|r| r.get("datasetGroups"))
        .unwrap();
    assert_eq!(
        groups.table_columns().unwrap(),
        vec!["name", "status", "extra"]
    );
    assert_eq!(Node::parse("[1, {\"a\":1}]").unwrap().table_columns(), None);
    let pattern = Node::String("{\"source\":[\"aws.ec2\"]}".into())
        .embedded_json()
        .unwrap();
    assert_eq!(pattern.to_json(), "{\"source\":[\"aws.ec2\"]}");
    assert_eq!(Node::String("{not json".into()).embedded_json(), None);
}

#[wasm_bindgen_test]
fn the_table_window_stays_small_for_a_million_rows() {
    assert_eq!(window_range(0, 0.0, 800.0), (0, 0));
    assert_eq!(window_range(10, 0.0, 800.0), (0, 10));
    let (start, end) = window_range(1_000_000, 12_000_000.0, 900.0);
    assert!(start <= 500_000 && end > 500_000 + 30, "{start}..{end}");
    assert!(end - start <= 100);
    let (s, e) = window_range(1_000_000, 1e12, 900.0);
    assert!(
        s < e && e == 1_000_000 && e - s <= 100,
        "scrolled past the end shows the tail, never panics: {s}..{e}"
    );
    let (_, e) = window_range(1_000_000, 0.0, 1e9);
    assert_eq!(e, 100, "a huge viewport is still capped");
}

#[wasm_bindgen_test]
fn many_new_rows_are_made_over_a_few_frames() {
    // A first view: 16 rows a frame from the top, then the rest.
    assert_eq!(next_rows((0, 34), (0, 0)), ((0, 16), true));
    assert_eq!(next_rows((0, 34), (0, 16)), ((0, 32), true));
    assert_eq!(next_rows((0, 34), (0, 32)), ((0, 34), false));
    // Scrolling a few rows, a new view at the same place, fewer events: at once.
    assert_eq!(next_rows((5, 39), (0, 34)), ((5, 39), false));
    assert_eq!(next_rows((0, 34), (0, 34)), ((0, 34), false));
    assert_eq!(next_rows((0, 3), (0, 34)), ((0, 3), false));
    assert_eq!(next_rows((0, 0), (0, 34)), ((0, 0), false));
    // A jump: the new window fills from its top.
    assert_eq!(next_rows((5000, 5034), (0, 34)), ((5000, 5016), true));
    assert_eq!(next_rows((5000, 5034), (5000, 5016)), ((5000, 5032), true));
    // A scroll by more than 16 rows keeps the rows still in the window and grows them,
    // downward first, then upward.
    assert_eq!(next_rows((20, 54), (0, 34)), ((20, 50), true));
    assert_eq!(next_rows((20, 54), (20, 50)), ((20, 54), false));
    assert_eq!(next_rows((0, 34), (20, 54)), ((4, 34), true));
    assert_eq!(next_rows((0, 34), (4, 34)), ((0, 34), false));
    assert_eq!(next_rows((0, 60), (30, 34)), ((30, 50), true));
    assert_eq!(next_rows((0, 60), (30, 50)), ((24, 60), true));
}

#[wasm_bindgen_test]
fn small_text_helpers() {
    assert_eq!(group_digits(1_234_567), "1,234,567");
    assert_eq!(group_digits(999), "999");
    assert_eq!(truncate("abcdef", 3), ("abc…".to_string(), true));
    assert_eq!(truncate("abc", 3), ("abc".to_string(), false));
}

/// The free-text search's scan for wasm SIMD (compiled only for wasm32 with simd128, as
/// the app is built) finds exactly the positions a plain case-insensitive comparison
/// finds: needles planted in either case at block edges and at the end, and short
/// needles that occur by chance many times a block.
#[wasm_bindgen_test]
fn text_search_finds_what_a_plain_comparison_finds() {
    use trailscope_core::query::text::Finder;
    let mut seed: u32 = 0x9e37_79b9;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        seed as usize
    };
    let alphabet = b"aAsSuUmMeErRoOlL-_\":,1";
    for needle in [
        "assumerole",
        "AssumeRole",
        "sum",
        "me-r",
        "u:1",
        "ll",
        "a\"s",
        "rOLe\"",
    ] {
        let n = needle.len();
        for len in [0usize, 5, 15, 63, 64, 65, 127, 200, 4099] {
            let mut hay: Vec<u8> = (0..len)
                .map(|_| alphabet[next() % alphabet.len()])
                .collect();
            for at in [0, 17, 31, 32, 63, 64, 100, len.saturating_sub(n)] {
                if at + n <= len {
                    for (i, b) in needle.bytes().enumerate() {
                        hay[at + i] = if next() % 2 == 0 {
                            b.to_ascii_uppercase()
                        } else {
                            b.to_ascii_lowercase()
                        };
                    }
                }
            }
            let plain: Vec<usize> = (0..len)
                .filter(|&p| p + n <= len && hay[p..p + n].eq_ignore_ascii_case(needle.as_bytes()))
                .collect();
            let finder = Finder::new(needle);
            let mut found = Vec::new();
            let mut from = 0;
            while let Some(p) = finder.find_from(&hay, from) {
                found.push(p);
                from = p + 1;
            }
            assert_eq!(found, plain, "{needle:?} in {len} bytes");
        }
    }
}
