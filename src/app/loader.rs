//! Getting bytes out of the browser and into the engine: file and folder pickers, drops
//! of files and whole directory trees, pasted text and the built-in sample.
//!
//! Loading is one file at a time: the `File` goes to the engine's worker, which reads and
//! parses it off the page's thread and reports progress; views are refreshed now and then
//! during a long batch and once at its end, so they recompute a few times, not once per
//! file. Folders are walked here, and their files load as they are found; each file is
//! checked against the memory plan just before it is sent, before anything of it is read.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use futures_channel::oneshot;

use js_sys::{Array, Promise, Uint8Array};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{DataTransfer, File, FileSystemDirectoryEntry, FileSystemEntry, FileSystemFileEntry};

use super::client::{file_from_bytes, PendingLoad};
use super::state::AppState;
use crate::worker::protocol::Reply;
use crate::worker::{next_task, read_slice};

/// Something to load.
pub enum Source {
    /// A browser file with the name to show (relative path for folder loads).
    File(String, File),
    /// Bytes already in memory (paste, sample).
    Bytes(String, Vec<u8>),
    /// A dropped file or directory, walked when the batch runs.
    Entry(FileSystemEntry),
    /// A dropped file or directory as the browser's File System Access handle (a promise
    /// of it), walked when the batch runs; the source taken from the same drop the old way
    /// is walked instead if the promise gives no handle.
    Dropped(Promise, Box<Source>),
}

/// How long a batch may run before the views are refreshed with what is loaded so far
/// (at least; see [`PUBLISH_COST_SHARE`]).
const PUBLISH_EVERY_MS: f64 = 700.0;
/// Files kept sent to the worker ahead of the one it loads: at least this many, and
/// more while they hold less than [`SEND_AHEAD_BYTES`] (up to [`SEND_AHEAD_MAX`]), so
/// that the worker can ask for the reading of many small files at once.
const SEND_AHEAD: usize = 4;
const SEND_AHEAD_BYTES: f64 = 16.0 * 1024.0 * 1024.0;
const SEND_AHEAD_MAX: usize = 64;
/// Why a file was not loaded after Cancel (the files panel shows it).
const CANCELLED: &str = "not loaded: loading was cancelled";
/// Refreshes during a load are at least this many times the last view's cost apart.
const PUBLISH_COST_SHARE: f64 = 10.0;

/// wasm32 memory ends at 4 GiB; the store is kept under this so queries, views and the
/// file being read still have room.
const MEMORY_BUDGET: f64 = 3.0 * 1024.0 * 1024.0 * 1024.0;

/// Bytes of wasm memory per byte of uncompressed input, a little above what
/// `scripts/bench` measures (the store keeps each event's JSON text plus its columns).
const STORE_PER_INPUT_BYTE: f64 = 1.5;

/// Gzip files are assumed to hold this many times their size (CloudTrail logs compress
/// about 10 to 1).
const GZIP_RATIO: f64 = 10.0;

/// What the running loads have done so far, shown by the load panel's progress line.
/// Every batch started while another runs adds to the same totals; they reset when the
/// last batch ends.
#[derive(Clone, Copy)]
pub struct LoadProgress {
    /// Size of the files to read, as stored (compressed for gzip).
    pub total: RwSignal<f64>,
    /// Bytes read so far.
    pub bytes: RwSignal<f64>,
    /// Files to read, and files done.
    pub files: RwSignal<(u32, u32)>,
    /// The file being read.
    pub current: RwSignal<String>,
    /// Events in the store now.
    pub events: RwSignal<usize>,
    /// `performance.now()` when the first running batch started reading (or was asked to).
    pub started: RwSignal<f64>,
    /// Set by Cancel: running batches stop at the next chunk and keep what they loaded.
    pub cancel: RwSignal<bool>,
    /// Batches still finding their files (walking dropped folders) and reading their
    /// sizes, before any of their bytes are read.
    pub scanning: RwSignal<u32>,
    /// Files found so far by those batches, and files whose size has been read.
    pub found: RwSignal<u32>,
    pub sized: RwSignal<u32>,
}

impl LoadProgress {
    /// Nothing loading.
    pub fn new() -> Self {
        LoadProgress {
            total: RwSignal::new(0.0),
            bytes: RwSignal::new(0.0),
            files: RwSignal::new((0, 0)),
            current: RwSignal::new(String::new()),
            events: RwSignal::new(0),
            started: RwSignal::new(0.0),
            cancel: RwSignal::new(false),
            scanning: RwSignal::new(0),
            found: RwSignal::new(0),
            sized: RwSignal::new(0),
        }
    }

    fn reset(&self) {
        self.total.set(0.0);
        self.bytes.set(0.0);
        self.files.set((0, 0));
        self.current.set(String::new());
        self.cancel.set(false);
        self.found.set(0);
        self.sized.set(0);
    }

