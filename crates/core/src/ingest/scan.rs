//! A tolerant, iterative JSON boundary scanner.
//!
//! It finds where values begin and end without building them: strings are skipped with
//! `memchr`, containers by matching brackets with a fixed-size stack (no recursion, so
//! 200,000 nested arrays cannot overflow the call stack). It validates only what it must
//! to find boundaries; the store's parser validates each record in full.
//!
//! Two deliberate strictnesses make damage show up close to where it is:
//! - a raw newline inside a string ends it with an error (JSON never has one, and a
//!   missing closing quote would otherwise flip string parity for the rest of the file);
//! - [`probe_object`] checks the grammar of an object's own level (key, colon, value,
//!   comma), so a record missing its closing brace is caught at the next record.

/// Containers nested deeper than this are refused ([`ScanErrorKind::TooDeep`]).
pub const MAX_DEPTH: usize = 512;

/// What went wrong while scanning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanErrorKind {
    /// The text ends inside a value.
    Eof,
    /// A string runs into the end of its line.
    UnterminatedString,
    /// A closing bracket of the wrong kind.
    Mismatch,
    /// Nesting deeper than [`MAX_DEPTH`].
    TooDeep,
    /// An object key was expected.
    ExpectedKey,
    /// `:` was expected after a key.
    ExpectedColon,
    /// `,` or `}` was expected after a value.
    ExpectedCommaOrEnd,
    /// A value was expected.
    ExpectedValue,
}

/// A scanning failure and the byte offset where it was noticed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanError {
    /// What went wrong.
    pub kind: ScanErrorKind,
    /// Byte offset (in the scanned buffer) where it was noticed.
    pub at: usize,
}

impl ScanError {
    fn new(kind: ScanErrorKind, at: usize) -> Self {
        ScanError { kind, at }
    }

    /// Plain words for a person.
    pub fn describe(&self) -> &'static str {
        match self.kind {
            ScanErrorKind::Eof => "the text ends inside a value (truncated)",
            ScanErrorKind::UnterminatedString => "a string is missing its closing quote",
            ScanErrorKind::Mismatch => "a closing bracket does not match its opening one",
            ScanErrorKind::TooDeep => "nesting is deeper than 512 levels",
            ScanErrorKind::ExpectedKey => "expected a quoted key",
            ScanErrorKind::ExpectedColon => "expected `:` after a key",
            ScanErrorKind::ExpectedCommaOrEnd => "expected `,` or `}`",
            ScanErrorKind::ExpectedValue => "expected a value",
        }
    }
}

/// Bytes that matter outside strings while matching brackets.
static STRUCTURAL: [bool; 256] = {
    let mut t = [false; 256];
    t[b'"' as usize] = true;
    t[b'{' as usize] = true;
    t[b'}' as usize] = true;
    t[b'[' as usize] = true;
    t[b']' as usize] = true;
    t
};

/// Bytes a bare scalar (number, `true`, `false`, `null`) may be made of.
static SCALAR: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = b'0';
    while c <= b'9' {
        t[c as usize] = true;
        c += 1;
    }
    let mut c = b'a';
    while c <= b'z' {
        t[c as usize] = true;
        t[(c - 32) as usize] = true;
        c += 1;
    }
    t[b'+' as usize] = true;
    t[b'-' as usize] = true;
    t[b'.' as usize] = true;
    t
};

/// Offset of the first byte at or after `i` that is not JSON whitespace.
#[inline]
pub fn skip_ws(data: &[u8], mut i: usize) -> usize {
    while i < data.len() && matches!(data[i], b' ' | b'\n' | b'\r' | b'\t') {
        i += 1;
    }
    i
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// High bit set in each byte of `x` that is zero. Bytes above a zero byte may be
/// flagged falsely (borrow), so only the lowest flag is exact, which is all we use.
#[inline(always)]
fn zero_bytes(x: u64) -> u64 {
    x.wrapping_sub(LO) & !x & HI
}

#[inline(always)]
fn word(data: &[u8], j: usize) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&data[j..j + 8]);
    u64::from_le_bytes(b)
}

