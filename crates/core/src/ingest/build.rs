//! Building a CloudTrail event object from the few fields a summary row carries (a row of
//! the console's Event history CSV, a LookupEvents entry without its `CloudTrailEvent`).
//! Only fields that are present are written; nothing is invented.

use serde_json::{Map, Value};

/// Build the JSON text of an event from `(path, value)` pairs, where a path is a
/// CloudTrail field name or `userIdentity.<field>`. Empty strings are left out.
pub fn event_json<'a>(fields: impl IntoIterator<Item = (&'a str, Value)>) -> String {
    let mut event = Map::new();
    let mut identity = Map::new();
    for (path, value) in fields {
        if value.is_null() || value.as_str() == Some("") {
            continue;
        }
        match path.strip_prefix("userIdentity.") {
            Some(field) => {
                identity.entry(field.to_owned()).or_insert(value);
            }
            None => {
                event.entry(path.to_owned()).or_insert(value);
            }
        }
    }
    if !identity.is_empty() {
        event.insert("userIdentity".to_owned(), Value::Object(identity));
    }
    Value::Object(event).to_string()
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
