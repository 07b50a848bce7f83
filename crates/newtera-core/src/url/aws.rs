//! Amazon S3 host names: what an endpoint says about the service, and the
//! host each request goes to.
//!
//! The rules follow the reference SDK's: a host under `amazonaws.com` or
//! `amazonaws.com.cn` is an S3 endpoint when it starts with an S3 prefix
//! (`s3.`, `s3-fips.`, `s3-accelerate.`, `s3-external-1.`, a VPC endpoint
//! `bucket.vpce-….s3.`, an S3 Control host `….s3-control.`), optionally
//! followed by `dualstack.` and a region. Other AWS hosts are refused, except
//! `ec2-…` hosts and ELB hosts (`name.REGION.elb.amazonaws.com`, whose region
//! is used), which are treated as ordinary S3-compatible servers. Two
//! departures, both documented on [`detect`]: legacy `s3-REGION` hosts name
//! their region, and `s3.fips.REGION` is read as FIPS.

use crate::error::{Error, Result};

/// What we know about an Amazon S3 endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct AwsHost {
    /// The host as given, for the hosts that are used as they are.
    host: String,
    /// `s3.`, `s3-fips.`, `s3.fips.`, `s3-accelerate.`, `bucket.vpce-….s3.`, …
    prefix: String,
    /// `amazonaws.com`, `amazonaws.com.cn`, `vpce.amazonaws.com`, …
    domain: String,
    /// Region named by the host, if any.
    pub(crate) region: Option<String>,
    pub(crate) dualstack: bool,
    pub(crate) accelerate: bool,
    /// `s3-external-1`, `s3-us-gov-west-1` and `s3-fips-us-gov-west-1`:
    /// single-region hosts used as they are.
    fixed: bool,
}

/// The result of looking at a host.
#[derive(Debug, Default)]
pub(crate) struct Detected {
    /// Set for Amazon S3 hosts.
    pub(crate) aws: Option<AwsHost>,
    /// The region the host names (an S3 host or an ELB host).
    pub(crate) region: Option<String>,
}

/// A DNS label as S3 accepts it in host names and regions: 1 to 63 ASCII
/// letters, digits, `-` or `_`, not starting or ending with `-` or `_`.
pub(crate) fn is_host_label(s: &str) -> bool {
    let b = s.as_bytes();
    let edge_ok = |c: &u8| c.is_ascii_alphanumeric();
    !b.is_empty()
        && b.len() <= 63
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'_')
        && b.first().is_some_and(edge_ok)
        && b.last().is_some_and(edge_ok)
}

/// Does `s` look like a region (`us-west-2`, `us-gov-west-1`, `cn-north-1`,
/// `eu-central-2`): letter groups separated by `-`, ending in a number?
fn looks_like_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() >= 3
        && parts
            .last()
            .is_some_and(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()))
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_lowercase()))
}

