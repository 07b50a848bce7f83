//! The workloads of the library clients (`Client`): one pass of a workload
//! at the size `Scale` gives (warm-up or measured round), returning the
//! operations and bytes it moved.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use futures::stream::{self, StreamExt, TryStreamExt};
use newtera_bench::{BIG_CRC_KEY, BIG_KEY, BIG_SIZE, LIST_KEYS, PARALLELISM, PART_SIZE};

use super::source::pattern;
use super::{BoxError, Client, R};

/// The size of one pass: the warm-up (`warm`) or one measured round, in
/// full or `--quick` mode. The measured pass repeats rounds until its wall
/// time reaches a minimum (see `main`).
#[derive(Clone, Copy)]
pub(crate) struct Scale {
    pub(crate) quick: bool,
    pub(crate) warm: bool,
}

/// Keys of one `delete_10k` round.
pub(crate) const DELETE_KEYS: usize = 10_000;
/// Bytes of the warm-up of the large transfers.
const WARM_BIG: u64 = 64 << 20;

impl Scale {
    /// Operations of a small-request round at concurrency `conc`.
    pub(crate) fn small_n(self, conc: usize) -> usize {
        let n = match (self.quick, conc == 1) {
            (false, true) => 2_000,
            (false, false) => 5_000,
            (true, true) => 300,
            (true, false) => 3_000,
        };
        if self.warm {
            (n / 10).max(conc)
        } else {
            n
        }
    }

    /// Bytes of a `put_1g` round.
    pub(crate) fn put_big(self) -> u64 {
        if self.warm {
            WARM_BIG
        } else if self.quick {
            256 << 20
        } else {
            BIG_SIZE
        }
    }

    /// Bytes of an `upload_256m_unknown` round.
    pub(crate) fn unknown(self) -> u64 {
        if self.warm {
            WARM_BIG
        } else {
            256 << 20
        }
    }

    /// Bytes of a `get_1g_ranged` round.
    pub(crate) fn ranged(self) -> u64 {
        if self.warm {
            WARM_BIG
        } else {
            BIG_SIZE
        }
    }

    /// The range the warm-up of the whole-object downloads reads instead.
    pub(crate) fn warm_range(self) -> Option<(u64, u64)> {
        self.warm.then_some((0, WARM_BIG))
    }
}

/// The three small-request kinds.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Small {
    Put,
    Get,
    Head,
}

/// The key of the `i`-th small request.
pub(crate) fn small_key(i: usize) -> String {
    format!("small/obj-{:04}", i % 1000)
}

/// The key of the `i`-th key of a `delete_10k` round.
pub(crate) fn delete_key(i: usize) -> String {
    format!("del/obj-{i:05}")
}

async fn run_small(client: &Arc<Client>, op: Small, n: usize, conc: usize) -> R<(u64, u64)> {
    let next = Arc::new(AtomicUsize::new(0));
    let data = pattern().slice(..1024);
    let workers = (0..conc).map(|_| {
        let client = client.clone();
        let next = next.clone();
        let data = data.clone();
        tokio::spawn(async move {
            let mut bytes = 0u64;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    return Ok::<_, BoxError>(bytes);
                }
                let key = small_key(i);
                match op {
                    Small::Put => {
                        client.put_small(&key, data.clone()).await?;
                        bytes += 1024;
                    }
                    Small::Get => bytes += client.get(&key, None).await?,
                    Small::Head => client.head(&key).await?,
                }
            }
        })
    });
    let mut bytes = 0;
    for w in futures::future::join_all(workers).await {
        bytes += w??;
    }
    Ok((n as u64, bytes))
}

async fn run_ranged(client: &Arc<Client>, total: u64) -> R<(u64, u64)> {
    let ranges = total.div_ceil(PART_SIZE);
    let bytes = stream::iter(0..ranges)
        .map(|i| {
            let client = client.clone();
            async move {
                let off = i * PART_SIZE;
                let len = PART_SIZE.min(total - off);
                let n = client.get(BIG_KEY, Some((off, len))).await?;
                if n != len {
                    return Err::<u64, BoxError>(
                        format!("range {off}+{len}: got {n} bytes").into(),
                    );
                }
                Ok(n)
            }
        })
        .buffer_unordered(PARALLELISM)
        .try_fold(0u64, |a, n| async move { Ok(a + n) })
        .await?;
    Ok((ranges, bytes))
}

/// Checks that a whole-object download moved the whole object.
pub(crate) fn check_big(n: u64) -> R<()> {
    if n != BIG_SIZE {
        return Err(format!("got {n} bytes of {BIG_SIZE}").into());
    }
    Ok(())
}

/// Checks that a listing saw every key.
pub(crate) fn check_list(n: u64) -> R<()> {
    if n != LIST_KEYS as u64 {
        return Err(format!("listed {n} keys of {LIST_KEYS}").into());
    }
    Ok(())
}

/// Runs one pass of `workload` with `client` (`config` is this process's
/// `--config`, which `fget_1g` needs beyond the client's settings); returns
/// (ops, bytes).
pub(crate) async fn run(
    client: &Arc<Client>,
    workload: &str,
    config: &str,
    scale: Scale,
) -> R<(u64, u64)> {
    match workload {
        "put_1k_c1" => run_small(client, Small::Put, scale.small_n(1), 1).await,
        "put_1k_c32" => run_small(client, Small::Put, scale.small_n(32), 32).await,
        "get_1k_c1" => run_small(client, Small::Get, scale.small_n(1), 1).await,
        "get_1k_c32" => run_small(client, Small::Get, scale.small_n(32), 32).await,
        "head_1k_c1" => run_small(client, Small::Head, scale.small_n(1), 1).await,
        "head_1k_c32" => run_small(client, Small::Head, scale.small_n(32), 32).await,
        "put_1g" => {
            let total = scale.put_big();
            client.put_big("big/upload", total, true).await?;
            Ok((total.div_ceil(PART_SIZE), total))
        }
        "upload_256m_unknown" => {
            let total = scale.unknown();
            client.put_big("big/unknown", total, false).await?;
            Ok((total.div_ceil(PART_SIZE), total))
        }
        "get_1g_stream" => {
            if let Some(r) = scale.warm_range() {
                return Ok((1, client.get(BIG_KEY, Some(r)).await?));
            }
            let n = client.get(BIG_KEY, None).await?;
            check_big(n)?;
            Ok((1, n))
        }
        "fget_1g" => {
            if let Some(r) = scale.warm_range() {
                return Ok((1, client.get(BIG_CRC_KEY, Some(r)).await?));
            }
            let path = newtera_bench::fget::download_path();
            let n = client.fget(BIG_CRC_KEY, &path, config).await?;
            check_big(n)?;
            Ok((1, n))
        }
        "get_1g_ranged" => run_ranged(client, scale.ranged()).await,
        "list_100k" => {
            let n = client.list().await?;
            check_list(n)?;
            Ok((n, 0))
        }
        "delete_10k" => {
            let keys = (0..DELETE_KEYS).map(delete_key).collect();
            client.delete(keys).await?;
            Ok((DELETE_KEYS as u64, 0))
        }
        other => Err(format!("unknown workload {other}").into()),
    }
}
