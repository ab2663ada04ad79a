//! Service names for CloudTrail event sources: `pi.amazonaws.com` -> "AWS Performance Insights".
//!
//! The names come from AWS's own service models, not from a hand-kept list:
//! `scripts/gen-services.py` reads every model in botocore (PyPI, Apache-2.0) and writes
//! `services_table.rs`, a sorted `(eventSource prefix, serviceFullName)` table keyed by
//! `endpointPrefix` (plus `signingName` where it differs and is unambiguous). The script
//! documents how shared prefixes are resolved and the table records its botocore version.
//!
//! A few event sources have no service model, or CloudTrail logs them under a name that
//! is no model's prefix; a short list in this file (`EXTRA`) names those, by hand, each with its reason.
//!
//! Lookups are a binary search over static strings: no allocation unless the input has
//! upper-case letters, nothing built at start-up.

#[path = "services_table.rs"]
mod table;

/// The botocore release the generated table was built from (shown in "about" text).
pub const BOTOCORE_VERSION: &str = table::BOTOCORE_VERSION;

/// Event sources with no botocore service model, or whose CloudTrail eventSource is not any
/// model's endpointPrefix or signingName. Sorted by prefix; a test checks that none of these
/// shadows a generated entry, so AWS's own names always win.
const EXTRA: &[(&str, &str)] = &[
    // The Billing and Cost Management console's own actions; botocore has no such model.
    ("billingconsole", "AWS Billing and Cost Management console"),
    // CloudShell is logged as cloudshell.amazonaws.com; botocore has no CloudShell model.
    ("cloudshell", "AWS CloudShell"),
    // The CodeWhisperer API (now part of Amazon Q Developer) has no botocore model.
    ("codewhisperer", "Amazon CodeWhisperer"),
    // The SSM Agent's control channel (GetMessages, AcknowledgeMessage...): no public model.
    ("ec2messages", "Amazon EC2 Messages"),
    // Amazon Q Developer in the console and IDEs logs as q.amazonaws.com; no model.
    ("q", "Amazon Q Developer"),
    // Redshift query editor v2: CloudTrail eventSource sqlworkbench.amazonaws.com; no model.
    ("sqlworkbench", "Amazon Redshift Query Editor v2"),
    // Session Manager's data channel (OpenDataChannel, CreateControlChannel...): no model.
    (
        "ssmmessages",
        "AWS Systems Manager Session Manager messages",
    ),
    // IAM Identity Center's built-in directory (users and groups from the console).
    ("sso-directory", "AWS IAM Identity Center directory"),
];

/// Domain suffixes CloudTrail puts after the service prefix (commercial and China
/// partitions). Longest first, so `.amazonaws.com.cn` is not cut as `.amazonaws.com`.
const SUFFIXES: &[&str] = &[".amazonaws.com.cn", ".amazonaws.com"];

/// The full service name for a CloudTrail `eventSource`, e.g. "AWS Performance Insights"
/// for `pi.amazonaws.com`. Accepts the bare prefix (`pi`), the China-partition domain
/// (`pi.amazonaws.com.cn`), surrounding whitespace and any letter case. `None` when no
/// service model or documented extra names it.
pub fn service_name(event_source: &str) -> Option<&'static str> {
    let prefix = prefix_of(event_source);
    if prefix.is_empty() {
        return None;
    }
    if prefix.bytes().any(|b| b.is_ascii_uppercase()) {
        lookup(&prefix.to_ascii_lowercase())
    } else {
        lookup(prefix)
    }
}

/// A label for an event source that is never empty for a non-empty input: the full
/// service name when known, otherwise the prefix without its `.amazonaws.com` domain
/// (`newservice.amazonaws.com` -> "newservice"), otherwise the input itself (an event
/// source from a CloudTrail Lake integration can be any text).
pub fn service_label(event_source: &str) -> String {
    if let Some(name) = service_name(event_source) {
        return name.to_owned();
    }
    let cleaned: String = prefix_of(event_source)
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    if cleaned.is_empty() {
        event_source.to_owned()
    } else {
        cleaned
    }
}

/// The part of an event source before its AWS domain, trimmed.
fn prefix_of(event_source: &str) -> &str {
    let trimmed = event_source.trim();
    for suffix in SUFFIXES {
        let bytes = trimmed.as_bytes();
        if bytes.len() >= suffix.len() {
            let cut = bytes.len() - suffix.len();
            // The suffix is ASCII, so a case-insensitive byte match starts on a char boundary.
            if bytes[cut..].eq_ignore_ascii_case(suffix.as_bytes()) {
                return trimmed[..cut].trim_end();
            }
        }
    }
    trimmed
}

/// Binary search of the generated table, then of the hand-written extras.
fn lookup(prefix: &str) -> Option<&'static str> {
    find(table::SERVICES, prefix).or_else(|| find(EXTRA, prefix))
}

fn find(entries: &'static [(&'static str, &'static str)], prefix: &str) -> Option<&'static str> {
    entries
        .binary_search_by(|(key, _)| (*key).cmp(prefix))
        .ok()
        .map(|i| entries[i].1)
}

/// The hand-written extras (event sources with no service model), sorted by prefix.
pub fn extra_services() -> &'static [(&'static str, &'static str)] {
    EXTRA
}

/// The entries generated from botocore's service models, sorted by prefix.
pub fn generated_services() -> &'static [(&'static str, &'static str)] {
    table::SERVICES
}
