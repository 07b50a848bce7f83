//! STS: the shared `AssumeRole*` call, its response parser, and
//! [`AssumeRoleProvider`].

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::header::{ACCEPT, CONTENT_TYPE};
use http::Method;
use newtera_signer::{Credentials, PayloadHash, Provider, ProviderFuture};
use newtera_transport::{Body, Idempotency, SigningScope};

use super::fetch::{display_url, parse_url, Http, TransportConfig};
use super::{env_region, shorten, NetworkCredentialsError};

/// The global STS endpoint, used when the region is `us-east-1` or unknown.
/// Other regions use `https://sts.<region>.amazonaws.com`.
pub const DEFAULT_STS_ENDPOINT: &str = "https://sts.amazonaws.com";

/// The largest STS response read.
const STS_BODY_LIMIT: usize = 1 << 20;

/// The STS endpoint for `region`.
pub(crate) fn default_endpoint(region: Option<&str>) -> String {
    match region {
        None | Some("us-east-1") | Some("aws-global") => DEFAULT_STS_ENDPOINT.to_owned(),
        Some(r) if r.starts_with("cn-") => format!("https://sts.{r}.amazonaws.com.cn"),
        Some(r) => format!("https://sts.{r}.amazonaws.com"),
    }
}

/// A session name for when none is configured.
pub(crate) fn default_session_name() -> String {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default();
    format!("newtera-{ms}")
}

/// One STS call.
pub(crate) struct StsCall<'a> {
    /// The endpoint URL.
    pub(crate) endpoint: &'a str,
    /// `Some(region)` to sign the request (with the `Http`'s provider).
    pub(crate) sign_region: Option<&'a str>,
    /// `AssumeRole` or `AssumeRoleWithWebIdentity`.
    pub(crate) action: &'static str,
    /// The parameters after `Action` and `Version`.
    pub(crate) params: Vec<(&'static str, String)>,
    /// A secret sent in the form (the web identity token), to be scrubbed
    /// from any error message the server echoes.
    pub(crate) redact: Option<&'a str>,
}

impl StsCall<'_> {
    /// Sends the call and parses the credentials from the answer.
    pub(crate) async fn send(self, http: &Http) -> Result<Credentials, NetworkCredentialsError> {
        let uri = parse_url(self.endpoint, "the STS endpoint")?;
        let shown = display_url(&uri);
        // An endpoint given as `http://host:port` gets the path `/`.
        let uri = if uri.path().is_empty() {
            let mut parts = uri.into_parts();
            parts.path_and_query = Some(http::uri::PathAndQuery::from_static("/"));
            http::Uri::from_parts(parts)
                .map_err(|_| NetworkCredentialsError::Config("invalid STS endpoint".into()))?
        } else {
            uri
        };

        let body = {
            let mut form = form_urlencoded::Serializer::new(String::new());
            form.append_pair("Action", self.action);
            form.append_pair("Version", "2011-06-15");
            for (k, v) in &self.params {
                form.append_pair(k, v);
            }
            Bytes::from(form.finish())
        };

        let mut req = http::Request::builder()
            .method(Method::POST)
            .uri(uri)
            .header(
                CONTENT_TYPE,
                "application/x-www-form-urlencoded; charset=utf-8",
            )
            .header(ACCEPT, "text/xml")
            .body(Body::from_bytes(body.clone()))
            .map_err(|_| NetworkCredentialsError::Config("invalid STS request".into()))?;
        // Asking again only yields other temporary credentials: safe to retry.
        req.extensions_mut().insert(Idempotency::Idempotent);
        if let Some(region) = self.sign_region {
            req.extensions_mut().insert(SigningScope {
                region: region.into(),
                service: "sts",
            });
            req.extensions_mut().insert(PayloadHash::for_bytes(&body));
        }

        let (status, body) = http.send(req, &shown, STS_BODY_LIMIT).await?;
        if !status.is_success() {
            let (code, message) = parse_error(&body);
            let message = message.map(|m| {
                let m = match self.redact {
                    Some(secret) if !secret.is_empty() => m.replace(secret, "***"),
                    _ => m,
                };
                shorten(&m, 256)
            });
            return Err(NetworkCredentialsError::Status {
                endpoint: shown,
                status: status.as_u16(),
                code: code.map(|c| shorten(&c, 64)),
                message,
            });
        }
        parse_credentials(&body).map_err(|reason| NetworkCredentialsError::InvalidResponse {
            endpoint: shown,
            reason,
        })
    }
}

