//! The streaming feed (`Engine::begin_file` / `feed` / `finish_file`) against
//! `Engine::load` on the same bytes: for real inputs (the seeds, the corpus when
//! present), generated shapes and damaged versions of them, plain and gzip, cut into
//! chunks at random places, the reports (every field, warnings with their lines and
//! columns) and the store content must be identical; a feed finished early must
//! equal a load of the bytes fed so far.
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use proptest::prelude::*;
use trailscope_core::report::FileReport;
use trailscope_core::store::{Col, Store};
use trailscope_core::Engine;

// ----- inputs ----------------------------------------------------------------------

fn ev(i: usize) -> String {
    format!(
        r#"{{"eventVersion":"1.08","userIdentity":{{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/r/s{}","sessionContext":{{"sessionIssuer":{{"userName":"r"}}}}}},"eventTime":"2023-07-10T11:00:0{}Z","eventSource":"ec2.amazonaws.com","eventName":"RunInstances","requestParameters":{{"items":[{{"a":[1,2,{{"b":"x\"y é"}}]}}]}},"eventID":"id-{i}"}}"#,
        i % 3,
        i % 10
    )
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// Every input the tests cut up: generated shapes (clean and damaged, plain and
/// gzip), the seed documents and the corpus files when they are present.
fn inputs() -> &'static [(String, Vec<u8>)] {
    static INPUTS: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    INPUTS.get_or_init(|| {
        let evs: Vec<String> = (0..40).map(ev).collect();
        let records = format!("{{\"Records\":[{}]}}", evs.join(","));
        let pretty = {
            let v: serde_json::Value = serde_json::from_str(&records).unwrap();
            serde_json::to_string_pretty(&v).unwrap()
        };
        let lookup: Vec<String> = evs
            .iter()
            .take(6)
            .map(|e| {
                format!(
                    "{{\"EventId\":\"x\",\"EventName\":\"n\",\"CloudTrailEvent\":{}}}",
                    serde_json::to_string(e).unwrap()
                )
            })
            .collect();
        let csv = "User name,AWS access key,Event time,Event source,Event name,AWS region\n\
                   a,K,2023-07-10T11:00:00Z,s3.amazonaws.com,GetObject,us-east-1\n\
                   \"b,c\",K,2023-07-10T11:00:01Z,s3.amazonaws.com,PutObject,us-east-1\n";
        let mut v: Vec<(String, Vec<u8>)> = vec![
            ("records".into(), records.clone().into_bytes()),
            ("pretty".into(), pretty.clone().into_bytes()),
            ("array".into(), format!("[{}]", evs.join(",")).into_bytes()),
            ("ndjson".into(), evs.join("\n").into_bytes()),
            ("lookup".into(), lookup.join("\n").into_bytes()),
            ("csv".into(), csv.as_bytes().to_vec()),
            (
                "markdown".into(),
                format!("# Doc\n\nText {{ braces }}\n```\n{pretty}\n```\n").into_bytes(),
            ),
            // Damage: missing commas, stray text, a broken record, bytes that are
            // not UTF-8, a conflict and a duplicate, a second document, padding.
            (
                "damaged records".into(),
                format!(
                    "{{\"Records\":[{},{} {},..more entries..,{},{{\"eventVersion\":\"1\",\"eventSource\":\"s3\" \"eventName\":\"x\"}},{}]}}\n{{\"Records\":[{}]}}",
                    evs[0],
                    evs[1],
                    evs[2],
                    evs[3].replace("RunInstances", "Run\u{1}"),
                    evs[0].replace("x\\\"y", "z"),
                    evs[1],
                )
                .into_bytes(),
            ),
            ("records, truncated".into(), records.as_bytes()[..records.len() * 2 / 3].to_vec()),
            (
                "records with a non-UTF-8 record".into(),
                {
                    let mut b = format!("{{\"Records\":[{},", evs[5]).into_bytes();
                    b.extend(evs[6].as_bytes().iter().map(|&c| if c == b'\xc3' { 0xff } else { c }));
                    b.extend(format!(",{}]}}", evs[7]).into_bytes());
                    b
                },
            ),
            (
                "bom and zero padding".into(),
                {
                    let mut b = vec![0xef, 0xbb, 0xbf];
                    b.extend(records.as_bytes());
                    b.extend([0u8; 100]);
                    b
                },
            ),
            (
                "utf-16".into(),
                {
                    let mut b = vec![0xff, 0xfe];
                    for u in records[..2000].encode_utf16() {
                        b.extend(u.to_le_bytes());
                    }
                    b
                },
            ),
            ("gzip records".into(), gz(records.as_bytes())),
            ("gzip pretty".into(), gz(pretty.as_bytes())),
            ("gzip ndjson".into(), gz(evs.join("\n").as_bytes())),
            (
                "gzip, two members".into(),
                {
                    let mut b = gz(&records.as_bytes()[..records.len() / 2]);
                    b.extend(gz(&records.as_bytes()[records.len() / 2..]));
                    b
                },
            ),
            ("gzip twice".into(), gz(&gz(records.as_bytes()))),
            (
                "gzip, truncated".into(),
                {
                    let z = gz(pretty.as_bytes());
                    z[..z.len() * 3 / 5].to_vec()
                },
            ),
            (
                "gzip, corrupt".into(),
                {
                    let mut z = gz(pretty.as_bytes());
                    let n = z.len();
                    for b in &mut z[n / 2..n / 2 + 40] {
                        *b ^= 0x5a;
                    }
                    z
                },
            ),
            (
                "gzip, bad checksum".into(),
                {
                    let mut z = gz(records.as_bytes());
                    let n = z.len();
                    z[n - 6] ^= 1;
                    z
                },
            ),
            (
                "gzip, trailing garbage".into(),
                {
                    let mut z = gz(records.as_bytes());
                    z.extend(b"garbage after the stream");
                    z
                },
            ),
            ("one byte".into(), b"{".to_vec()),
            ("gzip magic only".into(), vec![0x1f, 0x8b]),
            ("png".into(), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec()),
        ];
        let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
        for dir in ["seeds", "corpus"] {
            let mut files = Vec::new();
            files_under(&shared.join(dir), &mut files);
            files.sort();
            for f in files {
                if let Ok(b) = std::fs::read(&f) {
                    v.push((f.display().to_string(), b));
                }
            }
        }
        v
    })
}

