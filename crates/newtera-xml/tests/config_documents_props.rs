//! Property tests: every versioning, object lock, default encryption, CORS
//! and tagging model serialises and parses back to itself, whatever its
//! values (text with markup characters, white space, line ends and
//! non-ASCII included).
#![allow(clippy::unwrap_used)] // tests may panic on purpose

use newtera_xml::*;
use proptest::collection::vec;
use proptest::option::of;
use proptest::prelude::*;

/// Text XML 1.0 can carry: markup characters, blanks, CR/LF, non-ASCII.
fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 /&<>\"'\t\r\n._*:=-]{0,12}|[\\PC]{0,6}"
}

fn versioning() -> impl Strategy<Value = VersioningConfiguration> {
    (of(text()), of(text()), vec(text(), 0..4), any::<bool>()).prop_map(|(s, m, p, f)| {
        let mut v = VersioningConfiguration::default();
        v.status = s;
        v.mfa_delete = m;
        v.excluded_prefixes = p;
        v.exclude_folders = f;
        v
    })
}

fn object_lock() -> impl Strategy<Value = ObjectLockConfiguration> {
    (of(text()), of(text()), of(any::<u32>()), of(any::<u32>())).prop_map(|(e, m, d, y)| {
        let mut c = ObjectLockConfiguration::default();
        c.object_lock_enabled = e;
        c.mode = m;
        c.days = d;
        c.years = y;
        c
    })
}

fn encryption() -> impl Strategy<Value = ServerSideEncryptionConfiguration> {
    let rule = (text(), of(text()), of(any::<bool>())).prop_map(|(a, k, b)| {
        let mut r = SseRule::sse_s3();
        r.sse_algorithm = a;
        r.kms_master_key_id = k;
        r.bucket_key_enabled = b;
        r
    });
    vec(rule, 0..3).prop_map(|rules| {
        let mut c = ServerSideEncryptionConfiguration::default();
        c.rules = rules;
        c
    })
}

fn cors() -> impl Strategy<Value = CorsConfiguration> {
    let list = || vec(text(), 0..3);
    let rule = (of(text()), list(), list(), list(), list(), of(any::<u32>())).prop_map(
        |(id, headers, methods, origins, expose, age)| {
            let mut r = CorsRule::new(methods, origins)
                .with_allowed_headers(headers)
                .with_expose_headers(expose);
            r.id = id;
            r.max_age_seconds = age;
            r
        },
    );
    vec(rule, 0..4).prop_map(CorsConfiguration::new)
}

fn tagging() -> impl Strategy<Value = Tagging> {
    vec((text(), text()), 0..5).prop_map(|tags| Tagging { tags })
}

proptest! {
    #[test]
    fn versioning_round_trips(v in versioning()) {
        let xml = v.to_xml().unwrap();
        prop_assert_eq!(VersioningConfiguration::from_xml(xml.as_bytes()).unwrap(), v);
    }

    #[test]
    fn object_lock_round_trips(c in object_lock()) {
        let xml = c.to_xml().unwrap();
        prop_assert_eq!(ObjectLockConfiguration::from_xml(xml.as_bytes()).unwrap(), c);
    }

    #[test]
    fn encryption_round_trips(c in encryption()) {
        let xml = c.to_xml().unwrap();
        prop_assert_eq!(
            ServerSideEncryptionConfiguration::from_xml(xml.as_bytes()).unwrap(),
            c
        );
    }

    #[test]
    fn cors_round_trips(c in cors()) {
        let xml = c.to_xml().unwrap();
        prop_assert_eq!(CorsConfiguration::from_xml(xml.as_bytes()).unwrap(), c);
    }

    #[test]
    fn tagging_round_trips(t in tagging()) {
        let xml = t.to_xml().unwrap();
        prop_assert_eq!(Tagging::from_xml(xml.as_bytes()).unwrap(), t);
    }

    #[test]
    fn parsers_never_panic(bytes in vec(any::<u8>(), 0..512)) {
        let _ = VersioningConfiguration::from_xml(&bytes);
        let _ = ObjectLockConfiguration::from_xml(&bytes);
        let _ = ServerSideEncryptionConfiguration::from_xml(&bytes);
        let _ = CorsConfiguration::from_xml(&bytes);
    }
}
