//! Reading one record without building a tree. The fast path is
//! [`super::scan`]: one validating pass that captures the fields the store keeps
//! (nested `userIdentity` parts included) as borrowed slices of the record text. When
//! that scanner declines (invalid JSON, an escaped key, very deep nesting), serde_json
//! reads the record instead, so its verdict and error position stand.
//!
//! Every field is taken as raw JSON text and interpreted afterwards, so a field whose
//! JSON type differs from the documentation (a boolean as a string, an object where
//! a string was expected, a number for a time) never fails a record. Duplicate keys
//! are accepted: the last one wins, as in JavaScript's `JSON.parse`.

use std::borrow::Cow;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::scan::{self, Key, Spec, Want};

/// Picks the values of the given keys out of one JSON object (serde_json path).
struct Pick<'k, const N: usize> {
    keys: &'k [&'k str; N],
}

struct KeySeed<'k, const N: usize>(&'k [&'k str; N]);

impl<'de, const N: usize> DeserializeSeed<'de> for KeySeed<'_, N> {
    type Value = Option<usize>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<const N: usize> Visitor<'_> for KeySeed<'_, N> {
    type Value = Option<usize>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(self.0.iter().position(|k| *k == v))
    }
}

impl<'de, const N: usize> DeserializeSeed<'de> for Pick<'_, N> {
    type Value = [Option<&'de RawValue>; N];
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, const N: usize> Visitor<'de> for Pick<'_, N> {
    type Value = [Option<&'de RawValue>; N];
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object (a CloudTrail record)")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = [None; N];
        while let Some(k) = map.next_key_seed(KeySeed(self.keys))? {
            match k {
                Some(i) => out[i] = Some(map.next_value::<&'de RawValue>()?),
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(out)
    }
}

/// [`pick`] by serde_json alone.
fn pick_serde<'a, const N: usize>(
    json: &'a str,
    keys: &[&str; N],
) -> Result<[Option<&'a str>; N], serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(json);
    let out = Pick { keys }.deserialize(&mut de)?;
    de.end()?;
    Ok(out.map(|r| r.map(RawValue::get)))
}

/// Pick the raw JSON texts of `keys` from the JSON object `json`; errors when `json`
/// is not valid JSON or not an object.
pub fn pick<'a, const N: usize>(
    json: &'a str,
    keys: &[&str; N],
) -> Result<[Option<&'a str>; N], serde_json::Error> {
    match scan::pick_keys(json, keys) {
        Some(out) => Ok(out),
        None => pick_serde(json, keys),
    }
}

/// Like [`pick`] for a nested value: anything that is not an object gives all `None`.
pub fn pick_lenient<'a, const N: usize>(
    raw: Option<&'a str>,
    keys: &[&str; N],
) -> [Option<&'a str>; N] {
    match raw {
        Some(r) if r.trim_start().starts_with('{') => pick(r, keys).unwrap_or([None; N]),
        _ => [None; N],
    }
}

/// The elements of a raw JSON array (`None` when it is not one).
pub fn array_items(raw: &str) -> Option<Vec<&str>> {
    match scan::array_items(raw) {
        Some(v) => Some(v),
        None => serde_json::from_str::<Vec<&RawValue>>(raw)
            .ok()
            .map(|v| v.into_iter().map(RawValue::get).collect()),
    }
}

/// The text of a raw value: a JSON string unescaped (borrowed when it has no
/// escapes), any other value as its JSON text (`true`, `42`, `{"a":1}`); `None`
/// for `null` or a missing value.
pub fn text(raw: Option<&str>) -> Option<Cow<'_, str>> {
    // Raw values come without surrounding whitespace.
    let s = raw?;
    if s == "null" {
        return None;
    }
    if s.len() >= 2 && s.starts_with('"') && s.ends_with('"') {
        let inner = &s[1..s.len() - 1];
        if !inner.contains('\\') {
            return Some(Cow::Borrowed(inner));
        }
        return Some(match serde_json::from_str::<String>(s) {
            Ok(v) => Cow::Owned(v),
            Err(_) => Cow::Borrowed(inner),
        });
    }
    Some(Cow::Borrowed(s))
}

