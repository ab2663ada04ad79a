//! Investigation: who is behind a call, what happened when, and how events differ.
//!
//! - **Lineage** ([`lineage`]): a call made with an access key is linked to the
//!   event that issued that key (`AssumeRole*`, `GetFederationToken`,
//!   `GetSessionToken`, `AssumeRoot` and SSO `GetRoleCredentials` return it in
//!   `responseElements.credentials` / `roleCredentials`; `CreateAccessKey` in
//!   `responseElements.accessKey`), then that event to the one that issued *its*
//!   key, and so on back to the first identity found in the loaded logs. A
//!   temporary key (`ASIA...`) whose issuing event is not loaded is named in
//!   [`Lineage::missing`].
//! - **Sessions** ([`session_events`]): everything done under one access key, in
//!   time order. The query term `session:<accessKeyId>` matches those events and the
//!   event that issued the key.
//! - **New source addresses**: the query term `newSourceIp:true` matches, for each
//!   principal, the first event (in time order, ties by index) from each source IP
//!   address other than the principal's very first one. Only `sourceIPAddress`
//!   values that are IP addresses count (not `ec2.amazonaws.com` and the like), and
//!   only events with a time. `newSourceIp:false` matches every other event.
//! - **Timeline** ([`histogram`]), **presets** ([`PRESETS`]) and **compare**
//!   ([`compare`]).
//!
//! The key index and the new-address set are built on first use and cached in the
//! store until it changes (a load or a removal clears them).

use std::borrow::Cow;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::engine::Field;
use crate::query::Bits;
use crate::store::dict::{FxHashMap, FxHashSet};
use crate::store::parse::{array_items, text};
use crate::store::{lookup_path, scan, Col, Store};

/// What the store caches for investigations; cleared whenever the store changes.
#[derive(Debug, Default)]
pub struct Cache {
    issuers: OnceLock<Issuers>,
    new_ip: OnceLock<Bits>,
}

impl Cache {
    /// Forget everything (the store changed).
    pub fn clear(&mut self) {
        self.issuers.take();
        self.new_ip.take();
    }
}

/// Events that issue access keys, and where each puts the key it issues.
pub const ISSUING_EVENTS: &[(&str, &str)] = &[
    ("AssumeRole", "responseElements.credentials.accessKeyId"),
    (
        "AssumeRoleWithSAML",
        "responseElements.credentials.accessKeyId",
    ),
    (
        "AssumeRoleWithWebIdentity",
        "responseElements.credentials.accessKeyId",
    ),
    ("AssumeRoot", "responseElements.credentials.accessKeyId"),
    (
        "GetFederationToken",
        "responseElements.credentials.accessKeyId",
    ),
    (
        "GetSessionToken",
        "responseElements.credentials.accessKeyId",
    ),
    (
        "GetRoleCredentials",
        "responseElements.roleCredentials.accessKeyId",
    ),
    ("CreateAccessKey", "responseElements.accessKey.accessKeyId"),
];

/// Access key -> the event that issued it (the earliest, ties by index, should a key
/// be seen issued twice), and back.
#[derive(Debug, Default)]
pub struct Issuers {
    by_key: FxHashMap<String, u32>,
    by_event: FxHashMap<u32, String>,
}

impl Issuers {
    /// The live event that issued `key`.
    pub fn issuer(&self, key: &str) -> Option<u32> {
        self.by_key.get(key).copied()
    }

    /// The key event `i` issued.
    pub fn issued(&self, i: u32) -> Option<&str> {
        self.by_event.get(&i).map(String::as_str)
    }

    /// Every (key, issuing event).
    pub fn iter(&self) -> impl Iterator<Item = (&str, u32)> {
        self.by_key.iter().map(|(k, &i)| (k.as_str(), i))
    }
}

