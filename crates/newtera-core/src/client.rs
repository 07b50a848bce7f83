//! The client, its builder, and the request pipeline every operation uses.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use newtera_signer::{PayloadHash, Provider, StaticProvider};
use newtera_transport::{
    AnswerCheck, Attempts, Body, BufferedAnswer, HttpRequest, HttpResponse, HttpService,
    Idempotency, ProxyConfig, RetryConfig, S3ErrorCode, SigningScope, Transport, TransportBuilder,
    TransportError,
};

use crate::checksum::ChecksumAlgorithm;
use crate::error::{Error, Result, S3Error};
use crate::url::BaseUrl;
use crate::validate::check_aws_bucket_name;

/// The region used when none is configured or discoverable.
pub const DEFAULT_REGION: &str = "us-east-1";
/// Largest error document we read from a server.
pub(crate) const ERROR_BODY_LIMIT: usize = 1 << 20;

/// An S3 client.
///
/// Cloning is cheap (an `Arc` inside) and clones share the connection pool,
/// the credentials and the region cache; the client is `Send + Sync` and may
/// be used from many tasks at once.
///
/// ```no_run
/// # async fn demo() -> Result<(), newtera_core::Error> {
/// use newtera_core::Newtera;
/// let client = Newtera::builder("play.min.io")
///     .access_key("Q3AM3UQ867SPQQA43P2F")
///     .secret_key("zuf+tfteSlswRu7BJ86wekitnifILbZam1KYY3TG")
///     .build()?;
/// for bucket in client.list_buckets().await? {
///     println!("{} {:?}", bucket.name, bucket.creation_date);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Newtera {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) base: BaseUrl,
    pub(crate) region: Option<Arc<str>>,
    pub(crate) transport: Transport,
    pub(crate) anonymous: bool,
    /// The credentials, also handed to the transport; read directly only
    /// to presign.
    pub(crate) provider: Option<Arc<dyn Provider>>,
    /// Presigns URLs and POST policies (the transport signs requests).
    pub(crate) signer: newtera_signer::Signer,
    pub(crate) checksum: Option<ChecksumAlgorithm>,
    pub(crate) resume_attempts: u32,
    pub(crate) strict_integrity: bool,
    pub(crate) regions: RwLock<HashMap<String, Arc<str>>>,
    /// Idle part buffers of uploads from readers, kept briefly for the next.
    pub(crate) part_buffers: crate::part_buffers::PartBuffers,
}

impl fmt::Debug for Newtera {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Newtera")
            .field("endpoint", &self.inner.base.host)
            .field("port", &self.inner.base.port)
            .field("secure", &self.inner.base.https)
            .field("region", &self.inner.region)
            .field("anonymous", &self.inner.anonymous)
            .field("checksum", &self.inner.checksum)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Newtera`] client; every parameter of the reference constructor
/// has a setter of the same name.
pub struct NewteraBuilder {
    endpoint: String,
    access_key: Option<String>,
    secret_key: Option<String>,
    session_token: Option<String>,
    secure: bool,
    region: Option<String>,
    credentials: Option<Arc<dyn Provider>>,
    checksum: Option<ChecksumAlgorithm>,
    resume_attempts: u32,
    strict_integrity: bool,
    virtual_style: Option<bool>,
    transport: TransportBuilder,
}

impl fmt::Debug for NewteraBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewteraBuilder")
            .field("endpoint", &self.endpoint)
            .field("access_key", &self.access_key)
            .field("secret_key", &self.secret_key.as_ref().map(|_| "***"))
            .field("session_token", &self.session_token.as_ref().map(|_| "***"))
            .field("secure", &self.secure)
            .field("region", &self.region)
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

impl Newtera {
    /// Starts building a client for `endpoint`: `host`, `host:port`, or a URL
    /// `http(s)://host[:port]` whose scheme overrides [`NewteraBuilder::secure`].
    pub fn builder(endpoint: impl Into<String>) -> NewteraBuilder {
        NewteraBuilder {
            endpoint: endpoint.into(),
            access_key: None,
            secret_key: None,
            session_token: None,
            secure: true,
            region: None,
            credentials: None,
            checksum: Some(ChecksumAlgorithm::Crc64Nvme),
            resume_attempts: 5,
            strict_integrity: false,
            virtual_style: None,
            transport: Transport::builder(),
        }
    }

