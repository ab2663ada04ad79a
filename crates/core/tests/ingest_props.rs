//! Property tests: truncated and byte-mutated versions of real-shaped inputs never make
//! the readers panic, and a truncation never yields more events than the whole file.
#![allow(clippy::unwrap_used)]

use std::io::Write;

use proptest::prelude::*;
use trailscope_core::ingest::ingest;
use trailscope_core::sink::VecSink;

fn ev(i: usize) -> String {
    format!(
        r#"{{"eventVersion":"1.08","userIdentity":{{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/r/s","sessionContext":{{"sessionIssuer":{{"userName":"r"}}}}}},"eventTime":"2023-07-10T11:00:0{}Z","eventSource":"ec2.amazonaws.com","eventName":"RunInstances","requestParameters":{{"items":[{{"a":[1,2,{{"b":"x\"y"}}]}}]}},"eventID":"id-{i}"}}"#,
        i % 10
    )
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// Inputs of every shape the readers know, with how many events each holds.
fn shapes() -> Vec<(Vec<u8>, u32)> {
    let evs: Vec<String> = (0..4).map(ev).collect();
    let records = format!("{{\"Records\":[{}]}}", evs.join(","));
    let pretty = {
        let v: serde_json::Value = serde_json::from_str(&records).unwrap();
        serde_json::to_string_pretty(&v).unwrap()
    };
    let lookup: Vec<String> = evs
        .iter()
        .map(|e| {
            format!(
                "{{\"EventId\":\"x\",\"EventName\":\"n\",\"CloudTrailEvent\":{}}}",
                serde_json::to_string(e).unwrap()
            )
        })
        .collect();
    let markdown = format!("# Doc\n\nText {{ braces }}\n```\n{}\n```\n", pretty);
    let csv = "User name,AWS access key,Event time,Event source,Event name,AWS region\n\
               a,K,2023-07-10T11:00:00Z,s3.amazonaws.com,GetObject,us-east-1\n\
               \"b,c\",K,2023-07-10T11:00:01Z,s3.amazonaws.com,PutObject,us-east-1\n";
    vec![
        (records.clone().into_bytes(), 4),
        (pretty.clone().into_bytes(), 4),
        (format!("[{}]", evs.join(",")).into_bytes(), 4),
        (evs.join("\n").into_bytes(), 4),
        (lookup.join("\n").into_bytes(), 4),
        (markdown.into_bytes(), 4),
        (csv.as_bytes().to_vec(), 2),
        (gz(records.as_bytes()), 4),
    ]
}

/// Each shape with the end offset of every event in it, found by serde_json: every
/// `{` where a complete object with an `eventVersion` key starts (computed once).
fn record_ends() -> &'static [(Vec<u8>, Vec<usize>)] {
    static ENDS: std::sync::OnceLock<Vec<(Vec<u8>, Vec<usize>)>> = std::sync::OnceLock::new();
    ENDS.get_or_init(|| {
        shapes()
            .into_iter()
            .map(|(input, _)| {
                let ends = (0..input.len())
                    .filter(|&p| input[p] == b'{')
                    .filter_map(|p| {
                        let mut it = serde_json::Deserializer::from_slice(&input[p..])
                            .into_iter::<serde_json::Map<String, serde_json::Value>>();
                        match it.next() {
                            Some(Ok(m)) if m.contains_key("eventVersion") => {
                                Some(p + it.byte_offset())
                            }
                            _ => None,
                        }
                    })
                    .collect();
                (input, ends)
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn truncations_never_panic_nor_add_events(shape in 0usize..8, cut in 0.0f64..1.0) {
        let (input, full) = &shapes()[shape];
        let at = ((input.len() as f64) * cut) as usize;
        let mut sink = VecSink::default();
        let r = ingest(0, "t", &input[..at], &mut sink);
        prop_assert!(r.events <= *full, "{} > {full}: {}", r.events, r.message);
        prop_assert_eq!(r.events as usize, sink.records.len());
    }

    #[test]
    fn truncations_keep_every_complete_record(
        shape in prop::sample::select(vec![0usize, 1, 2, 3, 5]),
        cut in 0.0f64..1.0,
    ) {
        let (input, ends) = &record_ends()[shape];
        prop_assert_eq!(ends.len(), 4, "the oracle finds every event");
        let at = ((input.len() as f64) * cut) as usize;
        let complete = ends.iter().filter(|e| **e <= at).count();
        let mut sink = VecSink::default();
        let r = ingest(0, "t", &input[..at], &mut sink);
        prop_assert_eq!(r.events as usize, complete, "{}", r.message);
    }

    #[test]
    fn mutations_never_panic(
        shape in 0usize..8,
        edits in prop::collection::vec((0.0f64..1.0, any::<u8>(), 0u8..3), 1..12),
    ) {
        let (input, _) = &shapes()[shape];
        let mut data = input.clone();
        for (pos, byte, op) in edits {
            let at = ((data.len() as f64) * pos) as usize;
            match op {
                0 if at < data.len() => data[at] = byte,
                1 => data.insert(at.min(data.len()), byte),
                _ if at < data.len() => { data.remove(at); }
                _ => {}
            }
        }
        let mut sink = VecSink::default();
        let r = ingest(0, "m", &data, &mut sink);
        prop_assert_eq!(r.events as usize, sink.records.len());
        prop_assert!(!r.message.is_empty());
    }

    #[test]
    fn structural_bytes_soup_never_panics(bytes in prop::collection::vec(
        prop::sample::select(b"{}[]\",:\\ \nab1".to_vec()), 0..400)) {
        let mut sink = VecSink::default();
        let r = ingest(0, "s", &bytes, &mut sink);
        prop_assert_eq!(r.events as usize, sink.records.len());
    }
}
