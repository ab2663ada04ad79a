//! Parameter columns and exports: what the per-service views and the "export what
//! you see" buttons read from the store.
//!
//! - [`param_columns`]: the `requestParameters.*` / `responseElements.*` leaf paths
//!   present in a set of events, with how many events have each.
//! - [`param_value`]: one path of one event as display text.
//! - [`json`], [`jsonl`], [`csv_line`]: exports. JSON exports carry each event's
//!   original text, so they load back as the same events.

use std::borrow::Cow;

use serde_json::Value;

use crate::store::dict::FxHashMap;
use crate::store::parse::{pick, text};
use crate::store::scan;
use crate::store::{lookup_path, minify, Store};

/// Flatten `v` into leaf paths under `prefix` (arrays are one leaf `x[]`; empty
/// objects have no leaves).
fn flatten(prefix: &str, v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                flatten(&format!("{prefix}.{k}"), x, out);
            }
        }
        Value::Array(_) => out.push(format!("{prefix}[]")),
        _ => out.push(prefix.to_owned()),
    }
}

/// See [`crate::Engine::param_columns`].
///
/// Each event's two objects are walked in their raw text (no `serde_json::Value`
/// per event); an event whose parameters the walk cannot reproduce exactly (keys
/// repeated in one object, numbers serde_json may refuse, values the scanner leaves
/// to serde_json) is read the old way, through [`serde_paths`].
pub fn param_columns(store: &Store, ids: &[u32], max: usize) -> Vec<crate::engine::ParamColumn> {
    // path -> (events holding it, last event counted), so that a path met twice in
    // one event counts once.
    let mut counts: FxHashMap<String, (u32, u32)> = FxHashMap::default();
    let mut leaves = Leaves::default();
    for &i in ids {
        let Ok([req, resp]) = pick(store.text(i), &["requestParameters", "responseElements"])
        else {
            continue;
        };
        leaves.clear();
        for (name, raw) in [("requestParameters", req), ("responseElements", resp)] {
            let Some(raw) = raw.filter(|r| *r != "null") else {
                continue;
            };
            leaves.path.push_str(name);
            let exact = leaves.walk(raw);
            leaves.path.clear();
            if !exact {
                leaves.clear();
                let mut paths = Vec::new();
                for (name, raw) in [("requestParameters", req), ("responseElements", resp)] {
                    if let Some(raw) = raw {
                        serde_paths(name, raw, &mut paths);
                    }
                }
                for p in &paths {
                    leaves.push(p);
                }
                break;
            }
        }
        for k in 0..leaves.spans.len() {
            let p = leaves.get(k);
            match counts.get_mut(p) {
                Some((n, last)) => {
                    if *last != i {
                        *n += 1;
                        *last = i;
                    }
                }
                None => {
                    counts.insert(p.to_owned(), (1, i));
                }
            }
        }
    }
    let mut cols: Vec<crate::engine::ParamColumn> = counts
        .into_iter()
        .map(|(path, (count, _))| crate::engine::ParamColumn { path, count })
        .collect();
    cols.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.path.cmp(&b.path)));
    cols.truncate(max);
    cols
}

/// The leaf paths of one event, kept in one buffer (no allocation per leaf).
#[derive(Default)]
struct Leaves {
    text: String,
    spans: Vec<(usize, usize)>,
    /// The path being walked.
    path: String,
}

impl Leaves {
    fn clear(&mut self) {
        self.text.clear();
        self.spans.clear();
        self.path.clear();
    }

    fn push(&mut self, p: &str) {
        let s = self.text.len();
        self.text.push_str(p);
        self.spans.push((s, self.text.len()));
    }

    /// The path being walked, plus `suffix`, as a leaf.
    fn leaf(&mut self, suffix: &str) {
        let s = self.text.len();
        self.text.push_str(&self.path);
        self.text.push_str(suffix);
        self.spans.push((s, self.text.len()));
    }

    fn get(&self, k: usize) -> &str {
        let (s, e) = self.spans[k];
        &self.text[s..e]
    }

    /// Add the leaf paths of `raw` under `self.path` as [`flatten`] names them.
    /// False when the result might differ from serde_json's reading: an object
    /// repeating a key (serde_json keeps the last), a number with an exponent or of
    /// many digits (serde_json may refuse it), or a value the scanner does not read.
    fn walk(&mut self, raw: &str) -> bool {
        match raw.as_bytes().first() {
            Some(b'{') => {
                let Some(entries) = scan::object_entries(raw) else {
                    return false;
                };
                let keys: Vec<Cow<'_, str>> = entries
                    .iter()
                    .map(|(k, _)| text(Some(k)).unwrap_or_default())
                    .collect();
                if repeats(&keys) {
                    return false;
                }
                let len = self.path.len();
                for (k, (_, v)) in keys.iter().zip(&entries) {
                    self.path.push('.');
                    self.path.push_str(k);
                    let exact = self.walk(v);
                    self.path.truncate(len);
                    if !exact {
                        return false;
                    }
                }
                true
            }
            Some(b'[') => {
                self.leaf("[]");
                true
            }
            Some(b'-' | b'0'..=b'9') if raw.len() > 15 || raw.contains(['e', 'E']) => false,
            Some(_) => {
                self.leaf("");
                true
            }
            None => false,
        }
    }
}

