//! Regions and addressing on real servers: anonymous clients (never a
//! `?location` request, never a signature), region discovery on a server
//! outside `us-east-1`, region redirects followed once, `virtual_style` for
//! a server that addresses buckets by DNS name, and legacy bucket names.

#![allow(clippy::unwrap_used)]

mod common;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{HeaderValue, StatusCode};
use newtera::transport::{HttpRequest, HttpResponse, ResponseBody, TransportError};
use newtera::{Error, Newtera, ObjectContent};

/// One request as it left the client (after signing).
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    host: String,
    path_and_query: String,
    /// The credential scope's region, when the request was signed.
    signed_for: Option<String>,
}

/// The requests a [`recorder`] saw.
type Log = Arc<Mutex<Vec<Seen>>>;

/// A hook that records every request.
fn recorder() -> (
    common::Hook<impl Fn(&HttpRequest) -> common::Then + Clone + Send + Sync + 'static>,
    Log,
) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let sink = log.clone();
    let hook = move |req: &HttpRequest| -> common::Then {
        let host = req
            .headers()
            .get(http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(str::to_owned)
            .or_else(|| req.uri().authority().map(|a| a.to_string()))
            .unwrap_or_default();
        let signed_for = req
            .headers()
            .get(http::header::AUTHORIZATION)
            .and_then(|a| a.to_str().ok())
            .and_then(|a| a.split("Credential=").nth(1))
            .and_then(|c| c.split('/').nth(2))
            .map(str::to_owned);
        sink.lock().unwrap().push(Seen {
            method: req.method().to_string(),
            host,
            path_and_query: req
                .uri()
                .path_and_query()
                .map(|p| p.to_string())
                .unwrap_or_default(),
            signed_for,
        });
        common::pass()
    };
    (common::Hook(hook), log)
}

fn seen(log: &Log) -> Vec<Seen> {
    log.lock().unwrap().clone()
}

fn location_requests(log: &[Seen]) -> usize {
    log.iter()
        .filter(|s| s.path_and_query.contains("?location"))
        .count()
}

/// Stands in for DNS in a test: sends every request to `addr`, keeping the
/// host name the client chose in the `Host` header, as a resolver mapping
/// every name to `addr` would.
#[derive(Clone)]
struct Dns(SocketAddr);

impl<S> tower::Layer<S> for Dns {
    type Service = DnsService<S>;
    fn layer(&self, inner: S) -> DnsService<S> {
        DnsService(inner, self.0)
    }
}

#[derive(Clone)]
struct DnsService<S>(S, SocketAddr);

impl<S> tower::Service<HttpRequest> for DnsService<S>
where
    S: tower::Service<HttpRequest, Response = HttpResponse, Error = TransportError>,
{
    type Response = HttpResponse;
    type Error = TransportError;
    type Future = S::Future;
    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), TransportError>> {
        self.0.poll_ready(cx)
    }
    fn call(&mut self, mut req: HttpRequest) -> S::Future {
        if let Some(authority) = req.uri().authority().cloned() {
            if let Ok(host) = HeaderValue::from_str(authority.as_str()) {
                req.headers_mut().insert(http::header::HOST, host);
            }
            let mut parts = req.uri().clone().into_parts();
            parts.authority = self.1.to_string().parse().ok();
            if let Ok(uri) = http::Uri::from_parts(parts) {
                *req.uri_mut() = uri;
            }
        }
        self.0.call(req)
    }
}

