#![no_main]
//! Fuzz target: the request serializers (`to_xml`) on arbitrary values.
//!
//! Builds a `Tagging`, `Delete`, `CompleteMultipartUpload`,
//! `CreateBucketConfiguration`, `Retention`, `LegalHold` or
//! `VersioningConfiguration` (or an `ObjectLockConfiguration`,
//! `ServerSideEncryptionConfiguration`, `CorsConfiguration`,
//! `LifecycleConfiguration`, `NotificationConfiguration`,
//! `ReplicationConfiguration`) from the input and serializes it. `to_xml`
//! must either fail with `Unrepresentable` for a value that really holds a
//! character XML 1.0 cannot carry, or write a document that parses back to
//! the same value: with the crate's own parser where there is one
//! (`Tagging`, `Retention`, `LegalHold`, `VersioningConfiguration`), else
//! with an independent quick-xml reader (`newtera_fuzz::tree`). Never a
//! panic.

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use newtera_fuzz::rules::Strings;
use newtera_fuzz::rules_input;
use newtera_fuzz::tree::{self, Node};
use newtera_fuzz::{check_serializer_error, representable, reserialize};
use newtera_xml::{
    CompleteMultipartUpload, CompletedPart, CorsConfiguration, CorsRule, CreateBucketConfiguration,
    Delete, LegalHold, ObjectIdentifier, ObjectLockConfiguration, Retention,
    ServerSideEncryptionConfiguration, SseRule, Tagging, VersioningConfiguration, XmlError,
    S3_NAMESPACE,
};

#[derive(Debug, Arbitrary)]
enum Input {
    Tagging(Vec<(String, String)>),
    Delete {
        quiet: bool,
        objects: Vec<(String, Option<String>)>,
    },
    Complete(Vec<(u32, String, Option<String>, Option<String>, Option<String>)>),
    CreateBucket(Option<String>),
    Retention(Option<String>, Option<String>),
    LegalHold(Option<String>),
    Versioning(Option<String>, Option<String>, Vec<String>, bool),
    ObjectLock(Option<String>, Option<String>, Option<u32>, Option<u32>),
    Encryption(Vec<(String, Option<String>, Option<bool>)>),
    Cors(Vec<CorsInput>),
    Lifecycle(Vec<rules_input::LifecycleInput>),
    Notification(Vec<rules_input::TargetInput>, bool),
    Replication(String, Vec<rules_input::ReplicationInput>),
}

/// The fields of one `CorsRule`.
#[derive(Debug, Arbitrary)]
struct CorsInput {
    id: Option<String>,
    headers: Vec<String>,
    methods: Vec<String>,
    origins: Vec<String>,
    expose: Vec<String>,
    max_age: Option<u32>,
}

/// Checks a document the crate has no parser for: `to_xml`'s result must
/// read back (independently) as `expected`, the root carrying the S3
/// namespace.
fn check_tree(result: Result<String, XmlError>, strings: &[&str], expected: Node) {
    match result {
        Ok(xml) => {
            assert!(
                strings.iter().all(|s| representable(s)),
                "to_xml accepted an unrepresentable value: {strings:?}"
            );
            let mut got = tree::parse(&xml)
                .unwrap_or_else(|e| panic!("our own document is not XML ({e}): {xml:?}"));
            assert_eq!(got.xmlns.as_deref(), Some(S3_NAMESPACE), "{xml}");
            got.xmlns = None;
            assert_eq!(got, expected, "document reads back differently: {xml}");
        }
        Err(e) => check_serializer_error(&e, strings),
    }
}

fn opt_leaf(name: &str, value: &Option<String>) -> Option<Node> {
    value.as_deref().map(|v| Node::leaf(name, v))
}

