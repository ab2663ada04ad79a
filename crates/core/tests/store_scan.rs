//! The store's fast record scanner against serde_json: on valid records and on
//! mutated ones, whatever the scanner accepts serde_json accepts too, with the same
//! captured fields; and every record serde_json accepts loads (through the fallback).
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use trailscope_core::store::parse::pick;
use trailscope_core::store::parse::{read_record, read_record_fast, read_record_serde};
use trailscope_core::store::{lookup_path, scan};

const RECORDS: &[&str] = &[
    r#"{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROA:alice","arn":"arn:aws:sts::1:assumed-role/R/alice","accountId":"1","accessKeyId":"ASIAX","sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::1:role/R","userName":"R"},"attributes":{"mfaAuthenticated":"false"}}},"eventTime":"2023-07-10T11:45:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","sourceIPAddress":"1.2.3.4","userAgent":"aws-cli/2","requestParameters":{"bucketName":"b","key":"k\u00e9\n"},"responseElements":null,"eventID":"e1","readOnly":true,"eventType":"AwsApiCall","managementEvent":false,"recipientAccountId":"1","eventCategory":"Data","resources":[{"ARN":"arn:aws:s3:::b","type":"AWS::S3::Bucket"}],"n":[-1.5e3,0,12]}"#,
    r#"{"eventName":"ConsoleLogin","userIdentity":{"type":"IAMUser","userName":"bob","onBehalfOf":{"userId":"u"}},"responseElements":{"ConsoleLogin":"Failure"},"additionalEventData":{"MFAUsed":"No"},"errorMessage":"Failed authentication"}"#,
    "{\n  \"@timestamp\": 1690000000,\n  \"eventSource\" : \"ec2.amazonaws.com\",\n  \"userIdentity\": \"odd\",\n  \"x\": [ [ { } ], true, false, null ]\n}",
];

#[test]
fn fast_path_agrees_on_valid_records() {
    for r in RECORDS {
        let fast = read_record_fast(r).expect("the scanner reads a plain record");
        assert_eq!(fast, read_record_serde(r).unwrap(), "{r}");
    }
}

#[test]
fn trusted_reads_agree_with_validated_ones_on_valid_records() {
    let keys = [
        "eventVersion",
        "userIdentity",
        "eventTime",
        "requestParameters",
        "responseElements",
        "resources",
        "n",
        "x",
        "missing",
        "@timestamp",
    ];
    for r in RECORDS {
        for k in keys {
            assert_eq!(
                scan::trusted_get(r, k),
                pick(r, &[k]).unwrap()[0],
                "{k} in {r}"
            );
        }
    }
    let r = RECORDS[0];
    assert_eq!(
        lookup_path(r, "resources.type"),
        vec!["\"AWS::S3::Bucket\""]
    );
    assert_eq!(lookup_path(r, "n[]"), vec!["[-1.5e3,0,12]"]);
    assert_eq!(
        lookup_path(r, "userIdentity.sessionContext.sessionIssuer.userName"),
        vec!["\"R\""]
    );
    // An escaped key is compared unescaped; the last duplicate wins.
    let dup = r#"{"a":1,"\u0061":[2,{"b":"}"}],"c":"x\"y"}"#;
    assert_eq!(scan::trusted_get(dup, "a"), Some(r#"[2,{"b":"}"}]"#));
    assert_eq!(scan::trusted_get(dup, "c"), Some(r#""x\"y""#));
    assert_eq!(lookup_path(dup, "a.b"), vec![r#""}""#]);
}

#[test]
fn add_prefix_stores_what_add_stores_and_says_where_the_record_ends() {
    use trailscope_core::sink::RecordSink;
    use trailscope_core::store::{Col, Store};
    let mut a = Store::new();
    let mut b = Store::new();
    for (k, r) in RECORDS.iter().enumerate() {
        let rest = format!("{r} ,{{\"next\":1}}]");
        let (got, len) = a.add_prefix(0, &rest).unwrap();
        assert_eq!(len, r.len());
        assert_eq!(Ok(got), b.add_record(0, r), "record {k}");
        for c in Col::ALL {
            assert_eq!(a.value(c, k as u32), b.value(c, k as u32), "{c:?}");
        }
        assert_eq!(a.text(k as u32), b.text(k as u32));
        assert_eq!(a.time(k as u32), b.time(k as u32));
    }
    // A record the scanner declines is left alone for the caller.
    let before = a.slots();
    for bad in [
        r#"{"eventName":"X",}"#,
        r#" {"a":1}"#,
        r#"{"event\u004eame":"X"}"#,
        "[1]",
    ] {
        assert!(a.add_prefix(0, bad).is_none(), "{bad}");
    }
    assert_eq!(a.slots(), before);
}

#[test]
fn escaped_keys_and_deep_nesting_fall_back_to_serde_json() {
    let escaped = r#"{"event\u004eame":"X","eventSource":"s"}"#;
    assert!(read_record_fast(escaped).is_none());
    let f = read_record(escaped).unwrap();
    assert_eq!(f.raw[3], Some("\"X\""));
    let deep = format!(
        "{{\"eventName\":\"D\",\"x\":{}1{}}}",
        "[".repeat(110),
        "]".repeat(110)
    );
    assert!(read_record_fast(&deep).is_none());
    assert_eq!(read_record(&deep).unwrap().raw[3], Some("\"D\""));
}

fn mutate(base: &str, ops: &[(usize, u8, u8)]) -> String {
    const BYTES: &[u8] = b"{}[]\",:\\ u0123456789.eE+-aftnrl\x01\x1f\t\n/";
    let mut b = base.as_bytes().to_vec();
    for &(pos, kind, pick) in ops {
        if b.is_empty() {
            break;
        }
        let p = pos % b.len();
        let c = BYTES[pick as usize % BYTES.len()];
        match kind % 4 {
            0 => {
                b.remove(p);
            }
            1 => b.insert(p, c),
            2 => b[p] = c,
            _ => b.truncate(p),
        }
    }
    String::from_utf8_lossy(&b).into_owned()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]
    #[test]
    fn scanner_is_never_more_lenient_than_serde_json(
        which in 0..RECORDS.len(),
        ops in prop::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..4),
    ) {
        let s = mutate(RECORDS[which], &ops);
        let serde = read_record_serde(&s);
        if let Some(fast) = read_record_fast(&s) {
            prop_assert!(serde.is_ok(), "scanner accepted what serde_json refuses: {s}");
            prop_assert_eq!(fast, serde.as_ref().unwrap().to_owned());
        }
        if scan::is_valid(&s) {
            prop_assert!(serde_json::from_str::<serde::de::IgnoredAny>(&s).is_ok(), "{}", s);
        }
        // The combined reader gives serde_json's verdict.
        prop_assert_eq!(read_record(&s).is_ok(), serde.is_ok());
        // Reading without validation never panics, whatever the text.
        let _ = scan::trusted_get(&s, "userIdentity");
        let _ = scan::trusted_items(&s);
        let _ = lookup_path(&s, "requestParameters.key");
        let _ = lookup_path(&s, "resources.ARN");
    }
}