/// The text of the first element `<name>` (attributes allowed) of `xml`,
/// unescaped; `Ok(None)` when absent; `Err` when the element is not closed
/// or holds an unknown entity.
fn element<'a>(xml: &'a str, name: &str) -> Result<Option<Cow<'a, str>>, String> {
    let open = format!("<{name}");
    let mut from = 0;
    while let Some(pos) = xml[from..].find(&open) {
        let after = from + pos + open.len();
        let rest = &xml[after..];
        match rest.chars().next() {
            Some('>') => {
                let start = after + 1;
                return close(xml, start, name);
            }
            Some('/') if rest.starts_with("/>") => return Ok(Some(Cow::Borrowed(""))),
            Some(c) if c.is_ascii_whitespace() => {
                let Some(gt) = rest.find('>') else {
                    return Err(format!("unterminated <{name}> tag"));
                };
                if rest[..gt].ends_with('/') {
                    return Ok(Some(Cow::Borrowed("")));
                }
                return close(xml, after + gt + 1, name);
            }
            // `<NameSomethingElse`: keep looking.
            _ => from = after,
        }
    }
    Ok(None)
}

fn close<'a>(xml: &'a str, start: usize, name: &str) -> Result<Option<Cow<'a, str>>, String> {
    let end_tag = format!("</{name}>");
    let Some(len) = xml[start..].find(&end_tag) else {
        return Err(format!("<{name}> is not closed"));
    };
    let text = xml[start..start + len].trim();
    unescape(text)
        .map(Some)
        .map_err(|e| format!("in <{name}>: {e}"))
}

/// Resolves the XML predefined entities, character references and CDATA.
fn unescape(s: &str) -> Result<Cow<'_, str>, String> {
    if !s.contains(['&', '<']) {
        return Ok(Cow::Borrowed(s));
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find(['&', '<']) {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        if let Some(cdata) = rest.strip_prefix("<![CDATA[") {
            let end = cdata.find("]]>").ok_or("unterminated CDATA section")?;
            out.push_str(&cdata[..end]);
            rest = &cdata[end + 3..];
            continue;
        }
        if rest.starts_with('<') {
            return Err("unexpected markup".into());
        }
        let semi = rest.find(';').ok_or("unterminated entity")?;
        let entity = &rest[1..semi];
        let c = match entity {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = if let Some(hex) = entity
                    .strip_prefix("#x")
                    .or_else(|| entity.strip_prefix("#X"))
                {
                    u32::from_str_radix(hex, 16).ok()
                } else if let Some(dec) = entity.strip_prefix('#') {
                    dec.parse::<u32>().ok()
                } else {
                    None
                };
                code.and_then(char::from_u32)
                    .ok_or("unknown entity or invalid character reference")?
            }
        };
        out.push(c);
        rest = &rest[semi + 1..];
    }
    out.push_str(rest);
    Ok(Cow::Owned(out))
}

/// Parses the `<Credentials>` of an `AssumeRole*Response`. The error never
/// quotes the document.
pub(crate) fn parse_credentials(body: &[u8]) -> Result<Credentials, String> {
    let xml = std::str::from_utf8(body).map_err(|_| "the response is not UTF-8".to_owned())?;
    let creds = element_raw(xml, "Credentials")?.ok_or("no <Credentials> element")?;
    let required = |name: &str| -> Result<String, String> {
        match element(creds, name)? {
            Some(v) if !v.is_empty() => Ok(v.into_owned()),
            _ => Err(format!("no <{name}> in <Credentials>")),
        }
    };
    let access_key = required("AccessKeyId")?;
    let secret_key = required("SecretAccessKey")?;
    let token = required("SessionToken")?;
    let mut c = Credentials::new(access_key, secret_key, Some(token));
    if let Some(exp) = element(creds, "Expiration")? {
        let at =
            crate::time::parse_iso8601(&exp).ok_or("<Expiration> is not an ISO 8601 timestamp")?;
        c = c.with_expiration(at);
    }
    Ok(c)
}

/// The raw (not unescaped) content of the first `<name>` element.
fn element_raw<'a>(xml: &'a str, name: &str) -> Result<Option<&'a str>, String> {
    let open = format!("<{name}>");
    let Some(pos) = xml.find(&open) else {
        return Ok(None);
    };
    let start = pos + open.len();
    let end_tag = format!("</{name}>");
    let len = xml[start..]
        .find(&end_tag)
        .ok_or_else(|| format!("<{name}> is not closed"))?;
    Ok(Some(&xml[start..start + len]))
}

/// The `<Code>` and `<Message>` of an STS `<ErrorResponse>`, if readable.
pub(crate) fn parse_error(body: &[u8]) -> (Option<String>, Option<String>) {
    let Ok(xml) = std::str::from_utf8(body) else {
        return (None, None);
    };
    let get = |name| {
        element(xml, name)
            .ok()
            .flatten()
            .map(Cow::into_owned)
            .filter(|s| !s.is_empty())
    };
    (get("Code"), get("Message"))
}

