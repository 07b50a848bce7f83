//! The whole stack, TCP included, against a real hyper server on 127.0.0.1.

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use newtera_transport::{Body, ErrorKind, RetryConfig, Transport};
use tokio::net::TcpListener;

/// Serves on 127.0.0.1:0: the first `drop_first` connections are accepted
/// and closed at once; later ones get an HTTP/1.1 server echoing the body
/// length. Returns the address and the count of accepted connections.
async fn server(drop_first: usize) -> (std::net::SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let n = count.fetch_add(1, Ordering::SeqCst);
            if n < drop_first {
                drop(stream);
                continue;
            }
            tokio::spawn(async move {
                let svc = service_fn(|req: Request<Incoming>| async move {
                    let ua = req
                        .headers()
                        .get("user-agent")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned();
                    let len = req
                        .into_body()
                        .collect()
                        .await
                        .map(|b| b.to_bytes().len())
                        .unwrap_or(0);
                    Ok::<_, Infallible>(Response::new(Full::new(Bytes::from(format!(
                        "{len} {ua}"
                    )))))
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    (addr, accepted)
}

fn quick_retry() -> RetryConfig {
    RetryConfig {
        max_attempts: 3,
        initial_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(50),
        budget: None,
    }
}

#[tokio::test]
async fn reset_connection_is_retried_over_tcp() {
    let (addr, accepted) = server(1).await;
    let t = Transport::builder()
        .retry(quick_retry())
        .build()
        .expect("build");
    let req = Request::put(format!("http://{addr}/bucket/key"))
        .body(Body::from("hello"))
        .expect("request");
    let res = t.send(req).await.expect("retried after the reset");
    assert_eq!(res.status(), StatusCode::OK);
    let body = res.into_body().collect(1024).await.expect("body");
    let body = String::from_utf8_lossy(&body).into_owned();
    assert!(body.starts_with("5 newtera-rust/"), "{body}");
    assert_eq!(accepted.load(Ordering::SeqCst), 2);

    // The pooled keep-alive connection is reused for the next request.
    let res = t
        .send(
            Request::get(format!("http://{addr}/bucket/key"))
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("send");
    assert_eq!(res.status(), StatusCode::OK);
    let _ = res.into_body().collect(1024).await;
    assert_eq!(accepted.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn reset_without_retries_is_a_connection_reset() {
    let (addr, _) = server(usize::MAX).await;
    let t = Transport::builder()
        .retry(RetryConfig::disabled())
        .build()
        .expect("build");
    let req = Request::get(format!("http://{addr}/b/k"))
        .body(Body::empty())
        .expect("request");
    let err = t.send(req).await.expect_err("reset");
    assert_eq!(err.kind(), ErrorKind::ConnectionReset, "{err:?}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn refused_connection_is_a_connect_error() {
    // Bind then drop to get a port nobody listens on.
    let addr = {
        let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        l.local_addr().expect("addr")
    };
    let t = Transport::builder()
        .retry(quick_retry())
        .build()
        .expect("build");
    let req = Request::get(format!("http://{addr}/b/k"))
        .body(Body::empty())
        .expect("request");
    let err = t.send(req).await.expect_err("refused");
    assert_eq!(err.kind(), ErrorKind::Connect, "{err:?}");
    assert!(err.is_connect());
}

#[tokio::test]
async fn failing_body_stream_is_a_request_body_error() {
    let (addr, _) = server(0).await;
    let t = Transport::builder()
        .retry(quick_retry())
        .build()
        .expect("build");
    let chunks = futures_util::stream::iter(vec![
        Ok(Bytes::from_static(b"part")),
        Err::<Bytes, newtera_transport::BoxError>("disk on fire".into()),
    ]);
    let req = Request::put(format!("http://{addr}/b/k"))
        .body(Body::from_stream(chunks, None))
        .expect("request");
    let err = t.send(req).await.expect_err("body failed");
    assert_eq!(err.kind(), ErrorKind::RequestBody, "{err:?}");
    assert!(!err.is_retryable());
}

/// Like [`server`], but the first `drop_first` connections are closed only
/// after the whole request was read: the request reached the server (and
/// could have been processed) and its answer is lost.
async fn server_reading(drop_first: usize) -> (std::net::SocketAddr, Arc<AtomicUsize>) {
    use tokio::io::AsyncReadExt as _;
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            let n = count.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                if n < drop_first {
                    // Read the head and the 5-byte body, then hang up.
                    let mut seen = Vec::new();
                    let mut buf = [0u8; 4096];
                    loop {
                        let Ok(k) = stream.read(&mut buf).await else {
                            return;
                        };
                        if k == 0 {
                            return;
                        }
                        seen.extend_from_slice(&buf[..k]);
                        let text = String::from_utf8_lossy(&seen);
                        if let Some(end) = text.find("\r\n\r\n") {
                            if seen.len() >= end + 4 + 5 {
                                break;
                            }
                        }
                    }
                    drop(stream);
                    return;
                }
                let svc = service_fn(|_req: Request<Incoming>| async move {
                    Ok::<_, Infallible>(Response::new(Full::new(Bytes::from_static(b"done"))))
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    (addr, accepted)
}

fn post(addr: std::net::SocketAddr) -> Request<Body> {
    Request::post(format!("http://{addr}/bucket/key?uploads"))
        .body(Body::from("hello"))
        .expect("request")
}

#[tokio::test]
async fn reset_after_a_written_post_is_not_retried() {
    let (addr, accepted) = server_reading(1).await;
    let t = Transport::builder()
        .retry(quick_retry())
        .build()
        .expect("build");
    let err = t.send(post(addr)).await.expect_err("not repeated");
    assert_eq!(err.kind(), ErrorKind::ConnectionReset, "{err:?}");
    assert_eq!(accepted.load(Ordering::SeqCst), 1, "sent once only");
}

#[tokio::test]
async fn reset_of_a_post_marked_safe_is_retried() {
    let (addr, accepted) = server_reading(1).await;
    let t = Transport::builder()
        .retry(quick_retry())
        .build()
        .expect("build");
    let mut req = post(addr);
    req.extensions_mut()
        .insert(newtera_transport::Idempotency::Idempotent);
    let res = t.send(req).await.expect("retried");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(accepted.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn reset_of_a_put_marked_unsafe_is_not_retried() {
    let (addr, accepted) = server_reading(1).await;
    let t = Transport::builder()
        .retry(quick_retry())
        .build()
        .expect("build");
    let mut req = Request::put(format!("http://{addr}/bucket/key"))
        .body(Body::from("hello"))
        .expect("request");
    req.extensions_mut()
        .insert(newtera_transport::Idempotency::NonIdempotent);
    let err = t.send(req).await.expect_err("not repeated");
    assert_eq!(err.kind(), ErrorKind::ConnectionReset, "{err:?}");
    assert_eq!(accepted.load(Ordering::SeqCst), 1);

    // Unmarked, a PUT is idempotent and goes again after a reset.
    let (addr, accepted) = server_reading(1).await;
    let req = Request::put(format!("http://{addr}/bucket/key"))
        .body(Body::from("hello"))
        .expect("request");
    let res = t.send(req).await.expect("retried");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(accepted.load(Ordering::SeqCst), 2);
}