/// Offset of the first `"`, `\\` or newline at or after `j`, eight bytes at a time.
#[inline(always)]
fn find_string_special(data: &[u8], mut j: usize) -> Option<usize> {
    let n = data.len();
    while j + 8 <= n {
        let w = word(data, j);
        let m = zero_bytes(w ^ (LO * u64::from(b'"')))
            | zero_bytes(w ^ (LO * u64::from(b'\\')))
            | zero_bytes(w ^ (LO * u64::from(b'\n')));
        if m != 0 {
            return Some(j + (m.trailing_zeros() / 8) as usize);
        }
        j += 8;
    }
    (j..n).find(|&k| matches!(data[k], b'"' | b'\\' | b'\n'))
}

/// Offset of the first `"`, `{`, `}`, `[` or `]` at or after `j`, eight bytes at a time.
#[inline(always)]
fn find_structural(data: &[u8], mut j: usize) -> Option<usize> {
    let n = data.len();
    while j + 8 <= n {
        let w = word(data, j);
        // `[` and `]` differ from `{` and `}` only in the 0x20 bit.
        let folded = w | (LO * 0x20);
        let m = zero_bytes(w ^ (LO * u64::from(b'"')))
            | zero_bytes(folded ^ (LO * u64::from(b'{')))
            | zero_bytes(folded ^ (LO * u64::from(b'}')));
        if m != 0 {
            return Some(j + (m.trailing_zeros() / 8) as usize);
        }
        j += 8;
    }
    (j..n).find(|&k| STRUCTURAL[data[k] as usize])
}

/// Skip a string starting at its opening quote `data[i]`; returns the offset after the
/// closing quote.
#[inline]
pub fn skip_string(data: &[u8], i: usize) -> Result<usize, ScanError> {
    let n = data.len();
    let mut j = i + 1;
    loop {
        let Some(at) = find_string_special(data, j) else {
            return Err(ScanError::new(ScanErrorKind::Eof, n));
        };
        match data[at] {
            b'"' => return Ok(at + 1),
            b'\\' => {
                // A backslash before a newline is no valid escape either.
                if data.get(at + 1) == Some(&b'\n') {
                    return Err(ScanError::new(ScanErrorKind::UnterminatedString, at + 1));
                }
                j = at + 2;
                if j > n {
                    return Err(ScanError::new(ScanErrorKind::Eof, n));
                }
            }
            _ => return Err(ScanError::new(ScanErrorKind::UnterminatedString, at)),
        }
    }
}

/// Skip any value starting at `data[i]` (which must not be whitespace); returns the
/// offset after it. Scalars are only checked to be made of scalar bytes.
pub fn skip_value(data: &[u8], i: usize) -> Result<usize, ScanError> {
    match data.get(i) {
        None => Err(ScanError::new(ScanErrorKind::Eof, data.len())),
        Some(b'"') => skip_string(data, i),
        Some(b'{') | Some(b'[') => skip_container(data, i),
        Some(_) => {
            let mut j = i;
            while j < data.len() && SCALAR[data[j] as usize] {
                j += 1;
            }
            if j == i {
                Err(ScanError::new(ScanErrorKind::ExpectedValue, i))
            } else {
                Ok(j)
            }
        }
    }
}

/// Match brackets from the `{` or `[` at `data[i]`; returns the offset after the
/// matching closer.
fn skip_container(data: &[u8], i: usize) -> Result<usize, ScanError> {
    // One bit per open container: set for an object, clear for an array.
    let mut stack = [0u64; MAX_DEPTH / 64];
    let mut depth = 0usize;
    let mut j = i;
    let n = data.len();
    while let Some(at) = find_structural(data, j) {
        j = at;
        let b = data[j];
        match b {
            b'"' => {
                j = skip_string(data, j)?;
                continue;
            }
            b'{' | b'[' => {
                if depth == MAX_DEPTH {
                    return Err(ScanError::new(ScanErrorKind::TooDeep, j));
                }
                let bit = 1u64 << (depth % 64);
                if b == b'{' {
                    stack[depth / 64] |= bit;
                } else {
                    stack[depth / 64] &= !bit;
                }
                depth += 1;
            }
            _ => {
                // `}` or `]`
                let open_object =
                    depth > 0 && stack[(depth - 1) / 64] & (1u64 << ((depth - 1) % 64)) != 0;
                if depth == 0 || open_object != (b == b'}') {
                    return Err(ScanError::new(ScanErrorKind::Mismatch, j));
                }
                depth -= 1;
                if depth == 0 {
                    return Ok(j + 1);
                }
            }
        }
        j += 1;
    }
    Err(ScanError::new(ScanErrorKind::Eof, n))
}

