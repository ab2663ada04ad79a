//! The query language, evaluated against the [`Store`].
//!
//! - `field:value` where field is a CloudTrail JSON path (`eventName:PutMetricAlarm`,
//!   `userIdentity.type:Root`, `requestParameters.alarmName:"CloudTrail Test Alarm"`)
//!   or a derived name: `principal`, `service`, `outcome` (`success`/`failed`),
//!   `readOnly` (`true`/`false`, derived), `file` (file name), `eventID`.
//! - Values match exactly and case-sensitively; a `*` makes the value a wildcard
//!   pattern that matches ignoring case. `field:*` means "the field is present".
//! - Investigation terms (see [`crate::investigate`]): `session:<accessKeyId>` (the
//!   calls made with that key and the event that issued it) and `newSourceIp:true`
//!   (a principal's first call from each source IP address after its first one).
//! - `after:T` (time >= T) and `before:T` (time < T), T an ISO time
//!   (`2023-07-10`, `2023-07-10T12:00:00Z`) or relative to the newest loaded event
//!   (`-2h`, `-30m`, `-7d`, `-45s`). Events without a time match neither.
//! - Bare words and "quoted phrases" match anywhere in the event's JSON text,
//!   ignoring case. Note that `arn:aws:...` reads as a field term; quote it.
//! - Terms side by side must all match; `OR` between terms; `-term` or `NOT term`
//!   excludes; parentheses group. `AND` binds tighter than `OR`.
//!
//! Evaluation works on bitsets over event indices. Terms on interned columns resolve
//! the value against the column's dictionary once and then scan `u32` ids; other
//! paths read only that path from each candidate record (after a quick substring
//! pre-check on the raw text). In an AND, cheap terms run first and narrow the
//! candidates of the expensive ones.

pub mod parse;
pub mod text;

use crate::engine::QueryError;
use crate::store::{lookup_path, raw_text, time::parse_iso_ms, Col, Store};
use memchr::memmem;
use parse::{Expr, Pattern};
use text::Finder;

/// A set of event indices, one bit each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bits {
    words: Vec<u64>,
}

impl Bits {
    /// An empty set for `n` slots.
    pub fn empty(n: usize) -> Bits {
        Bits {
            words: vec![0; n.div_ceil(64)],
        }
    }
    /// Insert `i`.
    #[inline]
    pub fn set(&mut self, i: u32) {
        self.words[(i / 64) as usize] |= 1 << (i % 64);
    }
    /// Whether `i` is in the set.
    #[inline]
    pub fn get(&self, i: u32) -> bool {
        self.words
            .get((i / 64) as usize)
            .is_some_and(|w| w & (1 << (i % 64)) != 0)
    }
    /// Members, ascending.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.words.iter().enumerate().flat_map(|(wi, &w)| {
            let mut w = w;
            std::iter::from_fn(move || {
                if w == 0 {
                    return None;
                }
                let t = w.trailing_zeros();
                w &= w - 1;
                Some(wi as u32 * 64 + t)
            })
        })
    }
    /// Members, ascending, as a list (one walk over the words, sized up front).
    pub fn to_vec(&self) -> Vec<u32> {
        let mut out = Vec::with_capacity(self.count());
        for (wi, &w) in self.words.iter().enumerate() {
            let mut w = w;
            while w != 0 {
                out.push(wi as u32 * 64 + w.trailing_zeros());
                w &= w - 1;
            }
        }
        out
    }
    /// Number of members.
    pub fn count(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }
    fn and(&mut self, o: &Bits) {
        for (a, b) in self.words.iter_mut().zip(&o.words) {
            *a &= b;
        }
    }
    fn and_not(&mut self, o: &Bits) {
        for (a, b) in self.words.iter_mut().zip(&o.words) {
            *a &= !b;
        }
    }
    fn or(&mut self, o: &Bits) {
        for (a, b) in self.words.iter_mut().zip(&o.words) {
            *a |= b;
        }
    }
}

