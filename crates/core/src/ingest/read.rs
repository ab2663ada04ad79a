//! The reader: walks decoded text, recognises each JSON value's shape, hands every
//! CloudTrail record to the sink, and keeps a warning (with its position) for every
//! piece of damage it steps over.
//!
//! Two modes share one set of handlers:
//! - JSON mode ([`Reader::scan_json`]) for text that starts with `{` or `[`: a sequence of
//!   values (one document, NDJSON, concatenated documents). At the first damage it warns
//!   once and continues in text mode, so nothing after the damage is lost.
//! - text mode ([`Reader::scan_text`]) for anything else: every `{` is a candidate; a
//!   candidate that is a CloudTrail event or a container of them is taken whole, any other
//!   complete object is searched inside, and a damaged candidate that looks like an event
//!   is reported with the line and column of its damage.

use memchr::memchr;

use super::decode;
use super::scan::{
    probe_object, probe_resume, skip_deep, skip_value, skip_ws, Probe, ProbeEnd, ScanError,
    ScanErrorKind, Span, MAX_DEPTH,
};
use crate::report::{DigestInfo, Location, Warning, WarningKind};
use crate::sink::{AddOutcome, RecordShape, RecordSink};

/// Text mode searches inside JSON of another kind this many objects deep at most.
const MAX_SEARCH_DEPTH: usize = 16;

/// At most this many warnings are kept per file; the rest are counted.
const MAX_WARNINGS: usize = 200;

/// Embedded documents (a JSON string holding JSON, a base64 gzip payload) are followed
/// this many levels deep at most.
const MAX_EMBED_LEVEL: u8 = 4;

/// A buffer being read: the file's decoded text, or text embedded in it (a JSON string,
/// a decoded CloudWatch Logs payload). Positions in embedded text are reported at the
/// place in the file where the embedding starts.
#[derive(Clone, Copy)]
pub struct Src<'a> {
    /// The bytes.
    pub data: &'a [u8],
    /// For embedded text: byte offset in the file's text where it is embedded.
    pub embed: Option<usize>,
    /// Embedding depth (0 for the file itself).
    pub level: u8,
}

impl<'a> Src<'a> {
    /// The file's own text.
    pub fn top(data: &'a [u8]) -> Self {
        Src {
            data,
            embed: None,
            level: 0,
        }
    }
}

/// What kind of unit a top-level value (or top-level array element) was; decides the
/// file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A bare event.
    Event = 0,
    /// A `{"Records":[...]}` document.
    Records,
    /// A JSON array.
    Array,
    /// A LookupEvents document or entry.
    Lookup,
    /// An EventBridge envelope.
    EventBridge,
    /// A CloudWatch Logs payload.
    Cwl,
    /// A digest file.
    Digest,
}

const UNITS: usize = 7;

/// Where a value's kind is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Vote {
    /// Not counted (inside another value).
    No,
    /// A top-level value.
    Top,
    /// An element of a top-level array.
    Elem,
}

/// What the elements of an array are expected to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Elem {
    /// Elements of a CloudTrail `Records` list: events by definition.
    Record,
    /// Anything: each element is recognised on its own.
    Any,
    /// CloudWatch Logs events: the record is the JSON text in `message`.
    LogEvent,
}

/// Outcome of [`Reader::take_object`].
enum Take {
    /// Taken (or deliberately skipped); go on from this offset.
    Done(usize),
    /// A complete object that is not CloudTrail; it ends at this offset.
    NotCt(usize, Box<Probe>),
    /// A damaged object.
    Damaged {
        /// The damage.
        err: ScanError,
        /// Whether a warning was already given (it looked like an event).
        warned: bool,
    },
}

/// Tracks line numbers for positions, moving forward cheaply. Positions are
/// absolute (in the whole file's text); the text it is given is a window of it
/// starting at `base`, and positions before the window's start are never asked for
/// (a streamed file drops what it has read, see [`Reader::suspend`]).
#[derive(Debug, Clone, Copy)]
struct Lines {
    pos: usize,
    line: u32,
    line_start: usize,
    /// The start of the line holding `floor`, the first position still in the text.
    floor_line_start: usize,
}

impl Lines {
    fn new() -> Self {
        Lines {
            pos: 0,
            line: 1,
            line_start: 0,
            floor_line_start: 0,
        }
    }

    /// Line and column of `p` (relative to `data`, which starts at `base`).
    fn locate(&mut self, data: &[u8], base: usize, p: usize) -> (u32, u32) {
        let p = base + p.min(data.len());
        if p < self.pos {
            // Step back: uncount the newlines between, then find the line's start.
            let (from, to) = (p - base, (self.pos - base).min(data.len()));
            let back = memchr::memchr_iter(b'\n', &data[from..to.max(from)]).count();
            self.line = self.line.saturating_sub(back as u32).max(1);
            self.line_start = memchr::memrchr(b'\n', &data[..from])
                .map_or(self.floor_line_start, |k| base + k + 1);
            self.pos = p;
        }
        let from = self.pos.saturating_sub(base).min(data.len());
        for nl in memchr::memchr_iter(b'\n', &data[from..p - base]) {
            self.line = self.line.saturating_add(1);
            self.line_start = base + from + nl + 1;
        }
        self.pos = p;
        let col = u32::try_from(p - self.line_start + 1).unwrap_or(u32::MAX);
        (self.line, col)
    }
}

/// A [`Reader`]'s state between two chunks of a streamed file: everything but the
/// text and the sink it borrows (see [`Reader::suspend`] and [`Reader::resume`]).
#[derive(Debug, Clone)]
pub struct Suspended {
    file: u32,
    lines: Lines,
    events: u32,
    duplicates: u32,
    conflicts: u32,
    records: usize,
    warnings: Vec<Warning>,
    dropped_warnings: usize,
    units: [u32; UNITS],
    elem_units: [u32; UNITS],
    not_ct: u32,
    first_not_ct: Option<(Location, String)>,
    digest: Option<DigestInfo>,
    control_messages: u32,
    work: u64,
    budget: u64,
    gave_up: bool,
    decode_room: u64,
}

impl Suspended {
    /// Records accepted by the sink so far.
    pub fn events(&self) -> u32 {
        self.events
    }
}

/// Where a streamed file's reading stands between chunks (see [`Reader::stream`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamAt {
    /// Between top-level values.
    Top,
    /// In the `Records` list of a top-level document whose `{` is at `doc` (absolute).
    Records {
        /// Where the document starts.
        doc: usize,
        /// A value may come next (after `[` or `,`).
        expect_value: bool,
    },
    /// In a top-level array.
    Array {
        /// A value may come next (after `[` or `,`).
        expect_value: bool,
    },
}

/// What [`Reader::stream_object`] did with an object.
enum Streamed {
    /// Taken; it ends here.
    Took(usize),
    /// It may go on past the text so far: wait for more.
    Wait,
    /// Not something the streamed reading takes: leave it to the whole-text reader.
    Stop,
}

