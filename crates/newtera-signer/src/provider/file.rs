//! Providers that read credentials files: the AWS shared credentials file and
//! the MinIO client (`mc`) configuration.

use std::fmt;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use serde::Deserialize;

use super::env::first_var;
use super::{Provider, ProviderFuture};
use crate::credentials::{Credentials, CredentialsError};

/// The user's home directory: `HOME`, or `USERPROFILE` on Windows.
fn home_dir() -> Option<PathBuf> {
    let non_empty = |v: std::ffi::OsString| (!v.is_empty()).then(|| PathBuf::from(v));
    let home = std::env::var_os("HOME").and_then(non_empty);
    if cfg!(windows) {
        home.or_else(|| std::env::var_os("USERPROFILE").and_then(non_empty))
    } else {
        home
    }
}

/// The last credentials parsed from a file, with what identifies the file's
/// version and the profile/alias they were selected by.
struct Cached {
    path: PathBuf,
    selector: String,
    len: u64,
    modified: Option<SystemTime>,
    credentials: Credentials,
}

/// Re-reads `path` unless its size and modification time are those of the
/// cached parse for the same `selector`; then `parse`s and caches the result.
fn load_cached(
    cache: &Mutex<Option<Cached>>,
    provider: &'static str,
    path: &Path,
    selector: &str,
    parse: impl FnOnce(&str) -> Result<Credentials, CredentialsError>,
) -> Result<Credentials, CredentialsError> {
    let io_err = |e: std::io::Error| {
        if e.kind() == ErrorKind::NotFound {
            CredentialsError::NotFound {
                provider,
                reason: format!("{} does not exist", path.display()),
            }
        } else if e.kind() == ErrorKind::InvalidData {
            CredentialsError::Parse {
                path: path.to_owned(),
                reason: "the file is not valid UTF-8".to_owned(),
            }
        } else {
            CredentialsError::Io {
                path: path.to_owned(),
                source: e,
            }
        }
    };
    let meta = std::fs::metadata(path).map_err(io_err)?;
    let (len, modified) = (meta.len(), meta.modified().ok());
    {
        let guard = cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(c) = guard.as_ref() {
            if c.path == path
                && c.selector == selector
                && c.len == len
                && c.modified.is_some()
                && c.modified == modified
            {
                return Ok(c.credentials.clone());
            }
        }
    }
    let text = std::fs::read_to_string(path).map_err(io_err)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let credentials = parse(text)?;
    *cache.lock().unwrap_or_else(|e| e.into_inner()) = Some(Cached {
        path: path.to_owned(),
        selector: selector.to_owned(),
        len,
        modified,
        credentials: credentials.clone(),
    });
    Ok(credentials)
}

/// Credentials from an AWS shared credentials file (INI).
///
/// The file is the one given, else `AWS_SHARED_CREDENTIALS_FILE`, else
/// `~/.aws/credentials`; the profile is the one given, else `AWS_PROFILE`,
/// else `default`. The profile's `aws_access_key_id`,
/// `aws_secret_access_key` and optional `aws_session_token` are used. Both
/// choices are made at each [`retrieve`](Provider::retrieve).
pub struct AwsConfigProvider {
    filename: Option<PathBuf>,
    profile: Option<String>,
    cache: Mutex<Option<Cached>>,
}

impl AwsConfigProvider {
    const NAME: &'static str = "aws-config";

    /// A provider reading `filename` (or the default file) for `profile` (or
    /// the default profile).
    pub fn new(filename: Option<PathBuf>, profile: Option<String>) -> Self {
        Self {
            filename,
            profile,
            cache: Mutex::new(None),
        }
    }