/// Looks at `host` (lower case): is it an Amazon S3 endpoint, and which
/// region does it name? `user_region` is the region the user configured.
///
/// Beyond the reference SDK's rules: a legacy `s3-REGION.amazonaws.com` host
/// (`s3-eu-west-1`) names its region and requests go to the modern
/// `s3.REGION.amazonaws.com` form, instead of an invalid host; and
/// `s3.fips.REGION` is read as the FIPS prefix rather than a region `fips`.
pub(crate) fn detect(
    host: &str,
    https: bool,
    user_region: Option<&str>,
) -> Result<Detected, String> {
    let labels: Vec<&str> = host.split('.').collect();
    if !labels.iter().all(|l| is_host_label(l)) {
        // An IP literal or something no AWS host looks like.
        return Ok(Detected::default());
    }
    if labels.len() == 5 && host.ends_with(".elb.amazonaws.com") {
        return Ok(Detected {
            aws: None,
            region: Some(labels[1].to_owned()),
        });
    }
    if !(host.ends_with(".amazonaws.com") || host.ends_with(".amazonaws.com.cn")) {
        return Ok(Detected::default());
    }
    if host.starts_with("ec2-") {
        return Ok(Detected::default());
    }
    let not_s3 = || format!("{host} is an Amazon AWS host but not an Amazon S3 endpoint");
    // The S3 prefix: how many labels it takes.
    let first = labels[0];
    let taken = if matches!(first, "bucket" | "accesspoint")
        && labels.get(1).is_some_and(|l| l.starts_with("vpce-"))
        && labels.get(2) == Some(&"s3")
    {
        3
    } else if !first.starts_with("s3")
        && labels
            .get(1)
            .is_some_and(|l| *l == "s3-control" || l.starts_with("s3-control-"))
    {
        2
    } else if first == "s3" || first.starts_with("s3-") {
        1
    } else {
        return Err(not_s3());
    };
    let mut prefix: String = labels[..taken].iter().flat_map(|l| [*l, "."]).collect();
    let mut rest = &labels[taken..];
    let mut region = None;
    // Legacy `s3-REGION.amazonaws.com`.
    if taken == 1 {
        if let Some(r) = first.strip_prefix("s3-").filter(|r| {
            looks_like_region(r) && !r.starts_with("fips-") && !matches!(*r, "us-gov-west-1")
        }) {
            region = Some(r.to_owned());
            prefix = "s3.".to_owned();
        }
    }
    if prefix == "s3." && rest.first() == Some(&"fips") {
        prefix.push_str("fips.");
        rest = &rest[1..];
    }
    let dualstack = rest.first() == Some(&"dualstack");
    if dualstack {
        rest = &rest[1..];
    }
    if let Some(r) = rest
        .first()
        .filter(|l| !matches!(**l, "vpce" | "amazonaws"))
    {
        if region.is_some() {
            return Err(not_s3());
        }
        region = Some((*r).to_owned());
        rest = &rest[1..];
    }
    // What is left must end in the AWS domain; a label starting with `s3`
    // there means a prefix we do not know.
    if rest.len() < 2 || rest.iter().any(|l| l.starts_with("s3")) {
        return Err(not_s3());
    }
    let domain = rest.join(".");
    let fixed = match host {
        "s3-external-1.amazonaws.com" => {
            region = Some("us-east-1".to_owned());
            true
        }
        "s3-us-gov-west-1.amazonaws.com" | "s3-fips-us-gov-west-1.amazonaws.com" => {
            region = Some("us-gov-west-1".to_owned());
            true
        }
        _ => false,
    };
    let accelerate = prefix == "s3-accelerate.";
    if prefix.contains("s3-accesspoint") && !https {
        return Err(format!("{host} needs HTTPS"));
    }
    if domain.ends_with(".cn") && !accelerate && region.is_none() && user_region.is_none() {
        return Err(format!(
            "{host} is an Amazon S3 China endpoint without a region; give the region"
        ));
    }
    Ok(Detected {
        region: region.clone(),
        aws: Some(AwsHost {
            host: host.to_owned(),
            prefix,
            domain,
            region,
            dualstack,
            accelerate,
            fixed,
        }),
    })
}