/// Everything learned while reading one file.
pub struct Reader<'t, 's> {
    file: u32,
    sink: &'s mut dyn RecordSink,
    top: &'t [u8],
    /// Where `top` starts in the whole file's text (not 0 while streaming).
    base: usize,
    lines: Lines,
    /// Records accepted by the sink.
    pub events: u32,
    /// Of those, exact duplicates.
    pub duplicates: u32,
    /// Of those, same eventID with other content.
    pub conflicts: u32,
    /// Index of the next record (accepted or damaged).
    records: usize,
    /// Warnings kept, in the order found.
    pub warnings: Vec<Warning>,
    /// Warnings beyond the 200 kept.
    pub dropped_warnings: usize,
    units: [u32; UNITS],
    elem_units: [u32; UNITS],
    /// Values that are not CloudTrail: count, and the first one's location and reason.
    pub not_ct: u32,
    /// Location and reason of the first value that is not CloudTrail.
    pub first_not_ct: Option<(Location, String)>,
    /// Set for a digest file.
    pub digest: Option<DigestInfo>,
    /// CloudWatch Logs control messages seen.
    pub control_messages: u32,
    work: u64,
    budget: u64,
    gave_up: bool,
    /// Bytes still allowed to be produced by decompressing embedded payloads.
    decode_room: u64,
}

impl<'t, 's> Reader<'t, 's> {
    /// A reader for the file text `top`.
    pub fn new(file: u32, top: &'t [u8], sink: &'s mut dyn RecordSink, decode_room: u64) -> Self {
        Reader {
            file,
            sink,
            top,
            base: 0,
            lines: Lines::new(),
            events: 0,
            duplicates: 0,
            conflicts: 0,
            records: 0,
            warnings: Vec::new(),
            dropped_warnings: 0,
            units: [0; UNITS],
            elem_units: [0; UNITS],
            not_ct: 0,
            first_not_ct: None,
            digest: None,
            control_messages: 0,
            work: 0,
            budget: (top.len() as u64)
                .saturating_mul(24)
                .saturating_add(1 << 20),
            gave_up: false,
            decode_room,
        }
    }

    /// Stop reading for now: keep the state, release the text and the sink.
    pub fn suspend(self) -> Suspended {
        Suspended {
            file: self.file,
            lines: self.lines,
            events: self.events,
            duplicates: self.duplicates,
            conflicts: self.conflicts,
            records: self.records,
            warnings: self.warnings,
            dropped_warnings: self.dropped_warnings,
            units: self.units,
            elem_units: self.elem_units,
            not_ct: self.not_ct,
            first_not_ct: self.first_not_ct,
            digest: self.digest,
            control_messages: self.control_messages,
            work: self.work,
            budget: self.budget,
            gave_up: self.gave_up,
            decode_room: self.decode_room,
        }
    }

    /// Go on reading with `state`, over `top`: the part of the file's text from
    /// byte `base` on (what came before was read and dropped).
    pub fn resume(
        state: Suspended,
        top: &'t [u8],
        base: usize,
        sink: &'s mut dyn RecordSink,
    ) -> Self {
        let Suspended {
            file,
            lines,
            events,
            duplicates,
            conflicts,
            records,
            warnings,
            dropped_warnings,
            units,
            elem_units,
            not_ct,
            first_not_ct,
            digest,
            control_messages,
            work,
            budget,
            gave_up,
            decode_room,
        } = state;
        Reader {
            file,
            sink,
            top,
            base,
            lines,
            events,
            duplicates,
            conflicts,
            records,
            warnings,
            dropped_warnings,
            units,
            elem_units,
            not_ct,
            first_not_ct,
            digest,
            control_messages,
            work,
            budget,
            gave_up,
            decode_room,
        }
    }

    /// Move the line count to `p` (relative to the text) before the text up to `p`
    /// is dropped: positions before it are not asked for again.
    pub fn settle_lines(&mut self, p: usize) {
        self.lines.locate(self.top, self.base, p);
        self.lines.floor_line_start = self.lines.line_start;
    }

    /// Line and column of the absolute position `p` (clamped to the text's end).
    pub fn line_col_abs(&mut self, p: usize) -> (u32, u32) {
        let rel = p.saturating_sub(self.base);
        self.lines.locate(self.top, self.base, rel)
    }

    /// Set the work budget for a text of `len` bytes (as [`Reader::new`] does), and
    /// what embedded payloads may still decompress to.
    pub fn set_limits(&mut self, len: usize, decode_room: u64) {
        self.budget = (len as u64).saturating_mul(24).saturating_add(1 << 20);
        self.decode_room = decode_room;
    }

    /// A reader that has read nothing, for a file whose text will be streamed to it
    /// ([`Reader::stream`]); its limits are set at the end ([`Reader::set_limits`]).
    pub fn for_stream(file: u32, top: &'t [u8], sink: &'s mut dyn RecordSink) -> Self {
        let mut r = Reader::new(file, top, sink, 0);
        r.budget = u64::MAX;
        r
    }

    // ----- streaming ------------------------------------------------------------------

    /// Read what is certain in `src.data[*i..]` (the file's text so far): complete
    /// events of a top-level `{"Records":[...]}` document (whose list comes first),
    /// of JSON lines, of a top-level array, exactly as [`Reader::scan_json`] would
    /// read them in the whole text. `at` and `*i` say where the reading stands and are
    /// moved on. Returns false at the first thing it leaves to the whole-text reader
    /// (damage, the end of a list, another shape): [`Reader::finish_stream`] then
    /// reads the rest from there once the whole text is in. `last`: no more text
    /// will come.
    pub fn stream(&mut self, src: &Src, at: &mut StreamAt, i: &mut usize, last: bool) -> bool {
        let data = src.data;
        loop {
            let j = skip_ws(data, *i);
            *i = j;
            let Some(&b) = data.get(j) else {
                return true;
            };
            match (*at, b) {
                (StreamAt::Records { doc, .. }, b',') => {
                    *i = j + 1;
                    *at = StreamAt::Records {
                        doc,
                        expect_value: true,
                    };
                }
                (StreamAt::Array { .. }, b',') => {
                    *i = j + 1;
                    *at = StreamAt::Array { expect_value: true };
                }
                (
                    StreamAt::Records {
                        doc,
                        expect_value: true,
                    },
                    b'{',
                ) => match self.stream_object(src, j, Elem::Record, Vote::No, last) {
                    Streamed::Took(e) => {
                        *i = e;
                        *at = StreamAt::Records {
                            doc,
                            expect_value: false,
                        };
                    }
                    Streamed::Wait => return true,
                    Streamed::Stop => return false,
                },
                (StreamAt::Records { doc, .. }, b']') => {
                    // The end of the list: the document ends here when `}` follows.
                    let k = skip_ws(data, j + 1);
                    match data.get(k) {
                        None if !last => return true,
                        Some(b'}') => {
                            self.spend_from_abs(doc, k + 1);
                            *i = k + 1;
                            *at = StreamAt::Top;
                        }
                        _ => return false,
                    }
                }
                (StreamAt::Array { expect_value: true }, b'{') => {
                    match self.stream_object(src, j, Elem::Any, Vote::Elem, last) {
                        Streamed::Took(e) => {
                            *i = e;
                            *at = StreamAt::Array {
                                expect_value: false,
                            };
                        }
                        Streamed::Wait => return true,
                        Streamed::Stop => return false,
                    }
                }
                (StreamAt::Top, b'[') => {
                    self.vote(Vote::Top, Unit::Array);
                    *i = j + 1;
                    *at = StreamAt::Array { expect_value: true };
                }
                (StreamAt::Top, b'{') => match records_opening(data, j) {
                    Some(Some(list)) => {
                        self.vote(Vote::Top, Unit::Records);
                        *i = list + 1;
                        *at = StreamAt::Records {
                            doc: self.base + j,
                            expect_value: true,
                        };
                    }
                    Some(None) if !last => return true,
                    Some(None) => return false,
                    None => match self.stream_object(src, j, Elem::Any, Vote::Top, last) {
                        Streamed::Took(e) => *i = e,
                        Streamed::Wait => return true,
                        Streamed::Stop => return false,
                    },
                },
                _ => return false,
            }
        }
    }

