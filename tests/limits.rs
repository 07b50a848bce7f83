//! User input at the edges of its range never panics (issue 9, item 14):
//! ranged reads with offsets and lengths up to `u64::MAX`, against real
//! servers. Every combination ends in the right bytes or a typed error.

#![allow(clippy::unwrap_used)]

mod common;

use newtera::Error;

const SIZE: u64 = 1000;

fn pattern() -> Vec<u8> {
    (0..SIZE).map(|i| (i % 251) as u8).collect()
}

#[tokio::test]
async fn huge_offsets_and_lengths_end_in_bytes_or_typed_errors() {
    let data = pattern();
    let offsets = [
        0,
        1,
        SIZE - 1,
        SIZE,
        SIZE + 1,
        u64::MAX / 2,
        u64::MAX - 1,
        u64::MAX,
    ];
    let lengths = [
        None,
        Some(1),
        Some(SIZE),
        Some(u64::MAX - 1),
        Some(u64::MAX),
    ];
    for server in common::all_servers() {
        let client = common::client(server);
        let bucket = common::bucket(&client, "limits").await;
        client
            .put_object(&bucket, "obj", data.clone())
            .await
            .unwrap();
        for offset in offsets {
            for length in lengths {
                let mut req = client.get_object(&bucket, "obj").offset(offset);
                if let Some(l) = length {
                    req = req.length(l);
                }
                let got = match req.await {
                    Ok(resp) => resp.bytes().await,
                    Err(e) => Err(e),
                };
                let case = format!("{:?} offset {offset} length {length:?}", server.kind);
                match got {
                    Ok(bytes) => {
                        // Only ranges that start inside the object succeed,
                        // with exactly the bytes asked for.
                        assert!(offset < SIZE, "{case}: {} bytes", bytes.len());
                        let end = length.map_or(SIZE, |l| offset.saturating_add(l).min(SIZE));
                        assert!(
                            bytes[..] == data[offset as usize..end as usize],
                            "{case}: wrong bytes"
                        );
                    }
                    Err(e) => {
                        let typed = e.is_invalid_argument()
                            || matches!(&e, Error::S3(s) if s.code == "InvalidRange" || s.status == 416);
                        assert!(typed, "{case}: {e:?}");
                        if offset < SIZE {
                            // A range inside the object fails only when its
                            // end cannot be written (it overflows u64).
                            assert!(e.is_invalid_argument(), "{case}: {e:?}");
                        }
                    }
                }
            }
        }
    }
}