    /// A file of `size` bytes that will not be read counts as done.
    fn file_done(&self, size: f64) {
        self.files.update(|(_, done)| *done += 1);
        self.bytes.update(|b| *b += size);
    }
}

impl Default for LoadProgress {
    fn default() -> Self {
        Self::new()
    }
}

/// Loads sources in order, in the background. Marks the app busy at once (before the
/// first await) so a test or a person never sees an idle page with a load pending.
///
/// Dropped folders are walked while the files found first load (see [`find`]): the walk
/// is the page's work and the loading the worker's, and they overlap.
pub fn load(state: AppState, sources: Vec<Source>) {
    if sources.is_empty() {
        return;
    }
    let progress = state.progress;
    if state.loading.get_untracked() == 0 {
        progress.reset();
        progress.started.set(now());
    }
    state.loading.update(|n| *n += 1);
    let feed = Rc::new(Feed::default());
    progress.scanning.update(|n| *n += 1);
    wasm_bindgen_futures::spawn_local(find(sources, progress, feed.clone()));
    wasm_bindgen_futures::spawn_local(async move {
        // Planned a few files at a time, so the first file starts once the first
        // [`SNIFF_BATCH`] files' first bytes are known, not every file's (for 250 files:
        // 79 to 105 ms from the drop to the first file sent, against 329 to 356).
        let mut plan = Plan::new(state, feed);

        let mut last_publish = now();
        // Files are sent ahead of their turn (the worker answers views before the files
        // queued), so the worker never waits for the page between files, however busy
        // drawing the page is.
        // The file loading now, then the files sent ahead of it.
        let mut ahead: VecDeque<Started> = VecDeque::new();
        loop {
            while wants_more(&ahead) && !progress.cancel.get_untracked() {
                // (While files load, only files found already are sent; with none
                // loading, the plan waits for the walk to find more.)
                let Some((source, expect)) = plan.next(ahead.is_empty()).await else {
                    break;
                };
                // (Cancel may have come while the plan read first bytes.)
                if progress.cancel.get_untracked() {
                    skip(state, &source, CANCELLED);
                    break;
                }
                if let Some(n) = start(state, source, expect) {
                    ahead.push_back(n);
                }
            }
            // Its progress is heard from now on (what it reported while the plan read first
            // bytes above is not shown: the line catches up at its next report).
            let Some((current, done_before)) = ahead.pop_front().map(|n| follow(state, n)) else {
                break;
            };
            let answer = state.engine.finish_load(current.pending).await;
            progress.bytes.set(done_before + current.size);
            // A dead worker fails every request: the files sent ahead never started, so
            // they are sent again, to the new worker, behind the files that worker
            // reloads; unless loading was cancelled (they were answered as cancelled).
            if answer.is_err() {
                if progress.cancel.get_untracked() {
                    for n in ahead.drain(..) {
                        progress.file_done(n.size);
                        skip_name(state, n.name, CANCELLED);
                    }
                } else {
                    ahead = ahead
                        .into_iter()
                        .map(|n| Started {
                            pending: state.engine.restart_load(n.pending),
                            ..n
                        })
                        .collect();
                }
            }
            let name = current.name;
            match answer {
                Ok(Reply::Loaded {
                    cancelled: true, ..
                }) => skip_name(state, name, CANCELLED),
                Ok(Reply::Loaded {
                    read_error: Some(reason),
                    ..
                }) => state.read_errors.update(|v| v.push((name, reason))),
                Ok(_) => {}
                Err(reason) => state.read_errors.update(|v| {
                    v.push((
                        name,
                        format!(
                            "failed: {reason}. This file was not loaded; the files loaded \
                             before it were loaded again"
                        ),
                    ))
                }),
            }
            progress.files.update(|(_, done)| *done += 1);
            progress.events.set(
                state
                    .engine
                    .data
                    .with_untracked(|d| d.total)
                    .max(progress.events.get_untracked()),
            );
            // The first file shows at once; later ones now and then, spaced by what the
            // last view cost the worker, so refreshing takes at most about a tenth of
            // the load.
            let first = progress.files.get_untracked().1 == 1;
            let every = PUBLISH_EVERY_MS
                .max(state.engine.data.with_untracked(|d| d.compute_ms()) * PUBLISH_COST_SHARE);
            if first || now() - last_publish > every {
                state.engine.publish();
                last_publish = now();
            }
        }
        // What was found and not sent when loading was cancelled (the walk stops too).
        for source in plan.rest().await {
            skip(state, &source, CANCELLED);
        }
        state.engine.publish();
        state.loading.update(|n| *n = n.saturating_sub(1));
    });
}

