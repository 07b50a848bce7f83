//! STS AssumeRole and AssumeRoleWithWebIdentity on moto.

use super::support::*;

#[tokio::test]
async fn assume_role_on_moto_signs_real_requests() {
    let moto = newtera_testkit::moto();
    let base: Arc<dyn Provider> = Arc::new(StaticProvider::new(
        moto.access_key.clone(),
        moto.secret_key.clone(),
        None,
    ));
    // Capture the STS request itself: signed for service `sts` with the base key.
    let sts_seen = Seen::default();
    let layer_src = sts_seen.clone();
    let role = AssumeRoleProvider::new(base, ROLE_ARN)
        .endpoint(moto.url())
        .region(moto.region.clone())
        .session_name("newtera-it")
        .duration(Duration::from_secs(900))
        .external_id("ext-123")
        .transport_config(Arc::new(move |b: TransportBuilder| {
            b.layer(layer_src.layer())
        }));
    let dbg = format!("{role:?}");
    assert!(!dbg.contains(&moto.secret_key), "{dbg}");

    let cached = Arc::new(CachedProvider::new(role));
    let creds = cached.retrieve().await.unwrap();
    assert!(creds.access_key().starts_with("ASIA"), "{creds:?}");
    assert_ne!(creds.access_key(), moto.access_key);
    let token = creds.session_token().expect("session token").to_owned();
    assert!(!token.is_empty());
    assert!(creds.expiration().is_some());

    let sts_requests = sts_seen.all();
    assert_eq!(sts_requests.len(), 1);
    let auth = header(&sts_requests[0], "authorization");
    assert!(
        auth.contains(&format!("Credential={}/", moto.access_key))
            && auth.contains(&format!("/{}/sts/aws4_request", moto.region)),
        "{auth}"
    );

    // The S3 client signs with the assumed role's keys and token.
    let seen = Seen::default();
    let c = client(moto, cached.clone(), &seen);
    let bucket = newtera_testkit::unique_bucket("creds-assume-role");
    c.make_bucket(&bucket).await.unwrap();
    let names: Vec<String> = c
        .list_buckets()
        .await
        .unwrap()
        .into_iter()
        .map(|b| b.name)
        .collect();
    assert!(names.contains(&bucket));
    c.remove_bucket(&bucket).await.unwrap();
    assert_signed_with(&seen, creds.access_key(), Some(&token));
    // Still one STS call: the cache served every request.
    assert_eq!(sts_seen.all().len(), 1);
}

#[tokio::test]
async fn web_identity_on_moto_signs_real_requests() {
    let moto = newtera_testkit::moto();
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("token");
    let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJuZXd0ZXJhIn0.c2VjcmV0LXdlYi1pZGVudGl0eQ";
    std::fs::write(&token_file, format!("{jwt}\n")).unwrap();

    let sts_seen = Seen::default();
    let layer_src = sts_seen.clone();
    let provider = WebIdentityProvider::new(&token_file, ROLE_ARN)
        .endpoint(moto.url())
        .session_name("newtera-web")
        .transport_config(Arc::new(move |b: TransportBuilder| {
            b.layer(layer_src.layer())
        }));
    assert!(!format!("{provider:?}").contains(jwt));
    let cached = Arc::new(CachedProvider::new(provider));
    let creds = cached.retrieve().await.unwrap();
    assert!(creds.access_key().starts_with("ASIA"), "{creds:?}");
    let token = creds.session_token().expect("session token").to_owned();
    // AssumeRoleWithWebIdentity is not signed.
    let sts_requests = sts_seen.all();
    assert_eq!(sts_requests.len(), 1);
    assert!(!sts_requests[0].contains_key("authorization"));

    let seen = Seen::default();
    let c = client(moto, cached, &seen);
    c.list_buckets().await.unwrap();
    assert_signed_with(&seen, creds.access_key(), Some(&token));

    // STS down: a typed transport error that never shows the token.
    let down = WebIdentityProvider::new(&token_file, ROLE_ARN)
        .endpoint(dead_url().await)
        .transport_config(Arc::new(|b: TransportBuilder| {
            b.retry(newtera::transport::RetryConfig::disabled())
        }));
    let e = down.retrieve().await.unwrap_err();
    assert!(matches!(
        network_error(&e),
        NetworkCredentialsError::Transport { .. }
    ));
    assert!(!error_text(&e).contains(jwt), "{}", error_text(&e));

    // A missing token file: an I/O error naming the file, not its content.
    let missing = WebIdentityProvider::new(dir.path().join("nope"), ROLE_ARN).endpoint(moto.url());
    let e = missing.retrieve().await.unwrap_err();
    assert!(matches!(
        network_error(&e),
        NetworkCredentialsError::Io { .. }
    ));
}

#[tokio::test]
async fn web_identity_from_env_and_default_chain() {
    let moto = newtera_testkit::moto();
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, "env-web-identity-token").unwrap();

    let mut env = EnvGuard::new().await;
    for k in [
        "AWS_ACCESS_KEY_ID",
        "AWS_ACCESS_KEY",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SECRET_KEY",
        "AWS_SESSION_TOKEN",
        "MINIO_ACCESS_KEY",
        "MINIO_SECRET_KEY",
        "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_PROFILE",
        "MINIO_ALIAS",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
        "AWS_ROLE_SESSION_NAME",
    ] {
        env.set(k, None);
    }
    env.set("HOME", Some(dir.path().to_str().unwrap()));
    env.set("AWS_EC2_METADATA_DISABLED", Some("true"));
    env.set("AWS_WEB_IDENTITY_TOKEN_FILE", None);
    env.set("AWS_ROLE_ARN", None);

    // Nothing configured: NotFound naming every provider of the chain.
    let chain = newtera::default_chain();
    let e = chain.retrieve().await.unwrap_err();
    let msg = e.to_string();
    for name in [
        "env-aws",
        "env-minio",
        "aws-config",
        "minio-client-config",
        "web-identity",
        "ecs",
        "imds",
    ] {
        assert!(msg.contains(name), "{msg}");
    }

    // Web identity configured by the environment (read at retrieve time).
    env.set("AWS_WEB_IDENTITY_TOKEN_FILE", token_file.to_str());
    env.set("AWS_ROLE_ARN", Some(ROLE_ARN));
    env.set("AWS_ROLE_SESSION_NAME", Some("from-env"));
    env.set("AWS_ENDPOINT_URL_STS", Some(&moto.url()));
    let direct = WebIdentityProvider::from_env().retrieve().await.unwrap();
    assert!(direct.access_key().starts_with("ASIA"));

    let chain: Arc<dyn Provider> = Arc::new(newtera::default_chain());
    let creds = chain.retrieve().await.unwrap();
    assert!(creds.access_key().starts_with("ASIA"), "{creds:?}");
    // Cached inside the chain: the same credentials again.
    assert_eq!(chain.retrieve().await.unwrap(), creds);

    let seen = Seen::default();
    let c = client(moto, chain, &seen);
    c.list_buckets().await.unwrap();
    assert_signed_with(&seen, creds.access_key(), creds.session_token());

    // IMDS disabled: NotFound at once.
    let e = ImdsProvider::new().retrieve().await.unwrap_err();
    assert!(matches!(e, CredentialsError::NotFound { .. }), "{e:?}");
}