fn build_issuers(store: &Store) -> Issuers {
    let names = store.dict(Col::EventName);
    let mut path_of: Vec<Option<&str>> = vec![None; names.len()];
    for (name, path) in ISSUING_EVENTS {
        if let Some(id) = names.get(name) {
            path_of[id as usize] = Some(path);
        }
    }
    let mut by_key: FxHashMap<String, u32> = FxHashMap::default();
    let col = store.col(Col::EventName);
    let order = |i: u32| (store.times()[i as usize], i);
    for (i, &name) in col.iter().enumerate() {
        let i = i as u32;
        let Some(path) = path_of[name as usize] else {
            continue;
        };
        if !store.is_live(i) {
            continue;
        }
        let Some(key) = lookup_path(store.text(i), path)
            .into_iter()
            .find_map(|raw| text(Some(raw)).filter(|k| !k.is_empty()))
        else {
            continue;
        };
        match by_key.get_mut(key.as_ref()) {
            Some(j) if order(i) < order(*j) => *j = i,
            Some(_) => {}
            None => {
                by_key.insert(key.into_owned(), i);
            }
        }
    }
    let by_event = by_key.iter().map(|(k, &i)| (i, k.clone())).collect();
    Issuers { by_key, by_event }
}

/// The store's key index, built on first use.
pub fn issuers(store: &Store) -> &Issuers {
    store
        .investigation()
        .issuers
        .get_or_init(|| build_issuers(store))
}

/// Whether `s` is an IPv4 or IPv6 address.
fn is_ip(s: &str) -> bool {
    s.parse::<std::net::IpAddr>().is_ok()
}

fn build_new_ip(store: &Store) -> Bits {
    let mut out = Bits::empty(store.slots());
    let times = store.times();
    let mut order: Vec<u32> = (0..store.slots() as u32)
        .filter(|&i| store.is_live(i) && store.time(i).is_some())
        .collect();
    order.sort_by_key(|&i| (times[i as usize], i));
    let ips = store.dict(Col::SourceIp);
    let ip_ok: Vec<bool> = (0..ips.len() as u32).map(|k| is_ip(ips.value(k))).collect();
    let principals = store.col(Col::Principal);
    let ip_col = store.col(Col::SourceIp);
    let mut first_seen: FxHashSet<u32> = FxHashSet::default();
    let mut pairs: FxHashSet<(u32, u32)> = FxHashSet::default();
    for i in order {
        let (p, ip) = (principals[i as usize], ip_col[i as usize]);
        if p == 0 || !ip_ok[ip as usize] {
            continue;
        }
        let known = !first_seen.insert(p);
        if pairs.insert((p, ip)) && known {
            out.set(i);
        }
    }
    out
}

/// Events that are a principal's first call from a new source address (see the
/// module docs), built on first use.
pub fn new_source_ip(store: &Store) -> &Bits {
    store
        .investigation()
        .new_ip
        .get_or_init(|| build_new_ip(store))
}

/// How a call was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Access {
    /// From the AWS Management Console (a sign-in, or a console session's call).
    Console,
    /// With access keys (CLI, SDK, a service).
    Programmatic,
}

/// One link of a [`Lineage`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineageStep {
    /// Engine index of the event.
    pub index: u32,
    /// `eventName`.
    pub event_name: String,
    /// Event time (ms).
    pub time_ms: Option<i64>,
    /// Derived principal.
    pub principal: String,
    /// `userIdentity.arn`.
    pub arn: String,
    /// `userIdentity.type`.
    pub identity_type: String,
    /// `userIdentity.accessKeyId` the event was made with ("" when none).
    pub access_key_id: String,
    /// The access key this event issued, when it issued one (every step after the
    /// first issued the key of the step before it).
    pub issued_key: Option<String>,
    /// `sourceIPAddress`.
    pub source_ip: String,
    /// Whether MFA was used: `userIdentity.sessionContext.attributes.mfaAuthenticated`,
    /// or for `ConsoleLogin` `additionalEventData.MFAUsed`; `None` when the record
    /// does not say.
    pub mfa: Option<bool>,
    /// Console or programmatic: console for `ConsoleLogin`, for
    /// `sessionCredentialFromConsole: true`, and for console user agents
    /// (`console.amazonaws.com`, `console.aws.amazon.com`, `signin.amazonaws.com`,
    /// `S3Console`).
    pub access: Access,
}

/// The chain of identities behind one event, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lineage {
    /// The event itself, then the event that issued its access key, and so on.
    pub steps: Vec<LineageStep>,
    /// The temporary access key (`ASIA...`) of the last step when the event that
    /// issued it is not in the loaded logs.
    pub missing: Option<String>,
}

fn path_text(json: &str, path: &str) -> Option<String> {
    lookup_path(json, path)
        .into_iter()
        .find_map(|raw| text(Some(raw)).map(Cow::into_owned))
}

