// Trailscope's file reader: a worker of the engine's worker (src/worker/reader.rs, `FileStream`).
//
// The engine asks for files in the order it will load them ("open") and lends this worker a
// few empty 4 MiB buffers ("buffer"). This worker reads the files, one after another, as byte
// streams into those buffers and sends each back full ("slice"; the last one of a file says
// `done`), so the browser's reading runs on this thread while the engine's thread parses:
// a stream only moves when its own thread is free, and the engine's is busy parsing for
// tens of milliseconds at a time. It parses nothing and keeps nothing but the files asked for.
//
// A small file (`whole`, as the engine says: SMALL_FILE_BYTES in src/worker/reader.rs) is
// read whole, at once, into a buffer of its own, beside the others asked for: the browser
// takes a few milliseconds to answer any read, so a folder of thousands of small files,
// read one after another, would wait on it most of the time.
//
// Messages in:  {kind: 'open', id, file, whole} | {kind: 'buffer', buffer} | {kind: 'cancel', id}
// Messages out: {kind: 'slice', id, buffer, length, done} (buffer transferred)
//             | {kind: 'error', id, message}
'use strict';

/** Files asked for, in order; the first is the one being read. */
const files = [];
/** Small files being read whole, by id. */
const small = new Set();
/** Empty buffers lent by the engine. */
const spare = [];
/** Files whose reading was cancelled while a read was out. */
const cancelled = new Set();
/** The size of the buffers lent (a buffer lost to a cancelled read is replaced by a new one). */
let size = 4 << 20;
/** The stream reader of files[0], once started: BYOB (the bytes land in the buffer), or in
 * a browser whose file streams are not byte streams, a default reader whose chunks are
 * copied in (`chunk` holds what did not fit). */
let reader = null;
let byob = false;
let chunk = null;
let pumping = false;

self.onmessage = (event) => {
  const m = event.data;
  if (m.kind === 'open') {
    if (m.whole) {
      readWhole(m.id, m.file);
      return;
    }
    files.push({ id: m.id, file: m.file });
  } else if (m.kind === 'buffer') {
    size = m.buffer.byteLength;
    spare.push(m.buffer);
  } else if (m.kind === 'cancel') {
    cancel(m.id);
  }
  pump().catch(() => {});
};

/** Reads a small file whole and sends it as its one slice (unless cancelled meanwhile). */
function readWhole(id, file) {
  small.add(id);
  file.arrayBuffer().then(
    (buffer) => {
      if (small.delete(id)) {
        self.postMessage({ kind: 'slice', id, buffer, length: buffer.byteLength, done: true }, [buffer]);
      }
    },
    (e) => {
      if (small.delete(id)) {
        self.postMessage({ kind: 'error', id, message: String((e && e.message) || e) });
      }
    },
  );
}

function cancel(id) {
  if (small.delete(id)) return;
  const i = files.findIndex((f) => f.id === id);
  if (i < 0) return;
  if (i === 0 && reader) {
    // The read under way ends at once; the pump then drops the file.
    cancelled.add(id);
    reader.cancel().catch(() => {});
  } else {
    files.splice(i, 1);
  }
}

/** Starts reading `file`. */
function open(file) {
  const stream = file.stream();
  try {
    reader = stream.getReader({ mode: 'byob' });
    byob = true;
  } catch (e) {
    reader = stream.getReader();
    byob = false;
  }
  chunk = null;
}

/** Fills buffers while there are files to read and buffers to fill. */
async function pump() {
  if (pumping) return;
  pumping = true;
  try {
    while (files.length > 0 && spare.length > 0) {
      const f = files[0];
      let buffer = spare.pop();
      let filled = 0;
      let done = false;
      let error = null;
      try {
        if (!reader) open(f.file);
        while (!byob && filled < buffer.byteLength) {
          if (!chunk) {
            const r = await reader.read();
            if (r.done) {
              done = true;
              break;
            }
            chunk = r.value;
          }
          const n = Math.min(chunk.byteLength, buffer.byteLength - filled);
          new Uint8Array(buffer, filled, n).set(chunk.subarray(0, n));
          filled += n;
          chunk = n < chunk.byteLength ? chunk.subarray(n) : null;
        }
        while (byob && filled < buffer.byteLength) {
          // The read takes the buffer and gives it back in its answer.
          const r = await reader.read(new Uint8Array(buffer, filled));
          if (!r.value) {
            // Cancelled: the buffer went with the stream.
            buffer = null;
            done = true;
            break;
          }
          buffer = r.value.buffer;
          filled += r.value.byteLength;
          if (r.done) {
            done = true;
            break;
          }
        }
      } catch (e) {
        error = String((e && e.message) || e);
        buffer = null;
        done = true;
      }
      if (!buffer) spare.push(new ArrayBuffer(size));
      if (done) {
        files.shift();
        reader = null;
        chunk = null;
      }
      if (cancelled.delete(f.id)) {
        if (buffer) spare.push(buffer);
      } else if (error !== null) {
        self.postMessage({ kind: 'error', id: f.id, message: error });
      } else {
        self.postMessage({ kind: 'slice', id: f.id, buffer, length: filled, done }, [buffer]);
      }
    }
  } finally {
    pumping = false;
  }
}
