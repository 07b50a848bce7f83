//! Every `list_objects` example of the API reference: the top level, a
//! prefix, recursively, recursively under a prefix, and after a key.
//!
//! ```text
//! cargo run --example list_objects
//! ```
//! Runs against `NEWTERA_ENDPOINT` when set, else an embedded S3 server.
//! `list_objects(..)` is a builder: `.into_stream()` pages lazily through the
//! listing, awaiting it collects everything into a `Vec`.

mod common;

use futures::TryStreamExt as _;
use newtera::Object;

fn print_object(obj: &Object) {
    if obj.is_dir {
        println!("  {} (prefix)", obj.object_name);
    } else {
        println!(
            "  {} size={} last-modified={}",
            obj.object_name,
            obj.size.unwrap_or(0),
            common::date(obj.last_modified)
        );
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let setup = common::setup().await?;
    let client = &setup.client;
    let bucket = "newtera-example-list-objects";
    common::ensure_bucket(client, bucket).await?;
    let names = [
        "my/prefix/hello",
        "my/prefix/world/1",
        "my/prefix/world/2",
        "my/prefix/world/3",
        "my/other",
        "top-level-object",
    ];
    for name in names {
        client
            .put_object(bucket, name, format!("data of {name}"))
            .await?;
    }
    println!("uploaded {} objects", names.len());

    println!("List objects information.");
    let mut objects = client.list_objects(bucket).into_stream();
    while let Some(obj) = objects.try_next().await? {
        print_object(&obj);
    }

    println!("List objects information whose names starts with \"my/prefix/\".");
    let mut objects = client
        .list_objects(bucket)
        .prefix("my/prefix/")
        .into_stream();
    while let Some(obj) = objects.try_next().await? {
        print_object(&obj);
    }

    println!("List objects information recursively.");
    let mut objects = client.list_objects(bucket).recursive(true).into_stream();
    while let Some(obj) = objects.try_next().await? {
        print_object(&obj);
    }

    println!("List objects information recursively whose names starts with \"my/prefix/\".");
    let mut objects = client
        .list_objects(bucket)
        .prefix("my/prefix/")
        .recursive(true)
        .into_stream();
    while let Some(obj) = objects.try_next().await? {
        print_object(&obj);
    }

    println!("List objects information recursively after object name \"my/prefix/world/1\".");
    let mut objects = client
        .list_objects(bucket)
        .recursive(true)
        .start_after("my/prefix/world/1")
        .into_stream();
    while let Some(obj) = objects.try_next().await? {
        print_object(&obj);
    }

    println!("The same, collected at once, with the v1 API and small pages.");
    let all: Vec<Object> = client
        .list_objects(bucket)
        .recursive(true)
        .use_api_v1(true)
        .max_keys(2)
        .await?;
    println!(
        "  {} objects: {:?}",
        all.len(),
        all.iter().map(|o| &o.object_name).collect::<Vec<_>>()
    );

    println!("Clean up.");
    common::remove_bucket_and_objects(client, bucket).await?;
    println!("  done");
    Ok(())
}
