//! Investigation tests on ../shared/corpus (a real AssumeRole chain, console sign-ins,
//! access-denied errors) and on small made-up logs: preset counts against
//! brute-force predicates over `serde_json::Value`, lineage, sessions, the
//! `session:` and `newSourceIp:` terms, histograms and compare.
#![allow(clippy::unwrap_used)]

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde_json::Value;
use trailscope_core::engine::Engine;
use trailscope_core::investigate::{nice_bucket, Access};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");

/// Every corpus file loaded through `Engine::load`.
fn corpus() -> Option<Engine> {
    let dir = Path::new(CORPUS);
    if !dir.exists() {
        eprintln!("skipping: {CORPUS} is not present");
        return None;
    }
    let mut paths = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for f in std::fs::read_dir(d).unwrap() {
            let p = f.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().is_some_and(|n| n != "README.md") {
                paths.push(p);
            }
        }
    }
    paths.sort();
    let mut e = Engine::new();
    for p in paths {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        e.load(&name, &std::fs::read(&p).unwrap());
    }
    Some(e)
}

fn values(e: &Engine) -> Vec<(u32, Value)> {
    e.query("")
        .unwrap()
        .into_iter()
        .map(|i| (i, serde_json::from_str(e.raw_json(i)).unwrap()))
        .collect()
}

fn str_at<'a>(v: &'a Value, path: &str) -> Option<&'a str> {
    path.split('.').try_fold(v, |v, k| v.get(k))?.as_str()
}

fn failed(v: &Value) -> bool {
    str_at(v, "errorCode").is_some_and(|c| !c.is_empty())
        || v["eventName"] == "ConsoleLogin"
            && str_at(v, "responseElements.ConsoleLogin") == Some("Failure")
}

