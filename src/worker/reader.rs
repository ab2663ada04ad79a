//! Reading dropped files for the engine, on another thread.
//!
//! A stream only moves when its own thread is free, and the engine's thread parses for tens
//! of milliseconds at a time: read there, a file waited on the browser between parses (a
//! worker profile of a 1 GB load showed 0.6 s idle between reads and 0.65 s in the reads'
//! copies). So the engine's worker starts a small worker of its own, `reader.js`, which
//! reads the files the engine asks for, in order, as byte streams (a BYOB reader) into a few
//! 4 MiB buffers the engine lends it, and sends each back full; the engine copies the
//! bytes into its parser and lends the buffer again. Reading runs ahead of parsing by those
//! few buffers, and memory holds them and the store, never a copy of a file.
//! (`Blob.arrayBuffer()` per slice, used before, left up to 25 dead 4 MiB buffers beside
//! the store until a garbage collection: Chromium's wrapper keeps them.) Small files are
//! the exception: `reader.js` reads each whole into a buffer of its own, many at once,
//! because the browser takes milliseconds to answer any read, however small.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use js_sys::{Array, ArrayBuffer, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{File, MessageEvent, Worker};

/// The bytes of one slice: the buffers lent are this size.
pub const SLICE_BYTES: u32 = 4 << 20;
/// Files up to this size are small: the reader reads each whole, at once, into a buffer
/// of its own (it is told so with each file).
pub const SMALL_FILE_BYTES: f64 = 1024.0 * 1024.0;
/// Buffers lent to the reader: one being copied, one being filled, two ahead (the next
/// files' first slices, or this file's next ones).
const BUFFERS: usize = 4;
/// The reader's script, next to the engine's worker script.
const READER_URL: &str = "./reader.js";

/// A slice of a file being read.
pub type Slice = Pin<Box<dyn Future<Output = Result<Uint8Array, JsValue>>>>;

/// What the reader has sent for one file and the engine has not taken yet.
#[derive(Default)]
struct Incoming {
    ready: VecDeque<Result<Uint8Array, JsValue>>,
    /// The file's last slice has arrived: later asks get nothing.
    ended: bool,
    waker: Option<Waker>,
}

/// The reader worker and the files it reads for this thread.
struct Reader {
    worker: Worker,
    files: HashMap<u32, Incoming>,
    next_id: u32,
    /// The reader reported an error: the files it was reading failed, and the next file
    /// asked for starts a new reader.
    broken: bool,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

thread_local! {
    static READER: RefCell<Option<Reader>> = const { RefCell::new(None) };
}

fn message(pairs: &[(&str, &JsValue)]) -> Object {
    let m = Object::new();
    for (k, v) in pairs {
        let _ = Reflect::set(&m, &(*k).into(), v);
    }
    m
}

/// Posts `buffer` to the reader, to be filled; unless it is not one of the buffers lent
/// (a small file comes in a buffer of its own size, and goes with its slice).
fn lend(worker: &Worker, buffer: &ArrayBuffer) {
    if buffer.byte_length() != SLICE_BYTES {
        return;
    }
    let m = message(&[("kind", &"buffer".into()), ("buffer", buffer)]);
    let _ = worker.post_message_with_transfer(&m, &Array::of1(buffer));
}

/// Runs `f` on the reader, started on first use.
fn with_reader<R>(f: impl FnOnce(&mut Reader) -> R) -> Result<R, JsValue> {
    READER.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = Some(start(HashMap::new(), 0)?);
        }
        Ok(f(slot.as_mut().expect("started above")))
    })
}

