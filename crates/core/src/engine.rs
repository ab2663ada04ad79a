//! The engine's one entry point for the UI: load files, ask questions, get rows.
//!
//! TEMPORARY SKELETON (bodies `unimplemented!`): the signatures are the contract
//! between the engine and the UI; the store/query work fills them in.

use serde::{Deserialize, Serialize};

use crate::report::FileReport;

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

/// The engine: every loaded file and the store of their events.
#[derive(Debug, Default)]
pub struct Engine {}