// ----- comparison ------------------------------------------------------------------

/// Everything the store holds, event by event, as plain data.
fn snapshot(s: &Store) -> Vec<String> {
    (0..s.slots() as u32)
        .map(|i| {
            let cols: Vec<&str> = Col::ALL.iter().map(|&c| s.value(c, i)).collect();
            format!(
                "{i} live={} file={:?} time={:?} failed={} ro={:?} conflict={} service={} id={} cols={:?} text={}",
                s.is_live(i),
                s.files_of(i),
                s.time(i),
                s.failed(i),
                s.read_only(i),
                s.conflict(i),
                s.service(i),
                s.event_id(i),
                cols,
                s.text(i)
            )
        })
        .collect()
}

/// An engine holding one file already (so duplicates and conflicts with it are
/// exercised), then `bytes` loaded whole.
fn by_load(name: &str, bytes: &[u8]) -> (Engine, FileReport) {
    let mut e = preloaded();
    let r = e.load(name, bytes).clone();
    (e, r)
}

/// The same through the feed, cut at `cuts` (offsets, any order), stopping after
/// `stop` bytes when given.
fn by_feed(name: &str, bytes: &[u8], cuts: &[usize], stop: Option<usize>) -> (Engine, FileReport) {
    let mut e = preloaded();
    let end = stop.unwrap_or(bytes.len()).min(bytes.len());
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c.min(&end)).copied().collect();
    cuts.push(0);
    cuts.push(end);
    cuts.sort_unstable();
    let mut feed = e.begin_file(name);
    // Small thresholds, so that the small inputs here are streamed too (the gzip lag
    // stays above what a damaged stream can lose at its end).
    feed.set_thresholds(300, 300 << 10);
    for w in cuts.windows(2) {
        e.feed(&mut feed, &bytes[w[0]..w[1]]);
    }
    let r = e.finish_file(feed).clone();
    (e, r)
}

fn preloaded() -> Engine {
    let mut e = Engine::new();
    let first: Vec<String> = (0..3).map(ev).collect();
    e.load(
        "first.json",
        format!("{{\"Records\":[{}]}}", first.join(",")).as_bytes(),
    );
    e
}

