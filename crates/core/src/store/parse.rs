//! Reading one record without building a tree: the record is scanned once by
//! serde_json, the fields the store keeps are captured as borrowed `&RawValue`
//! slices of the record text, and everything else is skipped (but still validated).
//!
//! Every field is taken as a raw value and interpreted afterwards, so a field whose
//! JSON type differs from the documentation (a boolean as a string, an object where
//! a string was expected, a number for a time) never fails a record. Duplicate keys
//! are accepted: the last one wins, as in JavaScript's `JSON.parse`.

use std::borrow::Cow;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;

/// Picks the values of the given keys out of one JSON object.
pub struct Pick<'k, const N: usize> {
    keys: &'k [&'k str; N],
}

impl<'k, const N: usize> Pick<'k, N> {
    /// A picker for `keys`.
    pub fn new(keys: &'k [&'k str; N]) -> Self {
        Pick { keys }
    }
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

/// Pick `keys` from the JSON object `json`; errors when `json` is not valid JSON
/// or not an object.
pub fn pick<'a, const N: usize>(
    json: &'a str,
    keys: &[&str; N],
) -> Result<[Option<&'a RawValue>; N], serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(json);
    let out = Pick::new(keys).deserialize(&mut de)?;
    de.end()?;
    Ok(out)
}

/// Like [`pick`] for a nested value: anything that is not an object gives all `None`.
pub fn pick_lenient<'a, const N: usize>(
    raw: Option<&'a RawValue>,
    keys: &[&str; N],
) -> [Option<&'a RawValue>; N] {
    match raw {
        Some(r) if r.get().trim_start().starts_with('{') => {
            pick(r.get(), keys).unwrap_or([None; N])
        }
        _ => [None; N],
    }
}

/// The text of a raw value: a JSON string unescaped (borrowed when it has no
/// escapes), any other value as its JSON text (`true`, `42`, `{"a":1}`); `None`
/// for `null` or a missing value.
pub fn text(raw: Option<&RawValue>) -> Option<Cow<'_, str>> {
    // serde_json hands raw values without surrounding whitespace.
    let s = raw?.get();
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

/// Keys of a record's top level that the store reads, in [`Top`] order.
pub const TOP_KEYS: [&str; 16] = [
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

/// Index into [`TOP_KEYS`].
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
    UserIdentity,
    ResponseElements,
}

/// Keys of `userIdentity` that the store reads, in [`Ident`] order.
pub const IDENTITY_KEYS: [&str; 9] = [
    "type",
    "arn",
    "accountId",
    "principalId",
    "accessKeyId",
    "userName",
    "invokedBy",
    "sessionContext",
    "onBehalfOf",
];

/// Index into [`IDENTITY_KEYS`].
#[allow(missing_docs)]
#[derive(Debug, Clone, Copy)]
pub enum Ident {
    Type,
    Arn,
    AccountId,
    PrincipalId,
    AccessKeyId,
    UserName,
    InvokedBy,
    SessionContext,
    OnBehalfOf,
}

/// Epoch milliseconds of a time value: ISO text, or an epoch number (seconds or ms)
/// as a number or a string.
pub fn time_ms(raw: Option<&RawValue>) -> Option<i64> {
    let t = text(raw)?;
    let s = t.trim();
    if let Some(ms) = super::time::parse_iso_ms(s) {
        return Some(ms);
    }
    match s.parse::<f64>() {
        Ok(v) => super::time::epoch_number_to_ms(v),
        Err(_) => None,
    }
}

/// Interpret a flag that may be a JSON boolean or a string "true"/"false".
pub fn flag(raw: Option<&RawValue>) -> Option<bool> {
    let t = text(raw)?;
    let s = t.trim();
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
    /// Read `userIdentity` (anything but an object gives an empty identity).
    pub fn read(raw: Option<&'a RawValue>) -> Self {
        let f = pick_lenient(raw, &IDENTITY_KEYS);
        let ctx = pick_lenient(f[Ident::SessionContext as usize], &["sessionIssuer"]);
        let iss = pick_lenient(ctx[0], &["arn", "userName"]);
        let obo = pick_lenient(f[Ident::OnBehalfOf as usize], &["userId"]);
        Identity {
            kind: text(f[Ident::Type as usize]),
            arn: text(f[Ident::Arn as usize]),
            account_id: text(f[Ident::AccountId as usize]),
            principal_id: text(f[Ident::PrincipalId as usize]),
            access_key_id: text(f[Ident::AccessKeyId as usize]),
            user_name: text(f[Ident::UserName as usize]),
            invoked_by: text(f[Ident::InvokedBy as usize]),
            issuer_arn: text(iss[0]),
            issuer_user_name: text(iss[1]),
            on_behalf_of: text(obo[0]),
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
            let i = arn.find(marker)?;
            let tail = &arn[i + marker.len()..];
            (!tail.is_empty()).then(|| Cow::Owned(tail.to_owned()))
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
            .map(|r| text(Some(r)).map(|c| c.into_owned()))
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