    /// One object at `data[j]` while streaming: a plain event in one pass, or one the
    /// scanner declines that is certainly an event (read as [`Reader::take_element`]
    /// reads it); `elem` is [`Elem::Record`] inside a `Records` list, else
    /// [`Elem::Any`] with the vote of a top-level value or array element.
    fn stream_object(
        &mut self,
        src: &Src,
        j: usize,
        elem: Elem,
        vote: Vote,
        last: bool,
    ) -> Streamed {
        let data = src.data;
        let fast = if elem == Elem::Record {
            self.take_plain_record(src, j, &plainly_event)
        } else {
            self.take_plain_record(src, j, &plainly_top_event)
        };
        if let Some(e) = fast {
            if elem != Elem::Record {
                self.vote(vote, Unit::Event);
            }
            return Streamed::Took(e);
        }
        let (probe, end) = probe_object(data, j, elem != Elem::Record);
        match end {
            ProbeEnd::Failed(err) if err.kind == ScanErrorKind::Eof && !last => Streamed::Wait,
            ProbeEnd::Done(_) if elem == Elem::Record => {
                if probe.is_event(data) || is_lambda_record(data, &probe) {
                    match self.take_element(src, j, Elem::Record, Vote::No) {
                        Some(e) => Streamed::Took(e),
                        None => Streamed::Stop,
                    }
                } else {
                    Streamed::Stop
                }
            }
            ProbeEnd::Done(_) => {
                let digest = probe.digest_start.is_some() && probe.log_files.is_some();
                if !digest && probe.is_event(data) {
                    match self.take_object(src, j, vote) {
                        Take::Done(e) => Streamed::Took(e),
                        _ => Streamed::Stop,
                    }
                } else {
                    Streamed::Stop
                }
            }
            _ => Streamed::Stop,
        }
    }

    /// Read the rest of a streamed file once all of its text is in (`src.data` is
    /// the text from where [`Reader::stream`] stopped), going on from `at` and `i`
    /// as [`Reader::scan_json`] would at that point.
    pub fn finish_stream(&mut self, src: &Src, at: StreamAt, i: usize) {
        let data = src.data;
        match at {
            StreamAt::Top => self.scan_json(src, i),
            StreamAt::Array { expect_value } => {
                if let Some(e) = self.walk_array_from(src, i, expect_value, Elem::Any, true) {
                    self.scan_json(src, e);
                }
            }
            StreamAt::Records { doc, expect_value } => {
                // The rest of `take_object` for a Records document, then of `scan_json`.
                let Some(after) = self.walk_array_from(src, i, expect_value, Elem::Record, false)
                else {
                    return;
                };
                let mut probe = Probe::default();
                let e = match probe_resume(data, after, &mut probe) {
                    ProbeEnd::Done(e) => {
                        self.spend_from_abs(doc, e);
                        e
                    }
                    ProbeEnd::Failed(err) => {
                        self.records_doc_failed(src, err);
                        err.at.max(after)
                    }
                    ProbeEnd::Records(_) => after,
                };
                self.scan_json(src, e);
            }
        }
    }

    /// How many top-level values of each unit kind were seen.
    pub fn units(&self) -> [u32; UNITS] {
        self.units
    }

    /// How many top-level array elements of each unit kind were seen.
    pub fn elem_units(&self) -> [u32; UNITS] {
        self.elem_units
    }

    // ----- positions and warnings -------------------------------------------------

    /// The file location of `pos` in `src`.
    pub fn loc(&mut self, src: &Src, pos: usize) -> Location {
        let p = src.embed.unwrap_or(pos);
        let (line, column) = self.lines.locate(self.top, self.base, p);
        Location {
            record: None,
            byte: Some((self.base + p) as u64),
            line: Some(line),
            column: Some(column),
        }
    }

    /// "at line L column C", or where the embedding text starts.
    fn place(&self, src: &Src, loc: &Location) -> String {
        let (l, c) = (loc.line.unwrap_or(0), loc.column.unwrap_or(0));
        if src.embed.is_some() {
            format!("in the JSON text embedded at line {l} column {c}")
        } else {
            format!("at line {l} column {c}")
        }
    }

    /// Keep a warning (or count it when there are already many).
    pub fn warn(&mut self, kind: WarningKind, location: Location, message: String) {
        if self.warnings.len() < MAX_WARNINGS {
            self.warnings.push(Warning {
                kind,
                location,
                message,
            });
        } else {
            self.dropped_warnings += 1;
        }
    }

    /// Keep a warning about `pos` in `src` (about `record`, if given). The place goes
    /// where `template` says `{at}`, or at its end; `tail` (which may quote the file)
    /// follows as it is. Past [`MAX_WARNINGS`] the warning is only counted.
    fn warn_pos(
        &mut self,
        src: &Src,
        pos: usize,
        kind: WarningKind,
        record: Option<usize>,
        template: &str,
        tail: &str,
    ) {
        if self.warnings.len() >= MAX_WARNINGS {
            self.dropped_warnings += 1;
            return;
        }
        let loc = self.loc(src, pos);
        let place = self.place(src, &loc);
        let mut message = if template.contains("{at}") {
            template.replace("{at}", &place)
        } else {
            format!("{template} {place}")
        };
        message.push_str(tail);
        self.warn(kind, Location { record, ..loc }, message);
    }

    fn warn_at(&mut self, src: &Src, pos: usize, kind: WarningKind, template: &str) {
        self.warn_pos(src, pos, kind, None, template, "");
    }

    fn note_not_ct(&mut self, src: &Src, pos: usize, reason: String) {
        self.not_ct += 1;
        if self.first_not_ct.is_none() {
            let loc = self.loc(src, pos);
            self.first_not_ct = Some((loc, reason));
        }
    }