/// What a field name refers to.
#[derive(Debug, Clone)]
enum Target {
    Col(Col),
    Service,
    ReadOnly,
    Outcome,
    File,
    EventId,
    After(i64),
    Before(i64),
    Session,
    NewSourceIp,
    Path(String),
}

/// A query compiled against a store.
#[derive(Debug)]
enum Node {
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
    Text(Box<Finder>),
    Field(Target, Pattern),
}

fn cost(n: &Node) -> u8 {
    match n {
        Node::And(v) | Node::Or(v) => v.iter().map(cost).max().unwrap_or(0),
        Node::Not(x) => cost(x),
        Node::Text(_) => 4,
        Node::Field(Target::Path(_), _) => 3,
        Node::Field(Target::EventId | Target::File, _) => 2,
        Node::Field(..) => 1,
    }
}

/// Milliseconds of a relative time like `-2h`, `-30m`, `-7d`, `-45s`, `-1w`.
fn relative_ms(v: &str) -> Option<i64> {
    let rest = v.strip_prefix('-')?;
    let unit = rest.chars().last()?;
    let n: i64 = rest[..rest.len() - unit.len_utf8()].parse().ok()?;
    let mul = match unit {
        's' => 1_000,
        'm' => 60_000,
        'h' => 3_600_000,
        'd' => 86_400_000,
        'w' => 7 * 86_400_000,
        _ => return None,
    };
    Some(n * mul)
}

fn compile(e: Expr, store: &Store) -> Result<Node, QueryError> {
    Ok(match e {
        Expr::And(v) => {
            let mut nodes = v
                .into_iter()
                .map(|x| compile(x, store))
                .collect::<Result<Vec<_>, _>>()?;
            nodes.sort_by_key(cost);
            Node::And(nodes)
        }
        Expr::Or(v) => Node::Or(
            v.into_iter()
                .map(|x| compile(x, store))
                .collect::<Result<Vec<_>, _>>()?,
        ),
        Expr::Not(x) => Node::Not(Box::new(compile(*x, store)?)),
        Expr::Text(t) => Node::Text(Box::new(Finder::new(&t))),
        Expr::Field {
            field,
            pattern,
            position,
        } => {
            let target = match field.as_str() {
                "after" | "before" => {
                    let raw = match &pattern {
                        Pattern::Exact(s) => s.clone(),
                        Pattern::Wild(_) => String::new(),
                    };
                    let at = position + field.chars().count() + 1;
                    let t = match relative_ms(&raw) {
                        Some(d) => store.newest_time().map(|n| n - d).unwrap_or(i64::MAX),
                        None => parse_iso_ms(&raw).ok_or_else(|| QueryError {
                            message: format!(
                                "cannot read '{raw}' as a time: use e.g. 2023-07-10T12:00:00Z, 2023-07-10 or -2h"
                            ),
                            position: at,
                        })?,
                    };
                    if field == "after" {
                        Target::After(t)
                    } else {
                        Target::Before(t)
                    }
                }
                "principal" => Target::Col(Col::Principal),
                "service" => Target::Service,
                "readOnly" => Target::ReadOnly,
                "outcome" => Target::Outcome,
                "file" => Target::File,
                "eventID" => Target::EventId,
                "session" => Target::Session,
                "newSourceIp" => Target::NewSourceIp,
                f => match Col::from_path(f) {
                    Some(c) => Target::Col(c),
                    None => Target::Path(f.to_owned()),
                },
            };
            Node::Field(target, pattern)
        }
    })
}

/// Which ids of a dictionary match (index = id; id 0, absent, never matches).
fn dict_matches<'a>(
    values: impl Iterator<Item = (u32, &'a str)>,
    len: usize,
    p: &Pattern,
) -> Vec<bool> {
    let mut m = vec![false; len];
    for (id, v) in values {
        if p.matches(v) {
            m[id as usize] = true;
        }
    }
    m
}

