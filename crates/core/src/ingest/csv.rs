//! The console's Event history CSV. Each row becomes an event: the `CloudTrail event`
//! column's JSON when the export has it, otherwise an event built from the row's own
//! columns (which carry no request parameters).

use serde_json::Value;

use super::build;
use super::read::{Reader, Src};
use crate::report::{Location, WarningKind};

/// One parsed CSV row: where it starts and its fields.
#[derive(Debug)]
pub struct Row {
    /// Byte offset of the row's first byte.
    pub start: usize,
    /// The fields, unquoted.
    pub fields: Vec<String>,
}

/// Parse RFC 4180 CSV (quoted fields may hold commas, quotes and newlines), row by row.
/// Blank rows are skipped.
pub fn rows(data: &[u8]) -> impl Iterator<Item = Row> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < data.len() {
            let row = next_row(data, &mut i);
            if row.fields.iter().any(|f| !f.trim().is_empty()) {
                return Some(row);
            }
        }
        None
    })
}

fn next_row(data: &[u8], i: &mut usize) -> Row {
    let n = data.len();
    let start = *i;
    let mut fields = Vec::new();
    let mut field = Vec::new();
    let mut quoted = false;
    loop {
        if *i >= n {
            fields.push(String::from_utf8_lossy(&field).into_owned());
            break;
        }
        let b = data[*i];
        if quoted {
            if b == b'"' {
                if data.get(*i + 1) == Some(&b'"') {
                    field.push(b'"');
                    *i += 2;
                    continue;
                }
                quoted = false;
            } else {
                field.push(b);
            }
            *i += 1;
            continue;
        }
        match b {
            b'"' if field.is_empty() => quoted = true,
            b',' => fields.push(String::from_utf8_lossy(&std::mem::take(&mut field)).into_owned()),
            b'\n' => {
                *i += 1;
                if field.last() == Some(&b'\r') {
                    field.pop();
                }
                fields.push(String::from_utf8_lossy(&field).into_owned());
                break;
            }
            _ => field.push(b),
        }
        *i += 1;
    }
    Row { start, fields }
}

/// What each column of a console export means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Path(&'static str),
    ReadOnly,
    Resources,
    ResourceType,
    ResourceName,
    FullEvent,
    Ignored,
}

fn column(name: &str) -> Column {
    let key: String = name
        .trim()
        .trim_start_matches('\u{feff}')
        .to_ascii_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    match key.as_str() {
        "event id" | "eventid" => Column::Path("eventID"),
        "event time" | "eventtime" => Column::Path("eventTime"),
        "event source" | "eventsource" => Column::Path("eventSource"),
        "event name" | "eventname" => Column::Path("eventName"),
        "aws region" | "awsregion" | "region" => Column::Path("awsRegion"),
        "source ip address" | "sourceipaddress" => Column::Path("sourceIPAddress"),
        "error code" | "errorcode" => Column::Path("errorCode"),
        "error message" | "errormessage" => Column::Path("errorMessage"),
        "request id" | "requestid" => Column::Path("requestID"),
        "event type" | "eventtype" => Column::Path("eventType"),
        "user agent" | "useragent" => Column::Path("userAgent"),
        "user name" | "username" => Column::Path("userIdentity.userName"),
        "aws access key" | "access key id" | "accesskeyid" => {
            Column::Path("userIdentity.accessKeyId")
        }
        "read-only" | "read only" | "readonly" => Column::ReadOnly,
        "resources" => Column::Resources,
        "resource type" => Column::ResourceType,
        "resource name" => Column::ResourceName,
        "cloudtrail event" | "cloudtrailevent" => Column::FullEvent,
        _ => Column::Ignored,
    }
}

/// The columns of a console Event history export, if `header` is one: it needs the event
/// name and time, and the event source or the full event.
fn console_columns(header: &[String]) -> Option<Vec<Column>> {
    let cols: Vec<Column> = header.iter().map(|h| column(h)).collect();
    let has = |c: Column| cols.contains(&c);
    let ok = has(Column::Path("eventName"))
        && (has(Column::Path("eventTime")) || has(Column::FullEvent))
        && (has(Column::Path("eventSource")) || has(Column::FullEvent));
    ok.then_some(cols)
}

