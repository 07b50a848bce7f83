//! get_opts (and so get, get_range, head): ranges, versions and the
//! conditional headers.

use std::ops::Range;
use std::time::SystemTime;

use futures::{StreamExt as _, TryStreamExt as _};
use http::HeaderMap;
use object_store::path::Path;
use object_store::{GetOptions, GetRange, GetResult, GetResultPayload, ObjectMeta, Result};

use crate::error::{generic, map_err};
use crate::put::read_attributes;
use crate::{quote_etag, NewteraStore};

fn system_time(t: chrono::DateTime<chrono::Utc>) -> SystemTime {
    t.into()
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

/// The object's metadata from the headers of a GET or HEAD answer; `size`
/// is the whole object's.
fn meta(location: &Path, h: &HeaderMap, size: u64) -> Result<ObjectMeta> {
    let last_modified = header(h, "last-modified")
        .and_then(|d| chrono::DateTime::parse_from_rfc2822(d).ok())
        .map(|d| d.with_timezone(&chrono::Utc))
        .ok_or_else(|| {
            generic(format!(
                "the answer for {location} has no Last-Modified date"
            ))
        })?;
    Ok(ObjectMeta {
        location: location.clone(),
        last_modified,
        size,
        e_tag: header(h, "etag").map(quote_etag),
        version: header(h, "x-amz-version-id").map(str::to_owned),
    })
}

/// `bytes <first>-<last>/<total>` of a 206 answer: the span and the total.
fn content_range(h: &HeaderMap) -> Option<(Range<u64>, u64)> {
    let v = header(h, "content-range")?.strip_prefix("bytes ")?;
    let (span, total) = v.split_once('/')?;
    let (first, last) = span.split_once('-')?;
    let (first, last): (u64, u64) = (first.parse().ok()?, last.parse().ok()?);
    Some((first..last.checked_add(1)?, total.parse().ok()?))
}

/// Applies the options' conditions and version to a read builder.
macro_rules! conditions {
    ($req:expr, $o:expr) => {{
        let mut req = $req;
        if let Some(v) = &$o.if_match {
            req = req.match_etag(v.clone());
        }
        if let Some(v) = &$o.if_none_match {
            req = req.not_match_etag(v.clone());
        }
        if let Some(t) = $o.if_modified_since {
            req = req.modified_since(system_time(t));
        }
        if let Some(t) = $o.if_unmodified_since {
            req = req.unmodified_since(system_time(t));
        }
        if let Some(v) = &$o.version {
            req = req.version_id(v.clone());
        }
        req
    }};
}

pub(crate) async fn get_opts(
    store: &NewteraStore,
    location: &Path,
    options: GetOptions,
) -> Result<GetResult> {
    let (client, bucket, key) = (store.client(), store.bucket(), location.as_ref());
    let stat = || conditions!(client.stat_object(bucket, key), options);
    if options.head {
        let obj = stat().await.map_err(|e| map_err(e, key))?;
        let size = obj.size.unwrap_or(0);
        return Ok(GetResult {
            meta: meta(location, &obj.metadata, size)?,
            range: 0..size,
            attributes: read_attributes(&obj.metadata),
            payload: GetResultPayload::Stream(futures::stream::empty().boxed()),
            extensions: Default::default(),
        });
    }
    let mut get = conditions!(client.get_object(bucket, key), options);
    match &options.range {
        None => {}
        Some(GetRange::Bounded(r)) => {
            if r.end <= r.start {
                return Err(generic(format!(
                    "range {}..{} of {location} is empty or reversed",
                    r.start, r.end
                )));
            }
            get = get.offset(r.start).length(r.end - r.start);
        }
        Some(GetRange::Offset(o)) => get = get.offset(*o),
        Some(GetRange::Suffix(n)) => {
            // The last `n` bytes: the size first, then a read pinned to the
            // ETag the size belongs to (a change in between is a
            // Precondition error, never bytes of two objects).
            let obj = stat().await.map_err(|e| map_err(e, key))?;
            let size = obj.size.unwrap_or(0);
            get = get.offset(size.saturating_sub(*n));
            if let Some(etag) = obj.etag {
                get = get.match_etag(etag);
            }
        }
    }
    let resp = get.await.map_err(|e| map_err(e, key))?;
    let h = &resp.headers;
    let (range, size) = match content_range(h) {
        Some(span) if resp.status == http::StatusCode::PARTIAL_CONTENT => span,
        _ => {
            let len = resp.content_length().unwrap_or(0);
            (0..len, len)
        }
    };
    let meta = meta(location, h, size)?;
    let attributes = read_attributes(h);
    let path = key.to_owned();
    // `ObjectBody` is fused: object_store's readers may poll once more
    // after the end.
    let body = resp
        .into_stream()
        .map_err(move |e| map_err(e, &path))
        .boxed();
    Ok(GetResult {
        meta,
        range,
        attributes,
        payload: GetResultPayload::Stream(body),
        extensions: Default::default(),
    })
}
