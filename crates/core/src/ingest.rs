//! The readers: one file's bytes in, every CloudTrail record's JSON text out (to a
//! [`RecordSink`]), plus a [`FileReport`] saying what was found and what was damaged.
//!
//! Steps, in order:
//! 1. **Decode** ([`decode`]): gzip is recognised by its magic bytes `1f 8b` (never by
//!    name) and read whole, every member; a damaged or truncated stream keeps everything
//!    decoded before the damage. Output is capped at [`MAX_DECODED_BYTES`] (a guard
//!    against decompression bombs). A UTF-8 byte-order mark is dropped; UTF-16 text is
//!    converted. Positions in warnings are in this decoded text.
//! 2. **Recognise** by content: binary files (by magic bytes) are refused with their
//!    kind; text starting with `{` or `[` is read as JSON values; a console Event history
//!    CSV is read row by row; anything else is searched as text.
//! 3. **Find records** ([`read`]) with a tolerant scanner ([`scan`]) that finds value
//!    boundaries without building values, so a `{"Records":[...]}` file is sliced record by
//!    record and each record's text goes to the sink as it is.
//!
//! # What counts as a CloudTrail event
//! A JSON object whose own keys include `eventVersion` together with one of
//! `eventSource`, `eventName`, `eventTime`, `eventID`, `eventType`; or `eventSource` with
//! `eventName` or `eventTime` (Logstash-processed events without `eventTime` count); or
//! an Insights event (`eventType` `AwsCloudTrailInsight` or `eventCategory` `Insight`, which
//! have no `userIdentity`). Objects whose `eventSource` is `aws:<service>` are Lambda
//! event-source records (S3 notifications, SQS, DynamoDB streams), not CloudTrail. Inside a
//! `Records` list every object loads with whatever fields it has, except those.
//!
//! # Containers recognised
//! `{"Records":[...]}`, a JSON array, one event, JSON lines / concatenated values, LookupEvents
//! output and entries (`CloudTrailEvent` is a JSON string), EventBridge envelopes (`detail-type`
//! ending in "via CloudTrail"; the record is `detail`), CloudWatch Logs payloads
//! (`awslogs.data` base64 gzip, `logEvents`, `filter-log-events` `events`; each `message` is a
//! record), digest files (skipped), and events embedded anywhere in other text or JSON.
//!
//! # Damage
//! A record that does not parse is reported (record index, line, column) and the rest load;
//! a damaged container (missing commas, stray text, truncation) is stepped over and every
//! complete record before and after it loads. Nesting deeper than [`scan::MAX_DEPTH`] is
//! refused with a warning, never a stack overflow. No input makes these readers panic.
//!
//! # Cost
//! One pass over the bytes for records in known containers: inside a `Records` list
//! (and for JSON lines and arrays of events) the sink reads each record in the same pass
//! that finds its end ([`crate::sink::RecordSink::add_record_prefix`]), and the readers
//! probe only what it declines; elsewhere the scanner finds string ends and brackets eight
//! bytes at a time. Each record's UTF-8 is checked once, right after it is read.
//!
//! # Streams
//! [`feed::FileFeed`] reads a file that arrives in chunks with the same outcome as
//! [`ingest`] on all of it: gzip is decoded as chunks arrive, and the big shapes are read
//! as they arrive (see [`feed`] for which, and what is kept until the end). Searching text
//! re-reads objects of another kind when it looks inside them, at most 16 levels deep; the
//! total work is capped at 24 times the text's size, after which the search stops with a
//! warning (only deliberately convoluted input gets there).

pub mod build;
pub mod csv;
pub mod decode;
pub mod feed;
pub mod read;
pub mod scan;

use crate::report::{FileReport, FileStatus, Format, Location, Warning, WarningKind};
use crate::sink::RecordSink;
use read::{Reader, Src, Unit};

/// Decompressed output is cut off at this size (1 GiB). A WebAssembly page has at most
/// 4 GiB, and the store keeps each record's text (about 1.3 times the JSON), so a bigger
/// single file could not be loaded anyway; the cap stops a decompression bomb early.
pub const MAX_DECODED_BYTES: u64 = 1 << 30;

/// Tunables for [`ingest_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Cap on decompressed bytes (see [`MAX_DECODED_BYTES`]).
    pub max_decoded: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_decoded: MAX_DECODED_BYTES,
        }
    }
}

/// Read one file's bytes (any format, gzip or not) and hand every CloudTrail record to `sink`.
pub fn ingest(file: u32, name: &str, bytes: &[u8], sink: &mut dyn RecordSink) -> FileReport {
    ingest_with(file, name, bytes, sink, Options::default())
}

