//! The engine's one entry point for the UI: load files, ask questions, get rows.
//!
//! [`Engine`] owns the [`Store`] and the report of every loaded file. Everything the
//! UI shows comes from here as plain data: index lists from [`Engine::query`], then
//! facets, groups, rows, parameter columns and exports of those indices. Indices are
//! stable while the engine lives (removing a file tombstones its events).

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::ingest::feed::FileFeed;
use crate::report::FileReport;
use crate::store::dict::FxHashMap;
use crate::store::time::format_iso_ms;
use crate::store::{Col, Store};

/// A column the UI can facet, group or sort on. `name()` is the CloudTrail JSON path
/// (or derived name) used in queries and in the `group-by` select's option values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Field {
    /// `eventTime` (sort only).
    EventTime,
    /// `eventSource`, e.g. `pi.amazonaws.com`.
    EventSource,
    /// Derived: the service's full name, e.g. "AWS Performance Insights".
    Service,
    /// `eventName`.
    EventName,
    /// Derived: the person or role a human recognises.
    Principal,
    /// `awsRegion`.
    AwsRegion,
    /// `errorCode`.
    ErrorCode,
    /// `recipientAccountId`.
    RecipientAccountId,
    /// `sourceIPAddress`.
    SourceIpAddress,
    /// `userAgent`.
    UserAgent,
    /// `userIdentity.type`.
    IdentityType,
    /// `userIdentity.arn`.
    IdentityArn,
    /// `userIdentity.accessKeyId`.
    AccessKeyId,
    /// Derived read-only flag: "true"/"false".
    ReadOnly,
    /// Derived outcome: "success"/"failed".
    Outcome,
    /// `eventType`.
    EventType,
    /// `eventCategory`.
    EventCategory,
}

/// One table row: the columns the UI shows for an event, as text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    /// Engine index of the event.
    pub index: u32,
    /// `eventID` ("" when absent).
    pub event_id: String,
    /// Event time in epoch milliseconds, when known.
    pub time_ms: Option<i64>,
    /// `eventSource`.
    pub event_source: String,
    /// Derived service full name.
    pub service: String,
    /// `eventName`.
    pub event_name: String,
    /// Derived principal.
    pub principal: String,
    /// `userIdentity.type`.
    pub identity_type: String,
    /// `recipientAccountId` (or `userIdentity.accountId` when absent).
    pub account: String,
    /// `awsRegion`.
    pub region: String,
    /// `sourceIPAddress`.
    pub source_ip: String,
    /// `userAgent`.
    pub user_agent: String,
    /// `errorCode`.
    pub error_code: String,
    /// Derived: the call failed.
    pub failed: bool,
    /// Derived read-only.
    pub read_only: Option<bool>,
}

/// Top values of one field under the current query.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facet {
    /// (value, count), most frequent first, ties by value.
    pub values: Vec<(String, u32)>,
    /// How many distinct values there are in all.
    pub distinct: u32,
}

/// One group of a grouping, with its sub-groups when grouping on two levels.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    /// The value this group stands for ("" for events without it).
    pub key: String,
    /// Events in the group.
    pub count: u32,
    /// Sub-groups (empty for the last level).
    pub children: Vec<Group>,
}

/// A query the engine could not understand, with where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryError {
    /// Plain words.
    pub message: String,
    /// 0-based character offset in the query.
    pub position: usize,
}

/// Numbers for the summary bar.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Events counted.
    pub events: u32,
    /// Earliest event time (ms).
    pub first_ms: Option<i64>,
    /// Latest event time (ms).
    pub last_ms: Option<i64>,
    /// Distinct accounts.
    pub accounts: u32,
    /// Distinct regions.
    pub regions: u32,
    /// Distinct services.
    pub services: u32,
    /// Distinct principals.
    pub principals: u32,
    /// Failed calls.
    pub failed: u32,
}

/// A `requestParameters.*` or `responseElements.*` path present in a set of events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParamColumn {
    /// Dotted path from the event root, e.g. `requestParameters.alarmName`.
    pub path: String,
    /// In how many of the events it is present.
    pub count: u32,
}

