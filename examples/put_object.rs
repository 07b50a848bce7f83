//! Every `put_object` example of the API reference: plain, unknown size with
//! a part size, content type, metadata, SSE-C, SSE-KMS, SSE-S3, tags with
//! retention and legal hold, and a progress reporter.
//!
//! ```text
//! cargo run --example put_object
//! ```
//! Runs against `NEWTERA_ENDPOINT` when set, else an embedded S3 server
//! (plain HTTP, so the SSE-C and SSE-KMS uploads are refused by the client,
//! and no object lock, so retention and legal hold are reported as skipped).

mod common;

use std::io::Cursor;
use std::sync::Arc;

use bytes::Bytes;
use newtera::{ObjectContent, Retention, RetentionMode, SseCustomerKey, SseKms, SseS3, Tags};

/// `length` bytes of generated data in 64 KiB chunks, as a stream whose
/// length the client is not told (the reference streams a kernel tarball
/// from the internet here).
fn generated_stream(length: usize) -> impl futures::Stream<Item = Result<Bytes, std::io::Error>> {
    const CHUNK: usize = 64 * 1024;
    futures::stream::unfold(
        (0usize, 0x2545_f491_u32),
        move |(sent, mut seed)| async move {
            if sent >= length {
                return None;
            }
            let n = CHUNK.min(length - sent);
            let chunk: Vec<u8> = (0..n)
                .map(|_| {
                    // xorshift32: cheap, incompressible-looking data.
                    seed ^= seed << 13;
                    seed ^= seed >> 17;
                    seed ^= seed << 5;
                    seed as u8
                })
                .collect();
            Some((Ok(Bytes::from(chunk)), (sent + n, seed)))
        },
    )
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let setup = common::setup().await?;
    let client = &setup.client;
    let bucket = "newtera-example-put-object";
    common::ensure_bucket(client, bucket).await?;

    println!("Upload data.");
    let result = client
        .put_object(
            bucket,
            "my-object",
            ObjectContent::from_reader(Cursor::new(b"hello"), Some(5)),
        )
        .await?;
    common::print_created(&result);

    println!("Upload unknown sized data.");
    let length = 23 * 1024 * 1024 + 12_345; // not told to the client
    let result = client
        .put_object(
            bucket,
            "my-object",
            ObjectContent::from_stream(generated_stream(length), None),
        )
        .part_size(10 * 1024 * 1024)
        .await?;
    common::print_created(&result);
    let st = client.stat_object(bucket, "my-object").await?;
    println!(
        "  stored {} bytes (3 parts of at most 10 MiB)",
        st.size.unwrap_or(0)
    );

    println!("Upload data with content-type.");
    let result = client
        .put_object(
            bucket,
            "my-object",
            ObjectContent::from_reader(Cursor::new(b"hello"), Some(5)),
        )
        .content_type("application/csv")
        .await?;
    common::print_created(&result);
    let st = client.stat_object(bucket, "my-object").await?;
    println!("  content-type: {:?}", st.content_type);

    println!("Upload data with metadata.");
    let result = client
        .put_object(
            bucket,
            "my-object",
            ObjectContent::from_reader(Cursor::new(b"hello"), Some(5)),
        )
        .metadata([("My-Project", "one")])
        .await?;
    common::print_created(&result);
    let st = client.stat_object(bucket, "my-object").await?;
    println!("  user metadata: {:?}", st.user_metadata);

    println!("Upload data with customer key type of server-side encryption.");
    let result = client
        .put_object(
            bucket,
            "my-object-ssec",
            ObjectContent::from_reader(Cursor::new(b"hello"), Some(5)),
        )
        .sse(SseCustomerKey::new(b"32byteslongsecretkeymustprovided")?)
        .await;
    common::report("SSE-C", result);

    println!("Upload data with KMS type of server-side encryption.");
    let result = client
        .put_object(
            bucket,
            "my-object-kms",
            ObjectContent::from_reader(Cursor::new(b"hello"), Some(5)),
        )
        .sse(SseKms::new(
            "KMS-KEY-ID",
            [("Key1", "Value1"), ("Key2", "Value2")],
        ))
        .await;
    common::report("SSE-KMS", result);

    println!("Upload data with S3 type of server-side encryption.");
    let result = client
        .put_object(
            bucket,
            "my-object-sse-s3",
            ObjectContent::from_reader(Cursor::new(b"hello"), Some(5)),
        )
        .sse(SseS3::new())
        .await;
    if let Some(r) = common::report("SSE-S3", result) {
        match r.headers.get("x-amz-server-side-encryption") {
            Some(v) => println!("  server-side encryption: {v:?}"),
            None => println!(
                "  skipped: server does not support SSE-S3: it stored the object but its \
                 answer has no x-amz-server-side-encryption header"
            ),
        }
    }

    println!("Upload data with tags, retention and legal-hold.");
    // Retention and legal hold need a bucket created with object lock.
    let locked = "newtera-example-put-object-locked";
    if !client.bucket_exists(locked).await? {
        client.make_bucket(locked).object_lock(true).await?;
    }
    let date = common::midnight_in_30_days();
    let mut tags = Tags::new_object_tags();
    tags.insert("User", "jsmith")?;
    let result = client
        .put_object(
            locked,
            "my-object",
            ObjectContent::from_reader(Cursor::new(b"hello"), Some(5)),
        )
        .tags(tags)
        .retention(Retention::new(RetentionMode::Governance, date))
        .legal_hold(true)
        .await;
    let lock_applied = match common::report("tags, retention and legal hold", result) {
        Some(_) => common::check_lock(client, locked, "my-object").await?,
        None => false,
    };

    println!("Upload data with progress bar.");
    let result = client
        .put_object(
            bucket,
            "my-object",
            ObjectContent::from_reader(Cursor::new(b"hello"), Some(5)),
        )
        .progress(Arc::new(common::PrintProgress::default()))
        .await?;
    common::print_created(&result);
    println!("Upload 12 MiB of unknown length in 5 MiB parts with progress.");
    let result = client
        .put_object(
            bucket,
            "my-object-progress",
            ObjectContent::from_stream(generated_stream(12 * 1024 * 1024), None),
        )
        .part_size(5 * 1024 * 1024)
        .progress(Arc::new(common::PrintProgress::default()))
        .await?;
    common::print_created(&result);

    println!("Clean up.");
    common::remove_bucket_and_objects(client, bucket).await?;
    if lock_applied {
        println!("  {locked} holds a locked object (legal hold / retention); left in place");
    } else {
        common::remove_bucket_and_objects(client, locked).await?;
    }
    println!("  done");
    Ok(())
}
