//! The one door to the engine. Every component asks this handle, never the engine itself,
//! so moving the engine into a Web Worker (issue 5) changes this file only.
//!
//! The engine lives in a `StoredValue` (outside fine-grained reactivity: it holds every
//! event). Reads go through methods that `track()` the `version` signal, so memos built
//! on them recompute after a load or a removal, and the mutating methods bump it.

use std::cell::RefCell;
use std::sync::Arc;

use leptos::prelude::*;
use trailscope_core::engine::{Facet, Field, Group, ParamColumn, QueryError, Row, Summary};
use trailscope_core::investigate::{CompareRow, Histogram, Lineage};
use trailscope_core::{Engine, FileReport};

/// An immutable, cheaply cloned list of engine indices; equal only to itself, so a memo
/// holding one never compares a million entries.
#[derive(Clone, Debug, Default)]
pub struct Ids(pub Arc<Vec<u32>>);

impl PartialEq for Ids {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Ids {
    /// Wraps a list.
    pub fn new(ids: Vec<u32>) -> Self {
        Ids(Arc::new(ids))
    }
    /// The indices.
    pub fn as_slice(&self) -> &[u32] {
        &self.0
    }
    /// How many.
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// None at all.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Handle on the engine, `Copy`, shared through the app state.
#[derive(Clone, Copy)]
pub struct EngineHandle {
    engine: StoredValue<RefCell<Engine>, LocalStorage>,
    version: RwSignal<u64>,
}

impl EngineHandle {
    /// A fresh, empty engine.
    pub fn new() -> Self {
        EngineHandle {
            engine: StoredValue::new_local(RefCell::new(Engine::new())),
            version: RwSignal::new(0),
        }
    }

    fn read<R>(&self, f: impl FnOnce(&Engine) -> R) -> R {
        self.version.track();
        self.engine.with_value(|cell| f(&cell.borrow()))
    }

    /// Reads one file into the engine. Does not notify readers: call [`Self::publish`]
    /// when a batch is done (or now and then during a long one) so views recompute once.
    pub fn load(&self, name: &str, bytes: &[u8]) -> FileReport {
        self.engine
            .with_value(|cell| cell.borrow_mut().load(name, bytes).clone())
    }

    /// Tells every view that the engine's content changed.
    pub fn publish(&self) {
        self.version.update(|v| *v += 1);
    }

    /// The current content version (tracked).
    pub fn version(&self) -> u64 {
        self.version.get()
    }

    /// Removes a file and its events.
    pub fn remove_file(&self, file_id: u32) -> bool {
        let removed = self
            .engine
            .with_value(|cell| cell.borrow_mut().remove_file(file_id));
        if removed {
            self.publish();
        }
        removed
    }

    /// Every loaded file's report, in load order.
    pub fn files(&self) -> Vec<FileReport> {
        self.read(|e| e.files().to_vec())
    }

    /// Distinct events loaded.
    pub fn len(&self) -> usize {
        self.read(Engine::len)
    }

    /// No events loaded.
    pub fn is_empty(&self) -> bool {
        self.read(Engine::is_empty)
    }

    /// Events matching a query, ascending index order.
    pub fn query(&self, q: &str) -> Result<Ids, QueryError> {
        self.read(|e| e.query(q)).map(Ids::new)
    }

    /// A sorted copy of `ids`.
    pub fn sorted(&self, ids: &Ids, by: Field, descending: bool) -> Ids {
        let mut v = ids.as_slice().to_vec();
        self.read(|e| e.sort(&mut v, by, descending));
        Ids::new(v)
    }

    /// Top values of a field among `ids`.
    pub fn facet(&self, ids: &Ids, field: Field, top: usize) -> Facet {
        self.read(|e| e.facet(ids.as_slice(), field, top))
    }

    /// Groups of `ids` on one or more keys.
    pub fn group(&self, ids: &Ids, keys: &[Field]) -> Vec<Group> {
        self.read(|e| e.group(ids.as_slice(), keys))
    }

    /// The members of one group, ascending index order.
    pub fn group_members(&self, ids: &Ids, keys: &[Field], path: &[String]) -> Ids {
        Ids::new(self.read(|e| e.group_members(ids.as_slice(), keys, path)))
    }

    /// The table columns of one event.
    pub fn row(&self, index: u32) -> Row {
        self.read(|e| e.row(index))
    }

    /// The event's JSON text as loaded.
    pub fn raw_json(&self, index: u32) -> String {
        self.read(|e| e.raw_json(index).to_string())
    }

    /// Summary figures of `ids`.
    pub fn summary(&self, ids: &Ids) -> Summary {
        self.read(|e| e.summary(ids.as_slice()))
    }

    /// Parameter paths present among `ids`, most frequent first.
    pub fn param_columns(&self, ids: &Ids, max: usize) -> Vec<ParamColumn> {
        self.read(|e| e.param_columns(ids.as_slice(), max))
    }

    /// One parameter value of one event, as text.
    pub fn param_value(&self, index: u32, path: &str) -> Option<String> {
        self.read(|e| e.param_value(index, path))
    }

    /// The chain of identities behind one event (issue 7).
    pub fn lineage(&self, index: u32) -> Lineage {
        self.read(|e| e.lineage(index))
    }

    /// How many events each investigation preset matches, in preset order.
    pub fn preset_counts(&self) -> Vec<(String, u32)> {
        self.read(Engine::preset_counts)
    }

    /// `ids` over time, split by outcome.
    pub fn histogram(&self, ids: &Ids, buckets: usize, range: Option<(i64, i64)>) -> Histogram {
        self.read(|e| e.histogram(ids.as_slice(), buckets, range))
    }

    /// Events side by side, leaf path by leaf path.
    pub fn compare(&self, ids: &[u32]) -> Vec<CompareRow> {
        self.read(|e| e.compare(ids))
    }

    /// The first event whose `eventID` is `id`.
    pub fn find_event_id(&self, id: &str) -> Option<u32> {
        let q = format!(
            "eventID:\"{}\"",
            id.replace('\\', "\\\\").replace('"', "\\\"")
        );
        self.read(|e| e.query(&q).ok().and_then(|v| v.first().copied()))
    }

    /// `{"Records":[...]}` of `ids`.
    pub fn export_json(&self, ids: &Ids) -> String {
        self.read(|e| e.export_json(ids.as_slice()))
    }

    /// JSON lines of `ids`.
    pub fn export_jsonl(&self, ids: &Ids) -> String {
        self.read(|e| e.export_jsonl(ids.as_slice()))
    }

    /// CSV of `ids` with `columns` (field names or JSON paths).
    pub fn export_csv(&self, ids: &Ids, columns: &[String]) -> String {
        self.read(|e| e.export_csv(ids.as_slice(), columns))
    }
}

impl Default for EngineHandle {
    fn default() -> Self {
        Self::new()
    }
}
