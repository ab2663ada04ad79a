//! The event store: every record parsed once into compact columns, its JSON text
//! kept for the detail view, free-text search and exports.
//!
//! Layout (one entry per event index, indices never change while loaded):
//! - the record's text, in large shared text chunks (no allocation per event);
//! - interned `u32` columns ([`Col`]) for the fields people filter and group on;
//! - event time as `i64` milliseconds ([`NO_TIME`] when unknown);
//! - derived values: principal (interned), service (per eventSource), read-only,
//!   failed;
//! - the file it came from, plus the other files it also appeared in.
//!
//! Deduplication: a record with the `eventID` of a stored event and the same content
//! (byte-identical, or identical once whitespace and key order are ignored) is a
//! duplicate and not stored again; the store remembers that its file holds it too, so
//! removing one of the files keeps the event. The same `eventID` with different
//! content is a conflict: stored as a second event and flagged.
//!
//! Events of a removed file are tombstoned (not live), not erased, so indices stay
//! stable; queries only ever return live events.

pub mod dict;
pub mod parse;
pub mod scan;
pub mod time;

use std::borrow::Cow;

use crate::sink::{AddOutcome, RecordError, RecordShape, RecordSink};
use dict::{fx_hash, fx_hash_long, Dict, FxHashMap};
use parse::{flag, read_record, time_ms, Identity, Top};

/// "No time" in the time column.
pub const NO_TIME: i64 = i64::MIN;

/// The interned columns. `path()` is the CloudTrail JSON path each one holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum Col {
    EventSource,
    EventName,
    AwsRegion,
    SourceIp,
    UserAgent,
    ErrorCode,
    EventType,
    EventCategory,
    RecipientAccountId,
    IdentityType,
    IdentityArn,
    IdentityAccountId,
    IdentityPrincipalId,
    IdentityAccessKeyId,
    IdentityUserName,
    IssuerArn,
    IssuerUserName,
    ReadOnlyRaw,
    ManagementEvent,
    /// Derived principal.
    Principal,
}

/// Number of interned columns.
pub const NCOLS: usize = 20;

impl Col {
    /// Every column, in index order.
    pub const ALL: [Col; NCOLS] = [
        Col::EventSource,
        Col::EventName,
        Col::AwsRegion,
        Col::SourceIp,
        Col::UserAgent,
        Col::ErrorCode,
        Col::EventType,
        Col::EventCategory,
        Col::RecipientAccountId,
        Col::IdentityType,
        Col::IdentityArn,
        Col::IdentityAccountId,
        Col::IdentityPrincipalId,
        Col::IdentityAccessKeyId,
        Col::IdentityUserName,
        Col::IssuerArn,
        Col::IssuerUserName,
        Col::ReadOnlyRaw,
        Col::ManagementEvent,
        Col::Principal,
    ];

    /// The JSON path (or derived name) the column holds.
    pub fn path(self) -> &'static str {
        match self {
            Col::EventSource => "eventSource",
            Col::EventName => "eventName",
            Col::AwsRegion => "awsRegion",
            Col::SourceIp => "sourceIPAddress",
            Col::UserAgent => "userAgent",
            Col::ErrorCode => "errorCode",
            Col::EventType => "eventType",
            Col::EventCategory => "eventCategory",
            Col::RecipientAccountId => "recipientAccountId",
            Col::IdentityType => "userIdentity.type",
            Col::IdentityArn => "userIdentity.arn",
            Col::IdentityAccountId => "userIdentity.accountId",
            Col::IdentityPrincipalId => "userIdentity.principalId",
            Col::IdentityAccessKeyId => "userIdentity.accessKeyId",
            Col::IdentityUserName => "userIdentity.userName",
            Col::IssuerArn => "userIdentity.sessionContext.sessionIssuer.arn",
            Col::IssuerUserName => "userIdentity.sessionContext.sessionIssuer.userName",
            Col::ReadOnlyRaw => "readOnly",
            Col::ManagementEvent => "managementEvent",
            Col::Principal => "principal",
        }
    }

    /// The column holding `path` exactly as it appears in the record (the derived
    /// `principal` and the raw `readOnly` are not returned: queries on those names
    /// mean the derived values).
    pub fn from_path(path: &str) -> Option<Col> {
        Col::ALL
            .iter()
            .copied()
            .find(|c| c.path() == path && !matches!(c, Col::Principal | Col::ReadOnlyRaw))
    }
}

