//! Benchmark data generator: resamples the real records of `../shared/corpus` into
//! N MB of realistic CloudTrail logs (`{"Records":[...]}` files with unique eventIDs,
//! moving times, a mix of services, regions, addresses and errors).
//!
//! ```text
//! cargo run --release -p trailscope-core --example gen_bench -- --mb 100 --out bench-data/
//! ```
//! Options:
//! - `--mb N`          total uncompressed size (default 100)
//! - `--events N`      exactly N events instead (the size follows from the records)
//! - `--out DIR`       output folder (default `bench-data/`), created if missing
//! - `--file-mb M`     size of each file (default 4; 0 = one big file)
//! - `--seed S`        random seed (default 1); the same seed gives the same files
//! - `--corpus DIR`    where the real records are (default `../shared/corpus`)
//! - `--no-plain` / `--no-gz`   skip the `.json` or the `.json.gz` variant
//! - `--tree`          files in an S3 trail's folders, a hundred to a folder
//!   (`AWSLogs/123456789012/CloudTrail/<region>/2024/01/<day>/`), for folder drops
//!
//! Files are named `bench-NNNNN.json` / `bench-NNNNN.json.gz` (the gzip files hold
//! the same records as the plain ones), like S3-delivered trail objects.

#[path = "resample.rs"]
mod resample;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

struct Opts {
    mb: f64,
    events: Option<usize>,
    out: PathBuf,
    file_mb: f64,
    seed: u64,
    corpus: PathBuf,
    plain: bool,
    gz: bool,
    tree: bool,
}

fn parse_args() -> Result<Opts, String> {
    let mut o = Opts {
        mb: 100.0,
        events: None,
        out: PathBuf::from("bench-data"),
        file_mb: 4.0,
        seed: 1,
        corpus: PathBuf::from("../shared/corpus"),
        plain: true,
        gz: true,
        tree: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match a.as_str() {
            "--mb" => o.mb = val("--mb")?.parse().map_err(|e| format!("--mb: {e}"))?,
            "--events" => {
                o.events = Some(val("--events")?.parse().map_err(|e| format!("--events: {e}"))?)
            }
            "--out" => o.out = PathBuf::from(val("--out")?),
            "--file-mb" => o.file_mb = val("--file-mb")?.parse().map_err(|e| format!("--file-mb: {e}"))?,
            "--seed" => o.seed = val("--seed")?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--corpus" => o.corpus = PathBuf::from(val("--corpus")?),
            "--no-plain" => o.plain = false,
            "--no-gz" => o.gz = false,
            "--tree" => o.tree = true,
            "-h" | "--help" => {
                return Err("usage: gen_bench [--mb N | --events N] [--out DIR] [--file-mb M] [--seed S] [--corpus DIR] [--no-plain] [--no-gz] [--tree]".into())
            }
            other => return Err(format!("unknown option {other} (try --help)")),
        }
    }
    Ok(o)
}

fn run(o: &Opts) -> Result<(), String> {
    let corpus =
        resample::load_corpus(&o.corpus).map_err(|e| format!("{}: {e}", o.corpus.display()))?;
    if corpus.is_empty() {
        return Err(format!(
            "no CloudTrail records under {}",
            o.corpus.display()
        ));
    }
    std::fs::create_dir_all(&o.out).map_err(|e| format!("{}: {e}", o.out.display()))?;
    // With --events the size is open and the count decides when to stop.
    let total = match o.events {
        Some(_) => usize::MAX,
        None => (o.mb * 1e6) as usize,
    };
    let wanted = o.events.unwrap_or(usize::MAX);
    let per_file = if o.file_mb <= 0.0 {
        total
    } else {
        (o.file_mb * 1e6) as usize
    };
    let mut gen = resample::Generator::new(&corpus, o.seed);
    let (mut written, mut events, mut files) = (0usize, 0usize, 0usize);
    while written < total && events < wanted {
        let (doc, n) = gen.document_upto(per_file.min(total - written).max(1), wanted - events);
        let dir = if o.tree {
            o.out.join(trail_folder(files))
        } else {
            o.out.clone()
        };
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let base = dir.join(format!("bench-{files:05}.json"));
        if o.plain {
            std::fs::write(&base, &doc).map_err(|e| format!("{}: {e}", base.display()))?;
        }
        if o.gz {
            let path = base.with_extension("json.gz");
            let f = std::fs::File::create(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let mut w = flate2::write::GzEncoder::new(f, flate2::Compression::default());
            w.write_all(doc.as_bytes())
                .and_then(|_| w.finish().map(|_| ()))
                .map_err(|e| format!("{}: {e}", path.display()))?;
        }
        written += doc.len();
        events += n;
        files += 1;
    }
    println!(
        "wrote {files} file(s), {events} events, {:.1} MB uncompressed, into {} (from {} corpus records, seed {})",
        written as f64 / 1e6,
        o.out.display(),
        corpus.len(),
        o.seed
    );
    Ok(())
}

/// The folder of the `n`th file in an S3 trail's layout: a hundred files to a folder,
/// four regions, then the next day.
fn trail_folder(n: usize) -> PathBuf {
    const REGIONS: [&str; 4] = ["us-east-1", "eu-west-1", "ap-south-1", "us-west-2"];
    let folder = n / 100;
    PathBuf::from(format!(
        "AWSLogs/123456789012/CloudTrail/{}/2024/01/{:02}",
        REGIONS[folder % REGIONS.len()],
        folder / REGIONS.len() % 28 + 1
    ))
}

fn main() -> ExitCode {
    match parse_args().and_then(|o| run(&o)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen_bench: {e}");
            ExitCode::FAILURE
        }
    }
}
