//! Argument checks made before anything is sent.

use crate::error::{Error, Result};

/// Checks a bucket name against the S3 general-purpose bucket naming rules.
pub fn check_bucket_name(name: &str) -> Result<()> {
    let fail = |reason| {
        Err(Error::InvalidBucketName {
            name: name.to_owned(),
            reason,
        })
    };
    if name.len() < 3 {
        return fail("must be at least 3 characters long");
    }
    if name.len() > 63 {
        return fail("must be at most 63 characters long");
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
    {
        return fail("may contain only lowercase letters, digits, dots and hyphens");
    }
    let first = name.as_bytes()[0];
    let last = name.as_bytes()[name.len() - 1];
    if !first.is_ascii_alphanumeric() || !last.is_ascii_alphanumeric() {
        return fail("must begin and end with a letter or digit");
    }
    if name.contains("..") || name.contains(".-") || name.contains("-.") {
        return fail("must not contain adjacent periods or a period next to a hyphen");
    }
    if name.parse::<std::net::Ipv4Addr>().is_ok() {
        return fail("must not be formatted as an IP address");
    }
    for prefix in ["xn--", "sthree-", "amzn-s3-demo-"] {
        if name.starts_with(prefix) {
            return fail("must not start with a reserved prefix (xn--, sthree-, amzn-s3-demo-)");
        }
    }
    for suffix in ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"] {
        if name.ends_with(suffix) {
            return fail("must not end with a reserved suffix");
        }
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

    #[test]
    fn bucket_names() {
        for ok in ["abc", "my-bucket", "my.bucket.1", "a1b", &"a".repeat(63)] {
            assert!(check_bucket_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "ab",
            &"a".repeat(64),
            "My-Bucket",
            "my_bucket",
            "-abc",
            "abc-",
            "a..b",
            "a.-b",
            "192.168.5.4",
            "xn--abc",
            "abc-s3alias",
            "ab c",
            "ümlaut",
        ] {
            assert!(
                matches!(check_bucket_name(bad), Err(Error::InvalidBucketName { .. })),
                "{bad:?} should be refused"
            );
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