    fn read(&self) -> Result<Credentials, CredentialsError> {
        let path = match &self.filename {
            Some(p) => p.clone(),
            None => match first_var(Self::NAME, &["AWS_SHARED_CREDENTIALS_FILE"])? {
                Some(p) => PathBuf::from(p),
                None => home_dir()
                    .ok_or_else(|| CredentialsError::NotFound {
                        provider: Self::NAME,
                        reason: "no home directory (HOME not set)".to_owned(),
                    })?
                    .join(".aws")
                    .join("credentials"),
            },
        };
        let profile = match &self.profile {
            Some(p) => p.clone(),
            None => first_var(Self::NAME, &["AWS_PROFILE"])?.unwrap_or_else(|| "default".into()),
        };
        load_cached(&self.cache, Self::NAME, &path, &profile, |text| {
            parse_aws_credentials(text, &path, &profile)
        })
    }
}

impl fmt::Debug for AwsConfigProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwsConfigProvider")
            .field("filename", &self.filename)
            .field("profile", &self.profile)
            .finish_non_exhaustive()
    }
}

impl Provider for AwsConfigProvider {
    fn retrieve(&self) -> ProviderFuture<'_> {
        // The file is small and usually cached: reading it inline is cheaper
        // than a hop to a blocking thread.
        let r = self.read();
        Box::pin(async move { r })
    }

    fn name(&self) -> &'static str {
        Self::NAME
    }
}

/// Parses the INI text of an AWS credentials file and picks `profile`.
///
/// Errors name the line, never its content (it may hold a secret).
fn parse_aws_credentials(
    text: &str,
    path: &Path,
    profile: &str,
) -> Result<Credentials, CredentialsError> {
    let parse_err = |reason: String| CredentialsError::Parse {
        path: path.to_owned(),
        reason,
    };
    let mut in_profile = false;
    let mut found = false;
    let (mut ak, mut sk, mut token) = (None, None, None);
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            let name = rest
                .strip_suffix(']')
                .ok_or_else(|| parse_err(format!("line {}: unterminated section header", i + 1)))?;
            in_profile = name.trim() == profile;
            found |= in_profile;
            continue;
        }
        if raw.starts_with(char::is_whitespace) {
            // An indented line is a nested setting (e.g. under `s3 =`).
            continue;
        }
        let (key, value) = line
            .split_once('=')
            .ok_or_else(|| parse_err(format!("line {}: expected `name = value`", i + 1)))?;
        if !in_profile {
            continue;
        }
        let value = value.trim();
        match key.trim() {
            "aws_access_key_id" => ak = Some(value),
            "aws_secret_access_key" => sk = Some(value),
            "aws_session_token" => token = Some(value),
            _ => {}
        }
    }
    if !found {
        return Err(CredentialsError::NotFound {
            provider: AwsConfigProvider::NAME,
            reason: format!("no profile `{profile}` in {}", path.display()),
        });
    }
    let ak = ak
        .filter(|v| !v.is_empty())
        .ok_or_else(|| CredentialsError::NotFound {
            provider: AwsConfigProvider::NAME,
            reason: format!(
                "profile `{profile}` in {} has no aws_access_key_id",
                path.display()
            ),
        })?;
    let sk = sk.filter(|v| !v.is_empty()).ok_or_else(|| {
        parse_err(format!(
            "profile `{profile}` has aws_access_key_id but no aws_secret_access_key"
        ))
    })?;
    let token = token.filter(|v| !v.is_empty()).map(str::to_owned);
    Ok(Credentials::new(ak, sk, token))
}

/// Credentials from a MinIO client configuration file (`mc`'s
/// `config.json`).
///
/// The file is the one given, else `~/.mc/config.json`; the alias is the one
/// given, else `MINIO_ALIAS`, else `s3`. The alias's `accessKey`,
/// `secretKey` and optional `sessionToken` are used. Both choices are made at
/// each [`retrieve`](Provider::retrieve).
pub struct MinioClientConfigProvider {
    filename: Option<PathBuf>,
    alias: Option<String>,
    cache: Mutex<Option<Cached>>,
}

impl MinioClientConfigProvider {
    const NAME: &'static str = "minio-client-config";

    /// A provider reading `filename` (or the default file) for `alias` (or
    /// the default alias).
    pub fn new(filename: Option<PathBuf>, alias: Option<String>) -> Self {
        Self {
            filename,
            alias,
            cache: Mutex::new(None),
        }
    }

