//! The worker's side: it owns the engine and the current view (the query's events, the
//! group narrowing and the table order), answers the page's requests, and loads dropped
//! files a slice at a time (read for it by its reader worker, [`super::reader`]), so no
//! file's bytes ever pass through the page's thread and memory holds the store, not a
//! copy of each file.
//!
//! Requests are answered in arrival order. A load is the one long request: it waits on
//! the browser for each slice, so Cancel, handled on arrival, stops it within a slice;
//! views asked meanwhile are answered between files, with the events loaded so far.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, File, MessageEvent};

use trailscope_core::engine::{Facet, Field, Group, Order, ParamColumn, Summary};
use trailscope_core::investigate::Histogram;
use trailscope_core::report::{listed, FileCounts, FileReport};
use trailscope_core::Engine;

use super::head::HeadRule;
use super::protocol::{
    DetailData, ExportFormat, FromWorker, Reply, Request, RowData, ToWorker, ViewData, ViewSpec,
    FILES_LISTED,
};
use super::reader::{give_back, FileStream, Slice, SLICE_BYTES, SMALL_FILE_BYTES};
use super::warm;

/// Parameter columns are chosen from at most this many of the table's events, evenly
/// spread: the most frequent paths of a big view show in a sample of this size, and the
/// choice costs milliseconds instead of a walk through every event's JSON.
const PARAM_SAMPLE: usize = 1000;
/// Events a load makes room for at most, ahead (about 1 GiB of per-event arrays).
const MAX_RESERVE_EVENTS: f64 = 8_000_000.0;
/// Progress is posted at most this often.
const PROGRESS_MS: f64 = 100.0;
/// Small files (see [`SMALL_FILE_BYTES`]) whose reading is asked for ahead of their
/// turn, at most. The browser takes a few milliseconds to answer each read, whatever its
/// size: one small file at a time, a folder of 2,000 files of 1 to 10 KB loaded at
/// about 500 files a second, with the worker idle nine tenths of the time. (The browser
/// reads about 3,300 small files a second with 16 or more asked for; the reads in flight
/// averaged 8.5 of 16 in a folder load, which ran about a tenth faster with 48.)
const PREFETCH_SMALL: usize = 48;
/// Files that are not small whose reading is asked for ahead of their turn, at most:
/// the reader then fills its buffers with the next two files' first slices while one is
/// parsed. (A 1 GB load of 4 MB files waited 135 ms for slices in all, against 185 ms
/// with one file read ahead; medians of four loads each, builds in alternation.)
const PREFETCH_BIG: usize = 2;
/// How long parsing waits at most, after the first view with events is answered during
/// a load, for the page to say it has drawn it ([`Request::Drawn`]).
const HOLD_MS: f64 = 250.0;

/// Requests waiting their turn, each with the `File` sent beside it (for loads).
type Queue = RefCell<Vec<(ToWorker, Option<File>)>>;

/// The engine and what the page is looking at.
struct Host {
    engine: RefCell<Engine>,
    /// Content version: bumped whenever events are added or removed.
    version: Cell<u64>,
    /// Answers to view requests so far.
    seq: Cell<u64>,
    /// Set by Cancel, cleared when the next load starts.
    cancel: Cell<bool>,
    /// Events added and bytes of text read by every load so far.
    seen: Cell<(f64, f64)>,
    /// When progress was last posted (across loads: a folder of small files loads
    /// hundreds a second, and the page redraws progress five times a second).
    last_progress: Cell<f64>,
    view: RefCell<View>,
    /// Requests waiting their turn.
    queue: Queue,
    /// The first slices of the next loads' files, in queue order, read while the file
    /// before them is parsed, so that the worker does not wait for the browser between
    /// files: the next file's, or the next [`PREFETCH_SMALL`] small files' (see
    /// [`Host::prefetch_next`]).
    prefetch: RefCell<VecDeque<(File, FileStream, Slice)>>,
    /// The view (its seq) parsing waits for the page to draw, and until when at most.
    hold: Cell<Option<(u64, f64)>>,
    /// Whether the last view answered showed no events (or none was answered yet).
    showed_none: Cell<bool>,
    /// The files list the last view answer sent (`None` before the first).
    files_sent: RefCell<Option<Vec<FileReport>>>,
    /// Whether a new query's view posts a head answer first.
    head: RefCell<HeadRule>,
}

/// The current view's event lists, and what the last views computed, kept while what
/// they depend on stays the same: a regrouping recomputes only the groups, a new sort
/// the table order and the panels about the table.
#[derive(Default)]
struct View {
    /// The last valid query (re-run when the current one is not valid).
    valid_query: String,
    /// The table's events in table order; only the first rows while `unarranged` holds
    /// them all (see [`View::settle`]).
    sorted: Vec<u32>,
    /// The table's events (in index order) still to be put in table order. A big view
    /// is answered with its first rows, walked from the kept order of every event or
    /// selected from its events; the rest of its order is made later.
    unarranged: Option<Unarranged>,
    /// The preset counts and what they were counted on.
    presets: Option<Presets>,
    /// The table order of every event, for the content version it was made on.
    order: Option<(u64, Order)>,
    /// The query's events and facets.
    matched: Option<Matched>,
    /// The groups of the query's events.
    groups: Option<(MatchKey, Vec<Field>, Vec<Group>)>,
    /// The table's panels.
    table: Option<Table>,
}

