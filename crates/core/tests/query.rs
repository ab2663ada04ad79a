//! Query language tests: syntax (ok and error cases with positions), and counts on
//! real and generated stores checked against an independent brute-force evaluation
//! over `serde_json::Value`. Also facets, groups, sorting, parameter columns and
//! exports.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use serde_json::Value;
use trailscope_core::engine::{Engine, Field};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");

/// Every corpus file the engine can read as Records or NDJSON, loaded.
fn corpus_engine() -> Option<Engine> {
    let dir = Path::new(CORPUS);
    if !dir.exists() {
        eprintln!("skipping: {CORPUS} is not present");
        return None;
    }
    let mut e = Engine::new();
    let mut paths = Vec::new();
    for sub in ["invictus-ir_aws_dataset", "otrf_security-datasets"] {
        for f in std::fs::read_dir(dir.join(sub)).unwrap() {
            let p = f.unwrap().path();
            if p.extension().is_some_and(|x| x == "json" || x == "gz") {
                paths.push(p);
            }
        }
    }
    paths.sort();
    for p in paths {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        e.load(&name, &std::fs::read(&p).unwrap());
    }
    Some(e)
}

/// A deterministic pseudo-random source: each call gives a number below `m`.
fn xorshift(mut seed: u64) -> impl FnMut(usize) -> usize {
    move |m| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % m as u64) as usize
    }
}

/// A deterministic generated store: a mix of services, identities, errors, type
/// mismatches and missing fields.
fn generated_engine(n: usize) -> Engine {
    generated_engine_with(n, 0)
}

