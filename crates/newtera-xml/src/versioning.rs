//! `<VersioningConfiguration>`: bucket versioning, with MinIO's extensions.

use crate::read::Parser;
use crate::write::Writer;
use crate::XmlError;

/// `<VersioningConfiguration>`: the `PutBucketVersioning` body and the
/// `GetBucketVersioning` response.
///
/// ```
/// use newtera_xml::VersioningConfiguration;
/// let v = VersioningConfiguration::enabled().with_excluded_prefixes(["tmp/"]);
/// let xml = v.to_xml().unwrap();
/// assert_eq!(VersioningConfiguration::from_xml(xml.as_bytes()).unwrap(), v);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct VersioningConfiguration {
    /// `<Status>`: [`Self::ENABLED`] or [`Self::SUSPENDED`]; `None` when
    /// versioning was never enabled on the bucket.
    pub status: Option<String>,
    /// `<MfaDelete>` (also read from `<MFADelete>`): [`Self::ENABLED`] or
    /// [`Self::DISABLED`].
    pub mfa_delete: Option<String>,
    /// MinIO: `<ExcludedPrefixes><Prefix>…</Prefix></ExcludedPrefixes>`,
    /// prefixes whose objects are not versioned.
    pub excluded_prefixes: Vec<String>,
    /// MinIO: `<ExcludeFolders>true</ExcludeFolders>`: objects whose key ends
    /// in `/` are not versioned. Written only when `true`.
    pub exclude_folders: bool,
}

impl VersioningConfiguration {
    /// The `Enabled` status (also the MFA delete value that turns it on).
    pub const ENABLED: &'static str = "Enabled";
    /// The `Suspended` status.
    pub const SUSPENDED: &'static str = "Suspended";
    /// The `Disabled` MFA delete value.
    pub const DISABLED: &'static str = "Disabled";

    /// A configuration with the given `<Status>` and nothing else.
    pub fn new(status: impl Into<String>) -> Self {
        VersioningConfiguration {
            status: Some(status.into()),
            ..Self::default()
        }
    }

    /// Versioning enabled.
    pub fn enabled() -> Self {
        Self::new(Self::ENABLED)
    }

    /// Versioning suspended.
    pub fn suspended() -> Self {
        Self::new(Self::SUSPENDED)
    }

    /// Sets `<MfaDelete>` (`Enabled`/`Disabled`).
    pub fn with_mfa_delete(mut self, value: impl Into<String>) -> Self {
        self.mfa_delete = Some(value.into());
        self
    }

    /// Sets MinIO's excluded prefixes.
    pub fn with_excluded_prefixes<I, S>(mut self, prefixes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.excluded_prefixes = prefixes.into_iter().map(Into::into).collect();
        self
    }

    /// Sets MinIO's exclude-folders flag.
    pub fn with_exclude_folders(mut self, exclude: bool) -> Self {
        self.exclude_folders = exclude;
        self
    }

    /// True when `<Status>` is `Enabled`.
    pub fn is_enabled(&self) -> bool {
        self.status.as_deref() == Some(Self::ENABLED)
    }

    /// Parses a `<VersioningConfiguration>` document (the root may also be
    /// `<GetBucketVersioningResponse>`, as some servers name it). Every
    /// `<Prefix>` of every `<ExcludedPrefixes>` element is collected in
    /// document order.
    pub fn from_xml(xml: &[u8]) -> Result<Self, XmlError> {
        let (mut p, root) = Parser::open_one_of(
            xml,
            "VersioningConfiguration",
            "VersioningConfiguration",
            &["GetBucketVersioningResponse"],
        )?;
        let mut out = VersioningConfiguration::default();
        p.children(&root, |p, c| {
            match c.name() {
                b"Status" => out.status = p.opt_text(&c)?,
                b"MfaDelete" | b"MFADelete" => out.mfa_delete = p.opt_text(&c)?,
                b"ExcludedPrefixes" => p.children(&c, |p, e| {
                    if e.name() == b"Prefix" {
                        out.excluded_prefixes.push(p.text(&e)?);
                    } else {
                        p.skip(&e)?;
                    }
                    Ok(())
                })?,
                b"ExcludeFolders" => out.exclude_folders = p.boolean(&c, "ExcludeFolders")?,
                _ => p.skip(&c)?,
            }
            Ok(())
        })?;
        Ok(out)
    }

    /// Serialises to `<VersioningConfiguration xmlns="…"><Status>…</Status><MfaDelete>…</MfaDelete></VersioningConfiguration>`,
    /// leaving out the `None` fields; each excluded prefix is written as its
    /// own `<ExcludedPrefixes><Prefix>…</Prefix></ExcludedPrefixes>`, as MinIO
    /// reads them.
    pub fn to_xml(&self) -> Result<String, XmlError> {
        let capacity = self
            .excluded_prefixes
            .iter()
            .map(|p| p.len() + 45)
            .sum::<usize>()
            + 64;
        let mut w = Writer::new("VersioningConfiguration", capacity);
        w.opt_element("Status", self.status.as_deref())?;
        w.opt_element("MfaDelete", self.mfa_delete.as_deref())?;
        for prefix in &self.excluded_prefixes {
            w.open("ExcludedPrefixes");
            w.element("Prefix", prefix)?;
            w.close("ExcludedPrefixes");
        }
        if self.exclude_folders {
            w.boolean("ExcludeFolders", true);
        }
        Ok(w.finish())
    }
}
