//! What the conformance suite does not look at: nothing is left behind by
//! unfinished multipart writes, deletes are batched by 1,000, a suffix read
//! is pinned to one object, and bad input is refused before sending; on
//! garage and moto.

#![allow(clippy::unwrap_used)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::{StreamExt as _, TryStreamExt as _};
use newtera::transport::HttpRequest;
use newtera::Newtera;
use newtera_object_store::NewteraStore;
use newtera_testkit::TestServer;
use object_store::path::Path;
use object_store::{
    Error, GetOptions, GetRange, ObjectStore, ObjectStoreExt as _, PutMode, UpdateVersion,
};

/// Counts the requests (every attempt) that match a predicate.
#[derive(Clone)]
struct Count(Arc<AtomicUsize>, fn(&HttpRequest) -> bool);

impl Count {
    fn new(matches: fn(&HttpRequest) -> bool) -> Self {
        Count(Arc::new(AtomicUsize::new(0)), matches)
    }
    fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

impl<S> tower::Layer<S> for Count {
    type Service = Counted<S>;
    fn layer(&self, inner: S) -> Counted<S> {
        Counted(inner, self.clone())
    }
}

#[derive(Clone)]
struct Counted<S>(S, Count);

impl<S: tower::Service<HttpRequest>> tower::Service<HttpRequest> for Counted<S> {
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;
    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), S::Error>> {
        self.0.poll_ready(cx)
    }
    fn call(&mut self, req: HttpRequest) -> S::Future {
        if (self.1 .1)(&req) {
            self.1 .0.fetch_add(1, Ordering::SeqCst);
        }
        self.0.call(req)
    }
}

fn servers() -> Vec<&'static TestServer> {
    match std::env::var("NEWTERA_TEST_ONLY").as_deref() {
        Ok("garage") => vec![newtera_testkit::garage()],
        Ok("moto") => vec![newtera_testkit::moto()],
        _ => vec![newtera_testkit::garage(), newtera_testkit::moto()],
    }
}

/// A store over a fresh bucket of `server`, counting what `count` matches.
async fn store(server: &TestServer, name: &str, count: &Count) -> NewteraStore {
    store_counting(server, name, &[count]).await
}

/// A store over a fresh bucket of `server`, counting with every layer.
async fn store_counting(server: &TestServer, name: &str, counts: &[&Count]) -> NewteraStore {
    let mut b = Newtera::builder(format!("http://{}", server.endpoint))
        .access_key(server.access_key.clone())
        .secret_key(server.secret_key.clone())
        .region(server.region.clone());
    for c in counts {
        b = b.layer((*c).clone());
    }
    let client = b.build().unwrap();
    let bucket = newtera_testkit::unique_bucket(name);
    client.make_bucket(&bucket).await.unwrap();
    NewteraStore::new(client, bucket)
}

async fn uploads(s: &NewteraStore) -> usize {
    s.client()
        .list_incomplete_uploads(s.bucket())
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn unfinished_multipart_writes_leave_nothing() {
    for server in servers() {
        let s = store(server, "os-drop", &Count::new(|_| false)).await;
        let path = Path::from("dropped");
        let mut w = s.put_multipart(&path).await.unwrap();
        w.put_part(vec![1u8; 5 << 20].into()).await.unwrap();
        assert_eq!(uploads(&s).await, 1);
        drop(w);
        // The abort runs in the background: wait for it (bounded).
        let deadline = Instant::now() + Duration::from_secs(20);
        while uploads(&s).await > 0 {
            assert!(Instant::now() < deadline, "{server:?}: the upload was left");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let mut w = s.put_multipart(&path).await.unwrap();
        w.put_part("x".into()).await.unwrap();
        w.abort().await.unwrap();
        assert_eq!(uploads(&s).await, 0);
        // Nothing to complete or abort twice.
        assert!(matches!(w.complete().await, Err(Error::Generic { .. })));
        assert!(matches!(s.head(&path).await, Err(Error::NotFound { .. })));
    }
}

#[tokio::test]
async fn delete_stream_sends_batches_of_1000() {
    for server in servers() {
        let deletes = Count::new(|r| {
            r.method() == http::Method::POST
                && r.uri()
                    .query()
                    .is_some_and(|q| q.split('&').any(|kv| kv == "delete" || kv == "delete="))
        });
        let s = store(server, "os-batch", &deletes).await;
        let paths: Vec<Path> = (0..1001).map(|i| Path::from(format!("k/{i:04}"))).collect();
        futures::stream::iter(paths.iter().take(3))
            .for_each_concurrent(3, |p| {
                let s = &s;
                async move {
                    s.put(p, "x".into()).await.unwrap();
                }
            })
            .await;
        let input = futures::stream::iter(paths.clone()).map(Ok).boxed();
        let out: Vec<Path> = s.delete_stream(input).try_collect().await.unwrap();
        assert_eq!(out, paths, "answers in input order");
        assert_eq!(deletes.get(), 2, "{server:?}: 1,000 + 1 keys");
        assert!(s
            .list(None)
            .try_collect::<Vec<_>>()
            .await
            .unwrap()
            .is_empty());
    }
}

#[tokio::test]
async fn suffix_reads_are_pinned_and_bad_input_sends_nothing() {
    for server in servers() {
        let all = Count::new(|_| true);
        let pinned_gets = Count::new(|r| {
            r.method() == http::Method::GET && r.headers().contains_key(http::header::IF_MATCH)
        });
        let s = store_counting(server, "os-input", &[&all, &pinned_gets]).await;
        let p = Path::from("obj");
        s.put(&p, "0123456789".into()).await.unwrap();
        let r = s
            .get_opts(&p, GetOptions::new().with_range(Some(GetRange::Suffix(3))))
            .await
            .unwrap();
        assert_eq!(r.range, 7..10);
        assert_eq!(r.bytes().await.unwrap(), "789");
        // The size came from a HEAD; the GET is pinned to its ETag.
        assert_eq!(pinned_gets.get(), 1);
        let before = all.get();
        let empty = GetOptions::new().with_range(Some(GetRange::Bounded(4..4)));
        assert!(matches!(
            s.get_opts(&p, empty).await,
            Err(Error::Generic { .. })
        ));
        let no_etag = PutMode::Update(UpdateVersion {
            e_tag: None,
            version: None,
        });
        let e = s
            .put_opts(&p, "y".into(), no_etag.into())
            .await
            .unwrap_err();
        assert!(matches!(e, Error::Generic { .. }), "{e}");
        let bad_etag = GetOptions::new().with_if_match(Some("a\"b"));
        assert!(matches!(
            s.get_opts(&p, bad_etag).await,
            Err(Error::Generic { .. })
        ));
        assert_eq!(all.get(), before, "{server:?}: something was sent");
    }
}
