//! Any bytes at all: `ingest` must return a report and never panic, and the report's
//! event count must match what reached the sink.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trailscope_core::ingest::ingest;
use trailscope_core::sink::VecSink;

fuzz_target!(|data: &[u8]| {
    let mut sink = VecSink::default();
    let report = ingest(0, "fuzz", data, &mut sink);
    assert_eq!(report.events as usize, sink.records.len());
    assert!(!report.message.is_empty());
});
