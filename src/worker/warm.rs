//! Warming the engine's code while the page waits for its first files.
//!
//! The browser compiles WebAssembly in two tiers: a function runs first as quickly
//! compiled code, and once it is hot the optimising compiler rebuilds it on background
//! threads. Unwarmed, that happens in the first second of the first load: in a trace of
//! a 100 MB load on a 2-core machine the optimising compiler took about 700 ms of CPU
//! in the load's first 1.5 s, beside the parsing and the page drawing its first view,
//! which then waited for a core. Parsing a few MB of the built-in sample's events into
//! a throwaway engine right after the worker starts moves that work to the seconds in
//! which a person is still choosing files. The warm-up runs in short steps, answers the
//! page's requests between them, and stops for good when the first load arrives.

use std::borrow::Cow;
use std::io::Write;

use flate2::write::GzEncoder;
use flate2::Compression;
use serde_json::Value;
use trailscope_core::engine::Field;
use trailscope_core::store::time::format_iso_ms;
use trailscope_core::Engine;

use super::protocol::ViewSpec;
use crate::app::{facets, state, timeline};

/// Steps of the warm-up, each parsing one document of [`STEP_BYTES`].
pub const STEPS: usize = 12;
/// Size of each step's document (a step takes a few milliseconds once warm).
pub const STEP_BYTES: usize = 256 * 1024;

/// The events of the built-in sample, compact, as the warm-up's templates.
fn templates() -> Vec<Value> {
    crate::sample::FILES
        .iter()
        .filter_map(|(_, text)| serde_json::from_str::<Value>(text).ok())
        .filter_map(|doc| match doc {
            Value::Object(mut o) => o.remove("Records"),
            _ => None,
        })
        .filter_map(|records| match records {
            Value::Array(a) => Some(a),
            _ => None,
        })
        .flatten()
        .collect()
}

/// Makes the warm-up's documents: `{"Records":[...]}` of the sample's events, each with
/// an eventID and a time of its own (the store keeps them like any other events).
pub struct Documents {
    templates: Vec<Value>,
    serial: u64,
}

impl Documents {
    /// Documents from the first eventID and time on.
    pub fn new() -> Self {
        Self {
            templates: templates(),
            serial: 0,
        }
    }

    /// A document of about `bytes` bytes (empty when there are no templates).
    pub fn next(&mut self, bytes: usize) -> String {
        let mut doc = String::with_capacity(bytes + 4096);
        doc.push_str("{\"Records\":[");
        let mut first = true;
        while doc.len() < bytes && !self.templates.is_empty() {
            let n = self.templates.len();
            let mut event = self.templates[self.serial as usize % n].clone();
            if let Value::Object(o) = &mut event {
                o.insert("eventID".into(), format!("warm-up-{}", self.serial).into());
                // One event a second from 2024-01-01T00:00:00Z.
                let ms = (1_704_067_200 + self.serial as i64) * 1000;
                o.insert("eventTime".into(), format_iso_ms(ms).into());
            }
            if !first {
                doc.push(',');
            }
            first = false;
            doc.push_str(&event.to_string());
            self.serial += 1;
        }
        doc.push_str("]}");
        doc
    }
}

impl Default for Documents {
    fn default() -> Self {
        Self::new()
    }
}

/// A view like the page's first, with the page's panel sizes: every facet, newest
/// first, while files load; grouped by eventSource besides, so the grouping's code is
/// warm too. `loading` also keeps the worker from posting it: a view posts its head
/// answer ahead only when no files are loading.
pub fn view_spec() -> ViewSpec {
    ViewSpec {
        query: String::new(),
        group_keys: vec![Field::EventSource],
        group_filter: None,
        sort: Field::EventTime,
        descending: true,
        facet_fields: Field::FACETS.to_vec(),
        facet_top: facets::TOP,
        buckets: timeline::BUCKETS,
        first_rows: state::FIRST_ROWS,
        max_params: state::MAX_PARAMS,
        loading: true,
    }
}

/// Parses one warm-up document into `engine` the way a load does (in slices, through
/// `feed_with`), so the same functions get hot; gzipped first when `gzip` (a `.json.gz`
/// load also inflates).
pub fn step(engine: &mut Engine, doc: &str, gzip: bool) {
    let bytes: Cow<[u8]> = if gzip {
        let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
        // (Writing to a Vec cannot fail.)
        let _ = gz.write_all(doc.as_bytes());
        Cow::Owned(gz.finish().unwrap_or_default())
    } else {
        Cow::Borrowed(doc.as_bytes())
    };
    let name = if gzip {
        "warm-up.json.gz"
    } else {
        "warm-up.json"
    };
    let mut feed = engine.begin_file(name);
    for piece in bytes.chunks(64 * 1024) {
        engine.feed_with(&mut feed, piece.len(), |buf| buf.copy_from_slice(piece));
    }
    engine.finish_file(feed);
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use trailscope_core::FileStatus;

    #[test]
    fn documents_hold_the_sample_events_with_ids_and_times_of_their_own() {
        let mut docs = Documents::new();
        let (a, b) = (docs.next(20_000), docs.next(20_000));
        let mut ids = std::collections::HashSet::new();
        let mut names = std::collections::HashSet::new();
        for doc in [&a, &b] {
            assert!(doc.len() >= 20_000);
            let value: Value = serde_json::from_str(doc).unwrap();
            for r in value["Records"].as_array().unwrap() {
                assert!(ids.insert(r["eventID"].as_str().unwrap().to_string()));
                assert!(r["eventTime"].as_str().unwrap().starts_with("2024-01-01T"));
                names.insert(r["eventName"].as_str().unwrap().to_string());
            }
        }
        // Every documented call of the sample is there, so its shapes get parsed.
        assert!(names.len() >= 7, "{names:?}");
    }

    #[test]
    fn a_step_loads_every_event_plain_and_gzipped() {
        let mut docs = Documents::new();
        let mut engine = Engine::new();
        let mut records = 0;
        for gzip in [false, true] {
            let doc = docs.next(STEP_BYTES);
            records += serde_json::from_str::<Value>(&doc).unwrap()["Records"]
                .as_array()
                .unwrap()
                .len();
            step(&mut engine, &doc, gzip);
            let report = engine.files().last().unwrap();
            assert_eq!(report.gzip, gzip);
            assert_eq!(report.status, FileStatus::Ok, "{report:?}");
        }
        assert_eq!(engine.len(), records);
    }
}
