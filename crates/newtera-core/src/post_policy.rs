//! POST policies: [`PostPolicy`] and `presigned_post_policy`, the form
//! fields of a browser-style upload (S3 `PostObject`).

use std::collections::BTreeMap;
use std::time::SystemTime;

use base64::Engine as _;
use newtera_signer::SigningParams;
use serde_json::{json, Value};

use crate::client::Newtera;
use crate::error::{Error, Result};
use crate::into_future;
use crate::presign::{check_time, presign_credentials, sign_error};
use crate::time::format_iso8601;
use crate::validate::check_bucket_name;

/// Form fields the signature itself sets; no condition may name them.
const RESERVED: [&str; 7] = [
    "bucket",
    "x-amz-algorithm",
    "x-amz-credential",
    "x-amz-date",
    "policy",
    "x-amz-signature",
    "x-amz-security-token",
];

/// What a form upload may contain: the bucket, an expiration, and
/// conditions on the form fields (the `key`, `Content-Type`,
/// `success_action_status`, `x-amz-meta-*` …) and on the size of the file.
///
/// Built with chained calls; the conditions are checked when the policy is
/// signed by [`Newtera::presigned_post_policy`], which refuses a policy
/// without a `key` condition.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use newtera_core::PostPolicy;
///
/// let policy = PostPolicy::new("my-bucket", SystemTime::now() + Duration::from_secs(600))
///     .add_starts_with_condition("key", "uploads/")
///     .add_equals_condition("Content-Type", "image/png")
///     .add_content_length_range_condition(1, 10 << 20);
/// assert_eq!(policy.bucket_name(), "my-bucket");
/// ```
#[derive(Clone, Debug)]
pub struct PostPolicy {
    bucket: String,
    expiration: SystemTime,
    /// `(element without "$", value)`, in the order added; one per element.
    equals: Vec<(String, String)>,
    starts_with: Vec<(String, String)>,
    content_length_range: Option<(u64, u64)>,
}

impl PostPolicy {
    /// A policy for uploads to `bucket_name` until `expiration`.
    pub fn new(bucket_name: impl Into<String>, expiration: SystemTime) -> Self {
        PostPolicy {
            bucket: bucket_name.into(),
            expiration,
            equals: Vec::new(),
            starts_with: Vec::new(),
            content_length_range: None,
        }
    }

    /// The bucket.
    pub fn bucket_name(&self) -> &str {
        &self.bucket
    }

    /// The form field `element` (a leading `$` is optional) must be
    /// `value`; replaces an earlier equals condition on it. Not for
    /// `success_action_redirect`, `redirect`, `content-length-range` nor the
    /// fields the signature sets (`bucket`, `policy`, `x-amz-algorithm`,
    /// `x-amz-credential`, `x-amz-date`, `x-amz-signature`,
    /// `x-amz-security-token`).
    pub fn add_equals_condition(
        mut self,
        element: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        put(&mut self.equals, element.into(), value.into());
        self
    }

    /// Drops the equals condition on `element`.
    pub fn remove_equals_condition(mut self, element: &str) -> Self {
        let element = trim_dollar(element);
        self.equals.retain(|(e, _)| e != element);
        self
    }

    /// The form field `element` must start with `value` (any value when
    /// empty); replaces an earlier starts-with condition on it. Not for
    /// `success_action_status`, `content-length-range`, the fields the
    /// signature sets, nor `x-amz-*` fields other than `x-amz-meta-*`.
    pub fn add_starts_with_condition(
        mut self,
        element: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        put(&mut self.starts_with, element.into(), value.into());
        self
    }

    /// Drops the starts-with condition on `element`.
    pub fn remove_starts_with_condition(mut self, element: &str) -> Self {
        let element = trim_dollar(element);
        self.starts_with.retain(|(e, _)| e != element);
        self
    }

    /// The uploaded file must be `lower_limit ..= upper_limit` bytes long.
    pub fn add_content_length_range_condition(
        mut self,
        lower_limit: u64,
        upper_limit: u64,
    ) -> Self {
        self.content_length_range = Some((lower_limit, upper_limit));
        self
    }

    /// Drops the content-length-range condition.
    pub fn remove_content_length_range_condition(mut self) -> Self {
        self.content_length_range = None;
        self
    }

