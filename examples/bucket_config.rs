//! Sets a bucket up end to end and reads its configuration back:
//! versioning, lifecycle, bucket policy, default encryption, tags, CORS,
//! and object lock default retention, then removes what can be removed.
//!
//! ```text
//! cargo run --example bucket_config
//! NEWTERA_ENDPOINT=http://127.0.0.1:5000 NEWTERA_ACCESS_KEY=.. NEWTERA_SECRET_KEY=.. \
//!     cargo run --example bucket_config
//! ```
//! Runs against `NEWTERA_ENDPOINT` when set, else an embedded S3 server. A
//! server that does not implement a configuration answers with an error
//! (often `NotImplemented`); the example prints it and goes on with the
//! next one. Any other failure stops it.

mod common;

use newtera::{
    AbortIncompleteMultipartUpload, CorsConfiguration, CorsRule, Error, Expiration, Filter,
    LifecycleConfiguration, LifecycleRule, NoncurrentVersionExpiration, ObjectLockConfiguration,
    ServerSideEncryptionConfiguration, Tags, VersioningConfiguration,
};

/// Runs one step; a refusal by the server (an S3 error) is printed and
/// skipped, anything else (transport, bad input) is returned.
async fn step<T>(
    what: &str,
    fut: impl std::future::IntoFuture<Output = Result<T, Error>>,
) -> Result<Option<T>, Error> {
    match fut.await {
        Ok(v) => Ok(Some(v)),
        Err(Error::S3(e)) => {
            println!(
                "  skipped: the server refused {what}: {} ({})",
                e.code, e.status
            );
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let setup = common::setup().await?;
    let client = &setup.client;
    let bucket = "newtera-example-bucket-config";
    common::remove_bucket_and_objects(client, bucket).await?;
    // Object lock can only be turned on when the bucket is created.
    common::ensure_versioned_bucket(client, bucket).await?;

    // Versioning.
    println!("set_bucket_versioning({bucket:?}, Enabled)");
    step(
        "versioning",
        client.set_bucket_versioning(bucket, VersioningConfiguration::enabled()),
    )
    .await?;
    if let Some(v) = step("versioning", client.get_bucket_versioning(bucket)).await? {
        println!("  get_bucket_versioning: status {:?}", v.status);
    }

    // Lifecycle: expire logs/ after 90 days, old versions after 30, and
    // abort uploads left incomplete for 7 days.
    let mut rule = LifecycleRule::new("Enabled", Filter::with_prefix("logs/"));
    rule.id = Some("expire logs".to_owned());
    rule.expiration = Some(Expiration::after_days(90));
    rule.noncurrent_version_expiration = Some(NoncurrentVersionExpiration::new(30, None));
    rule.abort_incomplete_multipart_upload = Some(AbortIncompleteMultipartUpload::new(7));
    println!("set_bucket_lifecycle({bucket:?}, expire logs/ after 90 days)");
    step(
        "lifecycle",
        client.set_bucket_lifecycle(bucket, LifecycleConfiguration::new(vec![rule])),
    )
    .await?;
    if let Some(l) = step("lifecycle", client.get_bucket_lifecycle(bucket)).await? {
        for rule in l.iter().flat_map(|l| &l.rules) {
            println!(
                "  get_bucket_lifecycle: {:?} {} expiration {:?}",
                rule.id, rule.status, rule.expiration
            );
        }
    }

    // Bucket policy: anyone may read the objects under public/.
    let policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":["*"]}},"Action":["s3:GetObject"],"Resource":["arn:aws:s3:::{bucket}/public/*"]}}]}}"#
    );
    println!("set_bucket_policy({bucket:?}, public read of public/*)");
    step("the policy", client.set_bucket_policy(bucket, policy)).await?;
    if let Some(p) = step("the policy", client.get_bucket_policy(bucket)).await? {
        println!("  get_bucket_policy: {}", p.as_deref().unwrap_or("(none)"));
    }

    // Default encryption: SSE-S3.
    println!("set_bucket_encryption({bucket:?}, SSE-S3)");
    step(
        "default encryption",
        client.set_bucket_encryption(bucket, ServerSideEncryptionConfiguration::sse_s3()),
    )
    .await?;
    if let Some(e) = step("default encryption", client.get_bucket_encryption(bucket)).await? {
        for rule in e.iter().flat_map(|c| &c.rules) {
            println!(
                "  get_bucket_encryption: {} key {:?}",
                rule.sse_algorithm, rule.kms_master_key_id
            );
        }
    }

    // Tags.
    let mut tags = Tags::new_bucket_tags();
    tags.insert("project", "newtera")?;
    tags.insert("cost-center", "42")?;
    println!("set_bucket_tags({bucket:?}, project=newtera cost-center=42)");
    step("tags", client.set_bucket_tags(bucket, tags)).await?;
    if let Some(t) = step("tags", client.get_bucket_tags(bucket)).await? {
        for (k, v) in t.iter().flat_map(|t| t.iter()) {
            println!("  get_bucket_tags: {k}={v}");
        }
    }

    // CORS: browsers on www.example.com may upload with presigned URLs.
    let cors = CorsConfiguration::new(vec![CorsRule::new(
        ["GET", "PUT"],
        ["https://www.example.com"],
    )
    .with_allowed_headers(["*"])
    .with_expose_headers(["ETag"])
    .with_max_age_seconds(3000)]);
    println!("set_bucket_cors({bucket:?}, GET/PUT from https://www.example.com)");
    step("CORS", client.set_bucket_cors(bucket, cors)).await?;
    if let Some(c) = step("CORS", client.get_bucket_cors(bucket)).await? {
        for rule in c.iter().flat_map(|c| &c.rules) {
            println!(
                "  get_bucket_cors: {:?} from {:?}",
                rule.allowed_methods, rule.allowed_origins
            );
        }
    }

    // Object lock: a 30-day governance retention for new objects.
    println!("set_object_lock_config({bucket:?}, GOVERNANCE 30 days)");
    step(
        "object lock",
        client.set_object_lock_config(
            bucket,
            ObjectLockConfiguration::with_days(ObjectLockConfiguration::GOVERNANCE, 30),
        ),
    )
    .await?;
    if let Some(l) = step("object lock", client.get_object_lock_config(bucket)).await? {
        match l {
            Some(l) => println!(
                "  get_object_lock_config: {:?} days {:?} years {:?}",
                l.mode, l.days, l.years
            ),
            None => println!("  get_object_lock_config: object lock is off"),
        }
    }

    // Clean up what can be removed (object lock and versioning stay on a
    // bucket once set; the bucket itself goes).
    println!("delete the lifecycle, policy, encryption, tags, CORS and default retention");
    step("lifecycle", client.delete_bucket_lifecycle(bucket)).await?;
    step("the policy", client.delete_bucket_policy(bucket)).await?;
    step("tags", client.delete_bucket_tags(bucket)).await?;
    step(
        "default encryption",
        client.delete_bucket_encryption(bucket),
    )
    .await?;
    step("CORS", client.delete_bucket_cors(bucket)).await?;
    step("object lock", client.delete_object_lock_config(bucket)).await?;
    common::remove_bucket_and_objects(client, bucket).await?;
    println!("removed {bucket}");
    Ok(())
}
