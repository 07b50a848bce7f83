//! Timestamps as S3 writes them.

use std::time::SystemTime;

use time::format_description::well_known::{Iso8601, Rfc3339};
use time::OffsetDateTime;

/// Parses an ISO 8601 timestamp as found in S3 XML (`2009-10-12T17:50:30.000Z`).
pub(crate) fn parse_iso8601(s: &str) -> Option<SystemTime> {
    let s = s.trim();
    OffsetDateTime::parse(s, &Rfc3339)
        .or_else(|_| OffsetDateTime::parse(s, &Iso8601::DEFAULT))
        .ok()
        .map(SystemTime::from)
}

/// Parses an HTTP date (`Last-Modified`).
pub(crate) fn parse_http_date(s: &str) -> Option<SystemTime> {
    httpdate::parse_http_date(s.trim()).ok()
}

/// Formats a timestamp as ISO 8601 with milliseconds, UTC (`2026-01-01T00:00:00.000Z`).
pub(crate) fn format_iso8601(t: SystemTime) -> String {
    let dt = OffsetDateTime::from(t);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        dt.year(),
        u8::from(dt.month()),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second(),
        dt.millisecond()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn round_trip() {
        let t = parse_iso8601("2009-10-12T17:50:30.000Z").unwrap();
        assert_eq!(t, UNIX_EPOCH + Duration::from_secs(1_255_369_830));
        assert_eq!(format_iso8601(t), "2009-10-12T17:50:30.000Z");
        assert_eq!(parse_http_date("Mon, 12 Oct 2009 17:50:30 GMT"), Some(t));
        assert!(parse_iso8601("yesterday").is_none());
    }
}
