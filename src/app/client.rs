//! The one door to the engine, which lives in a Web Worker (`crate::worker`). Requests go
//! out as messages and come back as futures; the answer to the views' request is kept in
//! one signal, [`EngineHandle::data`], that every panel reads, so a view change costs one
//! round trip and the page's thread never scans events.
//!
//! The handle also keeps what it needs to survive the worker: the `File` of every loaded
//! file. When the engine panics (or the worker dies any other way), the waiting requests
//! fail with the reason, a new worker starts, and the kept files are loaded into it again;
//! the file being loaded when it died is not (the loader shows it as failed).

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use futures_channel::oneshot;
use js_sys::{Array, Uint8Array};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{ErrorEvent, File, MessageEvent, Worker, WorkerOptions, WorkerType};

use crate::worker::protocol::{FromWorker, Reply, Request, ToWorker, ViewData, ViewSpec};
use crate::worker::LOADER_URL;
use trailscope_core::report::FileReport;

/// Worker deaths in a row (without a view answered in between) after which it is not
/// started again.
const MAX_DEATHS: u32 = 3;
/// Frames a view of a load takes to draw whole: the table's rows over two or three,
/// the sidebar and the timeline a frame after the table.
const DRAW_FRAMES: u32 = 3;

type Waiter = oneshot::Sender<Result<Reply, String>>;
type Answer = oneshot::Receiver<Result<Reply, String>>;
type Progress = Rc<dyn Fn(f64, usize)>;
type Handler = Closure<dyn FnMut(JsValue)>;

/// A loaded file, kept to load it again into a new worker.
struct Kept {
    file_id: u32,
    name: String,
    file: File,
}

/// The connection to the current worker.
#[derive(Default)]
struct Conn {
    worker: RefCell<Option<Worker>>,
    ready: Cell<bool>,
    /// Messages posted before the worker said Ready.
    queue: RefCell<Vec<JsValue>>,
    next_id: Cell<u32>,
    waiting: RefCell<HashMap<u32, Waiter>>,
    kept: RefCell<Vec<Kept>>,
    /// Called with (bytes of the current file, events) while the load with this request
    /// id runs (progress of other loads is not shown).
    on_progress: RefCell<Option<(u32, Progress)>>,
    /// Keeps the handlers of every worker started alive (one pair per worker).
    handlers: RefCell<Vec<Handler>>,
    /// Counts the workers started; a death report names the worker it is about.
    generation: Cell<u32>,
    /// Worker deaths since the last view answer (a view that kills the worker every time
    /// must not restart it forever).
    deaths: Cell<u32>,
    /// A view request is out; the newest spec asked meanwhile waits here.
    view_out: Cell<bool>,
    view_next: RefCell<Option<ViewSpec>>,
    /// The files list of the last view answer that had one: the worker sends it only
    /// when it changed.
    files: RefCell<Vec<FileReport>>,
}

/// A load sent to the worker and not answered yet (see [`EngineHandle::start_load`]).
pub struct PendingLoad {
    /// The request's id (0 when it could not be sent).
    id: u32,
    name: String,
    file: File,
    answer: Answer,
}

impl PendingLoad {
    /// The request's id, which the worker's progress reports name.
    pub fn id(&self) -> u32 {
        self.id
    }
}

/// Bytes already in the page (a paste, the sample) as a `File` the worker can read.
pub fn file_from_bytes(name: &str, bytes: &[u8]) -> Result<File, String> {
    let parts = Array::of1(&Uint8Array::from(bytes));
    File::new_with_u8_array_sequence(&parts, name)
        .map_err(|_| "the browser could not hold this text as a file".to_string())
}