fuzz_target!(|input: Input| {
    match input {
        Input::Tagging(tags) => {
            let v = Tagging { tags };
            let strings: Vec<&str> = v
                .tags
                .iter()
                .flat_map(|(k, val)| [k.as_str(), val.as_str()])
                .collect();
            reserialize(&v, &strings, Tagging::to_xml, Tagging::from_xml);
        }
        Input::Delete { quiet, objects } => {
            let v = Delete {
                quiet,
                objects: objects
                    .into_iter()
                    .map(|(key, version_id)| ObjectIdentifier { key, version_id })
                    .collect(),
            };
            let strings: Vec<&str> = v
                .objects
                .iter()
                .flat_map(|o| [Some(o.key.as_str()), o.version_id.as_deref()])
                .flatten()
                .collect();
            let mut children = Vec::new();
            if v.quiet {
                children.push(Node::leaf("Quiet", "true"));
            }
            for o in &v.objects {
                let mut fields = vec![Node::leaf("Key", &o.key)];
                fields.extend(opt_leaf("VersionId", &o.version_id));
                children.push(Node::parent("Object", fields));
            }
            check_tree(v.to_xml(), &strings, Node::parent("Delete", children));
        }
        Input::Complete(parts) => {
            let v = CompleteMultipartUpload {
                parts: parts
                    .into_iter()
                    .map(|(part_number, etag, crc32c, crc64, crc32)| CompletedPart {
                        part_number,
                        etag,
                        checksum_crc32c: crc32c,
                        checksum_crc64nvme: crc64,
                        checksum_crc32: crc32,
                    })
                    .collect(),
            };
            let strings: Vec<&str> = v
                .parts
                .iter()
                .flat_map(|p| {
                    [
                        Some(p.etag.as_str()),
                        p.checksum_crc32c.as_deref(),
                        p.checksum_crc64nvme.as_deref(),
                        p.checksum_crc32.as_deref(),
                    ]
                })
                .flatten()
                .collect();
            let children = v
                .parts
                .iter()
                .map(|p| {
                    let mut fields = vec![
                        Node::leaf("PartNumber", &p.part_number.to_string()),
                        Node::leaf("ETag", &p.etag),
                    ];
                    fields.extend(opt_leaf("ChecksumCRC32C", &p.checksum_crc32c));
                    fields.extend(opt_leaf("ChecksumCRC64NVME", &p.checksum_crc64nvme));
                    fields.extend(opt_leaf("ChecksumCRC32", &p.checksum_crc32));
                    Node::parent("Part", fields)
                })
                .collect();
            check_tree(
                v.to_xml(),
                &strings,
                Node::parent("CompleteMultipartUpload", children),
            );
        }
        Input::CreateBucket(location_constraint) => {
            let v = CreateBucketConfiguration {
                location_constraint,
            };
            let strings: Vec<&str> = v.location_constraint.as_deref().into_iter().collect();
            let children = opt_leaf("LocationConstraint", &v.location_constraint)
                .into_iter()
                .collect();
            check_tree(
                v.to_xml(),
                &strings,
                Node::parent("CreateBucketConfiguration", children),
            );
        }
        Input::Retention(mode, retain_until_date) => {
            let v = Retention {
                mode,
                retain_until_date,
            };
            let strings: Vec<&str> = [v.mode.as_deref(), v.retain_until_date.as_deref()]
                .into_iter()
                .flatten()
                .collect();
            reserialize(&v, &strings, Retention::to_xml, Retention::from_xml);
        }
        Input::LegalHold(status) => {
            let v = LegalHold { status };
            reserialize(
                &v,
                &v.status.as_deref().into_iter().collect::<Vec<_>>(),
                LegalHold::to_xml,
                LegalHold::from_xml,
            );
        }
        Input::Versioning(status, mfa_delete, excluded_prefixes, exclude_folders) => {
            let mut v = VersioningConfiguration::default();
            v.status = status;
            v.mfa_delete = mfa_delete;
            v.excluded_prefixes = excluded_prefixes;
            v.exclude_folders = exclude_folders;
            let strings: Vec<&str> = [v.status.as_deref(), v.mfa_delete.as_deref()]
                .into_iter()
                .flatten()
                .chain(v.excluded_prefixes.iter().map(String::as_str))
                .collect();
            reserialize(
                &v,
                &strings,
                VersioningConfiguration::to_xml,
                VersioningConfiguration::from_xml,
            );
        }
        Input::ObjectLock(enabled, mode, days, years) => {
            let mut v = ObjectLockConfiguration::default();
            v.object_lock_enabled = enabled;
            v.mode = mode;
            v.days = days;
            v.years = years;
            let strings = v.all_strings();
            reserialize(
                &v,
                &strings,
                ObjectLockConfiguration::to_xml,
                ObjectLockConfiguration::from_xml,
            );
        }
        Input::Encryption(rules) => {
            let mut v = ServerSideEncryptionConfiguration::default();
            v.rules = rules
                .into_iter()
                .map(|(algorithm, key, bucket_key)| {
                    let mut r = SseRule::sse_kms(key);
                    r.sse_algorithm = algorithm;
                    r.bucket_key_enabled = bucket_key;
                    r
                })
                .collect();
            let strings = v.all_strings();
            reserialize(
                &v,
                &strings,
                ServerSideEncryptionConfiguration::to_xml,
                ServerSideEncryptionConfiguration::from_xml,
            );
        }
        Input::Cors(rules) => {
            let v = CorsConfiguration::new(
                rules
                    .into_iter()
                    .map(|c| {
                        let mut r = CorsRule::new(c.methods, c.origins)
                            .with_allowed_headers(c.headers)
                            .with_expose_headers(c.expose);
                        r.id = c.id;
                        r.max_age_seconds = c.max_age;
                        r
                    })
                    .collect(),
            );
            let strings = v.all_strings();
            reserialize(
                &v,
                &strings,
                CorsConfiguration::to_xml,
                CorsConfiguration::from_xml,
            );
        }
        Input::Lifecycle(rules) => rules_input::check_lifecycle(rules),
        Input::Notification(targets, event_bridge) => {
            rules_input::check_notification(targets, event_bridge)
        }
        Input::Replication(role, rules) => rules_input::check_replication(role, rules),
    }
});