fn assert_same(name: &str, bytes: &[u8], cuts: &[usize], stop: Option<usize>) {
    let upto = stop.unwrap_or(bytes.len()).min(bytes.len());
    let (a, ra) = by_load(name, &bytes[..upto]);
    let (b, rb) = by_feed(name, bytes, cuts, stop);
    assert_eq!(
        ra, rb,
        "report of {name} cut at {cuts:?}, stopped at {stop:?}"
    );
    assert_eq!(a.files(), b.files(), "{name}");
    let (sa, sb) = (snapshot(a.store()), snapshot(b.store()));
    assert_eq!(sa.len(), sb.len(), "events of {name} cut at {cuts:?}");
    for (x, y) in sa.iter().zip(&sb) {
        assert_eq!(x, y, "{name} cut at {cuts:?}");
    }
}

// ----- tests -----------------------------------------------------------------------

#[test]
fn every_input_fed_whole_in_one_chunk_and_byte_by_byte_in_places() {
    for (name, bytes) in inputs() {
        assert_same(name, bytes, &[], None);
        // Cuts at every one of the first 40 bytes (inside a gzip header, a BOM, the
        // `{"Records":[` opening) and a few further in.
        let mut cuts: Vec<usize> = (1..40).collect();
        cuts.extend([
            bytes.len() / 3,
            bytes.len() / 2,
            bytes.len() - bytes.len().min(7),
        ]);
        assert_same(name, bytes, &cuts, None);
    }
}

/// The memory claim: a big Records document, plain or gzip, fed in 1 MiB chunks is
/// stored as it arrives, and the feed never holds much more than a chunk (plus the
/// gzip lag) of text.
#[test]
fn records_are_stored_as_they_arrive_and_not_kept() {
    let evs: Vec<String> = (0..20_000).map(ev).collect();
    let doc = format!("{{\"Records\":[\n{}\n]}}", evs.join(",\n"));
    for (bytes, lag) in [(doc.clone().into_bytes(), 0), (gz(doc.as_bytes()), 1 << 20)] {
        let mut e = Engine::new();
        let mut feed = e.begin_file("big.json");
        let mut most = 0;
        let mut seen = Vec::new();
        for chunk in bytes.chunks(1 << 20) {
            e.feed(&mut feed, chunk);
            most = most.max(feed.held());
            seen.push(feed.events());
        }
        assert!(
            most <= (1 << 20) * 2 + lag + 2_000,
            "held {most} bytes of {} decoded",
            doc.len()
        );
        assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
        let before_finish = feed.events();
        assert!(
            before_finish > 15_000,
            "{before_finish} events before the end"
        );
        let r = e.finish_file(feed).clone();
        assert_eq!(r.events, 20_000);
        let mut l = Engine::new();
        assert_eq!(&r, l.load("big.json", &bytes));
        assert_eq!(snapshot(e.store()), snapshot(l.store()));
    }
}

/// Big inputs with the real thresholds: damage in the middle (the streamed reading
/// stops there and the rest is read at the end, with positions past the bytes
/// already dropped), and gzip streams cut or corrupted after more than the lag has
/// been read (their end is decoded again from the compressed bytes).
#[test]
fn big_damaged_inputs_with_the_real_thresholds() {
    let evs: Vec<String> = (0..7_000).map(ev).collect();
    let mut doc = format!("{{\"Records\":[\n{}\n]}}\n", evs.join(",\n"));
    let mid = doc.len() / 2;
    let at = mid + doc[mid..].find(",\n").unwrap();
    doc.replace_range(at..at + 1, " ");
    doc.push_str(&format!("{{\"Records\":[{},{}]}}", evs[1], ev(9_999)));
    let z = gz(doc.as_bytes());
    let mut corrupt = z.clone();
    let n = corrupt.len();
    for b in &mut corrupt[n * 7 / 10..n * 7 / 10 + 30] {
        *b ^= 0x33;
    }
    let inputs: Vec<(&str, Vec<u8>)> = vec![
        ("plain", doc.clone().into_bytes()),
        (
            "plain, truncated",
            doc.as_bytes()[..doc.len() * 9 / 10].to_vec(),
        ),
        ("gzip", z.clone()),
        ("gzip, truncated", z[..z.len() * 8 / 10].to_vec()),
        ("gzip, corrupt", corrupt),
    ];
    for (name, bytes) in &inputs {
        let (a, ra) = by_load(name, bytes);
        let mut b = preloaded();
        let mut feed = b.begin_file(name);
        for chunk in bytes.chunks(100_003) {
            b.feed(&mut feed, chunk);
        }
        let rb = b.finish_file(feed).clone();
        assert_eq!(ra, rb, "{name}");
        assert!(ra.events > 3_000, "{name}: {ra:?}");
        assert_eq!(snapshot(a.store()), snapshot(b.store()), "{name}");
    }
}

