//! Building a CloudTrail event object from the few fields a summary row carries (a row of
//! the console's Event history CSV, a LookupEvents entry without its `CloudTrailEvent`).
//! Only fields that are present are written; nothing is invented.

use serde_json::{Map, Value};

/// Build the JSON text of an event from `(path, value)` pairs, where a path is a
/// CloudTrail field name or `userIdentity.<field>`. Empty strings and nulls are left out;
/// of two values for one path the first is kept.
pub fn event_json<'a>(fields: impl IntoIterator<Item = (&'a str, Value)>) -> String {
    let mut top: Vec<(&str, Value)> = Vec::new();
    let mut identity: Vec<(&str, Value)> = Vec::new();
    for (path, value) in fields {
        if value.is_null() || value.as_str() == Some("") {
            continue;
        }
        let (list, key) = match path.strip_prefix("userIdentity.") {
            Some(field) => (&mut identity, field),
            None => (&mut top, path),
        };
        if !list.iter().any(|(k, _)| *k == key) {
            list.push((key, value));
        }
    }
    let mut out = String::with_capacity(256);
    out.push('{');
    write_members(&mut out, &top);
    if !identity.is_empty() {
        if !top.is_empty() {
            out.push(',');
        }
        out.push_str("\"userIdentity\":{");
        write_members(&mut out, &identity);
        out.push('}');
    }
    out.push('}');
    out
}

fn write_members(out: &mut String, members: &[(&str, Value)]) {
    for (i, (key, value)) in members.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&Value::from(*key).to_string());
        out.push(':');
        out.push_str(&value.to_string());
    }
}

/// `"true"`/`"false"` (any case) as a boolean; anything else kept as it is.
pub fn boolish(value: Value) -> Value {
    match value.as_str().map(|s| s.trim().to_ascii_lowercase()) {
        Some(s) if s == "true" => Value::Bool(true),
        Some(s) if s == "false" => Value::Bool(false),
        _ => value,
    }
}

/// LookupEvents `Resources` (`[{"ResourceType":..,"ResourceName":..}]`) in CloudTrail's
/// own shape (`[{"type":..,"ARN":..}]`, or `name` when it is not an ARN).
pub fn lookup_resources(value: &Value) -> Value {
    let Some(items) = value.as_array() else {
        return value.clone();
    };
    let out = items
        .iter()
        .map(|item| {
            let mut r = Map::new();
            if let Some(t) = item.get("ResourceType") {
                r.insert("type".into(), t.clone());
            }
            if let Some(n) = item.get("ResourceName") {
                let key = if n.as_str().is_some_and(|s| s.starts_with("arn:")) {
                    "ARN"
                } else {
                    "name"
                };
                r.insert(key.into(), n.clone());
            }
            if r.is_empty() {
                item.clone()
            } else {
                Value::Object(r)
            }
        })
        .collect();
    Value::Array(out)
}

/// An event from a LookupEvents entry that has no `CloudTrailEvent`.
pub fn from_lookup_entry(entry: &Map<String, Value>) -> String {
    let get = |k: &str| entry.get(k).cloned().unwrap_or(Value::Null);
    event_json([
        ("eventID", get("EventId")),
        ("eventTime", get("EventTime")),
        ("eventSource", get("EventSource")),
        ("eventName", get("EventName")),
        ("readOnly", boolish(get("ReadOnly"))),
        ("userIdentity.userName", get("Username")),
        ("userIdentity.accessKeyId", get("AccessKeyId")),
        (
            "resources",
            entry
                .get("Resources")
                .map(lookup_resources)
                .unwrap_or(Value::Null),
        ),
    ])
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn builds_only_present_fields() {
        let text = event_json([
            ("eventName", Value::from("GetObject")),
            ("errorCode", Value::from("")),
            ("userIdentity.userName", Value::from("alice")),
        ]);
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["eventName"], "GetObject");
        assert!(v.get("errorCode").is_none());
        assert_eq!(v["userIdentity"]["userName"], "alice");
    }
}