/// Item 1 on garage: its web endpoint serves a bucket whose website access
/// is allowed to anyone. An anonymous client (virtual-host style, as that
/// endpoint reads the bucket from the host name) reads the object: no
/// request asks for `?location` and none is signed.
#[tokio::test]
async fn anonymous_client_reads_a_public_object_on_garage() {
    let server = newtera_testkit::garage();
    let web = newtera_testkit::garage_web();
    let owner = common::client(server);
    let bucket = common::bucket(&owner, "anon-web").await;
    let data = Bytes::from(vec![42u8; 100_000]);
    owner
        .put_object(&bucket, "public.bin", data.clone())
        .await
        .unwrap();
    web.allow_website(&bucket).unwrap();

    let port = web.endpoint.rsplit(':').next().unwrap();
    let (rec, log) = recorder();
    let anonymous = Newtera::builder(format!("http://{}:{port}", web.root_domain))
        .virtual_style(true)
        .layer(rec)
        .layer(Dns(web.endpoint.parse().unwrap()))
        .build()
        .unwrap();
    let got = anonymous
        .get_object(&bucket, "public.bin")
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(got == data, "the public object's bytes");
    let stat = anonymous.stat_object(&bucket, "public.bin").await.unwrap();
    assert_eq!(stat.size, Some(data.len() as u64));

    let log = seen(&log);
    assert_eq!(log.len(), 2, "{log:?}");
    assert_eq!(location_requests(&log), 0, "{log:?}");
    for s in &log {
        assert!(s.signed_for.is_none(), "unsigned: {s:?}");
        assert_eq!(s.host, format!("{bucket}.{}:{port}", web.root_domain));
        assert_eq!(s.path_and_query, "/public.bin");
    }

    // The S3 API itself refuses anonymous requests (garage checks
    // signatures), still without asking for the location first.
    let (rec, log) = recorder();
    let on_api = Newtera::builder(server.url()).layer(rec).build().unwrap();
    let e = on_api.get_object(&bucket, "public.bin").await.unwrap_err();
    assert!(e.is_access_denied(), "{e:?}");
    assert_eq!(location_requests(&seen(&log)), 0);
}

/// Item 1 on moto, which enforces object ACLs for anonymous requests: an
/// object written with the `public-read` canned ACL is read by an anonymous
/// client, a private one is refused, and neither asks for `?location` or
/// carries a signature; a configured region is used as given.
#[tokio::test]
async fn anonymous_client_reads_a_public_object_on_moto() {
    let server = newtera_testkit::moto();
    let owner = common::client(server);
    let bucket = common::bucket(&owner, "anon-moto").await;
    owner
        .put_object(&bucket, "public", "for everyone")
        .metadata([("x-amz-acl", "public-read")])
        .await
        .unwrap();
    owner.put_object(&bucket, "private", "mine").await.unwrap();
    for region in [None, Some("eu-west-1")] {
        let (rec, log) = recorder();
        let mut b = Newtera::builder(server.url()).layer(rec);
        if let Some(r) = region {
            b = b.region(r);
        }
        let anonymous = b.build().unwrap();
        let got = anonymous
            .get_object(&bucket, "public")
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert_eq!(&got[..], b"for everyone");
        anonymous.stat_object(&bucket, "public").await.unwrap();
        let e = anonymous.get_object(&bucket, "private").await.unwrap_err();
        assert!(e.is_access_denied(), "{e:?}");
        assert_eq!(
            e.as_s3().unwrap().region.as_deref(),
            Some(region.unwrap_or("us-east-1"))
        );
        let log = seen(&log);
        assert_eq!(log.len(), 3, "{log:?}");
        assert_eq!(location_requests(&log), 0, "{log:?}");
        assert!(log.iter().all(|s| s.signed_for.is_none()), "{log:?}");
    }
}

