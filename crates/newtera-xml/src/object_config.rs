//! Per-object configuration documents: tags, retention, legal hold.

use crate::read::{required, Parser};
use crate::write::Writer;
use crate::XmlError;

/// `<Tagging>`: the object/bucket tagging request body and response.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tagging {
    /// The `(Key, Value)` pairs of `<TagSet><Tag>`, in document order.
    pub tags: Vec<(String, String)>,
}

impl Tagging {
    /// Parses a `<Tagging>` document. Each `<Tag>` needs a `<Key>`; a
    /// missing `<Value>` reads as empty.
    pub fn from_xml(xml: &[u8]) -> Result<Self, XmlError> {
        let (mut p, root) = Parser::open(xml, "Tagging", "Tagging")?;
        let mut tags = Vec::new();
        p.children(&root, |p, c| {
            if c.name() != b"TagSet" {
                return p.skip(&c);
            }
            p.children(&c, |p, t| {
                if t.name() != b"Tag" {
                    return p.skip(&t);
                }
                let mut key = None;
                let mut value = String::new();
                p.children(&t, |p, f| {
                    match f.name() {
                        b"Key" => key = Some(p.text(&f)?),
                        b"Value" => value = p.text(&f)?,
                        _ => p.skip(&f)?,
                    }
                    Ok(())
                })?;
                tags.push((required(key, p, "Key")?, value));
                Ok(())
            })
        })?;
        Ok(Tagging { tags })
    }

    /// Serialises to `<Tagging xmlns="…"><TagSet><Tag><Key>…</Key><Value>…</Value></Tag>…</TagSet></Tagging>`.
    pub fn to_xml(&self) -> Result<String, XmlError> {
        let capacity = self.tags.iter().map(|(k, v)| k.len() + v.len() + 40).sum();
        let mut w = Writer::new("Tagging", capacity);
        w.open("TagSet");
        for (key, value) in &self.tags {
            w.open("Tag");
            w.element("Key", key)?;
            w.element("Value", value)?;
            w.close("Tag");
        }
        w.close("TagSet");
        Ok(w.finish())
    }
}

/// `<Retention>`: object lock retention, request body and response.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Retention {
    /// `<Mode>`: `GOVERNANCE` or `COMPLIANCE`.
    pub mode: Option<String>,
    /// `<RetainUntilDate>` (ISO 8601, e.g. `2030-01-01T00:00:00.000Z`).
    pub retain_until_date: Option<String>,
}

impl Retention {
    /// Parses a `<Retention>` document.
    pub fn from_xml(xml: &[u8]) -> Result<Self, XmlError> {
        let (mut p, root) = Parser::open(xml, "Retention", "Retention")?;
        let mut out = Retention::default();
        p.children(&root, |p, c| {
            match c.name() {
                b"Mode" => out.mode = p.opt_text(&c)?,
                b"RetainUntilDate" => out.retain_until_date = p.opt_text(&c)?,
                _ => p.skip(&c)?,
            }
            Ok(())
        })?;
        Ok(out)
    }

    /// Serialises to `<Retention xmlns="…"><Mode>…</Mode><RetainUntilDate>…</RetainUntilDate></Retention>`,
    /// leaving out the `None` fields.
    pub fn to_xml(&self) -> Result<String, XmlError> {
        let mut w = Writer::new("Retention", 96);
        w.opt_element("Mode", self.mode.as_deref())?;
        w.opt_element("RetainUntilDate", self.retain_until_date.as_deref())?;
        Ok(w.finish())
    }
}

/// `<LegalHold>`: object lock legal hold, request body and response.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LegalHold {
    /// `<Status>`: `ON` or `OFF`. Optional in S3's model: some servers
    /// answer `<LegalHold/>` for an object whose hold was never set.
    pub status: Option<String>,
}

impl LegalHold {
    /// Parses a `<LegalHold>` document.
    pub fn from_xml(xml: &[u8]) -> Result<Self, XmlError> {
        let (mut p, root) = Parser::open(xml, "LegalHold", "LegalHold")?;
        let mut status = None;
        p.children(&root, |p, c| {
            match c.name() {
                b"Status" => status = Some(p.text(&c)?),
                _ => p.skip(&c)?,
            }
            Ok(())
        })?;
        Ok(LegalHold { status })
    }

    /// Serialises to `<LegalHold xmlns="…"><Status>…</Status></LegalHold>`,
    /// leaving `<Status>` out when it is `None`.
    pub fn to_xml(&self) -> Result<String, XmlError> {
        let mut w = Writer::new("LegalHold", 32);
        w.opt_element("Status", self.status.as_deref())?;
        Ok(w.finish())
    }
}