    /// Checks the conditions the way the reference client does.
    fn validate(&self) -> Result<()> {
        check_bucket_name(&self.bucket)?;
        let bad = |reason: String| Err(Error::arg("policy", reason));
        for (element, _) in &self.equals {
            let lower = element.to_ascii_lowercase();
            if element.is_empty() {
                return bad("a condition's element is empty".into());
            }
            if matches!(
                lower.as_str(),
                "success_action_redirect" | "redirect" | "content-length-range"
            ) {
                return bad(format!("{element} is unsupported for an equals condition"));
            }
            if RESERVED.contains(&lower.as_str()) {
                return bad(format!(
                    "{element} is set by the signature and cannot be a condition"
                ));
            }
        }
        for (element, _) in &self.starts_with {
            let lower = element.to_ascii_lowercase();
            if element.is_empty() {
                return bad("a condition's element is empty".into());
            }
            if RESERVED.contains(&lower.as_str()) {
                return bad(format!(
                    "{element} is set by the signature and cannot be a condition"
                ));
            }
            if matches!(
                lower.as_str(),
                "success_action_status" | "content-length-range"
            ) || (lower.starts_with("x-amz-") && !lower.starts_with("x-amz-meta-"))
            {
                return bad(format!(
                    "{element} is unsupported for a starts-with condition"
                ));
            }
        }
        if let Some((lower, upper)) = self.content_length_range {
            if lower > upper {
                return bad(format!(
                    "content-length-range lower limit {lower} is above the upper limit {upper}"
                ));
            }
        }
        if !self
            .equals
            .iter()
            .chain(&self.starts_with)
            .any(|(e, _)| e == "key")
        {
            return bad("a key condition (equals or starts-with) must be set".into());
        }
        check_time("expiration", self.expiration)
    }

    /// The policy document, stating the signature's algorithm, credential,
    /// date (and session token).
    fn document(
        &self,
        algorithm: &str,
        credential: &str,
        date: &str,
        token: Option<&str>,
    ) -> Value {
        let mut conditions = vec![json!(["eq", "$bucket", self.bucket])];
        for (op, list) in [("eq", &self.equals), ("starts-with", &self.starts_with)] {
            for (element, value) in list {
                conditions.push(json!([op, format!("${element}"), value]));
            }
        }
        if let Some((lower, upper)) = self.content_length_range {
            conditions.push(json!(["content-length-range", lower, upper]));
        }
        conditions.push(json!(["eq", "$x-amz-algorithm", algorithm]));
        conditions.push(json!(["eq", "$x-amz-credential", credential]));
        if let Some(token) = token {
            conditions.push(json!(["eq", "$x-amz-security-token", token]));
        }
        conditions.push(json!(["eq", "$x-amz-date", date]));
        json!({
            "expiration": format_iso8601(self.expiration),
            "conditions": conditions,
        })
    }
}

fn trim_dollar(element: &str) -> &str {
    element.strip_prefix('$').unwrap_or(element)
}

/// Sets `element`'s value, replacing an earlier one.
fn put(list: &mut Vec<(String, String)>, element: String, value: String) {
    let element = trim_dollar(&element).to_owned();
    match list.iter_mut().find(|(e, _)| *e == element) {
        Some(slot) => slot.1 = value,
        None => list.push((element, value)),
    }
}

/// The form of a signed POST policy. Made by
/// [`Newtera::presigned_post_policy`].
///
/// Send a `multipart/form-data` POST to [`url`](Self::url) with every field
/// of [`form_data`](Self::form_data), the fields the policy's conditions
/// name (at least `key`), and the file last, as a field named `file`.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PostPolicyForm {
    /// Where to POST the form: the bucket's URL.
    pub url: String,
    /// `policy` (base64), `x-amz-algorithm`, `x-amz-credential`,
    /// `x-amz-date`, `x-amz-signature`, and `x-amz-security-token` for
    /// temporary credentials.
    pub form_data: BTreeMap<String, String>,
}

impl std::fmt::Debug for PostPolicyForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let fields: BTreeMap<&str, &str> = self
            .form_data
            .iter()
            .map(|(k, v)| {
                let v = if k == "x-amz-security-token" {
                    "***"
                } else {
                    v.as_str()
                };
                (k.as_str(), v)
            })
            .collect();
        f.debug_struct("PostPolicyForm")
            .field("url", &self.url)
            .field("form_data", &fields)
            .finish()
    }
}

/// Signs a [`PostPolicy`]. Made by [`Newtera::presigned_post_policy`].
#[derive(Debug)]
#[must_use = "a POST policy is only signed when awaited"]
pub struct PresignedPostPolicy {
    client: Newtera,
    policy: PostPolicy,
}

impl Newtera {
    /// Signs `policy` and returns the form a browser (or any HTTP client)
    /// uploads with. Sends nothing unless the bucket's region must be
    /// discovered. An anonymous client is refused.
    ///
    /// ```no_run
    /// # async fn demo(client: newtera_core::Newtera) -> Result<(), newtera_core::Error> {
    /// use std::time::{Duration, SystemTime};
    /// use newtera_core::PostPolicy;
    ///
    /// let policy = PostPolicy::new("my-bucket", SystemTime::now() + Duration::from_secs(10 * 86400))
    ///     .add_starts_with_condition("key", "my/object/prefix/")
    ///     .add_content_length_range_condition(1 << 20, 10 << 20);
    /// let form = client.presigned_post_policy(policy).await?;
    /// println!("POST {} with {:?}", form.url, form.form_data);
    /// # Ok(()) }
    /// ```
    pub fn presigned_post_policy(&self, policy: PostPolicy) -> PresignedPostPolicy {
        PresignedPostPolicy {
            client: self.clone(),
            policy,
        }
    }
}