/// A view's events not yet in table order, and how that order is made.
struct Unarranged {
    ids: Vec<u32>,
    how: Arrange,
    sort: Field,
    descending: bool,
}

/// How a view's order left for later is made.
#[derive(Clone, Copy, PartialEq)]
enum Arrange {
    /// A walk of the kept order of every event.
    Walk,
    /// The order of every event is made first, and kept for later views, if the content
    /// is still this version (a big view whose first rows were selected).
    Keep(u64),
    /// A sort of the view's events (a view while files load: no order is kept, as it
    /// would be stale at the next file).
    Sort,
}

impl View {
    /// Puts the table's events in table order if the last view left that for later;
    /// `version` is the content's now.
    fn settle(&mut self, engine: &Engine, version: u64) {
        let Some(u) = self.unarranged.take() else {
            return;
        };
        let keep = u.how == Arrange::Keep(version);
        if keep {
            self.order = Some((version, engine.order(u.sort, u.descending)));
        }
        match &self.order {
            // (A walk is left only beside the order it needs.)
            Some((_, order)) if keep || u.how == Arrange::Walk => {
                self.sorted = order.arrange(&u.ids)
            }
            _ => {
                let mut ids = u.ids;
                engine.sort(&mut ids, u.sort, u.descending);
                self.sorted = ids;
            }
        }
    }

    /// Whether the order left for later is one to make when the worker is idle: the
    /// one kept for later views. A sort left by a view while files load waits until it
    /// is asked for (the next view of the load replaces it).
    fn settles_when_idle(&self) -> bool {
        self.unarranged
            .as_ref()
            .is_some_and(|u| u.how != Arrange::Sort)
    }

    /// The table's events, in table order once settled.
    fn events(&self) -> &[u32] {
        self.unarranged.as_ref().map_or(&self.sorted, |u| &u.ids)
    }
}

/// Preset counts: the content version and the events there were, and the counts.
type Presets = (u64, usize, Vec<(String, u32)>);

/// What a query's results depend on: the content and the (valid) query.
#[derive(Clone, PartialEq)]
struct MatchKey {
    version: u64,
    query: String,
}

/// A query's events and their facets.
struct Matched {
    key: MatchKey,
    ids: Vec<u32>,
    facet_spec: (Vec<Field>, usize),
    facets: Vec<Facet>,
}

/// What the table's panels depend on beyond the query.
#[derive(Clone, PartialEq)]
struct TableKey {
    matched: MatchKey,
    group_filter: Option<(Vec<Field>, Vec<String>)>,
    sort: Field,
    descending: bool,
    buckets: usize,
    max_params: usize,
}

/// The table's events in order and the panels computed from them.
struct Table {
    key: TableKey,
    summary: Summary,
    histogram: Histogram,
    params: Vec<ParamColumn>,
    param_subject: Option<String>,
}

impl Table {
    /// Whether its rows travel with their JSON (the page reads the parameter columns'
    /// values from it).
    fn raw_rows(&self) -> bool {
        !self.params.is_empty()
    }
}