/// What a first line looks like.
pub enum Sniff {
    /// A console Event history export.
    Console,
    /// CSV of another kind, with these column names.
    Other(Vec<String>),
    /// Not CSV.
    No,
}

/// Look at the first line of `text`.
pub fn sniff(text: &[u8]) -> Sniff {
    let head: Vec<Row> = rows(&text[..text.len().min(1 << 16)]).take(2).collect();
    let Some(first) = head.first() else {
        return Sniff::No;
    };
    if first.fields.len() < 3 {
        return Sniff::No;
    }
    if console_columns(&first.fields).is_some() {
        return Sniff::Console;
    }
    // Another kind of CSV: the second row has as many fields, and the header is short
    // names, not prose.
    let plausible = first
        .fields
        .iter()
        .all(|f| f.len() < 80 && !f.contains('{'))
        && head
            .get(1)
            .is_none_or(|r| r.fields.len() == first.fields.len());
    if plausible {
        Sniff::Other(first.fields.iter().map(|f| f.trim().to_owned()).collect())
    } else {
        Sniff::No
    }
}

/// Read a console export: returns whether every row carried its full event JSON.
pub fn read(reader: &mut Reader, src: &Src) -> bool {
    let mut all = rows(src.data);
    let Some(header) = all.next() else {
        return false;
    };
    let Some(cols) = console_columns(&header.fields) else {
        return false;
    };
    let mut all_full = true;
    let mut any = false;
    for row in all {
        any = true;
        if row.fields.len() != cols.len() {
            let loc = reader.loc(src, row.start);
            let message = format!(
                "a CSV row at line {} has {} fields where the header has {}; its fields were matched by position",
                loc.line.unwrap_or(0),
                row.fields.len(),
                cols.len()
            );
            reader.warn(WarningKind::Other, Location { ..loc }, message);
        }
        let inner = Src {
            data: &[],
            embed: Some(src.embed.unwrap_or(row.start)),
            level: src.level + 1,
        };
        let full = cols
            .iter()
            .zip(&row.fields)
            .find(|(c, f)| **c == Column::FullEvent && f.trim_start().starts_with('{'))
            .map(|(_, f)| f.trim());
        if let Some(json) = full {
            reader.add(&inner, 0, json);
            continue;
        }
        all_full = false;
        let mut fields: Vec<(&str, Value)> = Vec::new();
        let mut rtype = None;
        let mut rname = None;
        for (c, f) in cols.iter().zip(&row.fields) {
            let f = f.trim();
            if f.is_empty() {
                continue;
            }
            match *c {
                Column::Path(p) => fields.push((p, Value::from(f))),
                Column::ReadOnly => fields.push(("readOnly", build::boolish(Value::from(f)))),
                Column::Resources => {
                    let v = serde_json::from_str::<Value>(f).unwrap_or_else(|_| Value::from(f));
                    fields.push(("resources", v));
                }
                Column::ResourceType => rtype = Some(f),
                Column::ResourceName => rname = Some(f),
                Column::FullEvent | Column::Ignored => {}
            }
        }
        if rtype.is_some() || rname.is_some() {
            let mut r = serde_json::Map::new();
            if let Some(t) = rtype {
                r.insert("type".into(), Value::from(t));
            }
            if let Some(n) = rname {
                let key = if n.starts_with("arn:") { "ARN" } else { "name" };
                r.insert(key.into(), Value::from(n));
            }
            fields.push(("resources", Value::Array(vec![Value::Object(r)])));
        }
        let json = build::event_json(fields);
        reader.add(&inner, 0, &json);
    }
    any && all_full
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_hold_commas_quotes_and_newlines() {
        let r: Vec<Row> = rows(b"a,\"b,\"\"c\"\"\nd\",e\r\nf,g,h\n").collect();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].fields, vec!["a", "b,\"c\"\nd", "e"]);
        assert_eq!(r[1].start, 17);
    }

    #[test]
    fn honey_bucket_header_is_not_console() {
        let h = b"Event Type,Event Name,Request ID,User ID,Event DateTime\nA,B,C,D,E\n";
        assert!(matches!(sniff(h), Sniff::Other(_)));
        let c = b"User name,AWS access key,Event time,Event source,Event name,AWS region\n";
        assert!(matches!(sniff(c), Sniff::Console));
    }
}
