//! Shared by tests/copy.rs and tests/compose.rs: a layer that records what
//! kind of S3 request each attempt is, and test data.

#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use newtera::transport::HttpRequest;

use crate::common;

pub const MIB: usize = 1024 * 1024;

/// `len` bytes of a pattern that differs per `seed`.
pub fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| ((i * 31 + seed as usize) % 251) as u8)
        .collect()
}

/// What one attempt was.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seen {
    /// `HEAD`, `COPY` (CopyObject), `PARTCOPY` (UploadPartCopy), `CREATE`,
    /// `COMPLETE`, `ABORT`, or `<METHOD>` for anything else.
    pub kind: String,
    /// `x-amz-copy-source`.
    pub source: Option<String>,
    /// `x-amz-copy-source-range`.
    pub range: Option<String>,
    /// `x-amz-copy-source-if-match`.
    pub if_match: Option<String>,
}

/// The kind of S3 request `req` is.
pub fn kind(req: &HttpRequest) -> String {
    let q = req.uri().query().unwrap_or("");
    let copy = req.headers().contains_key("x-amz-copy-source");
    let m = req.method().as_str();
    match m {
        "HEAD" => "HEAD",
        "PUT" if copy && q.contains("partNumber=") => "PARTCOPY",
        "PUT" if copy => "COPY",
        "POST" if q.split('&').any(|p| p == "uploads") => "CREATE",
        "POST" if q.contains("uploadId=") => "COMPLETE",
        "DELETE" if q.contains("uploadId=") => "ABORT",
        "GET" if q.split('&').any(|p| p == "uploads" || p == "uploads=") => "LISTUPLOADS",
        _ => m,
    }
    .to_owned()
}

/// The log of a [`recorder`].
pub type Log = Arc<Mutex<Vec<Seen>>>;

/// A layer recording every attempt, and its log.
pub fn recorder() -> (
    common::Hook<impl Fn(&HttpRequest) -> common::Then + Clone + Send + Sync + 'static>,
    Log,
) {
    let log: Log = Arc::default();
    let seen = log.clone();
    let hook = move |req: &HttpRequest| -> common::Then {
        let header = |n: &str| {
            req.headers()
                .get(n)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        seen.lock().expect("log").push(Seen {
            kind: kind(req),
            source: header("x-amz-copy-source"),
            range: header("x-amz-copy-source-range"),
            if_match: header("x-amz-copy-source-if-match"),
        });
        common::pass()
    };
    (common::Hook(hook), log)
}

/// The kinds in `log`, in order.
pub fn kinds(log: &Log) -> Vec<String> {
    log.lock()
        .expect("log")
        .iter()
        .map(|s| s.kind.clone())
        .collect()
}

/// How many entries of `log` are of `kind`.
pub fn count(log: &Log, kind: &str) -> usize {
    log.lock()
        .expect("log")
        .iter()
        .filter(|s| s.kind == kind)
        .count()
}

/// Reads a whole object.
pub async fn read(client: &newtera::Newtera, bucket: &str, key: &str) -> Vec<u8> {
    client
        .get_object(bucket, key)
        .await
        .unwrap_or_else(|e| panic!("get {key}: {e:?}"))
        .bytes()
        .await
        .unwrap_or_else(|e| panic!("read {key}: {e:?}"))
        .to_vec()
}

/// Asserts that no multipart upload is left in `bucket`.
pub async fn no_uploads_left(client: &newtera::Newtera, bucket: &str, what: &str) {
    // An abort spawned on drop may still be on its way.
    for _ in 0..50 {
        let left = client
            .list_incomplete_uploads(bucket)
            .await
            .expect("list uploads");
        if left.is_empty() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{what}: multipart uploads left behind");
}