/// After a [`ScanErrorKind::TooDeep`], find the end of the value starting at `data[i]`
/// by counting brackets only (no limit, no stack). Returns `None` when the text ends
/// first.
pub fn skip_deep(data: &[u8], i: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut j = i;
    while j < data.len() {
        match data[j] {
            b'"' => {
                // A broken string inside a hostile value: step over the quote only.
                j = skip_string(data, j).unwrap_or(j + 1);
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(j + 1);
                }
            }
            _ => {}
        }
        j += 1;
    }
    None
}

/// The value of a top-level key: byte range of the value text (quotes included for
/// strings).
pub type Span = (usize, usize);

/// What [`probe_object`] learned about an object's own keys.
#[derive(Debug, Default, Clone)]
pub struct Probe {
    /// Number of keys seen.
    pub keys: usize,
    /// Up to [`Probe::KEPT_NAMES`] key names (raw bytes between the quotes), in file
    /// order; see [`Probe::names`].
    names: [Span; Probe::KEPT_NAMES],
    /// `eventVersion`.
    pub event_version: Option<Span>,
    /// `eventSource`.
    pub event_source: Option<Span>,
    /// `eventName`.
    pub event_name: Option<Span>,
    /// `eventTime`.
    pub event_time: Option<Span>,
    /// `eventID`.
    pub event_id: Option<Span>,
    /// `eventType`.
    pub event_type: Option<Span>,
    /// `eventCategory`.
    pub event_category: Option<Span>,
    /// `Records`.
    pub records: Option<Span>,
    /// `detail-type` (EventBridge).
    pub detail_type: Option<Span>,
    /// `detail` (EventBridge).
    pub detail: Option<Span>,
    /// `source` (EventBridge).
    pub source: Option<Span>,
    /// `CloudTrailEvent` (LookupEvents entry).
    pub cloudtrail_event: Option<Span>,
    /// `EventId` (LookupEvents entry).
    pub lookup_event_id: Option<Span>,
    /// `EventName` (LookupEvents entry).
    pub lookup_event_name: Option<Span>,
    /// `EventSource` (LookupEvents entry).
    pub lookup_event_source: Option<Span>,
    /// `Events` (LookupEvents output).
    pub lookup_events: Option<Span>,
    /// `awslogs` (CloudWatch Logs subscription payload).
    pub awslogs: Option<Span>,
    /// `data` (inside `awslogs`).
    pub data: Option<Span>,
    /// `messageType` (decoded CloudWatch Logs payload).
    pub message_type: Option<Span>,
    /// `logEvents` (decoded CloudWatch Logs payload).
    pub log_events: Option<Span>,
    /// `events` (`filter-log-events` output).
    pub events: Option<Span>,
    /// `message` (a CloudWatch Logs event).
    pub message: Option<Span>,
    /// `digestStartTime` (digest file).
    pub digest_start: Option<Span>,
    /// `logFiles` (digest file).
    pub log_files: Option<Span>,
}

impl Probe {
    /// How many key names are kept for messages.
    pub const KEPT_NAMES: usize = 12;

