//! Every `remove_object` example of the API reference: remove an object,
//! and remove one version of an object.
//!
//! ```text
//! cargo run --example remove_object
//! ```
//! Runs against `NEWTERA_ENDPOINT` when set, else an embedded S3 server
//! (which keeps no versions, so the version example reports the answer).

mod common;

/// The version id the reference uses when the server gives none.
const REFERENCE_VERSION_ID: &str = "dfbd25b3-abec-4184-a4e8-5a35a5c1174d";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let setup = common::setup().await?;
    let client = &setup.client;
    let bucket = "newtera-example-remove-object";
    common::ensure_versioned_bucket(client, bucket).await?;
    client.put_object(bucket, "my-object", "hello").await?;
    println!("uploaded my-object");

    println!("Remove object.");
    client.remove_object(bucket, "my-object").await?;
    match client.stat_object(bucket, "my-object").await {
        Err(e) if e.code() == Some("NoSuchKey") => {
            println!("  removed: stat_object now says NoSuchKey")
        }
        Err(e) => return Err(e.into()),
        Ok(_) => {
            println!("  the object is still listed (a versioned bucket keeps it as a version)")
        }
    }

    println!("Remove version of an object.");
    let written = client
        .put_object(bucket, "my-object", "hello again")
        .await?;
    match &written.version_id {
        Some(v) => {
            client
                .remove_object(bucket, "my-object")
                .version_id(v)
                .await?;
            println!("  removed version {v}");
        }
        None => {
            let result = client
                .remove_object(bucket, "my-object")
                .version_id(REFERENCE_VERSION_ID)
                .await;
            // Did the request for one version remove the whole (unversioned)
            // object? Say what happened.
            let still_there = client.stat_object(bucket, "my-object").await.is_ok();
            match result {
                Err(e) => common::skipped("versioning", &e),
                Ok(()) if still_there => println!(
                    "  skipped: server does not support versioning: it gave no version id on \
                     upload; removing version {REFERENCE_VERSION_ID} succeeded and left the object"
                ),
                Ok(()) => println!(
                    "  skipped: server does not support versioning: it gave no version id on \
                     upload and removed the object itself when asked for version \
                     {REFERENCE_VERSION_ID}"
                ),
            }
        }
    }

    println!("Clean up.");
    common::remove_bucket_and_objects(client, bucket).await?;
    println!("  done");
    Ok(())
}
