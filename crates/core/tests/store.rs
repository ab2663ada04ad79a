//! Store tests: records of every shape load, fields are read as they are, the derived
//! principal / read-only / outcome are right, duplicates and conflicts are told
//! apart, and removing a file keeps events another file also holds.
#![allow(clippy::unwrap_used)]

use trailscope_core::engine::{Engine, Field};
use trailscope_core::sink::{AddOutcome, RecordSink};
use trailscope_core::store::{Col, Store};

fn add(store: &mut Store, json: &str) -> u32 {
    match store.add_record(0, json) {
        Ok(AddOutcome::Added(i)) | Ok(AddOutcome::Conflict(i)) | Ok(AddOutcome::Duplicate(i)) => i,
        Err(e) => panic!("record refused: {e:?}\n{json}"),
    }
}

/// `parse_ok`: one record in, the text of a column out.
fn parse_ok(json: &str, col: Col, want: &str) {
    let mut s = Store::new();
    let i = add(&mut s, json);
    assert_eq!(s.value(col, i), want, "{col:?} of {json}");
}

#[test]
fn type_mismatched_fields_load_as_they_are() {
    let cases: &[(&str, Col, &str)] = &[
        (
            r#"{"readOnly":"true","eventName":"X"}"#,
            Col::ReadOnlyRaw,
            "true",
        ),
        (r#"{"readOnly":true}"#, Col::ReadOnlyRaw, "true"),
        (
            r#"{"managementEvent":"false"}"#,
            Col::ManagementEvent,
            "false",
        ),
        (
            r#"{"userAgent":{"name":"sdk","v":2}}"#,
            Col::UserAgent,
            r#"{"name":"sdk","v":2}"#,
        ),
        (r#"{"awsRegion":42}"#, Col::AwsRegion, "42"),
        (r#"{"errorCode":null}"#, Col::ErrorCode, ""),
        (
            r#"{"eventName":"Put\u0041larm"}"#,
            Col::EventName,
            "PutAlarm",
        ),
        (
            r#"{"userIdentity":"not an object","eventName":"A"}"#,
            Col::IdentityType,
            "",
        ),
        (
            r#"{"userIdentity":{"type":["x"]}}"#,
            Col::IdentityType,
            r#"["x"]"#,
        ),
        (
            r#"{"recipientAccountId":123456789012}"#,
            Col::RecipientAccountId,
            "123456789012",
        ),
        (
            r#"{"sourceIPAddress":"1.2.3.4","sourceIPAddress":"5.6.7.8"}"#,
            Col::SourceIp,
            "5.6.7.8",
        ),
        (r#"{}"#, Col::EventName, ""),
        (
            r#"{"userIdentity":{"sessionContext":{"sessionIssuer":{"arn":"arn:aws:iam::1:role/R","userName":"R"}}}}"#,
            Col::IssuerUserName,
            "R",
        ),
    ];
    for (json, col, want) in cases {
        parse_ok(json, *col, want);
    }
}

#[test]
fn invalid_json_is_refused_with_line_and_column() {
    let cases: &[(&str, u32, u32)] = &[
        ("{\"eventName\": \"A\",\n \"x\": }", 2, 7),
        ("{\"a\":1", 1, 6),
        ("[1,2]", 1, 1),
        ("{\"a\":1} trailing", 1, 9),
    ];
    for (json, line, col) in cases {
        let mut s = Store::new();
        let e = s.add_record(0, json).unwrap_err();
        assert_eq!(
            (e.line, e.column),
            (Some(*line), Some(*col)),
            "{json}: {e:?}"
        );
        assert!(!e.message.contains(" at line "), "{}", e.message);
        assert!(s.is_empty());
    }
}

#[test]
fn time_formats() {
    let base = 1_688_989_356_000i64; // 2023-07-10T11:42:36Z
    let cases: &[(&str, Option<i64>)] = &[
        (r#"{"eventTime":"2023-07-10T11:42:36Z"}"#, Some(base)),
        (
            r#"{"eventTime":"2023-07-10T11:42:36.5Z"}"#,
            Some(base + 500),
        ),
        (r#"{"eventTime":"2023-07-10 21:42:36+10:00"}"#, Some(base)),
        (r#"{"eventTime":1688989356}"#, Some(base)),
        (r#"{"eventTime":1688989356000}"#, Some(base)),
        (r#"{"eventTime":"1688989356000"}"#, Some(base)),
        (r#"{"eventTime":"soon"}"#, None),
        (r#"{"eventName":"X"}"#, None),
        (r#"{"@timestamp":"2023-07-10T11:42:36.000Z"}"#, Some(base)),
        (
            r#"{"eventTime":"2023-07-10T11:42:36Z","@timestamp":"2020-01-01T00:00:00Z"}"#,
            Some(base),
        ),
    ];
    for (json, want) in cases {
        let mut s = Store::new();
        let i = add(&mut s, json);
        assert_eq!(s.time(i), *want, "{json}");
    }
}

#[test]
fn principal_for_each_identity_type() {
    let cases: &[(&str, &str)] = &[
        (
            r#"{"type":"IAMUser","userName":"benjamin","arn":"arn:aws:iam::1:user/benjamin"}"#,
            "benjamin",
        ),
        (
            r#"{"type":"IAMUser","arn":"arn:aws:iam::1:user/path/bob"}"#,
            "path/bob",
        ),
        (
            r#"{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/OrganizationAccountAccessRole/alice","principalId":"AROA:alice","sessionContext":{"sessionIssuer":{"userName":"OrganizationAccountAccessRole"}}}"#,
            "OrganizationAccountAccessRole/alice",
        ),
        (
            r#"{"type":"AssumedRole","principalId":"AROAX:sess","sessionContext":{"sessionIssuer":{"userName":"Admin"}}}"#,
            "Admin/sess",
        ),
        (
            r#"{"type":"Root","arn":"arn:aws:iam::1:root","accountId":"1"}"#,
            "root",
        ),
        (
            r#"{"type":"AWSService","invokedBy":"cloudtrail.amazonaws.com"}"#,
            "cloudtrail.amazonaws.com",
        ),
        (r#"{"type":"AWSService"}"#, "ec2.amazonaws.com"),
        (
            r#"{"type":"FederatedUser","arn":"arn:aws:sts::1:federated-user/carol"}"#,
            "carol",
        ),
        (
            r#"{"type":"IdentityCenterUser","onBehalfOf":{"userId":"u-123","identityStoreArn":"x"}}"#,
            "u-123",
        ),
        (
            r#"{"type":"Unknown","userName":"dave","principalId":"P"}"#,
            "dave",
        ),
        (
            r#"{"type":"AWSAccount","principalId":"AIDAX","accountId":"2"}"#,
            "AIDAX",
        ),
        (r#"{"type":"SAMLUser","userName":"erin"}"#, "erin"),
    ];
    for (ident, want) in cases {
        let json = format!(r#"{{"eventSource":"ec2.amazonaws.com","userIdentity":{ident}}}"#);
        parse_ok(&json, Col::Principal, want);
    }
    // No identity at all (Insights events): no principal.
    parse_ok(
        r#"{"eventType":"AwsCloudTrailInsight"}"#,
        Col::Principal,
        "",
    );
}

#[test]
fn read_only_from_field_or_verb() {
    let cases: &[(&str, Option<bool>)] = &[
        (r#"{"eventName":"PutObject","readOnly":true}"#, Some(true)),
        (r#"{"eventName":"GetObject","readOnly":false}"#, Some(false)),
        (
            r#"{"eventName":"GetObject","readOnly":"false"}"#,
            Some(false),
        ),
        (r#"{"eventName":"PutObject","readOnly":"TRUE"}"#, Some(true)),
        (r#"{"eventName":"DescribeInstances"}"#, Some(true)),
        (r#"{"eventName":"ListBuckets"}"#, Some(true)),
        (r#"{"eventName":"TerminateInstances"}"#, Some(false)),
        (r#"{"eventName":"Getaway"}"#, Some(false)),
        (
            r#"{"eventName":"GetObject","readOnly":"maybe"}"#,
            Some(true),
        ),
        (r#"{"eventSource":"s3.amazonaws.com"}"#, None),
    ];
    for (json, want) in cases {
        let mut s = Store::new();
        let i = add(&mut s, json);
        assert_eq!(s.read_only(i), *want, "{json}");
    }
}

#[test]
fn outcome_failed_on_error_or_console_login_failure() {
    let cases: &[(&str, bool)] = &[
        (
            r#"{"eventName":"GetObject","errorCode":"AccessDenied"}"#,
            true,
        ),
        (r#"{"eventName":"GetObject"}"#, false),
        (r#"{"eventName":"GetObject","errorCode":null}"#, false),
        (
            r#"{"eventName":"ConsoleLogin","responseElements":{"ConsoleLogin":"Failure"}}"#,
            true,
        ),
        (
            r#"{"eventName":"ConsoleLogin","responseElements":{"ConsoleLogin":"Success"}}"#,
            false,
        ),
        (
            r#"{"eventName":"ConsoleLogin","responseElements":null}"#,
            false,
        ),
        (
            r#"{"eventName":"Other","responseElements":{"ConsoleLogin":"Failure"}}"#,
            false,
        ),
    ];
    for (json, want) in cases {
        let mut s = Store::new();
        let i = add(&mut s, json);
        assert_eq!(s.failed(i), *want, "{json}");
    }
}

#[test]
fn service_name_from_event_source() {
    let mut s = Store::new();
    let i = add(&mut s, r#"{"eventSource":"pi.amazonaws.com"}"#);
    assert_eq!(s.service(i), "AWS Performance Insights");
    let j = add(&mut s, r#"{"eventSource":"nothing-like-this.example.com"}"#);
    assert_eq!(s.service(j), "nothing-like-this.example.com");
}

#[test]
fn duplicates_and_conflicts() {
    let a = r#"{"eventID":"e1","eventName":"A","x":{"k":1}}"#;
    let a_pretty = "{\n  \"eventID\": \"e1\",\n  \"eventName\": \"A\",\n  \"x\": { \"k\": 1 }\n}";
    let a_reordered = r#"{"eventName":"A","x":{"k":1},"eventID":"e1"}"#;
    let a_changed = r#"{"eventID":"e1","eventName":"B"}"#;
    let mut s = Store::new();
    let first = s.add_record(0, a).unwrap();
    assert_eq!(first, AddOutcome::Added(0));
    assert_eq!(s.add_record(0, a).unwrap(), AddOutcome::Duplicate(0));
    assert_eq!(s.add_record(1, a_pretty).unwrap(), AddOutcome::Duplicate(0));
    assert_eq!(
        s.add_record(1, a_reordered).unwrap(),
        AddOutcome::Duplicate(0)
    );
    assert_eq!(s.add_record(1, a_changed).unwrap(), AddOutcome::Conflict(1));
    assert!(s.conflict(0) && s.conflict(1));
    assert_eq!(s.len(), 2);
    assert_eq!(s.files_of(0), vec![0, 1]);
    // Records without eventID are never deduplicated.
    assert_eq!(
        s.add_record(0, r#"{"eventName":"N"}"#).unwrap(),
        AddOutcome::Added(2)
    );
    assert_eq!(
        s.add_record(0, r#"{"eventName":"N"}"#).unwrap(),
        AddOutcome::Added(3)
    );
}

/// A conflict lasts while both sides are live: removing the file of one side clears the
/// other's flag, and bringing it back flags both again.
#[test]
fn conflicts_follow_the_files_removed_and_loaded_again() {
    let a = r#"{"eventID":"e1","eventName":"A"}"#;
    let b = r#"{"eventID":"e1","eventName":"B"}"#;
    let mut s = Store::new();
    assert_eq!(s.add_record(0, a).unwrap(), AddOutcome::Added(0));
    assert_eq!(s.add_record(1, b).unwrap(), AddOutcome::Conflict(1));
    assert!(s.conflict(0) && s.conflict(1));
    s.remove_file(1);
    assert!(!s.conflict(0), "its other side is gone");
    assert_eq!(s.add_record(2, b).unwrap(), AddOutcome::Conflict(1));
    assert!(s.conflict(0) && s.conflict(1), "both sides are back");
    s.remove_file(0);
    assert!(!s.conflict(1));
    assert_eq!(s.add_record(3, a).unwrap(), AddOutcome::Conflict(0));
    assert!(s.conflict(0) && s.conflict(1));
    // A duplicate kept in another file keeps its side alive.
    assert_eq!(s.add_record(4, b).unwrap(), AddOutcome::Duplicate(1));
    s.remove_file(2);
    assert!(s.conflict(0) && s.conflict(1), "event 1 lives on in file 4");
    s.remove_file(4);
    assert!(!s.conflict(0));
    // Brought back alone, an event is not in conflict.
    s.remove_file(3);
    assert_eq!(s.add_record(5, a).unwrap(), AddOutcome::Added(0));
    assert!(!s.conflict(0));
    // Both sides in one file, removed together: brought back alone, not in conflict.
    let mut s = Store::new();
    s.add_record(0, a).unwrap();
    assert_eq!(s.add_record(0, b).unwrap(), AddOutcome::Conflict(1));
    s.remove_file(0);
    assert_eq!(s.add_record(1, a).unwrap(), AddOutcome::Added(0));
    assert!(!s.conflict(0));
}

#[test]
fn event_ids_written_with_escapes_or_as_other_values_are_read_decoded() {
    let long = "x".repeat(300);
    let mut s = Store::new();
    let cases = [
        (
            r#"{"eventID":"plain-1","eventName":"A"}"#.to_owned(),
            "plain-1",
        ),
        (
            r#"{"eventID":"esc\u0061ped","eventName":"A"}"#.to_owned(),
            "escaped",
        ),
        (r#"{"eventName":"A","eventID":42}"#.to_owned(), "42"),
        (
            format!(r#"{{"eventID":"{long}","eventName":"A"}}"#),
            long.as_str(),
        ),
        (r#"{"eventName":"A"}"#.to_owned(), ""),
        (r#"{"eventID":"","eventName":"A"}"#.to_owned(), ""),
        (
            r#"{"eventName":"A","requestParameters":{"filler":"f"},"eventID":"late"}"#.to_owned(),
            "late",
        ),
    ];
    for (json, id) in &cases {
        let i = add(&mut s, json);
        assert_eq!(s.event_id(i), *id, "{json}");
    }
    // An event is known by its decoded eventID, however either is written.
    assert_eq!(
        s.add_record(1, r#"{"eventID":"escaped","eventName":"A"}"#)
            .unwrap(),
        AddOutcome::Duplicate(1)
    );
    assert_eq!(
        s.add_record(1, r#"{"eventID":"escaped","eventName":"B"}"#)
            .unwrap(),
        AddOutcome::Conflict(7)
    );
    assert_eq!(s.event_id(7), "escaped");
    assert_eq!(
        s.add_record(1, &cases[3].0).unwrap(),
        AddOutcome::Duplicate(3)
    );
}

fn records(events: &[(&str, &str)]) -> String {
    let items: Vec<String> = events
        .iter()
        .map(|(id, name)| {
            format!(
                r#"{{"eventID":"{id}","eventName":"{name}","eventTime":"2023-07-10T11:00:00Z","eventSource":"s3.amazonaws.com"}}"#
            )
        })
        .collect();
    format!("{{\"Records\":[{}]}}", items.join(","))
}

#[test]
fn remove_file_keeps_events_present_in_another_file() {
    let mut e = Engine::new();
    let f1 = e
        .load(
            "one.json",
            records(&[("a", "GetObject"), ("b", "PutObject")]).as_bytes(),
        )
        .id;
    let r2 = e
        .load(
            "two.json",
            records(&[("b", "PutObject"), ("c", "ListBuckets")]).as_bytes(),
        )
        .clone();
    assert_eq!(r2.events, 2);
    assert_eq!(r2.duplicates, 1);
    assert_eq!(e.len(), 3);
    assert!(e.remove_file(f1));
    assert!(!e.remove_file(f1), "already removed");
    assert_eq!(e.len(), 2);
    let names: Vec<String> = e
        .query("")
        .unwrap()
        .iter()
        .map(|&i| e.row(i).event_name)
        .collect();
    assert_eq!(names, vec!["PutObject", "ListBuckets"]);
    assert_eq!(e.files().len(), 1);
    // Loading the removed file again brings its events back, with no duplicates.
    let r3 = e
        .load(
            "one.json",
            records(&[("a", "GetObject"), ("b", "PutObject")]).as_bytes(),
        )
        .clone();
    assert_eq!((r3.events, r3.duplicates), (2, 1));
    assert_eq!(e.len(), 3);
    assert!(e.remove_file(r2.id));
    assert_eq!(e.len(), 2);
    assert_eq!(e.query("file:one.json").unwrap().len(), 2);
    assert_eq!(e.query("file:two.json").unwrap().len(), 0);
}

#[test]
fn rows_carry_the_columns() {
    let mut e = Engine::new();
    let json = r#"{"Records":[{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","accountId":"111","userName":"bob","arn":"arn:aws:iam::111:user/bob"},
      "eventTime":"2023-07-10T11:42:36Z","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","awsRegion":"eu-west-1",
      "sourceIPAddress":"1.2.3.4","userAgent":"aws-cli","errorCode":"AccessDenied","eventID":"id-1","readOnly":false}]}"#;
    e.load("r.json", json.as_bytes());
    let r = e.row(0);
    assert_eq!(r.event_id, "id-1");
    assert_eq!(r.time_ms, Some(1_688_989_356_000));
    assert_eq!(r.event_name, "StopLogging");
    assert_eq!(r.principal, "bob");
    assert_eq!(r.account, "111", "falls back to userIdentity.accountId");
    assert_eq!(r.region, "eu-west-1");
    assert_eq!(r.error_code, "AccessDenied");
    assert!(r.failed);
    assert_eq!(r.read_only, Some(false));
    assert_eq!(r.service, "AWS CloudTrail");
    assert_eq!(e.field_value(0, Field::Outcome), "failed");
    assert_eq!(e.field_value(0, Field::EventTime), "2023-07-10T11:42:36Z");
    assert!(e.raw_json(0).contains("StopLogging"));
    assert_eq!(e.raw_json(99), "");
}

#[test]
fn heap_estimate_is_close_to_the_text_size() {
    let mut s = Store::new();
    let mut bytes = 0;
    for n in 0..2000 {
        let r = format!(
            r#"{{"eventID":"id-{n}","eventName":"GetObject","eventSource":"s3.amazonaws.com","eventTime":"2023-07-10T11:42:36Z","requestParameters":{{"bucketName":"b{n}","key":"some/long/key/name/for/padding/{n}.txt"}},"userIdentity":{{"type":"IAMUser","userName":"u{}"}}}}"#,
            n % 7
        );
        bytes += r.len();
        add(&mut s, &r);
    }
    let heap = s.heap_bytes();
    assert!(heap > bytes, "the text itself is kept: {heap} vs {bytes}");
}

/// The identity cache (one lookup per `userIdentity` block) must give what nine
/// separate lookups give: an AWS service's principal falls back to the eventSource,
/// so the same block with another eventSource names another principal.
#[test]
fn same_identity_block_with_another_event_source_keeps_its_own_principal() {
    let mut store = Store::new();
    let ident = r#"{"type":"AWSService"}"#;
    let a = add(
        &mut store,
        &format!(
            r#"{{"eventID":"a","userIdentity":{ident},"eventSource":"s3.amazonaws.com","eventName":"X"}}"#
        ),
    );
    let b = add(
        &mut store,
        &format!(
            r#"{{"eventID":"b","userIdentity":{ident},"eventSource":"ec2.amazonaws.com","eventName":"X"}}"#
        ),
    );
    let c = add(
        &mut store,
        &format!(
            r#"{{"eventID":"c","userIdentity":{ident},"eventSource":"s3.amazonaws.com","eventName":"Y"}}"#
        ),
    );
    assert_eq!(store.value(Col::Principal, a), "s3.amazonaws.com");
    assert_eq!(store.value(Col::Principal, b), "ec2.amazonaws.com");
    assert_eq!(store.value(Col::Principal, c), "s3.amazonaws.com");
    assert_eq!(store.value(Col::IdentityType, c), "AWSService");
    // A block differing only in an escape reads the same values, by its own lookups.
    let d = add(
        &mut store,
        r#"{"eventID":"d","userIdentity":{"type":"IAMUser","userName":"b\u006fb"},"eventSource":"s3.amazonaws.com","eventName":"Y"}"#,
    );
    let e = add(
        &mut store,
        r#"{"eventID":"e","userIdentity":{"type":"IAMUser","userName":"bob"},"eventSource":"s3.amazonaws.com","eventName":"Y"}"#,
    );
    assert_eq!(store.value(Col::Principal, d), "bob");
    assert_eq!(
        store.col(Col::IdentityUserName)[d as usize],
        store.col(Col::IdentityUserName)[e as usize]
    );
}

#[test]
fn live_words_follow_removals_across_word_edges() {
    // 150 events over three words of 64, the middle file's removal clearing bits in all
    // three: every bit says what `is_live` says, and queries return exactly the live ones.
    let mut e = Engine::new();
    let ids: Vec<String> = (0..150).map(|i| format!("e{i}")).collect();
    let names = ["GetObject", "PutObject", "ListBuckets"];
    let mut files = Vec::new();
    for (f, range) in [(0, 0..60), (1, 60..130), (2, 130..150)] {
        let events: Vec<(&str, &str)> = ids[range]
            .iter()
            .map(|id| (id.as_str(), names[f]))
            .collect();
        files.push(
            e.load(&format!("f{f}.json"), records(&events).as_bytes())
                .id,
        );
    }
    assert!(e.remove_file(files[1]));
    let s = e.store();
    let words = s.live_words();
    assert_eq!(words.len(), s.slots().div_ceil(64));
    for i in 0..s.slots() as u32 {
        assert_eq!(
            words[i as usize / 64] >> (i % 64) & 1 == 1,
            s.is_live(i),
            "slot {i}"
        );
    }
    let all = e.query("").unwrap();
    assert_eq!(all.len(), 80);
    assert!(all.iter().all(|&i| s.is_live(i)));
    assert_eq!(e.query("eventName:PutObject").unwrap(), Vec::<u32>::new());
    assert_eq!(e.query("eventName:ListBuckets").unwrap().len(), 20);
}
