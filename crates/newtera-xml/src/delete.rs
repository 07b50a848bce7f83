//! The `DeleteObjects` (multi-delete) request and response.

use crate::read::{required, Child, Parser};
use crate::write::Writer;
use crate::XmlError;

/// The `DeleteObjects` request body, `<Delete>`.
///
/// S3 takes at most 1,000 objects a request; this type does not enforce it.
/// See the [crate documentation](crate#serialising-rules) for how keys with
/// special characters are written: `&`, `<`, `>` are escaped, `"`, `'` and
/// non-ASCII written as they are, tab/LF/CR as character references, and a
/// key holding a character XML 1.0 cannot carry (e.g. U+0001) makes
/// [`Delete::to_xml`] fail with [`XmlError::Unrepresentable`]; delete such
/// an object with `DeleteObject` instead.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Delete {
    /// `<Quiet>`: when `true`, the response lists only the failures.
    pub quiet: bool,
    /// The `<Object>` entries.
    pub objects: Vec<ObjectIdentifier>,
}

/// One `<Object>` of a [`Delete`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObjectIdentifier {
    /// `<Key>`: the object key, not URL-encoded.
    pub key: String,
    /// `<VersionId>`: the version to delete.
    pub version_id: Option<String>,
}

impl Delete {
    /// Serialises to `<Delete xmlns="…"><Quiet>true</Quiet><Object><Key>…</Key><VersionId>…</VersionId></Object>…</Delete>`
    /// (`<Quiet>` only when `quiet` is set).
    pub fn to_xml(&self) -> Result<String, XmlError> {
        let capacity = self
            .objects
            .iter()
            .map(|o| o.key.len() + o.version_id.as_ref().map_or(0, |v| v.len() + 25) + 32)
            .sum::<usize>();
        let mut w = Writer::new("Delete", capacity);
        if self.quiet {
            w.element("Quiet", "true")?;
        }
        // Thousands of entries: each one's tags are appended in two runs
        // (the same document `element`/`opt_element` would write).
        for object in &self.objects {
            w.raw("<Object><Key>");
            w.text("Key", &object.key)?;
            match object.version_id.as_deref() {
                Some(v) => {
                    w.raw("</Key><VersionId>");
                    w.text("VersionId", v)?;
                    w.raw("</VersionId></Object>");
                }
                None => w.raw("</Key></Object>"),
            }
        }
        Ok(w.finish())
    }
}

/// The `DeleteObjects` response, `<DeleteResult>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeleteResult {
    /// The `<Deleted>` entries, in document order.
    pub deleted: Vec<Deleted>,
    /// The `<Error>` entries, in document order.
    pub errors: Vec<DeleteErrorEntry>,
}

/// One `<Deleted>` entry of a [`DeleteResult`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Deleted {
    /// `<Key>` (required).
    pub key: String,
    /// `<VersionId>`.
    pub version_id: Option<String>,
    /// `<DeleteMarker>`: a delete marker was created or deleted.
    pub delete_marker: bool,
    /// `<DeleteMarkerVersionId>`.
    pub delete_marker_version_id: Option<String>,
}

/// One `<Error>` entry of a [`DeleteResult`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeleteErrorEntry {
    /// `<Key>` (required).
    pub key: String,
    /// `<VersionId>`.
    pub version_id: Option<String>,
    /// `<Code>` (required), e.g. `AccessDenied`.
    pub code: String,
    /// `<Message>`; empty when absent.
    pub message: String,
}

impl DeleteResult {
    /// Parses a `<DeleteResult>` document.
    pub fn from_xml(xml: &[u8]) -> Result<Self, XmlError> {
        let (mut p, root) = Parser::open(xml, "DeleteResult", "DeleteResult")?;
        let mut out = DeleteResult::default();
        p.children(&root, |p, c| {
            match c.name() {
                b"Deleted" => {
                    let d = parse_deleted(p, &c)?;
                    out.deleted.push(d);
                }
                b"Error" => {
                    let e = parse_error_entry(p, &c)?;
                    out.errors.push(e);
                }
                _ => p.skip(&c)?,
            }
            Ok(())
        })?;
        Ok(out)
    }
}

fn parse_deleted<'a>(p: &mut Parser<'a>, parent: &Child<'a>) -> Result<Deleted, XmlError> {
    let mut out = Deleted::default();
    let mut key = None;
    p.children(parent, |p, c| {
        match c.name() {
            b"Key" => key = Some(p.text(&c)?),
            b"VersionId" => out.version_id = p.opt_text(&c)?,
            b"DeleteMarker" => out.delete_marker = p.boolean(&c, "DeleteMarker")?,
            b"DeleteMarkerVersionId" => out.delete_marker_version_id = p.opt_text(&c)?,
            _ => p.skip(&c)?,
        }
        Ok(())
    })?;
    out.key = required(key, p, "Key")?;
    Ok(out)
}

fn parse_error_entry<'a>(
    p: &mut Parser<'a>,
    parent: &Child<'a>,
) -> Result<DeleteErrorEntry, XmlError> {
    let mut out = DeleteErrorEntry::default();
    let mut key = None;
    let mut code = None;
    p.children(parent, |p, c| {
        match c.name() {
            b"Key" => key = Some(p.text(&c)?),
            b"VersionId" => out.version_id = p.opt_text(&c)?,
            b"Code" => code = Some(p.text(&c)?),
            b"Message" => out.message = p.text(&c)?,
            _ => p.skip(&c)?,
        }
        Ok(())
    })?;
    out.key = required(key, p, "Key")?;
    out.code = required(code, p, "Code")?;
    Ok(out)
}
