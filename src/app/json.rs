//! An order-preserving JSON tree for the detail pane.
//!
//! `serde_json::Value` sorts object keys (the engine must not turn on `preserve_order`
//! for everyone), but a CloudTrail event reads best in the order AWS wrote it. This small
//! tree keeps keys in document order and numbers as they were written in spirit (integers
//! exactly, floats via `f64`). It is built only for the one selected event.

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// One JSON value, objects in document order.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number: its text and its value as `f64`.
    Number(String, f64),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Node>),
    /// An object, keys in document order.
    Object(Vec<(String, Node)>),
}

impl Node {
    /// Parses JSON text.
    pub fn parse(text: &str) -> Result<Node, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// The value as it would appear as a query value, for leaves only.
    pub fn leaf_text(&self) -> Option<String> {
        match self {
            Node::Bool(b) => Some(b.to_string()),
            Node::Number(text, _) => Some(text.clone()),
            Node::String(s) => Some(s.clone()),
            Node::Null | Node::Array(_) | Node::Object(_) => None,
        }
    }

    /// Compact JSON text of this node (for table cells and copying).
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, None, 0);
        out
    }

    /// Indented JSON text (two spaces), keys in document order.
    pub fn to_pretty(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, Some(2), 0);
        out
    }

    fn write(&self, out: &mut String, indent: Option<usize>, depth: usize) {
        let newline = |out: &mut String, depth: usize| {
            if let Some(n) = indent {
                out.push('\n');
                out.extend(std::iter::repeat_n(' ', n * depth));
            }
        };
        match self {
            Node::Null => out.push_str("null"),
            Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Node::Number(text, _) => out.push_str(text),
            Node::String(s) => out.push_str(&serde_json::Value::String(s.clone()).to_string()),
            Node::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    newline(out, depth + 1);
                    item.write(out, indent, depth + 1);
                }
                if !items.is_empty() {
                    newline(out, depth);
                }
                out.push(']');
            }
            Node::Object(members) => {
                out.push('{');
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    newline(out, depth + 1);
                    out.push_str(&serde_json::Value::String(k.clone()).to_string());
                    out.push(':');
                    if indent.is_some() {
                        out.push(' ');
                    }
                    v.write(out, indent, depth + 1);
                }
                if !members.is_empty() {
                    newline(out, depth);
                }
                out.push('}');
            }
        }
    }

    /// If this is a string holding a JSON object or array, that value decoded.
    pub fn embedded_json(&self) -> Option<Node> {
        let Node::String(s) = self else { return None };
        let t = s.trim_start();
        if !(t.starts_with('{') || t.starts_with('[')) {
            return None;
        }
        match Node::parse(s) {
            Ok(n @ (Node::Object(_) | Node::Array(_))) => Some(n),
            _ => None,
        }
    }

    /// For an array whose items are all objects: see [`object_columns`].
    pub fn table_columns(&self) -> Option<Vec<String>> {
        match self {
            Node::Array(items) => object_columns(items),
            _ => None,
        }
    }

    /// The value at a dotted path below this node (a trailing `[]`, as the engine names
    /// array columns, is ignored).
    pub fn at(&self, path: &str) -> Option<&Node> {
        path.trim_end_matches("[]")
            .split('.')
            .try_fold(self, |n, k| n.get(k))
    }

    /// One line for a table cell: strings as they are, JSON inside a string decoded
    /// (compact, keys in their order), arrays summarised (scalars joined with `, `, objects
    /// of one member by that member), objects compact.
    pub fn cell_text(&self) -> String {
        match self {
            Node::String(s) => self
                .embedded_json()
                .map(|n| n.to_json())
                .unwrap_or_else(|| s.clone()),
            Node::Array(items) => items
                .iter()
                .map(|item| match item {
                    Node::Object(m) if m.len() == 1 && m[0].1.leaf_text().is_some() => {
                        m[0].1.cell_text()
                    }
                    Node::Object(_) | Node::Array(_) => item.to_json(),
                    other => other.cell_text(),
                })
                .collect::<Vec<_>>()
                .join(", "),
            Node::Object(_) => self.to_json(),
            Node::Null => "null".to_string(),
            other => other.leaf_text().unwrap_or_default(),
        }
    }

    /// The member `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// For items that are all objects (at least one): the union of their keys in first-seen
/// order, so they can be shown as a table. `None` otherwise.
pub fn object_columns(items: &[Node]) -> Option<Vec<String>> {
    if items.is_empty() {
        return None;
    }
    let mut columns: Vec<String> = Vec::new();
    for item in items {
        let Node::Object(members) = item else {
            return None;
        };
        for (k, _) in members {
            if !columns.contains(k) {
                columns.push(k.clone());
            }
        }
    }
    Some(columns)
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Number(v.to_string(), v as f64))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Number(v.to_string(), v as f64))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
        let text = if v.fract() == 0.0 && v.abs() < 1e15 {
            format!("{v:.1}")
        } else {
            v.to_string()
        };
        Ok(Node::Number(text, v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Node, E> {
        Ok(Node::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Node, E> {
        Ok(Node::String(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Node::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut members = Vec::new();
        while let Some((k, v)) = map.next_entry::<String, Node>()? {
            members.push((k, v));
        }
        Ok(Node::Object(members))
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Node, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn keeps_key_order_and_decodes_embedded_json() {
        let n = Node::parse(r#"{"z":1,"a":{"p":"{\"source\":[\"aws.ec2\"]}"},"t":50.0}"#).unwrap();
        assert_eq!(
            n.to_json(),
            r#"{"z":1,"a":{"p":"{\"source\":[\"aws.ec2\"]}"},"t":50.0}"#
        );
        let inner = n
            .get("a")
            .and_then(|a| a.get("p"))
            .and_then(Node::embedded_json)
            .unwrap();
        assert_eq!(inner.to_json(), r#"{"source":["aws.ec2"]}"#);
    }
}
