//! Every `fget_object` example of the API reference: download an object to
//! a file, a version of it, and an SSE-C encrypted object.
//!
//! ```text
//! cargo run --example fget_object
//! ```
//! Runs against `NEWTERA_ENDPOINT` when set, else an embedded S3 server
//! (which keeps no versions and speaks plain HTTP, so the version and SSE-C
//! examples report what the server or the client refused). The last one
//! downloads a 256 MiB object with a progress bar (indicatif).

mod common;

use newtera::{Error, SseCustomerKey};

/// The size of the object downloaded with a progress bar.
const LARGE: u64 = 256 * 1024 * 1024;

/// The version id the reference uses when the server gives none.
const REFERENCE_VERSION_ID: &str = "dfbd25b3-abec-4184-a4e8-5a35a5c1174d";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let setup = common::setup().await?;
    let client = &setup.client;
    let bucket = "newtera-example-fget-object";
    common::ensure_versioned_bucket(client, bucket).await?;
    let data: Vec<u8> = (0..6 * 1024 * 1024u32).map(|i| (i % 253) as u8).collect();
    let written = client.put_object(bucket, "my-object", data.clone()).await?;
    println!("uploaded my-object ({} bytes)", data.len());
    let dir = tempfile::tempdir()?;
    let my_filename = dir.path().join("my-filename");

    println!("Download data of an object.");
    // Downloaded to a temporary file beside the target, checked, renamed.
    let obj = client
        .fget_object(bucket, "my-object", &my_filename)
        .await?;
    let on_disk = std::fs::read(&my_filename)?;
    assert_eq!(on_disk, data);
    println!(
        "  wrote {} ({} bytes, etag {})",
        my_filename.display(),
        on_disk.len(),
        obj.etag.as_deref().unwrap_or("-")
    );

    println!("Download data of an object of version-ID.");
    let version = written.version_id.clone();
    let versioned = version.as_deref().unwrap_or(REFERENCE_VERSION_ID);
    let result = client
        .fget_object(bucket, "my-object", &my_filename)
        .version_id(versioned)
        .await;
    match (result, &version) {
        (Ok(obj), Some(v)) => println!("  wrote version {v} ({} bytes)", obj.size.unwrap_or(0)),
        (Ok(obj), None) => println!(
            "  skipped: server does not support versioning: it gave no version id on upload \
             and served version {versioned} as the current object ({} bytes)",
            obj.size.unwrap_or(0)
        ),
        (Err(e), _) => common::skipped("versioning", &e),
    }

    println!("Download data of an SSE-C encrypted object.");
    let key = SseCustomerKey::new(b"32byteslongsecretkeymustprovided")?;
    match client
        .put_object(bucket, "my-object-ssec", "secret data")
        .sse(key.clone())
        .await
    {
        Ok(_) => {
            client
                .fget_object(bucket, "my-object-ssec", &my_filename)
                .ssec(key)
                .await?;
            println!("  wrote {:?}", std::fs::read_to_string(&my_filename)?);
        }
        Err(e @ Error::InvalidArgument { .. }) => {
            common::refused("SSE-C", &e);
            match client
                .fget_object(bucket, "my-object", &my_filename)
                .ssec(key)
                .await
            {
                Err(e) => common::refused("SSE-C (fget_object)", &e),
                Ok(_) => println!("  unexpected: fget_object sent an SSE-C key over HTTP"),
            }
        }
        Err(e) => common::skipped("SSE-C", &e),
    }

    println!("Download data of a large object with progress bar.");
    // 256 MiB, uploaded from a generated file. fget_object reads it as 16
    // ranges of 16 MiB, 8 at a time, written at their offsets and checked
    // against the object's CRC64NVME; the bar counts the bytes written to
    // the file, each once.
    let large = dir.path().join("large-file");
    common::write_large_file(&large, LARGE)?;
    client
        .fput_object(bucket, "my-large-object", &large)
        .await?;
    let copy = dir.path().join("large-copy");
    let bar = common::BarProgress::new("download");
    client
        .fget_object(bucket, "my-large-object", &copy)
        .progress(bar.clone())
        .await?;
    let counted = bar.finish();
    assert_eq!(counted, LARGE, "the bar counted every byte once");
    assert_eq!(std::fs::metadata(&copy)?.len(), LARGE);
    println!("  wrote {} ({LARGE} bytes)", copy.display());

    println!("Clean up.");
    common::remove_bucket_and_objects(client, bucket).await?;
    println!("  done");
    Ok(())
}
