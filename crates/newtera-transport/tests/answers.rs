//! Damaged buffered answers are retried; silent response bodies time out.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use http_body::Frame;
use newtera_transport::{
    AnswerCheck, Body, BufferedAnswer, DamagedAnswer, ErrorKind, HttpRequest, HttpResponse,
    ResponseBody, RetryConfig, Transport, TransportError,
};
use tower::util::BoxCloneSyncService;

fn retry(max_attempts: u32) -> RetryConfig {
    RetryConfig {
        max_attempts,
        initial_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(50),
        budget: None,
    }
}

/// A client answering 200 with `answers[n]` to its n-th request (the last
/// one again after that), counting requests.
fn answering(answers: Vec<&'static str>, retries: RetryConfig) -> (Transport, Arc<AtomicUsize>) {
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    let client = tower::service_fn(move |_req: HttpRequest| {
        let n = seen.fetch_add(1, Ordering::SeqCst);
        let body = answers[n.min(answers.len() - 1)];
        async move {
            Ok::<_, TransportError>(
                Response::builder()
                    .status(200)
                    .body(ResponseBody::from_bytes(Bytes::from_static(
                        body.as_bytes(),
                    )))
                    .expect("response"),
            )
        }
    });
    let t = Transport::builder()
        .http_client(BoxCloneSyncService::new(client))
        .retry(retries)
        .build()
        .expect("build");
    (t, count)
}

/// A document is whole when it ends with `</R>`.
fn ends_with_root(b: &[u8]) -> bool {
    b.ends_with(b"</R>")
}

fn checked_get() -> HttpRequest {
    let mut req = Request::get("http://s3.test/b?list-type=2")
        .body(Body::empty())
        .expect("request");
    req.extensions_mut().insert(BufferedAnswer);
    req.extensions_mut().insert(AnswerCheck(ends_with_root));
    req
}

async fn body_of(res: HttpResponse) -> Bytes {
    res.into_body().collect(1 << 20).await.expect("body")
}

#[tokio::test(start_paused = true)]
async fn a_damaged_answer_is_retried_until_a_whole_one_comes() {
    let (t, count) = answering(vec!["<R><A>", "<R><A>x</", "<R><A>x</A></R>"], retry(4));
    let res = t.send(checked_get()).await.expect("send");
    assert!(res.extensions().get::<DamagedAnswer>().is_none());
    assert_eq!(body_of(res).await, "<R><A>x</A></R>");
    assert_eq!(count.load(Ordering::SeqCst), 3);
}

#[tokio::test(start_paused = true)]
async fn a_damaged_answer_is_handed_on_when_retries_run_out() {
    let (t, count) = answering(vec!["<R><A>"], retry(3));
    let res = t.send(checked_get()).await.expect("send");
    assert!(res.extensions().get::<DamagedAnswer>().is_some());
    assert_eq!(body_of(res).await, "<R><A>");
    assert_eq!(count.load(Ordering::SeqCst), 3);
}

#[tokio::test(start_paused = true)]
async fn without_a_check_the_answer_is_not_judged() {
    let (t, count) = answering(vec!["<R><A>"], retry(3));
    let mut req = checked_get();
    req.extensions_mut().remove::<AnswerCheck>();
    let res = t.send(req).await.expect("send");
    assert!(res.extensions().get::<DamagedAnswer>().is_none());
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

/// A client whose answers send `b"abc"` and then go silent for `silence`
/// before the rest.
fn silent_after_head(silence: Duration) -> (Transport, Arc<AtomicUsize>) {
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    let client = tower::service_fn(move |_req: HttpRequest| {
        seen.fetch_add(1, Ordering::SeqCst);
        async move {
            let frames = futures_util::stream::unfold(0u8, move |n| async move {
                match n {
                    0 => Some((
                        Ok::<_, std::io::Error>(Frame::data(Bytes::from_static(b"<R>"))),
                        1,
                    )),
                    1 => {
                        tokio::time::sleep(silence).await;
                        Some((Ok(Frame::data(Bytes::from_static(b"</R>"))), 2))
                    }
                    _ => None,
                }
            });
            Ok::<_, TransportError>(
                Response::builder()
                    .status(200)
                    .body(ResponseBody::new(http_body_util::StreamBody::new(frames)))
                    .expect("response"),
            )
        }
    });
    let t = Transport::builder()
        .http_client(BoxCloneSyncService::new(client))
        .retry(retry(3))
        .read_timeout(Some(Duration::from_secs(5)))
        .build()
        .expect("build");
    (t, count)
}

#[tokio::test(start_paused = true)]
async fn a_silent_streamed_body_fails_with_a_timeout() {
    let (t, count) = silent_after_head(Duration::from_secs(60));
    let req = Request::get("http://s3.test/b/k")
        .body(Body::empty())
        .expect("request");
    let res = t.send(req).await.expect("the head arrives");
    let err = res.into_body().collect(1 << 20).await.err();
    assert_eq!(err.map(|e| e.kind()), Some(ErrorKind::Timeout));
    assert_eq!(
        count.load(Ordering::SeqCst),
        1,
        "a streamed body is the caller's"
    );
}

#[tokio::test(start_paused = true)]
async fn a_silent_buffered_answer_is_retried_then_times_out() {
    let (t, count) = silent_after_head(Duration::from_secs(60));
    let err = t.send(checked_get()).await.err();
    assert_eq!(err.map(|e| e.kind()), Some(ErrorKind::Timeout));
    assert_eq!(count.load(Ordering::SeqCst), 3, "each attempt timed out");
}

#[tokio::test(start_paused = true)]
async fn a_short_silence_is_no_timeout() {
    let (t, _) = silent_after_head(Duration::from_secs(4));
    let res = t.send(checked_get()).await.expect("send");
    assert_eq!(body_of(res).await, "<R></R>");
}

#[tokio::test(start_paused = true)]
async fn a_damaged_answer_to_a_post_is_retried_only_when_marked_safe() {
    for (mark, want) in [
        (None, 1),
        (Some(newtera_transport::Idempotency::NonIdempotent), 1),
        (Some(newtera_transport::Idempotency::Idempotent), 2),
    ] {
        let (t, count) = answering(vec!["<R>", "<R></R>"], retry(3));
        let mut req = Request::post("http://s3.test/b?delete")
            .body(Body::from("<Delete/>"))
            .expect("request");
        req.extensions_mut().insert(BufferedAnswer);
        req.extensions_mut().insert(AnswerCheck(ends_with_root));
        if let Some(m) = mark {
            req.extensions_mut().insert(m);
        }
        t.send(req).await.expect("send");
        assert_eq!(count.load(Ordering::SeqCst), want, "{mark:?}");
    }
}
