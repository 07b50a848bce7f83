//! Every `remove_objects` example of the API reference: remove a list of
//! objects (one of them by version), and remove everything under a prefix by
//! streaming a listing into `remove_objects`.
//!
//! ```text
//! cargo run --example remove_objects
//! ```
//! Runs against `NEWTERA_ENDPOINT` when set, else an embedded S3 server
//! (which keeps no versions, so the versioned entry reports the answer).

mod common;

use futures::TryStreamExt as _;
use newtera::{DeleteObject, DeleteObjects};

/// The version id the reference uses when the server gives none.
const REFERENCE_VERSION_ID: &str = "13f88b18-8dcd-4c83-88f2-8631fdb6250c";

async fn remaining(client: &newtera::Newtera, bucket: &str) -> Result<Vec<String>, newtera::Error> {
    let objects: Vec<newtera::Object> = client.list_objects(bucket).recursive(true).await?;
    Ok(objects.into_iter().map(|o| o.object_name).collect())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let setup = common::setup().await?;
    let client = &setup.client;
    let bucket = "newtera-example-remove-objects";
    common::ensure_versioned_bucket(client, bucket).await?;
    for name in ["my-object1", "my-object2"] {
        client.put_object(bucket, name, "hello").await?;
    }
    let third = client.put_object(bucket, "my-object3", "hello").await?;
    for i in 0..25 {
        client
            .put_object(bucket, format!("my/prefix/{i:02}"), "hello")
            .await?;
    }
    client.put_object(bucket, "my/keep", "hello").await?;
    println!(
        "uploaded {} objects",
        remaining(client, bucket).await?.len()
    );

    println!("Remove list of objects.");
    let version3 = third.version_id.clone();
    if version3.is_none() {
        println!(
            "  (the server gave no version id for my-object3; using the reference's \
             {REFERENCE_VERSION_ID})"
        );
    }
    let errors = client
        .remove_objects(
            bucket,
            vec![
                DeleteObject::new("my-object1"),
                DeleteObject::new("my-object2"),
                DeleteObject::with_version(
                    "my-object3",
                    version3.as_deref().unwrap_or(REFERENCE_VERSION_ID),
                ),
            ],
        )
        .await?;
    for error in &errors {
        println!("  error occurred when deleting object {error}");
    }
    let left = remaining(client, bucket).await?;
    for name in ["my-object1", "my-object2", "my-object3"] {
        println!(
            "  {name}: {}",
            if left.iter().any(|n| n == name) {
                "still there"
            } else {
                "removed"
            }
        );
    }
    if version3.is_none() && !left.iter().any(|n| n == "my-object3") {
        println!(
            "  note: the server keeps no versions; it removed my-object3 itself when asked for \
             version {REFERENCE_VERSION_ID}"
        );
    }

    println!("Remove a prefix recursively.");
    // The listing streams straight into the deletion, 1,000 keys a request,
    // and the errors stream back: nothing is collected in memory.
    let delete_object_list = client
        .list_objects(bucket)
        .prefix("my/prefix/")
        .recursive(true)
        .into_stream()
        .map_ok(|x| DeleteObject::new(x.object_name));
    let mut errors = client
        .remove_objects(bucket, DeleteObjects::from_try_stream(delete_object_list))
        .into_stream();
    while let Some(error) = errors.try_next().await? {
        println!("  error occurred when deleting object {error}");
    }
    println!(
        "  left in the bucket: {:?}",
        remaining(client, bucket).await?
    );

    println!("Clean up.");
    common::remove_bucket_and_objects(client, bucket).await?;
    println!("  done");
    Ok(())
}
