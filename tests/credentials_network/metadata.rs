//! The ECS and EC2 (IMDSv2) metadata endpoints, on a local server handing out garage's real keys.

use super::support::*;

#[tokio::test]
async fn ecs_relative_uri_with_garage_keys() {
    let garage = newtera_testkit::garage();
    let (ak, sk) = (garage.access_key.clone(), garage.secret_key.clone());
    let meta = Meta::start(
        Duration::ZERO,
        Arc::new(move |hit: &Hit, _| {
            if hit.method == "GET"
                && hit.path == "/v2/credentials/task-1"
                && hit.header("authorization") == Some("ecs-auth-token")
            {
                (200, creds_json(&ak, &sk, None, Duration::from_secs(3600)))
            } else {
                (403, r#"{"error":"denied"}"#.to_owned())
            }
        }),
    )
    .await;
    let ecs = EcsProvider::from_env()
        .relative_uri("/v2/credentials/task-1")
        .relative_base(meta.url.clone())
        .authorization_token("ecs-auth-token");
    assert!(!format!("{ecs:?}").contains("ecs-auth-token"));
    let cached = Arc::new(CachedProvider::new(ecs));

    let seen = Seen::default();
    let c = client(garage, cached, &seen);
    let bucket = newtera_testkit::unique_bucket("creds-ecs");
    c.make_bucket(&bucket).await.unwrap();
    let names: Vec<String> = c
        .list_buckets()
        .await
        .unwrap()
        .into_iter()
        .map(|b| b.name)
        .collect();
    assert!(names.contains(&bucket), "{names:?}");
    c.remove_bucket(&bucket).await.unwrap();
    assert_signed_with(&seen, &garage.access_key, None);
    // One fetch for all three requests.
    assert_eq!(meta.hits().len(), 1);
    assert_eq!(meta.hits()[0].header("accept"), Some("application/json"));

    // A wrong token: the endpoint's 403 as a typed error without the token.
    let bad = EcsProvider::from_env()
        .relative_uri("/v2/credentials/task-1")
        .relative_base(meta.url.clone())
        .authorization_token("wrong-token");
    let e = bad.retrieve().await.unwrap_err();
    assert_eq!(network_error(&e).status(), Some(403));
    assert!(!error_text(&e).contains("wrong-token"));
}

#[tokio::test]
async fn ecs_full_uri_token_file_and_session_token() {
    let moto = newtera_testkit::moto();
    let meta = Meta::start(
        Duration::ZERO,
        Arc::new(|hit: &Hit, _| {
            if hit.path == "/creds?id=7" && hit.header("authorization") == Some("file-token") {
                (
                    200,
                    creds_json(
                        "ASIAECSFULLURI",
                        "ecs-full-secret",
                        Some("ecs-session-token"),
                        Duration::from_secs(3600),
                    ),
                )
            } else {
                (401, String::new())
            }
        }),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("auth");
    std::fs::write(&token_file, "file-token\n").unwrap();
    let ecs = EcsProvider::from_env()
        .full_uri(format!("{}/creds?id=7", meta.url))
        .authorization_token_file(&token_file);
    let seen = Seen::default();
    let c = client(moto, Arc::new(CachedProvider::new(ecs)), &seen);
    c.list_buckets().await.unwrap();
    assert_signed_with(&seen, "ASIAECSFULLURI", Some("ecs-session-token"));

    // Plain http to a non-loopback host is refused before any request.
    let far = EcsProvider::from_env().full_uri("http://192.0.2.1/creds");
    let e = far.retrieve().await.unwrap_err();
    assert!(matches!(
        network_error(&e),
        NetworkCredentialsError::Config(_)
    ));
}

#[tokio::test]
async fn imds_v2_token_flow_with_garage_keys() {
    let _env = EnvGuard::new().await;
    let garage = newtera_testkit::garage();
    let (ak, sk) = (garage.access_key.clone(), garage.secret_key.clone());
    let meta = Meta::start(
        Duration::ZERO,
        Arc::new(move |hit: &Hit, _| {
            const BASE: &str = "/latest/meta-data/iam/security-credentials/";
            match (hit.method.as_str(), hit.path.as_str()) {
                ("PUT", "/latest/api/token") => {
                    if hit.header("x-aws-ec2-metadata-token-ttl-seconds") == Some("21600") {
                        (200, "imds-session-AAAA".to_owned())
                    } else {
                        (400, String::new())
                    }
                }
                _ if hit.header("x-aws-ec2-metadata-token") != Some("imds-session-AAAA") => {
                    (401, String::new())
                }
                ("GET", BASE) => (200, "newtera-role\n".to_owned()),
                ("GET", p) if p == format!("{BASE}newtera-role") => (
                    200,
                    creds_json(&ak, &sk, None, Duration::from_secs(6 * 3600)),
                ),
                _ => (404, String::new()),
            }
        }),
    )
    .await;
    let imds = ImdsProvider::new().endpoint(meta.url.clone());
    let seen = Seen::default();
    let c = client(garage, Arc::new(CachedProvider::new(imds)), &seen);
    c.list_buckets().await.unwrap();
    assert_signed_with(&seen, &garage.access_key, None);

    let hits = meta.hits();
    let flow: Vec<(&str, &str)> = hits
        .iter()
        .map(|h| (h.method.as_str(), h.path.as_str()))
        .collect();
    assert_eq!(
        flow,
        [
            ("PUT", "/latest/api/token"),
            ("GET", "/latest/meta-data/iam/security-credentials/"),
            (
                "GET",
                "/latest/meta-data/iam/security-credentials/newtera-role"
            ),
        ]
    );
    assert!(hits[0].header("x-aws-ec2-metadata-token").is_none());
    for h in &hits[1..] {
        assert_eq!(
            h.header("x-aws-ec2-metadata-token"),
            Some("imds-session-AAAA")
        );
    }

    // Wrong keys served: garage refuses them, so the success above was real.
    let liar = Meta::start(
        Duration::ZERO,
        Arc::new(|hit: &Hit, _| match hit.method.as_str() {
            "PUT" => (200, "t".to_owned()),
            _ if hit.path.ends_with('/') => (200, "r".to_owned()),
            _ => (
                200,
                creds_json(
                    "GK0000000000000000000000",
                    "wrong-secret",
                    None,
                    Duration::from_secs(3600),
                ),
            ),
        }),
    )
    .await;
    let c = client(
        garage,
        Arc::new(ImdsProvider::new().endpoint(liar.url.clone())),
        &Seen::default(),
    );
    let e = c.list_buckets().await.unwrap_err();
    assert_eq!(e.status(), Some(http::StatusCode::FORBIDDEN), "{e:?}");
}
