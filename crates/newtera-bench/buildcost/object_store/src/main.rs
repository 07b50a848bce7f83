//! One put and one get with object_store: what a minimal program costs to build.

use object_store::aws::AmazonS3Builder;
use object_store::path::Path;
use object_store::ObjectStoreExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let endpoint = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:9000".into());
    let store = AmazonS3Builder::new()
        .with_endpoint(endpoint)
        .with_allow_http(true)
        .with_bucket_name("bucket")
        .with_region("us-east-1")
        .with_access_key_id("minioadmin")
        .with_secret_access_key("minioadmin")
        .build()?;
    let path = Path::from("hello.txt");
    store.put(&path, "hello".into()).await?;
    let body = store.get(&path).await?.bytes().await?;
    println!("{} bytes", body.len());
    Ok(())
}