impl Field {
    /// The fields the page shows facets for, in display order (also what
    /// `examples/view_profile` times, so it measures the page's views).
    pub const FACETS: &'static [Field] = &[
        Field::Service,
        Field::EventName,
        Field::Principal,
        Field::RecipientAccountId,
        Field::AwsRegion,
        Field::SourceIpAddress,
        Field::ErrorCode,
        Field::UserAgent,
        Field::IdentityType,
        Field::ReadOnly,
    ];

    /// Every field, in the order the UI offers them.
    pub const ALL: &'static [Field] = &[
        Field::EventTime,
        Field::EventSource,
        Field::Service,
        Field::EventName,
        Field::Principal,
        Field::AwsRegion,
        Field::ErrorCode,
        Field::RecipientAccountId,
        Field::SourceIpAddress,
        Field::UserAgent,
        Field::IdentityType,
        Field::IdentityArn,
        Field::AccessKeyId,
        Field::ReadOnly,
        Field::Outcome,
        Field::EventType,
        Field::EventCategory,
    ];

    /// The name used in queries, URLs and the `group-by` option values.
    pub fn name(self) -> &'static str {
        match self {
            Field::EventTime => "eventTime",
            Field::EventSource => "eventSource",
            Field::Service => "service",
            Field::EventName => "eventName",
            Field::Principal => "principal",
            Field::AwsRegion => "awsRegion",
            Field::ErrorCode => "errorCode",
            Field::RecipientAccountId => "recipientAccountId",
            Field::SourceIpAddress => "sourceIPAddress",
            Field::UserAgent => "userAgent",
            Field::IdentityType => "userIdentity.type",
            Field::IdentityArn => "userIdentity.arn",
            Field::AccessKeyId => "userIdentity.accessKeyId",
            Field::ReadOnly => "readOnly",
            Field::Outcome => "outcome",
            Field::EventType => "eventType",
            Field::EventCategory => "eventCategory",
        }
    }

    /// The field whose [`Field::name`] is `s`.
    pub fn from_name(s: &str) -> Option<Field> {
        Field::ALL.iter().copied().find(|f| f.name() == s)
    }

    /// A short label for column headers and facet titles.
    pub fn label(self) -> &'static str {
        match self {
            Field::EventTime => "Time",
            Field::EventSource => "Event source",
            Field::Service => "Service",
            Field::EventName => "Event name",
            Field::Principal => "Principal",
            Field::AwsRegion => "Region",
            Field::ErrorCode => "Error code",
            Field::RecipientAccountId => "Account",
            Field::SourceIpAddress => "Source IP",
            Field::UserAgent => "User agent",
            Field::IdentityType => "Identity type",
            Field::IdentityArn => "Identity ARN",
            Field::AccessKeyId => "Access key",
            Field::ReadOnly => "Read-only",
            Field::Outcome => "Outcome",
            Field::EventType => "Event type",
            Field::EventCategory => "Event category",
        }
    }

    /// The interned column holding this field, if it is one.
    fn col(self) -> Option<Col> {
        Some(match self {
            Field::EventSource => Col::EventSource,
            Field::EventName => Col::EventName,
            Field::Principal => Col::Principal,
            Field::AwsRegion => Col::AwsRegion,
            Field::ErrorCode => Col::ErrorCode,
            Field::RecipientAccountId => Col::RecipientAccountId,
            Field::SourceIpAddress => Col::SourceIp,
            Field::UserAgent => Col::UserAgent,
            Field::IdentityType => Col::IdentityType,
            Field::IdentityArn => Col::IdentityArn,
            Field::AccessKeyId => Col::IdentityAccessKeyId,
            Field::EventType => Col::EventType,
            Field::EventCategory => Col::EventCategory,
            Field::EventTime | Field::Service | Field::ReadOnly | Field::Outcome => return None,
        })
    }
}

/// Maps each event to a small integer key for one field, and keys back to text.
/// Key 0 always means "no value" and reads as "".
struct Keyer<'a> {
    store: &'a Store,
    field: Field,
    /// Distinct times seen (for `EventTime`), key = position + 1.
    times: Vec<i64>,
    time_keys: FxHashMap<i64, u32>,
}