const FLAG_LIVE: u8 = 1;
const FLAG_FAILED: u8 = 2;
const FLAG_RO_KNOWN: u8 = 4;
const FLAG_RO: u8 = 8;
const FLAG_CONFLICT: u8 = 16;

/// Where an event's text lives.
#[derive(Debug, Clone, Copy)]
struct Loc {
    chunk: u32,
    start: u32,
    len: u32,
}

/// Text chunks grow to this size before a new one starts; bounds the slack of the
/// text storage to one chunk instead of doubling a single buffer.
const CHUNK: usize = 8 << 20;

/// The columnar store of every loaded event. See the module docs.
#[derive(Debug, Default)]
pub struct Store {
    chunks: Vec<String>,
    loc: Vec<Loc>,
    cols: [Vec<u32>; NCOLS],
    dicts: [Dict; NCOLS],
    time: Vec<i64>,
    flags: Vec<u8>,
    file: Vec<u32>,
    /// Other files an event also appeared in (exact duplicates across files).
    extra_files: FxHashMap<u32, Vec<u32>>,
    /// Where each event's eventID lies in its own text (see [`IdAt`]); an eventID
    /// that is not plainly there (escaped, very long or far in) is kept in `odd_ids`.
    id_at: Vec<IdAt>,
    odd_ids: FxHashMap<u32, String>,
    /// hash(eventID) -> first event with it; further ones chain through `same_id`.
    by_id: FxHashMap<u64, u32>,
    same_id: FxHashMap<u32, u32>,
    /// Service full names, and for each eventSource id its service id.
    services: Dict,
    service_of_source: Vec<u32>,
    /// File names by file id (`None` once removed).
    file_names: Vec<Option<String>>,
    live: usize,
    newest: Option<i64>,
    /// Investigation indexes, built on first use, cleared on every change.
    inv: crate::investigate::Cache,
    /// `userIdentity` blocks seen, by hash (see [`Store::identity_ids`]).
    identity_cache: FxHashMap<u64, IdentityEntry>,
}

impl Store {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes room for `additional` more events in every per-event array, exactly, so a
    /// load whose size is known ahead grows each array once instead of doubling it many
    /// times: every doubling leaves the old array behind as a hole, and at a million
    /// events those holes come to about a tenth of the store. A no-op where there is
    /// room already.
    pub fn reserve(&mut self, additional: usize) {
        if self.loc.capacity() - self.loc.len() < additional {
            // Room that cannot be had is not an error: the arrays grow as they would
            // have without it.
            let _ = self.loc.try_reserve_exact(additional);
            for c in &mut self.cols {
                let _ = c.try_reserve_exact(additional);
            }
            let _ = self.time.try_reserve_exact(additional);
            let _ = self.flags.try_reserve_exact(additional);
            let _ = self.file.try_reserve_exact(additional);
            let _ = self.id_at.try_reserve_exact(additional);
            let _ = self.by_id.try_reserve(additional);
        }
    }

    /// Number of event slots (live or removed). Event indices are `0..slots()`.
    pub fn slots(&self) -> usize {
        self.loc.len()
    }

    /// Number of live events.
    pub fn len(&self) -> usize {
        self.live
    }

    /// Whether no event is live.
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Whether event `i` is live (not removed with its file).
    #[inline]
    pub fn is_live(&self, i: u32) -> bool {
        self.flags
            .get(i as usize)
            .is_some_and(|f| f & FLAG_LIVE != 0)
    }

    /// Which event slots are live, 64 to a word (bit `i % 64` of word `i / 64`).
    pub fn live_words(&self) -> Vec<u64> {
        self.flags
            .chunks(64)
            .map(|c| {
                c.iter()
                    .enumerate()
                    .fold(0u64, |w, (k, &f)| w | (u64::from(f & FLAG_LIVE != 0) << k))
            })
            .collect()
    }

    /// Every live event index, ascending.
    pub fn live_ids(&self) -> Vec<u32> {
        (0..self.slots() as u32)
            .filter(|&i| self.is_live(i))
            .collect()
    }

    /// The investigation indexes (see [`crate::investigate`]).
    pub(crate) fn investigation(&self) -> &crate::investigate::Cache {
        &self.inv
    }