/// Starts the worker: installs the panic hook and the message handler, then says Ready.
pub fn run() {
    std::panic::set_hook(Box::new(|info| {
        // The whole report (with the source location) for developers; the page shows
        // only the message.
        web_sys::console::warn_1(&JsValue::from_str(&format!("Trailscope engine: {info}")));
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".into());
        // The answers held back go first, in a message of their own: the page keeps the
        // files they loaded (to load them again into the next worker) only once its load
        // loop has run, after the message's task, and in one message with this, they
        // were not yet kept when it started the next worker, and were lost.
        post_held();
        post(&FromWorker::Crashed { message });
    }));
    let host = Rc::new(Host::new());
    // Requests run one after another. A load waits on the browser for every slice it
    // reads, so messages are still delivered while it runs: Cancel is handled at once,
    // on arrival; the rest wait for their turn, which comes before the loads queued
    // (the page sends files ahead, and a view asked meanwhile is answered between two
    // files, with the events loaded so far); loads run in arrival order. Files loaded
    // again after a crash keep strict arrival order: a Remove sent meanwhile must find
    // its file loaded.
    let running = Rc::new(Cell::new(false));
    // Set by the page's first load: the warm-up stops for good.
    let loading = Rc::new(Cell::new(false));
    let first_load = loading.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let data = e.data();
        let (msg, file) = match data.dyn_ref::<js_sys::Array>() {
            Some(pair) => (pair.get(0), pair.get(1).dyn_into::<File>().ok()),
            None => (data, None),
        };
        let Ok(msg) = serde_wasm_bindgen::from_value::<ToWorker>(msg) else {
            return;
        };
        if matches!(msg.request, Request::Load { .. }) {
            first_load.set(true);
        }
        // Like Cancel, heard on arrival: the load it lets go on is running.
        if let Request::Drawn { seq } = msg.request {
            if host.hold.get().is_some_and(|(held, _)| seq >= held) {
                host.hold.set(None);
            }
            return;
        }
        // Cancel must not wait behind the load it cancels.
        if matches!(msg.request, Request::Cancel) {
            host.cancel.set(true);
            // Loads the page sent ahead of their turn are cancelled with the running one.
            let mut dropped = Vec::new();
            // (Files loaded again after a crash are not: they had loaded already.)
            host.prefetch.borrow_mut().clear();
            host.queue.borrow_mut().retain(|(m, _)| {
                let load = matches!(m.request, Request::Load { restore: false, .. });
                if load {
                    dropped.push(m.id);
                }
                !load
            });
            for id in dropped {
                host.reply(
                    id,
                    Reply::Loaded {
                        report: None,
                        cancelled: true,
                        read_error: None,
                    },
                );
            }
            host.reply(msg.id, Reply::Cancelling);
            return;
        }
        host.queue.borrow_mut().push((msg, file));
        if !running.get() {
            running.set(true);
            let host = host.clone();
            let running = running.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let mut last_yield = now();
                loop {
                    // Files read ahead load without waiting on anything, one after
                    // another in one task, and the page's messages (Cancel, a view,
                    // Drawn) would wait for the last of them: before a load, they are
                    // heard if some time has gone by. (Without this, the first view of
                    // 25 small gzip files, asked after the first, came after the last:
                    // 650 to 860 ms from the start, in three of four loads.)
                    let loads_only = {
                        let q = host.queue.borrow();
                        !q.is_empty()
                            && q.iter()
                                .all(|(m, _)| matches!(m.request, Request::Load { .. }))
                    };
                    if loads_only && now() - last_yield > YIELD_MS {
                        super::next_task().await;
                        last_yield = now();
                    }
                    let next = {
                        let mut q = host.queue.borrow_mut();
                        let turn = q
                            .iter()
                            .position(|(m, _)| !matches!(m.request, Request::Load { .. }))
                            .filter(|&i| !q[..i].iter().any(|(m, _)| is_restore(m)));
                        match turn {
                            Some(i) => Some(q.remove(i)),
                            None if q.is_empty() => None,
                            None => Some(q.remove(0)),
                        }
                    };
                    let Some((msg, file)) = next else { break };
                    // (What was held back goes before anything that is not a load.)
                    if !matches!(msg.request, Request::Load { .. }) {
                        post_held();
                    }
                    host.handle(msg, file).await;
                }
                post_held();
                running.set(false);
                // Idle: the table order the last view left for later is made now, in a
                // task of its own (a request that came meanwhile goes first).
                if host.view.borrow().settles_when_idle() {
                    super::next_task().await;
                    if !running.get() {
                        let version = host.version.get();
                        host.view
                            .borrow_mut()
                            .settle(&host.engine.borrow(), version);
                    }
                }
            });
        }
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    post(&FromWorker::Ready);
    wasm_bindgen_futures::spawn_local(warm_up(loading));
}

/// Runs a load's work on a throwaway engine, a step at a time, until the page loads its
/// first file ([`warm`]): each step parses a document and answers a view the way views
/// are answered during loads (without posting it). The page's requests are answered
/// between steps.
async fn warm_up(loading: Rc<Cell<bool>>) {
    let host = Host::new();
    let mut docs = warm::Documents::new();
    let spec = warm::view_spec();
    // (A view of a load posts no head answer: nothing of the warm-up reaches the page.)
    debug_assert!(spec.loading);
    for step in 0..warm::STEPS {
        // A turn of the event loop between steps, for the page's messages.
        gloo::timers::future::TimeoutFuture::new(0).await;
        if loading.get() {
            return;
        }
        let doc = docs.next(warm::STEP_BYTES);
        warm::step(&mut host.engine.borrow_mut(), &doc, step % 3 == 2);
        host.bump();
        let view = host.view(0, &spec);
        std::hint::black_box(serde_json::to_string(&view).map(|text| text.len()).ok());
    }
    post(&FromWorker::Warm);
}

