//! What the engine says about each file it read: its format, its status, and every
//! warning with the position of the damage. Shared by the readers (`ingest`) and the
//! store, and shown as-is in the files panel.

use serde::{Deserialize, Serialize};

/// The shape of a file's content, recognised from its bytes (never from its name).
/// The `as_str` names are the `data-format` values of the page's test contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// `{"Records":[...]}`: S3 trail objects, console Event history JSON.
    Records,
    /// A JSON array of events.
    Array,
    /// One bare event.
    Event,
    /// One JSON value per line.
    Ndjson,
    /// `aws cloudtrail lookup-events` output, plain or as JSON lines.
    LookupEvents,
    /// EventBridge envelopes whose `detail-type` ends in "via CloudTrail".
    Eventbridge,
    /// CloudWatch Logs subscription payloads or `filter-log-events` output.
    CloudwatchLogs,
    /// A CloudTrail digest file: skipped, never an error.
    Digest,
    /// The console's Event history CSV.
    Csv,
    /// Events found inside other text (Markdown, e-mail, a ticket).
    Text,
    /// Nothing recognisable.
    Unknown,
}

impl Format {
    /// The stable name used in the UI and the test contract.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Records => "records",
            Format::Array => "array",
            Format::Event => "event",
            Format::Ndjson => "ndjson",
            Format::LookupEvents => "lookup-events",
            Format::Eventbridge => "eventbridge",
            Format::CloudwatchLogs => "cloudwatch-logs",
            Format::Digest => "digest",
            Format::Csv => "csv",
            Format::Text => "text",
            Format::Unknown => "unknown",
        }
    }
}

/// How a file fared as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileStatus {
    /// Everything in it was read.
    Ok,
    /// Events were read, and some part of the file was damaged or refused.
    Partial,
    /// Nothing could be read from it.
    Failed,
    /// Deliberately not loaded (a digest file).
    Skipped,
}

impl FileStatus {
    /// The stable name used in the UI and the test contract.
    pub fn as_str(self) -> &'static str {
        match self {
            FileStatus::Ok => "ok",
            FileStatus::Partial => "partial",
            FileStatus::Failed => "failed",
            FileStatus::Skipped => "skipped",
        }
    }
}

/// Where in a file something happened. Lines and columns are 1-based, in the
/// decoded (decompressed) text; `record` is the 0-based index of the record in its
/// container.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    /// Index of the record within the file, when the damage is inside one record.
    pub record: Option<usize>,
    /// Byte offset in the decoded text.
    pub byte: Option<u64>,
    /// 1-based line in the decoded text.
    pub line: Option<u32>,
    /// 1-based column (in bytes) in the decoded text.
    pub column: Option<u32>,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts = Vec::new();
        if let Some(r) = self.record {
            parts.push(format!("record {r}"));
        }
        match (self.line, self.column) {
            (Some(l), Some(c)) => parts.push(format!("line {l} column {c}")),
            (Some(l), None) => parts.push(format!("line {l}")),
            _ => {}
        }
        if let Some(b) = self.byte {
            parts.push(format!("byte {b}"));
        }
        write!(f, "{}", parts.join(", "))
    }
}

/// What kind of trouble a warning reports.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WarningKind {
    /// One record is not valid JSON or not an object; the rest of the file loaded.
    BadRecord,
    /// The container around the records is damaged (missing commas, stray text, truncation).
    DamagedContainer,
    /// The compressed stream ends early or is corrupt.
    Compression,
    /// Bytes that are not UTF-8 were replaced.
    InvalidUtf8,
    /// Nesting deeper than the engine accepts.
    TooDeep,
    /// The same eventID appeared with different content; both were kept.
    ConflictingEventId,
    /// A value that is not a CloudTrail event (an EventBridge event from another source, ...).
    NotCloudTrail,
    /// The engine hit an internal error on this input.
    Internal,
    /// Anything else worth telling the user.
    Other,
}

/// One thing that went wrong, with where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    /// What kind of trouble.
    pub kind: WarningKind,
    /// Where in the file.
    pub location: Location,
    /// Plain words for a person.
    pub message: String,
}

/// What a CloudTrail digest file covers; its hashes are kept for a later integrity check.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestInfo {
    /// `awsAccountId`.
    pub account: String,
    /// `digestStartTime`.
    pub start: String,
    /// `digestEndTime`.
    pub end: String,
    /// `(s3Object, hashValue)` of every log file the digest lists, sorted by object.
    pub log_files: Vec<(String, String)>,
}

/// Everything the engine says about one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileReport {
    /// Id of the file inside the engine (stable while loaded).
    pub id: u32,
    /// The name as given (relative path for folder loads).
    pub name: String,
    /// Recognised format of the (decompressed) content.
    pub format: Format,
    /// Overall status.
    pub status: FileStatus,
    /// Whether the input was gzip.
    pub gzip: bool,
    /// Size of the input as given.
    pub bytes: u64,
    /// Size after decompression.
    pub decoded_bytes: u64,
    /// CloudTrail records read from this file (including ones already loaded before).
    pub events: u32,
    /// Of `events`, how many were exact duplicates of events already loaded.
    pub duplicates: u32,
    /// Of `events`, how many repeat an eventID already loaded with different content.
    pub conflicts: u32,
    /// A one-line account in plain words, with the position of any damage.
    pub message: String,
    /// Every warning, in file order.
    pub warnings: Vec<Warning>,
    /// Set for digest files.
    pub digest: Option<DigestInfo>,
}

/// How many loaded files have each status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileCounts {
    /// Loaded whole.
    pub ok: u32,
    /// Loaded in part (some of it damaged or refused).
    pub partial: u32,
    /// Nothing could be read.
    pub failed: u32,
    /// Not loaded on purpose (digest files).
    pub skipped: u32,
}

impl FileCounts {
    /// The counts of `files`.
    pub fn of(files: &[FileReport]) -> FileCounts {
        let mut counts = FileCounts::default();
        for f in files {
            *match f.status {
                FileStatus::Ok => &mut counts.ok,
                FileStatus::Partial => &mut counts.partial,
                FileStatus::Failed => &mut counts.failed,
                FileStatus::Skipped => &mut counts.skipped,
            } += 1;
        }
        counts
    }
}

/// The reports a files list shows when it shows at most `cap` of them: every file while
/// there are no more; else the files that did not load whole first (one damaged file must
/// not hide behind thousands that loaded well), then the others, each part in load order.
pub fn listed(files: &[FileReport], cap: usize) -> Vec<&FileReport> {
    if files.len() <= cap {
        return files.iter().collect();
    }
    let whole = |f: &&FileReport| f.status == FileStatus::Ok;
    let mut out: Vec<&FileReport> = files.iter().filter(|f| !whole(f)).take(cap).collect();
    let room = cap - out.len();
    out.extend(files.iter().filter(whole).take(room));
    out
}
