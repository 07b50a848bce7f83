//! The rule filter shared by lifecycle and replication rules: `<Filter>`
//! with a prefix, a tag, object size bounds, or an `<And>` of several.

use crate::read::{Child, Parser};
use crate::write::Writer;
use crate::XmlError;

/// A `<Tag>` (`<Key>` + `<Value>`) inside a rule filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Tag {
    /// `<Key>`.
    pub key: String,
    /// `<Value>`.
    pub value: String,
}

impl Tag {
    /// A tag `key` = `value`.
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> Self {
        Tag {
            key: key.into(),
            value: value.into(),
        }
    }
}

/// `<Filter>` of a lifecycle or replication rule: which objects the rule
/// applies to.
///
/// S3 wants exactly one condition in a filter; several conditions go into
/// an [`AndOperator`]. This type holds whatever the document holds (so a
/// server's answer reads back without loss); the client checks the
/// one-condition rule before it sends a configuration. The object size
/// bounds exist in lifecycle filters only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Filter {
    /// `<And>`: all of several conditions.
    pub and_operator: Option<AndOperator>,
    /// `<Prefix>`: the key prefix (an empty prefix matches every object).
    pub prefix: Option<String>,
    /// `<Tag>`: objects carrying this tag.
    pub tag: Option<Tag>,
    /// `<ObjectSizeGreaterThan>`: objects larger than this many bytes.
    pub object_size_greater_than: Option<u64>,
    /// `<ObjectSizeLessThan>`: objects smaller than this many bytes.
    pub object_size_less_than: Option<u64>,
}

/// `<And>` inside a [`Filter`]: every condition must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AndOperator {
    /// `<Prefix>`.
    pub prefix: Option<String>,
    /// `<Tag>` elements, in document order.
    pub tags: Vec<Tag>,
    /// `<ObjectSizeGreaterThan>` (lifecycle only).
    pub object_size_greater_than: Option<u64>,
    /// `<ObjectSizeLessThan>` (lifecycle only).
    pub object_size_less_than: Option<u64>,
}

impl Filter {
    /// A filter on a key prefix.
    pub fn with_prefix(prefix: impl Into<String>) -> Self {
        Filter {
            prefix: Some(prefix.into()),
            ..Filter::default()
        }
    }

    /// A filter on one tag.
    pub fn with_tag(key: impl Into<String>, value: impl Into<String>) -> Self {
        Filter {
            tag: Some(Tag::new(key, value)),
            ..Filter::default()
        }
    }

    /// A filter on several conditions at once.
    pub fn with_and(and: AndOperator) -> Self {
        Filter {
            and_operator: Some(and),
            ..Filter::default()
        }
    }

    /// A filter on objects larger than `bytes`.
    pub fn with_object_size_greater_than(bytes: u64) -> Self {
        Filter {
            object_size_greater_than: Some(bytes),
            ..Filter::default()
        }
    }

    /// A filter on objects smaller than `bytes`.
    pub fn with_object_size_less_than(bytes: u64) -> Self {
        Filter {
            object_size_less_than: Some(bytes),
            ..Filter::default()
        }
    }

    /// How many conditions the filter holds at its top level (`<And>`
    /// counts as one). S3 accepts 0 (every object) or 1.
    pub fn condition_count(&self) -> usize {
        usize::from(self.and_operator.is_some())
            + usize::from(self.prefix.is_some())
            + usize::from(self.tag.is_some())
            + usize::from(self.object_size_greater_than.is_some())
            + usize::from(self.object_size_less_than.is_some())
    }

