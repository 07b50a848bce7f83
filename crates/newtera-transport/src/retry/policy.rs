use std::fmt;
use std::sync::Arc;

use http::StatusCode;
use tower::retry::budget::{Budget, TpsBudget};
use tower::retry::Policy;

use super::backoff::{cap, full_jitter, THROTTLE_FACTOR};
use super::{Backoff, RetryConfig};
use crate::error::{ErrorKind, TransportError};
use crate::ext::{Attempts, DamagedAnswer, Idempotency, S3ErrorCode};
use crate::trace::AttemptTrace;
use crate::{HttpRequest, HttpResponse};

/// The retry policy of the transport (see [`RetryConfig`] for the rules).
///
/// tower clones the policy for every request, so the attempt count is per
/// request, while the configuration and budget are shared.
#[derive(Clone)]
pub struct RetryPolicy {
    shared: Arc<Shared>,
    /// Attempts of the current request that have completed.
    attempts: u32,
}

struct Shared {
    config: RetryConfig,
    budget: Option<TpsBudget>,
}

/// Why an attempt is worth retrying.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    /// A transient network or server failure.
    Transient,
    /// The server asked to slow down.
    Throttling,
}

impl RetryPolicy {
    /// A policy following `config`; fails when the budget settings are out
    /// of range.
    pub fn new(config: RetryConfig) -> Result<Self, TransportError> {
        let budget = match &config.budget {
            Some(b) => {
                b.validate()?;
                Some(TpsBudget::new(b.ttl, b.min_per_sec, b.retry_percent))
            }
            None => None,
        };
        Ok(RetryPolicy {
            shared: Arc::new(Shared { config, budget }),
            attempts: 0,
        })
    }

    fn classify(req: &HttpRequest, result: &Result<HttpResponse, TransportError>) -> Option<Class> {
        match result {
            Err(e) => match e.kind() {
                // Nothing reached the server: always safe to send again.
                ErrorKind::Connect => Some(Class::Transient),
                // The request may have been written, and even processed,
                // before the connection broke or the deadline passed: send
                // it again only when that is safe.
                ErrorKind::ConnectionReset | ErrorKind::Timeout
                    if Idempotency::of(req) == Idempotency::Idempotent =>
                {
                    Some(Class::Transient)
                }
                _ => None,
            },
            Ok(res) => {
                // The server answered, but the answer was damaged on the
                // way: like a connection lost in the middle of the answer,
                // the request was processed, so it is sent again only when
                // that is safe.
                if res.extensions().get::<DamagedAnswer>().is_some() {
                    return (Idempotency::of(req) == Idempotency::Idempotent)
                        .then_some(Class::Transient);
                }
                if let Some(code) = res.extensions().get::<S3ErrorCode>() {
                    match code.as_str() {
                        "SlowDown"
                        | "Throttling"
                        | "ThrottlingException"
                        | "RequestThrottled"
                        | "TooManyRequests" => return Some(Class::Throttling),
                        "InternalError" | "RequestTimeout" | "ServiceUnavailable" => {
                            return Some(Class::Transient)
                        }
                        _ => {}
                    }
                }
                match res.status() {
                    StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE => {
                        Some(Class::Throttling)
                    }
                    StatusCode::INTERNAL_SERVER_ERROR
                    | StatusCode::BAD_GATEWAY
                    | StatusCode::GATEWAY_TIMEOUT => Some(Class::Transient),
                    _ => None,
                }
            }
        }
    }
}

impl RetryPolicy {
    /// Whether a caller repeating a whole exchange above the transport may
    /// make attempt `attempts + 1` (the attempt bound, and the budget, which
    /// is withdrawn from when it says yes), and the backoff before it.
    pub(crate) fn outer_retry(&self, attempts: u32) -> Option<std::time::Duration> {
        let cfg = &self.shared.config;
        if attempts >= cfg.max_attempts {
            return None;
        }
        if let Some(budget) = &self.shared.budget {
            if !budget.withdraw() {
                tracing::debug!("retry budget exhausted; not repeating");
                return None;
            }
        }
        let n = attempts.saturating_sub(1);
        Some(full_jitter(cap(cfg.initial_backoff, cfg.max_backoff, n)))
    }
}

/// Why an attempt is retried, for its tracing span: the class, then the S3
/// error code and status, or the error kind.
struct Reason<'a>(Class, &'a Result<HttpResponse, TransportError>);

impl fmt::Display for Reason<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let class = match self.0 {
            Class::Transient => "transient",
            Class::Throttling => "throttling",
        };
        match self.1 {
            Ok(res) => match res.extensions().get::<S3ErrorCode>() {
                Some(code) => write!(f, "{class}: {} {}", res.status().as_u16(), code.as_str()),
                None => write!(f, "{class}: {}", res.status().as_u16()),
            },
            Err(e) => write!(f, "{class}: {}", e.kind()),
        }
    }
}

impl fmt::Debug for RetryPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetryPolicy")
            .field("config", &self.shared.config)
            .field("attempts", &self.attempts)
            .finish()
    }
}

impl Policy<HttpRequest, HttpResponse, TransportError> for RetryPolicy {
    type Future = Backoff;

    fn retry(
        &mut self,
        req: &mut HttpRequest,
        result: &mut Result<HttpResponse, TransportError>,
    ) -> Option<Backoff> {
        self.attempts = self.attempts.saturating_add(1);
        if let Ok(res) = result.as_mut() {
            res.extensions_mut().insert(Attempts(self.attempts));
        }
        let class = Self::classify(req, result)?;
        let cfg = &self.shared.config;
        if self.attempts >= cfg.max_attempts {
            return None;
        }
        if let Some(budget) = &self.shared.budget {
            if !budget.withdraw() {
                tracing::debug!("retry budget exhausted; not retrying");
                return None;
            }
        }
        let base = match class {
            Class::Transient => cfg.initial_backoff,
            Class::Throttling => cfg.initial_backoff.saturating_mul(THROTTLE_FACTOR),
        };
        let delay = full_jitter(cap(base, cfg.max_backoff, self.attempts - 1));
        tracing::debug!(attempt = self.attempts, ?class, ?delay, "retrying request");
        if let Some(trace) = req.extensions().get::<AttemptTrace>() {
            trace.retrying(&Reason(class, result));
        }
        // Returning `Some` drops the failed response (its body was buffered).
        Some(Backoff::new(delay))
    }

    fn clone_request(&mut self, req: &HttpRequest) -> Option<HttpRequest> {
        if self.attempts == 0 {
            // tower calls this once per request on the service's own policy
            // (which never counts attempts) before the first attempt: the one
            // place to deposit every request into the budget, replayable or not.
            if let Some(budget) = &self.shared.budget {
                budget.deposit();
            }
        }
        if self.shared.config.max_attempts <= 1 {
            return None;
        }
        let body = req.body().try_clone()?;
        let mut copy = http::Request::new(body);
        *copy.method_mut() = req.method().clone();
        *copy.uri_mut() = req.uri().clone();
        *copy.version_mut() = req.version();
        *copy.headers_mut() = req.headers().clone();
        *copy.extensions_mut() = req.extensions().clone();
        Some(copy)
    }
}
