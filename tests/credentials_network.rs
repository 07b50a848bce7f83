//! The network credentials providers, each used for a real signed request:
//! STS AssumeRole and AssumeRoleWithWebIdentity against moto's STS, the ECS
//! and EC2 (IMDSv2) metadata endpoints served by a small HTTP server on
//! 127.0.0.1 handing out garage's real keys (garage checks signatures, so a
//! successful request proves the keys flowed end to end); the cache's early
//! refresh and single refresh under concurrency; typed errors without
//! secrets.

#![allow(clippy::unwrap_used)]

#[path = "credentials_network/support.rs"]
mod support;

#[path = "credentials_network/cache.rs"]
mod cache;
#[path = "credentials_network/errors.rs"]
mod errors;
#[path = "credentials_network/metadata.rs"]
mod metadata;
#[path = "credentials_network/sts.rs"]
mod sts;
