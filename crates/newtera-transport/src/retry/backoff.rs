use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use pin_project_lite::pin_project;
use tokio::time::Sleep;

/// Throttling backs off from this multiple of the initial backoff.
pub(crate) const THROTTLE_FACTOR: u32 = 4;

/// The upper bound of the sleep before retry `n` (0-based): `min(max, base × 2ⁿ)`.
pub(crate) fn cap(base: Duration, max: Duration, n: u32) -> Duration {
    let mut cap = base;
    for _ in 0..n {
        if cap >= max {
            break;
        }
        cap = cap.saturating_mul(2);
    }
    cap.min(max)
}

/// A random duration in `0..=cap` (full jitter).
pub(crate) fn full_jitter(cap: Duration) -> Duration {
    let nanos = u64::try_from(cap.as_nanos()).unwrap_or(u64::MAX);
    Duration::from_nanos(fastrand::u64(0..=nanos))
}

pin_project! {
    /// The sleep before a retry.
    #[derive(Debug)]
    pub struct Backoff {
        #[pin]
        sleep: Sleep,
    }
}

impl Backoff {
    pub(crate) fn new(d: Duration) -> Self {
        Backoff {
            sleep: tokio::time::sleep(d),
        }
    }
}

impl Future for Backoff {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.project().sleep.poll(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cap_grows_and_saturates() {
        let ms = Duration::from_millis;
        assert_eq!(cap(ms(50), ms(5000), 0), ms(50));
        assert_eq!(cap(ms(50), ms(5000), 1), ms(100));
        assert_eq!(cap(ms(50), ms(5000), 3), ms(400));
        assert_eq!(cap(ms(50), ms(5000), 10), ms(5000));
        assert_eq!(cap(ms(50), ms(5000), u32::MAX), ms(5000));
        assert_eq!(cap(Duration::MAX, ms(5000), 2), ms(5000));
    }

    #[test]
    fn jitter_within_cap() {
        for _ in 0..100 {
            assert!(full_jitter(Duration::from_millis(10)) <= Duration::from_millis(10));
        }
        assert_eq!(full_jitter(Duration::ZERO), Duration::ZERO);
    }
}
