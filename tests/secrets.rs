//! The secret key, the session token and the SSE-C key never appear in
//! `Debug`, `Display`, errors, tracing output or panic messages.

#![allow(clippy::unwrap_used)]

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use newtera::{Newtera, SseCustomerKey};

const SECRET: &str = "s3cr3t-KEY-that-must-never-print-0123";
const TOKEN: &str = "sess10n-TOKEN-that-must-never-print-4567";
const SSEC: &[u8; 32] = b"SSEC-key-that-must-never-print!!";
const SSEC_B64: &str = "U1NFQy1rZXktdGhhdC1tdXN0LW5ldmVyLXByaW50ISE=";

fn assert_clean(what: &str, text: &str) {
    for needle in [SECRET, TOKEN, "SSEC-key-that", SSEC_B64] {
        assert!(!text.contains(needle), "{what} leaked a secret:\n{text}");
    }
}

/// A `tracing` writer that keeps everything written to it.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);
impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn secrets_never_print_anywhere() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    // Garage rejects these credentials: every error path runs with them.
    let server = newtera_testkit::garage();
    let client = Newtera::builder(format!("http://{}", server.endpoint))
        .access_key(server.access_key.clone())
        .secret_key(SECRET)
        .session_token(TOKEN)
        .build()
        .unwrap();
    let key = SseCustomerKey::new(SSEC).unwrap();
    let mut texts = vec![
        ("client Debug", format!("{client:?} {client:#?}")),
        ("SSE-C Debug", format!("{key:?}")),
    ];
    let e = client.list_buckets().await.unwrap_err();
    texts.push(("list_buckets error", format!("{e} | {e:?} | {e:#?}")));
    let e = client.put_object("bucket-x", "k", "v").await.unwrap_err();
    texts.push(("put error", format!("{e} | {e:?}")));
    // SSE-C over plain HTTP is refused; its error must not show the key.
    let e = client
        .put_object("bucket-x", "k", "v")
        .sse(key.clone())
        .await
        .unwrap_err();
    texts.push(("SSE-C refusal", format!("{e} | {e:?}")));

    // SSE-C over TLS with a wrong-key request reaching the server.
    let tls = newtera_testkit::garage_tls();
    let tls_client = common::client(tls);
    let bucket = common::bucket(&tls_client, "secrets").await;
    tls_client
        .put_object(&bucket, "enc", "data")
        .sse(key.clone())
        .await
        .unwrap();
    let e = tls_client.get_object(&bucket, "enc").await.unwrap_err();
    texts.push(("SSE-C missing-key error", format!("{e} | {e:?}")));
    let other = SseCustomerKey::new(&[3u8; 32]).unwrap();
    let e = tls_client
        .get_object(&bucket, "enc")
        .ssec(other)
        .await
        .unwrap_err();
    texts.push(("SSE-C wrong-key error", format!("{e} | {e:?}")));
    let ok = tls_client
        .stat_object(&bucket, "enc")
        .ssec(key.clone())
        .await
        .unwrap();
    texts.push(("stat with SSE-C", format!("{ok:?}")));

    // The panic message `unwrap` prints for a real error of a request that
    // carried the secrets.
    let failed = client.list_buckets().await.map(|_| ());
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        std::hint::black_box(failed).unwrap();
    }))
    .unwrap_err();
    let msg = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    texts.push(("panic message", msg));

    drop(_guard);
    let log = String::from_utf8_lossy(&capture.0.lock().unwrap()).to_string();
    texts.push(("tracing output", log.clone()));
    for (what, text) in &texts {
        assert_clean(what, text);
    }
    println!(
        "secrets: {} texts checked, tracing captured {} bytes, no secret found",
        texts.len(),
        log.len()
    );
}
