//! put_opts, and the object attributes every write sends and every read
//! returns.

use bytes::Bytes;
use http::HeaderMap;
use newtera::{ObjectContent, ObjectWriteResult, Tags, WriteCondition};
use object_store::path::Path;
use object_store::{
    Attribute, AttributeValue, Attributes, PutMode, PutOptions, PutPayload, PutResult, Result,
    TagSet,
};

use crate::error::{generic, map_err};
use crate::{quote_etag, NewteraStore};

/// What a write says about the object: its `Content-Type` and the rest of
/// the attributes as metadata pairs (standard headers pass through, user
/// keys become `x-amz-meta-*`).
#[derive(Default)]
pub(crate) struct WriteAttributes {
    pub(crate) content_type: Option<String>,
    pub(crate) metadata: Vec<(String, String)>,
    pub(crate) tags: Option<Tags>,
}

/// The attributes and tags of a write, refusing what S3 cannot store.
pub(crate) fn write_attributes(attributes: &Attributes, tags: &TagSet) -> Result<WriteAttributes> {
    let mut out = WriteAttributes::default();
    for (attribute, value) in attributes {
        let v = value.as_ref().to_owned();
        let key = match attribute {
            Attribute::ContentType => {
                out.content_type = Some(v);
                continue;
            }
            Attribute::CacheControl => "cache-control".to_owned(),
            Attribute::ContentDisposition => "content-disposition".to_owned(),
            Attribute::ContentEncoding => "content-encoding".to_owned(),
            Attribute::ContentLanguage => "content-language".to_owned(),
            Attribute::StorageClass => "x-amz-storage-class".to_owned(),
            Attribute::Metadata(k) => format!("x-amz-meta-{k}"),
            other => {
                return Err(object_store::Error::NotImplemented {
                    operation: format!("writing the attribute {other:?}"),
                    implementer: crate::STORE.to_owned(),
                })
            }
        };
        out.metadata.push((key, v));
    }
    if !tags.is_empty() {
        let mut t = Tags::new_object_tags();
        for pair in tags.encoded().split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |s: &str| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8_lossy()
                    .into_owned()
            };
            t.insert(decode(k), decode(v))
                .map_err(|e| map_err(e, "tags"))?;
        }
        out.tags = Some(t);
    }
    Ok(out)
}

/// The attributes of an object from the headers of a GET or HEAD answer.
pub(crate) fn read_attributes(h: &HeaderMap) -> Attributes {
    let mut out = Attributes::new();
    let mut put = |a: Attribute, v: &http::HeaderValue| {
        if let Ok(s) = v.to_str() {
            out.insert(a, AttributeValue::from(s.to_owned()));
        }
    };
    for (name, value) in h {
        let attribute = match name.as_str() {
            "content-type" => Attribute::ContentType,
            "cache-control" => Attribute::CacheControl,
            "content-disposition" => Attribute::ContentDisposition,
            "content-encoding" => Attribute::ContentEncoding,
            "content-language" => Attribute::ContentLanguage,
            n => match n.strip_prefix("x-amz-meta-") {
                Some(k) => Attribute::Metadata(k.to_owned().into()),
                None => continue,
            },
        };
        put(attribute, value);
    }
    out
}

/// A write's answer as object_store's `PutResult`.
pub(crate) fn put_result(r: &ObjectWriteResult) -> PutResult {
    PutResult {
        e_tag: r.etag.as_deref().map(quote_etag),
        version: r.version_id.clone(),
        extensions: Default::default(),
    }
}

/// The payload as content whose buffers are sent as they are.
pub(crate) fn content(payload: PutPayload) -> ObjectContent {
    let len = payload.content_length() as u64;
    let chunks: Vec<Bytes> = payload.into_iter().collect();
    ObjectContent::from_stream(
        futures::stream::iter(chunks.into_iter().map(Ok::<_, std::io::Error>)),
        Some(len),
    )
}

pub(crate) async fn put_opts(
    store: &NewteraStore,
    location: &Path,
    payload: PutPayload,
    opts: PutOptions,
) -> Result<PutResult> {
    let attrs = write_attributes(&opts.attributes, &opts.tags)?;
    let len = payload.content_length() as u64;
    let mut put = store
        .client()
        .put_object(store.bucket(), location.as_ref(), content(payload))
        .metadata(attrs.metadata);
    if let Some(ct) = attrs.content_type {
        put = put.content_type(ct);
    }
    if let Some(t) = attrs.tags {
        put = put.tags(t);
    }
    // One PutObject for anything S3 takes in one (up to 5 GiB): the payload
    // is in memory already, and one request is what object_store promises.
    if len <= newtera::MAX_PART_SIZE {
        put = put.part_size(newtera::MAX_PART_SIZE);
    }
    let mode = opts.mode;
    put = match &mode {
        PutMode::Overwrite => put,
        PutMode::Create => put.condition(WriteCondition::NotExists),
        PutMode::Update(v) => {
            let etag = v.e_tag.clone().ok_or_else(|| {
                generic(format!(
                    "PutMode::Update of {location} needs the object's e_tag"
                ))
            })?;
            put.condition(WriteCondition::Matches(etag))
        }
    };
    match put.await {
        Ok(r) => Ok(put_result(&r)),
        Err(e) => Err(conditional_err(e, location, &mode)),
    }
}

/// The error of a conditional write as object_store names it: a `Create`
/// that found an object is `AlreadyExists`; an `Update` whose object is
/// missing or changed (412, or 409 when writers raced) is `Precondition`.
pub(crate) fn conditional_err(
    e: newtera::Error,
    location: &Path,
    mode: &PutMode,
) -> object_store::Error {
    let path = location.to_string();
    let lost_race = e.is_precondition_failed() || e.is_conflict();
    match mode {
        PutMode::Create if lost_race => object_store::Error::AlreadyExists {
            path,
            source: Box::new(e),
        },
        PutMode::Update(_) if lost_race || e.is_not_found() => object_store::Error::Precondition {
            path,
            source: Box::new(e),
        },
        _ => map_err(e, &path),
    }
}