    /// A client with static keys: `Newtera::new("s3.amazonaws.com", "ACCESS", "SECRET")`.
    pub fn new(
        endpoint: impl Into<String>,
        access_key: impl Into<String>,
        secret_key: impl Into<String>,
    ) -> Result<Self> {
        Self::builder(endpoint)
            .access_key(access_key)
            .secret_key(secret_key)
            .build()
    }

    /// The region given at construction, if any.
    pub fn region(&self) -> Option<&str> {
        self.inner.region.as_deref()
    }

    /// True when requests go over TLS.
    pub fn is_secure(&self) -> bool {
        self.inner.base.https
    }

    /// True for an Amazon S3 endpoint (whose bucket naming rules apply).
    pub(crate) fn is_aws(&self) -> bool {
        self.inner.base.aws.is_some()
    }
}

impl NewteraBuilder {
    /// Access key (user id) of the account.
    pub fn access_key(mut self, v: impl Into<String>) -> Self {
        self.access_key = Some(v.into());
        self
    }
    /// Secret key (password) of the account.
    pub fn secret_key(mut self, v: impl Into<String>) -> Self {
        self.secret_key = Some(v.into());
        self
    }
    /// Session token of temporary credentials.
    pub fn session_token(mut self, v: impl Into<String>) -> Self {
        self.session_token = Some(v.into());
        self
    }
    /// Use TLS (default `true`). A scheme in the endpoint URL wins over this.
    pub fn secure(mut self, v: bool) -> Self {
        self.secure = v;
        self
    }
    /// Region of the buckets; when set, region discovery is skipped and
    /// every request is signed for it (a redirect to another region then
    /// ends in an error naming that region). Without it, the region is the
    /// one the endpoint names (`s3.eu-west-1.amazonaws.com`), else it is
    /// discovered per bucket with GetBucketLocation (`us-east-1` for an
    /// anonymous client, which never sends GetBucketLocation), and a
    /// redirect to another region updates the cache and is followed once.
    /// [`build`](Self::build) refuses a malformed region name.
    pub fn region(mut self, v: impl Into<String>) -> Self {
        self.region = Some(v.into());
        self
    }
    /// A credentials provider; takes precedence over `access_key`/`secret_key`.
    pub fn credentials(mut self, p: impl Provider + 'static) -> Self {
        self.credentials = Some(Arc::new(p));
        self
    }
    /// A shared credentials provider.
    pub fn credentials_arc(mut self, p: Arc<dyn Provider>) -> Self {
        self.credentials = Some(p);
        self
    }
    /// Check the server certificate (default `true`). `false` accepts any
    /// certificate, which defeats TLS against an active attacker: use it only
    /// for tests and private networks.
    pub fn cert_check(mut self, v: bool) -> Self {
        self.transport = self.transport.cert_check(v);
        self
    }
    /// Trusts an extra CA certificate (PEM) besides the built-in roots.
    pub fn add_root_certificate_pem(mut self, pem: &[u8]) -> Self {
        self.transport = self.transport.add_root_certificate_pem(pem);
        self
    }
    /// Sends every request through the forward proxy `url`
    /// (`http://[user:password@]host:port`), whatever the environment says:
    /// HTTPS through a `CONNECT` tunnel, plain HTTP in absolute form. A URL
    /// of another form fails [`build`](Self::build). By default the proxies
    /// come from `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY`
    /// (lower case too; see [`ProxyConfig::FromEnv`](newtera_transport::ProxyConfig::FromEnv)).
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.transport = self.transport.proxy(ProxyConfig::Url(url.into()));
        self
    }
    /// Connects directly, ignoring any proxy variable of the environment.
    pub fn no_proxy(mut self) -> Self {
        self.transport = self.transport.proxy(ProxyConfig::None);
        self
    }
    /// Replaces the built-in HTTP client. Signing, retries and timeouts
    /// still apply above it.
    pub fn http_client(mut self, svc: HttpService) -> Self {
        self.transport = self.transport.http_client(svc);
        self
    }
    /// Adds a tower layer between signing and the HTTP client; it sees every
    /// attempt, signed.
    pub fn layer<L>(mut self, layer: L) -> Self
    where
        L: tower::Layer<HttpService> + Send + Sync + 'static,
        L::Service: tower::Service<HttpRequest, Response = HttpResponse, Error = TransportError>
            + Clone
            + Send
            + Sync
            + 'static,
        <L::Service as tower::Service<HttpRequest>>::Future: Send + 'static,
    {
        self.transport = self.transport.layer(layer);
        self
    }
    /// Retry settings (attempts, backoff, budget).
    pub fn retry(mut self, cfg: RetryConfig) -> Self {
        self.transport = self.transport.retry(cfg);
        self
    }
    /// Time allowed to open a connection.
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.transport = self.transport.connect_timeout(d);
        self
    }
    /// Time allowed for each attempt until the response head arrives.
    pub fn request_timeout(mut self, d: Option<Duration>) -> Self {
        self.transport = self.transport.request_timeout(d);
        self
    }
    /// Longest silence allowed inside a response body while it is read
    /// (default 5 minutes; `None` for none). A download that goes silent is
    /// resumed from where it stopped (counting against
    /// [`resume_attempts`](Self::resume_attempts)); a small answer read whole
    /// (a listing page, an XML result) is retried like a timed-out request;
    /// otherwise the read fails with a timeout error.
    pub fn read_timeout(mut self, d: Option<Duration>) -> Self {
        self.transport = self.transport.read_timeout(d);
        self
    }
    /// The `user-agent` header.
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.transport = self.transport.user_agent(ua);
        self
    }

    /// The checksum sent with uploads (`x-amz-checksum-*`, per part and for
    /// the object) and with DeleteObjects (in place of `Content-MD5`), and
    /// requested on downloads; `None` turns checksums off for servers that
    /// reject them (DeleteObjects then carries `Content-MD5`). Default: CRC64NVME, whose multipart
    /// objects carry a full-object checksum that downloads can verify
    /// (CRC32C and CRC32 multipart objects only have a composite one).
    /// Downloads verify any of the three, whichever client wrote the object.
    pub fn checksum_algorithm(mut self, alg: Option<ChecksumAlgorithm>) -> Self {
        self.checksum = alg;
        self
    }
    /// How many times a download cut off mid-body is resumed with a range
    /// request, without progress in between, before it fails (default 5).
    pub fn resume_attempts(mut self, n: u32) -> Self {
        self.resume_attempts = n;
        self
    }
    /// Strict integrity for whole-object downloads (default off).
    ///
    /// Off, a download is verified against the full-object CRC the server
    /// declares, when it declares a usable one (a malformed one is ignored
    /// with a warning). On, also: a malformed declared checksum is an error
    /// before any byte is handed out; an object without a usable checksum
    /// is verified against its ETag where that is an MD5 of the data — a
    /// single-part object not encrypted with SSE-KMS or SSE-C (one MD5 over
    /// the body), or a multipart object, whose part sizes are read first
    /// with one `HEAD ?partNumber=i` per part (N extra requests) and whose
    /// ETag is the MD5 of the parts' MD5s. SSE-KMS and SSE-C objects without
    /// a checksum, and ranged reads, are not verified.
    pub fn strict_integrity(mut self, on: bool) -> Self {
        self.strict_integrity = on;
        self
    }

    /// Addresses buckets as `bucket.host` (virtual-host style) when `true`,
    /// as `host/bucket` (path style) when `false`. Default: virtual-host
    /// style for Amazon S3 and Aliyun OSS endpoints, path style elsewhere;
    /// set `true` for servers that address buckets by DNS name (MinIO with a
    /// domain). Whatever the setting, names that cannot be part of a host
    /// name (upper case, `_`, dots over HTTPS), CreateBucket and
    /// GetBucketLocation use path style.
    pub fn virtual_style(mut self, v: bool) -> Self {
        self.virtual_style = Some(v);
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<Newtera> {
        let mut base = BaseUrl::parse(&self.endpoint, self.secure, self.region.as_deref())?;
        if let Some(v) = self.virtual_style {
            base.set_virtual_style(v);
        }
        let provider: Option<Arc<dyn Provider>> =
            match (self.credentials, self.access_key, self.secret_key) {
                (Some(p), _, _) => Some(p),
                (None, Some(a), Some(s)) => {
                    Some(Arc::new(StaticProvider::new(a, s, self.session_token)))
                }
                (None, None, None) => None,
                (None, Some(_), None) => {
                    return Err(Error::arg("secret_key", "an access key needs a secret key"))
                }
                (None, None, Some(_)) => {
                    return Err(Error::arg("access_key", "a secret key needs an access key"))
                }
            };
        let region = base.region.clone();
        let anonymous = provider.is_none();
        let transport = self
            .transport
            .credentials(provider.clone())
            .build()
            .map_err(Error::transport("build client"))?;
        Ok(Newtera {
            inner: Arc::new(Inner {
                base,
                region: region.map(Arc::from),
                transport,
                anonymous,
                provider,
                signer: newtera_signer::Signer::new(),
                checksum: self.checksum,
                resume_attempts: self.resume_attempts,
                strict_integrity: self.strict_integrity,
                regions: RwLock::new(HashMap::new()),
                part_buffers: Default::default(),
            }),
        })
    }
}