/// The files of a batch, handed from [`find`] to the batch's [`Plan`] as they are found
/// and their sizes read.
#[derive(Default)]
struct Feed {
    found: RefCell<Vec<Source>>,
    /// Nothing more will be found.
    closed: Cell<bool>,
    waiting: RefCell<Option<oneshot::Sender<()>>>,
}

impl Feed {
    fn push(&self, found: Vec<Source>) {
        self.found.borrow_mut().extend(found);
        self.wake();
    }

    fn close(&self) {
        self.closed.set(true);
        self.wake();
    }

    fn wake(&self) {
        if let Some(tx) = self.waiting.borrow_mut().take() {
            let _ = tx.send(());
        }
    }

    fn take(&self) -> Vec<Source> {
        std::mem::take(&mut *self.found.borrow_mut())
    }

    /// Waits until something is found or nothing more will be.
    async fn more(&self) {
        if !self.found.borrow().is_empty() || self.closed.get() {
            return;
        }
        let (tx, rx) = oneshot::channel();
        *self.waiting.borrow_mut() = Some(tx);
        let _ = rx.await;
    }
}

/// Finds the files of `sources` in order (walking dropped folders) and hands them to
/// `feed` a folder's files at a time, with their sizes read (counted in the progress's
/// totals), then closes it. Stops when loading is cancelled; what it found is handed on
/// all the same, to be named as not loaded.
async fn find(sources: Vec<Source>, progress: LoadProgress, feed: Rc<Feed>) {
    let mut finder = Finder {
        progress,
        feed,
        loose: Vec::new(),
        handed: false,
    };
    for source in sources {
        if progress.cancel.get_untracked() {
            break;
        }
        // (A dropped item is walked through its handle where the browser gives one:
        // about three times faster than through its entry, see [`walk_handle`].)
        let source = match source {
            Source::Dropped(handle, fallback) => {
                if walk_handle(handle, &mut finder).await {
                    continue;
                }
                *fallback
            }
            other => other,
        };
        match source {
            Source::Entry(entry) => walk(entry, &mut finder).await,
            other => {
                progress.found.update(|n| *n += 1);
                finder.loose.push(other);
            }
        }
    }
    finder.hand(Vec::new()).await;
    progress.scanning.update(|n| *n = n.saturating_sub(1));
    finder.feed.close();
}

/// What [`find`] has found and not handed on yet.
struct Finder {
    progress: LoadProgress,
    feed: Rc<Feed>,
    /// Files and texts given as they are, handed on with the next files a walk finds
    /// (or at the end), so the batch keeps their order.
    loose: Vec<Source>,
    /// Whether anything was handed on yet.
    handed: bool,
}

impl Finder {
    /// Hands on the loose sources and then `files` (found by a walk), once their sizes
    /// are read.
    async fn hand(&mut self, files: Vec<(String, File)>) {
        let mut items = std::mem::take(&mut self.loose);
        items.extend(files.into_iter().map(|(n, f)| Source::File(n, f)));
        if items.is_empty() {
            return;
        }
        let total = warm_sizes(&items, self.progress).await;
        let p = self.progress;
        if !p.cancel.get_untracked() {
            // The rate shown is of reading: its clock starts with the first bytes, not
            // with the walk (unless another batch is reading already).
            if !self.handed && p.bytes.get_untracked() == 0.0 {
                p.started.set(now());
            }
            p.total.update(|t| *t += total);
            p.files.update(|(n, _)| *n += items.len() as u32);
        }
        self.handed = true;
        self.feed.push(items);
    }
}

/// Whether another file is sent ahead (see [`SEND_AHEAD`]).
fn wants_more(ahead: &VecDeque<Started>) -> bool {
    ahead.len() <= SEND_AHEAD
        || (ahead.len() <= SEND_AHEAD_MAX
            && ahead.iter().map(|n| n.size).sum::<f64>() < SEND_AHEAD_BYTES)
}

/// A file sent to the worker.
struct Started {
    name: String,
    size: f64,
    pending: PendingLoad,
}

/// Sends a source to the worker (it waits there behind the file loading now); a source
/// the browser cannot hold as a file is named with the reason instead.
fn start(state: AppState, source: Source, expect_bytes: f64) -> Option<Started> {
    let name = source_name(&source).to_string();
    let file = match source {
        Source::File(_, file) => file,
        Source::Bytes(_, bytes) => match file_from_bytes(&name, &bytes) {
            Ok(file) => file,
            Err(reason) => {
                state.read_errors.update(|v| v.push((name, reason)));
                state.progress.file_done(bytes.len() as f64);
                return None;
            }
        },
        Source::Entry(_) | Source::Dropped(..) => return None,
    };
    Some(Started {
        size: file.size(),
        pending: state.engine.start_load(&name, &file, expect_bytes),
        name,
    })
}

