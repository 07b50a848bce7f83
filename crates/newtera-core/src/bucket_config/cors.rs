//! get_bucket_cors, set_bucket_cors, delete_bucket_cors (not in the
//! reference SDK; browser uploads with presigned URLs need them).

use newtera_xml::CorsConfiguration;

use super::{bucket_config_op, ConfigBody};
use crate::client::Newtera;
use crate::error::{Error, Result};

/// The answer of a bucket without CORS rules.
const NOT_FOUND: &[&str] = &["NoSuchCORSConfiguration"];
/// The methods a CORS rule may allow.
const METHODS: &[&str] = &["GET", "PUT", "POST", "DELETE", "HEAD"];
/// Most rules S3 accepts in one configuration.
const MAX_RULES: usize = 100;

bucket_config_op! {
    /// Reads a bucket's CORS configuration. Built by
    /// [`Newtera::get_bucket_cors`]; `None` when it has none.
    GetBucketCors {} => Option<CorsConfiguration>
}

bucket_config_op! {
    /// Sets a bucket's CORS configuration. Built by [`Newtera::set_bucket_cors`].
    SetBucketCors { config: CorsConfiguration } => ()
}

bucket_config_op! {
    /// Removes a bucket's CORS configuration. Built by
    /// [`Newtera::delete_bucket_cors`].
    DeleteBucketCors {} => ()
}

impl Newtera {
    /// Gets the CORS configuration of a bucket.
    pub fn get_bucket_cors(&self, bucket_name: impl Into<String>) -> GetBucketCors {
        GetBucketCors {
            client: self.clone(),
            bucket: bucket_name.into(),
        }
    }

    /// Sets the CORS configuration of a bucket: 1 to 100 rules, each with
    /// at least one allowed method (`GET`, `PUT`, `POST`, `DELETE`, `HEAD`)
    /// and one allowed origin.
    pub fn set_bucket_cors(
        &self,
        bucket_name: impl Into<String>,
        config: CorsConfiguration,
    ) -> SetBucketCors {
        SetBucketCors {
            client: self.clone(),
            bucket: bucket_name.into(),
            config,
        }
    }

    /// Deletes the CORS configuration of a bucket (success when it had none).
    pub fn delete_bucket_cors(&self, bucket_name: impl Into<String>) -> DeleteBucketCors {
        DeleteBucketCors {
            client: self.clone(),
            bucket: bucket_name.into(),
        }
    }
}

impl GetBucketCors {
    /// Sends the request.
    pub async fn send(self) -> Result<Option<CorsConfiguration>> {
        self.client
            .get_bucket_config_doc(
                "GetBucketCors",
                &self.bucket,
                "cors",
                NOT_FOUND,
                CorsConfiguration::from_xml,
            )
            .await
    }
}

impl SetBucketCors {
    /// Sends the request.
    pub async fn send(self) -> Result<()> {
        const OP: &str = "PutBucketCors";
        check_cors(&self.config)?;
        let xml = self.config.to_xml().map_err(Error::xml(OP))?;
        self.client
            .put_bucket_config(OP, &self.bucket, "cors", ConfigBody::Xml(xml))
            .await
    }
}

impl DeleteBucketCors {
    /// Sends the request.
    pub async fn send(self) -> Result<()> {
        self.client
            .delete_bucket_config("DeleteBucketCors", &self.bucket, "cors", NOT_FOUND)
            .await
    }
}

fn check_cors(c: &CorsConfiguration) -> Result<()> {
    if c.rules.is_empty() || c.rules.len() > MAX_RULES {
        return Err(Error::arg(
            "config.rules",
            format!(
                "S3 takes 1 to {MAX_RULES} CORS rules, not {}",
                c.rules.len()
            ),
        ));
    }
    for (i, rule) in c.rules.iter().enumerate() {
        if rule.allowed_methods.is_empty() || rule.allowed_origins.is_empty() {
            return Err(Error::arg(
                "config.rules",
                format!("rule {i} needs at least one allowed method and one allowed origin"),
            ));
        }
        if let Some(m) = rule
            .allowed_methods
            .iter()
            .find(|m| !METHODS.contains(&m.as_str()))
        {
            return Err(Error::arg(
                "config.rules",
                format!("rule {i}: {m:?} is not one of GET, PUT, POST, DELETE, HEAD"),
            ));
        }
        if rule
            .allowed_origins
            .iter()
            .any(|o| o.matches('*').count() > 1)
        {
            return Err(Error::arg(
                "config.rules",
                format!("rule {i}: an allowed origin may hold one `*` at most"),
            ));
        }
        if rule.id.as_ref().is_some_and(|id| id.chars().count() > 255) {
            return Err(Error::arg(
                "config.rules",
                format!("rule {i}: the ID is longer than 255 characters"),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use newtera_xml::CorsRule;

    #[test]
    fn cors_rules() {
        let ok = |rules: Vec<CorsRule>| check_cors(&CorsConfiguration::new(rules)).is_ok();
        assert!(ok(vec![CorsRule::new(
            ["GET", "PUT"],
            ["https://a.example"]
        )]));
        assert!(!ok(vec![]));
        assert!(!ok(vec![CorsRule::new(["GET"], Vec::<String>::new())]));
        assert!(!ok(vec![CorsRule::new(Vec::<String>::new(), ["*"])]));
        assert!(!ok(vec![CorsRule::new(["get"], ["*"])]));
        assert!(!ok(vec![CorsRule::new(["GET"], ["*.*"])]));
        assert!(!ok(vec![
            CorsRule::new(["GET"], ["*"]).with_id("x".repeat(256))
        ]));
        assert!(!ok(vec![CorsRule::new(["GET"], ["*"]); 101]));
    }
}