/// A new reader worker, lent [`BUFFERS`] buffers, taking over the files known so far.
fn start(files: HashMap<u32, Incoming>, next_id: u32) -> Result<Reader, JsValue> {
    let worker = Worker::new(READER_URL)?;
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|e: MessageEvent| arrived(&e.data()));
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(|_| {
        fail_all("its reader worker stopped");
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    for _ in 0..BUFFERS {
        lend(&worker, &ArrayBuffer::new(SLICE_BYTES));
    }
    Ok(Reader {
        worker,
        files,
        next_id,
        broken: false,
        _on_message: on_message,
        _on_error: on_error,
    })
}

/// A message from the reader: a slice or a failure for one file.
fn arrived(data: &JsValue) {
    let get = |k: &str| Reflect::get(data, &k.into()).unwrap_or(JsValue::UNDEFINED);
    let Some(id) = get("id").as_f64().map(|id| id as u32) else {
        return;
    };
    let item = match get("kind").as_string().as_deref() {
        Some("slice") => {
            let Ok(buffer) = get("buffer").dyn_into::<ArrayBuffer>() else {
                return;
            };
            let length = get("length").as_f64().unwrap_or(0.0) as u32;
            (
                Ok(Uint8Array::new_with_byte_offset_and_length(
                    &buffer, 0, length,
                )),
                get("done").is_truthy(),
            )
        }
        Some("error") => (Err(get("message")), true),
        _ => return,
    };
    READER.with(|cell| {
        let mut slot = cell.borrow_mut();
        let Some(reader) = slot.as_mut() else {
            return;
        };
        match reader.files.get_mut(&id) {
            Some(incoming) => {
                incoming.ready.push_back(item.0);
                incoming.ended |= item.1;
                if let Some(w) = incoming.waker.take() {
                    w.wake();
                }
            }
            // A file no longer wanted (cancelled, or read to its size before its end was
            // seen): its buffer goes straight back.
            None => {
                if let Ok(slice) = item.0 {
                    lend(&reader.worker, &slice.buffer());
                }
            }
        }
    });
}

/// The reader failed: every file it was reading fails with `why` (files asked for later
/// go to a new reader).
fn fail_all(why: &str) {
    READER.with(|cell| {
        if let Some(reader) = cell.borrow_mut().as_mut() {
            reader.broken = true;
            reader.worker.terminate();
            for incoming in reader.files.values_mut() {
                if !incoming.ended {
                    incoming.ready.push_back(Err(JsValue::from_str(why)));
                    incoming.ended = true;
                }
                if let Some(w) = incoming.waker.take() {
                    w.wake();
                }
            }
        }
    });
}

/// A file being read by the reader worker, from its start. Dropping it stops the reading.
pub struct FileStream {
    id: u32,
}

impl FileStream {
    /// Asks for `file` to be read: after the big files asked for before it, or at once
    /// if it is small (see `reader.js`).
    pub fn open(file: &File) -> Result<FileStream, JsValue> {
        READER.with(|cell| {
            let mut slot = cell.borrow_mut();
            if let Some(old) = slot.take_if(|r| r.broken) {
                // (Its handlers go before they do: a message it posted may still come.)
                old.worker.set_onmessage(None);
                old.worker.set_onerror(None);
                *slot = Some(start(old.files, old.next_id)?);
            }
            Ok::<(), JsValue>(())
        })?;
        with_reader(|reader| {
            let id = reader.next_id;
            reader.next_id = reader.next_id.wrapping_add(1);
            let whole = JsValue::from_bool(file.size() <= SMALL_FILE_BYTES);
            let m = message(&[
                ("kind", &"open".into()),
                ("id", &id.into()),
                ("file", file),
                ("whole", &whole),
            ]);
            reader.worker.post_message(&m)?;
            reader.files.insert(id, Incoming::default());
            Ok(FileStream { id })
        })?
    }

    /// The next slice of up to [`SLICE_BYTES`] (fewer only at the end of the file, and
    /// none after it). Hand its buffer back with [`give_back`] once it is copied.
    pub fn next_slice(&self) -> Slice {
        Box::pin(NextSlice { id: self.id })
    }
}

impl Drop for FileStream {
    fn drop(&mut self) {
        let _ = with_reader(|reader| {
            let incoming = reader.files.remove(&self.id);
            // Cancelled first, so that a buffer lent back below is not taken by a read of
            // this file; unless its last slice came, when the reader is done with it (a
            // message saved per file: posting one costs the worker tens of microseconds
            // here, most of it waking the other thread).
            if !incoming.as_ref().is_some_and(|i| i.ended) {
                let m = message(&[("kind", &"cancel".into()), ("id", &self.id.into())]);
                let _ = reader.worker.post_message(&m);
            }
            // Slices sent and not taken: their buffers go back.
            if let Some(incoming) = incoming {
                for slice in incoming.ready.into_iter().flatten() {
                    lend(&reader.worker, &slice.buffer());
                }
            }
        });
    }
}

struct NextSlice {
    id: u32,
}

impl Future for NextSlice {
    type Output = Result<Uint8Array, JsValue>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let polled = with_reader(|reader| {
            let Some(incoming) = reader.files.get_mut(&self.id) else {
                return Poll::Ready(Ok(Uint8Array::new_with_length(0)));
            };
            if let Some(item) = incoming.ready.pop_front() {
                Poll::Ready(item)
            } else if incoming.ended {
                Poll::Ready(Ok(Uint8Array::new_with_length(0)))
            } else {
                incoming.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        });
        polled.unwrap_or_else(|e| Poll::Ready(Err(e)))
    }
}

/// Hands a slice's buffer back to the reader, to be filled again.
pub fn give_back(slice: &Uint8Array) {
    let _ = with_reader(|reader| lend(&reader.worker, &slice.buffer()));
}