impl AwsHost {
    /// The host (without the bucket) of a request for `bucket` in `region`;
    /// `path_style` when the bucket goes into the path.
    pub(crate) fn host_for(
        &self,
        bucket: Option<&str>,
        path_style: bool,
        region: &str,
    ) -> Result<String> {
        if self.fixed {
            return Ok(self.host.clone());
        }
        if !is_host_label(region) {
            return Err(Error::arg(
                "region",
                format!("{region:?} cannot be part of a host name"),
            ));
        }
        let ds = if self.dualstack { "dualstack." } else { "" };
        if self.accelerate {
            if let Some(b) = bucket.filter(|b| b.contains('.')) {
                return Err(Error::InvalidBucketName {
                    name: b.to_owned(),
                    reason: "must not contain '.' on a Transfer Acceleration endpoint",
                });
            }
            // Transfer Acceleration addresses buckets by name only; requests
            // that must use path style (and ListBuckets) go to the regional
            // endpoint instead.
            if bucket.is_some() && !path_style {
                return Ok(format!("{}{ds}{}", self.prefix, self.domain));
            }
            return Ok(format!("s3.{ds}{region}.{}", self.domain));
        }
        // The endpoint named no region (`s3.amazonaws.com`): it is
        // us-east-1's own, so requests for us-east-1 keep it as given.
        if self.region.is_none()
            && self.prefix == "s3."
            && !self.dualstack
            && self.domain == "amazonaws.com"
            && region == "us-east-1"
        {
            return Ok(self.host.clone());
        }
        Ok(format!("{}{ds}{region}.{}", self.prefix, self.domain))
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::q;
    use super::super::BaseUrl;
    use super::*;
    use http::Method;

    /// Endpoint → (region named by the host, dual-stack, accelerate).
    #[test]
    fn aws_hosts_are_recognised() {
        let table: &[(&str, Option<&str>, bool, bool)] = &[
            ("s3.amazonaws.com", None, false, false),
            (
                "s3.eu-west-1.amazonaws.com",
                Some("eu-west-1"),
                false,
                false,
            ),
            (
                "s3-eu-west-1.amazonaws.com",
                Some("eu-west-1"),
                false,
                false,
            ),
            (
                "s3-us-west-2.amazonaws.com",
                Some("us-west-2"),
                false,
                false,
            ),
            (
                "s3.dualstack.us-west-2.amazonaws.com",
                Some("us-west-2"),
                true,
                false,
            ),
            (
                "s3-fips.us-east-1.amazonaws.com",
                Some("us-east-1"),
                false,
                false,
            ),
            (
                "s3-fips.dualstack.us-east-2.amazonaws.com",
                Some("us-east-2"),
                true,
                false,
            ),
            (
                "s3.fips.us-east-1.amazonaws.com",
                Some("us-east-1"),
                false,
                false,
            ),
            ("s3-accelerate.amazonaws.com", None, false, true),
            ("s3-accelerate.dualstack.amazonaws.com", None, true, true),
            (
                "s3-external-1.amazonaws.com",
                Some("us-east-1"),
                false,
                false,
            ),
            (
                "s3-us-gov-west-1.amazonaws.com",
                Some("us-gov-west-1"),
                false,
                false,
            ),
            (
                "s3-fips-us-gov-west-1.amazonaws.com",
                Some("us-gov-west-1"),
                false,
                false,
            ),
            (
                "s3.cn-north-1.amazonaws.com.cn",
                Some("cn-north-1"),
                false,
                false,
            ),
            (
                "s3.dualstack.cn-northwest-1.amazonaws.com.cn",
                Some("cn-northwest-1"),
                true,
                false,
            ),
            ("s3-accelerate.amazonaws.com.cn", None, false, true),
            (
                "bucket.vpce-1a2b3c4d-5e6f.s3.us-east-1.vpce.amazonaws.com",
                Some("us-east-1"),
                false,
                false,
            ),
            (
                "s3-accesspoint.us-west-2.amazonaws.com",
                Some("us-west-2"),
                false,
                false,
            ),
        ];
        for &(host, region, ds, acc) in table {
            let d = detect(host, true, None).unwrap_or_else(|e| panic!("{host}: {e}"));
            let aws = d.aws.unwrap_or_else(|| panic!("{host}: not AWS"));
            assert_eq!(
                (aws.region.as_deref(), aws.dualstack, aws.accelerate),
                (region, ds, acc),
                "{host}"
            );
            assert_eq!(d.region.as_deref(), region, "{host}");
        }
    }

    #[test]
    fn other_hosts() {
        // Not AWS at all, or AWS hosts the reference SDK treats as plain servers.
        for host in [
            "play.min.io",
            "127.0.0.1",
            "localhost",
            "storage.googleapis.com",
            "ec2-1-2-3-4.compute-1.amazonaws.com",
            "amazonaws.com.example.org",
        ] {
            let d = detect(host, true, None).unwrap();
            assert!(d.aws.is_none() && d.region.is_none(), "{host}");
        }
        let d = detect("my-lb.us-west-2.elb.amazonaws.com", true, None).unwrap();
        assert!(d.aws.is_none());
        assert_eq!(d.region.as_deref(), Some("us-west-2"));
        // AWS hosts that are not S3 endpoints, a China endpoint without a
        // region, an access point over plain HTTP.
        for (host, https) in [
            ("ec2.amazonaws.com", true),
            ("sts.amazonaws.com", true),
            ("s3.amazonaws.com.s3.amazonaws.com", true),
            ("s3.amazonaws.com.cn", true),
            ("s3-accesspoint.us-west-2.amazonaws.com", false),
        ] {
            assert!(detect(host, https, None).is_err(), "{host}");
        }
        // A user region completes a China endpoint.
        assert!(detect("s3.amazonaws.com.cn", true, Some("cn-north-1")).is_ok());
    }

    /// One request per line: method, endpoint, bucket, object, query
    /// (`-` for none), region, and the URL it must go to.
    const REQUEST_URLS: &str = "
        GET s3.amazonaws.com bkt k - eu-west-1 https://bkt.s3.eu-west-1.amazonaws.com/k
        GET s3.amazonaws.com my.bkt k - eu-west-1 https://s3.eu-west-1.amazonaws.com/my.bkt/k
        GET http://s3.amazonaws.com my.bkt k - eu-west-1 http://my.bkt.s3.eu-west-1.amazonaws.com/k
        GET s3.amazonaws.com - - - us-east-1 https://s3.amazonaws.com/
        GET s3.amazonaws.com - - - eu-west-1 https://s3.eu-west-1.amazonaws.com/
        GET s3.amazonaws.com bkt k - us-east-1 https://bkt.s3.amazonaws.com/k
        GET s3.us-east-1.amazonaws.com bkt k - us-east-1 https://bkt.s3.us-east-1.amazonaws.com/k
        PUT s3.amazonaws.com bkt - - eu-west-1 https://s3.eu-west-1.amazonaws.com/bkt
        GET s3.amazonaws.com bkt - location us-east-1 https://s3.amazonaws.com/bkt?location
        GET s3.amazonaws.com Legacy_Bkt k - us-east-1 https://s3.amazonaws.com/Legacy_Bkt/k
        GET s3-eu-west-1.amazonaws.com bkt k - eu-west-1 https://bkt.s3.eu-west-1.amazonaws.com/k
        GET s3.dualstack.us-west-2.amazonaws.com bkt k - us-west-2 https://bkt.s3.dualstack.us-west-2.amazonaws.com/k
        GET s3-fips.us-east-1.amazonaws.com bkt k - us-east-1 https://bkt.s3-fips.us-east-1.amazonaws.com/k
        GET s3-fips.dualstack.us-east-1.amazonaws.com bkt - - us-east-1 https://bkt.s3-fips.dualstack.us-east-1.amazonaws.com/
        GET s3-fips.us-east-1.amazonaws.com - - - us-east-1 https://s3-fips.us-east-1.amazonaws.com/
        GET s3.fips.us-east-1.amazonaws.com bkt k - us-east-1 https://bkt.s3.fips.us-east-1.amazonaws.com/k
        GET s3-accelerate.amazonaws.com bkt k - eu-west-1 https://bkt.s3-accelerate.amazonaws.com/k
        GET s3-accelerate.dualstack.amazonaws.com bkt k - eu-west-1 https://bkt.s3-accelerate.dualstack.amazonaws.com/k
        GET s3-accelerate.amazonaws.com - - - us-east-1 https://s3.us-east-1.amazonaws.com/
        PUT s3-accelerate.amazonaws.com bkt - - eu-west-1 https://s3.eu-west-1.amazonaws.com/bkt
        GET s3-external-1.amazonaws.com bkt k - us-east-1 https://bkt.s3-external-1.amazonaws.com/k
        GET s3-external-1.amazonaws.com - - - us-east-1 https://s3-external-1.amazonaws.com/
        GET s3-fips-us-gov-west-1.amazonaws.com bkt k - us-gov-west-1 https://bkt.s3-fips-us-gov-west-1.amazonaws.com/k
        GET s3.cn-north-1.amazonaws.com.cn bkt k - cn-north-1 https://bkt.s3.cn-north-1.amazonaws.com.cn/k
        GET s3.cn-north-1.amazonaws.com.cn - - - cn-north-1 https://s3.cn-north-1.amazonaws.com.cn/
        GET bucket.vpce-1a2b.s3.us-east-1.vpce.amazonaws.com bkt k - us-east-1 https://bkt.bucket.vpce-1a2b.s3.us-east-1.vpce.amazonaws.com/k
    ";

    #[test]
    fn aws_request_urls() {
        let opt = |s: &'static str| (s != "-").then_some(s);
        for line in REQUEST_URLS
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            let f: Vec<&'static str> = line.split(' ').collect();
            let [method, endpoint, bucket, object, query, region, want] = f[..] else {
                panic!("malformed case {line:?}");
            };
            let method: Method = method.parse().unwrap();
            let query = opt(query).map(|k| q(&[(k, "")])).unwrap_or_default();
            let b = BaseUrl::parse(endpoint, true, None).unwrap();
            let got = b
                .uri(&method, opt(bucket), opt(object), &query, region)
                .unwrap_or_else(|e| panic!("{line}: {e}"));
            assert_eq!(got.to_string(), want, "{line}");
        }
    }

    #[test]
    fn accelerate_refuses_dotted_buckets() {
        let b = BaseUrl::parse("s3-accelerate.amazonaws.com", true, None).unwrap();
        let err = b
            .uri(&Method::GET, Some("my.bkt"), Some("k"), &[], "us-east-1")
            .unwrap_err();
        assert!(matches!(err, Error::InvalidBucketName { .. }), "{err:?}");
    }

    #[test]
    fn regions_from_servers_cannot_change_the_host() {
        let b = BaseUrl::parse("s3.amazonaws.com", true, None).unwrap();
        for bad in ["evil.com/x", "a.b", "", "x y", "-x"] {
            let err = b
                .uri(&Method::GET, Some("bkt"), Some("k"), &[], bad)
                .unwrap_err();
            assert!(matches!(err, Error::InvalidArgument { .. }), "{bad:?}");
        }
    }
}
