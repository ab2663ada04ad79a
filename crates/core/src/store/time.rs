//! Event times: ISO-8601 text and epoch numbers in, integer milliseconds since the
//! Unix epoch (UTC) out, and back to ISO text for display and exports.

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// (year, month, day) for days since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn digits(b: &[u8], at: usize, n: usize) -> Option<i64> {
    let s = b.get(at..at + n)?;
    let mut v = 0i64;
    for &c in s {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + i64::from(c - b'0');
    }
    Some(v)
}

/// Epoch milliseconds from a number that is seconds or milliseconds: values of
/// 100,000,000,000 or more are taken as milliseconds (that is 1973 in ms and year
/// 5138 in seconds, so the two ranges CloudTrail sees never overlap).
pub fn epoch_number_to_ms(v: f64) -> Option<i64> {
    if !v.is_finite() {
        return None;
    }
    let ms = if v.abs() >= 1e11 { v } else { v * 1000.0 };
    if ms.abs() > 1e16 {
        return None;
    }
    Some(ms.round() as i64)
}

/// Parse an ISO-8601 date-time into epoch ms. Accepts `YYYY-MM-DD`, a `T` or a
/// space before the time, optional seconds and fractions, and `Z`, `+hh:mm`,
/// `+hhmm`, `+hh` or no zone (taken as UTC). A string of only digits is an epoch
/// number (see [`epoch_number_to_ms`]).
pub fn parse_iso_ms(s: &str) -> Option<i64> {
    let s = s.trim();
    let b = s.as_bytes();
    if !b.is_empty() && b.iter().all(|c| c.is_ascii_digit() || *c == b'.') && b.len() > 8 {
        return epoch_number_to_ms(s.parse::<f64>().ok()?);
    }
    let year = digits(b, 0, 4)?;
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let month = digits(b, 5, 2)?;
    let day = digits(b, 8, 2)?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let mut ms = days_from_civil(year, month, day) * 86_400_000;
    let mut i = 10;
    if i == b.len() {
        return Some(ms);
    }
    if b[i] != b'T' && b[i] != b't' && b[i] != b' ' {
        return None;
    }
    i += 1;
    let hour = digits(b, i, 2)?;
    if b.get(i + 2) != Some(&b':') {
        return None;
    }
    let minute = digits(b, i + 3, 2)?;
    i += 5;
    let mut second = 0;
    if b.get(i) == Some(&b':') {
        second = digits(b, i + 1, 2)?;
        i += 3;
    }
    if hour > 24 || minute > 59 || second > 60 {
        return None;
    }
    ms += (hour * 3600 + minute * 60 + second) * 1000;
    if matches!(b.get(i), Some(b'.') | Some(b',')) {
        i += 1;
        let start = i;
        let mut frac = 0i64;
        let mut scale = 1000i64;
        while let Some(c) = b.get(i).filter(|c| c.is_ascii_digit()) {
            if scale > 1 {
                scale /= 10;
                frac += i64::from(c - b'0') * scale;
            }
            i += 1;
        }
        if i == start {
            return None;
        }
        ms += frac;
    }
    match b.get(i) {
        None => Some(ms),
        Some(b'Z') | Some(b'z') if i + 1 == b.len() => Some(ms),
        Some(&sign @ (b'+' | b'-')) => {
            let oh = digits(b, i + 1, 2)?;
            let rest = &b[i + 3..];
            let om = match rest {
                [] => 0,
                [b':', ..] if rest.len() == 3 => digits(rest, 1, 2)?,
                _ if rest.len() == 2 => digits(rest, 0, 2)?,
                _ => return None,
            };
            let off = (oh * 60 + om) * 60_000;
            Some(if sign == b'+' { ms - off } else { ms + off })
        }
        _ => None,
    }
}

/// Format epoch ms as `YYYY-MM-DDThh:mm:ssZ`, with `.mmm` when the milliseconds
/// are not zero (the way CloudTrail writes times).
pub fn format_iso_ms(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    let (h, mi, s, f) = (
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000,
    );
    if f == 0 {
        format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
    } else {
        format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{f:03}Z")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn iso_forms() {
        let base = 1_688_989_356_000; // 2023-07-10T11:42:36Z
        let cases: &[(&str, Option<i64>)] = &[
            ("2023-07-10T11:42:36Z", Some(base)),
            ("2023-07-10T11:42:36.250Z", Some(base + 250)),
            ("2023-07-10T11:42:36.1234567Z", Some(base + 123)),
            ("2023-07-10 22:42:36+11:00", Some(base)),
            ("2023-07-10T06:42:36-0500", Some(base)),
            ("2023-07-10T11:42:36", Some(base)),
            ("2023-07-10T11:42Z", Some(base - 36_000)),
            ("2023-07-10", Some(base - (11 * 3600 + 42 * 60 + 36) * 1000)),
            ("1688989356", Some(base)),
            ("1688989356000", Some(base)),
            ("2023-13-10T11:42:36Z", None),
            ("yesterday", None),
            ("2023-07-10T11:42:36Zjunk", None),
            ("", None),
        ];
        for (s, want) in cases {
            assert_eq!(parse_iso_ms(s), *want, "{s}");
        }
    }

    #[test]
    fn format_round_trips() {
        for ms in [
            0,
            1_688_989_356_000,
            1_688_989_356_250,
            -86_400_001,
            951_782_400_000,
        ] {
            assert_eq!(parse_iso_ms(&format_iso_ms(ms)), Some(ms), "{ms}");
        }
        assert_eq!(format_iso_ms(1_688_989_356_000), "2023-07-10T11:42:36Z");
    }
}
