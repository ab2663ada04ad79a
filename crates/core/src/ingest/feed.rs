//! Files read as streams: the bytes of one file arrive in chunks of any size (a
//! browser reads a `File` 8 MiB at a time), and the result is the same report and
//! the same store content as [`super::ingest`] on all the bytes at once.
//!
//! - Gzip is decompressed as the chunks arrive ([`decode::GzStream`], every member),
//!   so the compressed bytes never wait for the whole file. Only when the stream
//!   turns out damaged or capped is its end decoded again from the compressed bytes
//!   kept aside (about a tenth of the text), so that exactly what
//!   [`decode::gunzip`] keeps is read.
//! - The decoded text is kept until [`FileFeed::finish`] and read there by the same
//!   readers as [`super::ingest`].
//!
//! Stopping early (a Cancel) is finishing early: the report and the store are those
//! of [`super::ingest`] on the bytes fed so far.

use super::decode::{self, GzStream};
use super::{failed, new_report, read_gunzipped, read_text, Options};
use crate::report::FileReport;
use crate::sink::RecordSink;

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
    /// The first raw bytes, until there are enough to tell gzip by its magic.
    head: Vec<u8>,
    kind: Kind,
    /// Decoded text not read yet.
    text: Vec<u8>,
    /// Events stored from this file so far.
    events: u32,
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
            head: Vec::new(),
            kind: Kind::Unknown,
            text: Vec::new(),
            events: 0,
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

    /// Events stored from this file so far (for progress). Shapes read only at the
    /// end (see the module docs) count here once finished.
    pub fn events(&self) -> u32 {
        self.events
    }

    /// Take the next chunk of the file's bytes.
    pub fn push(&mut self, _sink: &mut dyn RecordSink, chunk: &[u8]) {
        self.bytes += chunk.len() as u64;
        match &mut self.kind {
            Kind::Unknown => {
                self.head.extend_from_slice(chunk);
                if self.head.len() >= decode::GZIP_MAGIC.len() {
                    let head = std::mem::take(&mut self.head);
                    self.start(&head, false);
                }
            }
            Kind::Plain => self.text.extend_from_slice(chunk),
            Kind::Gzip(gz) => {
                gz.push(chunk, false);
                self.text.extend_from_slice(&gz.take());
            }
        }
    }

    /// Choose plain or gzip by the first bytes `head`, and take them.
    fn start(&mut self, head: &[u8], last: bool) {
        if head.starts_with(&decode::GZIP_MAGIC) {
            let mut gz = Box::new(GzStream::new(self.options.max_decoded));
            gz.push(head, last);
            self.text.extend_from_slice(&gz.take());
            self.kind = Kind::Gzip(gz);
        } else {
            self.kind = Kind::Plain;
            self.text.extend_from_slice(head);
        }
    }

    /// Read what is left and give the file's report: the same as
    /// [`super::ingest_with`] on every byte fed.
    pub fn finish(mut self, sink: &mut dyn RecordSink) -> FileReport {
        let report = new_report(self.id, &self.name, self.bytes);
        if self.bytes == 0 {
            return failed(report, "Empty file: there is nothing in it".into());
        }
        if let Kind::Unknown = self.kind {
            let head = std::mem::take(&mut self.head);
            self.start(&head, true);
        }
        let text = std::mem::take(&mut self.text);
        match self.kind {
            Kind::Gzip(mut gz) => {
                gz.push(&[], true);
                let mut data = text;
                data.extend_from_slice(&gz.take());
                let g = if gz.clean() {
                    decode::Gunzipped {
                        data,
                        problem: None,
                        capped: false,
                    }
                } else {
                    drop(data);
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
}
