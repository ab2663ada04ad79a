//! Pure text helpers shared by the views: times, query terms, ARNs, numbers.
//!
//! Nothing here touches the DOM or the engine, so every function is unit-tested in the
//! browser suite (`tests/browser.rs`) and natively. Times are computed by hand (civil
//! calendar arithmetic) rather than through `js_sys::Date` so the UTC view is exact and
//! independent of the machine's time zone.

/// Days since 1970-01-01 to a (year, month, day) civil date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A civil date to days since 1970-01-01 (inverse of [`civil_from_days`]).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = i64::from((month + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Formats epoch milliseconds as `2019-12-18 19:28:46`, shifted by `offset_minutes`
/// (minutes east of UTC; 0 for UTC). Milliseconds are shown only when not zero.
pub fn format_time(ms: i64, offset_minutes: i32) -> String {
    let shifted = ms + i64::from(offset_minutes) * 60_000;
    let secs = shifted.div_euclid(1000);
    let millis = shifted.rem_euclid(1000);
    let (y, mo, d) = civil_from_days(secs.div_euclid(86_400));
    let sod = secs.rem_euclid(86_400);
    let (h, mi, s) = (sod / 3600, (sod % 3600) / 60, sod % 60);
    if millis == 0 {
        format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
    } else {
        format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}.{millis:03}")
    }
}

/// Formats a time with its zone label: `2019-12-18 19:28:46 UTC` or `... UTC+02:00`.
pub fn format_time_zoned(ms: i64, offset_minutes: i32) -> String {
    format!(
        "{} {}",
        format_time(ms, offset_minutes),
        zone_label(offset_minutes)
    )
}

/// `UTC`, `UTC+02:00`, `UTC-05:30`.
pub fn zone_label(offset_minutes: i32) -> String {
    if offset_minutes == 0 {
        return "UTC".to_string();
    }
    let sign = if offset_minutes > 0 { '+' } else { '-' };
    let m = offset_minutes.unsigned_abs();
    format!("UTC{sign}{:02}:{:02}", m / 60, m % 60)
}

/// Parses an ISO 8601 / RFC 3339 time as CloudTrail writes it
/// (`2019-12-18T19:28:46Z`, optional fraction, `Z` or `+hh:mm`) into epoch milliseconds.
/// Returns `None` for anything else, including bare dates.
pub fn parse_iso(text: &str) -> Option<i64> {
    let b = text.trim().as_bytes();
    if b.len() < 20 {
        return None;
    }
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = b.get(from..from + len)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(part).ok()?.parse().ok()
    };
    if b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut i = 19;
    let mut millis = 0i64;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return None;
        }
        let frac = &b[start..i.min(start + 3)];
        let mut v = 0i64;
        for (k, d) in frac.iter().enumerate() {
            v += i64::from(d - b'0') * [100, 10, 1][k];
        }
        millis = v;
    }
    let offset_min = match b.get(i) {
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(sign @ (b'+' | b'-')) if i + 6 == b.len() && b[i + 3] == b':' => {
            let m = num(i + 1, 2)? * 60 + num(i + 4, 2)?;
            if *sign == b'+' {
                m
            } else {
                -m
            }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month as u32, day as u32);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset_min * 60;
    Some(secs * 1000 + millis)
}

/// Whether a JSON key names a point in time (`from`, `to`, `startTime`, `creationDate`,
/// `createdAt`, `timestamp`, ...), so a number under it is read as an epoch time.
pub fn key_suggests_time(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    matches!(lower.as_str(), "from" | "to" | "since" | "until")
        || lower.contains("time")
        || lower.contains("date")
        || lower.starts_with("start")
        || lower.starts_with("end")
        || lower.starts_with("expir")
        || (key.len() > 2 && key.ends_with("At"))
}

/// Reads a JSON number as epoch milliseconds when it plausibly is one.
///
/// Under a time-like key (see [`key_suggests_time`]) any non-negative integer up to the
/// year 2286 is a time: 10^11 and above are milliseconds, below that seconds. Without such
/// a key only numbers that look like recent times (10^9..10^10 seconds, 10^12..10^13 ms)
/// are taken, so ports, sizes and counts are left alone.
pub fn epoch_ms(value: f64, key: Option<&str>) -> Option<i64> {
    if !value.is_finite() || value < 0.0 || value.fract() != 0.0 || value >= 1e13 {
        return None;
    }
    let hinted = key.is_some_and(key_suggests_time);
    if hinted {
        if value >= 1e11 {
            Some(value as i64)
        } else {
            Some(value as i64 * 1000)
        }
    } else if (1e9..1e10).contains(&value) {
        Some(value as i64 * 1000)
    } else if value >= 1e12 {
        Some(value as i64)
    } else {
        None
    }
}

/// Whether a query value must be quoted to stay one term.
fn needs_quotes(value: &str) -> bool {
    value.is_empty()
        || value.starts_with('-')
        || value == "OR"
        || value == "AND"
        || value == "NOT"
        || value
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '"' | '\\' | '(' | ')' | ':'))
}

