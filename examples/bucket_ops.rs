//! Bucket operations of the API reference: `list_buckets`, `bucket_exists`,
//! `remove_bucket` and `make_bucket`.
//!
//! ```text
//! cargo run --example bucket_ops
//! ```
//! Runs against `NEWTERA_ENDPOINT` when set, else an embedded S3 server.

mod common;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let setup = common::setup().await?;
    let client = &setup.client;
    let bucket = "newtera-example-bucket-ops";

    // make_bucket: create the bucket the other calls look at.
    println!("make_bucket({bucket:?})");
    client.make_bucket(bucket).await?;
    println!("  created {bucket}");

    // list_buckets
    println!("list_buckets()");
    let buckets = client.list_buckets().await?;
    for bucket in &buckets {
        println!("  {} {}", bucket.name, common::date(bucket.creation_date));
    }

    // bucket_exists
    println!("bucket_exists({bucket:?})");
    if client.bucket_exists(bucket).await? {
        println!("  {bucket} exists");
    } else {
        println!("  {bucket} does not exist");
    }

    // remove_bucket
    println!("remove_bucket({bucket:?})");
    client.remove_bucket(bucket).await?;
    println!("  removed {bucket}");

    println!("bucket_exists({bucket:?})");
    if client.bucket_exists(bucket).await? {
        println!("  {bucket} exists");
    } else {
        println!("  {bucket} does not exist");
    }
    Ok(())
}