/// A load of a file loaded before the worker was restarted.
fn is_restore(msg: &ToWorker) -> bool {
    matches!(msg.request, Request::Load { restore: true, .. })
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn now() -> f64 {
    Reflect::get(&js_sys::global(), &"performance".into())
        .ok()
        .and_then(|p| p.dyn_into::<web_sys::Performance>().ok())
        .map_or(0.0, |p| p.now())
}

/// Posts a message as JSON text: answers carry rows and panels, and the page decodes
/// text several times faster than it walks an object graph of the same data. Messages
/// held back ([`hold_back`]) go first, in the same post.
fn post(msg: &FromWorker) {
    if let Ok(text) = serde_json::to_string(msg) {
        post_text(with_held(text));
    }
}

/// Posts an answer whose text goes beside the JSON envelope, as a string of its own
/// (an export can be hundreds of MB: escaped into JSON it would be held twice).
fn post_with_text(msg: &FromWorker, text: &str) {
    if let Ok(envelope) = serde_json::to_string(msg) {
        let envelope = with_held(envelope);
        let pair = js_sys::Array::of2(&JsValue::from_str(&envelope), &JsValue::from_str(text));
        let _ = scope().post_message(&pair);
    }
}

fn post_text(text: String) {
    let _ = scope().post_message(&JsValue::from_str(&text));
}

/// Messages are held back at most this long (see [`hold_back`]).
const HELD_MS: f64 = 8.0;

thread_local! {
    /// Messages held back, as JSON, and when the first of them was.
    static HELD: RefCell<(Vec<String>, f64)> = const { RefCell::new((Vec::new(), 0.0)) };
}

/// Holds `msg` back, to be posted with the next message (or by [`post_held`]), unless the
/// oldest held one has waited [`HELD_MS`]: posting costs the worker about 60
/// microseconds here (most of it waking the page's thread) and the page as much again,
/// which for a folder of 9,359 small files was a tenth of the load.
fn hold_back(msg: &FromWorker) {
    let Ok(text) = serde_json::to_string(msg) else {
        return;
    };
    let t = now();
    let due = HELD.with(|held| {
        let mut held = held.borrow_mut();
        if held.0.is_empty() {
            held.1 = t;
        }
        held.0.push(text);
        t - held.1 >= HELD_MS
    });
    if due {
        post_held();
    }
}

/// Posts the messages held back, if any.
fn post_held() {
    if let Some(text) = batched(take_held()) {
        post_text(text);
    }
}

/// Messages (as JSON) as one message: none, the one, or a [`FromWorker::Batch`].
fn batched(mut texts: Vec<String>) -> Option<String> {
    match texts.len() {
        0 | 1 => texts.pop(),
        _ => Some(FromWorker::batch_json(&texts)),
    }
}

/// The messages held back, taken. (The panic hook posts too, and may come while they are
/// being taken: then there are none.)
fn take_held() -> Vec<String> {
    HELD.with(|held| {
        held.try_borrow_mut()
            .map(|mut h| std::mem::take(&mut h.0))
            .unwrap_or_default()
    })
}

/// `text` (a message as JSON) after the messages held back, in one message.
fn with_held(text: String) -> String {
    let mut all = take_held();
    all.push(text);
    batched(all).unwrap_or_default()
}

/// How long loads run one after another at most before the page's messages are heard.
const YIELD_MS: f64 = 16.0;

/// Whether `msg` is the answer to a load.
fn is_loaded(msg: &FromWorker) -> bool {
    matches!(msg, FromWorker::Reply { reply, .. } if matches!(**reply, Reply::Loaded { .. }))
}

/// Opens `file` and starts reading its first slice.
fn read_first(file: &File) -> Result<(FileStream, Slice), JsValue> {
    let stream = FileStream::open(file)?;
    let first = stream.next_slice();
    Ok((stream, first))
}

/// The worker's wasm memory in bytes.
fn memory_bytes() -> f64 {
    Reflect::get(&wasm_bindgen::memory(), &"buffer".into())
        .and_then(|b| Reflect::get(&b, &"byteLength".into()))
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(0.0)
}

impl Host {
    fn new() -> Self {
        Self {
            engine: RefCell::new(Engine::new()),
            version: Cell::new(0),
            seq: Cell::new(0),
            cancel: Cell::new(false),
            seen: Cell::new((0.0, 0.0)),
            last_progress: Cell::new(0.0),
            view: RefCell::new(View::default()),
            queue: RefCell::new(Vec::new()),
            prefetch: RefCell::new(VecDeque::new()),
            hold: Cell::new(None),
            showed_none: Cell::new(true),
            files_sent: RefCell::new(None),
            head: RefCell::new(HeadRule::new(cfg!(feature = "eager-head"))),
        }
    }

    fn reply(&self, id: u32, reply: Reply) {
        let (reply, text) = match reply {
            Reply::Export(text) => (Reply::Export(String::new()), Some(text)),
            other => (other, None),
        };
        let msg = FromWorker::Reply {
            id,
            reply: Box::new(reply),
            memory: memory_bytes(),
            version: self.version.get(),
        };
        // The end of a load with more queued behind it is held back a little, to go
        // with the next ones.
        let more = || {
            self.queue
                .borrow()
                .iter()
                .any(|(m, _)| matches!(m.request, Request::Load { .. }))
        };
        match text {
            Some(text) => post_with_text(&msg, &text),
            None if is_loaded(&msg) && more() => hold_back(&msg),
            None => post(&msg),
        }
    }

    fn bump(&self) {
        self.version.set(self.version.get() + 1);
    }

    async fn handle(&self, msg: ToWorker, file: Option<File>) {
        let id = msg.id;
        let reply = match msg.request {
            Request::Load {
                name,
                expect_bytes,
                restore,
            } => match file {
                Some(file) => self.load(id, &name, file, expect_bytes, restore).await,
                None => Reply::Loaded {
                    report: None,
                    cancelled: false,
                    read_error: Some("nothing to read".into()),
                },
            },
            Request::Cancel => Reply::Cancelling,
            // (Handled on arrival, and never answered.)
            Request::Drawn { .. } => return,
            Request::Remove { file_id } => {
                let removed = self.engine.borrow_mut().remove_file(file_id);
                if removed {
                    self.bump();
                }
                Reply::Removed(removed)
            }
            Request::View(spec) => {
                let mut view = self.view(id, &spec);
                // The files list only when it changed since the last answer.
                let mut sent = self.files_sent.borrow_mut();
                if view.files.is_some() && *sent == view.files {
                    view.files = None;
                } else {
                    sent.clone_from(&view.files);
                }
                drop(sent);
                // The first view with events is the page's first full render, its
                // longest task: during a load it runs with both cores busy parsing and
                // reading, unless parsing waits for it (the reader waits for the parser).
                let first_full = self.showed_none.get() && view.total > 0;
                self.showed_none.set(view.total == 0);
                if spec.loading && first_full {
                    self.hold.set(Some((view.seq, now() + HOLD_MS)));
                }
                Reply::View(Box::new(view))
            }
            Request::Rows { start, end } => Reply::Rows {
                seq: self.seq.get(),
                rows: self.rows(start, end),
            },
            Request::Detail { index } => Reply::Detail(self.detail(index).map(Box::new)),
            Request::Step { from, delta } => Reply::Step(self.step(from, delta)),
            Request::Compare { ids } => {
                let engine = self.engine.borrow();
                Reply::Compare {
                    rows: ids.iter().map(|&i| engine.row(i)).collect(),
                    diff: engine.compare(&ids),
                }
            }
            Request::Export { format, columns } => {
                let engine = self.engine.borrow();
                let mut view = self.view.borrow_mut();
                view.settle(&engine, self.version.get());
                Reply::Export(match format {
                    ExportFormat::Json => engine.export_json(&view.sorted),
                    ExportFormat::Jsonl => engine.export_jsonl(&view.sorted),
                    ExportFormat::Csv => engine.export_csv(&view.sorted, &columns),
                })
            }
            Request::FindEvent { event_id } => Reply::Found(self.find(&event_id)),
        };
        self.reply(id, reply);
    }

    /// Reads `file` into the engine a slice at a time, with progress; stops early on
    /// Cancel.
    async fn load(
        &self,
        id: u32,
        name: &str,
        file: File,
        expect_bytes: f64,
        restore: bool,
    ) -> Reply {
        self.cancel.set(false);
        // Room for the batch's events at once, at the events per byte of text seen so
        // far (nothing before the first file). Capped: room never used costs wasm
        // memory (which never shrinks) but no resident memory.
        let (events_seen, text_seen) = self.seen.get();
        if text_seen > 0.0 && expect_bytes > 0.0 {
            let expected = (events_seen / text_seen * expect_bytes).min(MAX_RESERVE_EVENTS);
            self.engine.borrow_mut().reserve(expected as usize);
        }
        let events_before = self.engine.borrow().len();
        #[cfg(feature = "crash-probe")]
        if name.ends_with("crash-probe.json") {
            panic!("crash probe: {name} asks the engine to panic (test builds only)");
        }
        let size = file.size();
        // (A big file takes a while: the ends of the loads before it are posted now.)
        if size > SMALL_FILE_BYTES {
            post_held();
        }
        let mut feed = self.engine.borrow_mut().begin_file(name);
        let mut read = 0.0;
        // The browser reads the next slice while this one is parsed (the next file's
        // first slice while this file's last one is): the read waits on another
        // thread, and the worker is not idle waiting for it.
        let slice = f64::from(SLICE_BYTES);
        // (A file the browser cannot open fails as a read does.)
        let (stream, first) = match self.first_slice(&file) {
            Ok((stream, first)) => (Some(stream), first),
            Err(e) => (None, Box::pin(async move { Err(e) }) as Slice),
        };
        let mut next = Some(first);
        if size <= slice {
            self.prefetch_next();
        }
        while let Some(reading) = next.take() {
            self.held().await;
            let failure = if self.cancel.get() && !restore {
                None
            } else {
                match reading.await {
                    Ok(array) => {
                        read += f64::from(array.length());
                        // (An empty slice before the end means the file shrank: stop.)
                        if read < size && array.length() > 0 {
                            next = stream.as_ref().map(FileStream::next_slice);
                            if read + slice >= size {
                                self.prefetch_next();
                            }
                        }
                        // Copied once, from the browser's buffer into the engine's.
                        self.engine.borrow_mut().feed_with(
                            &mut feed,
                            array.length() as usize,
                            |buf| array.copy_to(buf),
                        );
                        give_back(&array);
                        let t = now();
                        if t - self.last_progress.get() > PROGRESS_MS {
                            self.last_progress.set(t);
                            let events = self.engine.borrow().len();
                            post(&FromWorker::Progress {
                                id,
                                bytes: read,
                                events,
                            });
                        }
                        continue;
                    }
                    Err(e) => Some(read_error_text(&e)),
                }
            };
            // Cancelled, or the browser could not read on: what this file stored goes
            // with it (a file is loaded whole or not at all).
            let id = feed.id();
            let mut engine = self.engine.borrow_mut();
            engine.finish_file(feed);
            engine.remove_file(id);
            return Reply::Loaded {
                report: None,
                cancelled: failure.is_none(),
                read_error: failure,
            };
        }
        let report = self.engine.borrow_mut().finish_file(feed).clone();
        self.bump();
        let added = self.engine.borrow().len().saturating_sub(events_before);
        let text = if report.gzip {
            report.decoded_bytes
        } else {
            report.bytes
        };
        let (events_seen, text_seen) = self.seen.get();
        self.seen
            .set((events_seen + added as f64, text_seen + text as f64));
        Reply::Loaded {
            report: Some(report),
            cancelled: false,
            read_error: None,
        }
    }

    /// Waits while the page draws the first view with events (see [`Request::Drawn`]).
    async fn held(&self) {
        while let Some((_, until)) = self.hold.get() {
            if self.cancel.get() || now() >= until {
                self.hold.set(None);
                break;
            }
            gloo::timers::future::TimeoutFuture::new(4).await;
        }
    }

    /// The first slice of `file`: the one read ahead if it is this file's, else a new
    /// read. (Files read ahead before it are no longer wanted: their reads stop.)
    fn first_slice(&self, file: &File) -> Result<(FileStream, Slice), JsValue> {
        let mut prefetched = self.prefetch.borrow_mut();
        match prefetched
            .iter()
            .position(|(f, ..)| js_sys::Object::is(f, file))
        {
            Some(at) => {
                prefetched.drain(..at);
                let (_, stream, slice) = prefetched.pop_front().expect("found above");
                Ok((stream, slice))
            }
            None => read_first(file),
        }
    }

    /// Starts reading the first slices of the next queued loads' files: those of the
    /// next [`PREFETCH_SMALL`] files while they are small, up to and including the
    /// [`PREFETCH_BIG`]th one that is not (a big file is read one slice after another,
    /// in order, into the reader's few buffers).
    fn prefetch_next(&self) {
        let queue = self.queue.borrow();
        let mut prefetched = self.prefetch.borrow_mut();
        let loads = || {
            queue
                .iter()
                .filter_map(|(m, file)| match m.request {
                    Request::Load { .. } => file.as_ref(),
                    _ => None,
                })
                .take(PREFETCH_SMALL)
        };
        // What is read ahead already is the front of the queued loads, in order (loads
        // leave the queue from its front, and `first_slice` drops what was read ahead of
        // the file it takes): only the files after it are new. (Checked pair by pair;
        // were they ever out of step, the reads ahead would start over.)
        let mut files = loads();
        let mut out_of_step = false;
        let mut big = 0;
        for (held, file) in prefetched.iter().zip(files.by_ref()) {
            if !js_sys::Object::is(&held.0, file) {
                out_of_step = true;
                break;
            }
            if file.size() > SMALL_FILE_BYTES {
                big += 1;
                if big == PREFETCH_BIG {
                    return;
                }
            }
        }
        if out_of_step {
            prefetched.clear();
            files = loads();
            big = 0;
        }
        for file in files {
            match read_first(file) {
                Ok((stream, first)) => prefetched.push_back((file.clone(), stream, first)),
                Err(_) => break,
            }
            if file.size() > SMALL_FILE_BYTES {
                big += 1;
                if big == PREFETCH_BIG {
                    break;
                }
            }
        }
    }

    /// Computes every view for `spec` and keeps the table's order for row requests.
    /// Parts whose inputs did not change since the last view are reused. A new query
    /// over many events first posts a head answer ([`FromWorker::Head`]: the count and
    /// the table's first rows), so the page shows the results before the panels about
    /// them are counted; the whole answer follows.
    fn view(&self, id: u32, spec: &ViewSpec) -> ViewData {
        let mut laps = Laps::new();
        let engine = self.engine.borrow();
        let mut guard = self.view.borrow_mut();
        let view = &mut *guard;
        let version = self.version.get();

        // The query: its events (the last valid query's when it is not valid).
        let shown = view.matched.as_ref().map(|m| m.key.clone());
        let mut query_error = None;
        let fresh = view
            .matched
            .as_ref()
            .is_some_and(|m| m.key.version == version && m.key.query == spec.query);
        if !fresh {
            match engine.query(&spec.query) {
                Ok(ids) => {
                    view.valid_query = spec.query.clone();
                    view.matched = Some(Matched::new(version, &spec.query, ids));
                }
                Err(e) => query_error = Some(e),
            }
        }
        let key = MatchKey {
            version,
            query: view.valid_query.clone(),
        };
        // The events matched are new (not when the query box holds an error: the last
        // valid query's events stay).
        let new_events = shown.as_ref() != Some(&key);
        let mut matched = match view.matched.take() {
            Some(m) if m.key == key => m,
            _ => Matched::new(
                version,
                &key.query,
                engine.query(&key.query).unwrap_or_default(),
            ),
        };
        laps.mark("query");

        // The table's events in order (its panels are counted after the facets).
        let table_key = TableKey {
            matched: key.clone(),
            group_filter: spec.group_filter.clone().filter(|(keys, path)| {
                !keys.is_empty() && !path.is_empty() && path.len() <= keys.len()
            }),
            sort: spec.sort,
            descending: spec.descending,
            buckets: spec.buckets,
            max_params: spec.max_params,
        };
        let had_params = view.table.as_ref().is_some_and(Table::raw_rows);
        let table = view.table.take().filter(|t| t.key == table_key);
        if table.is_some() {
            // The same table: its first rows are in `sorted` already, and the rest of its
            // order, if left for later, stays so (a regrouping right after a load does
            // not wait for the order of every event).
            if view.sorted.len() < spec.first_rows.min(view.events().len()) {
                view.settle(&engine, version);
            }
        } else {
            view.unarranged = None;
            let narrowed = match &table_key.group_filter {
                Some((keys, path)) => engine.group_members(&matched.ids, &keys[..path.len()], path),
                None => matched.ids.clone(),
            };
            let fits = |o: &Option<(u64, Order)>| {
                matches!(o, Some((v, o)) if *v == version && o.by == spec.sort
                    && o.descending == spec.descending)
            };
            let unarranged = |ids, how| Unarranged {
                ids,
                how,
                sort: spec.sort,
                descending: spec.descending,
            };
            // A big view (an eighth of the events or more) on settled content is put in
            // order by the order of every event, made once and serving every later
            // view; a small view is sorted as it is. A big view is answered with its
            // first rows, and the rest of its order made later (see `View::settle`).
            let big = narrowed.len() >= engine.len() / 8;
            let many = narrowed.len() > spec.first_rows * 4;
            match &view.order {
                // The first rows walked from the kept order.
                Some((_, o)) if fits(&view.order) => {
                    view.sorted = o.first(&narrowed, spec.first_rows);
                    view.unarranged = Some(unarranged(narrowed, Arrange::Walk));
                }
                // The first rows selected; the order of every event is made when the
                // worker is next idle, or while files load, the rest is sorted only if
                // rows further down are asked for before the next view.
                _ if many && (big || spec.loading) => {
                    view.sorted =
                        engine.sorted_first(&narrowed, spec.sort, spec.descending, spec.first_rows);
                    let how = if spec.loading {
                        Arrange::Sort
                    } else {
                        Arrange::Keep(version)
                    };
                    view.unarranged = Some(unarranged(narrowed, how));
                }
                _ => {
                    let mut ids = narrowed;
                    engine.sort(&mut ids, spec.sort, spec.descending);
                    view.sorted = ids;
                }
            }
        }
        laps.mark("order");

        // The head: a new query's count and first rows, while the rest is counted.
        let seq = self.seq.get() + 1;
        self.seq.set(seq);
        // What the head and the whole answer both say.
        let view_len = view.events().len();
        let counts = || ViewData {
            seq,
            version,
            total: engine.len(),
            query_error: query_error.clone(),
            matched: matched.ids.len(),
            view_len,
            ..ViewData::default()
        };
        // A new query's events (not a view of a load): its panels are all counted
        // afresh, maybe after a head.
        let new_query = new_events && !spec.loading;
        if new_query
            && self
                .head
                .borrow()
                .wants_head(engine.len(), matched.ids.len())
        {
            let rows = rows_of(&engine, &view.sorted, 0, spec.first_rows, had_params);
            laps.mark("head rows");
            let head = ViewData {
                rows,
                parts: laps.parts.clone(),
                partial: true,
                ..counts()
            };
            post(&FromWorker::Head {
                id,
                view: Box::new(head),
            });
            laps.mark("head post");
        }

        // Facets of the query's events.
        let panels_from = now();
        let facet_spec = (spec.facet_fields.clone(), spec.facet_top);
        if matched.facet_spec != facet_spec {
            matched.facets = facet_spec
                .0
                .iter()
                .map(|&f| engine.facet(&matched.ids, f, facet_spec.1))
                .collect();
            matched.facet_spec = facet_spec;
        }
        laps.mark("facets");

        // Groups.
        let groups = if spec.group_keys.is_empty() {
            Vec::new()
        } else {
            match &view.groups {
                Some((k, keys, g)) if *k == key && *keys == spec.group_keys => g.clone(),
                _ => {
                    let g = engine.group(&matched.ids, &spec.group_keys);
                    view.groups = Some((key.clone(), spec.group_keys.clone(), g.clone()));
                    g
                }
            }
        };
        laps.mark("groups");

        // The panels about the table.
        let table = table.unwrap_or_else(|| {
            // (Counted on the table's events in whichever order they are.)
            let events = view.events();
            let (params, param_subject) = param_columns(&engine, events, spec.max_params);
            Table {
                key: table_key,
                summary: engine.summary(events),
                histogram: engine.histogram(events, spec.buckets, None),
                params,
                param_subject,
            }
        });
        laps.mark("table");
        // A new query's panels: their pace decides the next heads.
        if new_query {
            self.head
                .borrow_mut()
                .learn(matched.ids.len(), now() - panels_from);
        }

        // Preset counts run eight queries over every event: once per content version,
        // and while files load, only while they were counted on no events (the view
        // after the last file counts them again).
        let presets = match &view.presets {
            Some((v, events, counts)) if *v == version || (spec.loading && *events > 0) => {
                counts.clone()
            }
            _ => {
                let counts = engine.preset_counts();
                view.presets = Some((version, engine.len(), counts.clone()));
                counts
            }
        };
        laps.mark("presets");
        let rows = rows_of(&engine, &view.sorted, 0, spec.first_rows, table.raw_rows());
        laps.mark("rows");
        let data = ViewData {
            files: Some(
                listed(engine.files(), FILES_LISTED)
                    .into_iter()
                    .cloned()
                    .collect(),
            ),
            files_total: engine.files().len(),
            file_counts: FileCounts::of(engine.files()),
            presets,
            facets: matched.facets.clone(),
            groups,
            summary: table.summary.clone(),
            histogram: table.histogram.clone(),
            rows,
            params: table.params.clone(),
            param_subject: table.param_subject.clone(),
            parts: laps.parts,
            partial: false,
            ..counts()
        };
        view.table = Some(table);
        view.matched = Some(matched);
        data
    }

    /// Rows of the current view, with their JSON when it has parameter columns.
    fn rows(&self, start: usize, end: usize) -> Vec<RowData> {
        let engine = self.engine.borrow();
        let mut view = self.view.borrow_mut();
        view.settle(&engine, self.version.get());
        let raw = view.table.as_ref().is_some_and(Table::raw_rows);
        rows_of(&engine, &view.sorted, start, end, raw)
    }

    fn detail(&self, index: u32) -> Option<DetailData> {
        let engine = self.engine.borrow();
        if !engine.store().is_live(index) {
            return None;
        }
        Some(DetailData {
            row: engine.row(index),
            raw: engine.raw_json(index).to_string(),
            lineage: engine.lineage(index),
        })
    }

    fn step(&self, from: Option<u32>, delta: i64) -> Option<(u32, usize)> {
        let engine = self.engine.borrow();
        let mut view = self.view.borrow_mut();
        view.settle(&engine, self.version.get());
        let ids = &view.sorted;
        if ids.is_empty() {
            return None;
        }
        let current = from.and_then(|sel| ids.iter().position(|&i| i == sel));
        let next = match current {
            Some(pos) => (pos as i64 + delta).clamp(0, ids.len() as i64 - 1) as usize,
            None => 0,
        };
        Some((ids[next], next))
    }

    fn find(&self, event_id: &str) -> Option<(u32, Option<usize>)> {
        let q = format!(
            "eventID:\"{}\"",
            event_id.replace('\\', "\\\\").replace('"', "\\\"")
        );
        let engine = self.engine.borrow();
        let index = engine.query(&q).ok()?.first().copied()?;
        let mut view = self.view.borrow_mut();
        view.settle(&engine, self.version.get());
        let pos = view.sorted.iter().position(|&i| i == index);
        Some((index, pos))
    }
}

impl Matched {
    /// A query's events; their facets are computed next.
    fn new(version: u64, query: &str, ids: Vec<u32>) -> Self {
        Matched {
            key: MatchKey {
                version,
                query: query.to_string(),
            },
            ids,
            facet_spec: (Vec::new(), usize::MAX),
            facets: Vec::new(),
        }
    }
}

/// Parameter columns when the events are one operation or one service, with the name
/// of that operation or service.
fn param_columns(
    engine: &Engine,
    ids: &[u32],
    max: usize,
) -> (Vec<trailscope_core::engine::ParamColumn>, Option<String>) {
    if ids.is_empty() {
        return (Vec::new(), None);
    }
    let subject = engine
        .uniform(ids, Field::EventName)
        .or_else(|| engine.uniform(ids, Field::EventSource));
    match subject {
        Some(s) => (
            engine.param_columns(&sample(ids, PARAM_SAMPLE), max),
            Some(s),
        ),
        None => (Vec::new(), None),
    }
}

/// The rows at positions `start..end` of `sorted` (with their JSON text when `raw`).
fn rows_of(engine: &Engine, sorted: &[u32], start: usize, end: usize, raw: bool) -> Vec<RowData> {
    let end = end.min(sorted.len());
    let start = start.min(end);
    sorted[start..end]
        .iter()
        .enumerate()
        .map(|(k, &i)| RowData {
            pos: start + k,
            row: engine.row(i),
            raw: raw.then(|| engine.raw_json(i).to_string()),
        })
        .collect()
}

/// Named laps of a view's computation ([`ViewData::parts`]).
struct Laps {
    parts: Vec<(String, f64)>,
    lap: f64,
}

impl Laps {
    fn new() -> Self {
        Laps {
            parts: Vec::new(),
            lap: now(),
        }
    }

    /// Ends the lap named `name`.
    fn mark(&mut self, name: &str) {
        let t = now();
        self.parts.push((name.to_string(), t - self.lap));
        self.lap = t;
    }
}

/// At most `n` of `ids`, evenly spaced (all of them when there are fewer).
fn sample(ids: &[u32], n: usize) -> Vec<u32> {
    if ids.len() <= n {
        return ids.to_vec();
    }
    (0..n).map(|k| ids[k * ids.len() / n]).collect()
}

fn read_error_text(e: &JsValue) -> String {
    let detail = Reflect::get(e, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "unknown error".into());
    format!("failed: the browser could not read this file ({detail})")
}
