//! The per-attempt timeout follows upload progress.

use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::BodyExt;
use newtera_transport::{
    Body, BoxError, ErrorKind, HttpRequest, ResponseBody, RetryConfig, Transport, TransportError,
};
use tower::util::BoxCloneSyncService;

/// A client that reads the whole request body, then answers after `delay`.
fn slow_server(delay: Duration) -> Transport {
    let client = tower::service_fn(move |req: HttpRequest| async move {
        let body = req
            .into_body()
            .collect()
            .await
            .map_err(|e| TransportError::with_source(ErrorKind::RequestBody, e))?;
        tokio::time::sleep(delay).await;
        Ok::<_, TransportError>(
            Response::builder()
                .status(200)
                .body(ResponseBody::from_bytes(Bytes::from(
                    body.to_bytes().len().to_string(),
                )))
                .expect("response"),
        )
    });
    Transport::builder()
        .http_client(BoxCloneSyncService::new(client))
        .request_timeout(Some(Duration::from_secs(30)))
        .retry(RetryConfig::disabled())
        .build()
        .expect("build")
}

/// A body yielding `n` chunks, one every `every`.
fn slow_body(n: usize, every: Duration) -> Body {
    let s = futures_util::stream::unfold(0, move |i| async move {
        if i == n {
            return None;
        }
        tokio::time::sleep(every).await;
        Some((Ok::<_, BoxError>(Bytes::from_static(b"0123456789")), i + 1))
    });
    Body::from_stream(s, Some(10 * n as u64))
}

#[tokio::test(start_paused = true)]
async fn a_slow_upload_that_progresses_does_not_time_out() {
    let t = slow_server(Duration::from_secs(20));
    // 100 s of upload in 20 s steps, then 20 s to answer: never 30 s idle.
    let req = Request::put("http://s3.test/b/k")
        .body(slow_body(5, Duration::from_secs(20)))
        .expect("request");
    let res = t.send(req).await.expect("no timeout");
    assert_eq!(res.into_body().collect(64).await.expect("body"), "50");
}

#[tokio::test(start_paused = true)]
async fn a_stalled_answer_times_out() {
    let t = slow_server(Duration::from_secs(31));
    let req = Request::put("http://s3.test/b/k")
        .body(slow_body(2, Duration::from_secs(20)))
        .expect("request");
    let start = tokio::time::Instant::now();
    let err = t.send(req).await.expect_err("timeout");
    assert_eq!(err.kind(), ErrorKind::Timeout);
    // 40 s of upload, then 30 s of silence.
    assert_eq!(start.elapsed().as_secs(), 70);
}