/// Item 5 on a real server outside `us-east-1`: garage in region `garage`
/// refuses a request signed for `us-east-1` with
/// `AuthorizationHeaderMalformed` naming its region. A client without a
/// configured region follows that once, caches the region, and works; a
/// client configured with the wrong region does not guess, and its error
/// names the right one.
#[tokio::test]
async fn a_server_in_another_region_is_found_and_named() {
    let server = newtera_testkit::garage_other_region();
    let bucket = server.default_bucket.clone().unwrap();
    let (rec, log) = recorder();
    let client = common::builder(server).layer(rec).build().unwrap();
    client.put_object(&bucket, "k1", "one").await.unwrap();
    client.put_object(&bucket, "k2", "two").await.unwrap();
    let log = seen(&log);
    let scopes: Vec<(&str, Option<&str>)> = log
        .iter()
        .map(|s| (s.method.as_str(), s.signed_for.as_deref()))
        .collect();
    assert_eq!(
        scopes,
        [
            ("GET", Some("us-east-1")),
            ("GET", Some("garage")),
            ("PUT", Some("garage")),
            ("PUT", Some("garage")),
        ],
        "location asked in us-east-1, then again in the region the server named; \
         then cached: {log:?}"
    );
    assert_eq!(location_requests(&log), 2);

    let sent = common::Count::default();
    let wrong = common::builder(server)
        .region("us-east-1")
        .layer(sent.clone())
        .build()
        .unwrap();
    let e = wrong.get_object(&bucket, "k1").await.unwrap_err();
    let s3 = e.as_s3().unwrap();
    assert_eq!(s3.code, "AuthorizationHeaderMalformed", "{e}");
    assert_eq!(s3.bucket_region.as_deref(), Some("garage"), "{e}");
    assert!(
        e.to_string()
            .contains("region us-east-1 (the bucket is in region garage)"),
        "{e}"
    );
    assert_eq!(sent.get(), 1, "a configured region is not second-guessed");
    println!("{e}");
}

/// A response forged by a test hook: the first request matching `when`
/// gets `status` with an `x-amz-bucket-region` header (and, when `code` is
/// given, an S3 error document naming the region), without reaching the
/// server; later requests pass.
fn redirect_once(
    when: impl Fn(&HttpRequest) -> bool + Clone + Send + Sync + 'static,
    status: u16,
    code: Option<&'static str>,
    region: &'static str,
) -> common::Hook<impl Fn(&HttpRequest) -> common::Then + Clone + Send + Sync + 'static> {
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    common::Hook(move |req: &HttpRequest| -> common::Then {
        if !when(req) || done.swap(true, std::sync::atomic::Ordering::SeqCst) {
            return common::pass();
        }
        Box::new(move |_fut| {
            Box::pin(async move {
                let body = code.map_or(Bytes::new(), |c| {
                    Bytes::from(format!(
                        "<Error><Code>{c}</Code><Message>moved</Message>\
                         <Region>{region}</Region></Error>"
                    ))
                });
                let mut resp = http::Response::new(ResponseBody::from_bytes(body));
                *resp.status_mut() = StatusCode::from_u16(status).unwrap();
                resp.headers_mut()
                    .insert("x-amz-bucket-region", HeaderValue::from_static(region));
                Ok(resp)
            })
        })
    })
}

/// A hook that answers the first `?location` request itself, saying the
/// bucket is in `region`: a stale location, as after a bucket moved.
fn stale_location(
    region: &'static str,
) -> common::Hook<impl Fn(&HttpRequest) -> common::Then + Clone + Send + Sync + 'static> {
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    common::Hook(move |req: &HttpRequest| -> common::Then {
        let location = req.uri().query() == Some("location");
        if !location || done.swap(true, std::sync::atomic::Ordering::SeqCst) {
            return common::pass();
        }
        Box::new(move |_fut| {
            Box::pin(async move {
                let body = format!(
                    "<LocationConstraint xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
                     {region}</LocationConstraint>"
                );
                Ok(http::Response::new(ResponseBody::from_bytes(Bytes::from(
                    body,
                ))))
            })
        })
    })
}

