//! Unit tests of `delete`: batching, lazy reading, the request document.

#![allow(clippy::unwrap_used)]

use super::*;
use futures::executor::block_on;

fn names(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("key-{i:05}")).collect()
}

/// Reads all batches the way the remove stream does.
fn batches(objects: DeleteObjects) -> (Vec<Vec<DeleteObject>>, Option<Error>) {
    let mut input = objects.inner;
    let mut out = Vec::new();
    loop {
        let b = block_on(read_batch(&mut input, MAX_BATCH));
        if !b.objects.is_empty() {
            out.push(b.objects);
        }
        if b.exhausted || b.error.is_some() {
            return (out, b.error);
        }
    }
}

#[test]
fn splits_into_batches_of_1000() {
    let (b, err) = batches(names(2500).into());
    assert!(err.is_none());
    let sizes: Vec<_> = b.iter().map(Vec::len).collect();
    assert_eq!(sizes, [1000, 1000, 500]);
    assert_eq!(b[0][0].name, "key-00000");
    assert_eq!(b[1][0].name, "key-01000");
    assert_eq!(b[2][499].name, "key-02499");

    let (b, _) = batches(names(1000).into());
    assert_eq!(b.iter().map(Vec::len).collect::<Vec<_>>(), [1000]);
    let (b, _) = batches(Vec::<String>::new().into());
    assert!(b.is_empty());
}

#[test]
fn reads_lazily() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    let pulled = Arc::new(AtomicUsize::new(0));
    let p = pulled.clone();
    let objects = DeleteObjects::from_iter((0..5000).map(move |i| {
        p.fetch_add(1, Ordering::SeqCst);
        DeleteObject::new(format!("k{i}"))
    }));
    let mut input = objects.inner;
    let b = block_on(read_batch(&mut input, MAX_BATCH));
    assert_eq!(b.objects.len(), 1000);
    assert_eq!(pulled.load(Ordering::SeqCst), 1000);
}

#[test]
fn input_errors_and_bad_names_stop_reading() {
    let items: Vec<Result<DeleteObject>> = vec![
        Ok(DeleteObject::new("a")),
        Ok(DeleteObject::new("b")),
        Err(Error::arg("test", "boom")),
        Ok(DeleteObject::new("c")),
    ];
    let (b, err) = batches(DeleteObjects::from_try_stream(stream::iter(items)));
    assert_eq!(b.len(), 1);
    assert_eq!(b[0].len(), 2);
    assert!(err.is_some());

    let (b, err) = batches(vec!["a", "", "c"].into());
    assert_eq!(b[0].len(), 1);
    assert!(matches!(err, Some(Error::InvalidObjectName { .. })));
}

#[test]
fn conversions() {
    let from_stream =
        DeleteObjects::from_stream(stream::iter(vec![DeleteObject::with_version("x", "v1")]));
    let (b, _) = batches(from_stream);
    assert_eq!(b[0][0].version_id.as_deref(), Some("v1"));
    let (b, _) = batches(["a", "b"].into());
    assert_eq!(b[0].len(), 2);
    let (b, _) = batches(vec!["a".to_owned()].into_iter().collect());
    assert_eq!(b[0][0].name, "a");
    let obj = Object {
        object_name: "o".to_owned(),
        version_id: Some("v".to_owned()),
        ..Object::default()
    };
    assert_eq!(
        DeleteObject::from(obj),
        DeleteObject::with_version("o", "v")
    );
}

#[test]
fn no_such_version_is_not_reported() {
    let err = |code: &str| DeleteError {
        code: code.to_owned(),
        message: String::new(),
        name: "k".to_owned(),
        version_id: Some("v".to_owned()),
    };
    assert!(!reported(&err("NoSuchVersion")));
    assert!(reported(&err("AccessDenied")));
    assert!(reported(&err("NoSuchKey")));
}

#[test]
fn body_and_integrity_header() {
    let objects = || {
        vec![
            DeleteObject::new("a b&c"),
            DeleteObject::with_version("d", "v1"),
        ]
    };
    let (xml, (name, md5)) = delete_body(objects(), None).unwrap();
    assert!(xml.contains("<Quiet>true</Quiet>"));
    assert!(xml.contains("<Key>a b&amp;c</Key>"));
    assert!(xml.contains("<VersionId>v1</VersionId>"));
    assert_eq!(name, "content-md5");
    let expect = base64::engine::general_purpose::STANDARD.encode(Md5::digest(xml.as_bytes()));
    assert_eq!(md5.to_str().unwrap(), expect);
    for alg in [ChecksumAlgorithm::Crc64Nvme, ChecksumAlgorithm::Crc32c] {
        let (same, (name, crc)) = delete_body(objects(), Some(alg)).unwrap();
        assert_eq!(same, xml);
        assert_eq!(name, alg.header_name());
        assert_eq!(crc.to_str().unwrap(), alg.compute(xml.as_bytes()));
    }
}

#[test]
fn unrepresentable_keys_are_singled_out() {
    assert!(xml_representable(&DeleteObject::new("a b\tc\n€")));
    assert!(!xml_representable(&DeleteObject::new("a\u{1}b")));
    assert!(!xml_representable(&DeleteObject::with_version(
        "a", "\u{FFFF}"
    )));
}
