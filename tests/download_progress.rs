//! Download progress (`get_object` / `fget_object` `.progress(..)`): the
//! total is the size of what the read delivers, the updates add up to it
//! and never go past it, also when a cut read resumes or a damaged one is
//! read again (each byte of the object is counted once).

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use newtera::transport::{HttpRequest, RetryConfig};
use newtera::{Newtera, Progress};
use newtera_testkit::fault::{Fault, FaultProxy, Rule};
use newtera_testkit::TestServer;

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| ((i * 11 + 1) % 247) as u8).collect()
}

/// Records every report, and checks as they come that the running sum
/// never passes the total.
#[derive(Default)]
pub struct Recorder {
    totals: Mutex<Vec<Option<u64>>>,
    updates: Mutex<Vec<u64>>,
}

impl Progress for Recorder {
    fn set_total(&self, total: Option<u64>) {
        self.totals.lock().unwrap().push(total);
    }
    fn update(&self, bytes: u64) {
        let mut u = self.updates.lock().unwrap();
        u.push(bytes);
        let sum: u64 = u.iter().sum();
        let total = self.totals.lock().unwrap().last().copied().flatten();
        assert!(
            total.is_none_or(|t| sum <= t),
            "{sum} past the total {total:?}"
        );
    }
}

impl Recorder {
    /// The one total announced and the sum of the updates, after checking
    /// that no update was empty.
    fn seen(&self) -> (Vec<Option<u64>>, u64) {
        let u = self.updates.lock().unwrap();
        assert!(u.iter().all(|b| *b > 0), "an empty update: {u:?}");
        (self.totals.lock().unwrap().clone(), u.iter().sum())
    }
}

/// A hook cutting the successful GET bodies of keys ending in `/cut-me` at
/// the given offsets, one per body (later bodies pass).
fn cutter(
    offsets: Vec<usize>,
) -> common::Hook<impl Fn(&HttpRequest) -> common::Then + Clone + Send + Sync + 'static> {
    let seen = Arc::new(AtomicUsize::new(0));
    let offsets = Arc::new(offsets);
    common::Hook(move |req: &HttpRequest| -> common::Then {
        if !common::is_get_of(req, "cut-me") {
            return common::pass();
        }
        let (seen, offsets) = (seen.clone(), offsets.clone());
        Box::new(move |fut| {
            Box::pin(async move {
                let resp = fut.await?;
                if !resp.status().is_success() {
                    return Ok(resp);
                }
                match offsets.get(seen.fetch_add(1, Ordering::SeqCst)) {
                    Some(&at) => common::cut_after(resp, at).await,
                    None => Ok(resp),
                }
            })
        })
    })
}

#[tokio::test]
async fn progress_counts_each_byte_once_across_resumed_reads() {
    for server in common::all_servers() {
        let plain = common::client(server);
        let bucket = common::bucket(&plain, "dlprog").await;
        let data = pattern(3 * 1024 * 1024 + 17);
        let size = data.len() as u64;
        plain
            .put_object(&bucket, "cut-me", data.clone())
            .await
            .unwrap();
        // get_object, cut twice: the resumed reads deliver the rest.
        let client = common::builder(server)
            .layer(cutter(vec![1_000_000, 200_000]))
            .build()
            .unwrap();
        let rec = Arc::new(Recorder::default());
        let got = client
            .get_object(&bucket, "cut-me")
            .progress(rec.clone())
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert!(got == data);
        assert_eq!(rec.seen(), (vec![Some(size)], size), "{server:?} get");
        // A range: its length is the total.
        let rec = Arc::new(Recorder::default());
        let got = client
            .get_object(&bucket, "cut-me")
            .offset(1000)
            .length(50_000)
            .progress(rec.clone())
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert_eq!(got.len(), 50_000);
        assert_eq!(rec.seen(), (vec![Some(50_000)], 50_000), "{server:?} range");
        // fget_object, cut once: bytes written, each counted once.
        let client = common::builder(server)
            .layer(cutter(vec![700_000]))
            .build()
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let dst = dir.path().join("out");
        let rec = Arc::new(Recorder::default());
        client
            .fget_object(&bucket, "cut-me", &dst)
            .progress(rec.clone())
            .await
            .unwrap();
        assert!(std::fs::read(&dst).unwrap() == data);
        assert_eq!(rec.seen(), (vec![Some(size)], size), "{server:?} fget");
    }
}

fn through(server: &TestServer, proxy: &FaultProxy) -> Newtera {
    Newtera::builder(proxy.url())
        .access_key(server.access_key.clone())
        .secret_key(server.secret_key.clone())
        .region(server.region.clone())
        .retry(RetryConfig {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(50),
            budget: None,
        })
        .build()
        .unwrap()
}

#[tokio::test]
async fn progress_does_not_count_a_damaged_read_twice() {
    for server in common::all_servers() {
        let plain = common::client(server);
        let bucket = common::bucket(&plain, "dlprog2").await;
        let data = pattern(400_000);
        let size = data.len() as u64;
        plain
            .put_object(&bucket, "flip-me", data.clone())
            .await
            .unwrap();
        let proxy = FaultProxy::start(&server.endpoint).unwrap();
        let client = through(server, &proxy);
        // One flipped byte: the checksum fails, the object is read again
        // from its start; the second read's bytes count only past the
        // point the first one reached (nowhere: it reached the end).
        let flip = || {
            Rule::new(Fault::FlipByte(300_000))
                .method("GET")
                .path_ends_with("/flip-me")
        };
        let rule = proxy.add(flip());
        let rec = Arc::new(Recorder::default());
        let got = client
            .get_object(&bucket, "flip-me")
            .progress(rec.clone())
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert!(got == data);
        assert_eq!(rule.applied(), 1, "{server:?}");
        assert_eq!(rec.seen(), (vec![Some(size)], size), "{server:?} get");
        proxy.clear();
        let rule = proxy.add(flip());
        let dir = tempfile::tempdir().unwrap();
        let dst = dir.path().join("out");
        let rec = Arc::new(Recorder::default());
        client
            .fget_object(&bucket, "flip-me", &dst)
            .progress(rec.clone())
            .await
            .unwrap();
        assert!(std::fs::read(&dst).unwrap() == data);
        assert_eq!(rule.applied(), 1, "{server:?}");
        assert_eq!(rec.seen(), (vec![Some(size)], size), "{server:?} fget");
    }
}