impl<'a> Keyer<'a> {
    fn new(store: &'a Store, field: Field, ids: &[u32]) -> Self {
        let mut k = Keyer {
            store,
            field,
            times: Vec::new(),
            time_keys: FxHashMap::default(),
        };
        if field == Field::EventTime {
            for &i in ids {
                if let Some(t) = store.time(i) {
                    let next = k.times.len() as u32 + 1;
                    k.time_keys.entry(t).or_insert_with(|| {
                        k.times.push(t);
                        next
                    });
                }
            }
        }
        k
    }

    /// Number of possible keys (0 included).
    fn len(&self) -> usize {
        match self.field {
            Field::EventTime => self.times.len() + 1,
            Field::Service => self.store.services().len(),
            Field::ReadOnly | Field::Outcome => 3,
            f => f.col().map_or(1, |c| self.store.dict(c).len()),
        }
    }

    #[inline]
    fn key(&self, i: u32) -> u32 {
        match self.field {
            Field::EventTime => self
                .store
                .time(i)
                .and_then(|t| self.time_keys.get(&t).copied())
                .unwrap_or(0),
            Field::Service => self.store.service_id(i),
            Field::ReadOnly => match self.store.read_only(i) {
                None => 0,
                Some(false) => 1,
                Some(true) => 2,
            },
            Field::Outcome => {
                if self.store.failed(i) {
                    2
                } else {
                    1
                }
            }
            f => f.col().map_or(0, |c| self.store.col(c)[i as usize]),
        }
    }

    fn label(&self, k: u32) -> Cow<'a, str> {
        match self.field {
            Field::EventTime => match k.checked_sub(1).and_then(|x| self.times.get(x as usize)) {
                Some(&t) => Cow::Owned(format_iso_ms(t)),
                None => Cow::Borrowed(""),
            },
            Field::Service => Cow::Borrowed(self.store.services().value(k)),
            Field::ReadOnly => Cow::Borrowed(["", "false", "true"][k.min(2) as usize]),
            Field::Outcome => Cow::Borrowed(["", "success", "failed"][k.min(2) as usize]),
            f => match f.col() {
                Some(c) => Cow::Borrowed(self.store.dict(c).value(k)),
                None => Cow::Borrowed(""),
            },
        }
    }

    /// Sort rank of a key: keys ordered by their text (absent first).
    fn ranks(&self) -> Vec<u32> {
        match self.field {
            Field::Service => self.store.services().ranks(),
            Field::ReadOnly | Field::Outcome => vec![0, 1, 2],
            f => match f.col() {
                Some(c) => self.store.dict(c).ranks(),
                None => (0..self.len() as u32).collect(),
            },
        }
    }

    /// Count keys over `ids`. The field's column is looked up once, not per event: this
    /// loop runs over every event of a view for every facet.
    fn counts(&self, ids: &[u32]) -> Vec<u32> {
        let mut c = vec![0u32; self.len()];
        let s = self.store;
        match self.field {
            Field::Service => {
                for &i in ids {
                    c[s.service_id(i) as usize] += 1;
                }
            }
            Field::ReadOnly => {
                for &i in ids {
                    c[match s.read_only(i) {
                        None => 0,
                        Some(false) => 1,
                        Some(true) => 2,
                    }] += 1;
                }
            }
            Field::Outcome => {
                for &i in ids {
                    c[if s.failed(i) { 2 } else { 1 }] += 1;
                }
            }
            f => match f.col() {
                Some(col) => {
                    let col = s.col(col);
                    for &i in ids {
                        c[col[i as usize] as usize] += 1;
                    }
                }
                None => {
                    for &i in ids {
                        c[self.key(i) as usize] += 1;
                    }
                }
            },
        }
        c
    }
}

/// Every live event in one table order (from [`Engine::order`]).
#[derive(Debug, Clone)]
pub struct Order {
    /// The field it sorts by.
    pub by: Field,
    /// Whether it is descending.
    pub descending: bool,
    /// Live events in order.
    ids: Vec<u32>,
    /// Each event slot's position in `ids` (`u32::MAX` when not in it).
    rank: Vec<u32>,
}

impl Order {
    /// Distinct `ids` in this order, as [`Engine::sort`] would put them on the content
    /// the order was made from; ids not in the order (not live then) go last, by index.
    /// Many ids cost one walk over the order, few cost a sort of their positions.
    pub fn arrange(&self, ids: &[u32]) -> Vec<u32> {
        self.first(ids, ids.len())
    }

