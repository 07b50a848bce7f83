//! The object tags, retention and legal hold examples of the API reference:
//! `set_object_tags`, `get_object_tags`, `delete_object_tags`,
//! `set_object_retention`, `get_object_retention`,
//! `enable_object_legal_hold`, `is_object_legal_hold_enabled`,
//! `disable_object_legal_hold`, each also on one version; and the typed
//! errors for bad input, raised before anything is sent.
//!
//! ```text
//! cargo run --example object_config
//! ```
//! Runs against `NEWTERA_ENDPOINT` when set, else an embedded S3 server;
//! what a server does not implement is printed as `skipped: …` with its
//! answer (moto implements all of it).

mod common;

use futures::TryStreamExt as _;
use newtera::{DeleteObject, DeleteObjects, Error, Retention, RetentionMode, Tags};

/// The value, or `None` after printing why the server refused.
fn outcome<T>(feature: &str, result: Result<T, Error>) -> Option<T> {
    match result {
        Ok(v) => Some(v),
        Err(e) => {
            common::skipped(feature, &e);
            None
        }
    }
}

fn show_tags(tags: &Option<Tags>) {
    match tags {
        None => println!("  no tag set"),
        Some(t) if t.is_empty() => println!("  no tags"),
        Some(t) => {
            for (k, v) in t.iter() {
                println!("  {k} = {v}");
            }
        }
    }
}

/// Prints the retention of `my-object` (or of one version of it); when the
/// server cannot answer GetObjectRetention, prints what `stat_object` shows.
async fn show_retention(
    client: &newtera::Newtera,
    bucket: &str,
    version: Option<&str>,
) -> Result<(), Error> {
    let mut get = client.get_object_retention(bucket, "my-object");
    if let Some(v) = version {
        get = get.version_id(v);
    }
    match get.await {
        Ok(Some(r)) => println!(
            "  mode {}, retain until {}",
            r.mode,
            common::date(Some(r.retain_until_date))
        ),
        Ok(None) => println!("  no retention"),
        Err(e) => {
            common::skipped("GetObjectRetention", &e);
            let mut stat = client.stat_object(bucket, "my-object");
            if let Some(v) = version {
                stat = stat.version_id(v);
            }
            let st = stat.await?;
            let h = |n: &str| {
                st.metadata
                    .get(n)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-")
                    .to_owned()
            };
            println!(
                "  stat_object shows mode {}, retain until {}",
                h("x-amz-object-lock-mode"),
                h("x-amz-object-lock-retain-until-date")
            );
        }
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let setup = common::setup().await?;
    let client = &setup.client;
    let bucket = "newtera-example-object-config";
    // Object lock (which turns versioning on) where the server has it.
    common::ensure_versioned_bucket(client, bucket).await?;
    let first = client
        .put_object(bucket, "my-object", "version one")
        .await?;
    let latest = client
        .put_object(bucket, "my-object", "version two")
        .await?;
    common::print_created(&latest);

    println!("Set tags of an object.");
    let mut tags = Tags::new_object_tags();
    tags.insert("Project", "Project One")?;
    tags.insert("User", "jsmith")?;
    let tagged = outcome(
        "object tags",
        client.set_object_tags(bucket, "my-object", tags).await,
    )
    .is_some();
    if tagged {
        println!("Get tags of an object.");
        if let Some(t) = outcome(
            "object tags",
            client.get_object_tags(bucket, "my-object").await,
        ) {
            show_tags(&t);
        }
        if let Some(v) = &first.version_id {
            println!("Set and get tags of version {v}.");
            let mut old = Tags::new_object_tags();
            old.insert("Version", "one")?;
            client
                .set_object_tags(bucket, "my-object", old)
                .version_id(v)
                .await?;
            show_tags(
                &client
                    .get_object_tags(bucket, "my-object")
                    .version_id(v)
                    .await?,
            );
        }
        println!("Delete tags of an object.");
        client.delete_object_tags(bucket, "my-object").await?;
        show_tags(&client.get_object_tags(bucket, "my-object").await?);
    }

    println!("Set retention of an object.");
    let config = Retention::new(RetentionMode::Governance, common::midnight_in_30_days());
    let retained = outcome(
        "object retention",
        client
            .set_object_retention(bucket, "my-object", config)
            .await,
    )
    .is_some();
    if retained {
        println!("Get retention of an object.");
        show_retention(client, bucket, None).await?;
        if let Some(v) = &first.version_id {
            println!("Get retention of version {v}.");
            show_retention(client, bucket, Some(v)).await?;
        }
    }

    println!("Enable legal hold on an object.");
    let held = outcome(
        "legal hold",
        client.enable_object_legal_hold(bucket, "my-object").await,
    )
    .is_some();
    if held {
        println!("Is legal hold enabled on an object?");
        let on = client
            .is_object_legal_hold_enabled(bucket, "my-object")
            .await?;
        println!(
            "  legal hold is {}",
            if on { "enabled" } else { "not enabled" }
        );
        println!("Disable legal hold on an object.");
        client
            .disable_object_legal_hold(bucket, "my-object")
            .await?;
        let on = client
            .is_object_legal_hold_enabled(bucket, "my-object")
            .await?;
        println!(
            "  legal hold is {}",
            if on { "enabled" } else { "not enabled" }
        );
    }

    println!("Bad input is refused before sending.");
    let mut many = Tags::new_bucket_tags();
    for i in 0..11 {
        many.insert(format!("tag{i}"), "v")?;
    }
    if let Err(e) = client.set_object_tags(bucket, "my-object", many).await {
        println!("  11 tags on an object: {e}");
    }
    let yesterday = std::time::SystemTime::now() - std::time::Duration::from_secs(86_400);
    let past = Retention::new(RetentionMode::Compliance, yesterday);
    if let Err(e) = client.set_object_retention(bucket, "my-object", past).await {
        println!("  a retention date in the past: {e}");
    }
    if let Err(e) = "locked".parse::<RetentionMode>() {
        println!("  an unknown retention mode: {e}");
    }
    if let Err(e) = client
        .get_object_tags(bucket, "my-object")
        .version_id("")
        .await
    {
        println!("  an empty version id: {e}");
    }

    println!("Clean up.");
    if retained {
        // A GOVERNANCE retention yields to the bypass header.
        let versions = client
            .list_objects(bucket)
            .recursive(true)
            .include_version(true)
            .into_stream()
            .map_ok(DeleteObject::from);
        let errors = client
            .remove_objects(bucket, DeleteObjects::from_try_stream(versions))
            .bypass_governance_mode(true)
            .await?;
        for e in &errors {
            println!("  clean-up: {e}");
        }
    }
    common::remove_bucket_and_objects(client, bucket).await?;
    println!("  done");
    Ok(())
}
