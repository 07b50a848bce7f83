//! Presigned URLs: `presigned_get_object`, `presigned_put_object` and
//! `get_presigned_url`, each URL then used by a plain HTTP client
//! (hyper-util, not Newtera) that knows nothing of keys or signatures.
//!
//! ```text
//! cargo run --example presign
//! ```
//! Runs against `NEWTERA_ENDPOINT` when set, else an embedded S3 server;
//! whatever the server refuses is printed as its answer.

mod common;

use std::time::Duration;

use bytes::Bytes;
use http::Method;
use http_body_util::{BodyExt as _, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

/// Sends one request to `url` with a plain HTTP client; returns the status
/// and the body.
async fn plain(
    method: Method,
    url: &str,
    body: Bytes,
) -> Result<(http::StatusCode, Bytes), Box<dyn std::error::Error>> {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let req = http::Request::builder()
        .method(method)
        .uri(url)
        .body(Full::new(body))?;
    let resp = client.request(req).await?;
    let status = resp.status();
    let body = resp.into_body().collect().await?.to_bytes();
    Ok((status, body))
}

/// Prints what the server answered to a request through a presigned URL.
fn print_answer(what: &str, status: http::StatusCode, body: &[u8]) {
    if status.is_success() {
        println!("  {what}: {status}, {} bytes", body.len());
    } else {
        println!(
            "  {what}: the server refused: {status} {}",
            String::from_utf8_lossy(body)
        );
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let setup = common::setup().await?;
    if !setup.embedded() && setup.access_key.is_none() {
        println!("presigning needs credentials: set NEWTERA_ACCESS_KEY and NEWTERA_SECRET_KEY");
        return Ok(());
    }
    let client = &setup.client;
    let bucket = "newtera-example-presign";
    common::ensure_bucket(client, bucket).await?;
    client
        .put_object(bucket, "my-object", "hello through a presigned URL")
        .await?;

    println!("Get presigned URL string to download 'my-object' with default expiry (7 days).");
    let url = client.presigned_get_object(bucket, "my-object").await?;
    println!("  {url}");

    println!("Get presigned URL string to download 'my-object' with two hours expiry.");
    let url = client
        .presigned_get_object(bucket, "my-object")
        .expires(Duration::from_secs(2 * 3600))
        .await?;
    println!("  {url}");
    let (status, body) = plain(Method::GET, &url, Bytes::new()).await?;
    print_answer("GET through the URL", status, &body);
    if status.is_success() {
        println!("  content: {:?}", String::from_utf8_lossy(&body));
    }

    println!("Get presigned URL string to upload 'my-upload' with two hours expiry.");
    let url = client
        .presigned_put_object(bucket, "my-upload")
        .expires(Duration::from_secs(2 * 3600))
        .await?;
    println!("  {url}");
    let (status, body) = plain(Method::PUT, &url, Bytes::from_static(b"uploaded by URL")).await?;
    print_answer("PUT through the URL", status, &body);
    if status.is_success() {
        let stat = client.stat_object(bucket, "my-upload").await?;
        println!("  stat_object: {:?} bytes", stat.size);
    }

    println!(
        "Get presigned URL string to upload 'my-object' with response-content-type \
         application/json and one day expiry."
    );
    let url = client
        .get_presigned_url(Method::PUT, bucket, "my-object")
        .expires(Duration::from_secs(24 * 3600))
        .response_headers([("response-content-type", "application/json")])
        .await?;
    println!("  {url}");

    println!("Get presigned URL string to delete 'my-upload' with one day expiry.");
    let url = client
        .get_presigned_url(Method::DELETE, bucket, "my-upload")
        .expires(Duration::from_secs(24 * 3600))
        .await?;
    println!("  {url}");
    let (status, body) = plain(Method::DELETE, &url, Bytes::new()).await?;
    print_answer("DELETE through the URL", status, &body);

    println!("A URL signed two hours ago for one hour has expired.");
    let url = client
        .presigned_get_object(bucket, "my-object")
        .expires(Duration::from_secs(3600))
        .request_date(std::time::SystemTime::now() - Duration::from_secs(2 * 3600))
        .await?;
    let (status, body) = plain(Method::GET, &url, Bytes::new()).await?;
    print_answer("GET through the expired URL", status, &body);

    println!("An expiry above 7 days is refused before anything is signed.");
    match client
        .presigned_get_object(bucket, "my-object")
        .expires(Duration::from_secs(8 * 24 * 3600))
        .await
    {
        Err(e) => println!("  refused: {e}"),
        Ok(url) => println!("  unexpected: signed {url}"),
    }

    println!("Clean up.");
    common::remove_bucket_and_objects(client, bucket).await?;
    println!("  done");
    Ok(())
}
