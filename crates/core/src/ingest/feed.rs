//! Files read as streams: the bytes of one file arrive in chunks of any size (a
//! browser worker reads a `File` 4 MiB at a time), and the result is the same report and
//! the same store content as [`super::ingest`] on all the bytes at once.
//!
//! - Gzip is decompressed as the chunks arrive ([`decode::GzStream`], every member).
//!   Only when the stream turns out damaged or capped is its end decoded again from
//!   the compressed bytes kept aside (about a tenth of the text), so that exactly
//!   what [`decode::gunzip`] keeps is read.
//! - The big shapes are read as they arrive: a `{"Records":[...]}` document (one or
//!   several), JSON lines of events and a JSON array of events. Complete events are
//!   stored at once and their bytes dropped, so the feed holds about one chunk and
//!   one record, not the file ([`Reader::stream`]). Decompressed text is read 1 MiB
//!   behind the decoder, so that a stream found damaged later can still be read
//!   exactly as [`decode::gunzip`] would have cut it.
//! - Everything else is kept and read at [`FileFeed::finish`] by the same readers
//!   as [`super::ingest`]: files of under 64 KiB, text, CSV, CloudWatch Logs and
//!   LookupEvents documents, digests, UTF-16; and, in a streamed file, the rest from
//!   the first thing the streamed reading leaves to them (damage such as a missing
//!   comma, a record that is not plainly an event, text after the data).
//!
//! Stopping early (a Cancel) is finishing early: the report and the store are those
//! of [`super::ingest`] on the bytes fed so far.

use super::decode::{self, GzStream};
use super::read::{Reader, Src, StreamAt, Suspended};
use super::{
    failed, finish, gzip_warnings_at, new_report, read_gunzipped, read_text, scan, Mode, Options,
};
use crate::report::{FileReport, Location, Warning, WarningKind};
use crate::sink::RecordSink;

/// The decoded text is looked at once this much of it is in (or at the end), to
/// choose between reading it as it comes and keeping it whole: enough for the
/// binary sniff ([`decode::sniff_binary`] looks at 8 KiB) and the first record.
pub const DECIDE_AT: usize = 64 << 10;

/// How much of the text's start [`decode::sniff_binary`] looks at.
const SNIFF_HEAD: usize = 8192;

/// Gzip output is read this far behind the decoder (see the module docs).
pub const GZIP_LAG: usize = 1 << 20;

/// One file being read from a stream of chunks. Made by
/// [`crate::Engine::begin_file`]; fed by [`crate::Engine::feed`]; read to its end by
/// [`crate::Engine::finish_file`]. It borrows nothing: it can live across the
/// awaits of a reader loop.
#[derive(Debug)]
pub struct FileFeed {
    id: u32,
    name: String,
    options: Options,
    /// Raw bytes fed.
    bytes: u64,
    kind: Kind,
    /// Decoded text not read yet (from `base` in the text on, once streaming). While
    /// the kind is [`Kind::Unknown`], the raw bytes so far.
    text: Vec<u8>,
    /// Raw gzip bytes being handed to the decoder (kept for the next chunk's room).
    raw: Vec<u8>,
    /// Where `text` starts in the file's text (a byte-order mark excluded).
    base: usize,
    /// Length of the UTF-8 byte-order mark dropped from the decoded bytes.
    bom: usize,
    phase: Phase,
    /// Events stored from this file so far.
    events: u32,
    /// [`DECIDE_AT`] and [`GZIP_LAG`] (smaller in tests).
    decide_at: usize,
    gzip_lag: usize,
}

/// How the decoded text is being read.
#[derive(Debug)]
enum Phase {
    /// Too little text yet to choose.
    Deciding,
    /// Kept whole, read at the end.
    Whole,
    /// Read as it comes (see [`Reader::stream`]); `stopped` once the rest is left
    /// to the end. `i` is the reading position in `text`.
    Streaming {
        state: Box<Suspended>,
        at: StreamAt,
        i: usize,
        stopped: bool,
    },
}

#[derive(Debug)]
enum Kind {
    /// Fewer than two bytes seen.
    Unknown,
    Plain,
    Gzip(Box<GzStream>),
}

impl FileFeed {
    /// A feed for file `id` called `name`.
    pub fn new(id: u32, name: &str, options: Options) -> Self {
        FileFeed {
            id,
            name: name.to_owned(),
            options,
            bytes: 0,
            kind: Kind::Unknown,
            text: Vec::new(),
            raw: Vec::new(),
            base: 0,
            bom: 0,
            phase: Phase::Deciding,
            events: 0,
            decide_at: DECIDE_AT,
            gzip_lag: GZIP_LAG,
        }
    }

    /// The engine's id for this file (the report's `id`).
    pub fn id(&self) -> u32 {
        self.id
    }