/// The fields of a record the store reads, by slot: see [`Top`]. Nested identity and
/// response fields have their own slots, filled in the same pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fields<'a> {
    /// Raw JSON text of each slot (`None` when absent).
    pub raw: [Option<&'a str>; NSLOTS],
    /// Bit `slot` set when that raw value is a string holding an escape.
    pub escaped: u64,
}

impl<'a> Fields<'a> {
    /// The raw JSON text of a slot.
    #[inline]
    pub fn raw(&self, slot: Top) -> Option<&'a str> {
        self.raw[slot as usize]
    }

    /// The text of a slot, as [`text`] reads it, without looking for escapes again.
    #[inline]
    pub fn text(&self, slot: Top) -> Option<Cow<'a, str>> {
        let s = self.raw[slot as usize]?;
        if self.escaped & (1 << slot as usize) != 0 {
            return text(Some(s));
        }
        if s.len() >= 2 && s.as_bytes()[0] == b'"' {
            return Some(Cow::Borrowed(&s[1..s.len() - 1]));
        }
        (s != "null").then_some(Cow::Borrowed(s))
    }

    fn from_raw(raw: [Option<&'a str>; NSLOTS]) -> Self {
        let mut escaped = 0;
        for (i, r) in raw.iter().enumerate() {
            if r.is_some_and(|r| r.starts_with('"') && r.contains('\\')) {
                escaped |= 1 << i;
            }
        }
        Fields { raw, escaped }
    }
}

/// Number of slots in [`Fields`].
pub const NSLOTS: usize = 26;

/// Slots of [`Fields`].
#[allow(missing_docs)]
#[derive(Debug, Clone, Copy)]
pub enum Top {
    EventTime,
    Timestamp,
    EventSource,
    EventName,
    AwsRegion,
    SourceIp,
    UserAgent,
    ErrorCode,
    EventType,
    EventCategory,
    Recipient,
    ReadOnly,
    ManagementEvent,
    EventId,
    /// `userIdentity.type`.
    IdType,
    IdArn,
    IdAccountId,
    IdPrincipalId,
    IdAccessKeyId,
    IdUserName,
    IdInvokedBy,
    /// `userIdentity.sessionContext.sessionIssuer.arn`.
    IssuerArn,
    IssuerUserName,
    /// `userIdentity.onBehalfOf.userId` (Identity Center).
    OnBehalfOf,
    /// `responseElements.ConsoleLogin`.
    ConsoleLogin,
    /// The whole `userIdentity` value (raw text).
    UserIdentity,
}

/// Top-level keys read directly into a slot (the first 14 slots, in order).
pub const TOP_KEYS: [&str; 14] = [
    "eventTime",
    "@timestamp",
    "eventSource",
    "eventName",
    "awsRegion",
    "sourceIPAddress",
    "userAgent",
    "errorCode",
    "eventType",
    "eventCategory",
    "recipientAccountId",
    "readOnly",
    "managementEvent",
    "eventID",
];

/// `userIdentity` keys read directly (slots `IdType..=IdInvokedBy`, in order).
const IDENTITY_KEYS: [&str; 7] = [
    "type",
    "arn",
    "accountId",
    "principalId",
    "accessKeyId",
    "userName",
    "invokedBy",
];

const S: usize = Top::IdType as usize;

