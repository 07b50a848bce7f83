//! Timestamps as S3 writes them.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use time::format_description::well_known::{Iso8601, Rfc3339};
use time::OffsetDateTime;

/// Parses an ISO 8601 timestamp as found in S3 XML (`2009-10-12T17:50:30.000Z`).
pub(crate) fn parse_iso8601(s: &str) -> Option<SystemTime> {
    // Listed timestamps come without surrounding space: two byte tests
    // spare the Unicode trim (nothing to trim when the text starts and ends
    // with a visible ASCII character).
    let visible = |b: Option<&u8>| b.is_some_and(u8::is_ascii_graphic);
    let s = if visible(s.as_bytes().first()) && visible(s.as_bytes().last()) {
        s
    } else {
        s.trim()
    };
    parse_s3_timestamp(s.as_bytes()).or_else(|| parse_with_time(s))
}

/// The general parser: RFC 3339, then any ISO 8601 form.
fn parse_with_time(s: &str) -> Option<SystemTime> {
    OffsetDateTime::parse(s, &Rfc3339)
        .or_else(|_| OffsetDateTime::parse(s, &Iso8601::DEFAULT))
        .ok()
        .map(SystemTime::from)
}

/// Reads the one form S3 servers send, `YYYY-MM-DDTHH:MM:SS.mmmZ` (or
/// without the milliseconds), for years 1970 to 9999, directly: this runs
/// once per listed object, and the general parser costs several times as
/// much. `None` for any other form or an invalid date or time, which the
/// general parser then decides (it gives the same instant for every input
/// this accepts; a test checks).
fn parse_s3_timestamp(s: &[u8]) -> Option<SystemTime> {
    let nanos = match (s.len(), s.get(19)) {
        (24, Some(b'.')) if s.get(23) == Some(&b'Z') => digits(s, 20..23)? * 1_000_000,
        (20, Some(b'Z')) => 0,
        _ => return None,
    };
    let separators = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if separators.iter().any(|&(i, c)| s.get(i) != Some(&c)) {
        return None;
    }
    let year = u64::from(digits(s, 0..4)?);
    let month = u64::from(digits(s, 5..7)?);
    let day = u64::from(digits(s, 8..10)?);
    let hour = u64::from(digits(s, 11..13)?);
    let minute = u64::from(digits(s, 14..16)?);
    let second = u64::from(digits(s, 17..19)?);
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let month_days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    // Second 60 (a leap second) is left to the general parser.
    if year < 1970 || day == 0 || day > month_days || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    // Days since 1970-01-01 of a proleptic Gregorian date, counting years
    // from March so that the leap day comes last.
    let y = if month <= 2 { year - 1 } else { year };
    let (era, year_of_era) = (y / 400, y % 400);
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = (era * 146_097 + day_of_era).checked_sub(719_468)?;
    let secs = days * 86_400 + hour * 3_600 + minute * 60 + second;
    Some(UNIX_EPOCH + Duration::new(secs, nanos))
}

/// The decimal number in `s[range]`, all ASCII digits.
fn digits(s: &[u8], range: std::ops::Range<usize>) -> Option<u32> {
    s.get(range)?.iter().try_fold(0u32, |n, &b| {
        b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
    })
}

/// Parses an HTTP date (`Last-Modified`).
pub(crate) fn parse_http_date(s: &str) -> Option<SystemTime> {
    httpdate::parse_http_date(s.trim()).ok()
}

/// Formats a timestamp as an HTTP date (`Mon, 12 Oct 2009 17:50:30 GMT`).
pub(crate) fn format_http_date(t: SystemTime) -> String {
    httpdate::fmt_http_date(t)
}

/// Formats a timestamp as ISO 8601 with milliseconds, UTC
/// (`2026-01-01T00:00:00.000Z`); `None` for an instant outside the years
/// 0000 to 9999, which the format cannot hold.
pub(crate) fn format_iso8601(t: SystemTime) -> Option<String> {
    // Beyond the years `time` can represent, converting would panic.
    let secs: i64 = match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).ok()?,
        Err(e) => i64::try_from(e.duration().as_secs()).ok()?.checked_neg()?,
    };
    // 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z.
    if !(-62_167_219_200..=253_402_300_799).contains(&secs) {
        return None;
    }
    let dt = OffsetDateTime::from(t);
    Some(format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        dt.year(),
        u8::from(dt.month()),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second(),
        dt.millisecond()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn round_trip() {
        let t = parse_iso8601("2009-10-12T17:50:30.000Z").unwrap();
        assert_eq!(t, UNIX_EPOCH + Duration::from_secs(1_255_369_830));
        assert_eq!(format_iso8601(t).unwrap(), "2009-10-12T17:50:30.000Z");
        assert_eq!(parse_http_date("Mon, 12 Oct 2009 17:50:30 GMT"), Some(t));
        assert!(parse_iso8601("yesterday").is_none());
        // Surrounding whitespace (ASCII or not) is trimmed.
        assert_eq!(parse_iso8601(" 2009-10-12T17:50:30.000Z\n"), Some(t));
        assert_eq!(parse_iso8601("\u{a0}2009-10-12T17:50:30.000Z"), Some(t));
    }

    /// The direct reader of S3's form agrees with the general parser.
    #[test]
    fn s3_timestamps_read_directly_agree_with_time() {
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        // Every day from 1970 to 2100, at a random time of day, and a few
        // far years.
        let mut day = OffsetDateTime::UNIX_EPOCH;
        let mut inputs = Vec::new();
        while day.year() <= 2100 {
            let (h, m, s, ms) = (next(24), next(60), next(60), next(1000));
            let date = format!(
                "{:04}-{:02}-{:02}",
                day.year(),
                u8::from(day.month()),
                day.day()
            );
            inputs.push(format!("{date}T{h:02}:{m:02}:{s:02}.{ms:03}Z"));
            inputs.push(format!("{date}T{h:02}:{m:02}:{s:02}Z"));
            day += Duration::from_secs(86_400);
        }
        for y in [2400, 2401, 9999] {
            inputs.push(format!("{y}-02-28T23:59:59.999Z"));
            inputs.push(format!("{y}-03-01T00:00:00Z"));
        }
        for input in &inputs {
            let direct = parse_s3_timestamp(input.as_bytes());
            assert!(direct.is_some(), "{input}");
            assert_eq!(direct, parse_with_time(input), "{input}");
        }
        // Everything else is left to the general parser.
        for input in [
            "1969-12-31T23:59:59.000Z",
            "2023-02-29T00:00:00.000Z",
            "2024-02-30T00:00:00.000Z",
            "2024-04-31T00:00:00.000Z",
            "2024-13-01T00:00:00.000Z",
            "2024-00-01T00:00:00.000Z",
            "2024-01-00T00:00:00.000Z",
            "2024-01-01T24:00:00.000Z",
            "2024-01-01T00:60:00.000Z",
            "2016-12-31T23:59:60.000Z",
            "2024-01-01t00:00:00.000Z",
            "2024-01-01T00:00:00.000z",
            "2024-01-01T00:00:00.0000Z",
            "2024-01-01T00:00:00.00Z",
            "2024-01-01T00:00:00+00:00",
            "2024-01-01 00:00:00.000Z",
            "+024-01-01T00:00:00.000Z",
            "2024-01-01T00:00:0a.000Z",
        ] {
            assert_eq!(parse_s3_timestamp(input.as_bytes()), None, "{input}");
        }
        assert_eq!(
            parse_iso8601(" 2016-12-31T23:59:60.000Z"),
            parse_with_time("2016-12-31T23:59:60.000Z")
        );
    }
}
