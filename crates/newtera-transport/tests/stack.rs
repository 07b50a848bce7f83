//! The whole stack over a tower-test mock client.

use std::error::Error as StdError;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::FutureExt;
use http::{Method, Request, Response, StatusCode};
use newtera_signer::{Credentials, Provider, ProviderFuture};
use newtera_transport::{
    Body, BoxError, BufferedAnswer, ErrorKind, HttpRequest, HttpResponse, Idempotency,
    ResponseBody, RetryBudget, RetryConfig, S3ErrorCode, SigningScope, Transport, TransportBuilder,
    TransportError,
};
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tower::util::BoxCloneSyncService;
use tower::ServiceExt;
use tower_test::mock::{self, Handle, SendResponse};

type MockHandle = Handle<HttpRequest, HttpResponse>;

/// Counts `retrieve` calls.
#[derive(Debug, Default)]
struct CountingProvider(AtomicUsize);

impl Provider for CountingProvider {
    fn retrieve(&self) -> ProviderFuture<'_> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Box::pin(async { Ok(Credentials::new("AKIDEXAMPLE", "SECRETEXAMPLEKEY", None)) })
    }
}

fn to_transport_error(e: Box<dyn StdError + Send + Sync>) -> TransportError {
    match e.downcast::<TransportError>() {
        Ok(t) => *t,
        Err(e) => TransportError::with_source(ErrorKind::Other, e),
    }
}

fn mock_transport(builder: TransportBuilder) -> (Transport, MockHandle) {
    let (mock, handle) = mock::pair::<HttpRequest, HttpResponse>();
    let client = BoxCloneSyncService::new(mock.map_err(to_transport_error));
    let transport = builder.http_client(client).build().expect("build");
    (transport, handle)
}

fn fast_retry() -> RetryConfig {
    RetryConfig {
        max_attempts: 4,
        initial_backoff: Duration::from_millis(50),
        max_backoff: Duration::from_secs(5),
        budget: None,
    }
}

fn get(uri: &str) -> HttpRequest {
    Request::get(uri).body(Body::empty()).expect("request")
}

fn signed(mut req: HttpRequest) -> HttpRequest {
    req.extensions_mut().insert(SigningScope::s3("us-east-1"));
    req
}

fn response(status: u16, body: &'static str) -> HttpResponse {
    Response::builder()
        .status(status)
        .body(ResponseBody::from_bytes(Bytes::from_static(
            body.as_bytes(),
        )))
        .expect("response")
}

fn s3_error(status: u16, code: &str) -> HttpResponse {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>m</Message><RequestId>r</RequestId></Error>"
    );
    Response::builder()
        .status(status)
        .body(ResponseBody::from_bytes(Bytes::from(body)))
        .expect("response")
}

fn reset() -> TransportError {
    TransportError::with_source(
        ErrorKind::ConnectionReset,
        std::io::Error::from(std::io::ErrorKind::ConnectionReset),
    )
}

fn spawn_send(t: &Transport, req: HttpRequest) -> JoinHandle<Result<HttpResponse, TransportError>> {
    let t = t.clone();
    tokio::spawn(async move { t.send(req).await })
}

async fn next(handle: &mut MockHandle) -> (HttpRequest, SendResponse<HttpResponse>) {
    handle
        .next_request()
        .await
        .expect("a request reached the client")
}

async fn body_of(res: HttpResponse) -> Bytes {
    res.into_body().collect(1 << 20).await.expect("body")
}

/// Lets spawned tasks run without letting paused time auto-advance.
async fn settle() {
    for _ in 0..20 {
        tokio::task::yield_now().await;
    }
}