/// Bytes that a JSON writer may escape; values holding them skip the raw-text
/// pre-check (it could miss an escaped form).
fn json_safe(s: &str) -> bool {
    s.bytes()
        .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\' && b != b'/')
}

fn eval(n: &Node, store: &Store, cand: &Bits) -> Bits {
    match n {
        Node::And(v) => {
            let mut cur = cand.clone();
            for x in v {
                cur = eval(x, store, &cur);
            }
            cur
        }
        Node::Or(v) => {
            let mut acc = Bits::empty(store.slots());
            let mut rest = cand.clone();
            for x in v {
                let r = eval(x, store, &rest);
                rest.and_not(&r);
                acc.or(&r);
            }
            acc
        }
        Node::Not(x) => {
            let mut r = cand.clone();
            r.and_not(&eval(x, store, cand));
            r
        }
        Node::Text(f) => text_search(store, cand, f.len(), |hay, from| f.find_from(hay, from)),
        Node::Field(t, p) => eval_field(t, p, store, cand),
    }
}

/// Candidates whose text holds a match of `find` (see [`Store::scan_texts`]). Many
/// candidates: one contiguous scan of all texts, then keep the candidates; few: only
/// their texts are searched.
fn text_search(
    store: &Store,
    cand: &Bits,
    needle_len: usize,
    find: impl Fn(&[u8], usize) -> Option<usize>,
) -> Bits {
    if cand.count() * 16 < store.slots() {
        return filter(store, cand, |i| {
            let (c, s, e) = store.span(i);
            find(&store.chunks()[c].as_bytes()[s..e], 0).is_some()
        });
    }
    let mut hits = Bits::empty(store.slots());
    store.scan_texts(needle_len, find, |i| hits.set(i));
    hits.and(cand);
    hits
}

/// The candidates `keep` says yes to (asked word by word of the candidate set).
fn filter(store: &Store, cand: &Bits, mut keep: impl FnMut(u32) -> bool) -> Bits {
    let mut out = Bits::empty(store.slots());
    for (wi, (&w, o)) in cand.words.iter().zip(out.words.iter_mut()).enumerate() {
        let mut w = w;
        let mut kept = 0u64;
        while w != 0 {
            let t = w.trailing_zeros();
            w &= w - 1;
            if keep(wi as u32 * 64 + t) {
                kept |= 1 << t;
            }
        }
        *o = kept;
    }
    out
}