    fn vote(&mut self, vote: Vote, unit: Unit) {
        match vote {
            Vote::No => {}
            Vote::Top => self.units[unit as usize] += 1,
            Vote::Elem => self.elem_units[unit as usize] += 1,
        }
    }

    /// [`Reader::spend`] from `from`, an absolute position (perhaps before the text
    /// still held), to `to` in the text.
    fn spend_from_abs(&mut self, from: usize, to: usize) {
        let to = self.base + to;
        self.work = self.work.saturating_add(to.saturating_sub(from) as u64 + 1);
    }

    fn spend(&mut self, from: usize, to: usize) -> bool {
        self.work = self.work.saturating_add(to.saturating_sub(from) as u64 + 1);
        self.work > self.budget
    }

    fn give_up(&mut self, src: &Src, pos: usize) {
        if !self.gave_up {
            self.gave_up = true;
            self.warn_at(
                src,
                pos,
                WarningKind::TooDeep,
                "the text nests too deeply to be searched in full; searching stopped {at}",
            );
        }
    }

    // ----- records to the sink ------------------------------------------------------

    /// Hand `src.data[start..end]` (one JSON object) to the sink.
    fn emit(&mut self, src: &Src, start: usize, end: usize) {
        let raw = &src.data[start..end];
        match std::str::from_utf8(raw) {
            Ok(text) => self.add(src, start, text),
            Err(e) => {
                let bad = start + e.valid_up_to();
                let index = self.records;
                self.warn_pos(
                    src,
                    bad,
                    WarningKind::InvalidUtf8,
                    Some(index),
                    &format!("record {index} has bytes that are not UTF-8 {{at}}; they were replaced with \u{fffd}"),
                    "",
                );
                let text = String::from_utf8_lossy(raw);
                self.add(src, start, &text);
            }
        }
    }

    /// Hand one record's text to the sink and account for the outcome. `start` is where
    /// the text begins in `src` (for positions of errors).
    pub fn add(&mut self, src: &Src, start: usize, text: &str) {
        let index = self.records;
        self.records += 1;
        let outcome = self.sink.add_record(self.file, text);
        self.account(src, start, index, text, outcome);
    }

    /// Count what the sink did with record `index` (text at `start` in `src`) and warn
    /// about a conflict or a refusal.
    fn account(
        &mut self,
        src: &Src,
        start: usize,
        index: usize,
        text: &str,
        outcome: Result<AddOutcome, crate::sink::RecordError>,
    ) {
        match outcome {
            Ok(AddOutcome::Added(_)) => self.events += 1,
            Ok(AddOutcome::Duplicate(_)) => {
                self.events += 1;
                self.duplicates += 1;
            }
            Ok(AddOutcome::Conflict(_)) => {
                self.events += 1;
                self.conflicts += 1;
                self.warn_pos(
                    src,
                    start,
                    WarningKind::ConflictingEventId,
                    Some(index),
                    &format!("record {index} {{at}} repeats an eventID already loaded, with different content; both are kept"),
                    "",
                );
            }
            Err(e) => {
                let rel = match (e.line, e.column) {
                    (Some(l), Some(c)) => offset_of(text.as_bytes(), l, c),
                    _ => 0,
                };
                let pos = start + rel.min(src.data.len().saturating_sub(start));
                self.warn_pos(
                    src,
                    pos,
                    WarningKind::BadRecord,
                    Some(index),
                    &format!("record {index} damaged {{at}}: "),
                    &clean_message(&e.message),
                );
            }
        }
    }

    /// Report a damaged object that looks like an event, with the most precise position
    /// available (serde_json's, which stops at the first error).
    fn damaged(&mut self, src: &Src, start: usize, err: ScanError) {
        let index = self.records;
        self.records += 1;
        if self.warnings.len() >= MAX_WARNINGS {
            self.dropped_warnings += 1;
            return;
        }
        let (pos, what) = self.json_error_at(src, start, err);
        self.warn_pos(
            src,
            pos,
            WarningKind::BadRecord,
            Some(index),
            &format!("record {index} damaged {{at}}: "),
            &what,
        );
    }

    // ----- JSON mode -------------------------------------------------------------

    /// Read `src.data[start..]` as a sequence of JSON values; at the first damage, warn
    /// and go on in text mode.
    pub fn scan_json(&mut self, src: &Src, start: usize) {
        let data = src.data;
        let vote = if src.level == 0 { Vote::Top } else { Vote::No };
        let mut i = skip_ws(data, start);
        while i < data.len() {
            match data[i] {
                b'{' => match self.take_object(src, i, vote) {
                    Take::Done(e) => i = e,
                    Take::NotCt(e, probe) => {
                        self.search_inside(src, i, e, &probe);
                        i = e;
                    }
                    Take::Damaged { err, warned } => {
                        if !warned {
                            let (pos, what) = self.json_error_at(src, i, err);
                            self.warn_pos(
                                src,
                                pos,
                                WarningKind::DamagedContainer,
                                None,
                                "the JSON is damaged {at}: ",
                                &what,
                            );
                        }
                        self.scan_text(src, i + 1, data.len());
                        return;
                    }
                },
                b'[' => {
                    if vote == Vote::Top {
                        self.vote(vote, Unit::Array);
                    }
                    match self.walk_array(src, i, Elem::Any, vote == Vote::Top) {
                        Some(e) => i = e,
                        None => return,
                    }
                }
                _ => {
                    let what = format!("unexpected text `{}`", snippet(&data[i..]));
                    self.warn_at(src, i, WarningKind::DamagedContainer, &what);
                    self.scan_text(src, i, data.len());
                    return;
                }
            }
            i = skip_ws(data, i);
        }
    }

    /// serde_json's message and position for damage found by the scanner at `err`.
    fn json_error_at(&self, src: &Src, start: usize, err: ScanError) -> (usize, String) {
        let limit = (err.at + 1).min(src.data.len());
        match first_json_error(&src.data[start..limit]) {
            Some((off, msg)) => (start + off, msg),
            None => (err.at, err.describe().to_owned()),
        }
    }

    /// A complete object that is not CloudTrail: look inside it for events; if there are
    /// none, note it as not CloudTrail.
    fn search_inside(&mut self, src: &Src, start: usize, end: usize, probe: &Probe) {
        let before = (self.events, self.records);
        self.scan_text(src, start + 1, end);
        if (self.events, self.records) == before {
            let reason = format!(
                "JSON, but no CloudTrail events: top-level keys are {}",
                key_list(src.data, probe)
            );
            self.note_not_ct(src, start, reason);
        }
    }

    // ----- text mode -------------------------------------------------------------

