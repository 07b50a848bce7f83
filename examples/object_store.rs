//! object_store over Newtera: write, list, read and delete through an
//! `Arc<dyn ObjectStore>` (what DataFusion, delta-rs or Polars take), backed
//! by `newtera_object_store::NewteraStore`.
//!
//! ```text
//! cargo run --example object_store
//! ```
//! Talks to `NEWTERA_ENDPOINT` (e.g. `http://127.0.0.1:9000`) with
//! `NEWTERA_ACCESS_KEY` / `NEWTERA_SECRET_KEY` when set; otherwise starts an
//! embedded S3 server in-process.

mod common;

use std::sync::Arc;

use futures::{StreamExt as _, TryStreamExt as _};
use newtera_object_store::NewteraStore;
use object_store::path::Path;
use object_store::{
    Attribute, Attributes, GetOptions, GetRange, ObjectStore, ObjectStoreExt as _, PutPayload,
    WriteMultipart,
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Keep `setup` alive: it owns the embedded server when one was started.
    let setup = common::setup().await?;
    let bucket = "newtera-object-store";
    if !setup.client.bucket_exists(bucket).await? {
        setup.client.make_bucket(bucket).await?;
    }
    let store: Arc<dyn ObjectStore> = Arc::new(NewteraStore::new(setup.client.clone(), bucket));
    println!("store: {store}");

    // Writes: small objects with one PUT each, one with attributes.
    for day in ["2026-11-29", "2026-11-30", "2026-12-01"] {
        let path = Path::from(format!("events/day={day}/part-0.csv"));
        let r = store
            .put(&path, format!("id,day\n1,{day}\n").into())
            .await?;
        println!("put {path}: e_tag {:?}", r.e_tag);
    }
    let attributes = Attributes::from_iter([
        (Attribute::ContentType, "application/json"),
        (Attribute::CacheControl, "max-age=60"),
    ]);
    store
        .put_opts(
            &Path::from("events/_schema.json"),
            PutPayload::from("{\"id\":\"int\"}"),
            attributes.into(),
        )
        .await?;

    // A large write through a multipart upload: 12 MiB in 5 MiB parts,
    // two parts in flight, memory bounded by those parts.
    let big = Path::from("events/day=2026-12-01/part-1.bin");
    let mut writer = WriteMultipart::new_with_chunk_size(store.put_multipart(&big).await?, 5 << 20);
    for i in 0..12u8 {
        writer.wait_for_capacity(2).await?;
        writer.write(&vec![i; 1 << 20]);
    }
    writer.finish().await?;
    println!(
        "multipart upload of {big}: {} bytes",
        store.head(&big).await?.size
    );

    // Lists: recursive, one level, and after an offset.
    println!("list events/:");
    let mut all = store
        .list(Some(&Path::from("events")))
        .try_collect::<Vec<_>>()
        .await?;
    all.sort_by(|a, b| a.location.cmp(&b.location));
    for meta in &all {
        println!("  {} {} bytes", meta.location, meta.size);
    }
    let level = store
        .list_with_delimiter(Some(&Path::from("events")))
        .await?;
    println!(
        "one level under events/: {} objects, prefixes {:?}",
        level.objects.len(),
        level
            .common_prefixes
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
    );
    let after = Path::from("events/day=2026-11-30/part-0.csv");
    let later: Vec<_> = store
        .list_with_offset(Some(&Path::from("events")), &after)
        .map_ok(|m| m.location.to_string())
        .try_collect()
        .await?;
    println!("after {after}: {later:?}");

    // Reads: whole, a range, the last bytes, and a conditional read.
    let path = Path::from("events/day=2026-12-01/part-0.csv");
    let whole = store.get(&path).await?;
    let etag = whole.meta.e_tag.clone();
    println!(
        "get {path}: {:?}",
        std::str::from_utf8(&whole.bytes().await?)?
    );
    println!("bytes 0..2: {:?}", store.get_range(&path, 0..2).await?);
    let tail = store
        .get_opts(
            &path,
            GetOptions::new().with_range(Some(GetRange::Suffix(11))),
        )
        .await?;
    let range = tail.range.clone();
    println!("last 11 bytes ({range:?}): {:?}", tail.bytes().await?);
    match store
        .get_opts(&path, GetOptions::new().with_if_none_match(etag))
        .await
    {
        Err(object_store::Error::NotModified { .. }) => println!("if-none-match: not modified"),
        Ok(_) => println!(
            "if-none-match: skipped: this server ignores the condition and sent the object \
             (S3 answers 304, NotModified)"
        ),
        Err(e) => return Err(e.into()),
    }
    let schema = store.get(&Path::from("events/_schema.json")).await?;
    println!("attributes of _schema.json: {:?}", schema.attributes);

    // Copy, rename, then delete everything in batched requests.
    store.copy(&path, &Path::from("archive/part-0.csv")).await?;
    store
        .rename(
            &Path::from("archive/part-0.csv"),
            &Path::from("archive/renamed.csv"),
        )
        .await?;
    let paths = store.list(None).map_ok(|m| m.location).boxed();
    let deleted: Vec<Path> = store.delete_stream(paths).try_collect().await?;
    println!("deleted {} objects", deleted.len());
    assert!(store.list(None).try_collect::<Vec<_>>().await?.is_empty());
    setup.client.remove_bucket(bucket).await?;
    Ok(())
}