/// Item 5 in front of a real server: the client believes the bucket is in
/// `eu-north-1` (a stale location), but it is in garage's region `garage`.
/// The server's own 400 `AuthorizationHeaderMalformed` to a GET, or a
/// forged 301 `PermanentRedirect` (error document and header) or a HEAD's
/// 301 with only the header, names `garage`; garage's bare 400 to a HEAD
/// names nothing, so the location is asked again. Either way the request is
/// repeated once, signed for `garage` (garage checks), and succeeds; the
/// region is cached, so the next request goes straight there.
#[tokio::test]
async fn region_redirects_are_followed_once() {
    let server = newtera_testkit::garage_other_region();
    let bucket = server.default_bucket.clone().unwrap();
    common::builder(server)
        .region("garage")
        .build()
        .unwrap()
        .put_object(&bucket, "there", "data")
        .await
        .unwrap();
    let cases: [(&str, Option<u16>, Option<&'static str>); 4] = [
        ("GET", None, None),
        ("HEAD", None, None),
        ("GET", Some(301), Some("PermanentRedirect")),
        ("HEAD", Some(301), None),
    ];
    for (method, forged_status, code) in cases {
        let (rec, log) = recorder();
        // Layers added first are outermost: the recorder sees every request.
        let mut b = common::builder(server)
            .layer(rec)
            .layer(stale_location("eu-north-1"));
        if let Some(status) = forged_status {
            b = b.layer(redirect_once(
                move |r: &HttpRequest| {
                    r.method().as_str() == method && r.uri().path().ends_with("/there")
                },
                status,
                code,
                "garage",
            ));
        }
        let client = b.build().unwrap();
        let read = || async {
            if method == "HEAD" {
                client.stat_object(&bucket, "there").await.map(drop)
            } else {
                let body = client.get_object(&bucket, "there").await?.bytes().await?;
                assert_eq!(&body[..], b"data");
                Ok(())
            }
        };
        read()
            .await
            .unwrap_or_else(|e| panic!("{method} {forged_status:?}: {e}"));
        read().await.unwrap();
        let log = seen(&log);
        let scopes: Vec<_> = log
            .iter()
            .map(|s| (s.method.as_str(), s.signed_for.as_deref()))
            .collect();
        let mut want = vec![
            ("GET", Some("us-east-1")),   // ?location, answered stale
            (method, Some("eu-north-1")), // refused or redirected
        ];
        if method == "HEAD" && forged_status.is_none() {
            // garage's bare 400 to a HEAD names no region: the location is
            // asked again (refused in us-east-1, answered in `garage`).
            want.extend([("GET", Some("us-east-1")), ("GET", Some("garage"))]);
        }
        want.extend([
            (method, Some("garage")), // repeated in the right region
            (method, Some("garage")), // the next read: cached
        ]);
        assert_eq!(scopes, want, "{method} {forged_status:?}: {log:?}");
    }

    // moto keeps each bucket's region but checks no signature: a redirect
    // forged for a bucket the client found in us-east-1 moves it to
    // eu-west-2, and an upload is repeated there with its body.
    let server = newtera_testkit::moto();
    let owner = common::client(server);
    let bucket = common::bucket(&owner, "redirect").await;
    let (rec, log) = recorder();
    let client = common::builder(server)
        .layer(rec)
        .layer(redirect_once(
            |r: &HttpRequest| r.method() == http::Method::PUT && r.uri().path().ends_with("/up"),
            301,
            Some("PermanentRedirect"),
            "eu-west-2",
        ))
        .build()
        .unwrap();
    let content = ObjectContent::from_stream(
        futures::stream::iter([Ok::<_, std::io::Error>(Bytes::from_static(b"streamed"))]),
        Some(8),
    );
    client.put_object(&bucket, "up", content).await.unwrap();
    client.stat_object(&bucket, "up").await.unwrap();
    let got = owner
        .get_object(&bucket, "up")
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(&got[..], b"streamed");
    let scopes: Vec<_> = seen(&log)
        .iter()
        .map(|s| (s.method.clone(), s.signed_for.clone()))
        .collect();
    let want: Vec<(String, Option<String>)> = [
        ("GET", "us-east-1"),  // GetBucketLocation
        ("PUT", "us-east-1"),  // answered with the forged 301
        ("PUT", "eu-west-2"),  // repeated, with its body
        ("HEAD", "eu-west-2"), // cached
    ]
    .iter()
    .map(|(m, r)| ((*m).to_owned(), Some((*r).to_owned())))
    .collect();
    assert_eq!(scopes, want);
}

/// Item 7: names of existing buckets that today's Amazon S3 rules forbid
/// (upper case, `_`) reach other servers, as with the reference SDK; they
/// are refused for new buckets, and names invalid everywhere are refused
/// before anything is sent.
#[tokio::test]
async fn legacy_bucket_names_reach_other_servers() {
    for server in common::all_servers() {
        let sent = common::Count::default();
        let client = common::builder(server)
            .region(server.region.clone())
            .layer(sent.clone())
            .build()
            .unwrap();
        for legacy in ["Legacy_Bucket", "UPPER-case", "with:colon"] {
            let before = sent.get();
            match client.bucket_exists(legacy).await {
                Ok(exists) => assert!(!exists, "{legacy}"),
                // The server may refuse the name itself: its answer, not ours.
                Err(Error::S3(e)) => println!("{:?}: {legacy}: {}", server.kind, e.code),
                Err(e) => panic!("{legacy}: {e:?}"),
            }
            assert!(sent.get() > before, "{legacy} was sent");
            let before = sent.get();
            let e = client.make_bucket(legacy).await.unwrap_err();
            assert!(matches!(e, Error::InvalidBucketName { .. }), "{e:?}");
            assert_eq!(sent.get(), before, "nothing sent for a new legacy name");
        }
        let before = sent.get();
        for bad in ["_under", "a..b", "ab", "10.0.0.1"] {
            let e = client.bucket_exists(bad).await.unwrap_err();
            assert!(matches!(e, Error::InvalidBucketName { .. }), "{bad}: {e:?}");
        }
        assert_eq!(sent.get(), before);
    }
}

/// Items 6 and 7 on Amazon S3 endpoints, without reaching Amazon: every
/// request is sent to a closed port on 127.0.0.1 instead. Amazon S3's
/// reserved bucket names and a dotted bucket on a Transfer Acceleration
/// endpoint are refused before anything is sent; a legacy name passes the
/// checks (and then fails to connect).
#[tokio::test]
async fn amazon_s3_endpoints_refuse_reserved_names_before_sending() {
    let closed: SocketAddr = "127.0.0.1:1".parse().unwrap();
    let sent = common::Count::default();
    let aws = |endpoint: &str| {
        Newtera::builder(endpoint)
            .access_key("AKIDEXAMPLE")
            .secret_key("secret")
            .region("us-east-1")
            .retry(newtera::transport::RetryConfig::disabled())
            .layer(sent.clone())
            .layer(Dns(closed))
            .build()
            .unwrap()
    };
    let s3 = aws("https://s3.amazonaws.com");
    let accelerate = aws("https://s3-accelerate.amazonaws.com");
    let refused = [
        s3.make_bucket("xn--punycode").await.unwrap_err(),
        s3.make_bucket("sthree-reserved").await.unwrap_err(),
        s3.make_bucket("Legacy_Name").await.unwrap_err(),
        s3.bucket_exists("bucket-s3alias").await.unwrap_err(),
        s3.get_object("bucket--ol-s3", "k").await.unwrap_err(),
        accelerate
            .get_object("my.dotted.bucket", "k")
            .await
            .unwrap_err(),
    ];
    for e in &refused {
        assert!(matches!(e, Error::InvalidBucketName { .. }), "{e:?}");
    }
    assert_eq!(sent.get(), 0, "nothing may be sent");
    let e = s3.bucket_exists("Legacy_Name").await.unwrap_err();
    assert!(matches!(e, Error::Transport { .. }), "{e:?}");
    assert_eq!(sent.get(), 1, "a legacy name is sent");
    assert!(
        Newtera::builder("https://s3.amazonaws.com.cn")
            .build()
            .is_err(),
        "a China endpoint needs a region"
    );
}
