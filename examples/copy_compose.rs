//! Every `copy_object` and `compose_object` example of the API reference:
//! a copy to another bucket, a conditional copy, a copy replacing the
//! metadata; a compose of three sources, with metadata, and with SSE-S3.
//! Plus a ranged copy and a copy split into parts, both made of
//! UploadPartCopy requests.
//!
//! ```text
//! cargo run --example copy_compose
//! ```
//! Runs against `NEWTERA_ENDPOINT` when set, else an embedded S3 server;
//! what a server refuses is printed as `skipped: ...` with its answer.

mod common;

use std::time::{Duration, UNIX_EPOCH};

use newtera::{ComposeSource, CopySource, Directive, Error, ObjectWriteResult, SseS3};

const MIB: usize = 1024 * 1024;

fn print_result(result: &Result<ObjectWriteResult, Error>, feature: &str) {
    match result {
        Ok(r) => println!(
            "  {} {}",
            r.object_name,
            r.version_id.as_deref().unwrap_or("(no version id)")
        ),
        Err(e @ Error::InvalidArgument { .. }) => {
            println!("  skipped: {feature} refused by the client before sending: {e}")
        }
        Err(e) => common::skipped(feature, e),
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let setup = common::setup().await?;
    let client = &setup.client;
    let bucket = "newtera-example-copy";
    let source_bucket = "newtera-example-copy-source";
    common::ensure_bucket(client, bucket).await?;
    common::ensure_bucket(client, source_bucket).await?;
    client
        .put_object(source_bucket, "my-sourceobject", "data to copy")
        .metadata([("Source-Key", "source-value")])
        .await?;
    // Every source of a compose but the last holds at least 5 MiB.
    let part = |seed: u8| -> Vec<u8> { (0..5 * MIB).map(|i| (i % 251) as u8 ^ seed).collect() };
    client
        .put_object(bucket, "my-object-part-one", part(1))
        .await?;
    client
        .put_object(bucket, "my-object-part-two", part(2))
        .await?;
    client
        .put_object(bucket, "my-object-part-three", "the short end")
        .await?;
    println!("uploaded the sources");

    println!("Copy an object from a bucket to another.");
    let result = client
        .copy_object(
            bucket,
            "my-object",
            CopySource::new(source_bucket, "my-sourceobject"),
        )
        .await;
    print_result(&result, "copy_object");

    println!("Copy an object with condition.");
    // Modified since 2014-04-01: true for an object written just now.
    let since = UNIX_EPOCH + Duration::from_secs(1_396_310_400);
    let result = client
        .copy_object(
            bucket,
            "my-object",
            CopySource::new(source_bucket, "my-sourceobject").modified_since(since),
        )
        .await;
    print_result(&result, "copy conditions");

    println!("Copy an object from a bucket with replacing metadata.");
    let result = client
        .copy_object(
            bucket,
            "my-object",
            CopySource::new(source_bucket, "my-sourceobject"),
        )
        .metadata([("test_meta_key", "test_meta_value")])
        .metadata_directive(Directive::Replace)
        .await;
    print_result(&result, "metadata directive");
    if result.is_ok() {
        let st = client.stat_object(bucket, "my-object").await?;
        println!("  user metadata now: {:?}", st.user_metadata);
    }

    let sources = || {
        vec![
            ComposeSource::new(bucket, "my-object-part-one"),
            ComposeSource::new(bucket, "my-object-part-two"),
            ComposeSource::new(bucket, "my-object-part-three"),
        ]
    };

    println!("Create my-bucket/my-object by combining source object list.");
    let result = client.compose_object(bucket, "my-object", sources()).await;
    print_result(&result, "compose_object (UploadPartCopy)");
    if result.is_ok() {
        let st = client.stat_object(bucket, "my-object").await?;
        println!("  size: {} bytes", st.size.unwrap_or(0));
    }

    println!("Create my-bucket/my-object with user metadata by combining source object list.");
    let result = client
        .compose_object(bucket, "my-object", sources())
        .metadata([("test_meta_key", "test_meta_value")])
        .await;
    print_result(&result, "compose_object with metadata");

    println!(
        "Create my-bucket/my-object with user metadata and server-side encryption by \
         combining source object list."
    );
    let result = client
        .compose_object(bucket, "my-object", sources())
        .metadata([("test_meta_key", "test_meta_value")])
        .sse(SseS3::new())
        .await;
    print_result(&result, "compose_object with SSE-S3");

    println!("Copy a byte range of an object (one UploadPartCopy).");
    let result = client
        .copy_object(
            bucket,
            "my-range",
            CopySource::new(source_bucket, "my-sourceobject")
                .offset(5)
                .length(2),
        )
        .await;
    print_result(&result, "ranged copy (UploadPartCopy)");
    if result.is_ok() {
        let got = client.get_object(bucket, "my-range").await?.bytes().await?;
        println!("  copied {:?}", String::from_utf8_lossy(&got));
    }

    println!("Copy an object above the part size in parts (5 MiB parts here, 5 GiB by default).");
    client
        .put_object(bucket, "my-large-source", part(3).repeat(2))
        .await?;
    let result = client
        .copy_object(
            bucket,
            "my-large-copy",
            CopySource::new(bucket, "my-large-source"),
        )
        .part_size(5 * MIB as u64)
        .await;
    print_result(&result, "multipart copy (UploadPartCopy)");

    println!("Clean up.");
    common::remove_bucket_and_objects(client, bucket).await?;
    common::remove_bucket_and_objects(client, source_bucket).await?;
    println!("  done");
    Ok(())
}