    fn read(&self) -> Result<Credentials, CredentialsError> {
        let path = match &self.filename {
            Some(p) => p.clone(),
            None => home_dir()
                .ok_or_else(|| CredentialsError::NotFound {
                    provider: Self::NAME,
                    reason: "no home directory (HOME not set)".to_owned(),
                })?
                .join(".mc")
                .join("config.json"),
        };
        let alias = match &self.alias {
            Some(a) => a.clone(),
            None => first_var(Self::NAME, &["MINIO_ALIAS"])?.unwrap_or_else(|| "s3".into()),
        };
        load_cached(&self.cache, Self::NAME, &path, &alias, |text| {
            parse_mc_config(text, &path, &alias)
        })
    }
}

impl fmt::Debug for MinioClientConfigProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MinioClientConfigProvider")
            .field("filename", &self.filename)
            .field("alias", &self.alias)
            .finish_non_exhaustive()
    }
}

impl Provider for MinioClientConfigProvider {
    fn retrieve(&self) -> ProviderFuture<'_> {
        let r = self.read();
        Box::pin(async move { r })
    }

    fn name(&self) -> &'static str {
        Self::NAME
    }
}

#[derive(Deserialize)]
struct McConfig {
    // Old `mc` versions called the map `hosts`.
    #[serde(default, alias = "hosts")]
    aliases: serde_json::Map<String, serde_json::Value>,
}

#[derive(Deserialize)]
struct McAlias {
    #[serde(default, rename = "accessKey")]
    access_key: Option<String>,
    #[serde(default, rename = "secretKey")]
    secret_key: Option<String>,
    #[serde(default, rename = "sessionToken")]
    session_token: Option<String>,
}

/// Parses `mc`'s config.json and picks `alias`.
///
/// serde_json's messages can quote input, so errors say only where and what
/// kind of error occurred.
fn parse_mc_config(text: &str, path: &Path, alias: &str) -> Result<Credentials, CredentialsError> {
    let config: McConfig = serde_json::from_str(text).map_err(|e| CredentialsError::Parse {
        path: path.to_owned(),
        reason: format!(
            "invalid config ({:?} error) at line {}, column {}",
            e.classify(),
            e.line(),
            e.column()
        ),
    })?;
    let entry = config
        .aliases
        .get(alias)
        .ok_or_else(|| CredentialsError::NotFound {
            provider: MinioClientConfigProvider::NAME,
            reason: format!("no alias `{alias}` in {}", path.display()),
        })?;
    let entry = McAlias::deserialize(entry).map_err(|_| CredentialsError::Parse {
        path: path.to_owned(),
        reason: format!("alias `{alias}` is not an object with string accessKey and secretKey"),
    })?;
    let ak =
        entry
            .access_key
            .filter(|v| !v.is_empty())
            .ok_or_else(|| CredentialsError::NotFound {
                provider: MinioClientConfigProvider::NAME,
                reason: format!("alias `{alias}` in {} has no accessKey", path.display()),
            })?;
    let sk = entry
        .secret_key
        .filter(|v| !v.is_empty())
        .ok_or_else(|| CredentialsError::Parse {
            path: path.to_owned(),
            reason: format!("alias `{alias}` has an accessKey but no secretKey"),
        })?;
    let token = entry.session_token.filter(|v| !v.is_empty());
    Ok(Credentials::new(ak, sk, token))
}

#[cfg(test)]
mod tests {
    use super::super::EnvGuard;
    use super::*;

    const AWS_FILE: &str = "\
# comment
[default]
aws_access_key_id = AKIDDEFAULT
aws_secret_access_key = default/secret+key
s3 =
    max_concurrent_requests = 20

; another comment
[work]
aws_access_key_id=AKIDWORK
aws_secret_access_key=work-secret
aws_session_token = work-token
";

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[tokio::test]
    async fn aws_file_profiles() {
        let mut env = EnvGuard::new();
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "credentials", AWS_FILE);