    /// The first `n` of [`Order::arrange`]`(ids)`, without putting the rest in order: a
    /// walk of the order up to the `n`th of `ids` when they are many.
    pub fn first(&self, ids: &[u32], n: usize) -> Vec<u32> {
        if ids.len() >= self.ids.len() / 8 {
            if let Some(member) = self.members(ids) {
                return self.in_order(&member).take(n).collect();
            }
        }
        let mut out = self.sorted(ids);
        out.truncate(n);
        out
    }

    fn pos(&self, i: u32) -> u32 {
        self.rank.get(i as usize).copied().unwrap_or(u32::MAX)
    }

    /// `ids` as a bit per event slot, when all of them are in the order.
    fn members(&self, ids: &[u32]) -> Option<Vec<u64>> {
        let mut member = vec![0u64; self.rank.len().div_ceil(64)];
        for &i in ids {
            if self.pos(i) == u32::MAX {
                return None;
            }
            member[i as usize / 64] |= 1 << (i % 64);
        }
        Some(member)
    }

    /// The order's events that are in `member`, in order.
    fn in_order<'a>(&'a self, member: &'a [u64]) -> impl Iterator<Item = u32> + 'a {
        self.ids
            .iter()
            .copied()
            .filter(move |&i| member[i as usize / 64] >> (i % 64) & 1 != 0)
    }

    /// `ids` sorted by their positions (ids not in the order last, by index).
    fn sorted(&self, ids: &[u32]) -> Vec<u32> {
        let mut out = ids.to_vec();
        out.sort_unstable_by_key(|&i| (self.pos(i), i));
        out
    }
}

/// The engine: every loaded file and the store of their events.
#[derive(Debug, Default)]
pub struct Engine {
    store: Store,
    files: Vec<FileReport>,
    next_file: u32,
}

impl Engine {
    /// An engine with nothing loaded.
    pub fn new() -> Self {
        Self::default()
    }

    /// Read one file (any supported format, gzip or not) and store its events.
    /// Returns the file's report; the file's id is `report.id`.
    pub fn load(&mut self, name: &str, bytes: &[u8]) -> &FileReport {
        let id = self.next_file;
        self.next_file += 1;
        self.store.set_file_name(id, name);
        let mut report = crate::ingest::ingest(id, name, bytes, &mut self.store);
        report.id = id;
        let at = self.files.len();
        self.files.push(report);
        &self.files[at]
    }

    /// Start reading a file that arrives in chunks (a browser's `File.stream()`):
    /// hand each chunk to [`Engine::feed`], then call [`Engine::finish_file`]. The
    /// outcome is the same report and store content as [`Engine::load`] on all the
    /// bytes; finishing early (a Cancel) is the same as loading the bytes fed so far.
    /// The file's id is given now ([`FileFeed::id`]); a feed should always be
    /// finished, since what it stored stays in the store.
    pub fn begin_file(&mut self, name: &str) -> FileFeed {
        let id = self.next_file;
        self.next_file += 1;
        self.store.set_file_name(id, name);
        FileFeed::new(id, name, crate::ingest::Options::default())
    }

    /// Take the next chunk of a file begun with [`Engine::begin_file`]. Chunks may be
    /// cut anywhere (inside a gzip member, a record, a UTF-8 character).
    pub fn feed(&mut self, feed: &mut FileFeed, chunk: &[u8]) {
        feed.push(&mut self.store, chunk);
    }

    /// [`Engine::feed`] for a chunk of `len` bytes that `fill` writes into the buffer
    /// it is given (all of it), so that bytes held elsewhere (a browser's
    /// `ArrayBuffer`) are copied once, straight into the feed.
    pub fn feed_with(&mut self, feed: &mut FileFeed, len: usize, fill: impl FnOnce(&mut [u8])) {
        feed.push_with(&mut self.store, len, fill);
    }

    /// Read the rest of a fed file and keep its report (see [`Engine::begin_file`]).
    pub fn finish_file(&mut self, feed: FileFeed) -> &FileReport {
        let id = feed.id();
        let mut report = feed.finish(&mut self.store);
        report.id = id;
        let at = self.files.len();
        self.files.push(report);
        &self.files[at]
    }