    fn note(&mut self, data: &[u8], key: Span, value: Span) {
        if self.keys < Self::KEPT_NAMES {
            self.names[self.keys] = key;
        }
        self.keys += 1;
        let slot = match &data[key.0..key.1] {
            b"eventVersion" => &mut self.event_version,
            b"eventSource" => &mut self.event_source,
            b"eventName" => &mut self.event_name,
            b"eventTime" => &mut self.event_time,
            b"eventID" => &mut self.event_id,
            b"eventType" => &mut self.event_type,
            b"eventCategory" => &mut self.event_category,
            b"Records" => &mut self.records,
            b"detail-type" => &mut self.detail_type,
            b"detail" => &mut self.detail,
            b"source" => &mut self.source,
            b"CloudTrailEvent" => &mut self.cloudtrail_event,
            b"EventId" => &mut self.lookup_event_id,
            b"EventName" => &mut self.lookup_event_name,
            b"EventSource" => &mut self.lookup_event_source,
            b"Events" => &mut self.lookup_events,
            b"awslogs" => &mut self.awslogs,
            b"data" => &mut self.data,
            b"messageType" => &mut self.message_type,
            b"logEvents" => &mut self.log_events,
            b"events" => &mut self.events,
            b"message" => &mut self.message,
            b"digestStartTime" => &mut self.digest_start,
            b"logFiles" => &mut self.log_files,
            _ => return,
        };
        if slot.is_none() {
            *slot = Some(value);
        }
    }

    /// The first key names seen (byte ranges of the raw text between the quotes).
    pub fn names(&self) -> &[Span] {
        &self.names[..self.keys.min(Self::KEPT_NAMES)]
    }

    /// True when the keys seen so far are those of a CloudTrail event (see
    /// [`crate::ingest`] for the rule).
    pub fn is_event(&self, data: &[u8]) -> bool {
        let text = |s: Option<Span>| s.map(|(a, b)| &data[a..b]);
        // Lambda event-source records (S3 notifications, SQS, DynamoDB streams) share
        // these key names; their eventSource is `aws:<service>`.
        if let Some(src) = text(self.event_source) {
            if src.starts_with(b"\"aws:") {
                return false;
            }
        }
        if text(self.event_type) == Some(b"\"AwsCloudTrailInsight\"")
            || text(self.event_category) == Some(b"\"Insight\"")
        {
            return true;
        }
        let has_src = self.event_source.is_some();
        let has_other = self.event_name.is_some() || self.event_time.is_some();
        if self.event_version.is_some() {
            return has_src || has_other || self.event_id.is_some() || self.event_type.is_some();
        }
        has_src && has_other
    }

    /// True when the keys seen so far suggest a CloudTrail event, even if the object
    /// turned out damaged: used to decide whether damage is worth reporting.
    pub fn looks_like_event(&self) -> bool {
        self.event_version.is_some()
            || (self.event_source.is_some()
                && (self.event_name.is_some() || self.event_time.is_some()))
            || (self.event_name.is_some() && self.event_time.is_some())
    }
}

/// How [`probe_object`] stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbeEnd {
    /// The object is complete; offset after its `}`.
    Done(usize),
    /// Stopped at the value of `Records`, an array starting at this offset, so the caller
    /// can walk it element by element (then call [`probe_resume`] after the array).
    Records(usize),
    /// The object is damaged.
    Failed(ScanError),
}

/// Walk the keys of the object whose `{` is at `data[i]`, skipping each value. When
/// `suspend_on_records` is set and a `Records` key holds an array, stop there.
pub fn probe_object(data: &[u8], i: usize, suspend_on_records: bool) -> (Probe, ProbeEnd) {
    let mut probe = Probe::default();
    let j = skip_ws(data, i + 1);
    if data.get(j) == Some(&b'}') {
        return (probe, ProbeEnd::Done(j + 1));
    }
    let end = probe_keys(data, j, &mut probe, suspend_on_records);
    (probe, end)
}

/// Continue a probe after the value that [`ProbeEnd::Records`] stopped at (`after` is
/// the offset after that value).
pub fn probe_resume(data: &[u8], after: usize, probe: &mut Probe) -> ProbeEnd {
    match after_value(data, after) {
        Ok(Some(end)) => ProbeEnd::Done(end),
        Ok(None) => probe_keys(data, skip_ws(data, after) + 1, probe, false),
        Err(e) => ProbeEnd::Failed(e),
    }
}

