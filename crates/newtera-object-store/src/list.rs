//! list, list_with_offset, list_with_delimiter and list_paginated over
//! ListObjectsV2.

use async_trait::async_trait;
use futures::stream::BoxStream;
use futures::{StreamExt as _, TryStreamExt as _};
use newtera::Object;
use object_store::list::{PaginatedListOptions, PaginatedListResult, PaginatedListStore};
use object_store::path::Path;
use object_store::{ListResult, ObjectMeta, Result};

use crate::error::{generic, map_err};
use crate::{quote_etag, NewteraStore};

/// The key prefix that lists what lies under `prefix`, segment-wise
/// (`a/b` lists `a/b/…`, never `a/bc`); `None` for the root.
fn key_prefix(prefix: Option<&Path>) -> Option<String> {
    prefix
        .map(|p| p.as_ref())
        .filter(|p| !p.is_empty())
        .map(|p| format!("{p}{}", object_store::path::DELIMITER))
}

/// A listed key as a path.
fn path_of(key: &str) -> Result<Path> {
    Path::parse(key)
        .map_err(|e| generic(format!("the listed key {key:?} is not a valid path: {e}")))
}

fn object_meta(o: Object) -> Result<ObjectMeta> {
    let last_modified = o
        .last_modified
        .map(chrono::DateTime::<chrono::Utc>::from)
        .ok_or_else(|| generic(format!("the listing gave no date for {}", o.object_name)))?;
    Ok(ObjectMeta {
        location: path_of(&o.object_name)?,
        last_modified,
        size: o.size.unwrap_or(0),
        e_tag: o.etag.as_deref().map(quote_etag),
        version: None,
    })
}

/// The recursive listing under `prefix`, after `offset` (exclusive) when
/// given.
pub(crate) fn list(
    store: &NewteraStore,
    prefix: Option<&Path>,
    offset: Option<&Path>,
) -> BoxStream<'static, Result<ObjectMeta>> {
    let mut req = store.client().list_objects(store.bucket()).recursive(true);
    let key_prefix = key_prefix(prefix);
    // An offset before the prefix excludes nothing under it: it is not
    // sent (the listing is the same, and some servers list nothing for a
    // `start-after` that sorts before the prefix).
    let offset = offset
        .map(|o| o.as_ref())
        .filter(|o| !o.is_empty())
        .filter(|o| key_prefix.as_deref().is_none_or(|p| *o >= p));
    if let Some(o) = offset {
        req = req.start_after(o);
    }
    if let Some(p) = key_prefix {
        req = req.prefix(p);
    }
    let bucket = store.bucket().to_owned();
    req.into_stream()
        .map_err(move |e| map_err(e, &bucket))
        .and_then(|o| futures::future::ready(object_meta(o)))
        .boxed()
}

/// One level under `prefix`: its objects and its "directories".
pub(crate) async fn list_with_delimiter(
    store: &NewteraStore,
    prefix: Option<&Path>,
) -> Result<ListResult> {
    let mut req = store.client().list_objects(store.bucket()).recursive(false);
    if let Some(p) = key_prefix(prefix) {
        req = req.prefix(p);
    }
    let entries = req
        .into_stream()
        .map_err(|e| map_err(e, store.bucket()))
        .try_collect::<Vec<_>>()
        .await?;
    split(entries)
}

/// Listed entries as objects and common prefixes.
fn split(entries: Vec<Object>) -> Result<ListResult> {
    let mut result = ListResult {
        common_prefixes: Vec::new(),
        objects: Vec::new(),
        extensions: Default::default(),
    };
    for o in entries {
        if o.is_dir {
            let name = o
                .object_name
                .trim_end_matches(object_store::path::DELIMITER);
            result.common_prefixes.push(path_of(name)?);
        } else {
            result.objects.push(object_meta(o)?);
        }
    }
    Ok(result)
}

/// The page token: the last name of the page, listed after (S3's
/// `start-after`, so the token works whatever the server's own
/// continuation tokens are). A common prefix's token also skips
/// everything under it.
fn token_after(o: &Object) -> String {
    if o.is_dir {
        format!("{}{}", o.object_name, char::MAX)
    } else {
        o.object_name.clone()
    }
}

#[async_trait]
impl PaginatedListStore for NewteraStore {
    async fn list_paginated(
        &self,
        prefix: Option<&str>,
        opts: PaginatedListOptions,
    ) -> Result<PaginatedListResult> {
        let recursive = match opts.delimiter.as_deref() {
            None => true,
            Some("/") => false,
            Some(d) => {
                return Err(object_store::Error::NotSupported {
                    source: format!("listing with the delimiter {d:?} (only \"/\")").into(),
                })
            }
        };
        let max = opts.max_keys.unwrap_or(1000).clamp(1, 1000);
        let mut req = self
            .client()
            .list_objects(self.bucket())
            .recursive(recursive)
            .max_keys(max as u32);
        if let Some(p) = prefix.filter(|p| !p.is_empty()) {
            req = req.prefix(p);
        }
        let after = match (opts.page_token, opts.offset) {
            (Some(t), Some(o)) => Some(t.max(o)),
            (t, o) => t.or(o),
        };
        if let Some(a) = after {
            req = req.start_after(a);
        }
        // One entry beyond the page says whether there is a next page.
        let mut entries = req
            .into_stream()
            .take(max + 1)
            .map_err(|e| map_err(e, self.bucket()))
            .try_collect::<Vec<_>>()
            .await?;
        let page_token = if entries.len() > max {
            entries.truncate(max);
            entries.last().map(token_after)
        } else {
            None
        };
        Ok(PaginatedListResult {
            result: split(entries)?,
            page_token,
        })
    }
}
