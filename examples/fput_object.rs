//! Every `fput_object` example of the API reference: upload a file plain,
//! with a content type, metadata, SSE-C, SSE-KMS, SSE-S3, tags with
//! retention and legal hold, and with a progress reporter.
//!
//! ```text
//! cargo run --example fput_object
//! ```
//! Runs against `NEWTERA_ENDPOINT` when set, else an embedded S3 server
//! (plain HTTP, so the SSE-C and SSE-KMS uploads are refused by the client,
//! and no object lock, so retention and legal hold are reported as skipped).
//! The file is 12 MiB, so every upload is a multipart upload (8 MiB parts
//! chosen automatically from the file's size); the progress bar (indicatif)
//! follows the upload of a 256 MiB file.

mod common;

use std::sync::Arc;

use newtera::{Retention, RetentionMode, SseCustomerKey, SseKms, SseS3, Tags};

/// The size of the file uploaded with a progress bar.
const LARGE: u64 = 256 * 1024 * 1024;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let setup = common::setup().await?;
    let client = &setup.client;
    let bucket = "newtera-example-fput-object";
    common::ensure_bucket(client, bucket).await?;
    let dir = tempfile::tempdir()?;
    let my_filename = dir.path().join("my-filename");
    let data: Vec<u8> = (0..12 * 1024 * 1024u32).map(|i| (i % 241) as u8).collect();
    std::fs::write(&my_filename, &data)?;
    println!("wrote {} ({} bytes)", my_filename.display(), data.len());

    println!("Upload data.");
    let result = client
        .fput_object(bucket, "my-object", &my_filename)
        .await?;
    common::print_created(&result);

    println!("Upload data with content-type.");
    let result = client
        .fput_object(bucket, "my-object", &my_filename)
        .content_type("application/csv")
        .await?;
    common::print_created(&result);
    let st = client.stat_object(bucket, "my-object").await?;
    println!(
        "  content-type: {}",
        st.content_type.as_deref().unwrap_or("-")
    );

    println!("Upload data with metadata.");
    let result = client
        .fput_object(bucket, "my-object", &my_filename)
        .metadata([("My-Project", "one")])
        .await?;
    common::print_created(&result);
    let st = client.stat_object(bucket, "my-object").await?;
    println!("  user metadata: {:?}", st.user_metadata);

    println!("Upload data with customer key type of server-side encryption.");
    let result = client
        .fput_object(bucket, "my-object-ssec", &my_filename)
        .sse(SseCustomerKey::new(b"32byteslongsecretkeymustprovided")?)
        .await;
    common::report("SSE-C", result);

    println!("Upload data with KMS type of server-side encryption.");
    let result = client
        .fput_object(bucket, "my-object-kms", &my_filename)
        .sse(SseKms::new(
            "KMS-KEY-ID",
            [("Key1", "Value1"), ("Key2", "Value2")],
        ))
        .await;
    common::report("SSE-KMS", result);

    println!("Upload data with S3 type of server-side encryption.");
    let result = client
        .fput_object(bucket, "my-object-sse-s3", &my_filename)
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
    let locked = "newtera-example-fput-object-locked";
    if !client.bucket_exists(locked).await? {
        client.make_bucket(locked).object_lock(true).await?;
    }
    let mut tags = Tags::new_object_tags();
    tags.insert("User", "jsmith")?;
    let result = client
        .fput_object(locked, "my-object", &my_filename)
        .tags(tags)
        .retention(Retention::new(
            RetentionMode::Governance,
            common::midnight_in_30_days(),
        ))
        .legal_hold(true)
        .await;
    let lock_applied = match common::report("tags, retention and legal hold", result) {
        Some(_) => common::check_lock(client, locked, "my-object").await?,
        None => false,
    };

    println!("Upload data with progress bar.");
    // A large file, so that the bar has something to show: 256 MiB, 32
    // parts of 8 MiB, 3 in flight; the bar counts acknowledged parts.
    let large = dir.path().join("large-file");
    common::write_large_file(&large, LARGE)?;
    let bar = common::BarProgress::new("upload");
    let result = client
        .fput_object(bucket, "my-large-object", &large)
        .progress(bar.clone())
        .await?;
    let counted = bar.finish();
    assert_eq!(counted, LARGE, "the bar counted every byte once");
    common::print_created(&result);
    println!("Upload data with a printed progress report.");
    let result = client
        .fput_object(bucket, "my-object", &my_filename)
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