    /// Find and take every CloudTrail value in `src.data[start..end]`.
    pub fn scan_text(&mut self, src: &Src, start: usize, end: usize) {
        let data = src.data;
        let mut i = start;
        // Ends of the complete objects of another kind being searched inside, innermost
        // last: the search goes at most MAX_SEARCH_DEPTH of them deep, which bounds the
        // re-reading of nested objects.
        let mut inside: Vec<usize> = Vec::new();
        while i < end {
            let Some(c) = next_candidate(data, i, end) else {
                break;
            };
            if self.work > self.budget {
                self.give_up(src, c);
                return;
            }
            while inside.last().is_some_and(|&e| e <= c) {
                inside.pop();
            }
            i = match self.take_object(src, c, Vote::No) {
                Take::Done(e) => e.max(c + 1),
                Take::NotCt(e, _) if inside.len() >= MAX_SEARCH_DEPTH => e,
                Take::NotCt(e, _) => {
                    inside.push(e);
                    c + 1
                }
                Take::Damaged { .. } => c + 1,
            };
        }
    }

    // ----- objects -------------------------------------------------------------------

    /// Recognise the object at `data[c]` and take what it holds.
    fn take_object(&mut self, src: &Src, c: usize, vote: Vote) -> Take {
        let data = src.data;
        // A top-level value or array element that is plainly an event (no `Records`
        // list or digest keys to look into) is read in one pass by the sink, as the
        // probe below would take it. (Not in a text search, where most candidates are
        // other objects: reading them twice would only add to its cost.)
        if vote != Vote::No {
            if let Some(e) = self.take_plain_record(src, c, &plainly_top_event) {
                self.vote(vote, Unit::Event);
                return Take::Done(e);
            }
        }
        let (mut probe, mut end) = probe_object(data, c, true);
        if let ProbeEnd::Records(at) = end {
            self.vote(vote, Unit::Records);
            let Some(after) = self.walk_array(src, at, Elem::Record, false) else {
                return Take::Done(data.len());
            };
            end = probe_resume(data, after, &mut probe);
            if let ProbeEnd::Done(e) = end {
                self.spend(c, e);
                return Take::Done(e);
            }
            if let ProbeEnd::Failed(err) = end {
                self.records_doc_failed(src, err);
                return Take::Done(err.at.max(after));
            }
        }
        match end {
            ProbeEnd::Done(e) => {
                self.spend(c, e);
                self.take_complete(src, c, e, probe, vote)
            }
            ProbeEnd::Failed(err) => {
                self.spend(c, err.at);
                if err.kind == ScanErrorKind::TooDeep {
                    self.warn_at(
                        src,
                        err.at,
                        WarningKind::TooDeep,
                        &format!("nesting deeper than {MAX_DEPTH} levels {{at}}: that value was not read"),
                    );
                    return Take::Done(skip_deep(data, c).unwrap_or(data.len()));
                }
                let warned = probe.looks_like_event();
                if warned {
                    self.vote(vote, Unit::Event);
                    self.damaged(src, c, err);
                }
                Take::Damaged { err, warned }
            }
            ProbeEnd::Records(_) => Take::Done(c + 1),
        }
    }

    /// Warn about what follows a Records list that does not close its document.
    fn records_doc_failed(&mut self, src: &Src, err: ScanError) {
        let what = if err.kind == ScanErrorKind::Eof {
            "the Records document ends without its closing `}`"
        } else {
            "unexpected text after the Records list"
        };
        let kind = if err.kind == ScanErrorKind::Eof {
            WarningKind::Other
        } else {
            WarningKind::DamagedContainer
        };
        self.warn_at(src, err.at, kind, what);
    }

    /// Take a complete object `data[c..e]` according to its keys.
    fn take_complete(&mut self, src: &Src, c: usize, e: usize, probe: Probe, vote: Vote) -> Take {
        let data = src.data;
        let text = |s: Option<Span>| s.map(|(a, b)| &data[a..b]);
        let is_array = |s: Option<Span>| s.is_some_and(|(a, _)| data[a] == b'[');
        if probe.digest_start.is_some() && probe.log_files.is_some() {
            self.vote(vote, Unit::Digest);
            self.take_digest(&data[c..e]);
            return Take::Done(e);
        }
        if probe.is_event(data) {
            self.vote(vote, Unit::Event);
            self.emit(src, c, e);
            return Take::Done(e);
        }
        if let (Some(dt), Some(detail)) = (probe.detail_type, probe.detail) {
            self.vote(vote, Unit::EventBridge);
            let dt_text = &data[dt.0..dt.1];
            if dt_text.ends_with(b"via CloudTrail\"") && data[detail.0] == b'{' {
                self.emit(src, detail.0, detail.1);
            } else {
                let source = text(probe.source)
                    .map(|s| format!(" from {}", unquote(s)))
                    .unwrap_or_default();
                let reason = format!(
                    "EventBridge event \"{}\"{source}, not from CloudTrail",
                    unquote(dt_text)
                );
                self.note_not_ct(src, c, reason);
            }
            return Take::Done(e);
        }
        if probe.cloudtrail_event.is_some()
            || (probe.lookup_event_id.is_some() && probe.lookup_event_name.is_some())
        {
            self.vote(vote, Unit::Lookup);
            self.take_lookup_entry(src, c, e, &probe);
            return Take::Done(e);
        }
        if is_array(probe.lookup_events) {
            if let Some((a, _)) = probe.lookup_events {
                self.vote(vote, Unit::Lookup);
                self.walk_array(src, a, Elem::Any, false);
                return Take::Done(e);
            }
        }
        if let Some((a, b)) = probe.awslogs {
            self.vote(vote, Unit::Cwl);
            self.take_awslogs(src, a, b);
            return Take::Done(e);
        }
        let log_events = if is_array(probe.log_events) {
            probe.log_events
        } else if is_array(probe.events) {
            probe.events
        } else {
            None
        };
        if let Some((a, _)) = log_events {
            self.vote(vote, Unit::Cwl);
            if text(probe.message_type) == Some(b"\"CONTROL_MESSAGE\"") {
                self.control_messages += 1;
            }
            self.walk_array(src, a, Elem::LogEvent, false);
            return Take::Done(e);
        }
        Take::NotCt(e, Box::new(probe))
    }

    /// Unwrap a JSON string value `data[a..b]` (quotes included).
    fn unescape(&mut self, src: &Src, a: usize, b: usize) -> Option<String> {
        let raw = &src.data[a..b];
        if let Ok(s) = serde_json::from_slice::<String>(raw) {
            return Some(s);
        }
        let lossy = String::from_utf8_lossy(raw);
        match serde_json::from_str::<String>(&lossy) {
            Ok(s) => {
                let bad = std::str::from_utf8(raw)
                    .err()
                    .map_or(0, |e| e.valid_up_to());
                let at = a + bad;
                self.warn_at(
                    src,
                    at,
                    WarningKind::InvalidUtf8,
                    "bytes that are not UTF-8 were replaced with \u{fffd} in the string",
                );
                Some(s)
            }
            Err(e) => {
                let index = self.records;
                self.records += 1;
                self.warn_pos(
                    src,
                    a,
                    WarningKind::BadRecord,
                    Some(index),
                    &format!(
                        "record {index} damaged {{at}}: the JSON string holding it is invalid: "
                    ),
                    &clean_message(&e.to_string()),
                );
                None
            }
        }
    }