/// One S3 request as the operations describe it.
pub(crate) struct S3Request<'a> {
    pub(crate) op: &'static str,
    pub(crate) method: Method,
    pub(crate) bucket: Option<&'a str>,
    pub(crate) object: Option<&'a str>,
    pub(crate) query: Vec<(std::borrow::Cow<'static, str>, String)>,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Body,
    pub(crate) payload: Option<PayloadHash>,
    pub(crate) region: Option<Arc<str>>,
    pub(crate) buffered_answer: bool,
    /// How to tell a whole buffered answer from a damaged one; `None`: a
    /// whole XML document (or nothing).
    pub(crate) answer_check: Option<fn(&[u8]) -> bool>,
    pub(crate) idempotent: Option<bool>,
}

impl<'a> S3Request<'a> {
    pub(crate) fn new(op: &'static str, method: Method) -> Self {
        S3Request {
            op,
            method,
            bucket: None,
            object: None,
            query: Vec::new(),
            // Room for the operation's headers and the signer's and
            // transport's (date, payload hash, authorization, user agent,
            // host) without growing the map on the way.
            headers: HeaderMap::with_capacity(10),
            body: Body::empty(),
            payload: None,
            region: None,
            buffered_answer: false,
            answer_check: None,
            idempotent: None,
        }
    }
    pub(crate) fn bucket(mut self, b: &'a str) -> Self {
        self.bucket = Some(b);
        self
    }
    pub(crate) fn object(mut self, o: &'a str) -> Self {
        self.object = Some(o);
        self
    }
    pub(crate) fn query(mut self, k: &'static str, v: impl Into<String>) -> Self {
        self.query.push((k.into(), v.into()));
        self
    }
    /// Caller-supplied query parameters (`extra_query_params`).
    pub(crate) fn extra_query(mut self, extra: &[(String, String)]) -> Self {
        self.query
            .extend(extra.iter().map(|(k, v)| (k.clone().into(), v.clone())));
        self
    }
    pub(crate) fn query_opt(self, k: &'static str, v: Option<&str>) -> Self {
        match v {
            Some(v) => self.query(k, v),
            None => self,
        }
    }
    pub(crate) fn header(mut self, k: HeaderName, v: HeaderValue) -> Self {
        self.headers.insert(k, v);
        self
    }
    pub(crate) fn headers(mut self, h: HeaderMap) -> Self {
        self.headers.extend(h);
        self
    }
    /// A small body whose SHA-256 is signed.
    pub(crate) fn signed_body(mut self, data: impl Into<bytes::Bytes>) -> Self {
        let data = data.into();
        self.payload = Some(PayloadHash::for_bytes(&data));
        self.body = Body::from_bytes(data);
        self
    }
    pub(crate) fn body(mut self, body: Body, payload: PayloadHash) -> Self {
        self.body = body;
        self.payload = Some(payload);
        self
    }
    pub(crate) fn region(mut self, r: impl Into<Arc<str>>) -> Self {
        self.region = Some(r.into());
        self
    }
    /// The answer is a small document: buffer it inside the retry loop (so a
    /// connection lost mid-body is retried) and treat a 200 carrying an
    /// S3 `<Error>` document as the error it is.
    pub(crate) fn buffered_answer(mut self) -> Self {
        self.buffered_answer = true;
        self
    }
    /// A buffered answer that is not XML (a JSON policy, a body that is
    /// ignored) is checked with `check` instead of as an XML document.
    pub(crate) fn answer_check(mut self, check: fn(&[u8]) -> bool) -> Self {
        self.answer_check = Some(check);
        self
    }
    pub(crate) fn idempotent(mut self, v: bool) -> Self {
        self.idempotent = Some(v);
        self
    }
    /// A copy to send again (after a region redirect), or `None` when the
    /// body is a stream that cannot be replayed.
    pub(crate) fn try_clone(&self) -> Option<Self> {
        Some(S3Request {
            op: self.op,
            method: self.method.clone(),
            bucket: self.bucket,
            object: self.object,
            query: self.query.clone(),
            headers: self.headers.clone(),
            body: self.body.try_clone()?,
            payload: self.payload.clone(),
            region: self.region.clone(),
            buffered_answer: self.buffered_answer,
            answer_check: self.answer_check,
            idempotent: self.idempotent,
        })
    }
}