#[tokio::test(start_paused = true)]
async fn slowdown_503_is_retried_after_a_backoff_and_succeeds() {
    fastrand::seed(7);
    let (t, mut handle) = mock_transport(Transport::builder().retry(fast_retry()));
    let call = spawn_send(&t, get("http://s3.test/b/k"));

    let (_, send) = next(&mut handle).await;
    let t0 = Instant::now();
    send.send_response(s3_error(503, "SlowDown"));
    settle().await;
    // Backing off: no second attempt yet, and the call is still pending.
    assert!(handle.next_request().now_or_never().is_none());
    assert!(!call.is_finished());

    let (_, send) = next(&mut handle).await;
    let waited = t0.elapsed();
    assert!(waited > Duration::ZERO, "slept before retrying");
    // Throttling backs off from 4 × 50 ms; first retry: at most 200 ms.
    assert!(waited <= Duration::from_millis(200), "{waited:?}");
    send.send_response(response(200, "ok"));
    let res = call.await.expect("join").expect("send");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(body_of(res).await, "ok");
}

#[tokio::test(start_paused = true)]
async fn connection_reset_is_retried_and_succeeds() {
    let (t, mut handle) = mock_transport(Transport::builder().retry(fast_retry()));
    let call = spawn_send(&t, get("http://s3.test/b/k"));
    next(&mut handle).await.1.send_error(reset());
    next(&mut handle).await.1.send_response(response(200, "ok"));
    let res = call.await.expect("join").expect("send");
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test(start_paused = true)]
async fn every_attempt_is_signed_afresh() {
    let provider = Arc::new(CountingProvider::default());
    let (t, mut handle) = mock_transport(
        Transport::builder()
            .retry(fast_retry())
            .credentials(Some(provider.clone())),
    );
    let call = spawn_send(&t, signed(get("http://s3.test/b/k")));
    for attempt in 1..=3 {
        let (req, send) = next(&mut handle).await;
        assert_eq!(
            provider.0.load(Ordering::SeqCst),
            attempt,
            "credentials fetched per attempt"
        );
        let auth = req.headers().get("authorization").expect("signed");
        assert!(auth
            .to_str()
            .expect("ascii")
            .starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"));
        assert!(req.headers().contains_key("x-amz-date"));
        // Empty body, no PayloadHash extension: the empty hash.
        assert_eq!(
            req.headers().get("x-amz-content-sha256").expect("hash"),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        if attempt < 3 {
            send.send_response(response(500, ""));
        } else {
            send.send_response(response(200, ""));
        }
    }
    assert!(call.await.expect("join").is_ok());
}

#[tokio::test(start_paused = true)]
async fn unscoped_requests_are_sent_anonymously() {
    let provider = Arc::new(CountingProvider::default());
    let (t, mut handle) = mock_transport(Transport::builder().credentials(Some(provider.clone())));
    let call = spawn_send(&t, get("http://s3.test/b/k"));
    let (req, send) = next(&mut handle).await;
    assert!(!req.headers().contains_key("authorization"));
    assert_eq!(provider.0.load(Ordering::SeqCst), 0);
    send.send_response(response(200, ""));
    assert!(call.await.expect("join").is_ok());
}

#[tokio::test(start_paused = true)]
async fn forbidden_is_not_retried_and_carries_its_code() {
    let (t, mut handle) = mock_transport(Transport::builder().retry(fast_retry()));
    let call = spawn_send(&t, get("http://s3.test/b/k"));
    next(&mut handle)
        .await
        .1
        .send_response(s3_error(403, "AccessDenied"));
    let res = call.await.expect("join").expect("send");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        res.extensions().get::<S3ErrorCode>().map(|c| c.as_str()),
        Some("AccessDenied")
    );
    // The buffered body is still readable.
    assert!(body_of(res).await.starts_with(b"<?xml"));
    settle().await;
    assert!(handle.next_request().now_or_never().is_none());
}

#[tokio::test(start_paused = true)]
async fn request_timeout_code_400_is_retried() {
    let (t, mut handle) = mock_transport(Transport::builder().retry(fast_retry()));
    let call = spawn_send(&t, get("http://s3.test/b/k"));
    next(&mut handle)
        .await
        .1
        .send_response(s3_error(400, "RequestTimeout"));
    next(&mut handle).await.1.send_response(response(200, ""));
    assert_eq!(
        call.await.expect("join").expect("send").status(),
        StatusCode::OK
    );
}

#[tokio::test(start_paused = true)]
async fn streaming_body_is_not_retried() {
    let (t, mut handle) = mock_transport(Transport::builder().retry(fast_retry()));
    let chunks = futures_util::stream::iter(vec![Ok::<_, BoxError>(Bytes::from_static(b"data"))]);
    let req = Request::put("http://s3.test/b/k")
        .body(Body::from_stream(chunks, Some(4)))
        .expect("request");
    let call = spawn_send(&t, req);
    next(&mut handle).await.1.send_error(reset());
    let err = call.await.expect("join").expect_err("not retried");
    assert_eq!(err.kind(), ErrorKind::ConnectionReset);
    settle().await;
    assert!(handle.next_request().now_or_never().is_none());
}

#[tokio::test(start_paused = true)]
async fn attempts_stop_at_max_attempts() {
    let cfg = RetryConfig {
        max_attempts: 3,
        ..fast_retry()
    };
    let (t, mut handle) = mock_transport(Transport::builder().retry(cfg));
    let call = spawn_send(&t, get("http://s3.test/b/k"));
    for _ in 0..3 {
        next(&mut handle).await.1.send_response(response(502, ""));
    }
    let res = call
        .await
        .expect("join")
        .expect("last response is returned");
    assert_eq!(res.status(), StatusCode::BAD_GATEWAY);
    settle().await;
    assert!(handle.next_request().now_or_never().is_none());
}

#[tokio::test(start_paused = true)]
async fn exhausted_budget_stops_retries() {
    // One retry in reserve, none earned by deposits.
    let budget = RetryBudget {
        ttl: Duration::from_secs(1),
        min_per_sec: 1,
        retry_percent: 0.0,
    };
    let cfg = RetryConfig {
        max_attempts: 10,
        budget: Some(budget),
        ..fast_retry()
    };
    let (t, mut handle) = mock_transport(Transport::builder().retry(cfg));

    let call = spawn_send(&t, get("http://s3.test/b/k"));
    next(&mut handle).await.1.send_response(response(503, ""));
    next(&mut handle).await.1.send_response(response(503, ""));
    // The budget held a single retry: the second 503 is final.
    assert_eq!(
        call.await.expect("join").expect("send").status(),
        StatusCode::SERVICE_UNAVAILABLE
    );

    // A clone shares the budget: no retry for the next request either.
    let call = spawn_send(&t.clone(), get("http://s3.test/b/k"));
    next(&mut handle).await.1.send_response(response(503, ""));
    assert_eq!(
        call.await.expect("join").expect("send").status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    settle().await;
    assert!(handle.next_request().now_or_never().is_none());
}

#[tokio::test(start_paused = true)]
async fn timeout_is_retried_for_get_but_not_for_post() {
    let builder = || {
        Transport::builder()
            .retry(fast_retry())
            .request_timeout(Some(Duration::from_secs(30)))
    };

    // POST is not idempotent: a timed-out attempt is final.
    let (t, mut handle) = mock_transport(builder());
    let req = Request::post("http://s3.test/b/k?uploads")
        .body(Body::empty())
        .expect("request");
    let call = spawn_send(&t, req);
    let (_req, _hold) = next(&mut handle).await; // never answered
    let err = call.await.expect("join").expect_err("timed out");
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(err.is_timeout());

    // GET is: a second attempt is made.
    let (t, mut handle) = mock_transport(builder());
    let call = spawn_send(&t, get("http://s3.test/b/k"));
    let (_req, _hold) = next(&mut handle).await; // never answered
    next(&mut handle).await.1.send_response(response(200, ""));
    assert_eq!(
        call.await.expect("join").expect("send").status(),
        StatusCode::OK
    );

    // An explicit extension overrides the method's default.
    let (t, mut handle) = mock_transport(builder());
    let mut req = Request::post("http://s3.test/b?delete")
        .body(Body::empty())
        .expect("request");
    req.extensions_mut().insert(Idempotency::Idempotent);
    let call = spawn_send(&t, req);
    let (_req, _hold) = next(&mut handle).await;
    next(&mut handle).await.1.send_response(response(200, ""));
    assert_eq!(
        call.await.expect("join").expect("send").status(),
        StatusCode::OK
    );
}

#[tokio::test(start_paused = true)]
async fn buffered_answer_slowdown_is_retried() {
    let (t, mut handle) = mock_transport(Transport::builder().retry(fast_retry()));
    let mut req = Request::post("http://s3.test/b/k?uploadId=1")
        .body(Body::from("<CompleteMultipartUpload/>"))
        .expect("request");
    req.extensions_mut().insert(BufferedAnswer);
    let call = spawn_send(&t, req);
    let (first, send) = next(&mut handle).await;
    send.send_response(s3_error(200, "SlowDown"));
    let (second, send) = next(&mut handle).await;
    // The replayed body is the same.
    assert_eq!(
        http_body_util::BodyExt::collect(first.into_body())
            .await
            .expect("b1")
            .to_bytes(),
        http_body_util::BodyExt::collect(second.into_body())
            .await
            .expect("b2")
            .to_bytes()
    );
    send.send_response(response(200, "<CompleteMultipartUploadResult/>"));
    let res = call.await.expect("join").expect("send");
    assert!(res.extensions().get::<S3ErrorCode>().is_none());
    assert_eq!(body_of(res).await, "<CompleteMultipartUploadResult/>");
}

#[tokio::test(start_paused = true)]
async fn buffered_answer_with_other_code_is_returned_with_code() {
    let (t, mut handle) = mock_transport(Transport::builder().retry(fast_retry()));
    let mut req = Request::post("http://s3.test/b/k?uploadId=1")
        .body(Body::empty())
        .expect("request");
    req.extensions_mut().insert(BufferedAnswer);
    let call = spawn_send(&t, req);
    next(&mut handle)
        .await
        .1
        .send_response(s3_error(200, "NoSuchUpload"));
    let res = call.await.expect("join").expect("send");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.extensions().get::<S3ErrorCode>(),
        Some(&S3ErrorCode("NoSuchUpload".into()))
    );
}

#[tokio::test(start_paused = true)]
async fn head_error_bodies_are_not_read() {
    let (t, mut handle) = mock_transport(Transport::builder());
    let req = Request::head("http://s3.test/b/k")
        .body(Body::empty())
        .expect("request");
    let call = spawn_send(&t, req);
    next(&mut handle).await.1.send_response(response(404, ""));
    let res = call.await.expect("join").expect("send");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res.extensions().get::<S3ErrorCode>().is_none());
}