    /// Read text embedded at `src`/`at` as JSON.
    fn embedded(&mut self, src: &Src, at: usize, text: &[u8]) {
        if src.level >= MAX_EMBED_LEVEL {
            self.warn_at(
                src,
                at,
                WarningKind::TooDeep,
                "JSON embedded in JSON too many times over {at} was not read",
            );
            return;
        }
        let inner = Src {
            data: text,
            embed: Some(src.embed.unwrap_or(at)),
            level: src.level + 1,
        };
        let start = skip_ws(text, 0);
        match text.get(start) {
            Some(b'{') | Some(b'[') => self.scan_json(&inner, start),
            _ => self.note_not_ct(
                src,
                at,
                "text that is not JSON where an event was expected".into(),
            ),
        }
    }

    /// A LookupEvents entry: the record is the JSON string in `CloudTrailEvent`; without
    /// it, an event is built from the entry's own fields.
    fn take_lookup_entry(&mut self, src: &Src, c: usize, e: usize, probe: &Probe) {
        let data = src.data;
        match probe.cloudtrail_event {
            Some((a, b)) if data[a] == b'"' => {
                if let Some(text) = self.unescape(src, a, b) {
                    self.embedded(src, a, text.as_bytes());
                }
            }
            Some((a, b)) if data[a] == b'{' => self.emit(src, a, b),
            _ => match serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(
                &data[c..e],
            ) {
                Ok(map) => {
                    let built = super::build::from_lookup_entry(&map);
                    self.add(src, c, &built);
                }
                Err(err) => {
                    let index = self.records;
                    self.records += 1;
                    self.warn_pos(
                        src,
                        c,
                        WarningKind::BadRecord,
                        Some(index),
                        &format!("record {index} damaged {{at}}: "),
                        &clean_message(&err.to_string()),
                    );
                }
            },
        }
    }

    /// A CloudWatch Logs subscription payload: `{"awslogs":{"data":"<base64 gzip>"}}`.
    fn take_awslogs(&mut self, src: &Src, a: usize, _b: usize) {
        use base64::Engine as _;
        let data = src.data;
        let inner = if data[a] == b'{' {
            let (probe, end) = probe_object(data, a, false);
            match end {
                ProbeEnd::Done(_) => probe.data,
                _ => None,
            }
        } else {
            None
        };
        let Some((da, db)) = inner.filter(|(da, _)| data[*da] == b'"') else {
            self.warn_at(
                src,
                a,
                WarningKind::DamagedContainer,
                "the CloudWatch Logs payload has no `data` string",
            );
            return;
        };
        let Some(b64) = self.unescape(src, da, db) else {
            return;
        };
        let cleaned: Vec<u8> = b64.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
        let bytes = match base64::engine::general_purpose::STANDARD.decode(&cleaned) {
            Ok(b) => b,
            Err(err) => {
                self.warn_at(
                    src,
                    da,
                    WarningKind::DamagedContainer,
                    &format!("the CloudWatch Logs data is not valid base64 ({err})"),
                );
                return;
            }
        };
        let payload = if bytes.starts_with(&decode::GZIP_MAGIC) {
            let g = decode::gunzip(&bytes, self.decode_room);
            self.decode_room = self.decode_room.saturating_sub(g.data.len() as u64);
            if let Some(problem) = &g.problem {
                self.warn_at(
                    src,
                    da,
                    WarningKind::Compression,
                    &format!("the CloudWatch Logs data {{at}} is damaged: {problem}; what came before it was read"),
                );
            }
            if g.capped {
                self.warn_at(
                    src,
                    da,
                    WarningKind::Compression,
                    "the CloudWatch Logs data {at} decompresses beyond the size limit; the rest was not read",
                );
            }
            g.data
        } else {
            bytes
        };
        self.embedded(src, da, &payload);
    }

    /// A CloudWatch Logs event: `{"message":"<json>", ...}`.
    fn take_log_event(&mut self, src: &Src, c: usize, probe: &Probe) {
        let data = src.data;
        match probe.message {
            Some((a, b)) if data[a] == b'"' => {
                if let Some(text) = self.unescape(src, a, b) {
                    let t = text.trim_start();
                    if t.starts_with('{') || t.starts_with('[') {
                        self.embedded(src, a, text.as_bytes());
                    } else {
                        self.note_not_ct(
                            src,
                            a,
                            "CloudWatch Logs messages that are not JSON".into(),
                        );
                    }
                }
            }
            Some((a, b)) if data[a] == b'{' => self.scan_json(
                &Src {
                    data: &data[..b],
                    ..*src
                },
                a,
            ),
            _ => self.note_not_ct(src, c, "CloudWatch Logs events without a message".into()),
        }
    }

    fn take_digest(&mut self, text: &[u8]) {
        #[derive(serde::Deserialize, Default)]
        #[serde(default)]
        struct LogFile {
            #[serde(rename = "s3Object")]
            object: String,
            #[serde(rename = "hashValue")]
            hash: String,
        }
        #[derive(serde::Deserialize, Default)]
        #[serde(default)]
        struct Digest {
            #[serde(rename = "awsAccountId")]
            account: String,
            #[serde(rename = "digestStartTime")]
            start: String,
            #[serde(rename = "digestEndTime")]
            end: String,
            #[serde(rename = "logFiles")]
            log_files: Vec<LogFile>,
        }
        let d: Digest = serde_json::from_slice(text).unwrap_or_default();
        let mut log_files: Vec<(String, String)> = d
            .log_files
            .into_iter()
            .map(|f| (f.object, f.hash))
            .collect();
        log_files.sort();
        self.digest = Some(DigestInfo {
            account: d.account,
            start: d.start,
            end: d.end,
            log_files,
        });
    }

    // ----- arrays -------------------------------------------------------------------

    /// Walk the array whose `[` is at `data[at]` element by element, surviving damage.
    /// Returns the offset after its `]`, or `None` when the rest of the text was used up.
    fn walk_array(&mut self, src: &Src, at: usize, elem: Elem, top: bool) -> Option<usize> {
        self.walk_array_from(src, at + 1, true, elem, top)
    }