    /// Record the name of a file id (for the `file:` query term).
    pub fn set_file_name(&mut self, file: u32, name: &str) {
        let i = file as usize;
        if self.file_names.len() <= i {
            self.file_names.resize(i + 1, None);
        }
        self.file_names[i] = Some(name.to_owned());
    }

    /// The name of a file id, if loaded.
    pub fn file_name(&self, file: u32) -> Option<&str> {
        self.file_names.get(file as usize)?.as_deref()
    }

    /// The record's JSON text.
    pub fn text(&self, i: u32) -> &str {
        match self.loc.get(i as usize) {
            Some(l) => self
                .chunks
                .get(l.chunk as usize)
                .and_then(|c| c.get(l.start as usize..(l.start + l.len) as usize))
                .unwrap_or(""),
            None => "",
        }
    }

    /// The text chunks holding every event's text back to back (live or not), in
    /// index order. Free-text search scans these; benchmarks use them as a baseline.
    pub fn chunks(&self) -> &[String] {
        &self.chunks
    }

    /// Scan the text of every event slot (live or not) chunk by chunk, contiguously,
    /// calling `hit(i)` once, in ascending order, for each event whose text holds a
    /// match. `find(hay, from)` returns the first match at or after `from` of a
    /// needle `needle_len` bytes long. After a hit the scan resumes at the end of the
    /// event; a match straddling two events counts for neither.
    pub(crate) fn scan_texts(
        &self,
        needle_len: usize,
        find: impl Fn(&[u8], usize) -> Option<usize>,
        mut hit: impl FnMut(u32),
    ) {
        let mut first = 0usize;
        for (c, chunk) in self.chunks.iter().enumerate() {
            let hay = chunk.as_bytes();
            let end = first + self.loc[first..].partition_point(|l| l.chunk as usize == c);
            let events = &self.loc[first..end];
            let mut from = 0;
            while let Some(m) = find(hay, from) {
                let k = events.partition_point(|l| (l.start as usize) <= m);
                let Some(l) = k.checked_sub(1).and_then(|k| events.get(k)) else {
                    from = m + 1;
                    continue;
                };
                let stop = (l.start + l.len) as usize;
                if m + needle_len <= stop {
                    hit((first + k - 1) as u32);
                    from = stop;
                } else {
                    from = m + 1;
                }
            }
            first = end;
        }
    }

    /// (chunk, start, end) of event `i`'s text.
    #[inline]
    pub(crate) fn span(&self, i: u32) -> (usize, usize, usize) {
        let l = self.loc[i as usize];
        (
            l.chunk as usize,
            l.start as usize,
            (l.start + l.len) as usize,
        )
    }

    /// The `eventID` ("" when the record has none).
    pub fn event_id(&self, i: u32) -> &str {
        match self.id_at.get(i as usize) {
            Some(&IdAt::ODD) => self.odd_ids.get(&i).map_or("", String::as_str),
            Some(at) => self.text(i).get(at.range()).unwrap_or(""),
            None => "",
        }
    }

    /// The interned id column `c`.
    pub fn col(&self, c: Col) -> &[u32] {
        &self.cols[c as usize]
    }

    /// The dictionary of column `c`.
    pub fn dict(&self, c: Col) -> &Dict {
        &self.dicts[c as usize]
    }

    /// Value of column `c` for event `i` ("" when absent).
    pub fn value(&self, c: Col, i: u32) -> &str {
        self.dicts[c as usize].value(self.cols[c as usize][i as usize])
    }

    /// The service names dictionary.
    pub fn services(&self) -> &Dict {
        &self.services
    }

    /// The service id of event `i` (0 when it has no eventSource).
    #[inline]
    pub fn service_id(&self, i: u32) -> u32 {
        let s = self.cols[Col::EventSource as usize][i as usize];
        self.service_of_source.get(s as usize).copied().unwrap_or(0)
    }

    /// The service full name of event `i`.
    pub fn service(&self, i: u32) -> &str {
        self.services.value(self.service_id(i))
    }

    /// Event time in ms, if known.
    #[inline]
    pub fn time(&self, i: u32) -> Option<i64> {
        self.time.get(i as usize).copied().filter(|&t| t != NO_TIME)
    }

    /// The time column ([`NO_TIME`] when unknown).
    pub fn times(&self) -> &[i64] {
        &self.time
    }

    /// The newest event time ever loaded (base for relative `after:-2h`).
    pub fn newest_time(&self) -> Option<i64> {
        self.newest
    }

