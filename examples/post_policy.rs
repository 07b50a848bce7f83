//! `presigned_post_policy`: the form fields of a browser-style upload, then
//! the upload itself as a `multipart/form-data` POST from a plain HTTP
//! client (hyper-util, not Newtera), and one that breaks the policy.
//!
//! ```text
//! cargo run --example post_policy
//! ```
//! Runs against `NEWTERA_ENDPOINT` when set, else an embedded S3 server;
//! whatever the server refuses is printed as its answer.

mod common;

use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use newtera::{PostPolicy, PostPolicyForm};

const BOUNDARY: &str = "newtera-example-boundary";

/// POSTs the signed form, the extra `fields` and `file` as
/// `multipart/form-data`; returns the status and the body of the answer.
async fn upload(
    form: &PostPolicyForm,
    fields: &[(&str, &str)],
    file: &[u8],
) -> Result<(http::StatusCode, Bytes), Box<dyn std::error::Error>> {
    let mut body = Vec::new();
    let signed = form.form_data.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    for (name, value) in signed.chain(fields.iter().copied()) {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    // The file comes last: fields after it are not read.
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"data.bin\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());

    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let req = http::Request::post(&form.url)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Full::new(Bytes::from(body)))?;
    let resp = client.request(req).await?;
    let status = resp.status();
    Ok((status, resp.into_body().collect().await?.to_bytes()))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let setup = common::setup().await?;
    if !setup.embedded() && setup.access_key.is_none() {
        println!("a POST policy needs credentials: set NEWTERA_ACCESS_KEY and NEWTERA_SECRET_KEY");
        return Ok(());
    }
    let client = &setup.client;
    let bucket = "newtera-example-post-policy";
    common::ensure_bucket(client, bucket).await?;

    println!("Get form-data to upload under 'my/object/prefix/', 1 MiB to 10 MiB, for 10 days.");
    let policy = PostPolicy::new(bucket, SystemTime::now() + Duration::from_secs(10 * 86_400))
        .add_starts_with_condition("key", "my/object/prefix/")
        .add_content_length_range_condition(1 << 20, 10 << 20);
    let form = client.presigned_post_policy(policy).await?;
    println!("  POST {}", form.url);
    for (name, value) in &form.form_data {
        println!("  {name} = {value}");
    }

    println!("Upload 1 MiB as 'my/object/prefix/data.bin' with that form.");
    let data = vec![b'n'; 1 << 20];
    let (status, body) = upload(&form, &[("key", "my/object/prefix/data.bin")], &data).await?;
    if status.is_success() {
        println!("  {status}");
        let stat = client
            .stat_object(bucket, "my/object/prefix/data.bin")
            .await?;
        println!("  stat_object: {:?} bytes", stat.size);
    } else {
        println!(
            "  the server refused: {status} {}",
            String::from_utf8_lossy(&body)
        );
    }

    println!("Upload outside the prefix with the same form.");
    let (status, body) = upload(&form, &[("key", "elsewhere/data.bin")], &data).await?;
    if status.is_success() {
        println!("  unexpected: the server accepted it ({status}) without checking the policy");
    } else {
        println!(
            "  refused, as the policy says: {status} {}",
            String::from_utf8_lossy(&body)
        );
    }

    println!("A policy without a key condition is refused before signing.");
    let keyless = PostPolicy::new(bucket, SystemTime::now() + Duration::from_secs(600));
    match client.presigned_post_policy(keyless).await {
        Err(e) => println!("  refused: {e}"),
        Ok(_) => println!("  unexpected: it was signed"),
    }

    println!("Clean up.");
    common::remove_bucket_and_objects(client, bucket).await?;
    println!("  done");
    Ok(())
}