    /// Every loaded file's report, in load order.
    pub fn files(&self) -> &[FileReport] {
        &self.files
    }

    /// Remove a file: its events go, except those also present in another loaded
    /// file. Returns false when no loaded file has this id.
    pub fn remove_file(&mut self, file_id: u32) -> bool {
        let Some(pos) = self.files.iter().position(|f| f.id == file_id) else {
            return false;
        };
        self.files.remove(pos);
        self.store.remove_file(file_id);
        true
    }

    /// Number of distinct live events.
    pub fn len(&self) -> usize {
        self.store.len()
    }

    /// Whether no event is loaded.
    pub fn is_empty(&self) -> bool {
        self.store.is_empty()
    }

    /// The store (for benchmarks and tools that need its columns).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Events matching `q` (see [`crate::query`]), ascending index order. An empty
    /// query matches every live event.
    pub fn query(&self, q: &str) -> Result<Vec<u32>, QueryError> {
        crate::query::run(&self.store, q)
    }

    /// Sort `ids` by a field, stable: ties keep ascending index order (also when
    /// `descending`). Text fields sort by their text, absent values first
    /// (ascending); times numerically, unknown times first (ascending).
    pub fn sort(&self, ids: &mut [u32], by: Field, descending: bool) {
        let mut keyed = self.keyed(ids, by, descending);
        keyed.sort_unstable();
        for (slot, (_, i)) in ids.iter_mut().zip(keyed) {
            *slot = i;
        }
    }

    /// The first `n` of `ids` as [`Engine::sort`] would put them, without putting the
    /// rest in order: a selection of the first `n` and a sort of those alone.
    pub fn sorted_first(&self, ids: &[u32], by: Field, descending: bool, n: usize) -> Vec<u32> {
        if n == 0 {
            return Vec::new();
        }
        let mut keyed = self.keyed(ids, by, descending);
        if n < keyed.len() {
            keyed.select_nth_unstable(n - 1);
            keyed.truncate(n);
        }
        keyed.sort_unstable();
        keyed.into_iter().map(|(_, i)| i).collect()
    }

    /// Every event of `ids` beside its sort key: the field's order mapped onto u64,
    /// inverted when descending, so that sorting the pairs (ties by index, which makes
    /// an unstable sort deterministic) is sorting by the field with no lookups while
    /// comparing.
    fn keyed(&self, ids: &[u32], by: Field, descending: bool) -> Vec<(u64, u32)> {
        let flip = |k: u64| if descending { !k } else { k };
        if by == Field::EventTime {
            let t = self.store.times();
            ids.iter()
                .map(|&i| (flip((t[i as usize] as u64) ^ (1 << 63)), i))
                .collect()
        } else {
            let k = Keyer::new(&self.store, by, &[]);
            let rank = k.ranks();
            ids.iter()
                .map(|&i| {
                    let r = rank.get(k.key(i) as usize).copied().unwrap_or(0);
                    (flip(u64::from(r)), i)
                })
                .collect()
        }
    }

    /// Makes room for about `additional` more events at once (see [`Store::reserve`]).
    pub fn reserve(&mut self, additional: usize) {
        self.store.reserve(additional);
    }

    /// Every live event in table order by `by`, made once per content so that each
    /// view's events are put in order without sorting them again (see [`Order::arrange`]).
    pub fn order(&self, by: Field, descending: bool) -> Order {
        let mut ids = self.store.live_ids();
        self.sort(&mut ids, by, descending);
        let mut rank = vec![u32::MAX; self.store.slots()];
        for (r, &i) in ids.iter().enumerate() {
            rank[i as usize] = r as u32;
        }
        Order {
            by,
            descending,
            ids,
            rank,
        }
    }

