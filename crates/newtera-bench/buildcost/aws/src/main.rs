//! One put and one get with aws-sdk-s3: what a minimal program costs to build.

use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_s3::primitives::ByteStream;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let endpoint = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:9000".into());
    let sdk = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new(
            "minioadmin",
            "minioadmin",
            None,
            None,
            "static",
        ))
        .load()
        .await;
    let conf = aws_sdk_s3::config::Builder::from(&sdk)
        .force_path_style(true)
        .build();
    let client = aws_sdk_s3::Client::from_conf(conf);
    client
        .put_object()
        .bucket("bucket")
        .key("hello.txt")
        .body(ByteStream::from_static(b"hello"))
        .send()
        .await?;
    let out = client
        .get_object()
        .bucket("bucket")
        .key("hello.txt")
        .send()
        .await?;
    let body = out.body.collect().await?.into_bytes();
    println!("{} bytes", body.len());
    Ok(())
}