    /// [`Reader::walk_array`] from `i` inside the list (`expect_value`: after `[` or `,`).
    fn walk_array_from(
        &mut self,
        src: &Src,
        mut i: usize,
        mut expect_value: bool,
        elem: Elem,
        top: bool,
    ) -> Option<usize> {
        let data = src.data;
        let vote = if top { Vote::Elem } else { Vote::No };
        loop {
            i = skip_ws(data, i);
            match data.get(i) {
                None => {
                    self.warn_at(
                        src,
                        data.len(),
                        WarningKind::DamagedContainer,
                        "the list ends early (truncated)",
                    );
                    return None;
                }
                Some(b']') => return Some(i + 1),
                Some(b',') => {
                    expect_value = true;
                    i += 1;
                }
                Some(b'{') => {
                    if !expect_value {
                        self.warn_at(
                            src,
                            i,
                            WarningKind::DamagedContainer,
                            "a `,` is missing between records",
                        );
                    }
                    i = self.take_element(src, i, elem, vote)?;
                    expect_value = false;
                }
                Some(&b) => {
                    let token_end = skip_value(data, i);
                    let is_json = match token_end {
                        Ok(e) => b == b'"' || b == b'[' || is_scalar(&data[i..e]),
                        Err(err) => b == b'[' && err.kind == ScanErrorKind::TooDeep,
                    };
                    if is_json {
                        if !expect_value {
                            self.warn_at(src, i, WarningKind::DamagedContainer, "a `,` is missing");
                        }
                        let e = match token_end {
                            Ok(e) => e,
                            Err(err) => {
                                self.warn_at(
                                    src,
                                    err.at,
                                    WarningKind::TooDeep,
                                    &format!(
                                        "nesting deeper than {MAX_DEPTH} levels {{at}}: that value was not read"
                                    ),
                                );
                                i = skip_deep(data, i)?;
                                expect_value = false;
                                continue;
                            }
                        };
                        match (elem, b) {
                            (Elem::Record, _) => {
                                let index = self.records;
                                self.records += 1;
                                self.warn_pos(
                                    src,
                                    i,
                                    WarningKind::BadRecord,
                                    Some(index),
                                    &format!("record {index} {{at}} is not a JSON object"),
                                    "",
                                );
                            }
                            (_, b'[') => {
                                let before = (self.events, self.records);
                                self.scan_text(src, i + 1, e);
                                if (self.events, self.records) == before {
                                    self.note_not_ct(
                                        src,
                                        i,
                                        "JSON array, but no CloudTrail events".into(),
                                    );
                                }
                            }
                            _ => self.note_not_ct(
                                src,
                                i,
                                "JSON values that are not CloudTrail events".into(),
                            ),
                        }
                        i = e;
                        expect_value = false;
                    } else {
                        // Stray text such as the documentation's `..additional entries`.
                        let what = format!("unexpected text `{}` in the list", snippet(&data[i..]));
                        self.warn_at(src, i, WarningKind::DamagedContainer, &what);
                        let k = memchr::memchr2(b'{', b']', &data[i..])?;
                        i += k;
                        expect_value = true;
                    }
                }
            }
        }
    }

    /// Take the object element at `data[i]`; returns where to go on, or `None` when the
    /// damage runs to the end of the text.
    fn take_element(&mut self, src: &Src, i: usize, elem: Elem, vote: Vote) -> Option<usize> {
        let data = src.data;
        match elem {
            Elem::Any => match self.take_object(src, i, vote) {
                Take::Done(e) => Some(e),
                Take::NotCt(e, probe) => {
                    self.search_inside(src, i, e, &probe);
                    Some(e)
                }
                Take::Damaged { err, warned } => {
                    if !warned {
                        let (pos, what) = self.json_error_at(src, i, err);
                        self.warn_pos(
                            src,
                            pos,
                            WarningKind::DamagedContainer,
                            None,
                            "the JSON is damaged {at}: ",
                            &what,
                        );
                    }
                    self.resync(src, i + 1)
                }
            },
            Elem::Record | Elem::LogEvent => {
                if elem == Elem::Record {
                    if let Some(e) = self.take_plain_record(src, i, &plainly_event) {
                        return Some(e);
                    }
                }
                let (probe, end) = probe_object(data, i, false);
                match end {
                    ProbeEnd::Done(e) => {
                        self.spend(i, e);
                        if elem == Elem::LogEvent {
                            self.take_log_event(src, i, &probe);
                        } else if probe.is_event(data) {
                            self.emit(src, i, e);
                        } else if is_lambda_record(data, &probe) {
                            self.note_not_ct(
                                src,
                                i,
                                "AWS event notification records (such as S3 or SQS), not CloudTrail events"
                                    .into(),
                            );
                        } else if let Take::NotCt(..) =
                            self.take_complete(src, i, e, probe, Vote::No)
                        {
                            // A record of a CloudTrail list loads with whatever fields it has.
                            self.emit(src, i, e);
                        }
                        Some(e)
                    }
                    ProbeEnd::Failed(err) => {
                        self.spend(i, err.at);
                        if err.kind == ScanErrorKind::TooDeep {
                            self.warn_at(
                                src,
                                err.at,
                                WarningKind::TooDeep,
                                &format!("nesting deeper than {MAX_DEPTH} levels {{at}}: that record was not read"),
                            );
                            return skip_deep(data, i);
                        }
                        self.damaged(src, i, err);
                        if err.kind == ScanErrorKind::Eof {
                            return None;
                        }
                        self.resync(src, i + 1)
                    }
                    ProbeEnd::Records(_) => Some(i + 1),
                }
            }
        }
    }

