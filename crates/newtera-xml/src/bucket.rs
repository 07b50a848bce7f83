//! Bucket-level documents: bucket listing, creation, location.

use crate::read::{required, Parser};
use crate::write::Writer;
use crate::{Owner, XmlError};

/// The `ListBuckets` response, `<ListAllMyBucketsResult>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListAllMyBucketsResult {
    /// `<Owner>` of the buckets.
    pub owner: Option<Owner>,
    /// `<Buckets><Bucket>…`, in document order.
    pub buckets: Vec<BucketEntry>,
    /// `<ContinuationToken>`, sent by AWS when the list is paginated.
    pub continuation_token: Option<String>,
    /// `<Prefix>`, echoed by AWS when the request had a prefix.
    pub prefix: Option<String>,
}

/// One `<Bucket>` of a [`ListAllMyBucketsResult`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BucketEntry {
    /// `<Name>` (required).
    pub name: String,
    /// `<CreationDate>` as sent (ISO 8601); empty when absent.
    pub creation_date: String,
    /// `<BucketRegion>`, sent by AWS.
    pub region: Option<String>,
}

impl ListAllMyBucketsResult {
    /// Parses a `<ListAllMyBucketsResult>` document.
    pub fn from_xml(xml: &[u8]) -> Result<Self, XmlError> {
        let (mut p, root) = Parser::open(xml, "ListAllMyBucketsResult", "ListAllMyBucketsResult")?;
        let mut out = ListAllMyBucketsResult::default();
        p.children(&root, |p, c| {
            match c.name() {
                b"Owner" => out.owner = Some(p.owner(&c)?),
                b"Buckets" => p.children(&c, |p, b| {
                    if b.name() == b"Bucket" {
                        out.buckets.push(parse_bucket(p, &b)?);
                    } else {
                        p.skip(&b)?;
                    }
                    Ok(())
                })?,
                b"ContinuationToken" => out.continuation_token = p.opt_text(&c)?,
                b"Prefix" => out.prefix = p.opt_text(&c)?,
                _ => p.skip(&c)?,
            }
            Ok(())
        })?;
        Ok(out)
    }
}

fn parse_bucket<'a>(
    p: &mut Parser<'a>,
    parent: &crate::read::Child<'a>,
) -> Result<BucketEntry, XmlError> {
    let mut name = None;
    let mut entry = BucketEntry::default();
    p.children(parent, |p, c| {
        match c.name() {
            b"Name" => name = Some(p.text(&c)?),
            b"CreationDate" => entry.creation_date = p.text(&c)?,
            b"BucketRegion" => entry.region = p.opt_text(&c)?,
            _ => p.skip(&c)?,
        }
        Ok(())
    })?;
    entry.name = required(name, p, "Name")?;
    Ok(entry)
}

/// The `CreateBucket` request body, `<CreateBucketConfiguration>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CreateBucketConfiguration {
    /// `<LocationConstraint>`: the region to create the bucket in. `None`
    /// writes a configuration without it (callers usually send no body for
    /// `us-east-1` instead).
    pub location_constraint: Option<String>,
}

impl CreateBucketConfiguration {
    /// Serialises to
    /// `<CreateBucketConfiguration xmlns="…"><LocationConstraint>…</LocationConstraint></CreateBucketConfiguration>`.
    pub fn to_xml(&self) -> Result<String, XmlError> {
        let mut w = Writer::new("CreateBucketConfiguration", 64);
        w.opt_element("LocationConstraint", self.location_constraint.as_deref())?;
        Ok(w.finish())
    }
}

/// The `GetBucketLocation` response, `<LocationConstraint>region</LocationConstraint>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LocationConstraint {
    /// The region as sent; `None` when the element is empty or
    /// self-closing, which S3 uses for `us-east-1`. Legacy values such as
    /// `EU` are returned as they are.
    pub region: Option<String>,
}

impl LocationConstraint {
    /// Parses a `<LocationConstraint>` document. Surrounding whitespace is
    /// trimmed; an empty value reads as `None`.
    pub fn from_xml(xml: &[u8]) -> Result<Self, XmlError> {
        let (mut p, root) = Parser::open(xml, "LocationConstraint", "LocationConstraint")?;
        let text = p.text(&root)?;
        let trimmed = text.trim();
        let region = if trimmed.is_empty() {
            None
        } else if trimmed.len() == text.len() {
            Some(text)
        } else {
            Some(trimmed.to_owned())
        };
        Ok(LocationConstraint { region })
    }
}

/// Parses a `GetBucketLocation` response; see [`LocationConstraint::from_xml`].
pub fn parse_location_constraint(xml: &[u8]) -> Result<Option<String>, XmlError> {
    LocationConstraint::from_xml(xml).map(|l| l.region)
}
