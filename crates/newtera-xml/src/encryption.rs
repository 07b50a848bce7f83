//! `<ServerSideEncryptionConfiguration>`: a bucket's default encryption.

use crate::read::{required, Parser};
use crate::write::Writer;
use crate::XmlError;

/// `<ServerSideEncryptionConfiguration>`: the `PutBucketEncryption` body and
/// the `GetBucketEncryption` response.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServerSideEncryptionConfiguration {
    /// The `<Rule>` elements, in document order (S3 allows one).
    pub rules: Vec<SseRule>,
}

/// One `<Rule>` of a [`ServerSideEncryptionConfiguration`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SseRule {
    /// `<ApplyServerSideEncryptionByDefault><SSEAlgorithm>`: `AES256`
    /// (SSE-S3), `aws:kms` or `aws:kms:dsse` (required).
    pub sse_algorithm: String,
    /// `<ApplyServerSideEncryptionByDefault><KMSMasterKeyID>`: the KMS key
    /// (id or ARN) for `aws:kms`; `None` means the account's default key.
    pub kms_master_key_id: Option<String>,
    /// `<BucketKeyEnabled>`: use an S3 bucket key with SSE-KMS.
    pub bucket_key_enabled: Option<bool>,
}

impl SseRule {
    /// The SSE-S3 algorithm name.
    pub const AES256: &'static str = "AES256";
    /// The SSE-KMS algorithm name.
    pub const AWS_KMS: &'static str = "aws:kms";

    /// An SSE-S3 rule (`AES256`).
    pub fn sse_s3() -> Self {
        SseRule {
            sse_algorithm: Self::AES256.to_owned(),
            ..Self::default()
        }
    }

    /// An SSE-KMS rule (`aws:kms`) with the given key, or the default key.
    pub fn sse_kms(kms_master_key_id: Option<String>) -> Self {
        SseRule {
            sse_algorithm: Self::AWS_KMS.to_owned(),
            kms_master_key_id,
            bucket_key_enabled: None,
        }
    }

    /// Sets `<BucketKeyEnabled>`.
    pub fn with_bucket_key_enabled(mut self, enabled: bool) -> Self {
        self.bucket_key_enabled = Some(enabled);
        self
    }
}

impl ServerSideEncryptionConfiguration {
    /// A configuration of one rule.
    pub fn new(rule: SseRule) -> Self {
        ServerSideEncryptionConfiguration { rules: vec![rule] }
    }

    /// Default SSE-S3 encryption.
    pub fn sse_s3() -> Self {
        Self::new(SseRule::sse_s3())
    }

    /// Default SSE-KMS encryption with the given key, or the default key.
    pub fn sse_kms(kms_master_key_id: Option<String>) -> Self {
        Self::new(SseRule::sse_kms(kms_master_key_id))
    }

    /// Parses a `<ServerSideEncryptionConfiguration>` document. A `<Rule>`
    /// needs `<SSEAlgorithm>`.
    pub fn from_xml(xml: &[u8]) -> Result<Self, XmlError> {
        let (mut p, root) = Parser::open(
            xml,
            "ServerSideEncryptionConfiguration",
            "ServerSideEncryptionConfiguration",
        )?;
        let mut rules = Vec::new();
        p.children(&root, |p, c| {
            if c.name() != b"Rule" {
                return p.skip(&c);
            }
            let mut algorithm = None;
            let mut rule = SseRule::default();
            p.children(&c, |p, f| {
                match f.name() {
                    b"ApplyServerSideEncryptionByDefault" => p.children(&f, |p, d| {
                        match d.name() {
                            b"SSEAlgorithm" => algorithm = Some(p.text(&d)?),
                            b"KMSMasterKeyID" => rule.kms_master_key_id = p.opt_text(&d)?,
                            _ => p.skip(&d)?,
                        }
                        Ok(())
                    })?,
                    b"BucketKeyEnabled" => {
                        rule.bucket_key_enabled = Some(p.boolean(&f, "BucketKeyEnabled")?)
                    }
                    _ => p.skip(&f)?,
                }
                Ok(())
            })?;
            rule.sse_algorithm = required(algorithm, p, "SSEAlgorithm")?;
            rules.push(rule);
            Ok(())
        })?;
        Ok(ServerSideEncryptionConfiguration { rules })
    }

    /// Serialises to `<ServerSideEncryptionConfiguration xmlns="…"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>…</SSEAlgorithm><KMSMasterKeyID>…</KMSMasterKeyID></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>…</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>`,
    /// leaving out the `None` fields.
    pub fn to_xml(&self) -> Result<String, XmlError> {
        let capacity = self
            .rules
            .iter()
            .map(|r| r.sse_algorithm.len() + r.kms_master_key_id.as_ref().map_or(0, String::len))
            .sum::<usize>()
            + 160 * self.rules.len();
        let mut w = Writer::new("ServerSideEncryptionConfiguration", capacity);
        for rule in &self.rules {
            w.open("Rule");
            w.open("ApplyServerSideEncryptionByDefault");
            w.element("SSEAlgorithm", &rule.sse_algorithm)?;
            w.opt_element("KMSMasterKeyID", rule.kms_master_key_id.as_deref())?;
            w.close("ApplyServerSideEncryptionByDefault");
            if let Some(enabled) = rule.bucket_key_enabled {
                w.boolean("BucketKeyEnabled", enabled);
            }
            w.close("Rule");
        }
        Ok(w.finish())
    }
}
