//! The messages between the page and the engine's worker. Both sides are built from this
//! one file, so they cannot disagree. Requests travel as plain JS objects
//! (serde-wasm-bindgen), with the `File` being loaded beside the message, as a reference
//! the worker reads itself; answers, which carry rows and panels, travel as JSON text.

use serde::{Deserialize, Serialize};
use trailscope_core::engine::{Facet, Field, Group, ParamColumn, QueryError, Row, Summary};
use trailscope_core::investigate::{CompareRow, Histogram, Lineage};
use trailscope_core::report::FileCounts;
use trailscope_core::FileReport;

/// Files the files panel lists at most: thousands of rows made every view slow (a
/// folder of 20,000 small files took a minute to load, most of it the page drawing the
/// list), and nobody reads them one by one.
pub const FILES_LISTED: usize = 500;

/// What the views need computed, all at once: the query, the group narrowing, the sort
/// and the sizes of the panels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ViewSpec {
    /// The query as typed.
    pub query: String,
    /// Grouping keys for the group list (empty: no grouping).
    pub group_keys: Vec<Field>,
    /// A chosen group: its keys and one value per level, from the top.
    pub group_filter: Option<(Vec<Field>, Vec<String>)>,
    /// Table order.
    pub sort: Field,
    /// Descending when true.
    pub descending: bool,
    /// Facet fields, in panel order.
    pub facet_fields: Vec<Field>,
    /// Values per facet.
    pub facet_top: usize,
    /// Timeline bars.
    pub buckets: usize,
    /// Table rows sent with the view, from the top.
    pub first_rows: usize,
    /// Parameter columns at most.
    pub max_params: usize,
    /// Files are still loading: the content changes again soon, so counts over every
    /// event that are slow to make (the presets) may be kept from an earlier version,
    /// and the table is sorted as it is instead of through a kept order of all events.
    pub loading: bool,
}

/// One table row: its position in table order, the columns, and the event's JSON when
/// parameter columns need it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowData {
    /// Position in the sorted view.
    pub pos: usize,
    /// The columns.
    pub row: Row,
    /// The event's JSON (only when the view has parameter columns).
    pub raw: Option<String>,
}

/// Everything the views show, computed in one go for a [`ViewSpec`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ViewData {
    /// Counts every answer to a view request, so late answers are recognised.
    pub seq: u64,
    /// The engine's content version it was computed on.
    pub version: u64,
    /// Distinct events loaded.
    pub total: usize,
    /// The loaded files' reports the files panel lists: every one, in load order, up to
    /// [`FILES_LISTED`]; past that, that many, those that did not load whole first
    /// ([`trailscope_core::report::listed`]). `None` when the list is the one the last
    /// whole answer sent (a query does not change it, and a big load lists hundreds).
    pub files: Option<Vec<FileReport>>,
    /// Files loaded, listed or not.
    pub files_total: usize,
    /// The loaded files by status, listed or not.
    pub file_counts: FileCounts,
    /// Events each investigation preset matches, in preset order.
    pub presets: Vec<(String, u32)>,
    /// Why the query is not valid (the results are then the last valid query's).
    pub query_error: Option<QueryError>,
    /// Events the query matches.
    pub matched: usize,
    /// Events in the table (the query narrowed to the chosen group).
    pub view_len: usize,
    /// Facets over the query's events, one per requested field.
    pub facets: Vec<Facet>,
    /// Groups over the query's events.
    pub groups: Vec<Group>,
    /// Summary of the table's events.
    pub summary: Summary,
    /// The table's events over time.
    pub histogram: Histogram,
    /// Parameter columns, when the table holds one operation or one service (chosen from
    /// an even sample of at most a few thousand of its events; `count` is of the sample).
    pub params: Vec<ParamColumn>,
    /// The operation (or else the service) the parameter columns belong to.
    pub param_subject: Option<String>,
    /// The first table rows.
    pub rows: Vec<RowData>,
    /// What the worker's time computing this answer went to: (part, ms), in order.
    pub parts: Vec<(String, f64)>,
    /// A head answer: only the counts, `rows` and `query_error` are new; the panels
    /// (facets, groups, summary, timeline, parameters, presets, files) are left out and
    /// follow in the whole answer, which has the same `seq`.
    #[serde(default)]
    pub partial: bool,
}

impl ViewData {
    /// How long the worker took to compute this answer, ms (its parts add up to it).
    pub fn compute_ms(&self) -> f64 {
        self.parts.iter().map(|(_, ms)| ms).sum()
    }
}

/// One event in full, for the detail pane.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DetailData {
    /// The columns.
    pub row: Row,
    /// The JSON text as loaded.
    pub raw: String,
    /// The identities behind it.
    pub lineage: Lineage,
}

/// An export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExportFormat {
    /// `{"Records":[...]}`.
    Json,
    /// One event per line.
    Jsonl,
    /// The given columns.
    Csv,
}