#[test]
fn an_empty_feed_is_an_empty_file() {
    let mut e = Engine::new();
    let f = e.begin_file("empty.json");
    assert_eq!(f.events(), 0);
    let r = e.finish_file(f).clone();
    let mut l = Engine::new();
    assert_eq!(&r, l.load("empty.json", b""));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Any input, cut anywhere: the same as loading it whole.
    #[test]
    fn feeding_in_random_chunks_equals_loading(
        which in any::<prop::sample::Index>(),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..12),
    ) {
        let (name, bytes) = &inputs()[which.index(inputs().len())];
        let cuts: Vec<usize> = cuts.iter().map(|c| c.index(bytes.len() + 1)).collect();
        assert_same(name, bytes, &cuts, None);
    }

    /// Stopping early (a Cancel) keeps what the bytes fed so far hold, exactly as
    /// loading those bytes would.
    #[test]
    fn finishing_early_equals_loading_what_was_fed(
        which in any::<prop::sample::Index>(),
        stop in any::<prop::sample::Index>(),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..6),
    ) {
        let (name, bytes) = &inputs()[which.index(inputs().len())];
        let stop = stop.index(bytes.len() + 1);
        let cuts: Vec<usize> = cuts.iter().map(|c| c.index(stop + 1)).collect();
        assert_same(name, bytes, &cuts, Some(stop));
    }

    /// Damaged bytes anywhere (flipped, zeroed, structural characters), cut anywhere.
    #[test]
    fn damaged_inputs_fed_in_chunks_equal_loading(
        which in any::<prop::sample::Index>(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), prop::sample::select(vec![0u8, b'{', b'}', b'"', b',', b'\n', 0xff, b'['])), 1..5),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..8),
    ) {
        let (name, bytes) = &inputs()[which.index(inputs().len())];
        let mut bytes = bytes.clone();
        if !bytes.is_empty() {
            for (at, b) in &edits {
                let i = at.index(bytes.len());
                bytes[i] = *b;
            }
        }
        let cuts: Vec<usize> = cuts.iter().map(|c| c.index(bytes.len() + 1)).collect();
        assert_same(name, &bytes, &cuts, None);
    }
}

/// A file removed and loaded again brings its events back from their slots; an event
/// whose eventID another live file holds with other content is then a conflict, as it
/// was when first loaded after that file.
#[test]
fn an_event_brought_back_conflicts_with_a_live_event_of_its_id() {
    let doc = |evs: &[String]| format!("{{\"Records\":[{}]}}", evs.join(","));
    let ours = doc(&[ev(1), ev(2)]);
    // The same eventID as ev(2), other content.
    let theirs = doc(&[ev(2).replace("RunInstances", "StopInstances")]);

    let mut fresh = Engine::new();
    fresh.load("theirs.json", theirs.as_bytes());
    let expected = fresh.load("ours.json", ours.as_bytes()).clone();
    assert_eq!(expected.conflicts, 1);

    let mut again = Engine::new();
    let first = again.load("ours.json", ours.as_bytes()).id;
    again.load("theirs.json", theirs.as_bytes());
    assert!(again.remove_file(first));
    let mut report = again.load("ours.json", ours.as_bytes()).clone();
    report.id = expected.id;
    assert_eq!(report, expected);
    let store = again.store();
    let flagged = (0..store.slots() as u32)
        .filter(|&i| store.is_live(i) && store.conflict(i))
        .count();
    assert_eq!(flagged, 2, "both events of the eventID are flagged");
}
