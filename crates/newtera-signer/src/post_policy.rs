//! POST policy signing ([`Signer::post_policy_scope`],
//! [`Signer::sign_post_policy`]).
//!
//! A browser-style form upload (S3 `PostObject`) carries a base64-encoded
//! JSON policy and its SigV4 signature: the HMAC-SHA256, keyed with the
//! derived signing key, of the base64 text itself (the policy is the whole
//! string to sign). The policy must name the algorithm, credential and date
//! it is signed with, so a caller first asks for them
//! ([`post_policy_scope`](Signer::post_policy_scope)), writes them into the
//! policy, encodes it, then signs it with the same parameters.

use hmac::Mac;

use crate::canonical::{hex_lower, AmzDate, Scope, ALGORITHM};
use crate::sign::{SignError, Signer, SigningParams};

/// What a POST policy signed with some [`SigningParams`] must state, as the
/// form fields `x-amz-algorithm`, `x-amz-credential` and `x-amz-date` and as
/// equality conditions of the policy.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PostPolicyScope {
    /// `AWS4-HMAC-SHA256`.
    pub algorithm: &'static str,
    /// `ACCESS-KEY/YYYYMMDD/region/service/aws4_request`.
    pub credential: String,
    /// The signing time, `YYYYMMDDTHHMMSSZ`.
    pub date: String,
}

impl Signer {
    /// The algorithm, credential and date a POST policy signed with `params`
    /// carries. Fails only for a signing time outside 1970 ..= 9999.
    pub fn post_policy_scope(
        &self,
        params: &SigningParams<'_>,
    ) -> Result<PostPolicyScope, SignError> {
        let date = AmzDate::new(params.time)?;
        let scope = Scope::new(&date, params.region, params.service);
        Ok(PostPolicyScope {
            algorithm: ALGORITHM,
            credential: format!("{}/{scope}", params.credentials.access_key()),
            date: date.date_time().to_owned(),
        })
    }

    /// The lowercase hex `x-amz-signature` of a POST policy:
    /// HMAC-SHA256 of `policy_base64` (the base64 text, exactly as it goes in
    /// the form's `policy` field) keyed with the signing key of `params`'
    /// day, region and service. The policy should state the values of
    /// [`post_policy_scope`](Self::post_policy_scope) for the same `params`.
    pub fn sign_post_policy(
        &self,
        policy_base64: &str,
        params: &SigningParams<'_>,
    ) -> Result<String, SignError> {
        let date = AmzDate::new(params.time)?;
        let mut mac = self.signing_mac(&date, params);
        mac.update(policy_base64.as_bytes());
        Ok(hex_lower(&mac.finalize().into_bytes().into())
            .as_str()
            .to_owned())
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;
    use crate::sign::tests::{AK, SK};
    use crate::Credentials;

    /// The policy of the AWS S3 API reference example "Browser-Based Upload
    /// using HTTP POST (Using AWS Signature Version 4)", base64 as published.
    const AWS_POLICY: &str = "eyAiZXhwaXJhdGlvbiI6ICIyMDE1LTEyLTMwVDEyOjAwOjAwLjAwMFoiLA0KICAiY29uZGl0aW9ucyI6IFsNCiAgICB7ImJ1Y2tldCI6ICJzaWd2NGV4YW1wbGVidWNrZXQifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRrZXkiLCAidXNlci91c2VyMS8iXSwNCiAgICB7ImFjbCI6ICJwdWJsaWMtcmVhZCJ9LA0KICAgIHsic3VjY2Vzc19hY3Rpb25fcmVkaXJlY3QiOiAiaHR0cDovL3NpZ3Y0ZXhhbXBsZWJ1Y2tldC5zMy5hbWF6b25hd3MuY29tL3N1Y2Nlc3NmdWxfdXBsb2FkLmh0bWwifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRDb250ZW50LVR5cGUiLCAiaW1hZ2UvIl0sDQogICAgeyJ4LWFtei1tZXRhLXV1aWQiOiAiMTQzNjUxMjM2NTEyNzQifSwNCiAgICB7IngtYW16LXNlcnZlci1zaWRlLWVuY3J5cHRpb24iOiAiQUVTMjU2In0sDQogICAgWyJzdGFydHMtd2l0aCIsICIkeC1hbXotbWV0YS10YWciLCAiIl0sDQoNCiAgICB7IngtYW16LWNyZWRlbnRpYWwiOiAiQUtJQUlPU0ZPRE5ON0VYQU1QTEUvMjAxNTEyMjkvdXMtZWFzdC0xL3MzL2F3czRfcmVxdWVzdCJ9LA0KICAgIHsieC1hbXotYWxnb3JpdGhtIjogIkFXUzQtSE1BQy1TSEEyNTYifSwNCiAgICB7IngtYW16LWRhdGUiOiAiMjAxNTEyMjlUMDAwMDAwWiIgfQ0KICBdDQp9";

    #[test]
    fn aws_example_post_policy() {
        let c = Credentials::new(AK, SK, None);
        // 2015-12-29T00:00:00Z
        let params = SigningParams {
            credentials: &c,
            region: "us-east-1",
            service: "s3",
            time: UNIX_EPOCH + Duration::from_secs(1_451_347_200),
        };
        let s = Signer::new();
        let scope = s.post_policy_scope(&params).unwrap();
        assert_eq!(
            scope,
            PostPolicyScope {
                algorithm: "AWS4-HMAC-SHA256",
                credential: "AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request".into(),
                date: "20151229T000000Z".into(),
            }
        );
        assert_eq!(
            s.sign_post_policy(AWS_POLICY, &params).unwrap(),
            "8afdbf4008c03f22c2cd3cdb72e4afbb1f6a588f3255ac628749a66d7f09699e"
        );
        // The cached key gives the same signature.
        assert_eq!(
            s.sign_post_policy(AWS_POLICY, &params).unwrap(),
            "8afdbf4008c03f22c2cd3cdb72e4afbb1f6a588f3255ac628749a66d7f09699e"
        );
    }

    #[test]
    fn post_policy_time_out_of_range() {
        let c = Credentials::new(AK, SK, None);
        let params = SigningParams {
            credentials: &c,
            region: "us-east-1",
            service: "s3",
            time: UNIX_EPOCH - Duration::from_secs(1),
        };
        let s = Signer::new();
        assert!(matches!(
            s.post_policy_scope(&params),
            Err(SignError::InvalidTime)
        ));
        assert!(matches!(
            s.sign_post_policy("e30=", &params),
            Err(SignError::InvalidTime)
        ));
    }
}