/// Shows the progress of `load`, the file the worker reads now; with the bytes done
/// before it.
fn follow(state: AppState, load: Started) -> (Started, f64) {
    let progress = state.progress;
    let done_before = progress.bytes.get_untracked();
    let size = load.size;
    progress.current.set(load.name.clone());
    state
        .engine
        .on_progress(load.pending.id(), move |bytes, events| {
            progress.bytes.set(done_before + bytes.min(size));
            progress.events.set(events);
        });
    (load, done_before)
}

/// Names a file that was not loaded, with the reason, in the files panel.
fn skip(state: AppState, source: &Source, reason: &str) {
    skip_name(state, source_name(source).to_string(), reason);
}

/// Names a file that was not loaded, by its name, with the reason.
fn skip_name(state: AppState, name: String, reason: &str) {
    state.skipped.update(|v| v.push((name, reason.to_string())));
}

/// A page task spends at most about this long asking for file sizes before it lets the
/// page draw and answer input.
const SIZE_SLICE_MS: f64 = 8.0;

/// The sizes of `items`, added up. The browser asks the system for a file's size the first
/// time it is read (then keeps it): half a millisecond a file here, so 250 files read in
/// one go were a 110 ms task. They are read a few milliseconds' worth at a time instead,
/// with the page's other tasks in between; every later read of a size is free.
///
/// Counted in `sized`; stops early when loading is cancelled (the files not sized are not
/// loaded either).
async fn warm_sizes(items: &[Source], progress: LoadProgress) -> f64 {
    let mut total = 0.0;
    let mut slice_start = now();
    let mut sized = 0;
    for source in items {
        if now() - slice_start > SIZE_SLICE_MS {
            progress.sized.update(|n| *n += sized);
            sized = 0;
            next_task().await;
            slice_start = now();
            if progress.cancel.get_untracked() {
                break;
            }
        }
        total += source_size(source);
        sized += 1;
    }
    progress.sized.update(|n| *n += sized);
    total
}

/// The size of a source as stored (compressed for gzip).
fn source_size(source: &Source) -> f64 {
    match source {
        Source::File(_, f) => f.size(),
        Source::Bytes(_, b) => b.len() as f64,
        Source::Entry(_) | Source::Dropped(..) => 0.0,
    }
}

/// The sources of a batch in order, each checked against the memory budget just before
/// it is sent: one that would not fit is named as skipped (with every one after it)
/// before anything of it is read, so a load that would run the tab out of memory is
/// said so instead of crashing it later. Whether a file is gzip is told by its first
/// bytes, asked for [`SNIFF_BATCH`] files at a time as the plan reaches them; unless the
/// batch fits even with every file taken as gzip, when names are enough (asking cost
/// the page's thread about 0.6 ms a file: over a second for 2,000 small files).
///
/// The sources come from a [`Feed`] as they are found, so the batch's size is known
/// only as the walk goes on: names are enough while every file found so far fits taken
/// as gzip. Past that, the files planned by their names may hold more than planned (a
/// gzip file not named `.gz`), so once they have loaded the plan takes the page's
/// memory as measured, if more, before it goes on by first bytes.
struct Plan {
    state: AppState,
    feed: Rc<Feed>,
    items: VecDeque<Source>,
    /// Gzip or not, for the first items (those sniffed so far).
    gzip: VecDeque<bool>,
    /// The wasm memory the plan has used so far.
    used: f64,
    over: bool,
    /// About how many bytes of text `items` hold (gzip counted decompressed; files not
    /// sniffed yet taken as gzip by their names).
    rest_text: f64,
    /// The memory every source found would need, taken as gzip, from the memory at the
    /// start; and the most one of them holds while it is parsed.
    worst_need: f64,
    worst_transient: f64,
    /// Whether first bytes are read at all (see above).
    sniff: bool,
    /// Files were planned by their names: the memory is measured before the next one.
    settle: bool,
    /// Bytes of text planned so far.
    planned_text: f64,
}

/// About how many bytes of text `source` holds, gzip or not.
fn text_estimate(source: &Source, gzip: bool) -> f64 {
    source_size(source) * if gzip { GZIP_RATIO } else { 1.0 }
}

/// What loading `source` costs the page's memory: what the store keeps, and what is held
/// only while the file is parsed (its own bytes, and for gzip the decompressed text; a
/// paste is in the page already).
fn cost(source: &Source, gzip: bool) -> (f64, f64) {
    let text = text_estimate(source, gzip);
    let transient = match source {
        Source::File(..) if gzip => source_size(source) + text,
        Source::File(..) => text,
        _ => 0.0,
    };
    (text * STORE_PER_INPUT_BYTE, transient)
}

/// Whether a source's name says gzip (a guess until its first bytes are read).
fn named_gzip(source: &Source) -> bool {
    source_name(source).ends_with(".gz")
}