/// After a value at object level: `Some(end)` if `}` closes the object, `None` if a
/// comma follows (next key expected).
fn after_value(data: &[u8], i: usize) -> Result<Option<usize>, ScanError> {
    let j = skip_ws(data, i);
    match data.get(j) {
        Some(b',') => Ok(None),
        Some(b'}') => Ok(Some(j + 1)),
        Some(_) => Err(ScanError::new(ScanErrorKind::ExpectedCommaOrEnd, j)),
        None => Err(ScanError::new(ScanErrorKind::Eof, data.len())),
    }
}

fn probe_keys(data: &[u8], mut j: usize, probe: &mut Probe, suspend: bool) -> ProbeEnd {
    loop {
        j = skip_ws(data, j);
        match data.get(j) {
            Some(b'"') => {}
            Some(_) => return ProbeEnd::Failed(ScanError::new(ScanErrorKind::ExpectedKey, j)),
            None => return ProbeEnd::Failed(ScanError::new(ScanErrorKind::Eof, data.len())),
        }
        let key_end = match skip_string(data, j) {
            Ok(e) => e,
            Err(e) => return ProbeEnd::Failed(e),
        };
        let key = (j + 1, key_end - 1);
        j = skip_ws(data, key_end);
        match data.get(j) {
            Some(b':') => {}
            Some(_) => return ProbeEnd::Failed(ScanError::new(ScanErrorKind::ExpectedColon, j)),
            None => return ProbeEnd::Failed(ScanError::new(ScanErrorKind::Eof, data.len())),
        }
        let v = skip_ws(data, j + 1);
        if suspend && data.get(v) == Some(&b'[') && &data[key.0..key.1] == b"Records" {
            probe.note(data, key, (v, v));
            return ProbeEnd::Records(v);
        }
        let v_end = match skip_value(data, v) {
            Ok(e) => e,
            Err(e) => return ProbeEnd::Failed(e),
        };
        probe.note(data, key, (v, v_end));
        match after_value(data, v_end) {
            Ok(Some(end)) => return ProbeEnd::Done(end),
            Ok(None) => j = skip_ws(data, v_end) + 1,
            Err(e) => return ProbeEnd::Failed(e),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn skips_nested_values_and_strings_with_brackets() {
        let d = br#"{"a":[1,{"b":"}]\"{"}],"c":null} tail"#;
        assert_eq!(skip_value(d, 0), Ok(d.len() - 5));
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let mut d = vec![b'['; 200_000];
        d.extend(vec![b']'; 200_000]);
        let e = skip_value(&d, 0).unwrap_err();
        assert_eq!(e.kind, ScanErrorKind::TooDeep);
        assert_eq!(e.at, MAX_DEPTH);
        assert_eq!(skip_deep(&d, 0), Some(d.len()));
    }

    #[test]
    fn newline_inside_string_is_damage() {
        let d = b"{\"a\": \"b,\n \"c\": 1}";
        let e = skip_value(d, 0).unwrap_err();
        assert_eq!(e.kind, ScanErrorKind::UnterminatedString);
        assert_eq!(e.at, 9);
    }

    #[test]
    fn probe_catches_missing_brace_at_next_record() {
        let d = br#"{"eventVersion":"1", "x":{} , {"eventVersion":"2"}"#;
        let (p, end) = probe_object(d, 0, false);
        assert!(p.looks_like_event());
        assert_eq!(
            end,
            ProbeEnd::Failed(ScanError::new(ScanErrorKind::ExpectedKey, 30))
        );
    }

    #[test]
    fn probe_suspends_on_records_and_resumes() {
        let d = br#"{"Records":[{"a":1}], "x": 2}"#;
        let (mut p, end) = probe_object(d, 0, true);
        assert_eq!(end, ProbeEnd::Records(11));
        let after = skip_value(d, 11).unwrap();
        assert_eq!(probe_resume(d, after, &mut p), ProbeEnd::Done(d.len()));
        assert_eq!(p.keys, 2);
    }
}
