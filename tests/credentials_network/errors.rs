//! Typed errors, without secrets, when endpoints are down or broken.

use super::support::*;

#[tokio::test]
async fn endpoints_down_or_broken_give_typed_errors() {
    let _env = EnvGuard::new().await;
    let dead = dead_url().await;
    let quick =
        || -> newtera::transport::RetryConfig { newtera::transport::RetryConfig::disabled() };

    let ecs = EcsProvider::from_env()
        .relative_uri("/c")
        .relative_base(dead.clone())
        .authorization_token("down-token")
        .transport_config(Arc::new(move |b: TransportBuilder| b.retry(quick())));
    let e = ecs.retrieve().await.unwrap_err();
    match network_error(&e) {
        NetworkCredentialsError::Transport { source, .. } => assert!(source.is_connect()),
        other => panic!("{other:?}"),
    }
    assert!(!error_text(&e).contains("down-token"));

    let imds = ImdsProvider::new().endpoint(dead.clone());
    let e = imds.retrieve().await.unwrap_err();
    assert!(matches!(
        network_error(&e),
        NetworkCredentialsError::Transport { .. }
    ));
    assert!(matches!(
        e,
        CredentialsError::Provider {
            provider: "imds",
            ..
        }
    ));

    let base: Arc<dyn Provider> = Arc::new(StaticProvider::new("AK", "base-secret", None));
    let sts = AssumeRoleProvider::new(base, ROLE_ARN).endpoint(dead.clone());
    let e = sts.retrieve().await.unwrap_err();
    assert!(matches!(
        network_error(&e),
        NetworkCredentialsError::Transport { .. }
    ));
    assert!(!error_text(&e).contains("base-secret"));

    // Broken answers: malformed JSON, a 500, an IMDS without a role.
    let broken = Meta::start(
        Duration::ZERO,
        Arc::new(|hit: &Hit, _| match hit.path.as_str() {
            "/json" => (
                200,
                r#"{"AccessKeyId":"AK","SecretAccessKey":"leaked-secret""#.to_owned(),
            ),
            "/latest/api/token" => (200, "tok".to_owned()),
            "/latest/meta-data/iam/security-credentials/" => (200, String::new()),
            _ => (500, "oops".to_owned()),
        }),
    )
    .await;
    let e = EcsProvider::from_env()
        .relative_uri("/json")
        .relative_base(broken.url.clone())
        .retrieve()
        .await
        .unwrap_err();
    assert!(matches!(
        network_error(&e),
        NetworkCredentialsError::InvalidResponse { .. }
    ));
    assert!(!error_text(&e).contains("leaked-secret"));
    let e = EcsProvider::from_env()
        .relative_uri("/500")
        .relative_base(broken.url.clone())
        .transport_config(Arc::new(move |b: TransportBuilder| b.retry(quick())))
        .retrieve()
        .await
        .unwrap_err();
    assert_eq!(network_error(&e).status(), Some(500));
    let e = ImdsProvider::new()
        .endpoint(broken.url.clone())
        .retrieve()
        .await
        .unwrap_err();
    assert!(matches!(
        network_error(&e),
        NetworkCredentialsError::InvalidResponse { .. }
    ));

    // STS answering an error document: code and message are kept, and a
    // web identity token echoed in the message is masked.
    let sts = Meta::start(
        Duration::ZERO,
        Arc::new(|_: &Hit, _| {
            (
                403,
                "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error>\
                 <Type>Sender</Type><Code>AccessDenied</Code><Message>token echoed-token-xyz \
                 is not authorized</Message></Error><RequestId>r1</RequestId></ErrorResponse>"
                    .to_owned(),
            )
        }),
    )
    .await;
    let base: Arc<dyn Provider> = Arc::new(StaticProvider::new("AK", "base-secret", None));
    let e = AssumeRoleProvider::new(base, ROLE_ARN)
        .endpoint(sts.url.clone())
        .retrieve()
        .await
        .unwrap_err();
    match network_error(&e) {
        NetworkCredentialsError::Status {
            status: 403,
            code: Some(code),
            message: Some(_),
            ..
        } => assert_eq!(code, "AccessDenied"),
        other => panic!("{other:?}"),
    }
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("t");
    std::fs::write(&token_file, "echoed-token-xyz").unwrap();
    let e = WebIdentityProvider::new(&token_file, ROLE_ARN)
        .endpoint(sts.url.clone())
        .retrieve()
        .await
        .unwrap_err();
    let text = error_text(&e);
    assert!(text.contains("AccessDenied"), "{text}");
    assert!(!text.contains("echoed-token-xyz"), "{text}");
}