/// What the page asks.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Request {
    /// Load the `File` sent beside this message under `name`.
    Load {
        /// Name to show (the relative path for folder loads).
        name: String,
        /// About how many bytes of text this file and the files sent after it in the
        /// same batch hold (0 when unknown): the store makes room for their events once.
        expect_bytes: f64,
        /// Loaded again into a new worker after a crash: Cancel does not stop it.
        restore: bool,
    },
    /// Stop the running load (the file it reads is dropped whole) and drop the loads
    /// queued behind it; the files loaded before stay.
    Cancel,
    /// The page has drawn the view answered with `seq` while files load: parsing, held
    /// after the first view with events so that the page's first full render has a core
    /// to itself, goes on. Posted without an id and never answered.
    Drawn {
        /// The view's [`ViewData::seq`].
        seq: u64,
    },
    /// Remove a file and its events.
    Remove {
        /// The file's id.
        file_id: u32,
    },
    /// Compute the views.
    View(Box<ViewSpec>),
    /// Rows `[start, end)` of the current view in table order, with each event's JSON
    /// when the view has parameter columns (the worker knows: the page may still show a
    /// head answer over the panels of the view before).
    Rows {
        /// First position.
        start: usize,
        /// Past the last position.
        end: usize,
    },
    /// One event in full.
    Detail {
        /// Engine index.
        index: u32,
    },
    /// The event `delta` rows from `from` in table order (the first row without `from`).
    Step {
        /// Current engine index.
        from: Option<u32>,
        /// Rows to move.
        delta: i64,
    },
    /// Events side by side.
    Compare {
        /// Engine indices.
        ids: Vec<u32>,
    },
    /// The current view as a file.
    Export {
        /// The format.
        format: ExportFormat,
        /// CSV columns (field names or JSON paths).
        columns: Vec<String>,
    },
    /// The first event with this `eventID`, and its position in the view.
    FindEvent {
        /// The `eventID`.
        event_id: String,
    },
}

/// What the worker answers.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Reply {
    /// A load ended: its report (`None` when cancelled before anything was read).
    Loaded {
        /// The file's report.
        report: Option<FileReport>,
        /// Loading was cancelled while reading this file.
        cancelled: bool,
        /// The browser could not read the file.
        read_error: Option<String>,
    },
    /// A file was removed (or was not there).
    Removed(bool),
    /// Cancel was heard.
    Cancelling,
    /// The views.
    View(Box<ViewData>),
    /// Table rows of the view `seq`.
    Rows {
        /// The view they belong to.
        seq: u64,
        /// The rows.
        rows: Vec<RowData>,
    },
    /// One event (none if the index is gone).
    Detail(Option<Box<DetailData>>),
    /// Engine index and position of the row moved to.
    Step(Option<(u32, usize)>),
    /// Events side by side.
    Compare {
        /// Their columns, in the order asked.
        rows: Vec<Row>,
        /// Leaf paths and values.
        diff: Vec<CompareRow>,
    },
    /// The exported text (posted beside the JSON envelope, as a string of its own).
    Export(String),
    /// Engine index and table position.
    Found(Option<(u32, Option<usize>)>),
}

/// A message from the worker.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum FromWorker {
    /// The worker is up and listening.
    Ready,
    /// The worker has warmed its code up ([`super::warm`]); not sent when the first load
    /// came before the warm-up ended.
    Warm,
    /// The answer to request `id`.
    Reply {
        /// The request's id.
        id: u32,
        /// The answer.
        reply: Box<Reply>,
        /// The worker's wasm memory in bytes, after the request.
        memory: f64,
        /// The engine's content version after the request.
        version: u64,
    },
    /// A view request's head answer ([`ViewData::partial`]), posted before its reply.
    Head {
        /// The view request's id.
        id: u32,
        /// Its count and first rows.
        view: Box<ViewData>,
    },
    /// The running load moved on.
    Progress {
        /// The load request's id (several loads wait in the worker's queue).
        id: u32,
        /// Bytes of the current file read so far.
        bytes: f64,
        /// Events in the store now.
        events: usize,
    },
    /// The engine panicked; the worker is dead. Sent by the panic hook.
    Crashed {
        /// The panic message.
        message: String,
    },
    /// Messages posted together, in order: the answers of a run of loads (a folder of
    /// small files loads hundreds a second, and each message costs both threads).
    Batch(Vec<FromWorker>),
}

impl FromWorker {
    /// The JSON of [`FromWorker::Batch`] of messages already JSON (kept as text by the
    /// worker while they wait, so each is written once).
    pub fn batch_json(messages: &[String]) -> String {
        format!("{{\"Batch\":[{}]}}", messages.join(","))
    }
}

/// A request with the id its answer will carry.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ToWorker {
    /// Chosen by the page, unique per worker.
    pub id: u32,
    /// The request.
    pub request: Request,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_of_messages_written_as_json_reads_back_in_order() {
        let messages = [
            FromWorker::Reply {
                id: 7,
                reply: Box::new(Reply::Loaded {
                    report: None,
                    cancelled: true,
                    read_error: Some("gone \"quoted\"".into()),
                }),
                memory: 1024.0,
                version: 3,
            },
            FromWorker::Progress {
                id: 8,
                bytes: 10.0,
                events: 2,
            },
            FromWorker::Warm,
        ];
        let texts: Vec<String> = messages
            .iter()
            .map(|m| serde_json::to_string(m).expect("every message is JSON"))
            .collect();
        let back: FromWorker =
            serde_json::from_str(&FromWorker::batch_json(&texts)).expect("a batch reads back");
        let FromWorker::Batch(back) = back else {
            panic!("not a batch: {back:?}");
        };
        assert_eq!(
            back.iter().map(|m| format!("{m:?}")).collect::<Vec<_>>(),
            messages
                .iter()
                .map(|m| format!("{m:?}"))
                .collect::<Vec<_>>()
        );
    }
}
