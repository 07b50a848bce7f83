//! `<CORSConfiguration>`: a bucket's cross-origin resource sharing rules.

use crate::read::Parser;
use crate::write::Writer;
use crate::XmlError;

/// `<CORSConfiguration>`: the `PutBucketCors` body and the `GetBucketCors`
/// response.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CorsConfiguration {
    /// The `<CORSRule>` elements, in document order (S3 allows up to 100).
    pub rules: Vec<CorsRule>,
}

/// One `<CORSRule>` of a [`CorsConfiguration`]. The lists keep document
/// order; S3 requires at least one allowed method and one allowed origin.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CorsRule {
    /// `<ID>`: the rule's name (up to 255 characters).
    pub id: Option<String>,
    /// `<AllowedHeader>`s: request headers a preflight may ask for (`*` allowed).
    pub allowed_headers: Vec<String>,
    /// `<AllowedMethod>`s: `GET`, `PUT`, `POST`, `DELETE` or `HEAD`.
    pub allowed_methods: Vec<String>,
    /// `<AllowedOrigin>`s: origins allowed (one `*` wildcard each).
    pub allowed_origins: Vec<String>,
    /// `<ExposeHeader>`s: response headers a browser script may read.
    pub expose_headers: Vec<String>,
    /// `<MaxAgeSeconds>`: how long a browser may cache the preflight answer.
    pub max_age_seconds: Option<u32>,
}

impl CorsRule {
    /// A rule allowing `methods` from `origins`.
    pub fn new<M, O>(methods: M, origins: O) -> Self
    where
        M: IntoIterator,
        M::Item: Into<String>,
        O: IntoIterator,
        O::Item: Into<String>,
    {
        CorsRule {
            allowed_methods: methods.into_iter().map(Into::into).collect(),
            allowed_origins: origins.into_iter().map(Into::into).collect(),
            ..Self::default()
        }
    }

    /// Sets `<ID>`.
    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// Sets the `<AllowedHeader>`s.
    pub fn with_allowed_headers<I>(mut self, headers: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.allowed_headers = headers.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the `<ExposeHeader>`s.
    pub fn with_expose_headers<I>(mut self, headers: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.expose_headers = headers.into_iter().map(Into::into).collect();
        self
    }

    /// Sets `<MaxAgeSeconds>`.
    pub fn with_max_age_seconds(mut self, seconds: u32) -> Self {
        self.max_age_seconds = Some(seconds);
        self
    }
}

impl CorsConfiguration {
    /// A configuration of `rules`.
    pub fn new(rules: Vec<CorsRule>) -> Self {
        CorsConfiguration { rules }
    }

    /// Parses a `<CORSConfiguration>` document (the root may also be spelled
    /// `<CorsConfiguration>`).
    pub fn from_xml(xml: &[u8]) -> Result<Self, XmlError> {
        let (mut p, root) = Parser::open_one_of(
            xml,
            "CORSConfiguration",
            "CORSConfiguration",
            &["CorsConfiguration"],
        )?;
        let mut rules = Vec::new();
        p.children(&root, |p, c| {
            if c.name() != b"CORSRule" && c.name() != b"CorsRule" {
                return p.skip(&c);
            }
            let mut rule = CorsRule::default();
            p.children(&c, |p, f| {
                match f.name() {
                    b"ID" => rule.id = p.opt_text(&f)?,
                    b"AllowedHeader" => rule.allowed_headers.push(p.text(&f)?),
                    b"AllowedMethod" => rule.allowed_methods.push(p.text(&f)?),
                    b"AllowedOrigin" => rule.allowed_origins.push(p.text(&f)?),
                    b"ExposeHeader" => rule.expose_headers.push(p.text(&f)?),
                    b"MaxAgeSeconds" => rule.max_age_seconds = Some(p.number(&f, "MaxAgeSeconds")?),
                    _ => p.skip(&f)?,
                }
                Ok(())
            })?;
            rules.push(rule);
            Ok(())
        })?;
        Ok(CorsConfiguration { rules })
    }

    /// Serialises to `<CORSConfiguration xmlns="…"><CORSRule><ID>…</ID><AllowedHeader>…</AllowedHeader><AllowedMethod>…</AllowedMethod><AllowedOrigin>…</AllowedOrigin><ExposeHeader>…</ExposeHeader><MaxAgeSeconds>…</MaxAgeSeconds></CORSRule></CORSConfiguration>`,
    /// leaving out the `None` fields.
    pub fn to_xml(&self) -> Result<String, XmlError> {
        let text: usize = self
            .rules
            .iter()
            .map(|r| {
                let list = |l: &[String]| l.iter().map(|s| s.len() + 32).sum::<usize>();
                list(&r.allowed_headers)
                    + list(&r.allowed_methods)
                    + list(&r.allowed_origins)
                    + list(&r.expose_headers)
                    + r.id.as_ref().map_or(0, String::len)
                    + 64
            })
            .sum();
        let mut w = Writer::new("CORSConfiguration", text);
        for rule in &self.rules {
            w.open("CORSRule");
            w.opt_element("ID", rule.id.as_deref())?;
            for (name, list) in [
                ("AllowedHeader", &rule.allowed_headers),
                ("AllowedMethod", &rule.allowed_methods),
                ("AllowedOrigin", &rule.allowed_origins),
                ("ExposeHeader", &rule.expose_headers),
            ] {
                for value in list {
                    w.element(name, value)?;
                }
            }
            if let Some(age) = rule.max_age_seconds {
                w.number("MaxAgeSeconds", age.into());
            }
            w.close("CORSRule");
        }
        Ok(w.finish())
    }
}