static ISSUER: Spec = Spec::new(&[
    Key::new("arn", Want::Slot(Top::IssuerArn as usize)),
    Key::new("userName", Want::Slot(Top::IssuerUserName as usize)),
]);
static SESSION_CONTEXT: Spec = Spec::new(&[Key::new(
    "sessionIssuer",
    Want::Nested {
        spec: &ISSUER,
        clear: (Top::IssuerArn as usize, Top::IssuerUserName as usize + 1),
        whole: None,
    },
)]);
static ON_BEHALF_OF: Spec = Spec::new(&[Key::new("userId", Want::Slot(Top::OnBehalfOf as usize))]);
static IDENTITY: Spec = Spec::new(&[
    Key::new("type", Want::Slot(S)),
    Key::new("arn", Want::Slot(S + 1)),
    Key::new("accountId", Want::Slot(S + 2)),
    Key::new("principalId", Want::Slot(S + 3)),
    Key::new("accessKeyId", Want::Slot(S + 4)),
    Key::new("userName", Want::Slot(S + 5)),
    Key::new("invokedBy", Want::Slot(S + 6)),
    Key::new(
        "sessionContext",
        Want::Nested {
            spec: &SESSION_CONTEXT,
            clear: (Top::IssuerArn as usize, Top::IssuerUserName as usize + 1),
            whole: None,
        },
    ),
    Key::new(
        "onBehalfOf",
        Want::Nested {
            spec: &ON_BEHALF_OF,
            clear: (Top::OnBehalfOf as usize, Top::OnBehalfOf as usize + 1),
            whole: None,
        },
    ),
]);
static RESPONSE: Spec = Spec::new(&[Key::new(
    "ConsoleLogin",
    Want::Slot(Top::ConsoleLogin as usize),
)]);
static RECORD: Spec = Spec::new(&[
    Key::new(
        "userIdentity",
        Want::Nested {
            spec: &IDENTITY,
            clear: (S, Top::OnBehalfOf as usize + 1),
            whole: Some(Top::UserIdentity as usize),
        },
    ),
    Key::new("eventTime", Want::Slot(0)),
    Key::new("eventSource", Want::Slot(2)),
    Key::new("eventName", Want::Slot(3)),
    Key::new("awsRegion", Want::Slot(4)),
    Key::new("sourceIPAddress", Want::Slot(5)),
    Key::new("userAgent", Want::Slot(6)),
    Key::new(
        "responseElements",
        Want::Nested {
            spec: &RESPONSE,
            clear: (Top::ConsoleLogin as usize, Top::ConsoleLogin as usize + 1),
            whole: None,
        },
    ),
    Key::new("errorCode", Want::Slot(7)),
    Key::new("eventType", Want::Slot(8)),
    Key::new("eventCategory", Want::Slot(9)),
    Key::new("recipientAccountId", Want::Slot(10)),
    Key::new("readOnly", Want::Slot(11)),
    Key::new("managementEvent", Want::Slot(12)),
    Key::new("eventID", Want::Slot(13)),
    Key::new("@timestamp", Want::Slot(1)),
    // Keys of containers and digests: the fast path leaves such objects to others
    // (a reader looks inside them; `Store::add` reads them with serde_json).
    Key::new("Records", Want::Decline),
    Key::new("Events", Want::Decline),
    Key::new("logEvents", Want::Decline),
    Key::new("events", Want::Decline),
    Key::new("awslogs", Want::Decline),
    Key::new("digestStartTime", Want::Decline),
    Key::new("logFiles", Want::Decline),
]);

/// Read the fields the store keeps from one record; errors (serde_json's) when it is
/// not a valid JSON object.
pub fn read_record(json: &str) -> Result<Fields<'_>, serde_json::Error> {
    match read_record_fast(json) {
        Some(f) => Ok(f),
        None => read_record_serde(json),
    }
}

/// [`read_record`]'s fast path alone: `None` when the scanner declines.
pub fn read_record_fast(json: &str) -> Option<Fields<'_>> {
    let (raw, escaped) = scan::scan_object::<NSLOTS>(json, &RECORD)?;
    Some(Fields { raw, escaped })
}

/// The record at the start of `bytes` (which may go on after it) by the fast path:
/// its text, its fields and whether a key the store reads was repeated. `None` when
/// the scanner declines or the record's bytes are not UTF-8.
pub fn read_record_prefix(bytes: &[u8]) -> Option<(&str, Fields<'_>, bool)> {
    let (spans, escaped, end, repeated) = scan::scan_object_prefix::<NSLOTS>(bytes, &RECORD)?;
    let json = std::str::from_utf8(bytes.get(..end)?).ok()?;
    let mut raw = [None; NSLOTS];
    for (r, s) in raw.iter_mut().zip(spans) {
        if let Some((a, b)) = s {
            *r = Some(json.get(a..b)?);
        }
    }
    Some((json, Fields { raw, escaped }, repeated))
}

