//! The built-in client's connection pool over real TCP on 127.0.0.1: a
//! connection is reused once its answer was read to the end, not before;
//! a pooled connection the server closed is noticed and replaced, and a
//! request that found it closed goes out again on a new one.

#![allow(clippy::unwrap_used)] // tests may panic on purpose

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::Request;
use newtera_transport::{Body, HttpResponse, Transport};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A minimal HTTP/1.1 server: each connection answers requests (without
/// bodies) with `body`, keep-alive, until the client closes it or
/// `close_after` requests were answered; then it closes the connection
/// without saying so. Returns the address and the accepted connections.
async fn server(body: &'static [u8], close_after: usize) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(serve(stream, body, close_after));
        }
    });
    (addr, accepted)
}

async fn serve(mut s: TcpStream, body: &'static [u8], close_after: usize) {
    let mut buf = Vec::new();
    let mut answered = 0;
    while answered < close_after {
        let mut chunk = [0u8; 4096];
        let Ok(n) = s.read(&mut chunk).await else {
            return;
        };
        if n == 0 {
            return;
        }
        buf.extend_from_slice(&chunk[..n]);
        while let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            buf.drain(..end + 4);
            let head = format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n", body.len());
            if s.write_all(head.as_bytes()).await.is_err() || s.write_all(body).await.is_err() {
                return;
            }
            answered += 1;
        }
    }
}

fn get(addr: &str) -> Request<Body> {
    Request::get(format!("http://{addr}/b/k"))
        .body(Body::empty())
        .unwrap()
}

async fn read_all(res: HttpResponse) -> Bytes {
    res.into_body().collect(8 << 20).await.unwrap()
}

fn transport() -> Transport {
    Transport::builder().build().unwrap()
}

#[tokio::test]
async fn answers_read_to_the_end_free_the_connection_for_the_next_request() {
    let (addr, accepted) = server(b"hello", usize::MAX).await;
    let t = transport();
    for _ in 0..5 {
        let res = t.send(get(&addr)).await.unwrap();
        assert_eq!(read_all(res).await, "hello");
    }
    assert_eq!(accepted.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_body_dropped_unread_closes_its_connection() {
    let big: &'static [u8] = Box::leak(vec![b'x'; 1 << 20].into_boxed_slice());
    let (addr, accepted) = server(big, usize::MAX).await;
    let t = transport();
    let res = t.send(get(&addr)).await.unwrap();
    drop(res);
    // The next request cannot use a connection with an unread answer.
    let res = t.send(get(&addr)).await.unwrap();
    assert_eq!(read_all(res).await.len(), 1 << 20);
    assert_eq!(accepted.load(Ordering::SeqCst), 2);
    // That one was read to the end: it is reused.
    let res = t.send(get(&addr)).await.unwrap();
    assert_eq!(read_all(res).await.len(), 1 << 20);
    assert_eq!(accepted.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_pooled_connection_the_server_closed_is_replaced() {
    // Each connection answers one request, then closes without a word.
    let (addr, accepted) = server(b"once", 1).await;
    let t = transport();
    for i in 1..=3 {
        let res = t.send(get(&addr)).await.unwrap();
        assert_eq!(read_all(res).await, "once");
        // Time for the close to arrive before the next request.
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(accepted.load(Ordering::SeqCst), i);
    }
}

#[tokio::test]
async fn a_request_that_meets_a_closed_connection_goes_out_on_a_new_one() {
    // No pause: the close may not have arrived when the next request goes.
    let (addr, accepted) = server(b"once", 1).await;
    let t = transport();
    for _ in 0..20 {
        let res = t.send(get(&addr)).await.unwrap();
        assert_eq!(read_all(res).await, "once");
    }
    assert_eq!(accepted.load(Ordering::SeqCst), 20);
}

#[tokio::test]
async fn concurrent_requests_each_get_a_connection_then_share_them() {
    let (addr, accepted) = server(b"hi", usize::MAX).await;
    let t = transport();
    let round = || {
        futures_util::future::join_all((0..8).map(|_| {
            let t = t.clone();
            let addr = addr.clone();
            async move { read_all(t.send(get(&addr)).await.unwrap()).await }
        }))
    };
    for b in round().await {
        assert_eq!(b, "hi");
    }
    let opened = accepted.load(Ordering::SeqCst);
    assert!((1..=8).contains(&opened), "{opened}");
    for b in round().await {
        assert_eq!(b, "hi");
    }
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        opened,
        "no new connections"
    );
}
