//! Every `stat_object` example of the API reference: an object's
//! information, a version's, and an SSE-C encrypted object's.
//!
//! ```text
//! cargo run --example stat_object
//! ```
//! Runs against `NEWTERA_ENDPOINT` when set, else an embedded S3 server
//! (which keeps no versions and speaks plain HTTP, so the version and SSE-C
//! examples report what the server or the client refused).

mod common;

use newtera::{Error, Object, SseCustomerKey};

/// The version id the reference uses when the server gives none.
const REFERENCE_VERSION_ID: &str = "dfbd25b3-abec-4184-a4e8-5a35a5c1174d";

fn print_stat(result: &Object) {
    println!(
        "  last-modified: {}, size: {}",
        common::date(result.last_modified),
        result
            .size
            .map_or_else(|| "-".to_owned(), |s| s.to_string()),
    );
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let setup = common::setup().await?;
    let client = &setup.client;
    let bucket = "newtera-example-stat-object";
    common::ensure_versioned_bucket(client, bucket).await?;
    let written = client
        .put_object(bucket, "my-object", "hello, stat")
        .content_type("text/plain")
        .metadata([("My-Project", "one")])
        .await?;
    println!("uploaded my-object");

    println!("Get object information.");
    let result = client.stat_object(bucket, "my-object").await?;
    print_stat(&result);
    println!(
        "  etag: {}, content-type: {}, user metadata: {:?}",
        result.etag.as_deref().unwrap_or("-"),
        result.content_type.as_deref().unwrap_or("-"),
        result.user_metadata
    );

    println!("Get object information of version-ID.");
    match &written.version_id {
        Some(v) => {
            let result = client
                .stat_object(bucket, "my-object")
                .version_id(v)
                .await?;
            print_stat(&result);
        }
        None => match client
            .stat_object(bucket, "my-object")
            .version_id(REFERENCE_VERSION_ID)
            .await
        {
            Ok(result) => println!(
                "  skipped: server does not support versioning: it gave no version id on \
                 upload and answered for version {REFERENCE_VERSION_ID} with the current \
                 object (version id {:?}, size {:?})",
                result.version_id, result.size
            ),
            Err(e) => common::skipped("versioning", &e),
        },
    }

    println!("Get SSE-C encrypted object information.");
    let key = SseCustomerKey::new(b"32byteslongsecretkeymustprovided")?;
    match client
        .put_object(bucket, "my-object-ssec", "secret")
        .sse(key.clone())
        .await
    {
        Ok(_) => {
            let result = client
                .stat_object(bucket, "my-object-ssec")
                .ssec(key)
                .await?;
            print_stat(&result);
        }
        Err(e @ Error::InvalidArgument { .. }) => {
            common::refused("SSE-C", &e);
            if let Err(e) = client.stat_object(bucket, "my-object").ssec(key).await {
                common::refused("SSE-C (stat_object)", &e);
            }
        }
        Err(e) => common::skipped("SSE-C", &e),
    }

    println!("A missing object.");
    match client.stat_object(bucket, "no-such-object").await {
        Err(e) if e.code() == Some("NoSuchKey") => println!("  NoSuchKey, as expected: {e}"),
        Err(e) => return Err(e.into()),
        Ok(_) => println!("  unexpected: the server reports an object that was never written"),
    }

    println!("Clean up.");
    common::remove_bucket_and_objects(client, bucket).await?;
    println!("  done");
    Ok(())
}
