//! The seam between the readers (`ingest`), which find records in a file, and the
//! store, which parses and keeps them. Readers hand over each record's JSON text;
//! the sink says whether it was new, a duplicate, or refused.

/// What happened to one record handed to a sink.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddOutcome {
    /// Stored as a new event with this index.
    Added(u32),
    /// Same eventID and same content as an event already stored (index given): not stored again.
    Duplicate(u32),
    /// Same eventID as a stored event but different content: stored anyway, with this index.
    Conflict(u32),
}

/// Why a record was refused. Positions are relative to the record text handed in
/// (1-based line and column), so the reader can translate them into file positions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordError {
    /// Plain words, e.g. "expected `,` or `}`".
    pub message: String,
    /// 1-based line within the record text, when known.
    pub line: Option<u32>,
    /// 1-based column within the record text, when known.
    pub column: Option<u32>,
}

/// The keys of a record that decide how a reader treats it, as a sink's one-pass
/// parse saw them (see [`RecordSink::add_record_prefix`]). Values are raw JSON text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecordShape<'a> {
    /// Raw `eventSource` value.
    pub event_source: Option<&'a str>,
    /// Whether `eventName` is present.
    pub event_name: bool,
    /// Whether `eventTime` is present.
    pub event_time: bool,
    /// Whether some top-level key the sink reads appears more than once (a reader
    /// that takes the first occurrence and a sink that takes the last may disagree).
    pub repeated_key: bool,
}

/// Receives records from a reader.
pub trait RecordSink {
    /// Take one record: `json` is the text of one JSON object that the reader believes
    /// to be a CloudTrail event. `file` is the engine's id for the file it came from.
    fn add_record(&mut self, file: u32, json: &str) -> Result<AddOutcome, RecordError>;

    /// One pass instead of two: read a record from the very start of `text` (which
    /// goes on after it), and take it only when it is valid JSON in UTF-8, has no
    /// top-level key of a container or digest (`Records`, `Events`, `logEvents`,
    /// `events`, `awslogs`, `digestStartTime`, `logFiles`: such objects are declined
    /// as soon as the key is seen), and `accept` says yes to its [`RecordShape`]. Returns the outcome and the length of the record's
    /// text, or `None` with nothing taken: the reader then finds the record's end
    /// itself and calls [`RecordSink::add_record`] (or not). A sink without a
    /// one-pass reader keeps this default, which always says `None`.
    fn add_record_prefix(
        &mut self,
        file: u32,
        text: &[u8],
        accept: &dyn Fn(&RecordShape<'_>) -> bool,
    ) -> Option<(AddOutcome, usize)> {
        let _ = (file, text, accept);
        None
    }
}

/// A sink that keeps the texts, for tests of readers.
#[derive(Debug, Default)]
pub struct VecSink {
    /// Every record accepted, in order.
    pub records: Vec<String>,
}

impl RecordSink for VecSink {
    fn add_record(&mut self, _file: u32, json: &str) -> Result<AddOutcome, RecordError> {
        match serde_json::from_str::<serde::de::IgnoredAny>(json) {
            Ok(_) => {
                self.records.push(json.to_owned());
                Ok(AddOutcome::Added(self.records.len() as u32 - 1))
            }
            Err(e) => Err(RecordError {
                message: e.to_string(),
                line: Some(e.line() as u32),
                column: Some(e.column() as u32),
            }),
        }
    }
}
