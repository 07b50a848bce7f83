use std::time::Duration;

use crate::error::{ErrorKind, TransportError};

/// How failed attempts are retried.
///
/// A request is retried when its body can be replayed and the failure is
/// transient:
///
/// - a connect error (nothing reached the server);
/// - a connection reset mid-exchange or a timeout, when the request is
///   idempotent or the caller marked it safe to repeat (see
///   [`Idempotency`](crate::Idempotency)): the request may have been
///   written, and processed, before the answer was lost;
/// - HTTP 500, 502, 503, 504 or 429;
/// - an S3 error code `SlowDown`, `InternalError`, `RequestTimeout`,
///   `ServiceUnavailable`, `Throttling`, `ThrottlingException`,
///   `RequestThrottled` or `TooManyRequests`, including in a `200` response to
///   a request marked [`BufferedAnswer`](crate::BufferedAnswer);
/// - a buffered answer that failed its [`AnswerCheck`](crate::AnswerCheck)
///   (marked [`DamagedAnswer`](crate::DamagedAnswer)), under the same
///   condition as a connection reset: the request was processed.
///
/// No other 4xx is retried. Before retry *n* (0 for the first) the layer
/// sleeps a random time between zero and
/// `min(max_backoff, initial_backoff × 2ⁿ)` ("full jitter"). Throttling
/// (429, 503, `SlowDown` and the other throttling codes) starts from four
/// times `initial_backoff`, since the server asked to slow down.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryConfig {
    /// Total attempts, the first included (default 4). `0` or `1` disables
    /// retries.
    pub max_attempts: u32,
    /// Base of the exponential backoff (default 50 ms).
    pub initial_backoff: Duration,
    /// Longest sleep between two attempts (default 5 s).
    pub max_backoff: Duration,
    /// The retry budget shared by every clone of a transport (default on);
    /// `None` bounds retries only by `max_attempts`.
    pub budget: Option<RetryBudget>,
}

impl RetryConfig {
    /// No retries at all.
    pub fn disabled() -> Self {
        RetryConfig {
            max_attempts: 1,
            ..RetryConfig::default()
        }
    }
}

impl Default for RetryConfig {
    fn default() -> Self {
        RetryConfig {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(50),
            max_backoff: Duration::from_secs(5),
            budget: Some(RetryBudget::default()),
        }
    }
}

/// A retry budget: retries may add at most a fraction of the recent request
/// rate, plus a small floor, so that an outage does not turn every request
/// into `max_attempts` requests (a retry storm).
///
/// Every request deposits into the budget; every retry withdraws from it and
/// is not made when the budget is empty. Backed by tower's
/// [`TpsBudget`](tower::retry::budget::TpsBudget).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RetryBudget {
    /// How long a deposit counts, between 1 and 60 seconds (default 10 s).
    pub ttl: Duration,
    /// Retries allowed per second whatever the request rate (default 10):
    /// a reserve of `min_per_sec × ttl` retries, each one counting for `ttl`.
    pub min_per_sec: u32,
    /// Retries allowed per request, between 0.0 and 1000.0 (default 0.2:
    /// one retry for every five requests).
    pub retry_percent: f32,
}

impl Default for RetryBudget {
    fn default() -> Self {
        RetryBudget {
            ttl: Duration::from_secs(10),
            min_per_sec: 10,
            retry_percent: 0.2,
        }
    }
}

impl RetryBudget {
    pub(crate) fn validate(&self) -> Result<(), TransportError> {
        let ok = self.ttl >= Duration::from_secs(1)
            && self.ttl <= Duration::from_secs(60)
            && (0.0..=1000.0).contains(&self.retry_percent)
            && self.min_per_sec < i32::MAX as u32;
        if ok {
            Ok(())
        } else {
            Err(TransportError::new(ErrorKind::Config).context("invalid retry budget"))
        }
    }
}