/// Builds one query term `field:value`, quoting and escaping the value when needed, with a
/// leading `-` to exclude it.
pub fn query_term(field: &str, value: &str, exclude: bool) -> String {
    let mut out = String::with_capacity(field.len() + value.len() + 4);
    if exclude {
        out.push('-');
    }
    out.push_str(field);
    out.push(':');
    if needs_quotes(value) {
        out.push('"');
        for c in value.chars() {
            if matches!(c, '"' | '\\') {
                out.push('\\');
            }
            out.push(c);
        }
        out.push('"');
    } else {
        out.push_str(value);
    }
    out
}

/// Adds a term to a query: all terms must match, so it is appended; a query that holds a
/// top-level `OR` is wrapped in parentheses first so the new term narrows all of it. A term
/// already present is not added twice.
pub fn append_term(query: &str, term: &str) -> String {
    let q = query.trim();
    if q.is_empty() {
        return term.to_string();
    }
    if q.split_whitespace().any(|t| t == term) {
        return q.to_string();
    }
    if q.split_whitespace().any(|t| t == "OR") {
        format!("({q}) {term}")
    } else {
        format!("{q} {term}")
    }
}

/// The parts of an Amazon Resource Name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arn {
    /// `aws`, `aws-cn`, `aws-us-gov`.
    pub partition: String,
    /// `iam`, `s3`, `sts`, ...
    pub service: String,
    /// Empty for global services.
    pub region: String,
    /// Empty for S3 buckets and some others.
    pub account: String,
    /// Everything after the account, e.g. `user/johndoe`.
    pub resource: String,
}

/// Splits `arn:partition:service:region:account:resource` (the resource may hold further
/// colons). Anything with fewer parts is not an ARN.
pub fn parse_arn(text: &str) -> Option<Arn> {
    let mut parts = text.splitn(6, ':');
    if parts.next()? != "arn" {
        return None;
    }
    let partition = parts.next()?;
    let service = parts.next()?;
    let region = parts.next()?;
    let account = parts.next()?;
    let resource = parts.next()?;
    if partition.is_empty() || service.is_empty() || resource.is_empty() {
        return None;
    }
    Some(Arn {
        partition: partition.into(),
        service: service.into(),
        region: region.into(),
        account: account.into(),
        resource: resource.into(),
    })
}

/// `1234567` -> `1,234,567`.
pub fn group_digits(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Cuts a string to at most `max` characters, adding `…` when it was longer.
pub fn truncate(text: &str, max: usize) -> (String, bool) {
    match text.char_indices().nth(max) {
        Some((cut, _)) => (format!("{}…", &text[..cut]), true),
        None => (text.to_string(), false),
    }
}

/// The most of one log value that a list, a table cell or a heading shows; the detail tree's
/// "show all" shows the rest. Values are attacker-chosen: a 200 KB user agent must not
/// become 200 KB of DOM in every row, facet and group.
pub const SHOWN_CHARS: usize = 300;
/// The most of one log value a tooltip carries.
pub const TIP_CHARS: usize = 1000;

/// A log value as a list, cell or heading shows it (see [`SHOWN_CHARS`]).
pub fn shown(text: &str) -> String {
    truncate(text, SHOWN_CHARS).0
}

/// A log value as a tooltip carries it (see [`TIP_CHARS`]).
pub fn tip(text: &str) -> String {
    truncate(text, TIP_CHARS).0
}

/// Shows a parameter value in a table cell: numbers under time-like keys get their date,
/// JSON text inside a string is shown compact (decoded), anything else as is.
pub fn display_param(path: &str, value: &str, offset_minutes: i32) -> String {
    let key = path.rsplit('.').next().unwrap_or(path);
    if let Ok(n) = value.trim().parse::<f64>() {
        if key_suggests_time(key) {
            if let Some(ms) = epoch_ms(n, Some(key)) {
                return format!("{} ({value})", format_time(ms, offset_minutes));
            }
        }
        return value.to_string();
    }
    let t = value.trim_start();
    if t.starts_with('{') || t.starts_with('[') {
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(value) {
            return v.to_string();
        }
    }
    value.to_string()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip() {
        let ms = parse_iso("2019-12-18T19:28:46Z");
        assert_eq!(ms, Some(1_576_697_326_000));
        assert_eq!(format_time(1_576_697_326_000, 0), "2019-12-18 19:28:46");
        assert_eq!(format_time(1_576_697_326_000, 120), "2019-12-18 21:28:46");
        assert_eq!(
            parse_iso("2020-01-01T00:00:00.5+01:00"),
            Some(1_577_833_200_500)
        );
        assert_eq!(parse_iso("Dec 18, 2019"), None);
    }

    #[test]
    fn terms_are_quoted() {
        assert_eq!(
            query_term("eventName", "PutRule", false),
            "eventName:PutRule"
        );
        assert_eq!(
            query_term("requestParameters.alarmName", "CloudTrail Test Alarm", true),
            "-requestParameters.alarmName:\"CloudTrail Test Alarm\""
        );
        assert_eq!(append_term("a OR b", "c:d"), "(a OR b) c:d");
    }
}