#[tokio::test(start_paused = true)]
async fn user_agent_is_set_unless_present() {
    let (t, mut handle) = mock_transport(Transport::builder());
    let call = spawn_send(&t, get("http://s3.test/"));
    let (req, send) = next(&mut handle).await;
    let ua = req
        .headers()
        .get("user-agent")
        .expect("ua")
        .to_str()
        .expect("ascii");
    assert!(ua.starts_with("newtera-rust/"), "{ua}");
    send.send_response(response(200, ""));
    call.await.expect("join").expect("send");

    let (t, mut handle) = mock_transport(Transport::builder().user_agent("mine/1"));
    let mut req = get("http://s3.test/");
    req.headers_mut()
        .insert("user-agent", http::HeaderValue::from_static("theirs/2"));
    let call = spawn_send(&t, req);
    let (req, send) = next(&mut handle).await;
    assert_eq!(req.headers().get("user-agent").expect("ua"), "theirs/2");
    send.send_response(response(200, ""));
    call.await.expect("join").expect("send");

    let err = Transport::builder()
        .user_agent("bad\nagent")
        .build()
        .expect_err("invalid");
    assert_eq!(err.kind(), ErrorKind::Config);
}

#[tokio::test(start_paused = true)]
async fn custom_layer_sees_every_signed_attempt() {
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    let layer = tower::util::MapRequestLayer::new(move |mut req: HttpRequest| {
        counter.fetch_add(1, Ordering::SeqCst);
        assert!(
            req.headers().contains_key("authorization"),
            "user layers run below signing"
        );
        req.headers_mut()
            .insert("x-layer", http::HeaderValue::from_static("1"));
        req
    });
    let provider: Arc<dyn Provider> = Arc::new(CountingProvider::default());
    let (t, mut handle) = mock_transport(
        Transport::builder()
            .retry(fast_retry())
            .credentials(Some(provider))
            .layer(layer),
    );
    let call = spawn_send(&t, signed(get("http://s3.test/b/k")));
    let (req, send) = next(&mut handle).await;
    assert_eq!(req.headers().get("x-layer").expect("layer ran"), "1");
    send.send_error(reset());
    next(&mut handle).await.1.send_response(response(200, ""));
    call.await.expect("join").expect("send");
    assert_eq!(seen.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn http_client_override_is_used() {
    let client = tower::service_fn(|req: HttpRequest| async move {
        let body = format!("{} {}", req.method(), req.uri().path());
        Ok::<_, TransportError>(
            Response::builder()
                .status(200)
                .body(ResponseBody::from_bytes(Bytes::from(body)))
                .expect("response"),
        )
    });
    let t = Transport::builder()
        .http_client(BoxCloneSyncService::new(client))
        .build()
        .expect("build");
    let res = t
        .send(get("http://nowhere.invalid/b/k"))
        .await
        .expect("send");
    assert_eq!(body_of(res).await, "GET /b/k");
    // `service()` is the same stack.
    let res = t
        .service()
        .oneshot(get("http://nowhere.invalid/x"))
        .await
        .expect("send");
    assert_eq!(body_of(res).await, "GET /x");
}

#[tokio::test]
async fn credentials_error_is_reported_and_not_retried() {
    #[derive(Debug)]
    struct Failing(AtomicUsize);
    impl Provider for Failing {
        fn retrieve(&self) -> ProviderFuture<'_> {
            self.0.fetch_add(1, Ordering::SeqCst);
            Box::pin(async {
                Err(newtera_signer::CredentialsError::NotFound {
                    provider: "test",
                    reason: "nothing configured".into(),
                })
            })
        }
    }
    let provider = Arc::new(Failing(AtomicUsize::new(0)));
    let (t, _handle) = mock_transport(Transport::builder().credentials(Some(provider.clone())));
    let err = t
        .send(signed(get("http://s3.test/b/k")))
        .await
        .expect_err("fails");
    assert_eq!(err.kind(), ErrorKind::Credentials);
    assert_eq!(provider.0.load(Ordering::SeqCst), 1);
}

#[test]
fn debug_shows_no_secrets() {
    let provider: Arc<dyn Provider> = Arc::new(newtera_signer::StaticProvider::new(
        "AKIDEXAMPLE",
        "SUPERSECRETKEY",
        Some("TOKEN123".into()),
    ));
    let t = Transport::builder()
        .credentials(Some(provider))
        .build()
        .expect("build");
    let s = format!("{t:?}");
    assert!(
        !s.contains("SUPERSECRETKEY") && !s.contains("TOKEN123"),
        "{s}"
    );
    assert!(s.contains("has_credentials: true"), "{s}");
}

#[test]
fn bad_settings_fail_at_build() {
    let err = Transport::builder()
        .add_root_certificate_pem(b"-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n")
        .build()
        .expect_err("bad pem");
    assert_eq!(err.kind(), ErrorKind::Config);
    let budget = RetryBudget {
        ttl: Duration::ZERO,
        ..RetryBudget::default()
    };
    let err = Transport::builder()
        .retry(RetryConfig {
            budget: Some(budget),
            ..RetryConfig::default()
        })
        .build()
        .expect_err("bad budget");
    assert_eq!(err.kind(), ErrorKind::Config);
}

#[test]
fn transport_is_send_sync_clone() {
    fn check<T: Send + Sync + Clone + 'static>() {}
    check::<Transport>();
    let _ = Method::GET;
}