/// Temporary credentials from STS `AssumeRole`, requested with (and signed
/// by) the credentials of a base provider.
///
/// The request is a form `POST` to the STS endpoint (default: the global
/// endpoint for `us-east-1` or no region, else the regional one) signed with
/// SigV4 for service `sts`. Each [`retrieve`](Provider::retrieve) asks
/// STS again: wrap the provider in a
/// [`CachedProvider`](super::CachedProvider).
///
/// `Debug` shows the role and endpoint and the base provider's own (masked)
/// `Debug`.
pub struct AssumeRoleProvider {
    role_arn: String,
    session_name: Option<String>,
    duration: Option<Duration>,
    policy: Option<String>,
    external_id: Option<String>,
    region: Option<String>,
    endpoint: Option<String>,
    http: Http,
}

impl fmt::Debug for AssumeRoleProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AssumeRoleProvider")
            .field("role_arn", &self.role_arn)
            .field("session_name", &self.session_name)
            .field("duration", &self.duration)
            .field("policy", &self.policy.as_ref().map(|_| "<policy>"))
            .field("external_id", &self.external_id.as_ref().map(|_| "***"))
            .field("region", &self.region)
            .field("endpoint", &self.endpoint)
            .field("base", &self.http.signing())
            .finish()
    }
}

impl AssumeRoleProvider {
    /// Assumes `role_arn` with the credentials of `base`.
    pub fn new(base: Arc<dyn Provider>, role_arn: impl Into<String>) -> Self {
        let mut http = Http::new(Duration::from_secs(5), Duration::from_secs(30), 3);
        http.set_signing(base);
        AssumeRoleProvider {
            role_arn: role_arn.into(),
            session_name: None,
            duration: None,
            policy: None,
            external_id: None,
            region: None,
            endpoint: None,
            http,
        }
    }

    /// `RoleSessionName` (default `newtera-<unix milliseconds>`).
    #[must_use]
    pub fn session_name(mut self, name: impl Into<String>) -> Self {
        self.session_name = Some(name.into());
        self
    }

    /// `DurationSeconds`: how long the credentials last (default one hour;
    /// STS accepts 15 minutes up to the role's maximum).
    #[must_use]
    pub fn duration(mut self, d: Duration) -> Self {
        self.duration = Some(d);
        self
    }

    /// An inline session `Policy` (JSON) further restricting the role.
    #[must_use]
    pub fn policy(mut self, policy: impl Into<String>) -> Self {
        self.policy = Some(policy.into());
        self
    }

    /// The `ExternalId` the role's trust policy requires.
    #[must_use]
    pub fn external_id(mut self, id: impl Into<String>) -> Self {
        self.external_id = Some(id.into());
        self
    }

    /// The signing region (default `AWS_REGION`, `AWS_DEFAULT_REGION`, then
    /// `us-east-1`).
    #[must_use]
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// The STS endpoint URL, e.g. `http://127.0.0.1:5000` (default
    /// [`DEFAULT_STS_ENDPOINT`] or the region's endpoint).
    #[must_use]
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = Some(url.into());
        self
    }

    /// Adjusts the transport used to call STS (defaults: 5 s connect
    /// timeout, 30 s request timeout, 3 attempts). Its credentials are
    /// always the base provider.
    #[must_use]
    pub fn transport_config(mut self, config: TransportConfig) -> Self {
        let base = self.http.signing().cloned();
        self.http.set_config(Arc::new(move |b| {
            let b = config(b);
            b.credentials(base.clone())
        }));
        self
    }

    async fn fetch(&self) -> Result<Credentials, NetworkCredentialsError> {
        let region = self
            .region
            .clone()
            .or_else(env_region)
            .unwrap_or_else(|| "us-east-1".to_owned());
        let endpoint = self
            .endpoint
            .clone()
            .unwrap_or_else(|| default_endpoint(Some(&region)));
        let duration = self.duration.unwrap_or(Duration::from_secs(3600));
        let mut params = vec![
            ("RoleArn", self.role_arn.clone()),
            (
                "RoleSessionName",
                self.session_name
                    .clone()
                    .unwrap_or_else(default_session_name),
            ),
            ("DurationSeconds", duration.as_secs().to_string()),
        ];
        if let Some(p) = &self.policy {
            params.push(("Policy", p.clone()));
        }
        if let Some(id) = &self.external_id {
            params.push(("ExternalId", id.clone()));
        }
        StsCall {
            endpoint: &endpoint,
            sign_region: Some(&region),
            action: "AssumeRole",
            params,
            redact: None,
        }
        .send(&self.http)
        .await
    }
}

