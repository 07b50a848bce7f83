//! Property tests: user input at the edges of its range never panics, and
//! what comes out respects the S3 limits.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::Method;
use proptest::prelude::*;

use crate::put::{part_plan, MAX_OBJECT_SIZE, MAX_PARTS, MAX_PART_SIZE, MIN_PART_SIZE};
use crate::time;
use crate::url::BaseUrl;
use crate::validate::{check_bucket_name, check_new_bucket_name, check_object_name};
use crate::{Error, Newtera, PutObject, Retention, RetentionMode};

/// An instant anywhere a `SystemTime` can be, near the epoch or far from it.
fn any_instant() -> impl Strategy<Value = SystemTime> {
    prop_oneof![
        (0u64..=u64::MAX, 0u32..1_000_000_000).prop_filter_map("representable", |(s, n)| {
            UNIX_EPOCH.checked_add(Duration::new(s, n))
        }),
        (0u64..=u64::MAX).prop_filter_map("representable", |s| {
            UNIX_EPOCH.checked_sub(Duration::from_secs(s))
        }),
        // Around the year 9999 boundary.
        (253_402_300_000u64..253_402_301_000).prop_map(|s| UNIX_EPOCH + Duration::from_secs(s)),
    ]
}

/// Lengths and part sizes clustered around the S3 limits, and anywhere.
fn size() -> impl Strategy<Value = u64> {
    let near = |x: u64| (x.saturating_sub(2)..=x.saturating_add(2)).boxed();
    prop_oneof![
        near(0),
        near(MIN_PART_SIZE),
        near(MAX_PART_SIZE),
        near(MAX_OBJECT_SIZE),
        near(MAX_OBJECT_SIZE / MAX_PARTS),
        near(u64::MAX),
        any::<u64>().boxed(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// A retain-until date is formatted when the S3 format can hold it and
    /// refused otherwise; formatting never panics, and what it writes reads
    /// back as the same instant (to the millisecond).
    #[test]
    fn retention_dates_never_panic(t in any_instant()) {
        match time::format_iso8601(t) {
            Some(s) => {
                prop_assert_eq!(s.len(), 24);
                let back = time::parse_iso8601(&s);
                prop_assert!(back.is_some(), "{} does not parse back", s);
                if let (Some(back), Ok(d)) = (back, t.duration_since(UNIX_EPOCH)) {
                    let ms = Duration::from_millis(d.as_millis() as u64);
                    prop_assert_eq!(back, UNIX_EPOCH + ms);
                }
            }
            None => {
                let secs = match t.duration_since(UNIX_EPOCH) {
                    Ok(d) => d.as_secs() as i128,
                    Err(e) => -(e.duration().as_secs() as i128),
                };
                prop_assert!(!(-62_167_219_200..=253_402_300_799).contains(&secs));
            }
        }
    }

    /// The part plan of any length and part size is within the limits or a
    /// typed refusal: at most 10,000 parts of 5 MiB to 5 GiB that cover the
    /// object.
    #[test]
    fn part_plans_respect_the_limits(len in proptest::option::of(size()), ps in proptest::option::of(size())) {
        match part_plan(len, ps) {
            Ok((part, count)) => {
                prop_assert!((MIN_PART_SIZE..=MAX_PART_SIZE).contains(&part));
                if let Some(p) = ps {
                    prop_assert_eq!(part, p);
                }
                match (len, count) {
                    (Some(len), Some(count)) => {
                        prop_assert!(len <= MAX_OBJECT_SIZE);
                        prop_assert!((1..=MAX_PARTS).contains(&count));
                        prop_assert!(u128::from(part) * u128::from(count) >= u128::from(len));
                        prop_assert!(u128::from(part) * u128::from(count - 1) < u128::from(len.max(1)));
                    }
                    (None, None) => prop_assert!(ps.is_some()),
                    other => prop_assert!(false, "length and count disagree: {:?}", other),
                }
            }
            Err(e) => prop_assert!(matches!(e, Error::InvalidArgument { .. }), "{:?}", e),
        }
    }

    /// Names of any bytes are accepted or refused with a typed error, and
    /// request URLs for accepted names always build.
    #[test]
    fn names_and_urls_never_panic(bucket in ".{0,70}", object in ".{0,80}", region in "[a-z0-9_.-]{0,20}") {
        let _ = check_new_bucket_name(&bucket);
        let _ = check_object_name(&object);
        if check_bucket_name(&bucket).is_ok() {
            for endpoint in ["http://127.0.0.1:9000", "https://s3.amazonaws.com", "s3-accelerate.amazonaws.com"] {
                let base = BaseUrl::parse(endpoint, true, None).map_err(|e| TestCaseError::fail(e.to_string()))?;
                let built = base.uri(&Method::GET, Some(&bucket), Some(&object), &[], &region);
                if endpoint.starts_with("http://") {
                    prop_assert!(built.is_ok(), "{:?}", built);
                }
            }
        }
    }
}

/// A far-future retain-until date is refused before anything is sent.
#[test]
fn far_future_retention_is_a_typed_error() {
    let client = Newtera::builder("http://127.0.0.1:1")
        .access_key("a")
        .secret_key("b")
        .region("us-east-1")
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let far = UNIX_EPOCH + Duration::from_secs(400_000_000_000);
    let put: PutObject = client
        .put_object("bucket", "key", "data")
        .retention(Retention::new(RetentionMode::Governance, far));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let err = rt.block_on(put.send()).unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidArgument {
                param: "retention",
                ..
            }
        ),
        "{err:?}"
    );
}