/// [`ingest`] with explicit [`Options`].
pub fn ingest_with(
    file: u32,
    name: &str,
    bytes: &[u8],
    sink: &mut dyn RecordSink,
    options: Options,
) -> FileReport {
    let report = new_report(file, name, bytes.len() as u64);
    if bytes.is_empty() {
        return failed(report, "Empty file: there is nothing in it".into());
    }
    if bytes.starts_with(&decode::GZIP_MAGIC) {
        let g = decode::gunzip(bytes, options.max_decoded);
        return read_gunzipped(report, g, sink, options);
    }
    read_text(report, bytes, Vec::new(), options.max_decoded, sink, file)
}

/// A report for a file of `bytes` bytes, before anything is read.
pub(crate) fn new_report(file: u32, name: &str, bytes: u64) -> FileReport {
    FileReport {
        id: file,
        name: name.to_owned(),
        format: Format::Unknown,
        status: FileStatus::Failed,
        gzip: false,
        bytes,
        decoded_bytes: bytes,
        events: 0,
        duplicates: 0,
        conflicts: 0,
        message: String::new(),
        warnings: Vec::new(),
        digest: None,
    }
}

/// Read a gzip file once its stream is decoded (`g`, by [`decode::gunzip`] or the
/// same by [`feed`]): a gzip file holding another one is unwrapped, damage and the
/// size cap become warnings, then the text is read.
pub(crate) fn read_gunzipped(
    mut report: FileReport,
    mut g: decode::Gunzipped,
    sink: &mut dyn RecordSink,
    options: Options,
) -> FileReport {
    let file = report.id;
    let room = options.max_decoded;
    report.gzip = true;
    // A gzip file holding another gzip file (compressed twice).
    if g.problem.is_none() && g.data.starts_with(&decode::GZIP_MAGIC) {
        g = decode::gunzip(&g.data, room);
    }
    report.decoded_bytes = g.data.len() as u64;
    let room = room.saturating_sub(g.data.len() as u64);
    if g.data.is_empty() {
        let why = match g.problem {
            Some(p) => format!("Damaged gzip file: {p}; nothing could be decompressed"),
            None => "Empty file: the gzip stream holds nothing".to_owned(),
        };
        return failed(report, why);
    }
    let late_warnings = gzip_warnings(&g, options);
    read_text(report, &g.data, late_warnings, room, sink, file)
}

/// The warnings about a gzip stream's damage or cap, placed at its decoded end.
pub(crate) fn gzip_warnings(g: &decode::Gunzipped, options: Options) -> Vec<Warning> {
    gzip_warnings_at(g.data.len() as u64, g.problem.as_deref(), g.capped, options)
}

/// [`gzip_warnings`] for a stream `decoded` bytes long.
pub(crate) fn gzip_warnings_at(
    decoded: u64,
    problem: Option<&str>,
    capped: bool,
    options: Options,
) -> Vec<Warning> {
    let mut late_warnings = Vec::new();
    let end = Location {
        byte: Some(decoded),
        ..Location::default()
    };
    if let Some(p) = problem {
        late_warnings.push(Warning {
            kind: WarningKind::Compression,
            location: end.clone(),
            message: format!(
                "the gzip stream is damaged after {decoded} decompressed bytes: {p}; everything before it was read"
            ),
        });
    }
    if capped {
        late_warnings.push(Warning {
            kind: WarningKind::Compression,
            location: end,
            message: format!(
                "decompression stopped at the {} MiB limit; the rest was not read",
                options.max_decoded >> 20
            ),
        });
    }
    late_warnings
}