fn step(store: &Store, i: u32, issued: Option<&str>) -> LineageStep {
    let json = store.text(i);
    let event_name = store.value(Col::EventName, i).to_owned();
    let console_login = event_name == "ConsoleLogin";
    let mfa = if console_login {
        path_text(json, "additionalEventData.MFAUsed").map(|v| v.eq_ignore_ascii_case("yes"))
    } else {
        path_text(
            json,
            "userIdentity.sessionContext.attributes.mfaAuthenticated",
        )
        .map(|v| v.eq_ignore_ascii_case("true"))
    };
    let ua = store.value(Col::UserAgent, i);
    let console = console_login
        || path_text(json, "sessionCredentialFromConsole").is_some_and(|v| v == "true")
        || [
            "console.amazonaws.com",
            "console.aws.amazon.com",
            "signin.amazonaws.com",
            "S3Console",
        ]
        .iter()
        .any(|m| ua.contains(m));
    LineageStep {
        index: i,
        event_name,
        time_ms: store.time(i),
        principal: store.value(Col::Principal, i).to_owned(),
        arn: store.value(Col::IdentityArn, i).to_owned(),
        identity_type: store.value(Col::IdentityType, i).to_owned(),
        access_key_id: store.value(Col::IdentityAccessKeyId, i).to_owned(),
        issued_key: issued.map(str::to_owned),
        source_ip: store.value(Col::SourceIp, i).to_owned(),
        mfa,
        access: if console {
            Access::Console
        } else {
            Access::Programmatic
        },
    }
}

/// See [`crate::Engine::lineage`].
pub fn lineage(store: &Store, index: u32) -> Lineage {
    let mut out = Lineage::default();
    if !store.is_live(index) {
        return out;
    }
    let iss = issuers(store);
    let mut seen: FxHashSet<u32> = FxHashSet::default();
    let mut cur = index;
    loop {
        if !seen.insert(cur) {
            break; // A cycle: each event appears once.
        }
        out.steps
            .push(step(store, cur, iss.issued(cur).filter(|_| cur != index)));
        let key = store.value(Col::IdentityAccessKeyId, cur);
        if key.is_empty() {
            break;
        }
        match iss.issuer(key) {
            Some(j) => cur = j,
            None => {
                if key.starts_with("ASIA") {
                    out.missing = Some(key.to_owned());
                }
                break;
            }
        }
    }
    out
}

/// See [`crate::Engine::session_events`].
pub fn session_events(store: &Store, access_key: &str) -> Vec<u32> {
    let Some(id) = store.dict(Col::IdentityAccessKeyId).get(access_key) else {
        return Vec::new();
    };
    let col = store.col(Col::IdentityAccessKeyId);
    let mut v: Vec<u32> = (0..store.slots() as u32)
        .filter(|&i| col[i as usize] == id && store.is_live(i))
        .collect();
    let t = store.times();
    v.sort_by_key(|&i| (t[i as usize], i));
    v
}

/// Events over time, in buckets of a round width, split by outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Histogram {
    /// Start of the first bucket (ms, a multiple of `bucket_ms`).
    pub start_ms: i64,
    /// Width of each bucket (ms): 1 s, 2 s, 5 s, 10 s, 15 s, 30 s, 1 min, ... 1 day,
    /// 2, 7, 14, 30, 90, 180, 365 days, then whole years of 365 days.
    pub bucket_ms: i64,
    /// Successful events per bucket.
    pub ok: Vec<u32>,
    /// Failed events per bucket.
    pub failed: Vec<u32>,
    /// Events without a time (in no bucket).
    pub untimed: u32,
    /// Events outside the requested range (in no bucket).
    pub outside: u32,
}

/// The most buckets [`histogram`] makes.
pub const MAX_BUCKETS: usize = 10_000;

const SEC: i64 = 1000;
const MIN: i64 = 60 * SEC;
const HOUR: i64 = 60 * MIN;
const DAY: i64 = 24 * HOUR;
const NICE: &[i64] = &[
    SEC,
    2 * SEC,
    5 * SEC,
    10 * SEC,
    15 * SEC,
    30 * SEC,
    MIN,
    2 * MIN,
    5 * MIN,
    10 * MIN,
    15 * MIN,
    30 * MIN,
    HOUR,
    2 * HOUR,
    3 * HOUR,
    6 * HOUR,
    12 * HOUR,
    DAY,
    2 * DAY,
    7 * DAY,
    14 * DAY,
    30 * DAY,
    90 * DAY,
    180 * DAY,
    365 * DAY,
];