impl Provider for AssumeRoleProvider {
    fn retrieve(&self) -> ProviderFuture<'_> {
        Box::pin(async move {
            self.fetch()
                .await
                .map_err(|e| e.into_credentials_error(self.name()))
        })
    }

    fn name(&self) -> &'static str {
        "sts-assume-role"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = r#"<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <SourceIdentity>x</SourceIdentity>
    <AssumedRoleUser><Arn>arn:aws:sts::1:assumed-role/r/s</Arn><AssumedRoleId>A:s</AssumedRoleId></AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIAEXAMPLE</AccessKeyId>
      <SecretAccessKey>se&amp;cret</SecretAccessKey>
      <SessionToken>tok+/=</SessionToken>
      <Expiration>2030-07-15T23:28:33.359Z</Expiration>
    </Credentials>
  </AssumeRoleResult>
</AssumeRoleResponse>"#;

    #[test]
    fn parses_credentials() {
        let c = parse_credentials(OK.as_bytes()).expect("valid");
        assert_eq!(c.access_key(), "ASIAEXAMPLE");
        assert_eq!(c.secret_key(), "se&cret");
        assert_eq!(c.session_token(), Some("tok+/="));
        assert!(c.expiration().is_some());
    }

    #[test]
    fn malformed_responses_are_errors_without_values() {
        let cases: Vec<String> = vec![
            String::new(),
            "<html>500</html>".into(),
            OK.replace("</Credentials>", ""),
            OK.replace("<SessionToken>tok+/=</SessionToken>", ""),
            OK.replace("<AccessKeyId>ASIAEXAMPLE</AccessKeyId>", "<AccessKeyId/>"),
            OK.replace("2030-07-15T23:28:33.359Z", "SUPERSECRET"),
            OK.replace("se&amp;cret", "SUPERSECRET&bogus;"),
            OK.replace("se&amp;cret", "SUPERSECRET&#xFFFFFFFF;"),
            OK.replace("se&amp;cret", "SUPERSECRET&amp"),
            OK.replace("</SecretAccessKey>", ""),
            "<Credentials><AccessKeyId".into(),
            "<Credentials><AccessKeyId x".into(),
        ];
        for case in &cases {
            let e = parse_credentials(case.as_bytes()).expect_err(case);
            assert!(!e.contains("SUPERSECRET"), "{e}");
        }
        assert!(parse_credentials(b"\xff<Credentials>").is_err());
    }

    #[test]
    fn element_forms() {
        assert_eq!(
            element("<a x=\"1\">v</a>", "a").expect("ok").as_deref(),
            Some("v")
        );
        assert_eq!(
            element("<ab>1</ab><a>2</a>", "a").expect("ok").as_deref(),
            Some("2")
        );
        assert_eq!(element("<a/>", "a").expect("ok").as_deref(), Some(""));
        assert_eq!(element("<a x='1'/>", "a").expect("ok").as_deref(), Some(""));
        assert_eq!(element("<b/>", "a").expect("ok"), None);
        assert_eq!(
            element("<a><![CDATA[x<y]]>&#65;&#x42;</a>", "a")
                .expect("ok")
                .as_deref(),
            Some("x<yAB")
        );
        assert!(element("<a><b/></a>", "a").is_err());
    }

    #[test]
    fn parses_errors() {
        let (c, m) = parse_error(
            b"<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>\
              <Message>not &lt;allowed&gt;</Message></Error><RequestId>1</RequestId></ErrorResponse>",
        );
        assert_eq!(c.as_deref(), Some("AccessDenied"));
        assert_eq!(m.as_deref(), Some("not <allowed>"));
        assert_eq!(parse_error(b"<html/>"), (None, None));
        assert_eq!(parse_error(b"\xff"), (None, None));
    }

    #[test]
    fn endpoints() {
        assert_eq!(default_endpoint(None), DEFAULT_STS_ENDPOINT);
        assert_eq!(default_endpoint(Some("us-east-1")), DEFAULT_STS_ENDPOINT);
        assert_eq!(
            default_endpoint(Some("eu-west-1")),
            "https://sts.eu-west-1.amazonaws.com"
        );
    }

    #[test]
    fn debug_masks() {
        let p = AssumeRoleProvider::new(
            Arc::new(newtera_signer::StaticProvider::new(
                "AK",
                "SUPERSECRET",
                Some("TOKEN".into()),
            )),
            "arn:aws:iam::1:role/r",
        )
        .external_id("EXTID");
        let d = format!("{p:?}");
        assert!(d.contains("arn:aws:iam::1:role/r"), "{d}");
        assert!(
            !d.contains("SUPERSECRET") && !d.contains("TOKEN") && !d.contains("EXTID"),
            "{d}"
        );
    }
}