    /// Whether event `i` failed (errorCode, or a failed ConsoleLogin).
    #[inline]
    pub fn failed(&self, i: u32) -> bool {
        self.flags[i as usize] & FLAG_FAILED != 0
    }

    /// Derived read-only: the `readOnly` field, else the operation's verb; `None`
    /// when neither is known.
    #[inline]
    pub fn read_only(&self, i: u32) -> Option<bool> {
        let f = self.flags[i as usize];
        (f & FLAG_RO_KNOWN != 0).then_some(f & FLAG_RO != 0)
    }

    /// Whether event `i` shares its eventID with different content.
    pub fn conflict(&self, i: u32) -> bool {
        self.flags[i as usize] & FLAG_CONFLICT != 0
    }

    /// The file event `i` was first loaded from.
    pub fn file_of(&self, i: u32) -> u32 {
        self.file[i as usize]
    }

    /// Every loaded file that holds event `i`, ascending.
    pub fn files_of(&self, i: u32) -> Vec<u32> {
        let mut v = vec![self.file[i as usize]];
        if let Some(x) = self.extra_files.get(&i) {
            v.extend_from_slice(x);
        }
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Whether event `i` is held by a file for which `wanted[file id]` is true.
    pub fn in_files(&self, i: u32, wanted: &[bool]) -> bool {
        let hit = |f: u32| wanted.get(f as usize).copied().unwrap_or(false);
        hit(self.file[i as usize])
            || self
                .extra_files
                .get(&i)
                .is_some_and(|v| v.iter().any(|&f| hit(f)))
    }

    /// Ids of every loaded file with its name, ascending by id.
    pub fn file_names(&self) -> impl Iterator<Item = (u32, &str)> {
        self.file_names
            .iter()
            .enumerate()
            .filter_map(|(i, n)| Some((i as u32, n.as_deref()?)))
    }

    /// Estimated heap bytes held by the store (capacities, not just lengths).
    pub fn heap_bytes(&self) -> usize {
        let chunks: usize = self.chunks.iter().map(|c| c.capacity()).sum();
        let cols: usize = self.cols.iter().map(|c| c.capacity() * 4).sum();
        let dicts: usize = self.dicts.iter().map(|d| d.heap_bytes()).sum();
        let extra: usize = self
            .extra_files
            .values()
            .map(|v| v.capacity() * 4 + 32)
            .sum::<usize>()
            + self.extra_files.capacity() * 33;
        chunks
            + self.chunks.capacity() * std::mem::size_of::<String>()
            + self.loc.capacity() * std::mem::size_of::<Loc>()
            + cols
            + dicts
            + self.time.capacity() * 8
            + self.flags.capacity()
            + self.file.capacity() * 4
            + extra
            + self.id_at.capacity() * 4
            + self.odd_ids.values().map(String::capacity).sum::<usize>()
            + self.odd_ids.capacity() * (std::mem::size_of::<(u32, String)>() + 1) * 8 / 7
            + self.by_id.capacity() * 13 * 8 / 7
            + self.same_id.capacity() * 9 * 8 / 7
            + self.services.heap_bytes()
            + self.service_of_source.capacity() * 4
            + self.identity_cache.capacity() * (8 + std::mem::size_of::<IdentityEntry>() + 1) * 8
                / 7
    }

    /// Remove `file` from every event: events only it held stop being live.
    /// Returns how many events went.
    pub fn remove_file(&mut self, file: u32) -> usize {
        self.inv.clear();
        if let Some(n) = self.file_names.get_mut(file as usize) {
            *n = None;
        }
        let mut gone = 0;
        // The eventIDs of removed events in conflict.
        let mut conflicted = Vec::new();
        for i in 0..self.slots() {
            if self.flags[i] & FLAG_LIVE == 0 {
                continue;
            }
            let key = i as u32;
            if self.file[i] == file {
                let next = self.extra_files.get_mut(&key).and_then(|v| {
                    v.retain(|&f| f != file);
                    v.pop()
                });
                match next {
                    Some(f) => self.file[i] = f,
                    None => {
                        self.flags[i] &= !FLAG_LIVE;
                        self.live -= 1;
                        gone += 1;
                        if self.flags[i] & FLAG_CONFLICT != 0 {
                            conflicted.push(self.event_id(key).to_owned());
                        }
                    }
                }
                if self.extra_files.get(&key).is_some_and(|v| v.is_empty()) {
                    self.extra_files.remove(&key);
                }
            } else if let Some(v) = self.extra_files.get_mut(&key) {
                v.retain(|&f| f != file);
                if v.is_empty() {
                    self.extra_files.remove(&key);
                }
            }
        }
        // A conflict is between live events: the ones left of those eventIDs are in
        // conflict only while another live one has other content.
        conflicted.sort_unstable();
        conflicted.dedup();
        for id in conflicted {
            let live: Vec<u32> = self
                .same_id_events(&id)
                .into_iter()
                .filter(|&j| self.is_live(j))
                .collect();
            for &j in &live {
                let clash = live
                    .iter()
                    .any(|&k| k != j && !same_content(self.text(j), self.text(k)));
                if !clash {
                    self.flags[j as usize] &= !FLAG_CONFLICT;
                }
            }
        }
        gone
    }

    fn intern(&mut self, c: Col, v: Option<Cow<'_, str>>) {
        let id = match v {
            Some(s) => self.dicts[c as usize].intern(&s),
            None => 0,
        };
        self.cols[c as usize].push(id);
    }

    fn push_text(&mut self, json: &str) -> Loc {
        let need = json.len();
        let fits = self
            .chunks
            .last()
            .is_some_and(|c| c.capacity() - c.len() >= need);
        if !fits {
            self.chunks.push(String::with_capacity(CHUNK.max(need)));
        }
        let chunk = self.chunks.len() - 1;
        let c = &mut self.chunks[chunk];
        let start = c.len();
        c.push_str(json);
        Loc {
            chunk: chunk as u32,
            start: start as u32,
            len: need as u32,
        }
    }

    /// Events stored with the same eventID text as `id`.
    fn same_id_events(&self, id: &str) -> Vec<u32> {
        let mut out = Vec::new();
        let mut cur = self.by_id.get(&fx_hash(id.as_bytes())).copied();
        while let Some(i) = cur {
            if self.event_id(i) == id {
                out.push(i);
            }
            cur = self.same_id.get(&i).copied();
        }
        out
    }

    fn link_id(&mut self, id: &str, i: u32) {
        let h = fx_hash(id.as_bytes());
        match self.by_id.get(&h).copied() {
            None => {
                self.by_id.insert(h, i);
            }
            Some(mut j) => {
                while let Some(&k) = self.same_id.get(&j) {
                    j = k;
                }
                self.same_id.insert(j, i);
            }
        }
    }

    /// Parse and store one record. See [`RecordSink::add_record`].
    pub fn add(&mut self, file: u32, json: &str) -> Result<AddOutcome, RecordError> {
        let json = json.trim_ascii();
        let f = read_record(json).map_err(|e| RecordError {
            message: plain_error(&e),
            line: Some(e.line().max(1) as u32),
            // serde_json says column 0 for a value refused as a whole.
            column: Some(e.column().max(1) as u32),
        })?;
        Ok(self.add_fields(file, json, &f))
    }

    /// Read one record from the start of `text` (which may go on after it) and
    /// store it: the outcome and the length of the record's text. `None`, with
    /// nothing stored, when the text does not start with a record the fast scanner
    /// reads (damaged, or one it leaves to serde_json): the caller then finds the
    /// record's end itself and uses [`Store::add`].
    ///
    /// This lets a reader that walks a `Records` list hand over each record without
    /// scanning it first, so that every byte is scanned once.
    pub fn add_prefix(&mut self, file: u32, text: &str) -> Option<(AddOutcome, usize)> {
        self.add_prefix_if(file, text.as_bytes(), &|_| true)
    }

    /// [`Store::add_prefix`] on bytes (a record that is not UTF-8 is left to the
    /// caller), storing the record only when `accept` says yes to its shape (see
    /// [`RecordSink::add_record_prefix`]).
    pub fn add_prefix_if(
        &mut self,
        file: u32,
        text: &[u8],
        accept: &dyn Fn(&RecordShape<'_>) -> bool,
    ) -> Option<(AddOutcome, usize)> {
        let (json, f, repeated_key) = parse::read_record_prefix(text)?;
        let end = json.len();
        let shape = RecordShape {
            event_source: f.raw(Top::EventSource),
            event_name: f.raw(Top::EventName).is_some(),
            event_time: f.raw(Top::EventTime).is_some(),
            repeated_key,
        };
        if !accept(&shape) {
            return None;
        }
        Some((self.add_fields(file, json, &f), end))
    }

    /// Store one read record (`json` trimmed, `f` its fields).
    fn add_fields(&mut self, file: u32, json: &str, f: &parse::Fields<'_>) -> AddOutcome {
        self.inv.clear();
        let event_id = f.text(Top::EventId);

        // Deduplicate on eventID.
        let mut conflict_with = Vec::new();
        if let Some(id) = event_id.as_deref().filter(|s| !s.is_empty()) {
            let mut revive = None;
            for j in self.same_id_events(id) {
                if same_content(self.text(j), json) {
                    if self.is_live(j) {
                        if self.file[j as usize] != file {
                            let v = self.extra_files.entry(j).or_default();
                            if !v.contains(&file) {
                                v.push(file);
                            }
                        }
                        return AddOutcome::Duplicate(j);
                    }
                    revive = Some(j);
                } else if self.is_live(j) {
                    conflict_with.push(j);
                }
            }
            if let Some(j) = revive {
                // It was loaded before with a file since removed: bring it back, in
                // conflict with the live events of its eventID and other content, as a
                // new event would be.
                self.file[j as usize] = file;
                self.flags[j as usize] |= FLAG_LIVE;
                self.live += 1;
                if conflict_with.is_empty() {
                    // (In conflict when it went, maybe: not now.)
                    self.flags[j as usize] &= !FLAG_CONFLICT;
                    return AddOutcome::Added(j);
                }
                self.flags[j as usize] |= FLAG_CONFLICT;
                for &k in &conflict_with {
                    self.flags[k as usize] |= FLAG_CONFLICT;
                }
                return AddOutcome::Conflict(j);
            }
        }

        let i = self.loc.len() as u32;
        let loc = self.push_text(json);
        self.loc.push(loc);

        let t = time_ms(f.text(Top::EventTime).as_deref()).or_else(|| {
            f.raw(Top::EventTime)
                .is_none()
                .then(|| time_ms(f.text(Top::Timestamp).as_deref()))
                .flatten()
        });
        self.time.push(t.unwrap_or(NO_TIME));
        if let Some(t) = t {
            self.newest = Some(self.newest.map_or(t, |n| n.max(t)));
        }

        let source = f.text(Top::EventSource);
        let name = f.text(Top::EventName);
        let error = f.text(Top::ErrorCode);

        let mut flags = FLAG_LIVE;
        let console_failure = name.as_deref() == Some("ConsoleLogin")
            && f.text(Top::ConsoleLogin).is_some_and(|v| v == "Failure");
        if error.as_deref().is_some_and(|e| !e.is_empty()) || console_failure {
            flags |= FLAG_FAILED;
        }
        let ro = flag(f.text(Top::ReadOnly).as_deref())
            .or_else(|| name.as_deref().map(parse::read_only_by_verb));
        if let Some(ro) = ro {
            flags |= FLAG_RO_KNOWN | if ro { FLAG_RO } else { 0 };
        }
        if !conflict_with.is_empty() {
            flags |= FLAG_CONFLICT;
            for &j in &conflict_with {
                self.flags[j as usize] |= FLAG_CONFLICT;
            }
        }
        self.flags.push(flags);
        self.file.push(file);

        // Service of a new eventSource.
        let source_id = match source.as_deref() {
            Some(s) => self.dicts[Col::EventSource as usize].intern(s),
            None => 0,
        };
        self.cols[Col::EventSource as usize].push(source_id);
        while self.service_of_source.len() <= source_id as usize {
            let sid = self.service_of_source.len() as u32;
            let src = self.dicts[Col::EventSource as usize].value(sid).to_owned();
            let id = if sid == 0 {
                0
            } else {
                self.services.intern(&service_display_name(&src))
            };
            self.service_of_source.push(id);
        }

        self.intern(Col::EventName, name);
        self.intern(Col::AwsRegion, f.text(Top::AwsRegion));
        self.intern(Col::SourceIp, f.text(Top::SourceIp));
        self.intern(Col::UserAgent, f.text(Top::UserAgent));
        self.intern(Col::ErrorCode, error);
        self.intern(Col::EventType, f.text(Top::EventType));
        self.intern(Col::EventCategory, f.text(Top::EventCategory));
        self.intern(Col::RecipientAccountId, f.text(Top::Recipient));
        let ids = self.identity_ids(i, json, f, source_id, source.as_deref());
        for (c, id) in IDENTITY_COLS.iter().zip(ids) {
            self.cols[*c as usize].push(id);
        }
        self.intern(Col::ReadOnlyRaw, f.text(Top::ReadOnly));
        self.intern(Col::ManagementEvent, f.text(Top::ManagementEvent));

        let id = event_id.as_deref().unwrap_or("");
        let at = IdAt::of(json, id);
        if at == IdAt::ODD {
            self.odd_ids.insert(i, id.to_owned());
        }
        self.id_at.push(at);
        if !id.is_empty() {
            self.link_id(id, i);
        }
        self.live += 1;
        if conflict_with.is_empty() {
            AddOutcome::Added(i)
        } else {
            AddOutcome::Conflict(i)
        }
    }
}

/// Where an eventID lies in its event's text: 24 bits of start, 8 of length. The
/// text holds it as written in all but rare records, so the store keeps no second copy
/// (36 bytes an event, about 27 MiB at a million events).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct IdAt(u32);

impl IdAt {
    /// The eventID is in the store's `odd_ids`.
    const ODD: IdAt = IdAt(u32::MAX);

    /// Where `id` lies in `json`, when it is a slice of it that fits; [`IdAt::ODD`]
    /// else (an eventID written with escapes is decoded, so not a slice).
    fn of(json: &str, id: &str) -> IdAt {
        let start = (id.as_ptr() as usize).wrapping_sub(json.as_ptr() as usize);
        let inside = start <= json.len() && id.len() <= json.len() - start;
        if id.is_empty() {
            IdAt(0)
        } else if inside && start < 1 << 24 && id.len() < 255 {
            IdAt((start as u32) << 8 | id.len() as u32)
        } else {
            IdAt::ODD
        }
    }

    fn range(self) -> std::ops::Range<usize> {
        let start = (self.0 >> 8) as usize;
        start..start + (self.0 & 0xff) as usize
    }
}

/// The columns read from `userIdentity` (with the derived principal), in the order
/// of [`Store::identity_ids`].
const IDENTITY_COLS: [Col; 9] = [
    Col::IdentityType,
    Col::IdentityArn,
    Col::IdentityAccountId,
    Col::IdentityPrincipalId,
    Col::IdentityAccessKeyId,
    Col::IdentityUserName,
    Col::IssuerArn,
    Col::IssuerUserName,
    Col::Principal,
];

/// A `userIdentity` block already interned: where its text is (in event `event`'s
/// text), the eventSource id it was seen with (the principal of an AWS service
/// depends on it) and the ids of [`IDENTITY_COLS`].
#[derive(Debug, Clone, Copy)]
struct IdentityEntry {
    event: u32,
    start: u32,
    end: u32,
    source: u32,
    ids: [u32; 9],
}

/// The identity cache is cleared when it reaches this many blocks (logs with a
/// distinct identity per event gain nothing from it; memory stays bounded).
const IDENTITY_CACHE_MAX: usize = 1 << 16;

impl Store {
    /// The ids of [`IDENTITY_COLS`] for event `i` (text `json`, fields `f`): from the
    /// cache when the same `userIdentity` text came with the same eventSource
    /// before (most events of a log share a handful of identities, and one hash
    /// of the block is cheaper than nine lookups and a principal), else interned.
    fn identity_ids(
        &mut self,
        i: u32,
        json: &str,
        f: &parse::Fields<'_>,
        source_id: u32,
        source: Option<&str>,
    ) -> [u32; 9] {
        let raw = f.raw(Top::UserIdentity);
        let key = raw.map(|r| fx_hash_long(r.as_bytes()) ^ u64::from(source_id).rotate_left(32));
        if let (Some(r), Some(h)) = (raw, key) {
            if let Some(e) = self.identity_cache.get(&h) {
                let text = self.text(e.event).as_bytes();
                if e.source == source_id
                    && text.get(e.start as usize..e.end as usize) == Some(r.as_bytes())
                {
                    return e.ids;
                }
            }
        }
        let ident = Identity::from_fields(f);
        let principal = ident.principal(source);
        let principal = (!principal.is_empty()).then_some(principal);
        let mut ids = [0u32; 9];
        for (k, v) in [
            ident.kind,
            ident.arn,
            ident.account_id,
            ident.principal_id,
            ident.access_key_id,
            ident.user_name,
            ident.issuer_arn,
            ident.issuer_user_name,
            principal,
        ]
        .into_iter()
        .enumerate()
        {
            if let Some(v) = v {
                ids[k] = self.dicts[IDENTITY_COLS[k] as usize].intern(&v);
            }
        }
        // Where the block sits in the record's text (stored as it is).
        let start = raw.and_then(|r| (r.as_ptr() as usize).checked_sub(json.as_ptr() as usize));
        if let (Some(r), Some(h), Some(start)) = (raw, key, start) {
            if start + r.len() <= json.len() {
                if self.identity_cache.len() >= IDENTITY_CACHE_MAX {
                    self.identity_cache.clear();
                }
                self.identity_cache.insert(
                    h,
                    IdentityEntry {
                        event: i,
                        start: start as u32,
                        end: (start + r.len()) as u32,
                        source: source_id,
                        ids,
                    },
                );
            }
        }
        ids
    }
}

impl RecordSink for Store {
    fn add_record(&mut self, file: u32, json: &str) -> Result<AddOutcome, RecordError> {
        self.add(file, json)
    }

    fn add_record_prefix(
        &mut self,
        file: u32,
        text: &[u8],
        accept: &dyn Fn(&RecordShape<'_>) -> bool,
    ) -> Option<(AddOutcome, usize)> {
        self.add_prefix_if(file, text, accept)
    }
}

/// The full service name for an eventSource, or the eventSource itself when no
/// service model names it.
fn service_display_name(source: &str) -> String {
    match crate::services::service_name(source) {
        Some(n) => n.to_owned(),
        None => source.to_owned(),
    }
}

/// serde_json's message without its " at line L column C" suffix (positions are
/// reported separately).
fn plain_error(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_owned(),
        None => s,
    }
}

/// Whether two record texts are the same event: byte-identical, identical without
/// insignificant whitespace, or equal as JSON values (key order ignored).
pub fn same_content(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    if minify(a) == minify(b) {
        return true;
    }
    match (
        serde_json::from_str::<serde_json::Value>(a),
        serde_json::from_str::<serde_json::Value>(b),
    ) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// `json` without whitespace outside strings.
pub fn minify(json: &str) -> Cow<'_, str> {
    let b = json.as_bytes();
    if !b.iter().any(|c| matches!(c, b' ' | b'\n' | b'\r' | b'\t')) {
        return Cow::Borrowed(json);
    }
    let mut out = Vec::with_capacity(b.len());
    let mut in_str = false;
    let mut esc = false;
    for &c in b {
        if in_str {
            out.push(c);
            if esc {
                esc = false;
            } else if c == b'\\' {
                esc = true;
            } else if c == b'"' {
                in_str = false;
            }
        } else if !matches!(c, b' ' | b'\n' | b'\r' | b'\t') {
            if c == b'"' {
                in_str = true;
            }
            out.push(c);
        }
    }
    // Only ASCII whitespace was dropped between tokens, so the bytes stay UTF-8.
    Cow::Owned(
        String::from_utf8(out)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
    )
}

/// Raw JSON values by dotted path inside a record, used by `param_value` and the
/// query language for paths that have no column. Arrays on the way are searched
/// element by element; every value reached is returned, in document order.
///
/// `json` must be valid JSON, as every stored record is: it is read without being
/// validated again (on other text the result is meaningless, but nothing panics).
pub fn lookup_path<'a>(json: &'a str, path: &str) -> Vec<&'a str> {
    let mut cur: Vec<&'a str> = vec![json.trim()];
    for seg in path.split('.') {
        let (seg, want_array) = match seg.strip_suffix("[]") {
            Some(s) => (s, true),
            None => (seg, false),
        };
        let mut next = Vec::new();
        for v in cur {
            collect_key(v, seg, &mut next);
        }
        if want_array {
            // `x[]` names the array itself, as `param_columns` reports it.
            next.retain(|v| v.starts_with('['));
        }
        cur = next;
        if cur.is_empty() {
            break;
        }
    }
    cur
}

fn collect_key<'a>(v: &'a str, key: &str, out: &mut Vec<&'a str>) {
    if v.starts_with('{') {
        if let Some(x) = scan::trusted_get(v, key) {
            out.push(x);
        }
    } else if v.starts_with('[') {
        for it in scan::trusted_items(v) {
            collect_key(it, key, out);
        }
    }
}

/// Raw-value text helpers re-exported for other modules.
pub use parse::text as raw_text;
