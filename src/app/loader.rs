//! Getting bytes out of the browser and into the engine: file and folder pickers, drops
//! of files and whole directory trees, pasted text and the built-in sample.
//!
//! Loading is one file at a time, yielding to the event loop between files so the page
//! stays responsive and `data-busy` is visible; views are notified now and then during a
//! long batch and once at its end, so they recompute a few times, not once per file.

use js_sys::{Array, Promise, Uint8Array};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{DataTransfer, File, FileSystemDirectoryEntry, FileSystemEntry, FileSystemFileEntry};

use super::state::AppState;

/// Something to load.
pub enum Source {
    /// A browser file with the name to show (relative path for folder loads).
    File(String, File),
    /// Bytes already in memory (paste, sample).
    Bytes(String, Vec<u8>),
    /// A dropped file or directory, walked when the batch runs.
    Entry(FileSystemEntry),
}

/// How long a batch may run before the views are refreshed with what is loaded so far;
/// stretched when refreshing is slow (a big store), so refreshes take at most about a
/// fifth of the load time.
const PUBLISH_EVERY_MS: f64 = 700.0;

/// Loads sources in order, in the background. Marks the app busy at once (before the
/// first await) so a test or a person never sees an idle page with a load pending.
pub fn load(state: AppState, sources: Vec<Source>) {
    if sources.is_empty() {
        return;
    }
    state.loading.update(|n| *n += 1);
    wasm_bindgen_futures::spawn_local(async move {
        let mut last_publish = now();
        let mut every = PUBLISH_EVERY_MS;
        for source in sources {
            match source {
                Source::Bytes(name, bytes) => {
                    state.engine.load(&name, &bytes);
                }
                Source::File(name, file) => load_file(state, name, file).await,
                Source::Entry(entry) => {
                    let mut files = Vec::new();
                    walk(entry, &mut files).await;
                    for (name, file) in files {
                        load_file(state, name, file).await;
                        gloo::timers::future::TimeoutFuture::new(0).await;
                    }
                }
            }
            if now() - last_publish > every {
                // Views recompute while this task yields; time that to space the next refresh.
                let start = now();
                state.engine.publish();
                gloo::timers::future::TimeoutFuture::new(0).await;
                last_publish = now();
                every = PUBLISH_EVERY_MS.max((last_publish - start) * 4.0);
            } else {
                gloo::timers::future::TimeoutFuture::new(0).await;
            }
        }
        state.engine.publish();
        state.loading.update(|n| *n = n.saturating_sub(1));
    });
}

fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

async fn load_file(state: AppState, name: String, file: File) {
    match read_bytes(&file).await {
        Ok(bytes) => {
            state.engine.load(&name, &bytes);
        }
        Err(reason) => state.read_errors.update(|v| v.push((name, reason))),
    }
}

/// The whole content of a file.
async fn read_bytes(file: &File) -> Result<Vec<u8>, String> {
    let buffer = JsFuture::from(file.array_buffer())
        .await
        .map_err(|e| format!("the browser could not read the file ({})", js_text(&e)))?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

fn js_text(v: &JsValue) -> String {
    v.as_string()
        .or_else(|| {
            v.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| "unknown error".into())
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
        Source::Entry(_) => "",
    }
}

/// What a drop carries. Entries must be taken while the drop event runs (the browser
/// forgets them afterwards); they are walked later.
pub fn drop_sources(transfer: &DataTransfer) -> Vec<Source> {
    let mut out = Vec::new();
    let items = transfer.items();
    for i in 0..items.length() {
        let Some(item) = items.get(i) else { continue };
        if item.kind() != "file" {
            continue;
        }
        match item.webkit_get_as_entry() {
            Ok(Some(entry)) => out.push(Source::Entry(entry)),
            _ => {
                if let Ok(Some(file)) = item.get_as_file() {
                    out.push(Source::File(file.name(), file));
                }
            }
        }
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

/// Every file under an entry, recursively, with its path relative to the drop
/// (`AWSLogs/123456789012/CloudTrail/...`), sorted by path.
async fn walk(root: FileSystemEntry, out: &mut Vec<(String, File)>) {
    let mut stack = vec![root];
    let mut found = Vec::new();
    while let Some(entry) = stack.pop() {
        let path = entry.full_path().trim_start_matches('/').to_string();
        let path = if path.is_empty() { entry.name() } else { path };
        if entry.is_directory() {
            let dir: FileSystemDirectoryEntry = entry.unchecked_into();
            let reader = dir.create_reader();
            // readEntries returns a batch at a time (100 in Chromium) until it returns none.
            loop {
                let batch = callback_promise(|ok, err| {
                    let _ = reader.read_entries_with_callback_and_callback(&ok, &err);
                })
                .await;
                let Ok(batch) = batch else { break };
                let batch: Array = batch.unchecked_into();
                if batch.length() == 0 {
                    break;
                }
                for child in batch.iter() {
                    stack.push(child.unchecked_into());
                }
            }
        } else if entry.is_file() {
            let file_entry: FileSystemFileEntry = entry.unchecked_into();
            let file =
                callback_promise(|ok, err| file_entry.file_with_callback_and_callback(&ok, &err))
                    .await;
            if let Ok(file) = file {
                found.push((path, file.unchecked_into::<File>()));
            }
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    out.extend(found);
}

/// Turns a success/error callback API into a future.
async fn callback_promise(
    start: impl FnOnce(js_sys::Function, js_sys::Function),
) -> Result<JsValue, JsValue> {
    let mut start = Some(start);
    let promise = Promise::new(&mut |resolve, reject| {
        if let Some(start) = start.take() {
            start(resolve, reject);
        }
    });
    JsFuture::from(promise).await
}