impl Plan {
    fn new(state: AppState, feed: Rc<Feed>) -> Plan {
        let used = state.engine.memory.get_untracked();
        Plan {
            used,
            worst_need: used,
            worst_transient: 0.0,
            rest_text: 0.0,
            sniff: false,
            settle: false,
            planned_text: 0.0,
            state,
            feed,
            items: VecDeque::new(),
            gzip: VecDeque::new(),
            over: false,
        }
    }

    /// Takes the sources found since the last call.
    fn take_found(&mut self) {
        let found = self.feed.take();
        if found.is_empty() {
            return;
        }
        for s in &found {
            let (need, transient) = cost(s, true);
            self.worst_need += need;
            self.worst_transient = self.worst_transient.max(transient);
            self.rest_text += text_estimate(s, named_gzip(s));
        }
        self.items.extend(found);
        if !self.sniff && self.worst_need + self.worst_transient > MEMORY_BUDGET {
            self.sniff = true;
            self.settle = self.planned_text > 0.0;
        }
    }

    /// The next source that fits, with about how many bytes of text the batch holds
    /// from it on (gzip counted decompressed; files not sniffed yet by their names; while
    /// the walk goes on, as much again as planned so far, so that the worker's room
    /// grows by doubling). With `wait` false (files are loading), `None` when nothing
    /// found is ready to plan; with `wait` true, it waits for the walk, and `None` is the
    /// end of the batch.
    async fn next(&mut self, wait: bool) -> Option<(Source, f64)> {
        loop {
            self.take_found();
            if self.items.is_empty() {
                if self.feed.closed.get() || !wait {
                    return None;
                }
                self.feed.more().await;
                // (In a task of its own, not in the walk's that found the files.)
                next_task().await;
                continue;
            }
            if self.settle {
                // (The files planned so far have loaded once none is loading.)
                if !wait {
                    return None;
                }
                self.used = self.used.max(self.state.engine.memory.get_untracked());
                self.settle = false;
            }
            // (Past the budget every file is skipped: no need to read their first bytes.)
            if self.sniff && self.gzip.is_empty() && !self.over {
                let n = self.items.len().min(SNIFF_BATCH);
                let sniffed = sniff_gzip(self.items.range(..n)).await;
                for (s, &gzip) in self.items.iter().zip(&sniffed) {
                    self.rest_text += text_estimate(s, gzip) - text_estimate(s, named_gzip(s));
                }
                self.gzip.extend(sniffed);
            }
            let source = self.items.pop_front()?;
            let gzip = match self.gzip.pop_front() {
                Some(gzip) => gzip,
                None => !self.sniff && named_gzip(&source),
            };
            self.rest_text -= text_estimate(&source, gzip);
            let size = source_size(&source);
            if self.over {
                self.skip_over(&source, size);
                continue;
            }
            let text = text_estimate(&source, gzip);
            let (need, transient) = cost(&source, gzip);
            if self.used + need + transient > MEMORY_BUDGET {
                self.over = true;
                self.skip_over(&source, size);
                continue;
            }
            self.used += need;
            // (The files after it count only as far as the budget could take them: the
            // worker makes room ahead for this much.)
            let room = (MEMORY_BUDGET - self.used).max(0.0) / STORE_PER_INPUT_BYTE;
            let later = if self.feed.closed.get() {
                self.rest_text
            } else {
                self.rest_text.max(self.planned_text)
            };
            self.planned_text += text;
            return Some((source, text + later.clamp(0.0, room)));
        }
    }

    /// Names a source over the budget as skipped; it counts as done in the progress.
    fn skip_over(&self, source: &Source, size: f64) {
        skip(self.state, source, &over_reason());
        self.state.progress.file_done(size);
    }

    /// The sources not planned: once the walk has stopped, every one it found.
    async fn rest(self) -> Vec<Source> {
        let mut rest: Vec<Source> = self.items.into();
        loop {
            rest.extend(self.feed.take());
            if self.feed.closed.get() {
                return rest;
            }
            self.feed.more().await;
        }
    }
}

fn over_reason() -> String {
    format!(
        "not loaded: the page's memory would pass its {:.0} GiB budget (a browser tab has 4 GiB \
         for this page); remove some files or load fewer at a time",
        MEMORY_BUDGET / (1024.0 * 1024.0 * 1024.0)
    )
}

/// Files whose first bytes are asked for together: one read after another cost 700 ms
/// before the first of 250 files could start, and all at once is one 250 ms task
/// (making a slice of a file costs the page's thread about a millisecond).
const SNIFF_BATCH: usize = 16;

/// Whether each source is gzip, by its magic bytes rather than its name (the reads are
/// asked for together).
async fn sniff_gzip(items: impl Iterator<Item = &Source>) -> Vec<bool> {
    let heads: Vec<_> = items
        .map(|s| match s {
            Source::File(_, file) => Some(read_slice(file, 0.0, 2.0)),
            _ => None,
        })
        .collect();
    let mut out = Vec::with_capacity(heads.len());
    for head in heads {
        out.push(match head {
            Some(head) => is_gzip(head).await,
            None => false,
        });
    }
    out
}

