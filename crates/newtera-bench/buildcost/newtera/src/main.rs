//! One put and one get with Newtera: what a minimal program costs to build.

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let endpoint = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:9000".into());
    let client = newtera::Newtera::builder(&endpoint)
        .access_key("minioadmin")
        .secret_key("minioadmin")
        .region("us-east-1")
        .build()?;
    client.put_object("bucket", "hello.txt", "hello").await?;
    let body = client
        .get_object("bucket", "hello.txt")
        .await?
        .bytes()
        .await?;
    println!("{} bytes", body.len());
    Ok(())
}