/// Steps 2 and 3 on decoded bytes: text conversion, padding, binary sniffing, then
/// recognise and read. `room` is what embedded payloads may still decompress to.
pub(crate) fn read_text(
    report: FileReport,
    decoded: &[u8],
    mut late_warnings: Vec<Warning>,
    room: u64,
    sink: &mut dyn RecordSink,
    file: u32,
) -> FileReport {
    let (text, converted) = decode::normalise_text(decoded);
    let mut text: &[u8] = &text;
    // Zero bytes padding the end (an interrupted copy or download) are not content.
    let padding = text.iter().rev().take_while(|b| **b == 0).count();
    if padding > 0 && padding < text.len() {
        text = &text[..text.len() - padding];
        late_warnings.push(Warning {
            kind: WarningKind::Other,
            location: Location {
                byte: Some(text.len() as u64),
                ..Location::default()
            },
            message: format!("{padding} zero bytes at the end of the file were ignored"),
        });
    }
    let mut report = report;
    if let Some(kind) = decode::sniff_binary(text) {
        report.format = Format::Unknown;
        return failed(
            report,
            format!("Not a CloudTrail log: binary file ({kind})"),
        );
    }
    let first = scan::skip_ws(text, 0);
    if first == text.len() {
        return failed(report, "Empty file: it holds only blank space".into());
    }

    // 2 and 3. Recognise and read.
    let src = Src::top(text);
    let mut reader = Reader::new(file, text, sink, room);
    let mut mode = Mode::Text;
    let mut csv_other = None;
    if starts_like_json(text, first) {
        mode = Mode::Json;
        reader.scan_json(&src, first);
    } else {
        match csv::sniff(&text[first..]) {
            csv::Sniff::Console => {
                mode = Mode::Csv {
                    full: csv::read(&mut reader, &src),
                };
            }
            csv::Sniff::Other(columns) => {
                reader.scan_text(&src, 0, text.len());
                csv_other = Some(columns);
            }
            csv::Sniff::No => reader.scan_text(&src, 0, text.len()),
        }
    }
    for w in &mut late_warnings {
        if let Some(b) = w.location.byte {
            let (line, column) = read::line_col(text, b as usize);
            w.location.line = Some(line);
            w.location.column = Some(column);
        }
    }
    finish(report, reader, mode, csv_other, converted, late_warnings)
}

/// Whether the text at `first` begins a JSON object or array: `{` then a key or `}`,
/// or `[` then a value or `]`. (A Markdown page may well start with `[a link]`.)
pub(crate) fn starts_like_json(text: &[u8], first: usize) -> bool {
    let next = text.get(scan::skip_ws(text, first + 1)).copied();
    match text[first] {
        b'{' => matches!(next, Some(b'"' | b'}') | None),
        b'[' => matches!(
            next,
            Some(b'{' | b'[' | b'"' | b']' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n') | None
        ),
        _ => false,
    }
}

/// How the text was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Json,
    Csv { full: bool },
    Text,
}

pub(crate) fn failed(mut report: FileReport, message: String) -> FileReport {
    report.status = FileStatus::Failed;
    report.message = message;
    report
}

/// Warnings after which a file is `partial`: something was lost or altered.
fn loses_data(kind: WarningKind) -> bool {
    !matches!(kind, WarningKind::ConflictingEventId | WarningKind::Other)
}