    /// The `top` most frequent values of `field` among `ids` (events without the
    /// field are not counted), most frequent first, ties by value.
    pub fn facet(&self, ids: &[u32], field: Field, top: usize) -> Facet {
        let k = Keyer::new(&self.store, field, ids);
        let counts = k.counts(ids);
        // Labels are borrowed from the dictionaries: only the `top` shown are copied.
        let mut merged: FxHashMap<Cow<'_, str>, u32> = FxHashMap::default();
        for (key, &n) in counts.iter().enumerate().skip(1) {
            if n > 0 {
                *merged.entry(k.label(key as u32)).or_default() += n;
            }
        }
        let distinct = merged.len() as u32;
        let mut values: Vec<(Cow<'_, str>, u32)> = merged.into_iter().collect();
        let by_count = |a: &(Cow<'_, str>, u32), b: &(Cow<'_, str>, u32)| {
            b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0))
        };
        if values.len() > top && top > 0 {
            values.select_nth_unstable_by(top - 1, by_count);
        }
        values.truncate(top);
        values.sort_by(by_count);
        Facet {
            values: values
                .into_iter()
                .map(|(v, n)| (v.into_owned(), n))
                .collect(),
            distinct,
        }
    }

    /// The one value of `field` among `ids` when there is exactly one (events without
    /// the field do not count), as [`Engine::facet`] would list it alone. Stops at the
    /// second value it meets, so a mixed view costs a few events, not all of them.
    pub fn uniform(&self, ids: &[u32], field: Field) -> Option<String> {
        if field == Field::EventTime {
            let f = self.facet(ids, field, 2);
            return (f.values.len() == 1).then(|| f.values[0].0.clone());
        }
        let k = Keyer::new(&self.store, field, &[]);
        let mut only = None;
        for &i in ids {
            let key = k.key(i);
            if key == 0 {
                continue;
            }
            match only {
                None => only = Some(key),
                Some(o) if o != key => return None,
                Some(_) => {}
            }
        }
        only.map(|key| k.label(key).into_owned())
    }

    /// Group `ids` by `keys` (one level per key): most events first, then by key.
    /// Events without a value form the group "".
    pub fn group(&self, ids: &[u32], keys: &[Field]) -> Vec<Group> {
        let Some((&first, rest)) = keys.split_first() else {
            return Vec::new();
        };
        let k = Keyer::new(&self.store, first, ids);
        let mut members: FxHashMap<Cow<'_, str>, Vec<u32>> = FxHashMap::default();
        let mut by_key: Vec<Option<Cow<'_, str>>> = vec![None; k.len()];
        for &i in ids {
            let key = k.key(i) as usize;
            let label = by_key[key]
                .get_or_insert_with(|| k.label(key as u32))
                .clone();
            members.entry(label).or_default().push(i);
        }
        let mut groups: Vec<Group> = members
            .into_iter()
            .map(|(key, m)| Group {
                key: key.into_owned(),
                count: m.len() as u32,
                children: self.group(&m, rest),
            })
            .collect();
        groups.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
        groups
    }

    /// The events of `ids` in the group named by `path` (one key value per level,
    /// as in [`Group::key`]; a shorter path names a higher-level group).
    pub fn group_members(&self, ids: &[u32], keys: &[Field], path: &[String]) -> Vec<u32> {
        let levels: Vec<(Keyer<'_>, &String)> = keys
            .iter()
            .zip(path)
            .map(|(&f, v)| (Keyer::new(&self.store, f, ids), v))
            .collect();
        // Per level, which keys carry the wanted text.
        let wanted: Vec<Vec<bool>> = levels
            .iter()
            .map(|(k, v)| {
                (0..k.len() as u32)
                    .map(|key| k.label(key) == v.as_str())
                    .collect()
            })
            .collect();
        ids.iter()
            .copied()
            .filter(|&i| {
                levels
                    .iter()
                    .zip(&wanted)
                    .all(|((k, _), w)| w.get(k.key(i) as usize).copied().unwrap_or(false))
            })
            .collect()
    }

    /// The text of one field of one event ("" when absent).
    pub fn field_value(&self, index: u32, field: Field) -> String {
        if index as usize >= self.store.slots() {
            return String::new();
        }
        let k = Keyer::new(&self.store, field, &[index]);
        k.label(k.key(index)).into_owned()
    }

    /// The columns of one event, as text.
    pub fn row(&self, index: u32) -> Row {
        let s = &self.store;
        if index as usize >= s.slots() {
            return Row {
                index,
                ..Row::default()
            };
        }
        let v = |c: Col| s.value(c, index).to_owned();
        let account = match s.value(Col::RecipientAccountId, index) {
            "" => v(Col::IdentityAccountId),
            a => a.to_owned(),
        };
        Row {
            index,
            event_id: s.event_id(index).to_owned(),
            time_ms: s.time(index),
            event_source: v(Col::EventSource),
            service: s.service(index).to_owned(),
            event_name: v(Col::EventName),
            principal: v(Col::Principal),
            identity_type: v(Col::IdentityType),
            account,
            region: v(Col::AwsRegion),
            source_ip: v(Col::SourceIp),
            user_agent: v(Col::UserAgent),
            error_code: v(Col::ErrorCode),
            failed: s.failed(index),
            read_only: s.read_only(index),
        }
    }

    /// The event's original JSON text ("" for an unknown index).
    pub fn raw_json(&self, index: u32) -> &str {
        self.store.text(index)
    }

    /// Numbers for the summary bar over `ids`. Accounts are `recipientAccountId`
    /// (or `userIdentity.accountId` when absent).
    pub fn summary(&self, ids: &[u32]) -> Summary {
        let s = &self.store;
        let distinct = |len: usize, key: &dyn Fn(u32) -> u32| -> u32 {
            let mut seen = vec![false; len];
            let mut n = 0;
            for &i in ids {
                let k = key(i) as usize;
                if k != 0 && !seen[k] {
                    seen[k] = true;
                    n += 1;
                }
            }
            n
        };
        // Accounts come from two dictionaries: mark the keys seen in each, then count
        // the distinct texts of the marked keys.
        let recipient = s.col(Col::RecipientAccountId);
        let identity = s.col(Col::IdentityAccountId);
        let mut seen_recipient = vec![false; s.dict(Col::RecipientAccountId).len()];
        let mut seen_identity = vec![false; s.dict(Col::IdentityAccountId).len()];
        // `recipientAccountId: ""` falls back like an absent one (as `row()` does).
        let empty_recipient = s.dict(Col::RecipientAccountId).get("").unwrap_or(0);
        let times = s.times();
        let mut first = i64::MAX;
        let mut last = i64::MIN;
        let mut failed = 0;
        for &i in ids {
            let r = recipient[i as usize];
            if r != 0 && r != empty_recipient {
                seen_recipient[r as usize] = true;
            } else {
                seen_identity[identity[i as usize] as usize] = true;
            }
            let t = times[i as usize];
            if t != crate::store::NO_TIME {
                first = first.min(t);
                last = last.max(t);
            }
            failed += u32::from(s.failed(i));
        }
        let mut accounts: FxHashMap<&str, ()> = FxHashMap::default();
        for (c, seen) in [
            (Col::RecipientAccountId, &seen_recipient),
            (Col::IdentityAccountId, &seen_identity),
        ] {
            for (k, _) in seen.iter().enumerate().skip(1).filter(|(_, &on)| on) {
                accounts.insert(s.dict(c).value(k as u32), ());
            }
        }
        accounts.remove("");
        let timed = first <= last;
        Summary {
            events: ids.len() as u32,
            first_ms: timed.then_some(first),
            last_ms: timed.then_some(last),
            accounts: accounts.len() as u32,
            regions: distinct(s.dict(Col::AwsRegion).len(), &|i| {
                s.col(Col::AwsRegion)[i as usize]
            }),
            services: distinct(s.services().len(), &|i| s.service_id(i)),
            principals: distinct(s.dict(Col::Principal).len(), &|i| {
                s.col(Col::Principal)[i as usize]
            }),
            failed,
        }
    }

    /// The `requestParameters.*` and `responseElements.*` leaf paths present in
    /// `ids`, flattened with dots (arrays as one path ending `[]`), most frequent
    /// first, then by path; at most `max`.
    pub fn param_columns(&self, ids: &[u32], max: usize) -> Vec<ParamColumn> {
        crate::export::param_columns(&self.store, ids, max)
    }

    /// Display text of a parameter (or any JSON path) of one event: strings as
    /// they are (JSON held in a string decoded compactly), numbers and booleans as
    /// written, objects compact, arrays of a few short scalars joined with ", ",
    /// longer arrays as "[N items]". `None` when the event lacks the path.
    pub fn param_value(&self, index: u32, path: &str) -> Option<String> {
        if index as usize >= self.store.slots() {
            return None;
        }
        crate::export::param_value(self.store.text(index), path)
    }

    /// The chain of identities behind event `index`: the event, the event that
    /// issued its access key, and so on back to the first identity in the loaded
    /// logs (see [`crate::investigate`]). Empty for an unknown or removed event.
    pub fn lineage(&self, index: u32) -> crate::investigate::Lineage {
        crate::investigate::lineage(&self.store, index)
    }

    /// Every live event made with `access_key` (`userIdentity.accessKeyId`), in time
    /// order (events without a time first), ties by index.
    pub fn session_events(&self, access_key: &str) -> Vec<u32> {
        crate::investigate::session_events(&self.store, access_key)
    }

    /// The live event that issued `access_key`, if loaded.
    pub fn key_issuer(&self, access_key: &str) -> Option<u32> {
        crate::investigate::issuers(&self.store).issuer(access_key)
    }

    /// `ids` over time in about `buckets` buckets of a round width, split by
    /// outcome. `range` (`from` inclusive, `to` exclusive, ms) fixes the time span;
    /// otherwise it runs from the earliest to the latest event of `ids`. The counts,
    /// `untimed` and `outside` add up to `ids.len()`.
    pub fn histogram(
        &self,
        ids: &[u32],
        buckets: usize,
        range: Option<(i64, i64)>,
    ) -> crate::investigate::Histogram {
        crate::investigate::histogram(&self.store, ids, buckets, range)
    }

    /// The investigation presets (plain queries the user can edit).
    pub fn presets() -> &'static [crate::investigate::Preset] {
        crate::investigate::PRESETS
    }

    /// How many live events each preset matches, in [`Engine::presets`] order.
    pub fn preset_counts(&self) -> Vec<(String, u32)> {
        crate::investigate::PRESETS
            .iter()
            .map(|p| {
                let n = self.query(p.query).map_or(0, |v| v.len() as u32);
                (p.id.to_owned(), n)
            })
            .collect()
    }

    /// Two to five events side by side: every leaf path present in any of them, in
    /// document order (paths first met in a later event follow those of earlier
    /// ones), with each event's value and whether they differ. Only the first
    /// [`crate::investigate::COMPARE_MAX`] of `ids` are compared.
    pub fn compare(&self, ids: &[u32]) -> Vec<crate::investigate::CompareRow> {
        crate::investigate::compare(&self.store, ids)
    }

    /// `{"Records":[...]}` with each event's original text; loads back identically.
    pub fn export_json(&self, ids: &[u32]) -> String {
        crate::export::json(&self.store, ids)
    }

    /// One event per line (original text with insignificant whitespace removed).
    pub fn export_jsonl(&self, ids: &[u32]) -> String {
        crate::export::jsonl(&self.store, ids)
    }

    /// CSV (RFC 4180) of `columns`, each a [`Field::name`], `eventID`, or any JSON
    /// path (as [`Engine::param_value`] shows it). Cells that a spreadsheet would
    /// run as a formula are prefixed with `'`.
    pub fn export_csv(&self, ids: &[u32], columns: &[String]) -> String {
        let cols: Vec<CsvCol<'_>> = columns
            .iter()
            .map(|c| match Field::from_name(c) {
                Some(f) => CsvCol::Field(Keyer::new(&self.store, f, ids)),
                None if c == "eventID" => CsvCol::EventId,
                None => CsvCol::Path(c),
            })
            .collect();
        let mut out = String::new();
        crate::export::csv_line(&mut out, columns.iter().map(|c| Cow::Borrowed(c.as_str())));
        for &i in ids {
            crate::export::csv_line(
                &mut out,
                cols.iter().map(|c| match c {
                    CsvCol::Field(k) => k.label(k.key(i)),
                    CsvCol::EventId => Cow::Borrowed(self.store.event_id(i)),
                    CsvCol::Path(p) => Cow::Owned(
                        crate::export::param_value(self.store.text(i), p).unwrap_or_default(),
                    ),
                }),
            );
        }
        out
    }
}

enum CsvCol<'a> {
    Field(Keyer<'a>),
    EventId,
    Path(&'a str),
}