fn read_only(v: &Value) -> Option<bool> {
    match &v["readOnly"] {
        Value::Bool(b) => return Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => return Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => return Some(false),
        _ => {}
    }
    let name = v["eventName"].as_str()?;
    let verbs = [
        "BatchDescribe",
        "BatchGet",
        "Check",
        "Describe",
        "Download",
        "Get",
        "Head",
        "List",
        "Lookup",
        "Query",
        "Scan",
        "Search",
        "Select",
    ];
    Some(verbs.iter().any(|verb| {
        name.strip_prefix(verb).is_some_and(|rest| {
            rest.chars()
                .next()
                .is_none_or(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        })
    }))
}

/// (principal, ip) brute force for `newSourceIp:true`, using the engine's principal
/// text (its derivation is tested elsewhere) and `std::net` for addresses.
fn new_source_ip(e: &Engine, vals: &[(u32, Value)]) -> HashSet<u32> {
    let mut timed: Vec<(i64, u32)> = vals
        .iter()
        .filter_map(|(i, _)| e.row(*i).time_ms.map(|t| (t, *i)))
        .collect();
    timed.sort();
    let mut first: HashSet<String> = HashSet::new();
    let mut pairs: HashSet<(String, String)> = HashSet::new();
    let mut out = HashSet::new();
    for (_, i) in timed {
        let row = e.row(i);
        if row.principal.is_empty() || row.source_ip.parse::<std::net::IpAddr>().is_err() {
            continue;
        }
        let known = !first.insert(row.principal.clone());
        if pairs.insert((row.principal, row.source_ip)) && known {
            out.insert(i);
        }
    }
    out
}

#[test]
fn preset_counts_match_brute_force() {
    let Some(e) = corpus() else { return };
    let vals = values(&e);
    let new_ip = new_source_ip(&e, &vals);
    type Pred<'a> = Box<dyn Fn(u32, &Value) -> bool + 'a>;
    let tamper = [
        "StopLogging",
        "DeleteTrail",
        "UpdateTrail",
        "PutEventSelectors",
        "PutInsightSelectors",
        "DeleteEventDataStore",
        "StopEventDataStoreIngestion",
    ];
    let preds: Vec<(&str, Pred)> = vec![
        (
            "root-activity",
            Box::new(|_, v| str_at(v, "userIdentity.type") == Some("Root")),
        ),
        (
            "console-no-mfa",
            Box::new(|_, v| {
                v["eventName"] == "ConsoleLogin"
                    && !failed(v)
                    && str_at(v, "additionalEventData.MFAUsed") == Some("No")
            }),
        ),
        (
            "console-failed",
            Box::new(|_, v| v["eventName"] == "ConsoleLogin" && failed(v)),
        ),
        (
            "cloudtrail-tampering",
            Box::new(|_, v| {
                v["eventSource"] == "cloudtrail.amazonaws.com"
                    && tamper.iter().any(|t| v["eventName"] == *t)
            }),
        ),
        (
            "iam-changes",
            Box::new(|_, v| v["eventSource"] == "iam.amazonaws.com" && read_only(v) == Some(false)),
        ),
        (
            "access-denied",
            Box::new(|_, v| {
                str_at(v, "errorCode").is_some_and(|c| {
                    let c = c.to_lowercase();
                    c.contains("accessdenied") || c.contains("unauthorized")
                })
            }),
        ),
        (
            "deletions",
            Box::new(|_, v| {
                v["eventName"].as_str().is_some_and(|n| {
                    let n = n.to_lowercase();
                    n.starts_with("delete") || n.starts_with("terminate")
                })
            }),
        ),
        ("new-source-ip", Box::new(|i, _| new_ip.contains(&i))),
    ];
    let counts: HashMap<String, u32> = e.preset_counts().into_iter().collect();
    eprintln!("preset counts: {:?}", e.preset_counts());
    assert_eq!(counts.len(), Engine::presets().len());
    for (id, pred) in &preds {
        let want = vals.iter().filter(|(i, v)| pred(*i, v)).count() as u32;
        assert_eq!(counts[*id], want, "preset {id}");
        let preset = Engine::presets().iter().find(|p| p.id == *id).unwrap();
        let got = e.query(preset.query).unwrap();
        let brute: Vec<u32> = vals
            .iter()
            .filter(|(i, v)| pred(*i, v))
            .map(|(i, _)| *i)
            .collect();
        assert_eq!(got, brute, "preset {id}: same events");
    }
    // The corpus has these, so the presets are not vacuous here.
    for id in [
        "console-no-mfa",
        "access-denied",
        "new-source-ip",
        "deletions",
    ] {
        assert!(counts[id] > 0, "{id} finds nothing in the corpus");
    }
    let order: Vec<String> = e.preset_counts().into_iter().map(|(id, _)| id).collect();
    let ids: Vec<String> = Engine::presets().iter().map(|p| p.id.to_owned()).collect();
    assert_eq!(order, ids, "counts come in preset order");
}

/// The AssumeRole events of the corpus and the keys they issued, found over Value.
fn issued_keys(vals: &[(u32, Value)]) -> HashMap<String, u32> {
    vals.iter()
        .filter_map(|(i, v)| {
            str_at(v, "responseElements.credentials.accessKeyId").map(|k| (k.to_owned(), *i))
        })
        .collect()
}

#[test]
fn lineage_of_a_call_made_with_assumed_role_credentials() {
    let Some(e) = corpus() else { return };
    let vals = values(&e);
    let issued = issued_keys(&vals);
    // A call made with a temporary key that an IAM user's AssumeRole issued.
    let (call, key, issuer) = vals
        .iter()
        .find_map(|(i, v)| {
            let k = str_at(v, "userIdentity.accessKeyId")?;
            let &j = issued.get(k)?;
            let by_user = vals
                .iter()
                .any(|(x, w)| *x == j && str_at(w, "userIdentity.type") == Some("IAMUser"));
            (k.starts_with("ASIA") && by_user).then(|| (*i, k.to_owned(), j))
        })
        .expect("the corpus holds a call made with credentials from AssumeRole");
    let l = e.lineage(call);
    assert_eq!(l.missing, None);
    assert_eq!(l.steps.len(), 2, "{l:#?}");
    assert_eq!(l.steps[0].index, call);
    assert_eq!(l.steps[0].access_key_id, key);
    assert_eq!(l.steps[0].issued_key, None);
    let s = &l.steps[1];
    assert_eq!(s.index, issuer);
    assert_eq!(s.event_name, "AssumeRole");
    assert_eq!(s.issued_key.as_deref(), Some(key.as_str()));
    assert_eq!(s.identity_type, "IAMUser");
    assert_eq!(s.principal, "bert-jan");
    assert!(s.access_key_id.starts_with("AKIA"));
    let v = &vals.iter().find(|(i, _)| *i == issuer).unwrap().1;
    assert_eq!(Some(s.source_ip.as_str()), str_at(v, "sourceIPAddress"));
    assert_eq!(s.access, Access::Programmatic);
    assert_eq!(e.key_issuer(&key), Some(issuer));

    // A temporary key whose issuing event is not in the logs.
    let (orphan, okey) = vals
        .iter()
        .find_map(|(i, v)| {
            let k = str_at(v, "userIdentity.accessKeyId")?;
            (k.starts_with("ASIA") && !issued.contains_key(k)).then(|| (*i, k.to_owned()))
        })
        .unwrap();
    let l = e.lineage(orphan);
    assert_eq!(l.steps.len(), 1);
    assert_eq!(l.missing.as_deref(), Some(okey.as_str()));
}

#[test]
fn console_sign_ins_report_mfa_and_console_access() {
    let Some(e) = corpus() else { return };
    let logins = e.query("eventName:ConsoleLogin").unwrap();
    assert_eq!(logins.len(), 2);
    let mut mfa: Vec<Option<bool>> = logins.iter().map(|&i| e.lineage(i).steps[0].mfa).collect();
    mfa.sort();
    assert_eq!(mfa, vec![Some(false), Some(true)]);
    for &i in &logins {
        assert_eq!(e.lineage(i).steps[0].access, Access::Console);
    }
}

#[test]
fn session_events_and_session_term() {
    let Some(e) = corpus() else { return };
    let vals = values(&e);
    let issued = issued_keys(&vals);
    for (key, &issuer) in &issued {
        let brute: HashSet<u32> = vals
            .iter()
            .filter(|(_, v)| str_at(v, "userIdentity.accessKeyId") == Some(key.as_str()))
            .map(|(i, _)| *i)
            .collect();
        let got = e.session_events(key);
        assert_eq!(got.iter().copied().collect::<HashSet<_>>(), brute, "{key}");
        assert_eq!(got.len(), brute.len());
        let order: Vec<(Option<i64>, u32)> = got.iter().map(|&i| (e.row(i).time_ms, i)).collect();
        let mut sorted = order.clone();
        sorted.sort();
        assert_eq!(order, sorted, "time order, ties by index: {key}");
        let mut with_issuer = brute.clone();
        with_issuer.insert(issuer);
        let mut want: Vec<u32> = with_issuer.into_iter().collect();
        want.sort();
        assert_eq!(e.query(&format!("session:{key}")).unwrap(), want, "{key}");
    }
    assert!(issued.values().any(|_| true), "the corpus issues keys");
    assert!(e.session_events("ASIANOTLOADED").is_empty());
}

#[test]
fn histogram_counts_every_event_once() {
    let Some(e) = corpus() else { return };
    let all = e.query("").unwrap();
    for buckets in [1, 7, 60, 500] {
        let h = e.histogram(&all, buckets, None);
        let total: u32 = h.ok.iter().sum::<u32>() + h.failed.iter().sum::<u32>();
        assert_eq!(total + h.untimed + h.outside, all.len() as u32);
        assert_eq!(h.outside, 0);
        assert!(
            h.ok.len() <= buckets + 1,
            "{} buckets for {buckets}",
            h.ok.len()
        );
        assert_eq!(h.start_ms % h.bucket_ms, 0);
        let failed = e.query("outcome:failed").unwrap().len() as u32;
        assert_eq!(h.failed.iter().sum::<u32>(), failed);
    }
    // A range keeps what is inside it and counts the rest as outside.
    let s = e.summary(&all);
    let (lo, hi) = (s.first_ms.unwrap(), s.last_ms.unwrap());
    let mid = lo + (hi - lo) / 2;
    let h = e.histogram(&all, 10, Some((lo, mid)));
    let inside = e
        .query("")
        .unwrap()
        .into_iter()
        .filter(|&i| e.row(i).time_ms.is_some_and(|t| t >= lo && t < mid))
        .count() as u32;
    assert_eq!(
        h.ok.iter().sum::<u32>() + h.failed.iter().sum::<u32>(),
        inside
    );
    assert_eq!(inside + h.outside + h.untimed, all.len() as u32);
}

#[test]
fn bucket_widths_are_round() {
    assert_eq!(nice_bucket(60_000, 60), 1_000);
    assert_eq!(nice_bucket(61_000, 60), 2_000);
    assert_eq!(nice_bucket(3_600_000, 60), 60_000);
    assert_eq!(nice_bucket(3_600_000, 10), 600_000);
    assert_eq!(nice_bucket(86_400_000, 24), 3_600_000);
    assert_eq!(nice_bucket(86_400_000, 20), 2 * 3_600_000);
    assert_eq!(nice_bucket(1, 100), 1_000);
}

#[test]
fn compare_two_corpus_events() {
    let Some(e) = corpus() else { return };
    let logins = e.query("eventName:ConsoleLogin").unwrap();
    let rows = e.compare(&logins);
    let row = |p: &str| {
        rows.iter()
            .find(|r| r.path == p)
            .unwrap_or_else(|| panic!("{p}"))
    };
    assert_eq!(rows[0].path, "eventVersion", "document order");
    assert!(!row("eventName").differs);
    assert_eq!(
        row("eventName").values,
        vec![Some("ConsoleLogin".to_owned()); 2]
    );
    assert!(row("eventID").differs);
    assert!(row("additionalEventData.MFAUsed").differs);
    // Present in one sign-in only.
    let only = row("additionalEventData.MFAIdentifier");
    assert!(only.differs);
    assert_eq!(only.values.iter().filter(|v| v.is_none()).count(), 1);
    // Every leaf of each event is there, with its value.
    for (k, &i) in logins.iter().enumerate() {
        let v: Value = serde_json::from_str(e.raw_json(i)).unwrap();
        let mut leaves = Vec::new();
        leaf_paths(&v, String::new(), &mut leaves);
        for (p, want) in leaves {
            assert_eq!(row(&p).values[k].as_deref(), Some(want.as_str()), "{p}");
        }
    }
}

fn leaf_paths(v: &Value, path: String, out: &mut Vec<(String, String)>) {
    let join = |k: &str| {
        if path.is_empty() {
            k.to_owned()
        } else {
            format!("{path}.{k}")
        }
    };
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, x) in m {
                leaf_paths(x, join(k), out);
            }
        }
        Value::Array(a) if !a.is_empty() => {
            for (n, x) in a.iter().enumerate() {
                leaf_paths(x, format!("{path}[{n}]"), out);
            }
        }
        Value::Object(_) => out.push((path, "{}".into())),
        Value::Array(_) => out.push((path, "[]".into())),
        Value::String(s) => out.push((path, s.clone())),
        other => out.push((path, other.to_string())),
    }
}

