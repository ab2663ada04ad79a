//! Query-side latencies at about 1,000,000 events (issue 5: field query <= 50 ms,
//! free text <= 300 ms), and what the UI pays per view: facets, parameter columns,
//! the summary bar, the timeline and the preset counts over the query's result.
//!
//! ```text
//! cargo bench -p trailscope-core --bench query
//! TRAILSCOPE_BENCH_EVENTS=1000000 TRAILSCOPE_BENCH_RUNS=7 cargo bench -p trailscope-core --bench query
//! TRAILSCOPE_BENCH_DIR=bench-data/1gb cargo bench -p trailscope-core --bench query
//! ```
//! - `TRAILSCOPE_BENCH_EVENTS` (default 1000000): events to load. They are
//!   resampled from `../shared/corpus` by the generator of the `gen_bench` example
//!   (same seed as the `parse` bench's query part), about 1.3 GB of JSON made and
//!   loaded document by document.
//! - `TRAILSCOPE_BENCH_DIR`: load the `.json` files of this folder instead (as
//!   `gen_bench` writes them), in name order, until the event count is reached or
//!   the files run out.
//! - `TRAILSCOPE_BENCH_RUNS` (default 5): runs per figure; the median is printed.
//! - `TRAILSCOPE_BENCH_ONLY`: only the lines whose label contains this text.
//!
//! Each line prints the median of the benchmark thread's CPU time (Linux
//! `CLOCK_THREAD_CPUTIME_ID`; other processes on a shared machine mostly drop out)
//! and of wall time. Figures only: nothing here asserts a time.

#[path = "../examples/gen_bench/resample.rs"]
#[allow(dead_code)]
mod resample;

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use trailscope_core::engine::{Engine, Field};

/// Largest generated document (as the `parse` bench).
const DOC_BYTES: usize = 4_000_000;

