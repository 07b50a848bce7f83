//! Endpoint parsing and request URL building (path style or virtual-host style).

use std::fmt::Write as _;

use http::Uri;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::error::{Error, Result};

/// Everything but the unreserved characters of RFC 3986 (`A-Z a-z 0-9 - _ . ~`).
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');
/// As [`COMPONENT`], but keeps `/` so object keys keep their "folders".
const PATH: &AsciiSet = &COMPONENT.remove(b'/');

/// Percent-encodes a query key or value the way SigV4 expects.
pub(crate) fn encode_component(s: &str, out: &mut String) {
    for part in utf8_percent_encode(s, COMPONENT) {
        out.push_str(part);
    }
}

/// The `x-amz-copy-source` value naming `bucket/object` (and a version):
/// the path percent-encoded as in a request URL, `/` kept.
pub(crate) fn copy_source(bucket: &str, object: &str, version_id: Option<&str>) -> String {
    let mut s = String::with_capacity(2 + bucket.len() + object.len() * 3 / 2);
    s.push('/');
    s.push_str(bucket);
    s.push('/');
    for part in utf8_percent_encode(object, PATH) {
        s.push_str(part);
    }
    if let Some(v) = version_id {
        s.push_str("?versionId=");
        encode_component(v, &mut s);
    }
    s
}

/// The parsed endpoint of a client.
#[derive(Clone, Debug)]
pub(crate) struct BaseUrl {
    pub(crate) https: bool,
    /// Host without port, lowercase.
    pub(crate) host: String,
    /// Explicit, non-default port.
    pub(crate) port: Option<u16>,
    /// Set for Amazon S3 hosts.
    pub(crate) aws: Option<AwsHost>,
    /// `scheme://host[:port]`, rendered once, for endpoints whose host does
    /// not depend on the region or bucket (every non-AWS endpoint).
    origin: Option<String>,
}

/// What we know about an Amazon S3 endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct AwsHost {
    /// Region named by the host (`s3.eu-west-1.amazonaws.com`), if any.
    pub(crate) region: Option<String>,
    pub(crate) dualstack: bool,
    pub(crate) accelerate: bool,
    /// `amazonaws.com` or `amazonaws.com.cn`.
    pub(crate) domain: &'static str,
}

impl BaseUrl {
    /// Parses `host`, `host:port` or a URL `http(s)://host[:port][/]`.
    pub(crate) fn parse(endpoint: &str, secure: bool) -> Result<Self> {
        let bad = |reason: &str| Error::InvalidEndpoint {
            endpoint: endpoint.to_owned(),
            reason: reason.to_owned(),
        };
        let trimmed = endpoint.trim();
        if trimmed.is_empty() {
            return Err(bad("empty"));
        }
        let (https, rest) = if let Some((scheme, rest)) = trimmed.split_once("://") {
            match scheme.to_ascii_lowercase().as_str() {
                "http" => (false, rest),
                "https" => (true, rest),
                _ => return Err(bad("scheme must be http or https")),
            }
        } else {
            (secure, trimmed)
        };
        let authority = match rest.split_once('/') {
            Some((auth, path)) => {
                if !path.is_empty() {
                    return Err(bad("must not contain a path"));
                }
                auth
            }
            None => rest,
        };
        if authority.contains(['?', '#', '@']) {
            return Err(bad("must not contain a query, fragment or user info"));
        }
        let parsed: http::uri::Authority = authority
            .parse()
            .map_err(|_| bad("not a valid host[:port]"))?;
        let host = parsed.host().to_ascii_lowercase();
        if host.is_empty() {
            return Err(bad("missing host"));
        }
        if authority.contains(':') && !authority.ends_with(']') && parsed.port_u16().is_none() {
            return Err(bad("invalid port"));
        }
        let port = parsed
            .port_u16()
            .filter(|p| !((https && *p == 443) || (!https && *p == 80)));
        let aws = AwsHost::detect(&host);
        let mut base = BaseUrl {
            https,
            host,
            port,
            aws,
            origin: None,
        };
        if base.aws.is_none() {
            let mut origin = String::new();
            base.push_origin(&mut origin, &base.host);
            base.origin = Some(origin);
        }
        Ok(base)
    }

    /// True when `bucket` is addressed as `bucket.host` rather than `host/bucket`.
    pub(crate) fn virtual_style(&self, bucket: &str) -> bool {
        // Dots in a bucket name break TLS wildcard certificates.
        self.aws.is_some() && (!self.https || !bucket.contains('.'))
    }