// ---- made-up logs ---------------------------------------------------------------

fn load(records: &[String]) -> Engine {
    let mut e = Engine::new();
    e.load(
        "made-up.json",
        format!("{{\"Records\":[{}]}}", records.join(",")).as_bytes(),
    );
    e
}

fn rec(id: &str, name: &str, key: &str, issued: Option<&str>, t: u32) -> String {
    let resp = match issued {
        Some(k) if name == "CreateAccessKey" => {
            format!(r#"{{"accessKey":{{"accessKeyId":"{k}","userName":"x"}}}}"#)
        }
        Some(k) => format!(r#"{{"credentials":{{"accessKeyId":"{k}"}}}}"#),
        None => "null".into(),
    };
    format!(
        r#"{{"eventID":"{id}","eventName":"{name}","eventSource":"sts.amazonaws.com","eventTime":"2024-01-01T00:00:{t:02}Z","sourceIPAddress":"10.0.0.{t}","userIdentity":{{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/R/{id}","accessKeyId":"{key}"}},"responseElements":{resp}}}"#
    )
}

#[test]
fn lineage_stops_on_a_cycle() {
    // Each key issued under the other: impossible in AWS, possible in a crafted file.
    let e = load(&[
        rec("a", "AssumeRole", "ASIAB", Some("ASIAA"), 1),
        rec("b", "AssumeRole", "ASIAA", Some("ASIAB"), 2),
        rec("c", "GetObject", "ASIAA", None, 3),
    ]);
    let l = e.lineage(2);
    let idx: Vec<u32> = l.steps.iter().map(|s| s.index).collect();
    assert_eq!(idx, vec![2, 0, 1]);
    assert_eq!(l.missing, None);
}

#[test]
fn lineage_follows_role_chaining_and_created_keys() {
    let e = load(&[
        rec("admin", "CreateAccessKey", "AKIAADMIN", Some("AKIAUSER"), 1),
        rec("first", "AssumeRole", "AKIAUSER", Some("ASIA1"), 2),
        rec("chained", "AssumeRole", "ASIA1", Some("ASIA2"), 3),
        rec("call", "GetObject", "ASIA2", None, 4),
    ]);
    let l = e.lineage(3);
    let names: Vec<&str> = l.steps.iter().map(|s| s.event_name.as_str()).collect();
    assert_eq!(
        names,
        ["GetObject", "AssumeRole", "AssumeRole", "CreateAccessKey"]
    );
    let issued: Vec<Option<&str>> = l.steps.iter().map(|s| s.issued_key.as_deref()).collect();
    assert_eq!(
        issued,
        [None, Some("ASIA2"), Some("ASIA1"), Some("AKIAUSER")]
    );
    // AKIAADMIN's origin is not loaded, but it is a long-term key: nothing missing.
    assert_eq!(l.missing, None);
    assert_eq!(e.query("session:ASIA1").unwrap(), vec![1, 2]);
    // The index is rebuilt after a change: a later file adds the call's sibling.
    let mut e = e;
    e.load(
        "more.json",
        format!(
            "{{\"Records\":[{}]}}",
            rec("late", "ListBuckets", "ASIA1", None, 5)
        )
        .as_bytes(),
    );
    assert_eq!(e.query("session:ASIA1").unwrap(), vec![1, 2, 4]);
    assert_eq!(e.session_events("ASIA1"), vec![2, 4]);
}

#[test]
fn new_source_ip_marks_a_principals_later_addresses() {
    let ev = |id: &str, user: &str, ip: &str, t: u32| {
        format!(
            r#"{{"eventID":"{id}","eventName":"GetObject","eventSource":"s3.amazonaws.com","eventTime":"2024-01-01T00:00:{t:02}Z","sourceIPAddress":"{ip}","userIdentity":{{"type":"IAMUser","userName":"{user}"}}}}"#
        )
    };
    let e = load(&[
        ev("1", "alice", "10.0.0.1", 5),
        ev("2", "alice", "10.0.0.2", 1), // alice's first call: her first address
        ev("3", "alice", "10.0.0.1", 9),
        ev("4", "bob", "10.0.0.1", 3),
        ev("5", "bob", "s3.amazonaws.com", 4),
        ev("6", "alice", "2001:db8::1", 7),
    ]);
    assert_eq!(e.query("newSourceIp:true").unwrap(), vec![0, 5]);
    assert_eq!(e.query("newSourceIp:false").unwrap(), vec![1, 2, 3, 4]);
}