        let p = AwsConfigProvider::new(Some(path.clone()), None);
        let c = p.retrieve().await.unwrap();
        assert_eq!(c.access_key(), "AKIDDEFAULT");
        assert_eq!(c.secret_key(), "default/secret+key");
        assert_eq!(c.session_token(), None);

        // AWS_PROFILE picks the profile at retrieve time.
        env.set("AWS_PROFILE", "work");
        let c = p.retrieve().await.unwrap();
        assert_eq!(c.access_key(), "AKIDWORK");
        assert_eq!(c.session_token(), Some("work-token"));

        // An explicit profile wins over AWS_PROFILE.
        let p2 = AwsConfigProvider::new(Some(path.clone()), Some("default".into()));
        assert_eq!(p2.retrieve().await.unwrap().access_key(), "AKIDDEFAULT");

        // Missing profile: NotFound.
        let p3 = AwsConfigProvider::new(Some(path.clone()), Some("nope".into()));
        let err = p3.retrieve().await.unwrap_err();
        assert!(matches!(err, CredentialsError::NotFound { .. }), "{err:?}");

        for p in [&p, &p2, &p3] {
            let dbg = format!("{p:?}");
            assert!(!dbg.contains("secret") && !dbg.contains("token"), "{dbg}");
        }
    }

    #[tokio::test]
    async fn aws_file_from_env_and_home() {
        let mut env = EnvGuard::new();
        let dir = tempfile::tempdir().unwrap();
        let p = AwsConfigProvider::new(None, None);

        // No HOME: NotFound. HOME without the file: NotFound.
        assert!(matches!(
            p.retrieve().await,
            Err(CredentialsError::NotFound { .. })
        ));
        env.set("HOME", dir.path());
        assert!(matches!(
            p.retrieve().await,
            Err(CredentialsError::NotFound { .. })
        ));

        std::fs::create_dir(dir.path().join(".aws")).unwrap();
        write(&dir.path().join(".aws"), "credentials", AWS_FILE);
        assert_eq!(p.retrieve().await.unwrap().access_key(), "AKIDDEFAULT");

        let other = write(
            dir.path(),
            "other",
            "[default]\naws_access_key_id=AKIDOTHER\naws_secret_access_key=x\n",
        );
        env.set("AWS_SHARED_CREDENTIALS_FILE", &other);
        assert_eq!(p.retrieve().await.unwrap().access_key(), "AKIDOTHER");

        // A rewritten file is re-read.
        std::fs::write(
            &other,
            "[default]\naws_access_key_id=AKIDROTATED\naws_secret_access_key=yy\n",
        )
        .unwrap();
        assert_eq!(p.retrieve().await.unwrap().access_key(), "AKIDROTATED");
    }

    #[tokio::test]
    async fn aws_file_errors_hide_values() {
        let _env = EnvGuard::new();
        let dir = tempfile::tempdir().unwrap();
        let bad = write(
            dir.path(),
            "bad",
            "[default]\naws_access_key_id = AKID\nwJalrXUtnFEMI-leaked-secret\n",
        );
        let err = AwsConfigProvider::new(Some(bad), None)
            .retrieve()
            .await
            .unwrap_err();
        assert!(matches!(err, CredentialsError::Parse { .. }), "{err:?}");
        let msg = format!("{err} {err:?}");
        assert!(msg.contains("line 3"), "{msg}");
        assert!(!msg.contains("leaked-secret"), "{msg}");

        let no_secret = write(
            dir.path(),
            "nosecret",
            "[default]\naws_access_key_id = AKID\n",
        );
        let err = AwsConfigProvider::new(Some(no_secret), None)
            .retrieve()
            .await
            .unwrap_err();
        assert!(matches!(err, CredentialsError::Parse { .. }), "{err:?}");

        let no_key = write(dir.path(), "nokey", "[default]\nregion = us-east-1\n");
        let err = AwsConfigProvider::new(Some(no_key), None)
            .retrieve()
            .await
            .unwrap_err();
        assert!(matches!(err, CredentialsError::NotFound { .. }), "{err:?}");

        let missing = AwsConfigProvider::new(Some(dir.path().join("absent")), None);
        assert!(matches!(
            missing.retrieve().await,
            Err(CredentialsError::NotFound { .. })
        ));

        // A directory is not a readable file: Io.
        let err = AwsConfigProvider::new(Some(dir.path().to_owned()), None)
            .retrieve()
            .await
            .unwrap_err();
        assert!(matches!(err, CredentialsError::Io { .. }), "{err:?}");
    }

    const MC_FILE: &str = r#"{
  "version": "10",
  "aliases": {
    "s3": {"url": "https://s3.amazonaws.com", "accessKey": "MCAK", "secretKey": "mc-secret", "api": "s3v4", "path": "auto"},
    "local": {"url": "http://127.0.0.1:9000", "accessKey": "LOCALAK", "secretKey": "local-secret", "sessionToken": "local-token", "api": "S3v4", "path": "auto"},
    "anon": {"url": "https://play.min.io", "accessKey": "", "secretKey": "", "api": "S3v4", "path": "auto"},
    "broken": {"url": "x", "accessKey": 5, "secretKey": "broken-secret"}
  }
}"#;

    #[tokio::test]
    async fn mc_config_aliases() {
        let mut env = EnvGuard::new();
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "config.json", MC_FILE);

        let p = MinioClientConfigProvider::new(Some(path.clone()), None);
        let c = p.retrieve().await.unwrap();
        assert_eq!((c.access_key(), c.secret_key()), ("MCAK", "mc-secret"));

        env.set("MINIO_ALIAS", "local");
        let c = p.retrieve().await.unwrap();
        assert_eq!(c.access_key(), "LOCALAK");
        assert_eq!(c.session_token(), Some("local-token"));

        let named = |a: &str| MinioClientConfigProvider::new(Some(path.clone()), Some(a.into()));
        assert_eq!(named("s3").retrieve().await.unwrap().access_key(), "MCAK");
        assert!(matches!(
            named("missing").retrieve().await,
            Err(CredentialsError::NotFound { .. })
        ));
        assert!(matches!(
            named("anon").retrieve().await,
            Err(CredentialsError::NotFound { .. })
        ));
        let err = named("broken").retrieve().await.unwrap_err();
        assert!(matches!(err, CredentialsError::Parse { .. }), "{err:?}");
        assert!(!format!("{err} {err:?}").contains("broken-secret"));

        let dbg = format!("{p:?}");
        assert!(!dbg.contains("secret") && !dbg.contains("token"), "{dbg}");
    }

    #[tokio::test]
    async fn mc_config_default_path_and_errors() {
        let mut env = EnvGuard::new();
        let dir = tempfile::tempdir().unwrap();
        let p = MinioClientConfigProvider::new(None, None);
        assert!(matches!(
            p.retrieve().await,
            Err(CredentialsError::NotFound { .. })
        ));
        env.set("HOME", dir.path());
        assert!(matches!(
            p.retrieve().await,
            Err(CredentialsError::NotFound { .. })
        ));
        std::fs::create_dir(dir.path().join(".mc")).unwrap();
        write(&dir.path().join(".mc"), "config.json", MC_FILE);
        assert_eq!(p.retrieve().await.unwrap().access_key(), "MCAK");

        // Invalid JSON: Parse, without quoting the input.
        let bad = write(
            dir.path(),
            "bad.json",
            r#"{"aliases": {"s3": {"secretKey": "json-leaked-secret" "accessKey": 1}}}"#,
        );
        let err = MinioClientConfigProvider::new(Some(bad), None)
            .retrieve()
            .await
            .unwrap_err();
        assert!(matches!(err, CredentialsError::Parse { .. }), "{err:?}");
        let msg = format!("{err} {err:?}");
        assert!(!msg.contains("json-leaked-secret"), "{msg}");
        assert!(msg.contains("line 1"), "{msg}");
    }
}
