//! The credentials cache: one refresh under concurrency, refresh before expiry.

use super::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cache_single_refresh_under_concurrency() {
    let meta = Meta::start(
        Duration::from_millis(200),
        Arc::new(|_: &Hit, i| {
            (
                200,
                creds_json(
                    &format!("AKIDCONC{i}"),
                    "sk",
                    Some("tk"),
                    Duration::from_secs(3600),
                ),
            )
        }),
    )
    .await;
    let p = Arc::new(CachedProvider::new(
        EcsProvider::from_env()
            .relative_uri("/c")
            .relative_base(meta.url.clone()),
    ));
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let p = p.clone();
            tokio::spawn(async move { p.retrieve().await })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap().access_key(), "AKIDCONC0");
    }
    assert_eq!(meta.hits().len(), 1);
}

#[tokio::test]
async fn cache_refreshes_before_expiry() {
    // First credentials expire in 301 s (within the 300 s refresh window
    // after one second); the next ones in an hour.
    let meta = Meta::start(
        Duration::ZERO,
        Arc::new(|_: &Hit, i| {
            let life = if i == 0 { 301 } else { 3600 };
            (
                200,
                creds_json(
                    &format!("AKIDGEN{i}"),
                    "sk",
                    Some("tk"),
                    Duration::from_secs(life),
                ),
            )
        }),
    )
    .await;
    let p = CachedProvider::new(
        EcsProvider::from_env()
            .relative_uri("/c")
            .relative_base(meta.url.clone()),
    )
    .refresh_before(Duration::from_secs(300));
    let first = p.retrieve().await.unwrap();
    assert_eq!(first.access_key(), "AKIDGEN0");
    assert_eq!(p.retrieve().await.unwrap().access_key(), "AKIDGEN0");
    assert_eq!(meta.hits().len(), 1);

    tokio::time::sleep(Duration::from_millis(1500)).await;
    // Not expired yet, but inside the window: refreshed.
    assert!(!first.is_expired());
    assert_eq!(p.retrieve().await.unwrap().access_key(), "AKIDGEN1");
    assert_eq!(p.retrieve().await.unwrap().access_key(), "AKIDGEN1");
    assert_eq!(meta.hits().len(), 2);
}
