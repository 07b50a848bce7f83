//! Quickstart: create a bucket, upload a file, list, download, clean up.
//!
//! ```text
//! cargo run --example quickstart
//! ```
//! Talks to `NEWTERA_ENDPOINT` (e.g. `http://127.0.0.1:9000`) with
//! `NEWTERA_ACCESS_KEY` / `NEWTERA_SECRET_KEY` when set; otherwise starts an
//! embedded S3 server in-process.

mod common;

use futures::TryStreamExt as _;
use newtera::{DeleteObject, ObjectContent};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Keep `setup` alive: it owns the embedded server when one was started.
    let setup = common::setup().await?;
    let client = &setup.client;
    let bucket = "newtera-quickstart";

    if client.bucket_exists(bucket).await? {
        println!("bucket {bucket} already exists");
    } else {
        client.make_bucket(bucket).await?;
        println!("created bucket {bucket}");
    }

    // Upload from memory, and from a file.
    let r = client
        .put_object(bucket, "greeting.txt", "hello from newtera\n")
        .content_type("text/plain")
        .metadata([("My-Project", "quickstart")])
        .await?;
    println!("uploaded {}: etag {:?}", r.object_name, r.etag);

    let dir = tempfile::tempdir()?;
    let src = dir.path().join("data.bin");
    let data: Vec<u8> = (0..3 * 1024 * 1024).map(|i| (i % 251) as u8).collect();
    std::fs::write(&src, &data)?;
    let r = client.fput_object(bucket, "dir/data.bin", &src).await?;
    println!("uploaded {} ({} bytes)", r.object_name, data.len());

    // Stream a reader of unknown length.
    let reader = std::io::Cursor::new(data.clone());
    client
        .put_object(
            bucket,
            "dir/streamed.bin",
            ObjectContent::from_reader(reader, None),
        )
        .part_size(5 * 1024 * 1024)
        .await?;

    // List.
    let mut objects = client.list_objects(bucket).recursive(true).into_stream();
    while let Some(o) = objects.try_next().await? {
        println!("  {} {} bytes", o.object_name, o.size.unwrap_or(0));
    }

    // Download, stat.
    let body = client
        .get_object(bucket, "greeting.txt")
        .await?
        .bytes()
        .await?;
    print!("greeting.txt says: {}", String::from_utf8_lossy(&body));
    let dst = dir.path().join("copy.bin");
    client.fget_object(bucket, "dir/data.bin", &dst).await?;
    assert_eq!(std::fs::read(&dst)?, data);
    let st = client.stat_object(bucket, "greeting.txt").await?;
    println!(
        "greeting.txt: {:?} bytes, metadata {:?}",
        st.size, st.user_metadata
    );

    // Clean up.
    let names = ["greeting.txt", "dir/data.bin", "dir/streamed.bin"];
    let errors = client
        .remove_objects(
            bucket,
            names
                .iter()
                .map(|n| DeleteObject::new(*n))
                .collect::<Vec<_>>(),
        )
        .await?;
    for e in &errors {
        println!("could not delete: {e}");
    }
    client.remove_bucket(bucket).await?;
    println!("removed bucket {bucket}; quickstart done");
    Ok(())
}
