//! Every `get_object` example of the API reference: the whole object, a
//! version, a byte range (offset and length), and an SSE-C encrypted object.
//!
//! ```text
//! cargo run --example get_object
//! ```
//! Runs against `NEWTERA_ENDPOINT` when set, else an embedded S3 server
//! (which keeps no versions and speaks plain HTTP, so the version and SSE-C
//! examples report what the server or the client refused).

mod common;

use futures::TryStreamExt as _;
use newtera::{Error, SseCustomerKey};
use tokio::io::AsyncReadExt as _;

/// The version id the reference uses when the server gives none.
const REFERENCE_VERSION_ID: &str = "dfbd25b3-abec-4184-a4e8-5a35a5c1174d";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let setup = common::setup().await?;
    let client = &setup.client;
    let bucket = "newtera-example-get-object";
    common::ensure_versioned_bucket(client, bucket).await?;
    let data: Vec<u8> = (0..4096u32).map(|i| (i % 251) as u8).collect();
    let written = client.put_object(bucket, "my-object", data.clone()).await?;
    println!("uploaded my-object ({} bytes)", data.len());

    println!("Get data of an object.");
    // The response streams: read it as a `Stream` of `Bytes` chunks (or as an
    // `AsyncRead`, or whole with `.bytes()`). Dropping it releases the
    // connection; there is nothing to close.
    let response = client.get_object(bucket, "my-object").await?;
    println!("  status {}, etag {:?}", response.status, response.etag());
    let mut body = response.into_stream();
    let mut received = 0;
    while let Some(chunk) = body.try_next().await? {
        received += chunk.len();
    }
    println!("  read {received} bytes");
    assert_eq!(received, data.len());

    println!("Get data of an object of version-ID.");
    match &written.version_id {
        Some(v) => {
            let response = client.get_object(bucket, "my-object").version_id(v).await?;
            let bytes = response.bytes().await?;
            println!("  read {} bytes of version {v}", bytes.len());
        }
        None => {
            // The server keeps no versions: ask for the reference's id and
            // show the answer.
            match client
                .get_object(bucket, "my-object")
                .version_id(REFERENCE_VERSION_ID)
                .await
            {
                Ok(response) => {
                    let bytes = response.bytes().await?;
                    println!(
                        "  skipped: server does not support versioning: it gave no version id \
                         on upload and answered a GET of version {REFERENCE_VERSION_ID} with \
                         the current object ({} bytes)",
                        bytes.len()
                    );
                }
                Err(e) => common::skipped("versioning", &e),
            }
        }
    }

    println!("Get data of an object from offset and length.");
    let response = client
        .get_object(bucket, "my-object")
        .offset(512)
        .length(1024)
        .await?;
    println!(
        "  status {}, content-length {:?}",
        response.status,
        response.content_length()
    );
    let mut reader = response.into_async_read();
    let mut range = Vec::new();
    reader.read_to_end(&mut range).await?;
    assert_eq!(range, data[512..1536]);
    println!(
        "  read bytes 512..1536 ({} bytes), as expected",
        range.len()
    );

    println!("Get data of an SSE-C encrypted object.");
    let key = SseCustomerKey::new(b"32byteslongsecretkeymustprovided")?;
    let put = client
        .put_object(bucket, "my-object-ssec", "secret data")
        .sse(key.clone())
        .await;
    match put {
        Ok(_) => {
            let response = client
                .get_object(bucket, "my-object-ssec")
                .ssec(key)
                .await?;
            let bytes = response.bytes().await?;
            println!("  read {:?}", String::from_utf8_lossy(&bytes));
        }
        Err(e @ Error::InvalidArgument { .. }) => {
            common::refused("SSE-C", &e);
            // get_object refuses the key over plain HTTP in the same way.
            if let Err(e) = client.get_object(bucket, "my-object").ssec(key).await {
                common::refused("SSE-C (get_object)", &e);
            }
        }
        Err(e) => common::skipped("SSE-C", &e),
    }

    println!("Clean up.");
    common::remove_bucket_and_objects(client, bucket).await?;
    println!("  done");
    Ok(())
}