fn plural(n: u32, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub(crate) fn finish(
    mut report: FileReport,
    mut reader: Reader,
    mode: Mode,
    csv_other: Option<Vec<String>>,
    converted: Option<&str>,
    late_warnings: Vec<Warning>,
) -> FileReport {
    if reader.not_ct > 0 && reader.events > 0 {
        if let Some((loc, reason)) = reader.first_not_ct.clone() {
            let message = format!(
                "{} left out; the first at line {} column {}: {reason}",
                plural(
                    reader.not_ct,
                    "value is not a CloudTrail event and was",
                    "values are not CloudTrail events and were"
                ),
                loc.line.unwrap_or(0),
                loc.column.unwrap_or(0)
            );
            reader.warn(WarningKind::NotCloudTrail, loc, message);
        }
    }
    let mut warnings = std::mem::take(&mut reader.warnings);
    warnings.extend(late_warnings);
    // File order (stable: warnings at one place keep the order they were found in).
    warnings.sort_by_key(|w| w.location.byte.unwrap_or(u64::MAX));
    if reader.dropped_warnings > 0 {
        warnings.push(Warning {
            kind: WarningKind::Other,
            location: Location::default(),
            message: format!("{} more warnings not listed", reader.dropped_warnings),
        });
    }

    report.events = reader.events;
    report.duplicates = reader.duplicates;
    report.conflicts = reader.conflicts;
    report.digest = reader.digest.take();
    report.format = format_of(&reader, mode, report.digest.is_some(), &warnings);

    let lossy: Vec<&Warning> = warnings.iter().filter(|w| loses_data(w.kind)).collect();
    let more = |shown: usize| {
        let rest = lossy.len() + reader.dropped_warnings - shown;
        (rest > 0).then(|| plural(rest as u32, "more warning", "more warnings"))
    };
    if reader.events == 0 {
        report.status = FileStatus::Failed;
        report.message = if let Some(d) = &report.digest {
            report.status = FileStatus::Skipped;
            format!(
                "CloudTrail digest file for account {} from {} to {} ({}): skipped, it holds hashes, not events",
                d.account,
                d.start,
                d.end,
                plural(d.log_files.len() as u32, "log file", "log files")
            )
        } else if let Some(w) = lossy.first() {
            let mut m = format!("No events could be read: {}", w.message);
            if let Some(more) = more(1) {
                m.push_str(&format!("; {more}"));
            }
            m
        } else if reader.control_messages > 0 {
            "CloudWatch Logs control message: it carries no events".to_owned()
        } else if let Some(columns) = csv_other {
            let mut shown: Vec<String> = columns
                .iter()
                .take(8)
                .map(|c| c.chars().take(40).collect())
                .collect();
            if columns.len() > 8 {
                shown.push("…".into());
            }
            format!(
                "Not a CloudTrail log: a CSV file whose columns are {} (a console Event history export has Event name, Event time and Event source)",
                shown.join(", ")
            )
        } else if let Some((_, reason)) = &reader.first_not_ct {
            format!("Not a CloudTrail log: {reason}")
        } else {
            match mode {
                Mode::Text => {
                    "Not a CloudTrail log: text with no CloudTrail events in it".to_owned()
                }
                Mode::Csv { .. } => "No events: the CSV export has no rows".to_owned(),
                Mode::Json => {
                    let u = reader.units();
                    if u[Unit::Records as usize] > 0 {
                        "No events: the Records list is empty".to_owned()
                    } else if u[Unit::Array as usize] > 0 {
                        "No events: the JSON list is empty".to_owned()
                    } else {
                        "No CloudTrail events found in this JSON".to_owned()
                    }
                }
            }
        };
        report.warnings = warnings;
        return report;
    }

    report.status = if lossy.is_empty() {
        FileStatus::Ok
    } else {
        FileStatus::Partial
    };
    let mut parts = vec![plural(reader.events, "event", "events")];
    if reader.duplicates > 0 {
        parts.push(format!(
            "{} already loaded (same eventID and content)",
            plural(reader.duplicates, "duplicate", "duplicates")
        ));
    }
    if reader.conflicts > 0 {
        parts.push(format!(
            "{} an eventID already loaded, with different content (both kept)",
            plural(reader.conflicts, "repeats", "repeat")
        ));
    }
    if let Mode::Csv { full: false } = mode {
        parts.push("CSV carries no request parameters or responses".to_owned());
    }
    if let Some(c) = converted {
        parts.push(format!("read as {c}"));
    }
    if let Some(w) = lossy.first() {
        parts.push(w.message.clone());
    }
    if let Some(more) = more(usize::from(!lossy.is_empty())) {
        parts.push(more);
    }
    report.message = parts.join("; ");
    report.warnings = warnings;
    report
}

/// The file's format from what was found at its top level.
fn format_of(reader: &Reader, mode: Mode, digest: bool, warnings: &[Warning]) -> Format {
    let found_ct = reader.events > 0
        || warnings
            .iter()
            .any(|w| matches!(w.kind, WarningKind::BadRecord | WarningKind::InvalidUtf8));
    match mode {
        Mode::Csv { .. } => return Format::Csv,
        Mode::Text => {
            return if found_ct {
                Format::Text
            } else {
                Format::Unknown
            }
        }
        Mode::Json => {}
    }
    let u = reader.units();
    let total: u32 = u.iter().sum();
    let only = |unit: Unit| total > 0 && u[unit as usize] == total;
    if digest && only(Unit::Digest) {
        return Format::Digest;
    }
    if only(Unit::Lookup) {
        return Format::LookupEvents;
    }
    if only(Unit::EventBridge) {
        return Format::Eventbridge;
    }
    if only(Unit::Cwl) {
        return Format::CloudwatchLogs;
    }
    if total == 1 {
        if only(Unit::Records) {
            return Format::Records;
        }
        if only(Unit::Event) {
            return Format::Event;
        }
        if only(Unit::Array) {
            let e = reader.elem_units();
            let elems: u32 = e.iter().sum();
            let all = |unit: Unit| elems > 0 && e[unit as usize] == elems;
            return if all(Unit::EventBridge) {
                Format::Eventbridge
            } else if all(Unit::Lookup) {
                Format::LookupEvents
            } else if all(Unit::Cwl) {
                Format::CloudwatchLogs
            } else if found_ct || reader.not_ct == 0 {
                Format::Array
            } else {
                Format::Unknown
            };
        }
    }
    if total > 1 {
        return Format::Ndjson;
    }
    if found_ct {
        Format::Text
    } else {
        Format::Unknown
    }
}