fn eval_field(t: &Target, p: &Pattern, store: &Store, cand: &Bits) -> Bits {
    match t {
        Target::Col(c) => {
            let d = store.dict(*c);
            let col = store.col(*c);
            match p {
                Pattern::Exact(v) => match d.get(v) {
                    Some(id) => filter(store, cand, |i| col[i as usize] == id),
                    None => Bits::empty(store.slots()),
                },
                Pattern::Wild(_) => {
                    let m = dict_matches(d.iter(), d.len(), p);
                    filter(store, cand, |i| m[col[i as usize] as usize])
                }
            }
        }
        Target::Service => {
            let d = store.services();
            let m = dict_matches(d.iter(), d.len(), p);
            filter(store, cand, |i| m[store.service_id(i) as usize])
        }
        Target::ReadOnly => filter(store, cand, |i| match store.read_only(i) {
            Some(ro) => p.matches(if ro { "true" } else { "false" }),
            None => false,
        }),
        Target::Outcome => filter(store, cand, |i| {
            p.matches(if store.failed(i) { "failed" } else { "success" })
        }),
        Target::File => {
            let mut wanted = Vec::new();
            for (id, name) in store.file_names() {
                if p.matches(name) {
                    if wanted.len() <= id as usize {
                        wanted.resize(id as usize + 1, false);
                    }
                    wanted[id as usize] = true;
                }
            }
            filter(store, cand, |i| store.in_files(i, &wanted))
        }
        Target::EventId => filter(store, cand, |i| p.matches(store.event_id(i))),
        Target::Session => {
            let d = store.dict(Col::IdentityAccessKeyId);
            let col = store.col(Col::IdentityAccessKeyId);
            let m = dict_matches(d.iter(), d.len(), p);
            let mut out = filter(store, cand, |i| m[col[i as usize] as usize]);
            for (key, i) in crate::investigate::issuers(store).iter() {
                if p.matches(key) && cand.get(i) {
                    out.set(i);
                }
            }
            out
        }
        Target::NewSourceIp => {
            let new = crate::investigate::new_source_ip(store);
            filter(store, cand, |i| {
                p.matches(if new.get(i) { "true" } else { "false" })
            })
        }
        Target::After(t) => filter(store, cand, |i| store.time(i).is_some_and(|x| x >= *t)),
        Target::Before(t) => filter(store, cand, |i| store.time(i).is_some_and(|x| x < *t)),
        Target::Path(path) => {
            // A quick look at the raw text first: the value (or the longest literal
            // piece of a wildcard) must appear in it somewhere.
            let exact_pre = match p {
                Pattern::Exact(v) if json_safe(v) && !v.is_empty() => {
                    Some(memmem::Finder::new(v.as_bytes()).into_owned())
                }
                _ => None,
            };
            let wild_pre = match p {
                Pattern::Wild(parts) => parts
                    .iter()
                    .filter(|x| json_safe(x))
                    .max_by_key(|x| x.len())
                    .filter(|x| !x.is_empty())
                    .map(|x| Finder::new(x)),
                _ => None,
            };
            // Only events holding the last key, quoted, can have the path.
            let key = path
                .rsplit('.')
                .next()
                .map(|k| k.trim_end_matches("[]"))
                .filter(|k| json_safe(k) && !k.is_empty())
                .map(|k| memmem::Finder::new(format!("\"{k}\"").as_bytes()).into_owned());
            // Narrow with one contiguous scan: on an exact value long enough to be
            // rarer than the key (`bucketName:my-logs` rather than `maxResults:10`),
            // else on the quoted key; the other is then checked per event.
            let (scan_for, per_event): (Option<&memmem::Finder<'_>>, Vec<&memmem::Finder<'_>>) =
                match (&exact_pre, &key) {
                    (Some(v), k) if v.needle().len() >= 6 => (Some(v), k.iter().collect()),
                    (v, Some(k)) => (Some(k), v.iter().collect()),
                    (v, None) => (None, v.iter().collect()),
                };
            let narrowed = match scan_for {
                Some(f) => text_search(store, cand, f.needle().len(), |hay, from| {
                    f.find(&hay[from..]).map(|p| p + from)
                }),
                None => cand.clone(),
            };
            filter(store, &narrowed, |i| {
                let (c, s, e) = store.span(i);
                let raw = &store.chunks()[c].as_bytes()[s..e];
                if per_event.iter().any(|f| f.find(raw).is_none()) {
                    return false;
                }
                if wild_pre.as_ref().is_some_and(|f| !f.is_match(raw)) {
                    return false;
                }
                lookup_path(store.text(i), path)
                    .into_iter()
                    .any(|v| raw_text(Some(v)).is_some_and(|s| p.matches(&s)))
            })
        }
    }
}

/// Evaluate `q` against the live events of `store`: matching indices, ascending.
pub fn run(store: &Store, q: &str) -> Result<Vec<u32>, QueryError> {
    let live = Bits {
        words: store.live_words(),
    };
    let Some(expr) = parse::parse(q)? else {
        return Ok(live.to_vec());
    };
    let node = compile(expr, store)?;
    Ok(eval(&node, store, &live).to_vec())
}

/// Check a query's syntax without running it (for explaining errors as one types).
pub fn check(q: &str) -> Result<(), QueryError> {
    parse::parse(q).map(|_| ())
}
