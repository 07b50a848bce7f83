//! `<ObjectLockConfiguration>`: a bucket's object lock default retention.

use crate::read::Parser;
use crate::write::Writer;
use crate::XmlError;

/// `<ObjectLockConfiguration>`: the `PutObjectLockConfiguration` body and
/// the `GetObjectLockConfiguration` response.
///
/// `<Rule><DefaultRetention>` is written when [`Self::mode`], [`Self::days`]
/// or [`Self::years`] is set; S3 wants a mode and exactly one of days and
/// years, which the client checks before sending.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ObjectLockConfiguration {
    /// `<ObjectLockEnabled>`: `Enabled` once object lock is on.
    pub object_lock_enabled: Option<String>,
    /// `<Rule><DefaultRetention><Mode>`: `GOVERNANCE` or `COMPLIANCE`.
    pub mode: Option<String>,
    /// `<Rule><DefaultRetention><Days>`.
    pub days: Option<u32>,
    /// `<Rule><DefaultRetention><Years>`.
    pub years: Option<u32>,
}

impl ObjectLockConfiguration {
    /// The `Enabled` value of `<ObjectLockEnabled>`.
    pub const ENABLED: &'static str = "Enabled";
    /// The `GOVERNANCE` retention mode.
    pub const GOVERNANCE: &'static str = "GOVERNANCE";
    /// The `COMPLIANCE` retention mode.
    pub const COMPLIANCE: &'static str = "COMPLIANCE";

    /// Object lock enabled, without a default retention.
    pub fn enabled() -> Self {
        ObjectLockConfiguration {
            object_lock_enabled: Some(Self::ENABLED.to_owned()),
            ..Self::default()
        }
    }

    /// Object lock enabled with a default retention of `days` days in `mode`.
    pub fn with_days(mode: impl Into<String>, days: u32) -> Self {
        ObjectLockConfiguration {
            mode: Some(mode.into()),
            days: Some(days),
            ..Self::enabled()
        }
    }

    /// Object lock enabled with a default retention of `years` years in `mode`.
    pub fn with_years(mode: impl Into<String>, years: u32) -> Self {
        ObjectLockConfiguration {
            mode: Some(mode.into()),
            years: Some(years),
            ..Self::enabled()
        }
    }

    /// True when the configuration has a default retention rule.
    pub fn has_rule(&self) -> bool {
        self.mode.is_some() || self.days.is_some() || self.years.is_some()
    }

    /// Parses an `<ObjectLockConfiguration>` document.
    pub fn from_xml(xml: &[u8]) -> Result<Self, XmlError> {
        let (mut p, root) =
            Parser::open(xml, "ObjectLockConfiguration", "ObjectLockConfiguration")?;
        let mut out = ObjectLockConfiguration::default();
        p.children(&root, |p, c| {
            match c.name() {
                b"ObjectLockEnabled" => out.object_lock_enabled = p.opt_text(&c)?,
                b"Rule" => p.children(&c, |p, r| {
                    if r.name() != b"DefaultRetention" {
                        return p.skip(&r);
                    }
                    p.children(&r, |p, f| {
                        match f.name() {
                            b"Mode" => out.mode = p.opt_text(&f)?,
                            b"Days" => out.days = Some(p.number(&f, "Days")?),
                            b"Years" => out.years = Some(p.number(&f, "Years")?),
                            _ => p.skip(&f)?,
                        }
                        Ok(())
                    })
                })?,
                _ => p.skip(&c)?,
            }
            Ok(())
        })?;
        Ok(out)
    }

    /// Serialises to `<ObjectLockConfiguration xmlns="…"><ObjectLockEnabled>…</ObjectLockEnabled><Rule><DefaultRetention><Mode>…</Mode><Days>…</Days></DefaultRetention></Rule></ObjectLockConfiguration>`,
    /// leaving out the `None` fields (and the rule when it is empty).
    pub fn to_xml(&self) -> Result<String, XmlError> {
        let mut w = Writer::new("ObjectLockConfiguration", 160);
        w.opt_element("ObjectLockEnabled", self.object_lock_enabled.as_deref())?;
        if self.has_rule() {
            w.open("Rule");
            w.open("DefaultRetention");
            w.opt_element("Mode", self.mode.as_deref())?;
            if let Some(days) = self.days {
                w.number("Days", days.into());
            }
            if let Some(years) = self.years {
                w.number("Years", years.into());
            }
            w.close("DefaultRetention");
            w.close("Rule");
        }
        Ok(w.finish())
    }
}