fn env_num(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// This thread's CPU time so far (Linux `CLOCK_THREAD_CPUTIME_ID`, nanosecond
/// resolution; `/proc/thread-self/schedstat` counts in scheduler ticks on some
/// kernels, too coarse for figures of a few milliseconds).
#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
fn thread_cpu() -> Option<Duration> {
    #[repr(C)]
    struct Timespec {
        sec: i64,
        nsec: i64,
    }
    extern "C" {
        fn clock_gettime(clock: i32, ts: *mut Timespec) -> i32;
    }
    const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
    let mut ts = Timespec { sec: 0, nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec (64-bit Linux layout: two i64s);
    // clock_gettime writes only into it.
    let rc = unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    (rc == 0).then(|| Duration::new(ts.sec as u64, ts.nsec as u32))
}

/// Elsewhere no thread clock: wall time only.
#[cfg(not(all(target_os = "linux", target_pointer_width = "64")))]
fn thread_cpu() -> Option<Duration> {
    None
}

/// Medians of `runs` timings of `f`: (thread CPU time if known, wall time). What
/// `f` returns is dropped after the clocks stop.
fn median<T>(runs: usize, mut f: impl FnMut() -> T) -> (Option<Duration>, Duration) {
    let mut cpu = Vec::new();
    let mut wall = Vec::new();
    for _ in 0..runs.max(1) {
        let (c0, w0) = (thread_cpu(), Instant::now());
        let out = black_box(f());
        let w = w0.elapsed();
        if let (Some(a), Some(b)) = (c0, thread_cpu()) {
            cpu.push(b.saturating_sub(a));
        }
        wall.push(w);
        drop(out);
    }
    cpu.sort();
    wall.sort();
    (cpu.get(cpu.len() / 2).copied(), wall[wall.len() / 2])
}

/// Prints one figure per call, unless `TRAILSCOPE_BENCH_ONLY` filters it out.
struct Report {
    runs: usize,
    only: Option<String>,
}

impl Report {
    fn line<T>(&self, label: &str, note: &str, f: impl FnMut() -> T) {
        if self
            .only
            .as_deref()
            .is_some_and(|o| !label.contains(o) && !note.contains(o))
        {
            return;
        }
        let (cpu, wall) = median(self.runs, f);
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        let cpu = cpu.map_or("     -".to_owned(), |c| format!("{:8.1}", ms(c)));
        println!("{label:34} cpu {cpu} ms  wall {:8.1} ms  {note}", ms(wall));
    }
}

/// Load generated documents until `events` are stored; returns the input size.
fn load_generated(e: &mut Engine, events: usize) -> Option<usize> {
    let corpus_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    let corpus = resample::load_corpus(&corpus_dir)
        .ok()
        .filter(|c| !c.is_empty())?;
    let mut gen = resample::Generator::new(&corpus, 11);
    let mut input = 0;
    let mut n = 0;
    while e.len() < events {
        let per = ((events - e.len()) * 1300).clamp(10_000, DOC_BYTES);
        let (d, _) = gen.document(per);
        input += d.len();
        e.load(&format!("q-{n}.json"), d.as_bytes());
        n += 1;
    }
    Some(input)
}

/// Load the `.json` files of `dir` in name order until `events` are stored.
fn load_dir(e: &mut Engine, dir: &Path, events: usize) -> Option<usize> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|d| d.ok().map(|d| d.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut input = 0;
    for p in files {
        if e.len() >= events {
            break;
        }
        let Ok(bytes) = std::fs::read(&p) else {
            continue;
        };
        input += bytes.len();
        e.load(&p.to_string_lossy(), &bytes);
    }
    Some(input)
}

fn main() {
    let events = env_num("TRAILSCOPE_BENCH_EVENTS", 1_000_000);
    let report = Report {
        runs: env_num("TRAILSCOPE_BENCH_RUNS", 5),
        only: std::env::var("TRAILSCOPE_BENCH_ONLY").ok(),
    };
    let mut e = Engine::new();
    let t = Instant::now();
    let input = match std::env::var_os("TRAILSCOPE_BENCH_DIR") {
        Some(dir) => load_dir(&mut e, Path::new(&dir), events),
        None => load_generated(&mut e, events),
    };
    let Some(input) = input else {
        println!("bench: no corpus or bench data to load; nothing to measure");
        return;
    };
    println!(
        "loaded {} events ({:.0} MB) in {:.1} s; medians of {} runs",
        e.len(),
        input as f64 / 1e6,
        t.elapsed().as_secs_f64(),
        report.runs
    );

    let queries: &[(&str, &str)] = &[
        ("field", "eventName:DescribeInstances"),
        (
            "field AND field",
            "eventSource:s3.amazonaws.com errorCode:AccessDenied",
        ),
        ("wildcard", "eventName:Describe*"),
        ("derived", "principal:benjamin outcome:failed"),
        ("free text, letters", "accessdenied"),
        ("free text, mixed case", "AccessDenied"),
        ("free text, letters, no hit", "qzxjvwk"),
        ("free text, digits", "i-0a1b2c3d"),
        ("free text, 3 letters", "kms"),
        ("free text, phrase", "\"assumed-role/\""),
        ("free text, non-ASCII", "café"),
        (
            "free text AND field",
            "accessdenied eventSource:s3.amazonaws.com",
        ),
        ("json path present", "requestParameters.bucketName:*"),
        (
            "json path present (rare key)",
            "requestParameters.alarmName:*",
        ),
        (
            "json path value",
            "requestParameters.bucketName:examplebucket",
        ),
        ("json path wildcard", "requestParameters.bucketName:*log*"),
    ];
    for (label, q) in queries {
        let hits = e.query(q).map(|v| v.len()).unwrap_or(0);
        report.line(
            &format!("query {label}"),
            &format!("{hits} hits  `{q}`"),
            || e.query(q),
        );
    }

    let all = e.query("").unwrap_or_default();
    report.line("regroup eventSource", "", || {
        e.group(&all, &[Field::EventSource])
    });
    report.line("regroup service > eventName", "", || {
        e.group(&all, &[Field::Service, Field::EventName])
    });

    // What the UI computes for a view of about 200,000 events.
    let step = (all.len() / 200_000).max(1);
    let some: Vec<u32> = all.iter().copied().step_by(step).collect();
    let n = some.len();
    for f in [Field::EventName, Field::SourceIpAddress, Field::Principal] {
        report.line(
            &format!("facet {} top 10", f.name()),
            &format!("{n} ids"),
            || e.facet(&some, f, 10),
        );
    }
    report.line("facet eventName top 2", &format!("{n} ids"), || {
        e.facet(&some, Field::EventName, 2)
    });
    report.line("param_columns(ids, 12)", &format!("{n} ids"), || {
        e.param_columns(&some, 12)
    });
    let one = e.query("eventName:GetObject").unwrap_or_default();
    report.line(
        "param_columns(one name, 12)",
        &format!("{} ids `eventName:GetObject`", one.len()),
        || e.param_columns(&one, 12),
    );
    report.line("summary", &format!("{n} ids"), || e.summary(&some));
    report.line("summary (all)", &format!("{} ids", all.len()), || {
        e.summary(&all)
    });
    report.line("histogram 120 buckets (all)", "", || {
        e.histogram(&all, 120, None)
    });
    report.line(
        "preset counts",
        &format!("{} presets", Engine::presets().len()),
        || e.preset_counts(),
    );
    report.line("sort by time desc (all)", "", || {
        let mut ids = all.clone();
        e.sort(&mut ids, Field::EventTime, true);
        ids
    });
}
