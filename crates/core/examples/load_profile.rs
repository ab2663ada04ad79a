//! Load resampled benchmark data repeatedly, for a profiler (`perf record`).
//!
//! ```text
//! cargo run --release -p trailscope-core --example load_profile -- [MB] [ROUNDS] [scan|store|engine]
//! ```
//! `scan` only reads each record's fields; `store` hands pre-split records to `Store::add` (the store's parse alone);
//! `engine` (default) runs `Engine::load` on whole documents.

#[path = "gen_bench/resample.rs"]
#[allow(dead_code)]
mod resample;

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use trailscope_core::sink::RecordSink;
use trailscope_core::store::Store;
use trailscope_core::Engine;

fn main() {
    let mut args = std::env::args().skip(1);
    let mb: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(40);
    let rounds: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5);
    let mode = args.next().unwrap_or_else(|| "engine".into());
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    let corpus = match resample::load_corpus(&dir) {
        Ok(c) if !c.is_empty() => c,
        _ => {
            eprintln!("no corpus at {}", dir.display());
            return;
        }
    };
    let mut gen = resample::Generator::new(&corpus, 7);
    let mut docs = Vec::new();
    let mut input = 0;
    while input < mb * 1_000_000 {
        let (d, _) = gen.document(4_000_000);
        input += d.len();
        docs.push(d);
    }
    let records: Vec<String> = docs
        .iter()
        .flat_map(|d| {
            let v: serde_json::Value = serde_json::from_str(d).unwrap_or_default();
            v["Records"]
                .as_array()
                .map(|a| a.iter().map(|r| r.to_string()).collect::<Vec<_>>())
                .unwrap_or_default()
        })
        .collect();
    for _ in 0..rounds {
        let t = Instant::now();
        let n = if mode == "scan" {
            let mut n = 0;
            for r in &records {
                n += usize::from(trailscope_core::store::parse::read_record(r).is_ok());
            }
            n
        } else if mode == "store" {
            let mut s = Store::new();
            for r in &records {
                black_box(s.add_record(0, r).ok());
            }
            s.len()
        } else {
            let mut e = Engine::new();
            for (i, d) in docs.iter().enumerate() {
                e.load(&format!("d{i}.json"), d.as_bytes());
            }
            e.len()
        };
        let d = t.elapsed();
        println!(
            "{mode}: {n} events, {:.1} MB/s",
            input as f64 / 1e6 / d.as_secs_f64()
        );
    }
}
