//! Realistic CloudTrail logs resampled from the real records in `../shared/corpus`:
//! each generated record is a corpus record with a fresh unique `eventID`, a time that
//! moves forward (about one event per second of log time, jittered), and some
//! variation: a share of calls turned into `AccessDenied` failures, other regions,
//! other source addresses. Shared by the `gen_bench` example and `benches/parse.rs`.

use std::io::Read;
use std::path::Path;

use serde_json::value::RawValue;

/// A small deterministic PRNG (xorshift64*), so runs are reproducible by seed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// Seeded generator (a zero seed is replaced).
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }
    /// Next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    /// Uniform in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn decode(bytes: Vec<u8>) -> Vec<u8> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        if flate2::read::MultiGzDecoder::new(&bytes[..])
            .read_to_end(&mut out)
            .is_ok()
        {
            return out;
        }
    }
    bytes
}

#[derive(serde::Deserialize)]
struct Records<'a> {
    #[serde(borrow, rename = "Records")]
    records: Vec<&'a RawValue>,
}

fn is_event(v: &str) -> bool {
    v.contains("\"eventName\"") && v.contains("\"eventSource\"")
}

/// Every CloudTrail record found in the files under `dir` (recursively), as compact
/// JSON text: `{"Records":[...]}` files, NDJSON events, and LookupEvents lines
/// (their `CloudTrailEvent` string). Sorted by file path for reproducibility.
pub fn load_corpus(dir: &Path) -> std::io::Result<Vec<String>> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let p = entry?.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files.push(p);
            }
        }
    }
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let bytes = decode(std::fs::read(&f)?);
        let Ok(text) = std::str::from_utf8(&bytes) else {
            continue;
        };
        if let Ok(r) = serde_json::from_str::<Records>(text) {
            out.extend(
                r.records
                    .iter()
                    .map(|r| r.get().to_owned())
                    .filter(|r| is_event(r)),
            );
            continue;
        }
        for line in text.lines() {
            let line = line.trim();
            if !line.starts_with('{') {
                continue;
            }
            #[derive(serde::Deserialize)]
            struct Lookup {
                #[serde(rename = "CloudTrailEvent")]
                event: Option<String>,
            }
            match serde_json::from_str::<Lookup>(line) {
                Ok(Lookup { event: Some(ev) }) if is_event(&ev) => out.push(ev),
                Ok(_) if is_event(line) => out.push(line.to_owned()),
                _ => {}
            }
        }
    }
    Ok(out)
}

/// Replace the string value of `"key":"..."` (first occurrence); false if absent.
fn replace_value(rec: &mut String, key: &str, value: &str) -> bool {
    let pat = format!("\"{key}\":\"");
    let Some(i) = rec.find(&pat) else {
        return false;
    };
    let start = i + pat.len();
    let bytes = rec.as_bytes();
    let mut j = start;
    while j < bytes.len() && bytes[j] != b'"' {
        if bytes[j] == b'\\' {
            j += 1;
        }
        j += 1;
    }
    if j > rec.len() {
        return false;
    }
    rec.replace_range(start..j, value);
    true
}

fn value_of<'a>(rec: &'a str, key: &str) -> Option<&'a str> {
    let pat = format!("\"{key}\":\"");
    let i = rec.find(&pat)? + pat.len();
    let j = rec[i..].find('"')?;
    Some(&rec[i..i + j])
}

fn iso(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    // Civil date from days (Howard Hinnant).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60
    )
}

const REGIONS: [&str; 6] = [
    "us-east-1",
    "us-west-2",
    "eu-west-1",
    "eu-central-1",
    "ap-southeast-2",
    "ap-northeast-1",
];

/// Generates records one after another.
#[derive(Debug)]
pub struct Generator<'a> {
    corpus: &'a [String],
    rng: Rng,
    time_ms: i64,
}

impl<'a> Generator<'a> {
    /// A generator over `corpus` records, starting at 2024-01-01T00:00:00Z.
    pub fn new(corpus: &'a [String], seed: u64) -> Self {
        Generator {
            corpus,
            rng: Rng::new(seed),
            time_ms: 1_704_067_200_000,
        }
    }

    /// The next record's JSON text (compact, one line).
    pub fn next_record(&mut self) -> String {
        let r = &mut self.rng;
        let mut rec = self.corpus[r.below(self.corpus.len() as u64) as usize].clone();
        let id = format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            r.next() as u32,
            r.next() as u16,
            r.next() as u16 & 0xfff,
            (r.next() as u16 & 0x3fff) | 0x8000,
            r.next() & 0xffff_ffff_ffff
        );
        if !replace_value(&mut rec, "eventID", &id) {
            rec.insert_str(1, &format!("\"eventID\":\"{id}\","));
        }
        self.time_ms += r.below(2000) as i64;
        let t = iso(self.time_ms);
        if !replace_value(&mut rec, "eventTime", &t) && !replace_value(&mut rec, "@timestamp", &t) {
            rec.insert_str(1, &format!("\"eventTime\":\"{t}\","));
        }
        if r.below(100) < 30 {
            let region = REGIONS[r.below(REGIONS.len() as u64) as usize];
            replace_value(&mut rec, "awsRegion", region);
        }
        if let Some(ip) = value_of(&rec, "sourceIPAddress") {
            if ip.bytes().all(|b| b.is_ascii_digit() || b == b'.') && r.below(100) < 40 {
                let ip = format!("203.0.113.{}", r.below(250));
                replace_value(&mut rec, "sourceIPAddress", &ip);
            }
        }
        if r.below(100) < 4 && !rec.contains("\"errorCode\"") {
            rec.insert_str(
                1,
                "\"errorCode\":\"AccessDenied\",\"errorMessage\":\"User is not authorized to perform this operation\",",
            );
        }
        rec
    }

    /// One `{"Records":[...]}` document of about `bytes` bytes; also returns its
    /// record count.
    #[allow(dead_code)] // the benches' entry; the generator itself uses `document_upto`
    pub fn document(&mut self, bytes: usize) -> (String, usize) {
        self.document_upto(bytes, usize::MAX)
    }

    /// Like `document`, but with at most `records` records (at least one).
    pub fn document_upto(&mut self, bytes: usize, records: usize) -> (String, usize) {
        let mut doc = String::with_capacity(bytes + 8192);
        doc.push_str("{\"Records\":[");
        let mut n = 0;
        while (doc.len() < bytes && n < records) || n == 0 {
            if n > 0 {
                doc.push(',');
            }
            doc.push_str(&self.next_record());
            n += 1;
        }
        doc.push_str("]}");
        (doc, n)
    }
}
