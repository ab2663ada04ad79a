//! The engine's Web Worker. The page never holds the engine: it sends [`protocol::Request`]s
//! to a worker that owns the store ([`host`]) and shows the answers, so parsing a gigabyte
//! or scanning a million events never blocks the page's thread, and a panic in the engine
//! kills only the worker (the page starts a new one and reloads the other files).
//!
//! Trunk builds the worker from `src/bin/engine_worker.rs` (`data-type="worker"` in
//! index.html) with a loader shim, `engine_worker_loader.js`, next to the page.

pub mod host;
pub mod protocol;

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;

use js_sys::{ArrayBuffer, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{future_to_promise, JsFuture};
use web_sys::{
    File, ReadableStreamByobReader, ReadableStreamGetReaderOptions, ReadableStreamReaderMode,
};

/// Starts reading bytes `[start, end)` of `file` (the browser begins at once, before the
/// future is awaited); the future gives them. The page reads the first bytes of files
/// with it to tell gzip. (Loads read with [`FileStream`]: the buffer `Blob.arrayBuffer()`
/// makes is held by the browser until a garbage collection.)
pub fn read_slice(
    file: &File,
    start: f64,
    end: f64,
) -> impl std::future::Future<Output = Result<Uint8Array, JsValue>> {
    // The future is made now, so the read's failure is handled even when the future is
    // dropped unawaited (a read ahead that a Cancel made useless).
    let reading = file
        .slice_with_f64_and_f64(start, end)
        .map(|blob| JsFuture::from(blob.array_buffer()));
    async move {
        let buffer = reading?.await?;
        Ok(Uint8Array::new(&buffer))
    }
}

/// Slices a load reads at once. The browser's stream hands out up to 2 MiB a read (about
/// 100 KiB on average); a slice of a few MiB is one promise to the engine and one copy.
pub const SLICE_BYTES: u32 = 4 << 20;
/// Spare slice buffers kept for the next reads (one being copied, one being filled, one
/// for the next file's first slice).
const SPARE_BUFFERS: usize = 3;

thread_local! {
    static SPARE: RefCell<Vec<ArrayBuffer>> = const { RefCell::new(Vec::new()) };
}

/// A slice of a file being read by the browser.
pub type Slice = Pin<Box<dyn Future<Output = Result<Uint8Array, JsValue>>>>;

/// A file read as a byte stream into a few reused buffers.
///
/// `Blob.arrayBuffer()` gives a new buffer per slice, and Chromium's wrapper keeps it
/// until a garbage collection: during a 1 GB load that was up to 25 slices of 4 MiB
/// beside the store (and with `ArrayBuffer.prototype.transfer(0)`, which hides their
/// size from the collector, all of them in a page that does nothing else). A BYOB
/// reader fills buffers the worker hands it, so the same three buffers serve the
/// whole load. Dropping it stops the reading (a slice being filled ends with what it
/// has).
pub struct FileStream {
    reader: ReadableStreamByobReader,
}

impl FileStream {
    /// Opens `file` for reading.
    pub fn open(file: &File) -> Result<FileStream, JsValue> {
        let options = ReadableStreamGetReaderOptions::new();
        options.set_mode(ReadableStreamReaderMode::Byob);
        let reader = file.stream().get_reader_with_options(&options).dyn_into()?;
        Ok(FileStream { reader })
    }

    /// Starts filling the next slice of up to [`SLICE_BYTES`] (at once, and on to its
    /// end, even before the future is polled); the future gives the bytes, fewer only at
    /// the end of the file. Hand the slice's buffer back with [`give_back`] once it is
    /// copied.
    pub fn next_slice(&self) -> Slice {
        let reader = self.reader.clone();
        // Made now, so a failure is handled even when the slice is dropped unawaited.
        let filling = JsFuture::from(future_to_promise(async move {
            let mut buffer = SPARE
                .with(|s| s.borrow_mut().pop())
                .unwrap_or_else(|| ArrayBuffer::new(SLICE_BYTES));
            let mut filled = 0;
            while filled < SLICE_BYTES {
                let view = Uint8Array::new_with_byte_offset_and_length(
                    &buffer,
                    filled,
                    SLICE_BYTES - filled,
                );
                // The read moves the buffer into a new ArrayBuffer: keep that one.
                let result = JsFuture::from(reader.read_with_array_buffer_view(&view)).await?;
                let done = Reflect::get(&result, &"done".into())?.is_truthy();
                match Reflect::get(&result, &"value".into())?.dyn_into::<Uint8Array>() {
                    Ok(value) => {
                        buffer = value.buffer();
                        filled += value.byte_length();
                    }
                    // A stream cancelled (the load was) keeps the buffer: nothing to give.
                    Err(_) => return Ok(Uint8Array::new_with_length(0).into()),
                }
                if done {
                    break;
                }
            }
            Ok(Uint8Array::new_with_byte_offset_and_length(&buffer, 0, filled).into())
        }));
        Box::pin(async move { Ok(filling.await?.unchecked_into()) })
    }
}

impl Drop for FileStream {
    fn drop(&mut self) {
        // (Awaited by no one; the future handles a refusal.)
        drop(JsFuture::from(self.reader.cancel()));
    }
}

/// Hands a slice's buffer back for the next reads.
pub fn give_back(slice: &Uint8Array) {
    let buffer = slice.buffer();
    SPARE.with(|s| {
        let mut spare = s.borrow_mut();
        if spare.len() < SPARE_BUFFERS && buffer.byte_length() == SLICE_BYTES {
            spare.push(buffer);
        }
    });
}

/// The worker's loader script, relative to the page.
pub const LOADER_URL: &str = "./engine_worker_loader.js";
