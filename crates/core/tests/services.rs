//! Service names: every event source in the shared corpus and seeds gets a proper name,
//! known mappings hold, and the generated and hand-written tables are well formed.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use trailscope_core::services::{
    extra_services, generated_services, service_label, service_name, BOTOCORE_VERSION,
};

/// `TRAILSCOPE_SHARED`, or `<workspace root>/../shared`.
fn shared_dir() -> PathBuf {
    match std::env::var_os("TRAILSCOPE_SHARED") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    }
}

/// Every file under `dir`, sorted, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// A file's text, gunzipped when it starts with the gzip magic bytes.
fn read_text(path: &Path) -> String {
    let bytes = fs::read(path).unwrap();
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut text = String::new();
        flate2::read::MultiGzDecoder::new(&bytes[..])
            .read_to_string(&mut text)
            .unwrap();
        text
    } else {
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

/// The values of every `"eventSource": "..."` key in `text`, matched without regard to
/// case (the plaso JSONL's `EventSource`) and also inside JSON strings (its escaped
/// `CloudTrailEvent`: `\"eventSource\":\"ec2.amazonaws.com\"`).
fn event_sources_in(text: &str, out: &mut BTreeSet<String>) {
    let lower = text.to_ascii_lowercase();
    let bytes = text.as_bytes();
    let key = "eventsource";
    let mut from = 0;
    while let Some(found) = lower[from..].find(key) {
        let mut i = from + found + key.len();
        from = i;
        // Closing quote of the key, then ':', then the value's opening quote; JSON-escaped
        // quotes (`\"`) and whitespace allowed in between.
        let skip = |i: &mut usize, want: u8| -> bool {
            while *i < bytes.len() && (bytes[*i].is_ascii_whitespace() || bytes[*i] == b'\\') {
                *i += 1;
            }
            if *i < bytes.len() && bytes[*i] == want {
                *i += 1;
                true
            } else {
                false
            }
        };
        if !(skip(&mut i, b'"') && skip(&mut i, b':') && skip(&mut i, b'"')) {
            continue;
        }
        let start = i;
        while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || b".-_".contains(&bytes[i])) {
            i += 1;
        }
        if i > start {
            out.insert(text[start..i].to_owned());
        }
    }
}

fn sources_in_dir(dir: &Path) -> BTreeSet<String> {
    let mut sources = BTreeSet::new();
    for path in files_under(dir) {
        event_sources_in(&read_text(&path), &mut sources);
    }
    sources
}

/// Asserts every source has a real name; prints the mapping so a reviewer sees it.
fn assert_all_named(what: &str, sources: &BTreeSet<String>) {
    let mut missing = Vec::new();
    for source in sources {
        match service_name(source) {
            Some(name) => println!("{what}: {source} -> {name}"),
            None => missing.push(source.as_str()),
        }
    }
    assert!(
        missing.is_empty(),
        "{what}: event sources with no service name: {missing:?}"
    );
}

#[test]
fn every_corpus_event_source_has_a_service_name() {
    let corpus = shared_dir().join("corpus");
    if !corpus.is_dir() {
        println!("note: {} is absent; corpus check skipped", corpus.display());
        return;
    }
    let sources = sources_in_dir(&corpus);
    // The scan must actually find the corpus's sources, or this test proves nothing:
    // ec2 is in the S3 trail files, the plaso JSONL and the OTRF NDJSON alike.
    for expected in [
        "ec2.amazonaws.com",
        "signin.amazonaws.com",
        "monitoring.amazonaws.com",
    ] {
        assert!(
            sources.contains(expected),
            "{expected} not found in {sources:?}"
        );
    }
    assert!(sources.len() >= 20, "only {} sources found", sources.len());
    assert_all_named("corpus", &sources);
}

#[test]
fn every_seed_event_source_has_a_service_name() {
    let seeds = shared_dir().join("seeds");
    if !seeds.is_dir() {
        println!("note: {} is absent; seed check skipped", seeds.display());
        return;
    }
    let sources = sources_in_dir(&seeds);
    for expected in [
        "pi.amazonaws.com",
        "events.amazonaws.com",
        "personalize.amazonaws.com",
    ] {
        assert!(
            sources.contains(expected),
            "{expected} not found in {sources:?}"
        );
    }
    assert_all_named("seeds", &sources);
}