    /// The host (without bucket) to send requests for `region` to.
    fn service_host(&self, region: &str) -> String {
        match &self.aws {
            None => self.host.clone(),
            Some(aws) if aws.accelerate => {
                let ds = if aws.dualstack { ".dualstack" } else { "" };
                format!("s3-accelerate{ds}.{}", aws.domain)
            }
            // The endpoint named no region (`s3.amazonaws.com`): it is
            // us-east-1's own, so requests for us-east-1 keep it as given.
            Some(aws)
                if aws.region.is_none()
                    && !aws.dualstack
                    && aws.domain == "amazonaws.com"
                    && region == "us-east-1" =>
            {
                "s3.amazonaws.com".to_owned()
            }
            Some(aws) => {
                let ds = if aws.dualstack { "dualstack." } else { "" };
                format!("s3.{ds}{region}.{}", aws.domain)
            }
        }
    }

    /// Writes `scheme://host[:port]`.
    fn push_origin(&self, s: &mut String, host: &str) {
        s.push_str(if self.https { "https://" } else { "http://" });
        if host.contains(':') {
            // IPv6 literal without its brackets.
            if host.starts_with('[') {
                s.push_str(host);
            } else {
                let _ = write!(s, "[{host}]");
            }
        } else {
            s.push_str(host);
        }
        if let Some(port) = self.port {
            let _ = write!(s, ":{port}");
        }
    }