impl Newtera {
    /// Sends `req` and turns an S3 error answer into [`Error::S3`].
    ///
    /// A request signed for a region the client discovered (not one the
    /// user or the operation gave) that the server redirects to another
    /// region is sent once more in that region, which is cached for the
    /// bucket (see `region.rs`).
    ///
    /// Runs in a `newtera.request` span (target `newtera::request`, level
    /// `debug`) naming the operation, bucket and key; the transport's
    /// `newtera.attempt` spans nest in it.
    pub(crate) async fn send(&self, req: S3Request<'_>) -> Result<HttpResponse> {
        use tracing::Instrument as _;
        let span = tracing::debug_span!(
            target: "newtera::request",
            "newtera.request",
            operation = req.op,
            bucket = req.bucket,
            key = req.object,
        );
        // Boxed: every operation's future holds this one as a pointer
        // rather than its few KiB of state, which would otherwise be
        // copied again at each level of `async fn` above it.
        Box::pin(self.send_routed(req).instrument(span)).await
    }

    /// [`send`](Self::send) without its span.
    async fn send_routed(&self, req: S3Request<'_>) -> Result<HttpResponse> {
        if let Some(bucket) = req.bucket.filter(|_| self.is_aws()) {
            check_aws_bucket_name(bucket, false)?;
        }
        if let Some(r) = req.region.clone().or_else(|| self.inner.region.clone()) {
            return self.send_in(req, r).await;
        }
        let region = self.region_for(req.bucket).await?;
        let Some(bucket) = req.bucket else {
            return self.send_in(req, region).await;
        };
        let (again, method) = (req.try_clone(), req.method.clone());
        let first = self.send_in(req, region).await;
        self.follow_redirect(bucket, &method, first, again).await
    }