/// `a / b` rounded up, for `a >= 0`, `b > 0`.
fn ceil_div(a: i64, b: i64) -> i64 {
    let q = (i128::from(a) + i128::from(b) - 1) / i128::from(b);
    i64::try_from(q).unwrap_or(i64::MAX)
}

/// The smallest round width that covers `span` ms in at most `buckets` buckets.
pub fn nice_bucket(span: i64, buckets: usize) -> i64 {
    let want = ceil_div(span.max(1), buckets.max(1) as i64);
    match NICE.iter().find(|&&w| w >= want) {
        Some(&w) => w,
        None => ceil_div(want, 365 * DAY).saturating_mul(365 * DAY),
    }
}

/// See [`crate::Engine::histogram`].
pub fn histogram(
    store: &Store,
    ids: &[u32],
    buckets: usize,
    range: Option<(i64, i64)>,
) -> Histogram {
    let (from, to) = match range {
        Some((a, b)) => (a.min(b), a.max(b)),
        None => {
            let mut lo = i64::MAX;
            let mut hi = i64::MIN;
            for &i in ids {
                if let Some(t) = store.time(i) {
                    lo = lo.min(t);
                    hi = hi.max(t);
                }
            }
            if lo > hi {
                return Histogram {
                    start_ms: 0,
                    bucket_ms: SEC,
                    untimed: ids.len() as u32,
                    ..Histogram::default()
                };
            }
            (lo, hi.saturating_add(1))
        }
    };
    let bucket_ms = nice_bucket(to.saturating_sub(from), buckets.clamp(1, MAX_BUCKETS));
    let start_ms = from.div_euclid(bucket_ms).saturating_mul(bucket_ms);
    let n =
        ceil_div(to.saturating_sub(start_ms), bucket_ms).clamp(1, MAX_BUCKETS as i64 + 1) as usize;
    let mut h = Histogram {
        start_ms,
        bucket_ms,
        ok: vec![0; n],
        failed: vec![0; n],
        ..Histogram::default()
    };
    let times = store.times();
    // `bucket_ms` is at least a second (positive).
    let width = bucket_ms.unsigned_abs();
    for &i in ids {
        let t = times
            .get(i as usize)
            .copied()
            .unwrap_or(crate::store::NO_TIME);
        if t == crate::store::NO_TIME {
            h.untimed += 1;
            continue;
        }
        if t < from || t >= to {
            h.outside += 1;
            continue;
        }
        // `start_ms <= from <= t`: the difference is exact as u64 even when the i64
        // subtraction would overflow.
        let b = (t.wrapping_sub(start_ms) as u64 / width) as usize;
        let Some(slot) = (if store.failed(i) {
            h.failed.get_mut(b)
        } else {
            h.ok.get_mut(b)
        }) else {
            h.outside += 1;
            continue;
        };
        *slot += 1;
    }
    h
}

/// A saved investigation query the user can click and then edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Preset {
    /// Stable id (for URLs and tests).
    pub id: &'static str,
    /// What the UI shows.
    pub name: &'static str,
    /// The query, in the ordinary query language.
    pub query: &'static str,
    /// A grouping that suits it.
    pub group_by: Option<Field>,
}

/// The investigation presets, in the order the UI lists them.
pub const PRESETS: &[Preset] = &[
    Preset {
        id: "root-activity",
        name: "Root account activity",
        query: "userIdentity.type:Root",
        group_by: Some(Field::EventName),
    },
    Preset {
        id: "console-no-mfa",
        name: "Console sign-ins without MFA",
        query: "eventName:ConsoleLogin outcome:success additionalEventData.MFAUsed:No",
        group_by: Some(Field::Principal),
    },
    Preset {
        id: "console-failed",
        name: "Failed console sign-ins",
        query: "eventName:ConsoleLogin outcome:failed",
        group_by: Some(Field::Principal),
    },
    Preset {
        id: "cloudtrail-tampering",
        name: "CloudTrail tampering",
        query: "eventSource:cloudtrail.amazonaws.com (eventName:StopLogging OR eventName:DeleteTrail OR eventName:UpdateTrail OR eventName:PutEventSelectors OR eventName:PutInsightSelectors OR eventName:DeleteEventDataStore OR eventName:StopEventDataStoreIngestion)",
        group_by: Some(Field::EventName),
    },
    Preset {
        id: "iam-changes",
        name: "IAM changes",
        query: "eventSource:iam.amazonaws.com readOnly:false",
        group_by: Some(Field::EventName),
    },
    Preset {
        id: "access-denied",
        name: "Access denied, by principal",
        query: "errorCode:*AccessDenied* OR errorCode:*Unauthorized*",
        group_by: Some(Field::Principal),
    },
    Preset {
        id: "deletions",
        name: "Deletions and terminations",
        query: "eventName:Delete* OR eventName:Terminate*",
        group_by: Some(Field::EventName),
    },
    Preset {
        id: "new-source-ip",
        name: "Calls from new source IPs",
        query: "newSourceIp:true",
        group_by: Some(Field::Principal),
    },
];