    /// Raw bytes fed so far.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Events read from this file so far (for progress; duplicates included, as in
    /// the report's `events`). Shapes kept for the end (see the module docs) stay at
    /// what was read before them; the report has the full count.
    pub fn events(&self) -> u32 {
        self.events
    }

    /// Decoded bytes held and not read yet: with streaming, about one chunk and one
    /// record (plus [`GZIP_LAG`] for gzip); else the text so far.
    pub fn held(&self) -> usize {
        self.text.len()
    }

    /// Use other thresholds than [`DECIDE_AT`] and [`GZIP_LAG`], so that tests can
    /// stream small inputs. Call before the first chunk. (The lag must stay above
    /// what a damaged gzip stream can lose at its end, 256 KiB, for results to
    /// equal [`super::ingest`]'s.)
    pub fn set_thresholds(&mut self, decide_at: usize, gzip_lag: usize) {
        // The choice needs what the binary sniff sees (and a byte-order mark).
        self.decide_at = decide_at.max(SNIFF_HEAD + 3);
        self.gzip_lag = gzip_lag;
    }

    /// Take the next chunk of the file's bytes (storing what it completes in `sink`).
    pub fn push(&mut self, sink: &mut dyn RecordSink, chunk: &[u8]) {
        self.push_with(sink, chunk.len(), |buf| buf.copy_from_slice(chunk));
    }

    /// Take the next `len` bytes of the file, which `fill` writes into the buffer it
    /// is given (all of it): the same as [`FileFeed::push`], with plain text copied
    /// once, straight from where it is (such as a browser's `ArrayBuffer`) to where
    /// it is read.
    pub fn push_with(
        &mut self,
        sink: &mut dyn RecordSink,
        len: usize,
        fill: impl FnOnce(&mut [u8]),
    ) {
        self.bytes += len as u64;
        match &mut self.kind {
            Kind::Gzip(gz) => {
                let mut raw = std::mem::take(&mut self.raw);
                raw.clear();
                raw.resize(len, 0);
                fill(&mut raw);
                gz.push(&raw, false);
                self.raw = raw;
                self.take_decoded();
            }
            Kind::Unknown | Kind::Plain => {
                let at = self.text.len();
                self.text.resize(at + len, 0);
                fill(&mut self.text[at..]);
                if self.text.len() >= decode::GZIP_MAGIC.len() {
                    self.settle_kind(false);
                }
            }
        }
        self.read_some(sink);
    }

    /// What the gzip decoder has decoded, appended to the text.
    fn take_decoded(&mut self) {
        if let Kind::Gzip(gz) = &mut self.kind {
            let out = gz.take();
            if self.text.is_empty() {
                self.text = out;
            } else {
                self.text.extend_from_slice(&out);
            }
        }
    }

    /// Read what the text so far allows (see [`Phase`]).
    fn read_some(&mut self, sink: &mut dyn RecordSink) {
        if let Phase::Deciding = self.phase {
            if self.text.len() < self.decide_at {
                return;
            }
            self.decide(sink);
        }
        let gzip = matches!(self.kind, Kind::Gzip(_));
        let Phase::Streaming {
            state,
            at,
            i,
            stopped: stopped @ false,
        } = &mut self.phase
        else {
            return;
        };
        let avail = if gzip {
            self.text.len().saturating_sub(self.gzip_lag)
        } else {
            self.text.len()
        };
        if *i >= avail {
            return;
        }
        let window = &self.text[..avail];
        let st = std::mem::replace(state.as_mut(), Reader::for_stream(0, &[], sink).suspend());
        let mut r = Reader::resume(st, window, self.base, sink);
        let go = r.stream(&Src::top(window), at, i, false);
        if go {
            r.settle_lines(*i);
        }
        **state = r.suspend();
        self.events = state.events();
        if go {
            self.text.drain(..*i);
            self.base += *i;
            *i = 0;
        } else {
            *stopped = true;
        }
    }

    /// Choose how to read the text, from its start: as it comes when it is JSON
    /// text (no byte-order mark but UTF-8's, nothing binary in the head the sniff
    /// looks at), else whole at the end.
    fn decide(&mut self, sink: &mut dyn RecordSink) {
        self.phase = Phase::Whole;
        let bom = if self.text.starts_with(&[0xef, 0xbb, 0xbf]) {
            3
        } else {
            0
        };
        let t = &self.text[bom..];
        let head = &t[..t.len().min(SNIFF_HEAD)];
        if head.len() < 4
            || memchr::memchr(0, head).is_some()
            || t.get(257..262) == Some(b"ustar")
            || (bom == 0 && decode::normalise_text(head).1.is_some())
        {
            return;
        }
        let first = scan::skip_ws(t, 0);
        if first == t.len() || !super::starts_like_json(t, first) {
            return;
        }
        self.text.drain(..bom);
        self.bom = bom;
        let state = Reader::for_stream(self.id, &self.text, sink).suspend();
        self.phase = Phase::Streaming {
            state: Box::new(state),
            at: StreamAt::Top,
            i: 0,
            stopped: false,
        };
    }