/// [`read_record`] by serde_json alone: the reference the fast path must agree with.
pub fn read_record_serde(json: &str) -> Result<Fields<'_>, serde_json::Error> {
    const ALL: [&str; 16] = [
        "eventTime",
        "@timestamp",
        "eventSource",
        "eventName",
        "awsRegion",
        "sourceIPAddress",
        "userAgent",
        "errorCode",
        "eventType",
        "eventCategory",
        "recipientAccountId",
        "readOnly",
        "managementEvent",
        "eventID",
        "userIdentity",
        "responseElements",
    ];
    let top = pick_serde(json, &ALL)?;
    let mut f = [None; NSLOTS];
    f[..TOP_KEYS.len()].copy_from_slice(&top[..TOP_KEYS.len()]);
    let id = pick_lenient(top[14], &IDENTITY_KEYS);
    f[S..S + IDENTITY_KEYS.len()].copy_from_slice(&id);
    let [ctx, obo] = pick_lenient(top[14], &["sessionContext", "onBehalfOf"]);
    let [issuer] = pick_lenient(ctx, &["sessionIssuer"]);
    let [arn, user] = pick_lenient(issuer, &["arn", "userName"]);
    f[Top::IssuerArn as usize] = arn;
    f[Top::IssuerUserName as usize] = user;
    f[Top::OnBehalfOf as usize] = pick_lenient(obo, &["userId"])[0];
    f[Top::ConsoleLogin as usize] = pick_lenient(top[15], &["ConsoleLogin"])[0];
    f[Top::UserIdentity as usize] = top[14];
    Ok(Fields::from_raw(f))
}

/// Epoch milliseconds of a time value's text (see [`text`]): ISO text, or an epoch
/// number (seconds or ms) as a number or a string.
pub fn time_ms(t: Option<&str>) -> Option<i64> {
    let s = t?.trim_ascii();
    if let Some(ms) = super::time::parse_iso_ms(s) {
        return Some(ms);
    }
    match s.parse::<f64>() {
        Ok(v) => super::time::epoch_number_to_ms(v),
        Err(_) => None,
    }
}