impl PresignedPostPolicy {
    /// Signs the policy.
    pub async fn send(self) -> Result<PostPolicyForm> {
        const OP: &str = "presign POST policy";
        let policy = self.policy;
        policy.validate()?;
        let credentials = presign_credentials(&self.client, OP).await?;
        let region = self.client.region_for(Some(&policy.bucket)).await?;
        let inner = &self.client.inner;
        let params = SigningParams {
            credentials: &credentials,
            region: &region,
            service: "s3",
            time: SystemTime::now(),
        };
        let scope = inner
            .signer
            .post_policy_scope(&params)
            .map_err(sign_error)?;
        let token = credentials.session_token();
        let document = policy.document(scope.algorithm, &scope.credential, &scope.date, token);
        let encoded = base64::engine::general_purpose::STANDARD.encode(document.to_string());
        let signature = inner
            .signer
            .sign_post_policy(&encoded, &params)
            .map_err(sign_error)?;

        let mut form_data = BTreeMap::new();
        form_data.insert("x-amz-algorithm".to_owned(), scope.algorithm.to_owned());
        form_data.insert("x-amz-credential".to_owned(), scope.credential);
        form_data.insert("x-amz-date".to_owned(), scope.date);
        form_data.insert("policy".to_owned(), encoded);
        form_data.insert("x-amz-signature".to_owned(), signature);
        if let Some(token) = token {
            form_data.insert("x-amz-security-token".to_owned(), token.to_owned());
        }
        let url = inner
            .base
            .uri(
                &http::Method::POST,
                Some(&policy.bucket),
                None,
                &[],
                &region,
            )?
            .to_string();
        Ok(PostPolicyForm { url, form_data })
    }
}

into_future!(PresignedPostPolicy => PostPolicyForm);

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn base() -> PostPolicy {
        // 2026-01-01T00:00:00Z
        PostPolicy::new(
            "my-bucket",
            SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600),
        )
    }

    fn refused(p: &PostPolicy) -> bool {
        p.validate().is_err_and(|e| e.is_invalid_argument())
    }

    #[test]
    fn document_lists_conditions_in_order() {
        let p = base()
            .add_starts_with_condition("$key", "up/")
            .add_equals_condition("Content-Type", "text/plain")
            .add_equals_condition("success_action_status", "201")
            .add_equals_condition("Content-Type", "image/png")
            .add_content_length_range_condition(1, 1024);
        p.validate().unwrap();
        let doc = p.document(
            "AWS4-HMAC-SHA256",
            "AK/20260101/us-east-1/s3/aws4_request",
            "20260101T000000Z",
            Some("tok"),
        );
        assert_eq!(
            doc,
            json!({
                "expiration": "2026-01-01T00:00:00.000Z",
                "conditions": [
                    ["eq", "$bucket", "my-bucket"],
                    ["eq", "$Content-Type", "image/png"],
                    ["eq", "$success_action_status", "201"],
                    ["starts-with", "$key", "up/"],
                    ["content-length-range", 1, 1024],
                    ["eq", "$x-amz-algorithm", "AWS4-HMAC-SHA256"],
                    ["eq", "$x-amz-credential", "AK/20260101/us-east-1/s3/aws4_request"],
                    ["eq", "$x-amz-security-token", "tok"],
                    ["eq", "$x-amz-date", "20260101T000000Z"],
                ]
            })
        );
    }

    #[test]
    fn bad_conditions_are_refused() {
        let with_key = || base().add_equals_condition("key", "k");
        assert!(with_key().validate().is_ok());
        assert!(refused(&base()), "no key condition");
        assert!(refused(&with_key().add_equals_condition("", "x")));
        assert!(refused(&with_key().add_equals_condition("bucket", "x")));
        assert!(refused(
            &with_key().add_equals_condition("X-Amz-Signature", "x")
        ));
        assert!(refused(
            &with_key().add_equals_condition("success_action_redirect", "x")
        ));
        assert!(refused(
            &with_key().add_starts_with_condition("success_action_status", "2")
        ));
        assert!(refused(
            &with_key().add_starts_with_condition("x-amz-server-side-encryption", "")
        ));
        assert!(with_key()
            .add_starts_with_condition("x-amz-meta-tag", "")
            .validate()
            .is_ok());
        assert!(refused(
            &with_key().add_content_length_range_condition(2, 1)
        ));
        assert!(refused(
            &base()
                .add_equals_condition("key", "k")
                .remove_equals_condition("$key")
        ));
        assert!(refused(
            &PostPolicy::new("-not-a-bucket", SystemTime::now()).add_equals_condition("key", "k")
        ));
        let far = SystemTime::UNIX_EPOCH + Duration::from_secs(300_000_000_000);
        assert!(refused(
            &PostPolicy::new("b-1", far).add_equals_condition("key", "k")
        ));
    }
}