/// Handle on the engine's worker, `Copy`, shared through the app state.
#[derive(Clone, Copy)]
pub struct EngineHandle {
    conn: StoredValue<Rc<Conn>, LocalStorage>,
    /// The latest views, as the worker computed them.
    pub data: RwSignal<Arc<ViewData>>,
    /// Content version the views show; [`Self::publish`] raises it to the worker's.
    published: RwSignal<u64>,
    /// The worker's content version, from its latest answer.
    latest: RwSignal<u64>,
    /// Requests not answered yet (view requests count until their answer is shown).
    pending: RwSignal<u32>,
    /// The worker's wasm memory, bytes.
    pub memory: RwSignal<f64>,
    /// Why the worker last died, if it did.
    pub crash: RwSignal<Option<String>>,
    /// The worker is reloading files after a crash.
    pub recovering: RwSignal<bool>,
    /// The worker has warmed its code up (`FromWorker::Warm`).
    pub warm: RwSignal<bool>,
    /// Content was published and the views have not been answered since.
    refreshing: RwSignal<bool>,
    /// The views as the sidebar's panels (facets, presets, files) and the timeline
    /// show them: the same as [`Self::data`], except while files load, when they
    /// follow a frame later, so that the page draws a view in two halves instead of
    /// one long task. A head answer changes only [`Self::data`]: these panels keep
    /// the view before until its whole answer.
    pub side: RwSignal<Arc<ViewData>>,
    /// The sidebar is waiting for its frame.
    side_behind: RwSignal<bool>,
}

impl EngineHandle {
    /// Starts the worker.
    pub fn new() -> Self {
        let handle = EngineHandle {
            conn: StoredValue::new_local(Rc::new(Conn::default())),
            data: RwSignal::new(Arc::new(ViewData::default())),
            published: RwSignal::new(0),
            latest: RwSignal::new(0),
            pending: RwSignal::new(0),
            memory: RwSignal::new(0.0),
            crash: RwSignal::new(None),
            recovering: RwSignal::new(false),
            warm: RwSignal::new(false),
            refreshing: RwSignal::new(false),
            side: RwSignal::new(Arc::new(ViewData::default())),
            side_behind: RwSignal::new(false),
        };
        handle.spawn();
        handle
    }

    fn conn(&self) -> Rc<Conn> {
        self.conn.get_value()
    }

