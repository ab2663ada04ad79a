//! The engine's Web Worker. The page never holds the engine: it sends [`protocol::Request`]s
//! to a worker that owns the store ([`host`]) and shows the answers, so parsing a gigabyte
//! or scanning a million events never blocks the page's thread, and a panic in the engine
//! kills only the worker (the page starts a new one and reloads the other files).
//!
//! Trunk builds the worker from `src/bin/engine_worker.rs` (`data-type="worker"` in
//! index.html) with a loader shim, `engine_worker_loader.js`, next to the page.

pub mod host;
pub mod protocol;

/// The worker's loader script, relative to the page.
pub const LOADER_URL: &str = "./engine_worker_loader.js";