    /// Sends `req` signed for `region`.
    pub(crate) async fn send_in(
        &self,
        req: S3Request<'_>,
        region: Arc<str>,
    ) -> Result<HttpResponse> {
        let (op, bucket, object, method) = (req.op, req.bucket, req.object, req.method.clone());
        let http_req = self.build_http(req, region.clone())?;
        let resp = self
            .inner
            .transport
            .send(http_req)
            .await
            .map_err(Error::transport_at(op, bucket, object))?;
        let embedded = resp.extensions().get::<S3ErrorCode>().is_some();
        if resp.status().is_success() && !embedded {
            return Ok(resp);
        }
        let err = self
            .error_from_response(op, &method, bucket, object, &region, resp)
            .await;
        if let (Some(bucket), Error::S3(e)) = (bucket, &err) {
            if e.code == "NoSuchBucket" {
                self.forget_region(bucket);
            }
        }
        Err(err)
    }

    fn build_http(&self, req: S3Request<'_>, region: Arc<str>) -> Result<HttpRequest> {
        let uri = self
            .inner
            .base
            .uri(&req.method, req.bucket, req.object, &req.query, &region)?;
        let mut http_req = http::Request::new(req.body);
        *http_req.method_mut() = req.method;
        *http_req.uri_mut() = uri;
        *http_req.headers_mut() = req.headers;
        let ext = http_req.extensions_mut();
        if !self.inner.anonymous {
            ext.insert(SigningScope {
                region,
                service: "s3",
            });
        }
        if let Some(p) = req.payload {
            ext.insert(p);
        }
        if let Some(i) = req.idempotent {
            ext.insert(if i {
                Idempotency::Idempotent
            } else {
                Idempotency::NonIdempotent
            });
        }
        if req.buffered_answer {
            ext.insert(BufferedAnswer);
            ext.insert(AnswerCheck(
                req.answer_check
                    .unwrap_or(newtera_xml::is_complete_document),
            ));
        }
        Ok(http_req)
    }

