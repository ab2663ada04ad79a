//! Times every part of one view answer (what the worker computes for a query) on
//! generated benchmark data, natively, to show where a view's time goes.
//!
//! ```text
//! cargo run --release -p trailscope-core --example view_profile -- bench-data/1gb
//! ```

use std::hint::black_box;
use std::time::Instant;

use trailscope_core::engine::Field;
use trailscope_core::Engine;

fn time<R>(label: &str, f: impl FnOnce() -> R) -> R {
    let t = Instant::now();
    let r = black_box(f());
    println!("  {label:<28} {:>8.1} ms", t.elapsed().as_secs_f64() * 1e3);
    r
}

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "bench-data/100mb".into());
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("a directory of generated logs")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".json"))
        .collect();
    files.sort();
    let mut engine = Engine::new();
    let t = Instant::now();
    for f in &files {
        let bytes = std::fs::read(f).expect("readable");
        engine.load(&f.to_string_lossy(), &bytes);
    }
    println!(
        "loaded {} events in {:.1} s",
        engine.len(),
        t.elapsed().as_secs_f64()
    );
    let order = time("order time desc (once)", || {
        engine.order(Field::EventTime, true)
    });
    for q in [
        "",
        "eventSource:ec2.amazonaws.com",
        "eventName:Describe*",
        "assumerole",
    ] {
        println!("query `{q}`");
        let ids = time("query", || engine.query(q).unwrap_or_default());
        let mut resorted = ids.clone();
        time("sort time desc", || {
            engine.sort(&mut resorted, Field::EventTime, true)
        });
        time("first 64 time desc", || {
            engine.sorted_first(&ids, Field::EventTime, true, 64)
        });
        let sorted = time("arrange in order", || order.arrange(&ids));
        for &f in Field::FACETS {
            time(&format!("facet {}", f.name()), || engine.facet(&ids, f, 8));
        }
        time("group eventSource", || {
            engine.group(&ids, &[Field::EventSource])
        });
        time("group eventName", || {
            engine.group(&ids, &[Field::EventName])
        });
        time("summary", || engine.summary(&sorted));
        time("histogram", || engine.histogram(&sorted, 72, None));
        time("uniform eventName", || {
            engine.uniform(&sorted, Field::EventName)
        });
        time("uniform eventSource", || {
            engine.uniform(&sorted, Field::EventSource)
        });
        let sample: Vec<u32> = if sorted.len() <= 4000 {
            sorted.clone()
        } else {
            (0..4000).map(|k| sorted[k * sorted.len() / 4000]).collect()
        };
        time("param_columns(4000)", || engine.param_columns(&sample, 12));
        time("rows 64 + raw", || {
            sorted
                .iter()
                .take(64)
                .map(|&i| (engine.row(i), engine.raw_json(i).to_string()))
                .collect::<Vec<_>>()
        });
        time("files to_vec", || engine.files().to_vec());
    }
    time("preset counts", || engine.preset_counts());
    for p in Engine::presets() {
        time(&format!("preset {}", p.id), || {
            engine.query(p.query).map(|v| v.len()).ok()
        });
    }
}