/// Gzip by its first two bytes (the magic), not its name; a file that cannot be read
/// is not gzip.
async fn is_gzip(head: impl std::future::Future<Output = Result<Uint8Array, JsValue>>) -> bool {
    matches!(head.await, Ok(bytes) if bytes.to_vec() == [0x1f, 0x8b])
}

/// Milliseconds since the page started (`performance.now()`).
pub(crate) fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

/// The files of an `<input type=file>`, named by their relative path for folder pickers.
pub fn input_sources(input: &web_sys::HtmlInputElement) -> Vec<Source> {
    let mut out = Vec::new();
    if let Some(list) = input.files() {
        for i in 0..list.length() {
            if let Some(file) = list.get(i) {
                let rel = js_sys::Reflect::get(&file, &JsValue::from_str("webkitRelativePath"))
                    .ok()
                    .and_then(|v| v.as_string())
                    .filter(|s| !s.is_empty());
                let name = rel.unwrap_or_else(|| file.name());
                out.push(Source::File(name, file));
            }
        }
    }
    out.sort_by(|a, b| source_name(a).cmp(source_name(b)));
    out
}

fn source_name(s: &Source) -> &str {
    match s {
        Source::File(n, _) | Source::Bytes(n, _) => n,
        Source::Entry(_) | Source::Dropped(..) => "",
    }
}

/// What a drop carries. Entries and handles must be taken while the drop event runs
/// (the browser forgets them afterwards); they are walked later.
pub fn drop_sources(transfer: &DataTransfer) -> Vec<Source> {
    let mut out = Vec::new();
    let items = transfer.items();
    for i in 0..items.length() {
        let Some(item) = items.get(i) else { continue };
        if item.kind() != "file" {
            continue;
        }
        // (Chromium's; a browser without it throws, and the entry is walked instead.)
        let handle = item
            .unchecked_ref::<DroppedItem>()
            .get_as_file_system_handle()
            .ok();
        let source = match item.webkit_get_as_entry() {
            Ok(Some(entry)) => Source::Entry(entry),
            _ => match item.get_as_file() {
                Ok(Some(file)) => Source::File(file.name(), file),
                _ => continue,
            },
        };
        out.push(match handle {
            Some(handle) => Source::Dropped(handle, Box::new(source)),
            None => source,
        });
    }
    if out.is_empty() {
        if let Some(list) = transfer.files() {
            for i in 0..list.length() {
                if let Some(file) = list.get(i) {
                    out.push(Source::File(file.name(), file));
                }
            }
        }
    }
    out
}

#[wasm_bindgen]
extern "C" {
    /// A File System Access handle, `FileSystemFileHandle` or `FileSystemDirectoryHandle`
    /// (web-sys has them only behind its unstable flag; only what the walk uses is here).
    #[wasm_bindgen(extends = js_sys::Object)]
    type Handle;

    /// `"file"` or `"directory"`.
    #[wasm_bindgen(method, getter)]
    fn kind(this: &Handle) -> String;

    #[wasm_bindgen(method, getter)]
    fn name(this: &Handle) -> String;

    /// A file handle's `File`.
    #[wasm_bindgen(method, js_name = getFile)]
    fn get_file(this: &Handle) -> Promise;

    /// A directory handle's children.
    #[wasm_bindgen(method, catch)]
    fn values(this: &Handle) -> Result<js_sys::AsyncIterator, JsValue>;

    /// A `DataTransferItem`, with the method web-sys does not have.
    #[wasm_bindgen(extends = js_sys::Object)]
    type DroppedItem;

    /// The dropped item's handle (a promise of it, `null` for an item that is no file).
    #[wasm_bindgen(method, catch, js_name = getAsFileSystemHandle)]
    fn get_as_file_system_handle(this: &DroppedItem) -> Result<Promise, JsValue>;
}

/// A file a walk found, named by its path in the drop; its `File` is asked for later.
struct Found {
    path: String,
    ask: Box<dyn Fn() -> Promise>,
}

/// A folder's files (not asked for yet) and subfolders, each with its path in the drop.
type Listing<T> = (Vec<Found>, Vec<(String, T)>);

/// What an ordered walk ([`walk_ordered`]) has still to do: a run of one folder's files,
/// a folder, or a folder whose listing has started.
enum Step<T> {
    Files(Vec<Found>),
    Folder(String, T),
    Listing(oneshot::Receiver<Listing<T>>),
}