    async fn error_from_response(
        &self,
        op: &'static str,
        method: &Method,
        bucket: Option<&str>,
        object: Option<&str>,
        region: &str,
        resp: HttpResponse,
    ) -> Error {
        let (parts, body) = resp.into_parts();
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let mut err = S3Error {
            code: String::new(),
            message: String::new(),
            resource: None,
            request_id: header("x-amz-request-id"),
            host_id: header("x-amz-id-2"),
            bucket: bucket.map(str::to_owned),
            object: object.map(str::to_owned),
            status: parts.status,
            op,
            attempts: parts.extensions.get::<Attempts>().map_or(1, |a| a.0),
            region: Some(region.to_owned()),
            bucket_region: header("x-amz-bucket-region"),
        };
        let bytes = if method == Method::HEAD {
            bytes::Bytes::new()
        } else {
            match body.collect(ERROR_BODY_LIMIT).await {
                Ok(b) => b,
                Err(source) => return Error::transport_at(op, bucket, object)(source),
            }
        };
        match newtera_xml::parse_error(&bytes) {
            Ok(doc) if !doc.code.is_empty() => {
                err.code = doc.code;
                err.message = doc.message;
                err.resource = doc.resource;
                err.request_id = doc.request_id.or(err.request_id);
                err.host_id = doc.host_id.or(err.host_id);
                err.bucket_region = err.bucket_region.or(doc.region);
            }
            _ => {
                let (code, message) =
                    code_for_status(parts.status, bucket.is_some(), object.is_some());
                err.code = code.to_owned();
                err.message = message;
            }
        }
        Error::S3(Box::new(err))
    }
}

/// An error code for answers without an error document (HEAD, empty bodies).
fn code_for_status(
    status: StatusCode,
    has_bucket: bool,
    has_object: bool,
) -> (&'static str, String) {
    let code = match status.as_u16() {
        301 => "PermanentRedirect",
        307 => "Redirect",
        400 => "BadRequest",
        403 => "AccessDenied",
        404 if has_object => "NoSuchKey",
        404 if has_bucket => "NoSuchBucket",
        404 => "ResourceNotFound",
        405 | 501 => "MethodNotAllowed",
        409 => "Conflict",
        412 => "PreconditionFailed",
        416 => "InvalidRange",
        503 => "ServiceUnavailable",
        _ => "UnexpectedStatus",
    };
    let message = status.canonical_reason().unwrap_or("").to_owned();
    (code, message)
}
