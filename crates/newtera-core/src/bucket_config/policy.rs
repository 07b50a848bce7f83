//! get_bucket_policy, set_bucket_policy, delete_bucket_policy.

use super::{bucket_config_op, ConfigBody};
use crate::client::Newtera;
use crate::error::{Error, Result};

/// The answer of a bucket without a policy.
const NO_POLICY: &[&str] = &["NoSuchBucketPolicy"];

bucket_config_op! {
    /// Reads a bucket's policy (JSON text). Built by
    /// [`Newtera::get_bucket_policy`]; `None` when the bucket has none.
    GetBucketPolicy {} => Option<String>
}

bucket_config_op! {
    /// Sets a bucket's policy. Built by [`Newtera::set_bucket_policy`].
    SetBucketPolicy { policy: String } => ()
}

bucket_config_op! {
    /// Removes a bucket's policy. Built by [`Newtera::delete_bucket_policy`].
    DeleteBucketPolicy {} => ()
}

impl Newtera {
    /// Gets the bucket policy (a JSON document) of a bucket.
    pub fn get_bucket_policy(&self, bucket_name: impl Into<String>) -> GetBucketPolicy {
        GetBucketPolicy {
            client: self.clone(),
            bucket: bucket_name.into(),
        }
    }

    /// Sets the bucket policy of a bucket. `policy` must be a JSON object;
    /// anything else is refused before it is sent.
    pub fn set_bucket_policy(
        &self,
        bucket_name: impl Into<String>,
        policy: impl Into<String>,
    ) -> SetBucketPolicy {
        SetBucketPolicy {
            client: self.clone(),
            bucket: bucket_name.into(),
            policy: policy.into(),
        }
    }

    /// Deletes the bucket policy of a bucket (success when it had none).
    pub fn delete_bucket_policy(&self, bucket_name: impl Into<String>) -> DeleteBucketPolicy {
        DeleteBucketPolicy {
            client: self.clone(),
            bucket: bucket_name.into(),
        }
    }
}

impl GetBucketPolicy {
    /// Sends the request.
    pub async fn send(self) -> Result<Option<String>> {
        const OP: &str = "GetBucketPolicy";
        let Some(body) = self
            .client
            .get_bucket_config_checked(OP, &self.bucket, "policy", NO_POLICY, Some(is_whole_json))
            .await?
        else {
            return Ok(None);
        };
        String::from_utf8(body.to_vec())
            .map(Some)
            .map_err(|_| Error::UnexpectedResponse {
                op: OP,
                reason: "the policy is not UTF-8".to_owned(),
            })
    }
}

impl SetBucketPolicy {
    /// Sends the request.
    pub async fn send(self) -> Result<()> {
        check_policy(&self.policy)?;
        self.client
            .put_bucket_config(
                "PutBucketPolicy",
                &self.bucket,
                "policy",
                ConfigBody::Json(self.policy),
            )
            .await
    }
}

impl DeleteBucketPolicy {
    /// Sends the request.
    pub async fn send(self) -> Result<()> {
        self.client
            .delete_bucket_config("DeleteBucketPolicy", &self.bucket, "policy", NO_POLICY)
            .await
    }
}

/// A policy answer arrived whole: one JSON value (or nothing).
fn is_whole_json(body: &[u8]) -> bool {
    body.is_empty()
        || std::str::from_utf8(body)
            .is_ok_and(|s| serde_json::from_str::<serde::de::IgnoredAny>(s).is_ok())
}

/// A policy is a JSON object (S3 checks the statements themselves).
fn check_policy(policy: &str) -> Result<()> {
    match serde_json::from_str::<serde_json::Value>(policy) {
        Ok(serde_json::Value::Object(_)) => Ok(()),
        Ok(_) => Err(Error::arg(
            "policy",
            "a bucket policy must be a JSON object",
        )),
        Err(e) => Err(Error::arg(
            "policy",
            format!(
                "not valid JSON (line {}, column {}): {}",
                e.line(),
                e.column(),
                classify(&e)
            ),
        )),
    }
}

/// What kind of JSON error `e` is, without quoting the input.
fn classify(e: &serde_json::Error) -> &'static str {
    match e.classify() {
        serde_json::error::Category::Eof => "unexpected end",
        serde_json::error::Category::Syntax => "syntax error",
        serde_json::error::Category::Data => "bad data",
        serde_json::error::Category::Io => "read error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_policy_answer_is_damaged() {
        let policy = br#"{"Version":"2012-10-17","Statement":[]}"#;
        assert!(is_whole_json(policy));
        assert!(is_whole_json(b""));
        assert!(!is_whole_json(&policy[..policy.len() - 1]));
        assert!(!is_whole_json(b"{\"Version\":\"2012\xff\"}"));
    }

    #[test]
    fn policy_must_be_a_json_object() {
        assert!(check_policy(r#"{"Version":"2012-10-17","Statement":[]}"#).is_ok());
        for bad in ["", "{", "[]", "\"x\"", "{\"a\":1,}", "null"] {
            let e = check_policy(bad).unwrap_err();
            assert!(e.is_invalid_argument(), "{bad:?}: {e}");
        }
    }
}