/// Interpret a flag's text (see [`text`]): a JSON boolean or a string "true"/"false".
pub fn flag(t: Option<&str>) -> Option<bool> {
    let s = t?.trim_ascii();
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// Verbs that name read-only operations. An event name is read-only when it starts
/// with one of these followed by an upper-case letter, a digit or nothing
/// (`GetObject`, `ListBuckets`, `Describe`; not `Getaway`). This is only used when a
/// record has no usable `readOnly` field.
pub const READ_ONLY_VERBS: [&str; 13] = [
    "BatchDescribe",
    "BatchGet",
    "Check",
    "Describe",
    "Download",
    "Get",
    "Head",
    "List",
    "Lookup",
    "Query",
    "Scan",
    "Search",
    "Select",
];

/// Whether `event_name` reads by its verb (see [`READ_ONLY_VERBS`]).
pub fn read_only_by_verb(event_name: &str) -> bool {
    READ_ONLY_VERBS.iter().any(|v| {
        event_name.starts_with(v)
            && event_name[v.len()..]
                .chars()
                .next()
                .is_none_or(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    })
}

/// The identity fields the store keeps and derives the principal from.
#[derive(Debug, Default)]
pub struct Identity<'a> {
    /// `type`.
    pub kind: Option<Cow<'a, str>>,
    /// `arn`.
    pub arn: Option<Cow<'a, str>>,
    /// `accountId`.
    pub account_id: Option<Cow<'a, str>>,
    /// `principalId`.
    pub principal_id: Option<Cow<'a, str>>,
    /// `accessKeyId`.
    pub access_key_id: Option<Cow<'a, str>>,
    /// `userName`.
    pub user_name: Option<Cow<'a, str>>,
    /// `invokedBy`.
    pub invoked_by: Option<Cow<'a, str>>,
    /// `sessionContext.sessionIssuer.arn`.
    pub issuer_arn: Option<Cow<'a, str>>,
    /// `sessionContext.sessionIssuer.userName`.
    pub issuer_user_name: Option<Cow<'a, str>>,
    /// `onBehalfOf.userId` (Identity Center).
    pub on_behalf_of: Option<Cow<'a, str>>,
}

impl<'a> Identity<'a> {
    /// The identity held in a record's [`Fields`].
    pub fn from_fields(f: &Fields<'a>) -> Self {
        let t = |slot: Top| f.text(slot);
        Identity {
            kind: t(Top::IdType),
            arn: t(Top::IdArn),
            account_id: t(Top::IdAccountId),
            principal_id: t(Top::IdPrincipalId),
            access_key_id: t(Top::IdAccessKeyId),
            user_name: t(Top::IdUserName),
            invoked_by: t(Top::IdInvokedBy),
            issuer_arn: t(Top::IssuerArn),
            issuer_user_name: t(Top::IssuerUserName),
            on_behalf_of: t(Top::OnBehalfOf),
        }
    }

    /// The principal a person recognises:
    /// - `IAMUser`: the user name;
    /// - `AssumedRole`: `role/session` (`OrganizationAccountAccessRole/alice`);
    /// - `Root`: `root`;
    /// - `AWSService`: the invoking service (`invokedBy`), else `event_source`;
    /// - `FederatedUser`: the federated user's name;
    /// - Identity Center users and anything else: `userName`, `onBehalfOf.userId`,
    ///   then the last part of the ARN, the principal id, the account id.
    ///
    /// "" when the record has no identity at all (Insights events).
    pub fn principal(&self, event_source: Option<&str>) -> Cow<'a, str> {
        let nonempty = |v: &Option<Cow<'a, str>>| v.as_ref().filter(|s| !s.is_empty()).cloned();
        let arn_tail = |marker: &str| -> Option<Cow<'a, str>> {
            let arn = self.arn.as_ref()?;
            // memchr's search suits these short texts better than `str::find`.
            let i = memchr::memmem::find(arn.as_bytes(), marker.as_bytes())? + marker.len();
            if i == arn.len() {
                return None;
            }
            Some(match arn {
                Cow::Borrowed(a) => Cow::Borrowed(&a[i..]),
                Cow::Owned(a) => Cow::Owned(a[i..].to_owned()),
            })
        };
        let kind = self.kind.as_deref().unwrap_or("");
        let found = match kind {
            "Root" => Some(Cow::Borrowed("root")),
            "IAMUser" => nonempty(&self.user_name).or_else(|| arn_tail(":user/")),
            "AssumedRole" => arn_tail(":assumed-role/").or_else(|| {
                let role = nonempty(&self.issuer_user_name)?;
                let session = self
                    .principal_id
                    .as_ref()
                    .and_then(|p| p.split_once(':').map(|(_, s)| s.to_owned()));
                Some(match session {
                    Some(s) => Cow::Owned(format!("{role}/{s}")),
                    None => role,
                })
            }),
            "AWSService" => nonempty(&self.invoked_by)
                .or_else(|| event_source.map(|s| Cow::Owned(s.to_owned()))),
            "FederatedUser" => arn_tail(":federated-user/").or_else(|| nonempty(&self.user_name)),
            _ => None,
        };
        found
            .or_else(|| nonempty(&self.user_name))
            .or_else(|| nonempty(&self.on_behalf_of))
            .or_else(|| {
                let arn = self.arn.as_ref()?;
                let tail = arn.rsplit([':', '/']).next()?;
                (!tail.is_empty()).then(|| Cow::Owned(tail.to_owned()))
            })
            .or_else(|| nonempty(&self.principal_id))
            .or_else(|| nonempty(&self.account_id))
            .or_else(|| {
                // An AWS service acting with no identity block other than its type.
                (kind == "AWSService").then(|| Cow::Owned(event_source.unwrap_or("").to_owned()))
            })
            .unwrap_or(Cow::Borrowed(""))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn verbs() {
        for (name, ro) in [
            ("GetObject", true),
            ("ListBuckets", true),
            ("Describe", true),
            ("BatchGetItem", true),
            ("Getaway", false),
            ("PutObject", false),
            ("ConsoleLogin", false),
            ("Lookup", true),
        ] {
            assert_eq!(read_only_by_verb(name), ro, "{name}");
        }
    }

    #[test]
    fn text_of_raw_values() {
        let v: Vec<&RawValue> =
            serde_json::from_str(r#"["a", "b\"c", true, {"x": 1}, null, 12]"#).unwrap();
        let t: Vec<Option<String>> = v
            .iter()
            .map(|r| text(Some(r.get())).map(|c| c.into_owned()))
            .collect();
        assert_eq!(
            t,
            vec![
                Some("a".into()),
                Some("b\"c".into()),
                Some("true".into()),
                Some("{\"x\": 1}".into()),
                None,
                Some("12".into())
            ]
        );
    }
}