    fn spawn(&self) {
        let conn = self.conn();
        let options = WorkerOptions::new();
        options.set_type(WorkerType::Classic);
        let worker = match Worker::new_with_options(LOADER_URL, &options) {
            Ok(w) => w,
            Err(_) => {
                self.crash.set(Some(
                    "the browser refused to start the engine's worker".into(),
                ));
                return;
            }
        };
        let this = *self;
        let generation = conn.generation.get().wrapping_add(1);
        conn.generation.set(generation);
        let on_message = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
            let Ok(e) = e.dyn_into::<MessageEvent>() else {
                return;
            };
            // JSON text, or [JSON text, text] when an answer's text travels beside it.
            let data = e.data();
            let (envelope, text) = match data.dyn_ref::<Array>() {
                Some(pair) => (pair.get(0).as_string(), pair.get(1).as_string()),
                None => (data.as_string(), None),
            };
            if let Ok(mut msg) = serde_json::from_str::<FromWorker>(&envelope.unwrap_or_default()) {
                if let (FromWorker::Reply { reply, .. }, Some(text)) = (&mut msg, text) {
                    if let Reply::Export(t) = reply.as_mut() {
                        *t = text;
                    }
                }
                this.receive(generation, msg);
            }
        });
        let on_error = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
            let message = e
                .dyn_ref::<ErrorEvent>()
                .map(|e| e.message())
                .filter(|m| !m.is_empty())
                .unwrap_or_else(|| "the engine's worker stopped".into());
            // A panic also posts its own message just before the trap this error reports;
            // give that plainer reason a moment to arrive first.
            gloo::timers::callback::Timeout::new(100, move || this.died(generation, message))
                .forget();
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        // The old worker's handlers may be running right now (this is called from them
        // when the worker dies): they are kept, never dropped while in use.
        conn.handlers.borrow_mut().extend([on_message, on_error]);
        conn.ready.set(false);
        self.warm.set(false);
        conn.worker.replace(Some(worker));
    }

    fn receive(&self, generation: u32, msg: FromWorker) {
        let conn = self.conn();
        match msg {
            FromWorker::Ready => {
                conn.ready.set(true);
                let queued = std::mem::take(&mut *conn.queue.borrow_mut());
                if let Some(w) = conn.worker.borrow().as_ref() {
                    for m in queued {
                        let _ = w.post_message(&m);
                    }
                }
            }
            // (Only from the current worker: a dead one's late word says nothing.)
            FromWorker::Warm if generation == conn.generation.get() => self.warm.set(true),
            FromWorker::Warm => {}
            FromWorker::Reply {
                id,
                reply,
                memory,
                version,
            } => {
                self.memory.set(memory);
                if self.latest.get_untracked() != version {
                    self.latest.set(version);
                }
                let waiter = conn.waiting.borrow_mut().remove(&id);
                if let Some(w) = waiter {
                    let _ = w.send(Ok(*reply));
                }
            }
            FromWorker::Head { id, view } => {
                if conn.waiting.borrow().contains_key(&id) {
                    self.show_head(*view);
                }
            }
            FromWorker::Progress { id, bytes, events } => {
                let cb = conn.on_progress.borrow().clone();
                if let Some((_, cb)) = cb.filter(|(of, _)| *of == id) {
                    cb(bytes, events);
                }
            }
            FromWorker::Crashed { message } => self.died(generation, message),
            FromWorker::Batch(messages) => {
                for msg in messages {
                    self.receive(generation, msg);
                }
            }
        }
    }

    /// The worker is gone: fail what waits on it, start another, and reload the kept
    /// files into it, in their order.
    fn died(&self, generation: u32, message: String) {
        let conn = self.conn();
        // The panic hook's message and the error event both report one death; only the
        // first report about the current worker counts.
        if generation != conn.generation.get() {
            return;
        }
        let Some(worker) = conn.worker.borrow_mut().take() else {
            return;
        };
        worker.terminate();
        let reason = format!("the engine hit an internal error ({message})");
        web_sys::console::warn_1(&JsValue::from_str(&format!(
            "Trailscope: {reason}; restarting the engine"
        )));
        let waiting: Vec<Waiter> = conn.waiting.borrow_mut().drain().map(|(_, w)| w).collect();
        for w in waiting {
            let _ = w.send(Err(reason.clone()));
        }
        self.pending.set(0);
        let deaths = conn.deaths.get() + 1;
        conn.deaths.set(deaths);
        if deaths >= MAX_DEATHS {
            self.recovering.set(false);
            self.crash.set(Some(format!(
                "{reason}; it stopped {deaths} times in a row, so it was not started again: \
                 reload the page to start over"
            )));
            return;
        }
        // The new worker counts its answers from one again.
        self.data.update(|d| Arc::make_mut(d).seq = 0);
        self.crash.set(Some(reason));
        self.spawn();
        let kept = std::mem::take(&mut *conn.kept.borrow_mut());
        if kept.is_empty() {
            self.publish_now();
            return;
        }
        self.recovering.set(true);
        // Queued now, before anything else is asked of the new worker, so the files keep
        // their order. If the new worker dies too, what is left is dropped, not retried.
        let loads: Vec<_> = kept
            .into_iter()
            .map(|k| {
                let rx = self.send(
                    Request::Load {
                        name: k.name.clone(),
                        expect_bytes: 0.0,
                        restore: true,
                    },
                    Some(&k.file),
                );
                (k, rx)
            })
            .collect();
        let this = *self;
        wasm_bindgen_futures::spawn_local(async move {
            for (k, rx) in loads {
                let reply = this.finish(rx).await;
                this.keep(&reply, &k.name, &k.file);
            }
            this.recovering.set(false);
            this.publish_now();
        });
    }

    fn post(&self, id: u32, request: Request, file: Option<&File>) {
        let conn = self.conn();
        let Ok(msg) = serde_wasm_bindgen::to_value(&ToWorker { id, request }) else {
            return;
        };
        let msg = match file {
            Some(f) => Array::of2(&msg, f).into(),
            None => msg,
        };
        if conn.ready.get() {
            if let Some(w) = conn.worker.borrow().as_ref() {
                let _ = w.post_message(&msg);
            }
        } else {
            conn.queue.borrow_mut().push(msg);
        }
    }

    /// Sends a request and waits for its answer; `Err` when the worker died meanwhile.
    pub async fn call(&self, request: Request) -> Result<Reply, String> {
        self.call_with(request, None).await
    }

    async fn call_with(&self, request: Request, file: Option<&File>) -> Result<Reply, String> {
        let rx = self.send(request, file);
        self.finish(rx).await
    }

    /// Posts a request at once (queued until the worker is ready); its answer comes
    /// through the receiver, which [`Self::finish`] awaits.
    fn send(&self, request: Request, file: Option<&File>) -> Answer {
        self.send_with_id(request, file).1
    }

    /// [`Self::send`], with the request's id (0 when it could not be sent).
    fn send_with_id(&self, request: Request, file: Option<&File>) -> (u32, Answer) {
        let conn = self.conn();
        let (tx, rx) = oneshot::channel();
        if conn.worker.borrow().is_none() {
            let _ = tx.send(Err("the engine's worker is not running".into()));
            return (0, rx);
        }
        let id = conn.next_id.get().wrapping_add(1).max(1);
        conn.next_id.set(id);
        conn.waiting.borrow_mut().insert(id, tx);
        self.pending.update(|n| *n += 1);
        self.post(id, request, file);
        (id, rx)
    }

    async fn finish(&self, rx: Answer) -> Result<Reply, String> {
        let answer = rx
            .await
            .unwrap_or_else(|_| Err("the engine's worker stopped".into()));
        self.pending.update(|n| *n = n.saturating_sub(1));
        answer
    }

    /// Remembers a loaded file, to load it again should the worker die.
    fn keep(&self, reply: &Result<Reply, String>, name: &str, file: &File) {
        if let Ok(Reply::Loaded {
            report: Some(report),
            ..
        }) = reply
        {
            self.conn().kept.borrow_mut().push(Kept {
                file_id: report.id,
                name: name.to_string(),
                file: file.clone(),
            });
        }
    }

    /// Sets what is told of the progress of the load with request id `id`.
    pub fn on_progress(&self, id: u32, cb: impl Fn(f64, usize) + 'static) {
        self.conn().on_progress.replace(Some((id, Rc::new(cb))));
    }

    /// Sends a file to load now, behind whatever the worker is doing; its answer
    /// ([`Reply::Loaded`]) is awaited with [`Self::finish_load`]. Sending the next file
    /// before the current one is done keeps the worker from waiting for the page.
    /// `expect_bytes`: about how much text this file and the ones sent after it hold.
    pub fn start_load(&self, name: &str, file: &File, expect_bytes: f64) -> PendingLoad {
        let request = Request::Load {
            name: name.to_string(),
            expect_bytes,
            restore: false,
        };
        let (id, answer) = self.send_with_id(request, Some(file));
        PendingLoad {
            id,
            name: name.to_string(),
            file: file.clone(),
            answer,
        }
    }

    /// Sends a load again whose answer was lost because the worker died while it waited
    /// behind another file (it was never read, so it is not to blame).
    pub fn restart_load(&self, load: PendingLoad) -> PendingLoad {
        self.start_load(&load.name, &load.file, 0.0)
    }

    /// Waits for a load's answer, and keeps the file should the worker die later.
    pub async fn finish_load(&self, load: PendingLoad) -> Result<Reply, String> {
        let reply = self.finish(load.answer).await;
        self.keep(&reply, &load.name, &load.file);
        reply
    }

    /// Asks the running load to stop at its next chunk.
    pub fn cancel(&self) {
        let this = *self;
        wasm_bindgen_futures::spawn_local(async move {
            let _ = this.call(Request::Cancel).await;
        });
    }

    /// Removes a file and its events, then refreshes the views.
    pub fn remove_file(&self, file_id: u32) {
        let this = *self;
        wasm_bindgen_futures::spawn_local(async move {
            if let Ok(Reply::Removed(true)) = this.call(Request::Remove { file_id }).await {
                this.conn()
                    .kept
                    .borrow_mut()
                    .retain(|k| k.file_id != file_id);
                this.publish_now();
            }
        });
    }

    /// Lets the views catch up with what the worker holds now (they recompute once).
    pub fn publish(&self) {
        let latest = self.latest.get_untracked();
        if self.published.get_untracked() != latest {
            self.refreshing.set(true);
            self.published.set(latest);
        }
    }

    /// Refreshes the views even if the content version looks the same.
    fn publish_now(&self) {
        self.refreshing.set(true);
        self.published.update(|v| *v = v.wrapping_add(1_000_000));
    }

    /// The published content version (tracked): views recompute when it moves.
    pub fn version(&self) -> u64 {
        self.published.get()
    }

    /// Whether requests are waiting for answers (tracked).
    pub fn busy(&self) -> bool {
        self.pending.get() > 0
            || self.recovering.get()
            || self.refreshing.get()
            || self.side_behind.get()
    }

    /// Tells the worker, once the page has drawn the view `seq` of a load (the table
    /// fills its window over [`DRAW_FRAMES`] frames, the sidebar and timeline a frame
    /// after it), that parsing may go on: the worker holds it after the first view with
    /// events, the page's first full render.
    fn say_drawn(&self, seq: u64) {
        let this = *self;
        wasm_bindgen_futures::spawn_local(async move {
            for _ in 0..DRAW_FRAMES {
                after_next_frame().await;
            }
            this.post(0, Request::Drawn { seq }, None);
        });
    }

    /// Shows the latest views in the sidebar: at once, or (`later`) after the page has
    /// drawn the rest of them.
    fn show_side(&self, later: bool) {
        if !later {
            self.sync_side();
            return;
        }
        if self.side_behind.get_untracked() {
            // A frame is awaited already: it shows the newest views.
            return;
        }
        self.side_behind.set(true);
        let this = *self;
        wasm_bindgen_futures::spawn_local(async move {
            after_next_frame().await;
            if this.side_behind.get_untracked() {
                this.sync_side();
            }
        });
    }

    /// The sidebar shows the latest views now.
    fn sync_side(&self) {
        self.side_behind.set(false);
        self.side.set(self.data.get_untracked());
    }

    /// Shows a view's head answer: its counts and first rows, with the panels of the
    /// views shown before until the whole answer comes.
    fn show_head(&self, head: ViewData) {
        if head.seq <= self.data.with_untracked(|d| d.seq) {
            return;
        }
        self.data.update(|d| {
            let d = Arc::make_mut(d);
            d.seq = head.seq;
            d.version = head.version;
            d.total = head.total;
            d.query_error = head.query_error;
            d.matched = head.matched;
            d.view_len = head.view_len;
            d.rows = head.rows;
            d.parts = head.parts;
            d.partial = true;
        });
    }

    /// Asks for the views of `spec`; the answer lands in [`Self::data`]. While one view
    /// request is out, only the newest of the specs asked meanwhile is sent after it.
    pub fn request_view(&self, spec: ViewSpec) {
        let conn = self.conn();
        if conn.view_out.get() {
            if conn.view_next.replace(Some(spec)).is_none() {
                self.pending.update(|n| *n += 1);
            }
            return;
        }
        conn.view_out.set(true);
        let this = *self;
        wasm_bindgen_futures::spawn_local(async move {
            let mut spec = spec;
            loop {
                let loading = spec.loading;
                let answer = this.call(Request::View(Box::new(spec))).await;
                if let Ok(Reply::View(mut data)) = answer {
                    let conn = this.conn();
                    conn.deaths.set(0);
                    match &data.files {
                        Some(files) => conn.files.borrow_mut().clone_from(files),
                        None => data.files = Some(conn.files.borrow().clone()),
                    }
                    // (The whole answer has its head's seq.)
                    let newer = this
                        .data
                        .with_untracked(|d| data.seq > d.seq || (data.seq == d.seq && d.partial));
                    if newer {
                        let seq = data.seq;
                        this.data.set(Arc::new(*data));
                        this.show_side(loading);
                        if loading {
                            this.say_drawn(seq);
                        }
                    }
                }
                let next = this.conn().view_next.borrow_mut().take();
                match next {
                    Some(next) => {
                        this.pending.update(|n| *n = n.saturating_sub(1));
                        spec = next;
                    }
                    None => break,
                }
            }
            this.conn().view_out.set(false);
            // Every view asked for so far is answered (a publish is always followed by a
            // view request before any answer can arrive).
            this.refreshing.set(false);
        });
    }
}

/// Resolves once the page has drawn its next frame (a timer set from the frame's
/// callback runs after the frame's rendering), or after a second, since a hidden tab
/// draws no frames (a visible one draws long before).
async fn after_next_frame() {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let Some(window) = web_sys::window() else {
            let _ = resolve.call0(&JsValue::NULL);
            return;
        };
        let then = window.clone();
        let after = resolve.clone();
        let on_frame = Closure::once_into_js(move || {
            let _ = then.set_timeout_with_callback(after.unchecked_ref());
        });
        let _ = window.request_animation_frame(on_frame.unchecked_ref());
        let _ = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(resolve.unchecked_ref(), 1000);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

impl Default for EngineHandle {
    fn default() -> Self {
        Self::new()
    }
}