/// One leaf path of a comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompareRow {
    /// Dotted path from the record root, array elements as `[n]`
    /// (`resources[0].ARN`).
    pub path: String,
    /// The value in each compared event (`None` where it lacks the path): strings
    /// as text, other scalars as written, empty objects and arrays as `{}` / `[]`.
    pub values: Vec<Option<String>>,
    /// Whether the values are not all the same.
    pub differs: bool,
}

/// The most events [`compare`] puts side by side.
pub const COMPARE_MAX: usize = 5;

fn flatten<'a>(raw: &'a str, path: &mut String, out: &mut Vec<(String, Cow<'a, str>)>) {
    let len = path.len();
    if raw.starts_with('{') {
        let entries: Vec<(Cow<'a, str>, Cow<'a, str>)> = match scan::object_entries(raw) {
            Some(v) => v
                .into_iter()
                .map(|(k, v)| (text(Some(k)).unwrap_or_default(), Cow::Borrowed(v)))
                .collect(),
            // Only very deep values get here: serde_json reads them (key order lost).
            None => match serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(raw) {
                Ok(m) => m
                    .into_iter()
                    .map(|(k, v)| (Cow::Owned(k), Cow::Owned(v.to_string())))
                    .collect(),
                Err(_) => Vec::new(),
            },
        };
        if entries.is_empty() {
            out.push((path.clone(), Cow::Borrowed("{}")));
        }
        for (k, v) in entries {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(&k);
            match v {
                Cow::Borrowed(v) => flatten(v, path, out),
                Cow::Owned(v) => {
                    let mut sub = Vec::new();
                    flatten(&v, path, &mut sub);
                    out.extend(
                        sub.into_iter()
                            .map(|(p, x)| (p, Cow::Owned(x.into_owned()))),
                    );
                }
            }
            path.truncate(len);
        }
    } else if raw.starts_with('[') {
        let items = array_items(raw).unwrap_or_default();
        if items.is_empty() {
            out.push((path.clone(), Cow::Borrowed("[]")));
        }
        for (n, v) in items.into_iter().enumerate() {
            path.push_str(&format!("[{n}]"));
            flatten(v, path, out);
            path.truncate(len);
        }
    } else {
        out.push((
            path.clone(),
            text(Some(raw)).unwrap_or(Cow::Borrowed("null")),
        ));
    }
}

/// See [`crate::Engine::compare`].
pub fn compare(store: &Store, ids: &[u32]) -> Vec<CompareRow> {
    let ids = &ids[..ids.len().min(COMPARE_MAX)];
    let mut rows: Vec<CompareRow> = Vec::new();
    let mut at: FxHashMap<String, usize> = FxHashMap::default();
    for (col, &i) in ids.iter().enumerate() {
        if i as usize >= store.slots() {
            continue;
        }
        let mut leaves = Vec::new();
        flatten(store.text(i).trim_ascii(), &mut String::new(), &mut leaves);
        for (path, value) in leaves {
            let r = *at.entry(path.clone()).or_insert_with(|| {
                rows.push(CompareRow {
                    path,
                    values: vec![None; ids.len()],
                    differs: false,
                });
                rows.len() - 1
            });
            // A path met twice in one record (duplicate keys): the last one wins.
            rows[r].values[col] = Some(value.into_owned());
        }
    }
    for r in &mut rows {
        r.differs = r.values.windows(2).any(|w| w[0] != w[1]);
    }
    rows
}