    /// The one-pass path for an element of a `Records` list at `src.data[i]` (a `{`):
    /// the sink reads and stores the record in the same pass that finds its end, when
    /// it is valid JSON and plainly an event (what [`Probe::is_event`] would say of
    /// it, with no key that decides this repeated). Returns where the record ends, or
    /// `None` with nothing done: the caller then probes the record as before, so the
    /// outcome is the same either way, only cheaper.
    fn take_plain_record(
        &mut self,
        src: &Src,
        i: usize,
        accept: &dyn Fn(&RecordShape<'_>) -> bool,
    ) -> Option<usize> {
        let data = src.data;
        let (outcome, len) = self
            .sink
            .add_record_prefix(self.file, data.get(i..)?, accept)?;
        let index = self.records;
        self.records += 1;
        self.spend(i, i + len);
        // Only a conflict's warning reads the text, and only for its position.
        self.account(src, i, index, "", Ok(outcome));
        Some(i + len)
    }

    /// After damage: the offset of the next `{` that starts a complete object that looks
    /// like an event.
    fn resync(&mut self, src: &Src, from: usize) -> Option<usize> {
        let data = src.data;
        let mut j = from;
        while let Some(c) = next_candidate(data, j, data.len()) {
            if self.work > self.budget {
                self.give_up(src, c);
                return None;
            }
            let (probe, end) = probe_object(data, c, false);
            match end {
                ProbeEnd::Done(e) => {
                    self.spend(c, e);
                    if probe.looks_like_event() || probe.is_event(data) {
                        return Some(c);
                    }
                }
                ProbeEnd::Failed(err) => {
                    self.spend(c, err.at);
                }
                ProbeEnd::Records(_) => {}
            }
            j = c + 1;
        }
        None
    }
}

/// The next `{` in `data[from..end]` that can start an object with keys: one followed
/// (after blank space) by a quote. Anything else fails a probe at once, so it is skipped
/// without one.
fn next_candidate(data: &[u8], from: usize, end: usize) -> Option<usize> {
    let mut i = from;
    while i < end {
        let c = i + memchr(b'{', &data[i..end])?;
        if data.get(skip_ws(data, c + 1)) == Some(&b'"') {
            return Some(c);
        }
        i = c + 1;
    }
    None
}

/// 1-based line and byte column of offset `p` in `text`.
pub fn line_col(text: &[u8], p: usize) -> (u32, u32) {
    Lines::new().locate(text, 0, p)
}

/// Whether a record with this shape is an event by [`Probe::is_event`] for certain:
/// an `eventSource` that is not `aws:<service>`, with `eventName` or `eventTime`.
fn plainly_event(shape: &RecordShape<'_>) -> bool {
    !shape.repeated_key
        && (shape.event_name || shape.event_time)
        && shape
            .event_source
            .is_some_and(|s| !s.as_bytes().starts_with(b"\"aws:"))
}

/// [`plainly_event`] for a top-level value or array element, which the whole-text
/// reader probes for a `Records` list and a digest first: the sink declines objects
/// with those keys (see [`RecordSink::add_record_prefix`]).
fn plainly_top_event(shape: &RecordShape<'_>) -> bool {
    plainly_event(shape)
}

/// At `data[j]` (a `{`): `Some(Some(k))` when an object opens whose first key is
/// `Records` holding a list (its `[` at `k`), `Some(None)` when the text ends before
/// that can be told, `None` when it is not one.
fn records_opening(data: &[u8], j: usize) -> Option<Option<usize>> {
    let k = skip_ws(data, j + 1);
    let key = b"\"Records\"";
    let have = data.len().saturating_sub(k).min(key.len());
    if data.get(k..k + have)? != &key[..have] {
        return None;
    }
    if have < key.len() {
        return Some(None);
    }
    let colon = skip_ws(data, k + key.len());
    match data.get(colon) {
        None => return Some(None),
        Some(b':') => {}
        Some(_) => return None,
    }
    let v = skip_ws(data, colon + 1);
    match data.get(v) {
        None => Some(None),
        Some(b'[') => Some(Some(v)),
        Some(_) => None,
    }
}

/// `{"eventSource":"aws:s3",...}` and friends: Lambda event-source records.
fn is_lambda_record(data: &[u8], probe: &Probe) -> bool {
    [probe.event_source, probe.lookup_event_source]
        .iter()
        .flatten()
        .any(|(a, b)| data[*a..*b].starts_with(b"\"aws:"))
}

/// A bare JSON scalar: a number, `true`, `false` or `null`.
fn is_scalar(token: &[u8]) -> bool {
    matches!(token, b"true" | b"false" | b"null")
        || token
            .first()
            .is_some_and(|b| *b == b'-' || b.is_ascii_digit())
}

/// The first error serde_json finds in `slice` (which starts at a value): byte offset
/// within `slice` and the plain message.
pub fn first_json_error(slice: &[u8]) -> Option<(usize, String)> {
    let mut it = serde_json::Deserializer::from_slice(slice).into_iter::<serde::de::IgnoredAny>();
    match it.next() {
        Some(Err(e)) => {
            let off = offset_of(slice, e.line() as u32, e.column() as u32);
            Some((off, clean_message(&e.to_string())))
        }
        _ => None,
    }
}

/// Byte offset of 1-based (line, column) in `text`; column 0 means the line's start.
pub fn offset_of(text: &[u8], line: u32, column: u32) -> usize {
    let mut start = 0usize;
    if line > 1 {
        let mut seen = 1u32;
        for nl in memchr::memchr_iter(b'\n', text) {
            seen += 1;
            if seen == line {
                start = nl + 1;
                break;
            }
        }
    }
    (start + (column.saturating_sub(1) as usize)).min(text.len())
}

/// serde_json's wording, in plain words where it is technical; a trailing
/// " at line N column M" is dropped (positions are given separately).
pub fn clean_message(message: &str) -> String {
    let m = message.trim();
    if m.starts_with("control character") {
        return "a string runs past the end of its line (is a closing quote missing?)".to_owned();
    }
    if m.starts_with("EOF while parsing") {
        return "the text ends in the middle of it (truncated)".to_owned();
    }
    if m.starts_with("recursion limit exceeded") {
        return "it nests too deeply to be read".to_owned();
    }
    if let Some(i) = m.rfind(" at line ") {
        let tail = &m[i + " at line ".len()..];
        let mut parts = tail.split(" column ");
        let is_pos = parts
            .next()
            .is_some_and(|l| l.chars().all(|c| c.is_ascii_digit()))
            && parts
                .next()
                .is_some_and(|c| c.chars().all(|c| c.is_ascii_digit()))
            && parts.next().is_none();
        if is_pos {
            return m[..i].to_owned();
        }
    }
    m.to_owned()
}

/// A short, printable excerpt of `data` for messages.
pub fn snippet(data: &[u8]) -> String {
    let end = data
        .iter()
        .take(40)
        .position(|b| *b == b'\n' || *b == b'\r')
        .unwrap_or(data.len().min(40));
    let s = String::from_utf8_lossy(&data[..end]);
    let mut out: String = s.chars().filter(|c| !c.is_control()).take(30).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    // Messages are templates where `{at}` stands for the place.
    out.replace("{at}", "{at\u{200b}}")
}

/// `"abc"` -> `abc` for messages.
fn unquote(raw: &[u8]) -> String {
    let s = String::from_utf8_lossy(raw);
    let s = s.trim_matches('"');
    s.chars().filter(|c| !c.is_control()).take(80).collect()
}

/// The object's key names for a message, sorted, at most [`Probe::KEPT_NAMES`].
pub fn key_list(data: &[u8], probe: &Probe) -> String {
    let mut names: Vec<String> = probe
        .names()
        .iter()
        .map(|(a, b)| unquote(&data[*a..*b]))
        .collect();
    names.sort();
    names.dedup();
    let mut list = names.join(", ");
    if probe.keys > probe.names().len() {
        list.push_str(&format!(" and {} more", probe.keys - probe.names().len()));
    }
    if list.is_empty() {
        list = "none (an empty object)".into();
    }
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_cursor_moves_both_ways() {
        let text = b"ab\ncd\n\nefg";
        let mut l = Lines::new();
        assert_eq!(l.locate(text, 0, 9), (4, 3));
        assert_eq!(l.locate(text, 0, 99), (4, 4));
        assert_eq!(l.locate(text, 0, 4), (2, 2));
        assert_eq!(l.locate(text, 0, 0), (1, 1));
        assert_eq!(l.locate(text, 0, 7), (4, 1));
        assert_eq!(l.locate(text, 0, 6), (3, 1));
        // The same text seen through a window that starts at byte 4 (line 2, col 2).
        let mut w = Lines::new();
        assert_eq!(w.locate(text, 0, 4), (2, 2));
        w.floor_line_start = w.line_start;
        let win = &text[4..];
        assert_eq!(w.locate(win, 4, 5), (4, 3));
        assert_eq!(w.locate(win, 4, 0), (2, 2));
        assert_eq!(w.locate(win, 4, 3), (4, 1));
        assert_eq!(w.locate(win, 4, 2), (3, 1));
    }

    #[test]
    fn serde_positions_are_dropped_from_messages() {
        assert_eq!(
            clean_message("expected `,` or `}` at line 3 column 5"),
            "expected `,` or `}`"
        );
        assert_eq!(clean_message("key at line one"), "key at line one");
    }
}
