//! One put and one get with minio-rs: what a minimal program costs to build.

use minio::s3::creds::StaticProvider;
use minio::s3::http::BaseUrl;
use minio::s3::types::S3Api;
use minio::s3::MinioClientBuilder;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let endpoint = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:9000".into());
    let base: BaseUrl = endpoint.parse()?;
    let client = MinioClientBuilder::new(base)
        .provider(Some(StaticProvider::new("minioadmin", "minioadmin", None)))
        .build()?;
    client
        .put_object_content("bucket", "hello.txt", "hello")?
        .build()
        .send()
        .await?;
    let resp = client
        .get_object("bucket", "hello.txt")?
        .build()
        .send()
        .await?;
    let body = resp.into_bytes().await?;
    println!("{} bytes", body.len());
    Ok(())
}