    pub(crate) fn parse<'a>(p: &mut Parser<'a>, parent: &Child<'a>) -> Result<Self, XmlError> {
        let mut out = Filter::default();
        p.children(parent, |p, c| {
            match c.name() {
                b"And" => out.and_operator = Some(AndOperator::parse(p, &c)?),
                b"Prefix" => out.prefix = p.opt_text(&c)?,
                b"Tag" => out.tag = Some(parse_tag(p, &c)?),
                b"ObjectSizeGreaterThan" => {
                    out.object_size_greater_than = Some(p.number(&c, "ObjectSizeGreaterThan")?)
                }
                b"ObjectSizeLessThan" => {
                    out.object_size_less_than = Some(p.number(&c, "ObjectSizeLessThan")?)
                }
                _ => p.skip(&c)?,
            }
            Ok(())
        })?;
        Ok(out)
    }

    pub(crate) fn write(&self, w: &mut Writer) -> Result<(), XmlError> {
        w.open("Filter");
        if let Some(and) = &self.and_operator {
            and.write(w)?;
        }
        w.opt_element("Prefix", self.prefix.as_deref())?;
        if let Some(tag) = &self.tag {
            write_tag(w, tag)?;
        }
        if let Some(n) = self.object_size_greater_than {
            w.number("ObjectSizeGreaterThan", n);
        }
        if let Some(n) = self.object_size_less_than {
            w.number("ObjectSizeLessThan", n);
        }
        w.close("Filter");
        Ok(())
    }
}

impl AndOperator {
    /// An `<And>` of a prefix and tags.
    pub fn new(prefix: Option<String>, tags: Vec<Tag>) -> Self {
        AndOperator {
            prefix,
            tags,
            ..AndOperator::default()
        }
    }

    fn parse<'a>(p: &mut Parser<'a>, parent: &Child<'a>) -> Result<Self, XmlError> {
        let mut out = AndOperator::default();
        p.children(parent, |p, c| {
            match c.name() {
                b"Prefix" => out.prefix = p.opt_text(&c)?,
                b"Tag" => out.tags.push(parse_tag(p, &c)?),
                b"ObjectSizeGreaterThan" => {
                    out.object_size_greater_than = Some(p.number(&c, "ObjectSizeGreaterThan")?)
                }
                b"ObjectSizeLessThan" => {
                    out.object_size_less_than = Some(p.number(&c, "ObjectSizeLessThan")?)
                }
                _ => p.skip(&c)?,
            }
            Ok(())
        })?;
        Ok(out)
    }

    fn write(&self, w: &mut Writer) -> Result<(), XmlError> {
        w.open("And");
        w.opt_element("Prefix", self.prefix.as_deref())?;
        for tag in &self.tags {
            write_tag(w, tag)?;
        }
        if let Some(n) = self.object_size_greater_than {
            w.number("ObjectSizeGreaterThan", n);
        }
        if let Some(n) = self.object_size_less_than {
            w.number("ObjectSizeLessThan", n);
        }
        w.close("And");
        Ok(())
    }
}

/// Reads a `<Tag>`; a missing `<Key>` or `<Value>` reads as empty.
fn parse_tag<'a>(p: &mut Parser<'a>, parent: &Child<'a>) -> Result<Tag, XmlError> {
    let mut tag = Tag::default();
    p.children(parent, |p, c| {
        match c.name() {
            b"Key" => tag.key = p.text(&c)?,
            b"Value" => tag.value = p.text(&c)?,
            _ => p.skip(&c)?,
        }
        Ok(())
    })?;
    Ok(tag)
}

fn write_tag(w: &mut Writer, tag: &Tag) -> Result<(), XmlError> {
    w.open("Tag");
    w.element("Key", &tag.key)?;
    w.element("Value", &tag.value)?;
    w.close("Tag");
    Ok(())
}

/// Reads `<X><Status>…</Status></X>` (the status wrappers of replication
/// and of notification-free documents); other children are skipped.
pub(crate) fn parse_status<'a>(p: &mut Parser<'a>, parent: &Child<'a>) -> Result<String, XmlError> {
    let mut status = String::new();
    p.children(parent, |p, c| {
        if c.name() == b"Status" {
            status = p.text(&c)?;
        } else {
            p.skip(&c)?;
        }
        Ok(())
    })?;
    Ok(status)
}

/// Writes `<name><Status>status</Status></name>`.
pub(crate) fn write_status(
    w: &mut Writer,
    name: &'static str,
    status: &str,
) -> Result<(), XmlError> {
    w.open(name);
    w.element("Status", status)?;
    w.close(name);
    Ok(())
}