    /// Choose plain or gzip by the first bytes (the text so far, while the kind is
    /// unknown); gzip's bytes go to the decoder. `last`: no more bytes will come.
    fn settle_kind(&mut self, last: bool) {
        if !matches!(self.kind, Kind::Unknown) {
            return;
        }
        if self.text.starts_with(&decode::GZIP_MAGIC) {
            let mut gz = Box::new(GzStream::new(self.options.max_decoded));
            gz.push(&self.text, last);
            self.text.clear();
            self.kind = Kind::Gzip(gz);
            self.take_decoded();
        } else {
            self.kind = Kind::Plain;
        }
    }

    /// Read what is left and give the file's report: the same as
    /// [`super::ingest_with`] on every byte fed.
    pub fn finish(mut self, sink: &mut dyn RecordSink) -> FileReport {
        let report = new_report(self.id, &self.name, self.bytes);
        if self.bytes == 0 {
            return failed(report, "Empty file: there is nothing in it".into());
        }
        self.settle_kind(true);
        if let Kind::Gzip(gz) = &mut self.kind {
            gz.push(&[], true);
            self.take_decoded();
        }
        match std::mem::replace(&mut self.phase, Phase::Whole) {
            Phase::Streaming { state, at, i, .. } => {
                self.finish_streamed(report, *state, at, i, sink)
            }
            _ => self.finish_whole(report, sink),
        }
    }

    /// The end of a file kept whole: the readers of [`super::ingest_with`].
    fn finish_whole(mut self, report: FileReport, sink: &mut dyn RecordSink) -> FileReport {
        let text = std::mem::take(&mut self.text);
        match self.kind {
            Kind::Gzip(gz) => {
                let g = if gz.clean() {
                    decode::Gunzipped {
                        data: text,
                        problem: None,
                        capped: false,
                    }
                } else {
                    drop(text);
                    decode::gunzip(gz.compressed(), self.options.max_decoded)
                };
                read_gunzipped(report, g, sink, self.options)
            }
            _ => read_text(
                report,
                &text,
                Vec::new(),
                self.options.max_decoded,
                sink,
                self.id,
            ),
        }
    }

    /// The end of a streamed file: what `read_gunzipped` and `read_text` do around
    /// the reading, then the rest read from where the streamed reading stands.
    fn finish_streamed(
        mut self,
        mut report: FileReport,
        state: Suspended,
        at: StreamAt,
        i: usize,
        sink: &mut dyn RecordSink,
    ) -> FileReport {
        let options = self.options;
        let mut window = std::mem::take(&mut self.text);
        let mut late = Vec::new();
        let mut room = options.max_decoded;
        if let Kind::Gzip(gz) = &self.kind {
            let (total, problem, capped) = if gz.clean() {
                (gz.total, None, false)
            } else {
                // Decode again, as gunzip would, from where the reading has got to.
                drop(std::mem::take(&mut window));
                let skip = (self.bom + self.base) as u64;
                let (g, total) = decode::gunzip_skip(gz.compressed(), options.max_decoded, skip);
                window = g.data;
                (total, g.problem, g.capped)
            };
            report.gzip = true;
            report.decoded_bytes = total;
            if total == 0 {
                // Damage at the very start, found only now (as `read_gunzipped` says it).
                let why = match problem {
                    Some(p) => format!("Damaged gzip file: {p}; nothing could be decompressed"),
                    None => "Empty file: the gzip stream holds nothing".to_owned(),
                };
                return failed(report, why);
            }
            room = room.saturating_sub(total);
            late = gzip_warnings_at(total, problem.as_deref(), capped, options);
        }
        let base = self.base;
        let text_len = base + window.len();
        let padding = window.iter().rev().take_while(|b| **b == 0).count();
        if padding > 0 && padding < text_len {
            window.truncate(window.len() - padding);
            late.push(Warning {
                kind: WarningKind::Other,
                location: Location {
                    byte: Some((text_len - padding) as u64),
                    ..Location::default()
                },
                message: format!("{padding} zero bytes at the end of the file were ignored"),
            });
        }
        let mut r = Reader::resume(state, &window, base, sink);
        r.set_limits(base + window.len(), room);
        r.finish_stream(&Src::top(&window), at, i);
        for w in &mut late {
            if let Some(b) = w.location.byte {
                let (line, column) = r.line_col_abs(b as usize);
                w.location.line = Some(line);
                w.location.column = Some(column);
            }
        }
        finish(report, r, Mode::Json, None, None, late)
    }
}