#[test]
fn known_event_sources_map_to_their_full_names() {
    let cases = [
        ("pi.amazonaws.com", "AWS Performance Insights"),
        ("monitoring.amazonaws.com", "Amazon CloudWatch"),
        ("logs.amazonaws.com", "Amazon CloudWatch Logs"),
        ("events.amazonaws.com", "Amazon EventBridge"),
        ("sts.amazonaws.com", "AWS Security Token Service"),
        ("iam.amazonaws.com", "AWS Identity and Access Management"),
        ("signin.amazonaws.com", "AWS Sign-In Service"),
        ("cloudtrail.amazonaws.com", "AWS CloudTrail"),
        ("health.amazonaws.com", "AWS Health APIs and Notifications"),
        (
            "codeguru-profiler.amazonaws.com",
            "Amazon CodeGuru Profiler",
        ),
        ("devops-guru.amazonaws.com", "Amazon DevOps Guru"),
        ("personalize.amazonaws.com", "Amazon Personalize"),
        ("s3.amazonaws.com", "Amazon Simple Storage Service"),
        // Shared endpointPrefix: the model named like the prefix wins over docdb/neptune.
        ("rds.amazonaws.com", "Amazon Relational Database Service"),
        // elb and elbv2 share the prefix and the name.
        (
            "elasticloadbalancing.amazonaws.com",
            "Elastic Load Balancing",
        ),
        // ses and sesv2 outnumber pinpoint-email on `email`.
        ("email.amazonaws.com", "Amazon Simple Email Service"),
        // Renamed service: the newer model wins (documented PREFERRED rule).
        ("es.amazonaws.com", "Amazon OpenSearch Service"),
        // From signingName: ECR's endpointPrefix is `api.ecr`.
        ("ecr.amazonaws.com", "Amazon Elastic Container Registry"),
        // Hand-written extras: no service model.
        ("ec2messages.amazonaws.com", "Amazon EC2 Messages"),
        (
            "ssmmessages.amazonaws.com",
            "AWS Systems Manager Session Manager messages",
        ),
    ];
    for (source, expected) in cases {
        assert_eq!(service_name(source), Some(expected), "{source}");
    }
}

#[test]
fn event_source_spellings_are_accepted() {
    let expected = Some("AWS Performance Insights");
    for source in [
        "pi",
        "pi.amazonaws.com",
        "pi.amazonaws.com.cn",
        "PI.AmazonAWS.com",
        "  pi.amazonaws.com\n",
    ] {
        assert_eq!(service_name(source), expected, "{source:?}");
    }
    for source in [
        "",
        "   ",
        ".amazonaws.com",
        "amazonaws.com",
        "no-such-service.amazonaws.com",
        "pi.example.com",
    ] {
        assert_eq!(service_name(source), None, "{source:?}");
    }
}

#[test]
fn labels_fall_back_to_the_prefix_and_are_never_empty() {
    let cases = [
        ("pi.amazonaws.com", "AWS Performance Insights"),
        ("no-such-service.amazonaws.com", "no-such-service"),
        ("no-such-service.amazonaws.com.cn", "no-such-service"),
        ("myapp.example.com", "myapp.example.com"),
        (" odd\u{7}name ", "oddname"),
        (".amazonaws.com", ".amazonaws.com"),
        ("   ", "   "),
        ("", ""),
    ];
    for (source, expected) in cases {
        assert_eq!(service_label(source), expected, "{source:?}");
    }
}

#[test]
fn generated_table_is_sorted_lowercase_and_complete() {
    let table = generated_services();
    // botocore has about 440 service models; far fewer means the generator broke.
    assert!(table.len() >= 300, "only {} generated entries", table.len());
    assert!(!BOTOCORE_VERSION.is_empty());
    for pair in table.windows(2) {
        assert!(pair[0].0 < pair[1].0, "not strictly sorted: {pair:?}");
    }
    for &(key, name) in table {
        assert!(
            !key.is_empty() && !name.trim().is_empty(),
            "{key:?} -> {name:?}"
        );
        assert_eq!(key, key.to_ascii_lowercase(), "key not lowercase");
        // Every entry is reachable through the public lookup (binary search over all keys).
        assert_eq!(service_name(&format!("{key}.amazonaws.com")), Some(name));
    }
}

#[test]
fn extras_are_sorted_and_never_shadow_aws_names() {
    let extras = extra_services();
    for pair in extras.windows(2) {
        assert!(pair[0].0 < pair[1].0, "not strictly sorted: {pair:?}");
    }
    let generated: BTreeSet<&str> = generated_services().iter().map(|(k, _)| *k).collect();
    for &(key, name) in extras {
        assert!(
            !generated.contains(key),
            "{key} now has a service model; drop it from the hand-written list"
        );
        assert_eq!(service_name(key), Some(name));
    }
}
