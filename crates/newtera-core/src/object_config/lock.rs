//! Object lock on one object version: get_object_retention,
//! set_object_retention, enable_object_legal_hold,
//! disable_object_legal_hold, is_object_legal_hold_enabled.

use http::{HeaderMap, HeaderName, HeaderValue};

use super::{version_setter, Target};
use crate::client::Newtera;
use crate::error::{Error, Result};
use crate::types::{Retention, RetentionMode};
use crate::{into_future, time};

/// The code S3 answers when an object version has no retention or legal
/// hold (and when its bucket has no object lock).
const NO_LOCK: &str = "NoSuchObjectLockConfiguration";

/// Reads the retention of an object. Built by [`Newtera::get_object_retention`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct GetObjectRetention {
    target: Target,
}

/// Sets the retention of an object. Built by [`Newtera::set_object_retention`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct SetObjectRetention {
    target: Target,
    config: Retention,
    bypass_governance_mode: bool,
}

/// Turns the legal hold of an object on or off. Built by
/// [`Newtera::enable_object_legal_hold`] and
/// [`Newtera::disable_object_legal_hold`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct SetObjectLegalHold {
    target: Target,
    enabled: bool,
}

/// Reads whether an object is under legal hold. Built by
/// [`Newtera::is_object_legal_hold_enabled`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct IsObjectLegalHoldEnabled {
    target: Target,
}

impl Newtera {
    /// Gets the retention of an object: `None` when it has none
    /// (`NoSuchObjectLockConfiguration`).
    pub fn get_object_retention(
        &self,
        bucket_name: impl Into<String>,
        object_name: impl Into<String>,
    ) -> GetObjectRetention {
        GetObjectRetention {
            target: Target::new(self, bucket_name.into(), object_name.into()),
        }
    }

    /// Sets the retention of an object (its bucket needs object lock). The
    /// retain-until date must be in the future; it is checked before sending.
    pub fn set_object_retention(
        &self,
        bucket_name: impl Into<String>,
        object_name: impl Into<String>,
        config: Retention,
    ) -> SetObjectRetention {
        SetObjectRetention {
            target: Target::new(self, bucket_name.into(), object_name.into()),
            config,
            bypass_governance_mode: false,
        }
    }

    /// Puts an object under legal hold (its bucket needs object lock).
    pub fn enable_object_legal_hold(
        &self,
        bucket_name: impl Into<String>,
        object_name: impl Into<String>,
    ) -> SetObjectLegalHold {
        SetObjectLegalHold {
            target: Target::new(self, bucket_name.into(), object_name.into()),
            enabled: true,
        }
    }

    /// Lifts the legal hold of an object.
    pub fn disable_object_legal_hold(
        &self,
        bucket_name: impl Into<String>,
        object_name: impl Into<String>,
    ) -> SetObjectLegalHold {
        SetObjectLegalHold {
            target: Target::new(self, bucket_name.into(), object_name.into()),
            enabled: false,
        }
    }

    /// True when the object is under legal hold; false when the hold is off
    /// or was never set (`NoSuchObjectLockConfiguration`).
    pub fn is_object_legal_hold_enabled(
        &self,
        bucket_name: impl Into<String>,
        object_name: impl Into<String>,
    ) -> IsObjectLegalHoldEnabled {
        IsObjectLegalHoldEnabled {
            target: Target::new(self, bucket_name.into(), object_name.into()),
        }
    }
}

version_setter!(
    GetObjectRetention,
    SetObjectRetention,
    SetObjectLegalHold,
    IsObjectLegalHoldEnabled
);

impl GetObjectRetention {
    /// Sends the request.
    pub async fn send(self) -> Result<Option<Retention>> {
        const OP: &str = "GetObjectRetention";
        self.target.check()?;
        let Some(body) = self.target.get_doc(OP, "retention", &[NO_LOCK]).await? else {
            return Ok(None);
        };
        let doc = newtera_xml::Retention::from_xml(&body).map_err(Error::xml(OP))?;
        retention_from_doc(doc)
    }
}

/// The retention a `<Retention>` document describes: `None` when it names
/// neither a mode nor a date.
fn retention_from_doc(doc: newtera_xml::Retention) -> Result<Option<Retention>> {
    const OP: &str = "GetObjectRetention";
    let bad = |reason: String| Error::UnexpectedResponse { op: OP, reason };
    match (doc.mode, doc.retain_until_date) {
        (None, None) => Ok(None),
        (Some(mode), Some(date)) => {
            let mode = RetentionMode::parse(mode.trim())
                .ok_or_else(|| bad(format!("unknown retention mode {mode:?}")))?;
            let until = time::parse_iso8601(&date)
                .ok_or_else(|| bad(format!("unreadable RetainUntilDate {date:?}")))?;
            Ok(Some(Retention::new(mode, until)))
        }
        (Some(_), None) => Err(bad("Retention has a Mode but no RetainUntilDate".into())),
        (None, Some(_)) => Err(bad("Retention has a RetainUntilDate but no Mode".into())),
    }
}