/// Walks a dropped item (`first`) and hands its files on to `finder` in the order of
/// their paths (the order sorting every path would give: the files panel lists them so,
/// whichever walk found them), each run of a folder's files as soon as the walk is
/// there. `list` lists a folder; the next [`FOLDERS_LISTED_AT_ONCE`] folders to come are
/// listed at once (each step of a listing waits on the browser, and their waits overlap).
/// Stops when loading is cancelled.
async fn walk_ordered<T: 'static, F>(
    first: Step<T>,
    finder: &mut Finder,
    list: impl Fn(String, T, LoadProgress) -> F,
) where
    F: std::future::Future<Output = Listing<T>> + 'static,
{
    let progress = finder.progress;
    let mut stack = vec![first];
    while let Some(step) = stack.pop() {
        if progress.cancel.get_untracked() {
            break;
        }
        // The listings of the next folders to come start now.
        let mut listing = 0;
        for s in stack.iter_mut().rev() {
            if listing == FOLDERS_LISTED_AT_ONCE {
                break;
            }
            *s = match std::mem::replace(s, Step::Files(Vec::new())) {
                Step::Folder(path, folder) => {
                    Step::Listing(in_background(list(path, folder, progress)))
                }
                other => other,
            };
            listing += usize::from(matches!(s, Step::Listing(_)));
        }
        let (files, folders) = match step {
            Step::Files(files) => {
                finder.take(files).await;
                continue;
            }
            Step::Folder(path, folder) => list(path, folder, progress).await,
            Step::Listing(rx) => match rx.await {
                Ok(listed) => listed,
                Err(_) => continue,
            },
        };
        // Its files and subfolders by path (a folder by the start of its files' paths:
        // `a/` comes after `a-b.json`), consecutive files in one run; the first on top.
        let mut children: Vec<(String, Step<T>)> = files
            .into_iter()
            .map(|f| (f.path.clone(), Step::Files(vec![f])))
            .chain(
                folders
                    .into_iter()
                    .map(|(path, folder)| (format!("{path}/"), Step::Folder(path, folder))),
            )
            .collect();
        children.sort_by(|a, b| a.0.cmp(&b.0));
        let mut steps: Vec<Step<T>> = Vec::new();
        for (_, child) in children {
            match (steps.last_mut(), child) {
                (Some(Step::Files(run)), Step::Files(files)) => run.extend(files),
                (_, child) => steps.push(child),
            }
        }
        stack.extend(steps.into_iter().rev());
    }
}

/// Runs `work` as a task of its own; its result comes on the channel returned.
fn in_background<T: 'static>(
    work: impl std::future::Future<Output = T> + 'static,
) -> oneshot::Receiver<T> {
    let (tx, rx) = oneshot::channel();
    wasm_bindgen_futures::spawn_local(async move {
        let _ = tx.send(work.await);
    });
    rx
}

/// Every file under a dropped handle, recursively, handed on as [`walk`] hands on those
/// under an entry (same paths, same order, counted and cancelled alike). False, with
/// nothing found, when the drop gave no handle; then the entry is walked.
///
/// Why handles first: for 9,359 files, Chromium gave the page every `File` of a dropped
/// folder in about 2 s through handles and 6 to 8 s through entries (the page's own thread
/// busy all along, about half a millisecond a file, in `FileSystemFileEntry.file()`).
async fn walk_handle(handle: Promise, finder: &mut Finder) -> bool {
    let root = match JsFuture::from(handle).await {
        Ok(root) if root.is_object() => root.unchecked_into::<Handle>(),
        _ => return false,
    };
    let first = if root.kind() == "file" {
        Step::Files(vec![Found {
            path: root.name(),
            ask: Box::new(move || root.get_file()),
        }])
    } else {
        Step::Folder(root.name(), root)
    };
    walk_ordered(first, finder, list_folder).await;
    true
}

/// Folders listed at once by [`walk_ordered`] (9,359 files in 94 folders: finding them
/// took 0.3 to 0.6 s less with four at once than with one).
const FOLDERS_LISTED_AT_ONCE: usize = 4;

/// The files and subfolders of the folder `path`; what was listed so far when loading
/// is cancelled.
async fn list_folder(path: String, folder: Handle, progress: LoadProgress) -> Listing<Handle> {
    let mut files = Vec::new();
    let mut folders = Vec::new();
    let Ok(children) = folder.values() else {
        return (files, folders);
    };
    loop {
        let Ok(next) = children.next() else { break };
        let Ok(step) = JsFuture::from(next).await else {
            break;
        };
        let step: js_sys::IteratorNext = step.unchecked_into();
        if step.done() || progress.cancel.get_untracked() {
            break;
        }
        let child: Handle = step.value().unchecked_into();
        let child_path = format!("{path}/{}", child.name());
        if child.kind() == "file" {
            files.push(Found {
                path: child_path,
                ask: Box::new(move || child.get_file()),
            });
        } else {
            folders.push((child_path, child));
        }
    }
    (files, folders)
}

