//! Argument checks made before anything is sent.

use crate::error::{Error, Result};

/// Checks the name of an existing bucket with the reference SDK's rules,
/// which every S3 server accepts, including names made before today's Amazon
/// S3 rules (upper case, `_`, `:`): 3 to 63 characters of letters, digits,
/// `.`, `-`, `_` and `:`, starting and ending with a letter or digit; not an
/// IPv4 address; no `..`, `.-` or `-.`.
///
/// Operations check this before sending; against Amazon S3 endpoints they
/// also refuse the names S3 reserves (`xn--…`, `…-s3alias`, `…--ol-s3`).
/// [`check_new_bucket_name`] holds the stricter rules for new buckets.
pub fn check_bucket_name(name: &str) -> Result<()> {
    check_with(name, |b| {
        b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b':')
    })
    .map_err(|reason| invalid(name, reason))
}

/// Checks the name of a bucket to create with the DNS-compatible rules
/// (`make_bucket` applies them on every server, as the reference SDK does):
/// 3 to 63 characters of lowercase letters, digits, `.` and `-`, starting
/// and ending with a letter or digit; not an IPv4 address; no `..`, `.-` or
/// `-.`. On Amazon S3 endpoints `make_bucket` also refuses every prefix and
/// suffix S3 reserves.
pub fn check_new_bucket_name(name: &str) -> Result<()> {
    check_with(name, |b| {
        b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-')
    })
    .map_err(|reason| invalid(name, reason))
}

/// The Amazon S3 reservations: for any bucket, `xn--` at the start and the
/// access point alias suffixes; for a new bucket (`new`), also the other
/// reserved prefixes and suffixes.
pub(crate) fn check_aws_bucket_name(name: &str, new: bool) -> Result<()> {
    if name.starts_with("xn--") {
        return Err(invalid(name, "must not start with xn-- on Amazon S3"));
    }
    if name.ends_with("-s3alias") || name.ends_with("--ol-s3") {
        return Err(invalid(
            name,
            "must not end with -s3alias or --ol-s3 on Amazon S3",
        ));
    }
    if new {
        if ["sthree-", "amzn-s3-demo-"]
            .iter()
            .any(|p| name.starts_with(p))
        {
            return Err(invalid(
                name,
                "must not start with a reserved prefix (sthree-, amzn-s3-demo-) on Amazon S3",
            ));
        }
        if [".mrap", "--x-s3", "--table-s3"]
            .iter()
            .any(|s| name.ends_with(s))
        {
            return Err(invalid(
                name,
                "must not end with a reserved suffix (.mrap, --x-s3, --table-s3) on Amazon S3",
            ));
        }
    }
    Ok(())
}

fn invalid(name: &str, reason: &'static str) -> Error {
    Error::InvalidBucketName {
        name: name.to_owned(),
        reason,
    }
}

/// The rules both checks share, with `allowed` saying which bytes may appear.
fn check_with(name: &str, allowed: impl Fn(u8) -> bool) -> Result<(), &'static str> {
    if name.len() < 3 {
        return Err("must be at least 3 characters long");
    }
    if name.len() > 63 {
        return Err("must be at most 63 characters long");
    }
    if !name.bytes().all(allowed) {
        return Err(
            if name.bytes().any(|b| b.is_ascii_uppercase() || b == b'_') {
                "may contain only lowercase letters, digits, dots and hyphens"
            } else {
                "contains a character S3 does not allow in bucket names"
            },
        );
    }
    let (first, last) = (name.as_bytes()[0], name.as_bytes()[name.len() - 1]);
    if !first.is_ascii_alphanumeric() || !last.is_ascii_alphanumeric() {
        return Err("must begin and end with a letter or digit");
    }
    if name.contains("..") || name.contains(".-") || name.contains("-.") {
        return Err("must not contain adjacent periods or a period next to a hyphen");
    }
    if name.parse::<std::net::Ipv4Addr>().is_ok() {
        return Err("must not be formatted as an IP address");
    }
    Ok(())
}

/// Checks an object name: non-empty and at most 1,024 bytes of UTF-8.
pub fn check_object_name(name: &str) -> Result<()> {
    let fail = |reason| {
        Err(Error::InvalidObjectName {
            name: name.to_owned(),
            reason,
        })
    };
    if name.is_empty() {
        return fail("must not be empty");
    }
    if name.len() > 1024 {
        return fail("must be at most 1024 bytes long");
    }
    if name.contains('\0') {
        return fail("must not contain a NUL character");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Name → (accepted for an existing bucket, accepted for a new one,
    /// accepted on Amazon S3 for an existing one, for a new one).
    #[test]
    fn bucket_names() {
        let long = "a".repeat(63);
        let too_long = "a".repeat(64);
        let table: &[(&str, bool, bool, bool, bool)] = &[
            ("abc", true, true, true, true),
            ("my-bucket", true, true, true, true),
            ("my.bucket.1", true, true, true, true),
            ("a1b", true, true, true, true),
            (&long, true, true, true, true),
            // Legacy names: reachable, never created.
            ("My-Bucket", true, false, true, false),
            ("my_bucket", true, false, true, false),
            ("UPPER", true, false, true, false),
            ("a:b", true, false, true, false),
            // Refused everywhere.
            ("", false, false, false, false),
            ("ab", false, false, false, false),
            (&too_long, false, false, false, false),
            ("-abc", false, false, false, false),
            ("abc-", false, false, false, false),
            ("_abc", false, false, false, false),
            ("a..b", false, false, false, false),
            ("a.-b", false, false, false, false),
            ("a-.b", false, false, false, false),
            ("192.168.5.4", false, false, false, false),
            ("ab c", false, false, false, false),
            ("ümlaut", false, false, false, false),
            ("a/b", false, false, false, false),
            // Amazon S3's reservations.
            ("xn--abc", true, true, false, false),
            ("abc-s3alias", true, true, false, false),
            ("abc--ol-s3", true, true, false, false),
            ("sthree-abc", true, true, true, false),
            ("amzn-s3-demo-abc", true, true, true, false),
            ("abc.mrap", true, true, true, false),
            ("abc--usw2-az1--x-s3", true, true, true, false),
            ("abc--table-s3", true, true, true, false),
        ];
        for &(name, existing, new, aws_existing, aws_new) in table {
            let got = (
                check_bucket_name(name).is_ok(),
                check_new_bucket_name(name).is_ok(),
                check_bucket_name(name).is_ok() && check_aws_bucket_name(name, false).is_ok(),
                check_new_bucket_name(name).is_ok() && check_aws_bucket_name(name, true).is_ok(),
            );
            assert_eq!(got, (existing, new, aws_existing, aws_new), "{name:?}");
        }
        for bad in ["ab", "a..b", "My-Bucket"] {
            assert!(matches!(
                check_new_bucket_name(bad),
                Err(Error::InvalidBucketName { .. })
            ));
        }
    }

    #[test]
    fn object_names() {
        assert!(check_object_name("a/b c+%ü").is_ok());
        assert!(check_object_name("").is_err());
        assert!(check_object_name(&"x".repeat(1025)).is_err());
        assert!(check_object_name(&"x".repeat(1024)).is_ok());
    }
}