impl SetObjectRetention {
    /// Shortens or removes a GOVERNANCE retention (header
    /// `x-amz-bypass-governance-retention: true`; the credentials need
    /// `s3:BypassGovernanceRetention`).
    pub fn bypass_governance_mode(mut self, bypass: bool) -> Self {
        self.bypass_governance_mode = bypass;
        self
    }

    /// Sends the request.
    pub async fn send(self) -> Result<()> {
        self.target.check()?;
        self.config.check()?;
        let doc = newtera_xml::Retention {
            mode: Some(self.config.mode.as_str().to_owned()),
            retain_until_date: Some(self.config.date_iso8601()?),
        };
        let xml = doc
            .to_xml()
            .map_err(|e| Error::arg("retention", format!("cannot be written as XML: {e}")))?;
        let mut extra = HeaderMap::new();
        if self.bypass_governance_mode {
            extra.insert(
                HeaderName::from_static("x-amz-bypass-governance-retention"),
                HeaderValue::from_static("true"),
            );
        }
        self.target
            .put_doc("PutObjectRetention", "retention", xml, extra)
            .await
    }
}

impl SetObjectLegalHold {
    /// Sends the request.
    pub async fn send(self) -> Result<()> {
        self.target.check()?;
        let doc = newtera_xml::LegalHold {
            status: Some(if self.enabled { "ON" } else { "OFF" }.to_owned()),
        };
        let xml = doc
            .to_xml()
            .map_err(|e| Error::arg("legal_hold", format!("cannot be written as XML: {e}")))?;
        self.target
            .put_doc("PutObjectLegalHold", "legal-hold", xml, HeaderMap::new())
            .await
    }
}

impl IsObjectLegalHoldEnabled {
    /// Sends the request.
    pub async fn send(self) -> Result<bool> {
        const OP: &str = "GetObjectLegalHold";
        self.target.check()?;
        let Some(body) = self.target.get_doc(OP, "legal-hold", &[NO_LOCK]).await? else {
            return Ok(false);
        };
        let doc = newtera_xml::LegalHold::from_xml(&body).map_err(Error::xml(OP))?;
        // A document without `<Status>` names no hold.
        match doc.status.as_deref().map(str::trim) {
            Some("ON") => Ok(true),
            Some("OFF") | None => Ok(false),
            Some(other) => Err(Error::UnexpectedResponse {
                op: OP,
                reason: format!("unknown legal hold status {other:?}"),
            }),
        }
    }
}

into_future!(GetObjectRetention => Option<Retention>);
into_future!(SetObjectRetention => ());
into_future!(SetObjectLegalHold => ());
into_future!(IsObjectLegalHoldEnabled => bool);

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    fn doc(mode: Option<&str>, date: Option<&str>) -> newtera_xml::Retention {
        newtera_xml::Retention {
            mode: mode.map(str::to_owned),
            retain_until_date: date.map(str::to_owned),
        }
    }

    #[test]
    fn retention_documents_are_read_strictly() {
        let r = retention_from_doc(doc(Some("COMPLIANCE"), Some("2030-01-01T00:00:00.000Z")))
            .unwrap()
            .unwrap();
        assert_eq!(r.mode, RetentionMode::Compliance);
        assert_eq!(
            r.retain_until_date,
            UNIX_EPOCH + Duration::from_secs(1_893_456_000)
        );
        assert_eq!(retention_from_doc(doc(None, None)).unwrap(), None);
        for bad in [
            doc(Some("governance"), Some("2030-01-01T00:00:00Z")),
            doc(Some("GOVERNANCE"), Some("soon")),
            doc(Some("GOVERNANCE"), None),
            doc(None, Some("2030-01-01T00:00:00Z")),
        ] {
            assert!(
                matches!(
                    retention_from_doc(bad.clone()),
                    Err(Error::UnexpectedResponse { .. })
                ),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn retention_dates_are_checked() {
        let now = std::time::SystemTime::now();
        let future = Retention::new(RetentionMode::Governance, now + Duration::from_secs(3600));
        assert!(future.check().is_ok());
        let past = Retention::new(RetentionMode::Governance, now - Duration::from_secs(1));
        assert!(matches!(
            past.check(),
            Err(Error::InvalidArgument {
                param: "retention",
                ..
            })
        ));
        let far = Retention::new(
            RetentionMode::Compliance,
            UNIX_EPOCH + Duration::from_secs(253_402_300_800),
        );
        assert!(matches!(
            far.check(),
            Err(Error::InvalidArgument {
                param: "retention",
                ..
            })
        ));
        let last = Retention::new(
            RetentionMode::Compliance,
            UNIX_EPOCH + Duration::from_secs(253_402_300_799),
        );
        assert!(last.check().is_ok());
        assert_eq!(last.date_iso8601().unwrap(), "9999-12-31T23:59:59.000Z");
        assert!("GOVERNANCE".parse::<RetentionMode>().is_ok());
        assert!(matches!(
            "Governance".parse::<RetentionMode>(),
            Err(Error::InvalidArgument {
                param: "retention",
                ..
            })
        ));
    }
}