/// Every file under an entry, recursively, with its path relative to the drop
/// (`AWSLogs/123456789012/CloudTrail/...`), handed on in the order of the paths (see
/// [`walk_ordered`]) and counted in `found` as they are. Stops early when loading is
/// cancelled.
async fn walk(root: FileSystemEntry, finder: &mut Finder) {
    let first = if root.is_directory() {
        Step::Folder(entry_path(&root), root.unchecked_into())
    } else if root.is_file() {
        Step::Files(vec![entry_found(root)])
    } else {
        return;
    };
    walk_ordered(first, finder, list_entries).await;
}

/// The files and subfolders of a folder entry; what was read so far when loading is
/// cancelled. (`readEntries` gives a batch at a time, a hundred in Chromium, until it
/// gives none.)
async fn list_entries(
    _path: String,
    folder: FileSystemDirectoryEntry,
    progress: LoadProgress,
) -> Listing<FileSystemDirectoryEntry> {
    let mut files = Vec::new();
    let mut folders = Vec::new();
    let reader = folder.create_reader();
    loop {
        let batch = JsFuture::from(callback(|ok, err| {
            let _ = reader.read_entries_with_callback_and_callback(&ok, &err);
        }))
        .await;
        let Ok(batch) = batch else { break };
        let batch: Array = batch.unchecked_into();
        if batch.length() == 0 || progress.cancel.get_untracked() {
            break;
        }
        for child in batch.iter() {
            let child: FileSystemEntry = child.unchecked_into();
            if child.is_file() {
                files.push(entry_found(child));
            } else if child.is_directory() {
                folders.push((entry_path(&child), child.unchecked_into()));
            }
        }
    }
    (files, folders)
}

/// What each of the promises in `asked` gave, once all have settled (`None` for those
/// that failed).
async fn settled(asked: &Array) -> Vec<Option<JsValue>> {
    let Ok(results) = JsFuture::from(Promise::all_settled(asked)).await else {
        return vec![None; asked.length() as usize];
    };
    results
        .unchecked_into::<Array>()
        .iter()
        .map(|r| {
            let ok = js_sys::Reflect::get(&r, &"status".into())
                .ok()
                .and_then(|s| s.as_string())
                .is_some_and(|s| s == "fulfilled");
            ok.then(|| js_sys::Reflect::get(&r, &"value".into()).ok())
                .flatten()
        })
        .collect()
}

/// An entry's path in the drop (`logs/AWSLogs/...`).
fn entry_path(entry: &FileSystemEntry) -> String {
    let path = entry.full_path().trim_start_matches('/').to_string();
    if path.is_empty() {
        entry.name()
    } else {
        path
    }
}

/// A file entry found by [`walk`], named by its path in the drop.
fn entry_found(entry: FileSystemEntry) -> Found {
    Found {
        path: entry_path(&entry),
        ask: Box::new(move || {
            let entry: &FileSystemFileEntry = entry.unchecked_ref();
            callback(|ok, err| entry.file_with_callback_and_callback(&ok, &err))
        }),
    }
}

impl Finder {
    /// The `File`s of `files`, asked for a few at a time and handed on a hundred at a
    /// time, counted in `found`. A file the browser cannot open is left out, as an
    /// unreadable folder is. Stops when loading is cancelled.
    async fn take(&mut self, files: Vec<Found>) {
        for run in files.chunks(FILES_HANDED_AT_ONCE) {
            if self.progress.cancel.get_untracked() {
                break;
            }
            let mut found = Vec::with_capacity(run.len());
            for chunk in run.chunks(FILES_ASKED_AT_ONCE) {
                let asked: Array = chunk.iter().map(|f| (f.ask)()).collect();
                for (f, file) in chunk.iter().zip(settled(&asked).await) {
                    if let Some(file) = file.and_then(|f| f.dyn_into::<File>().ok()) {
                        found.push((f.path.clone(), file));
                    }
                }
            }
            self.progress.found.update(|n| *n += found.len() as u32);
            self.hand(found).await;
        }
    }
}

/// Files of a folder asked for at once while walking it: asking costs the page's thread
/// about half a millisecond a file, so a hundred at once made tasks of 80 to 120 ms
/// (9,359 files: none over 50 ms in the walk with 25, and no slower).
const FILES_ASKED_AT_ONCE: usize = 25;

/// Files found handed on to the batch's plan at once (a folder of an S3 trail holds
/// about a hundred).
const FILES_HANDED_AT_ONCE: usize = 100;

/// A promise settled by a success/error callback API.
fn callback(start: impl FnOnce(js_sys::Function, js_sys::Function)) -> Promise {
    let mut start = Some(start);
    Promise::new(&mut |resolve, reject| {
        if let Some(start) = start.take() {
            start(resolve, reject);
        }
    })
}
