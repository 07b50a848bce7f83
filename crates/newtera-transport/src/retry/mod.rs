//! Retries failed attempts: a tower [`Policy`](tower::retry::Policy) with
//! exponential backoff and full jitter, an attempt bound and a retry budget.

mod backoff;
mod config;
mod layer;
mod policy;

pub use backoff::Backoff;
pub use config::{RetryBudget, RetryConfig};
pub use layer::RetryLayer;
pub use policy::RetryPolicy;