/// Whether any key appears twice.
fn repeats(keys: &[Cow<'_, str>]) -> bool {
    if keys.len() <= 16 {
        return keys.iter().enumerate().any(|(n, k)| keys[..n].contains(k));
    }
    let mut sorted: Vec<&str> = keys.iter().map(|k| k.as_ref()).collect();
    sorted.sort_unstable();
    sorted.windows(2).any(|w| w[0] == w[1])
}

/// The leaf paths of one raw value under `name`, read through `serde_json::Value`
/// (`null` and text serde_json refuses have none).
fn serde_paths(name: &str, raw: &str, out: &mut Vec<String>) {
    match serde_json::from_str::<Value>(raw) {
        Ok(Value::Null) | Err(_) => {}
        Ok(v) => flatten(name, &v, out),
    }
}

/// Arrays of at most this many short scalars are shown joined.
const JOIN_MAX_ITEMS: usize = 5;
/// ... when each item's text is at most this long.
const JOIN_MAX_ITEM_CHARS: usize = 40;

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null => Some("null".to_owned()),
        _ => None,
    }
}

/// A JSON string that itself holds a JSON object or array (EventBridge
/// `eventPattern`, IAM policy documents), decoded and written compactly.
fn decoded_json(s: &str) -> Option<String> {
    let t = s.trim();
    if !(t.starts_with('{') && t.ends_with('}') || t.starts_with('[') && t.ends_with(']')) {
        return None;
    }
    serde_json::from_str::<serde::de::IgnoredAny>(t).ok()?;
    Some(minify(t).into_owned())
}

/// See [`crate::Engine::param_value`]. `path` is a dotted path from the record's
/// root; a trailing `[]` names an array as [`param_columns`] reports it.
pub fn param_value(record: &str, path: &str) -> Option<String> {
    let found = lookup_path(record, path);
    let raw = found.first()?;
    let v: Value = serde_json::from_str(raw).ok()?;
    Some(match &v {
        Value::String(s) => decoded_json(s).unwrap_or_else(|| s.clone()),
        Value::Array(items) => {
            let texts: Vec<String> = items.iter().filter_map(scalar_text).collect();
            if items.is_empty() {
                "[]".to_owned()
            } else if texts.len() == items.len()
                && items.len() <= JOIN_MAX_ITEMS
                && texts
                    .iter()
                    .all(|t| t.chars().count() <= JOIN_MAX_ITEM_CHARS)
            {
                texts.join(", ")
            } else {
                format!(
                    "[{} item{}]",
                    items.len(),
                    if items.len() == 1 { "" } else { "s" }
                )
            }
        }
        Value::Object(_) => minify(raw).into_owned(),
        other => scalar_text(other).unwrap_or_default(),
    })
}

/// `{"Records":[...]}` of the original texts of `ids`.
pub fn json(store: &Store, ids: &[u32]) -> String {
    let mut out = String::from("{\"Records\":[");
    for (n, &i) in ids.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        out.push_str(store.text(i));
    }
    out.push_str("]}\n");
    out
}

/// One event per line (whitespace outside strings removed, so a pretty-printed
/// record stays on one line).
pub fn jsonl(store: &Store, ids: &[u32]) -> String {
    let mut out = String::new();
    for &i in ids {
        out.push_str(&minify(store.text(i)));
        out.push('\n');
    }
    out
}

/// Append one CSV line (RFC 4180: fields with `,` `"` CR or LF are quoted, quotes
/// doubled; CRLF line end). A cell starting with `=`, `+`, `-`, `@`, tab or CR is
/// prefixed with `'` so that spreadsheets do not run it as a formula.
pub fn csv_line<'a>(out: &mut String, cells: impl Iterator<Item = Cow<'a, str>>) {
    for (n, cell) in cells.enumerate() {
        if n > 0 {
            out.push(',');
        }
        let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
        let quote = cell.contains([',', '"', '\n', '\r']);
        if quote {
            out.push('"');
        }
        if risky {
            out.push('\'');
        }
        if quote {
            out.push_str(&cell.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&cell);
        }
    }
    out.push_str("\r\n");
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn csv_escaping() {
        let mut s = String::new();
        csv_line(
            &mut s,
            [
                "a",
                "b,c",
                "say \"hi\"",
                "=1+1",
                "-x",
                "@SUM(A1)",
                "line\nbreak",
                "+1,2",
            ]
            .into_iter()
            .map(Cow::Borrowed),
        );
        assert_eq!(
            s,
            "a,\"b,c\",\"say \"\"hi\"\"\",'=1+1,'-x,'@SUM(A1),\"line\nbreak\",\"'+1,2\"\r\n"
        );
    }

    #[test]
    fn param_values() {
        let rec = r#"{"requestParameters":{"alarmName":"CT","threshold":1.5,"dims":[{"a":1}],
            "ids":["x","y"],"eventPattern":"{\"source\": [\"aws.ec2\"]}","o":{"k":"v"},"n":null}}"#;
        let cases: &[(&str, Option<&str>)] = &[
            ("requestParameters.alarmName", Some("CT")),
            ("requestParameters.threshold", Some("1.5")),
            ("requestParameters.dims[]", Some("[1 item]")),
            ("requestParameters.dims", Some("[1 item]")),
            ("requestParameters.ids[]", Some("x, y")),
            (
                "requestParameters.eventPattern",
                Some(r#"{"source":["aws.ec2"]}"#),
            ),
            ("requestParameters.o", Some(r#"{"k":"v"}"#)),
            ("requestParameters.o.k", Some("v")),
            ("requestParameters.n", Some("null")),
            ("requestParameters.missing", None),
            ("requestParameters.dims.a", Some("1")),
        ];
        for (p, want) in cases {
            assert_eq!(param_value(rec, p).as_deref(), *want, "{p}");
        }
    }
}
