//! The engine's Web Worker. The page never holds the engine: it sends [`protocol::Request`]s
//! to a worker that owns the store ([`host`]) and shows the answers, so parsing a gigabyte
//! or scanning a million events never blocks the page's thread, and a panic in the engine
//! kills only the worker (the page starts a new one and reloads the other files).
//!
//! Trunk builds the worker from `src/bin/engine_worker.rs` (`data-type="worker"` in
//! index.html) with a loader shim, `engine_worker_loader.js`, next to the page.

pub mod head;
pub mod host;
pub mod protocol;
pub mod reader;
pub mod warm;

use js_sys::Uint8Array;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::File;

/// Starts reading bytes `[start, end)` of `file` (the browser begins at once, before the
/// future is awaited); the future gives them. The page reads the first bytes of files
/// with it to tell gzip. (Loads read with [`reader::FileStream`].)
pub fn read_slice(
    file: &File,
    start: f64,
    end: f64,
) -> impl std::future::Future<Output = Result<Uint8Array, JsValue>> {
    // The future is made now, so the read's failure is handled even when the future is
    // dropped unawaited.
    let reading = file
        .slice_with_f64_and_f64(start, end)
        .map(|blob| JsFuture::from(blob.array_buffer()));
    async move {
        let buffer = reading?.await?;
        Ok(Uint8Array::new(&buffer))
    }
}

/// Resolves in a new task of this thread (the page's or a worker's), after the messages
/// and input that came meanwhile have been handled: a message to itself (unlike a
/// timer, never delayed to 4 ms when chained).
pub async fn next_task() {
    let promise = js_sys::Promise::new(
        &mut |resolve, _reject| match web_sys::MessageChannel::new() {
            Ok(channel) => {
                channel.port1().set_onmessage(Some(resolve.unchecked_ref()));
                if channel.port2().post_message(&JsValue::NULL).is_err() {
                    let _ = resolve.call0(&JsValue::NULL);
                }
            }
            Err(_) => {
                let _ = resolve.call0(&JsValue::NULL);
            }
        },
    );
    let _ = JsFuture::from(promise).await;
}

/// The worker's loader script, relative to the page.
pub const LOADER_URL: &str = "./engine_worker_loader.js";