/// [`generated_engine`], with room for `reserve` events made before loading.
fn generated_engine_with(n: usize, reserve: usize) -> Engine {
    let mut rnd = xorshift(0x9e37_79b9_7f4a_7c15);
    let sources = [
        "s3.amazonaws.com",
        "ec2.amazonaws.com",
        "iam.amazonaws.com",
        "pi.amazonaws.com",
    ];
    let names = [
        "GetObject",
        "PutObject",
        "DeleteBucket",
        "DescribeInstances",
        "TerminateInstances",
        "CreateUser",
        "GetResourceMetrics",
        "ConsoleLogin",
    ];
    let idents = [
        r#"{"type":"IAMUser","userName":"alice","arn":"arn:aws:iam::111:user/alice","accessKeyId":"AKIA1"}"#,
        r#"{"type":"AssumedRole","arn":"arn:aws:sts::111:assumed-role/Admin/bob","sessionContext":{"sessionIssuer":{"userName":"Admin"},"attributes":{"mfaAuthenticated":"true"}}}"#,
        r#"{"type":"Root","arn":"arn:aws:iam::222:root","accountId":"222"}"#,
        r#"{"type":"AWSService","invokedBy":"cloudtrail.amazonaws.com"}"#,
        r#""weird""#,
    ];
    let mut records = Vec::new();
    for k in 0..n {
        let mut fields = vec![format!(r#""eventID":"gen-{k}""#)];
        fields.push(format!(
            r#""eventSource":"{}""#,
            sources[rnd(sources.len())]
        ));
        if rnd(20) != 0 {
            fields.push(format!(r#""eventName":"{}""#, names[rnd(names.len())]));
        }
        fields.push(format!(r#""userIdentity":{}"#, idents[rnd(idents.len())]));
        fields.push(format!(
            r#""eventTime":"2023-07-{:02}T{:02}:00:00Z""#,
            1 + rnd(28),
            rnd(24)
        ));
        fields.push(format!(
            r#""awsRegion":"{}""#,
            ["us-east-1", "eu-west-1", "ap-south-1"][rnd(3)]
        ));
        fields.push(format!(r#""sourceIPAddress":"10.0.0.{}""#, rnd(5)));
        match rnd(6) {
            0 => fields.push(
                r#""errorCode":"AccessDenied","errorMessage":"User is not authorized""#.into(),
            ),
            1 => fields.push(r#""errorCode":null"#.into()),
            _ => {}
        }
        match rnd(4) {
            0 => fields.push(r#""readOnly":true"#.into()),
            1 => fields.push(r#""readOnly":"false""#.into()),
            _ => {}
        }
        match rnd(4) {
            0 => fields.push(r#""requestParameters":{"bucketName":"logs-bucket","key":"a/b.txt"}"#.into()),
            1 => fields.push(r#""requestParameters":{"alarmName":"CloudTrail Test Alarm","threshold":1}"#.into()),
            2 => fields.push(r#""requestParameters":{"instancesSet":{"items":[{"instanceId":"i-1"},{"instanceId":"i-2"}]}}"#.into()),
            _ => fields.push(r#""requestParameters":null"#.into()),
        }
        if rnd(5) == 0 {
            fields.push(r#""responseElements":{"ConsoleLogin":"Failure"}"#.into());
        }
        records.push(format!("{{{}}}", fields.join(",")));
    }
    let mut e = Engine::new();
    e.reserve(reserve);
    e.load(
        "generated.json",
        format!("{{\"Records\":[{}]}}", records.join(",\n")).as_bytes(),
    );
    e
}

// ---- independent evaluation over Value ------------------------------------

fn at<'a>(v: &'a Value, path: &str) -> Vec<&'a Value> {
    let mut cur = vec![v];
    for seg in path.split('.') {
        let mut next = Vec::new();
        for c in cur {
            match c {
                Value::Object(m) => next.extend(m.get(seg)),
                Value::Array(a) => next.extend(a.iter().filter_map(|x| x.get(seg))),
                _ => {}
            }
        }
        // Arrays reached at the end are searched element by element.
        cur = next
            .into_iter()
            .flat_map(|x| match x {
                Value::Array(a) if a.iter().all(|y| !y.is_object()) && !a.is_empty() => {
                    a.iter().collect()
                }
                _ => vec![x],
            })
            .collect();
    }
    cur
}

fn s(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(x) => Some(x.clone()),
        other => Some(other.to_string()),
    }
}

fn eq(v: &Value, path: &str, want: &str) -> bool {
    at(v, path).iter().any(|x| s(x).as_deref() == Some(want))
}

fn has(v: &Value, path: &str) -> bool {
    at(v, path).iter().any(|x| !x.is_null())
}

fn starts_ci(v: &Value, path: &str, prefix: &str) -> bool {
    at(v, path)
        .iter()
        .any(|x| s(x).is_some_and(|t| t.to_lowercase().starts_with(&prefix.to_lowercase())))
}

fn text_ci(raw: &str, needle: &str) -> bool {
    raw.to_lowercase().contains(&needle.to_lowercase())
}

fn failed(v: &Value) -> bool {
    has(v, "errorCode") && s(&v["errorCode"]).is_some_and(|x| !x.is_empty())
        || v["eventName"] == "ConsoleLogin" && v["responseElements"]["ConsoleLogin"] == "Failure"
}

type Pred = fn(&Value, &str) -> bool;

fn check_queries(e: &Engine, cases: &[(&str, Pred)]) {
    let all = e.query("").unwrap();
    assert_eq!(all.len(), e.len());
    let values: Vec<(u32, Value, &str)> = all
        .iter()
        .map(|&i| {
            (
                i,
                serde_json::from_str(e.raw_json(i)).unwrap(),
                e.raw_json(i),
            )
        })
        .collect();
    for (q, pred) in cases {
        let got = e.query(q).unwrap_or_else(|err| panic!("{q}: {err:?}"));
        let want: Vec<u32> = values
            .iter()
            .filter(|(_, v, raw)| pred(v, raw))
            .map(|(i, _, _)| *i)
            .collect();
        assert_eq!(
            got,
            want,
            "query {q}: {} vs {} expected",
            got.len(),
            want.len()
        );
    }
}

const COMMON_CASES: &[(&str, Pred)] = &[
    ("eventName:GetObject", |v, _| {
        eq(v, "eventName", "GetObject")
    }),
    ("eventName:getobject", |_, _| false),
    ("eventName:get*", |v, _| starts_ci(v, "eventName", "get")),
    ("eventName:*Instances", |v, _| {
        has(v, "eventName")
            && s(&v["eventName"])
                .unwrap()
                .to_lowercase()
                .ends_with("instances")
    }),
    ("-eventName:GetObject", |v, _| {
        !eq(v, "eventName", "GetObject")
    }),
    ("NOT eventName:GetObject", |v, _| {
        !eq(v, "eventName", "GetObject")
    }),
    ("eventName:*", |v, _| has(v, "eventName")),
    ("errorCode:*", |v, _| has(v, "errorCode")),
    ("-errorCode:*", |v, _| !has(v, "errorCode")),
    ("userIdentity.type:AssumedRole", |v, _| {
        eq(v, "userIdentity.type", "AssumedRole")
    }),
    (
        "userIdentity.type:Root OR userIdentity.type:AWSService",
        |v, _| eq(v, "userIdentity.type", "Root") || eq(v, "userIdentity.type", "AWSService"),
    ),
    (
        "eventSource:s3.amazonaws.com eventName:Get* OR errorCode:AccessDenied",
        |v, _| {
            eq(v, "eventSource", "s3.amazonaws.com") && starts_ci(v, "eventName", "get")
                || eq(v, "errorCode", "AccessDenied")
        },
    ),
    (
        "eventSource:s3.amazonaws.com (eventName:Get* OR errorCode:AccessDenied)",
        |v, _| {
            eq(v, "eventSource", "s3.amazonaws.com")
                && (starts_ci(v, "eventName", "get") || eq(v, "errorCode", "AccessDenied"))
        },
    ),
    ("accessdenied", |_, raw| text_ci(raw, "accessdenied")),
    ("\"us-east-1\" -AccessDenied", |_, raw| {
        text_ci(raw, "us-east-1") && !text_ci(raw, "AccessDenied")
    }),
    ("outcome:failed", |v, _| failed(v)),
    ("outcome:success", |v, _| !failed(v)),
    ("requestParameters.bucketName:*", |v, _| {
        has(v, "requestParameters.bucketName")
    }),
    (
        "userIdentity.sessionContext.attributes.mfaAuthenticated:true",
        |v, _| {
            eq(
                v,
                "userIdentity.sessionContext.attributes.mfaAuthenticated",
                "true",
            )
        },
    ),
    ("readOnly:true", |v, _| match &v["readOnly"] {
        Value::Bool(b) => *b,
        Value::String(x) if x.eq_ignore_ascii_case("true") || x.eq_ignore_ascii_case("false") => {
            x.eq_ignore_ascii_case("true")
        }
        _ => [
            "Get",
            "List",
            "Describe",
            "Head",
            "Lookup",
            "Search",
            "BatchGet",
            "Scan",
            "Query",
            "Check",
            "Select",
            "Download",
            "BatchDescribe",
        ]
        .iter()
        .any(|verb| {
            v["eventName"].as_str().is_some_and(|n| {
                n.starts_with(verb)
                    && n[verb.len()..]
                        .chars()
                        .next()
                        .is_none_or(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            })
        }),
    }),
    ("after:2023-07-15 before:2023-07-20", |v, _| {
        v["eventTime"]
            .as_str()
            .is_some_and(|t| ("2023-07-15".."2023-07-20").contains(&t))
    }),
];

#[test]
fn generated_store_matches_brute_force() {
    let e = generated_engine(3000);
    assert_eq!(e.len(), 3000);
    check_queries(&e, COMMON_CASES);
    check_queries(
        &e,
        &[
            (
                "requestParameters.alarmName:\"CloudTrail Test Alarm\"",
                |v, _| eq(v, "requestParameters.alarmName", "CloudTrail Test Alarm"),
            ),
            ("requestParameters.alarmName:CloudTrail", |_, _| false),
            ("requestParameters.threshold:1", |v, _| {
                eq(v, "requestParameters.threshold", "1")
            }),
            (
                "requestParameters.instancesSet.items.instanceId:i-2",
                |v, _| eq(v, "requestParameters.instancesSet.items.instanceId", "i-2"),
            ),
            ("principal:Admin/bob", |v, _| {
                eq(
                    v,
                    "userIdentity.arn",
                    "arn:aws:sts::111:assumed-role/Admin/bob",
                )
            }),
            ("principal:root", |v, _| eq(v, "userIdentity.type", "Root")),
            ("principal:cloudtrail.amazonaws.com", |v, _| {
                eq(v, "userIdentity.type", "AWSService")
            }),
            ("service:\"AWS Performance Insights\"", |v, _| {
                eq(v, "eventSource", "pi.amazonaws.com")
            }),
            ("service:*insights", |v, _| {
                eq(v, "eventSource", "pi.amazonaws.com")
            }),
            ("eventID:gen-7", |v, _| eq(v, "eventID", "gen-7")),
            ("eventID:gen-1*", |v, _| starts_ci(v, "eventID", "gen-1")),
            ("file:generated.json", |_, _| true),
            ("file:other.json", |_, _| false),
            (
                "userIdentity.accessKeyId:AKIA1 awsRegion:eu-west-1",
                |v, _| {
                    eq(v, "userIdentity.accessKeyId", "AKIA1") && eq(v, "awsRegion", "eu-west-1")
                },
            ),
            ("after:-2d", |v, _| {
                v["eventTime"]
                    .as_str()
                    .is_some_and(|t| t >= "2023-07-26T23:00:00Z")
            }),
        ],
    );
}

#[test]
fn corpus_store_matches_brute_force() {
    let Some(e) = corpus_engine() else { return };
    assert!(e.len() > 1000);
    check_queries(&e, COMMON_CASES);
    check_queries(
        &e,
        &[
            ("eventName:Decrypt", |v, _| eq(v, "eventName", "Decrypt")),
            ("sourceIPAddress:\"AWS Internal\"", |v, _| {
                eq(v, "sourceIPAddress", "AWS Internal")
            }),
            ("resources.type:AWS::S3::Bucket", |v, _| {
                eq(v, "resources.type", "AWS::S3::Bucket")
            }),
            ("resources.ARN:*baker221b*", |v, _| {
                at(v, "resources.ARN").iter().any(|x| {
                    x.as_str()
                        .is_some_and(|t| t.to_lowercase().contains("baker221b"))
                })
            }),
            (
                "errorCode:Client.UnauthorizedOperation OR errorCode:ThrottlingException",
                |v, _| {
                    eq(v, "errorCode", "Client.UnauthorizedOperation")
                        || eq(v, "errorCode", "ThrottlingException")
                },
            ),
            ("192.168.10.20 -eventSource:ec2.amazonaws.com", |v, raw| {
                raw.contains("192.168.10.20") && !eq(v, "eventSource", "ec2.amazonaws.com")
            }),
        ],
    );
}

#[test]
fn syntax_ok_and_errors_with_positions() {
    let e = generated_engine(50);
    for q in [
        "",
        "   ",
        "a",
        "a b OR c",
        "(a OR b) -c",
        "eventName:\"Put Metric\"",
        "x:\"a \\\" quote\"",
        "a AND b",
        "-(a b)",
        "after:-30m",
        "before:2023-07-10T12:00:00Z",
        "requestParameters.x:a:b",
    ] {
        assert!(e.query(q).is_ok(), "{q}: {:?}", e.query(q));
    }
    let errors: &[(&str, usize, &str)] = &[
        ("eventName:", 10, "missing value"),
        ("a (b", 2, "never closed"),
        ("a b)", 3, "no matching"),
        ("OR a", 0, "OR"),
        ("a OR", 2, "OR"),
        ("a OR OR b", 2, "OR"),
        ("\"abc", 0, "quote"),
        ("eventName:\"abc", 10, "quote"),
        ("a -", 2, "exclude"),
        ("()", 0, "empty"),
        (":x", 0, "field name"),
        ("after:yesterday", 6, "time"),
        ("x before:2023-13-01", 9, "time"),
        ("NOT", 0, "exclude"),
        ("a AND", 2, "AND"),
        ("ééé (", 4, "never closed"),
    ];
    for (q, pos, words) in errors {
        let err = e.query(q).unwrap_err();
        assert_eq!(err.position, *pos, "{q}: {err:?}");
        assert!(err.message.contains(words), "{q}: {err:?}");
    }
}

#[test]
fn facets_groups_and_sorting() {
    let e = generated_engine(800);
    let ids = e.query("").unwrap();
    let f = e.facet(&ids, Field::EventSource, 3);
    assert_eq!(f.distinct, 4);
    assert_eq!(f.values.len(), 3);
    let brute = |src: &str| {
        ids.iter()
            .filter(|&&i| e.row(i).event_source == src)
            .count() as u32
    };
    for (v, n) in &f.values {
        assert_eq!(*n, brute(v), "{v}");
    }
    assert!(f
        .values
        .windows(2)
        .all(|w| w[0].1 > w[1].1 || w[0].1 == w[1].1 && w[0].0 < w[1].0));

    // Every facet field against a count of each event's `field_value` (which reads the
    // field's key the way the facet does, so this checks the counting, ranking and
    // cutting, not which column a field reads): the same values and counts, most
    // frequent first, ties by value; a short facet is the start of the whole list, and
    // `distinct` counts every value. (A value read as "" may be absent or written
    // empty, which the count below cannot tell apart: left out.)
    let some = e.query("eventName:Describe* OR errorCode:*").unwrap();
    assert!(!some.is_empty() && some.len() < ids.len());
    for set in [&ids, &some] {
        for &field in Field::FACETS {
            let mut brute: std::collections::BTreeMap<String, u32> = Default::default();
            for &i in set.iter() {
                *brute.entry(e.field_value(i, field)).or_default() += 1;
            }
            brute.remove("");
            let mut want: Vec<(String, u32)> = brute.into_iter().collect();
            want.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            let all = e.facet(set, field, 100_000);
            let got: Vec<(String, u32)> = all
                .values
                .iter()
                .filter(|v| !v.0.is_empty())
                .cloned()
                .collect();
            assert_eq!(got, want, "{field:?}");
            assert_eq!(all.distinct as usize, all.values.len(), "{field:?}");
            let short = e.facet(set, field, 3);
            assert_eq!(
                short.values[..],
                all.values[..all.values.len().min(3)],
                "{field:?}"
            );
            assert_eq!(short.distinct, all.distinct, "{field:?}");
        }
    }

    let f = e.facet(&ids, Field::Outcome, 10);
    let failed = ids.iter().filter(|&&i| e.row(i).failed).count() as u32;
    assert!(f.values.contains(&("failed".into(), failed)));
    assert_eq!(f.values.iter().map(|v| v.1).sum::<u32>(), ids.len() as u32);

    // Two-level grouping adds up, and group_members gives the same members.
    let keys = [Field::EventSource, Field::EventName];
    let groups = e.group(&ids, &keys);
    assert_eq!(
        groups.iter().map(|g| g.count).sum::<u32>(),
        ids.len() as u32
    );
    assert!(groups.windows(2).all(|w| w[0].count >= w[1].count));
    for g in &groups {
        assert_eq!(g.children.iter().map(|c| c.count).sum::<u32>(), g.count);
        let m = e.group_members(&ids, &keys, std::slice::from_ref(&g.key));
        assert_eq!(m.len() as u32, g.count);
        for c in &g.children {
            let m = e.group_members(&ids, &keys, &[g.key.clone(), c.key.clone()]);
            assert_eq!(m.len() as u32, c.count, "{} / {}", g.key, c.key);
            assert!(m.iter().all(|&i| e.row(i).event_name == c.key));
        }
    }
    // Events without an eventName form the "" group.
    let by_name = e.group(&ids, &[Field::EventName]);
    let none = ids
        .iter()
        .filter(|&&i| e.row(i).event_name.is_empty())
        .count() as u32;
    assert!(none > 0);
    assert_eq!(
        by_name.iter().find(|g| g.key.is_empty()).map(|g| g.count),
        Some(none)
    );

    // Sorting: by time descending, ties by index ascending; by name ascending.
    let mut s = ids.clone();
    e.sort(&mut s, Field::EventTime, true);
    assert!(s.windows(2).all(|w| {
        let (a, b) = (e.row(w[0]).time_ms, e.row(w[1]).time_ms);
        a > b || a == b && w[0] < w[1]
    }));
    e.sort(&mut s, Field::EventName, false);
    assert!(s.windows(2).all(|w| {
        let (a, b) = (e.row(w[0]).event_name, e.row(w[1]).event_name);
        a < b || a == b && w[0] < w[1]
    }));

    let sum = e.summary(&ids);
    assert_eq!(sum.events, ids.len() as u32);
    assert_eq!(sum.failed, failed);
    assert_eq!(sum.regions, 3);
    assert_eq!(sum.services, 4);
    assert!(sum.first_ms <= sum.last_ms);
}

#[test]
fn field_names_round_trip_and_are_queryable() {
    let e = generated_engine(200);
    let ids = e.query("").unwrap();
    for opt in [
        "eventSource",
        "eventName",
        "principal",
        "awsRegion",
        "errorCode",
        "recipientAccountId",
        "sourceIPAddress",
    ] {
        assert!(Field::from_name(opt).is_some(), "{opt}");
    }
    for &f in Field::ALL {
        assert_eq!(Field::from_name(f.name()), Some(f));
        assert!(!f.label().is_empty());
        // Every facet value, queried as name:"value", finds exactly its count.
        if f == Field::EventTime {
            continue;
        }
        for (v, n) in e.facet(&ids, f, 5).values {
            let q = format!("{}:\"{}\"", f.name(), v.replace('"', "\\\""));
            assert_eq!(e.query(&q).unwrap().len() as u32, n, "{q}");
        }
    }
}

#[test]
fn param_columns_and_values() {
    let e = generated_engine(400);
    let ids = e.query("requestParameters.alarmName:*").unwrap();
    let cols = e.param_columns(&ids, 10);
    let paths: Vec<&str> = cols.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(
        paths[..2],
        ["requestParameters.alarmName", "requestParameters.threshold"]
    );
    assert!(cols.iter().all(|c| c.count as usize <= ids.len()));
    assert_eq!(cols[0].count as usize, ids.len());
    assert!(paths.contains(&"responseElements.ConsoleLogin") || cols.len() == 2);
    assert_eq!(
        e.param_value(ids[0], "requestParameters.alarmName")
            .as_deref(),
        Some("CloudTrail Test Alarm")
    );

    let ec2 = e
        .query("requestParameters.instancesSet.items.instanceId:*")
        .unwrap();
    let cols = e.param_columns(&ec2, 1);
    assert_eq!(cols.len(), 1);
    assert_eq!(cols[0].path, "requestParameters.instancesSet.items[]");
    assert_eq!(
        e.param_value(ec2[0], &cols[0].path).as_deref(),
        Some("[2 items]")
    );
}

#[test]
fn export_json_loads_back_as_the_same_events() {
    let src = generated_engine(300);
    let ids = src
        .query("eventSource:s3.amazonaws.com OR outcome:failed")
        .unwrap();
    let json = src.export_json(&ids);
    let mut back = Engine::new();
    let r = back.load("export.json", json.as_bytes()).clone();
    assert_eq!(r.events as usize, ids.len());
    assert_eq!(back.len(), ids.len());
    let all = back.query("").unwrap();
    for (a, b) in ids.iter().zip(&all) {
        assert_eq!(src.raw_json(*a), back.raw_json(*b));
        assert_eq!(src.row(*a).principal, back.row(*b).principal);
    }
    // JSON lines: one event per line, each parses to the same value.
    let lines = src.export_jsonl(&ids);
    assert_eq!(lines.lines().count(), ids.len());
    for (line, &i) in lines.lines().zip(&ids) {
        let a: Value = serde_json::from_str(line).unwrap();
        let b: Value = serde_json::from_str(src.raw_json(i)).unwrap();
        assert_eq!(a, b);
    }
}

#[test]
fn export_csv_quotes_and_defuses_formulas() {
    let mut e = Engine::new();
    e.load(
        "x.json",
        br#"{"Records":[{"eventID":"1","eventName":"=HYPERLINK(\"x\")","userAgent":"a, \"b\"","requestParameters":{"n":"-2+3","tags":["a","b"]},"eventTime":"2023-07-10T11:42:36Z"}]}"#,
    );
    let cols: Vec<String> = [
        "eventID",
        "eventTime",
        "eventName",
        "userAgent",
        "requestParameters.n",
        "requestParameters.tags[]",
        "outcome",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let csv = e.export_csv(&[0], &cols);
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(lines[0], "eventID,eventTime,eventName,userAgent,requestParameters.n,requestParameters.tags[],outcome");
    assert_eq!(
        lines[1],
        r#"1,2023-07-10T11:42:36Z,"'=HYPERLINK(""x"")","a, ""b""",'-2+3,"a, b",success"#
    );
    assert_eq!(lines[2], "");
}

/// Leaf paths of a value under `prefix`, as parameter columns name them (arrays are
/// one leaf `x[]`, empty objects have none).
fn reference_leaves(prefix: &str, v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                reference_leaves(&format!("{prefix}.{k}"), x, out);
            }
        }
        Value::Array(_) => out.push(format!("{prefix}[]")),
        _ => out.push(prefix.to_owned()),
    }
}

/// Parameter columns computed the slow, obvious way: every event read whole into a
/// `serde_json::Value`.
fn reference_param_columns(e: &Engine, ids: &[u32]) -> Vec<(String, u32)> {
    let mut counts = std::collections::BTreeMap::<String, u32>::new();
    for &i in ids {
        let Ok(v) = serde_json::from_str::<Value>(e.raw_json(i)) else {
            continue;
        };
        let mut paths = Vec::new();
        for name in ["requestParameters", "responseElements"] {
            match v.get(name) {
                None | Some(Value::Null) => {}
                Some(x) => reference_leaves(name, x, &mut paths),
            }
        }
        paths.sort_unstable();
        paths.dedup();
        for p in paths {
            *counts.entry(p).or_default() += 1;
        }
    }
    let mut v: Vec<(String, u32)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

/// Parameter columns read from the raw text agree with a whole-record serde_json
/// reading: on the corpus, on a generated store, and on records built to trip a
/// raw-text walk (escaped and repeated keys, nested nulls, empty objects, scalars
/// and arrays in place of objects, numbers serde_json might refuse, non-ASCII keys).
#[test]
fn param_columns_agree_with_a_serde_json_reading() {
    let tricky = [
        r#"{"eventID":"t0","requestParameters":{"a\u0062c":1,"x":{"y":null,"z":{}},"arr":[1,{"q":2}]}}"#,
        r#"{"eventID":"t1","requestParameters":{"k":{"a":1},"k":{"b":2}},"responseElements":null}"#,
        r#"{"eventID":"t2","requestParameters":{"k":1,"k":[1]},"responseElements":{"ok":true}}"#,
        r#"{"eventID":"t3","requestParameters":"just text","responseElements":[1,2]}"#,
        r#"{"eventID":"t4","requestParameters":{"big":1e400,"n":-1.5E3,"m":123456789012345678901234567890}}"#,
        r#"{"eventID":"t5","requestParameters":{},"responseElements":{"caf\u00e9":"x","ключ":{"deep":{"deeper":[]}}}}"#,
        r#"{"eventID":"t6","requestParameters":{ "spaced" : { "inner" : "v" } , "b":false }}"#,
        r#"{"eventID":"t7","requestParameters":{"a.b":1,"a":{"b":2}}}"#,
        r#"{"eventID":"t8","requestParameters":{"x":1},"requestParameters":{"y":2}}"#,
        r#"{"eventID":"t9"}"#,
    ];
    let mut e = Engine::new();
    e.load(
        "tricky.json",
        format!("{{\"Records\":[{}]}}", tricky.join(",")).as_bytes(),
    );
    assert_eq!(e.len(), tricky.len(), "every tricky record loads");
    let mut engines = vec![("tricky", e), ("generated", generated_engine(2000))];
    if let Some(c) = corpus_engine() {
        engines.push(("corpus", c));
    }
    for (label, e) in &engines {
        let all = e.query("").unwrap();
        let got: Vec<(String, u32)> = e
            .param_columns(&all, usize::MAX)
            .into_iter()
            .map(|c| (c.path, c.count))
            .collect();
        assert!(!got.is_empty(), "{label}");
        assert_eq!(got, reference_param_columns(e, &all), "{label}");
        // A subset, and `max` keeps the first columns.
        let some: Vec<u32> = all.iter().copied().step_by(3).collect();
        let want = reference_param_columns(e, &some);
        let got: Vec<(String, u32)> = e
            .param_columns(&some, 5)
            .into_iter()
            .map(|c| (c.path, c.count))
            .collect();
        assert_eq!(got, want[..want.len().min(5)], "{label}, every third event");
    }
}

/// Brute-force references for the view's parts: a sort with a comparator on row text,
/// the one value of a field, and the summary's distinct accounts.
#[test]
fn orders_uniform_values_and_summaries_match_brute_force() {
    let engines: Vec<Engine> = [Some(generated_engine(900)), corpus_engine()]
        .into_iter()
        .flatten()
        .collect();
    let mut rnd = xorshift(0x2545_f491_4f6c_dd1d);
    for e in &engines {
        let all = e.query("").unwrap();
        // Subsets from dense to sparse, so both ways of arranging are used.
        let subsets: Vec<Vec<u32>> = [1, 2, 3, 7, 20, 200]
            .iter()
            .map(|&every| all.iter().copied().filter(|_| rnd(every) == 0).collect())
            .chain([all.clone(), Vec::new()])
            .collect();
        for by in [
            Field::EventTime,
            Field::EventName,
            Field::Service,
            Field::ReadOnly,
            Field::SourceIpAddress,
        ] {
            for descending in [false, true] {
                let order = e.order(by, descending);
                for ids in &subsets {
                    let mut expect = ids.clone();
                    expect.sort_by(|&a, &b| {
                        let key = |i: u32| match by {
                            Field::EventTime => {
                                (e.row(i).time_ms.unwrap_or(i64::MIN), String::new())
                            }
                            f => (0, e.field_value(i, f)),
                        };
                        let o = key(a).cmp(&key(b));
                        (if descending { o.reverse() } else { o }).then(a.cmp(&b))
                    });
                    let mut sorted = ids.clone();
                    e.sort(&mut sorted, by, descending);
                    assert_eq!(sorted, expect, "sort by {by:?} desc={descending}");
                    assert_eq!(
                        order.arrange(ids),
                        expect,
                        "order by {by:?} desc={descending}"
                    );
                    for n in [0, 1, 3, ids.len(), ids.len() + 1] {
                        let want = &expect[..n.min(expect.len())];
                        assert_eq!(
                            order.first(ids, n),
                            want,
                            "first {n} by {by:?} desc={descending}"
                        );
                        assert_eq!(
                            e.sorted_first(ids, by, descending, n),
                            want,
                            "sorted_first {n} by {by:?} desc={descending}"
                        );
                    }
                }
            }
        }
        for ids in &subsets {
            for f in [
                Field::EventName,
                Field::EventSource,
                Field::ErrorCode,
                Field::AwsRegion,
            ] {
                let facet = e.facet(ids, f, 2);
                let expect = (facet.values.len() == 1).then(|| facet.values[0].0.clone());
                assert_eq!(e.uniform(ids, f), expect, "{f:?}");
            }
            let mut accounts: Vec<String> = ids
                .iter()
                .map(|&i| e.row(i).account)
                .filter(|a| !a.is_empty())
                .collect();
            accounts.sort();
            accounts.dedup();
            let times: Vec<i64> = ids.iter().filter_map(|&i| e.row(i).time_ms).collect();
            let sum = e.summary(ids);
            assert_eq!(sum.accounts as usize, accounts.len());
            assert_eq!(sum.first_ms, times.iter().min().copied());
            assert_eq!(sum.last_ms, times.iter().max().copied());
        }
        // One event name: uniform names it; a narrowed query keeps it.
        if let Some(&first) = all.first() {
            let name = e.row(first).event_name;
            if !name.is_empty() {
                let ids = e.query(&format!("eventName:\"{name}\"")).unwrap();
                assert_eq!(e.uniform(&ids, Field::EventName), Some(name));
            }
        }
    }
}

/// Room made ahead (as the worker does for a batch of files) changes nothing but the
/// store's capacity: the same events, queries and memory figures, and no growth while
/// the reserved events load.
#[test]
fn reserving_room_ahead_changes_no_result() {
    let plain = generated_engine(700);
    let roomy = generated_engine_with(700, 700);
    for q in ["", "eventSource:s3.amazonaws.com", "errorCode:*", "delete"] {
        assert_eq!(plain.query(q).unwrap(), roomy.query(q).unwrap(), "{q}");
    }
    let ids = plain.query("").unwrap();
    let rows = |e: &Engine| {
        ids.iter()
            .map(|&i| (e.row(i), e.raw_json(i).to_string()))
            .collect::<Vec<_>>()
    };
    assert_eq!(rows(&plain), rows(&roomy));
    // Room is made at once for every per-event array (8 bytes of time each, at least),
    // and asking again for room that is there allocates nothing.
    let mut empty = Engine::new();
    let base = empty.store().heap_bytes();
    empty.reserve(10_000);
    let reserved = empty.store().heap_bytes();
    assert!(reserved >= base + 10_000 * 8, "{base} -> {reserved}");
    empty.reserve(9_000);
    assert_eq!(empty.store().heap_bytes(), reserved);
}

/// An empty `recipientAccountId` falls back to `userIdentity.accountId`, in the summary
/// as in the rows.
#[test]
fn summary_accounts_fall_back_from_an_empty_recipient() {
    let doc = r#"{"Records":[
        {"eventID":"a","eventTime":"2024-01-01T00:00:00Z","recipientAccountId":"","userIdentity":{"accountId":"111111111111"}},
        {"eventID":"b","eventTime":"2024-01-01T00:00:01Z","recipientAccountId":"222222222222","userIdentity":{"accountId":"111111111111"}},
        {"eventID":"c","eventTime":"2024-01-01T00:00:02Z","userIdentity":{"accountId":"333333333333"}}
    ]}"#;
    let mut e = Engine::new();
    e.load("accounts.json", doc.as_bytes());
    let ids = e.query("").unwrap();
    let mut rows: Vec<String> = ids.iter().map(|&i| e.row(i).account).collect();
    rows.sort();
    assert_eq!(rows, ["111111111111", "222222222222", "333333333333"]);
    assert_eq!(e.summary(&ids).accounts, 3);
}