    /// Builds the request URI. `query` pairs are raw; they are encoded here.
    ///
    /// On the path of every request: the URI is written into one buffer
    /// that the `Uri` then owns, without a copy.
    pub(crate) fn uri(
        &self,
        bucket: Option<&str>,
        object: Option<&str>,
        query: &[(std::borrow::Cow<'static, str>, String)],
        region: &str,
    ) -> Result<Uri> {
        let (in_host, in_path) = match bucket {
            Some(b) if self.virtual_style(b) => (Some(b), None),
            b => (None, b),
        };
        let mut s = String::with_capacity(
            40 + self.host.len()
                + bucket.map_or(0, str::len)
                + object.map_or(0, |o| o.len() + o.len() / 2)
                + 48 * query.len(),
        );
        match (&self.origin, in_host) {
            (Some(origin), None) => s.push_str(origin),
            _ => {
                let host = self.service_host(region);
                let host = match in_host {
                    Some(b) => format!("{b}.{host}"),
                    None => host,
                };
                self.push_origin(&mut s, &host);
            }
        }
        s.push('/');
        if let Some(bucket) = in_path {
            s.push_str(bucket);
            if object.is_some() {
                s.push('/');
            }
        }
        if let Some(object) = object {
            for part in utf8_percent_encode(object, PATH) {
                s.push_str(part);
            }
        }
        for (i, (k, v)) in query.iter().enumerate() {
            s.push(if i == 0 { '?' } else { '&' });
            encode_component(k, &mut s);
            if !v.is_empty() || !is_bare_subresource(k) {
                s.push('=');
                encode_component(v, &mut s);
            }
        }
        Uri::from_maybe_shared(bytes::Bytes::from(s.into_bytes())).map_err(|e| {
            Error::UnexpectedResponse {
                op: "build request URL",
                reason: e.to_string(),
            }
        })
    }
}

/// Sub-resources such as `?location` are sent without `=`.
fn is_bare_subresource(key: &str) -> bool {
    matches!(
        key,
        "location"
            | "versioning"
            | "uploads"
            | "delete"
            | "tagging"
            | "retention"
            | "legal-hold"
            | "versions"
            | "object-lock"
            | "acl"
            | "policy"
    )
}

impl AwsHost {
    fn detect(host: &str) -> Option<AwsHost> {
        let (stem, domain) = if let Some(stem) = host.strip_suffix(".amazonaws.com") {
            (stem, "amazonaws.com")
        } else if let Some(stem) = host.strip_suffix(".amazonaws.com.cn") {
            (stem, "amazonaws.com.cn")
        } else {
            return None;
        };
        let labels: Vec<&str> = stem.split('.').collect();
        let first = *labels.first()?;
        let accelerate = first == "s3-accelerate";
        if !(first == "s3" || accelerate || first.starts_with("s3-")) {
            return None;
        }
        let dualstack = labels.contains(&"dualstack");
        let region = if let Some(r) = first.strip_prefix("s3-").filter(|_| !accelerate) {
            Some(r.to_owned())
        } else {
            labels
                .iter()
                .skip(1)
                .find(|l| **l != "dualstack" && l.contains('-'))
                .map(|l| (*l).to_owned())
        };
        Some(AwsHost {
            region,
            dualstack,
            accelerate,
            domain,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&'static str, &str)]) -> Vec<(std::borrow::Cow<'static, str>, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).into(), v.to_string()))
            .collect()
    }

    #[test]
    fn endpoints() {
        let b = BaseUrl::parse("play.min.io", true).unwrap();
        assert!(b.https && b.port.is_none() && b.aws.is_none());
        let b = BaseUrl::parse("play.min.io:9000", false).unwrap();
        assert_eq!(b.port, Some(9000));
        let b = BaseUrl::parse("http://127.0.0.1:9000/", true).unwrap();
        assert!(!b.https);
        let b = BaseUrl::parse("https://s3.amazonaws.com", false).unwrap();
        assert!(b.https && b.aws.is_some());
        let b = BaseUrl::parse("HTTPS://Example.COM:443", false).unwrap();
        assert_eq!((b.host.as_str(), b.port), ("example.com", None));
        for bad in [
            "",
            "ftp://host",
            "http://host/path",
            "host/bucket",
            "http://user@host",
            "host:notaport",
            "host?x=1",
        ] {
            assert!(
                matches!(
                    BaseUrl::parse(bad, true),
                    Err(Error::InvalidEndpoint { .. })
                ),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn path_style_urls_encode_keys() {
        let b = BaseUrl::parse("localhost:9000", false).unwrap();
        let uri = b
            .uri(
                Some("bkt"),
                Some("a b/c+d%e/ü~"),
                &q(&[("versionId", "x/y"), ("uploads", "")]),
                "us-east-1",
            )
            .unwrap();
        assert_eq!(
            uri.to_string(),
            "http://localhost:9000/bkt/a%20b/c%2Bd%25e/%C3%BC~?versionId=x%2Fy&uploads"
        );
        let uri = b
            .uri(Some("bkt"), None, &q(&[("location", "")]), "us-east-1")
            .unwrap();
        assert_eq!(uri.to_string(), "http://localhost:9000/bkt?location");
        let uri = b.uri(None, None, &[], "us-east-1").unwrap();
        assert_eq!(uri.to_string(), "http://localhost:9000/");
    }

    #[test]
    fn copy_sources_encode_keys_and_versions() {
        assert_eq!(
            copy_source("bkt", "a b/c+d%e/ü~?x=1&y#", None),
            "/bkt/a%20b/c%2Bd%25e/%C3%BC~%3Fx%3D1%26y%23"
        );
        assert_eq!(
            copy_source("bkt", "k", Some("v/1+2")),
            "/bkt/k?versionId=v%2F1%2B2"
        );
    }

    #[test]
    fn aws_hosts_use_virtual_style_and_region() {
        let b = BaseUrl::parse("s3.amazonaws.com", true).unwrap();
        let uri = b.uri(Some("bkt"), Some("k"), &[], "eu-west-1").unwrap();
        assert_eq!(uri.to_string(), "https://bkt.s3.eu-west-1.amazonaws.com/k");
        let uri = b.uri(Some("bkt"), Some("k"), &[], "us-east-1").unwrap();
        assert_eq!(uri.to_string(), "https://bkt.s3.amazonaws.com/k");
        let b1 = BaseUrl::parse("s3.us-east-1.amazonaws.com", true).unwrap();
        let uri = b1.uri(Some("bkt"), Some("k"), &[], "us-east-1").unwrap();
        assert_eq!(uri.to_string(), "https://bkt.s3.us-east-1.amazonaws.com/k");
        let uri = b.uri(Some("my.bkt"), Some("k"), &[], "eu-west-1").unwrap();
        assert_eq!(
            uri.to_string(),
            "https://s3.eu-west-1.amazonaws.com/my.bkt/k"
        );
        let b = BaseUrl::parse("s3.dualstack.us-west-2.amazonaws.com", true).unwrap();
        assert_eq!(b.aws.as_ref().unwrap().region.as_deref(), Some("us-west-2"));
        assert!(b.aws.as_ref().unwrap().dualstack);
        let b = BaseUrl::parse("s3-us-west-1.amazonaws.com", true).unwrap();
        assert_eq!(b.aws.unwrap().region.as_deref(), Some("us-west-1"));
        assert!(BaseUrl::parse("ec2.amazonaws.com", true)
            .unwrap()
            .aws
            .is_none());
    }
}
