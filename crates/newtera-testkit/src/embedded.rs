//! An in-process S3 server (s3s + s3s-fs) for the quickstart example.
//!
//! s3s-fs is handy but not a reference: it deletes non-empty buckets, does
//! not encode keys for `encoding-type=url` and omits ETags from listings.
//! Tests of behaviour use garage and moto.

use std::fmt;
use std::io;
use std::path::Path;

use hyper_util::rt::TokioIo;
use s3s::auth::SimpleAuth;
use s3s::service::S3ServiceBuilder;
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};

/// An embedded S3 server on `127.0.0.1`, serving from a folder. It stops when
/// dropped.
pub struct EmbeddedServer {
    /// `127.0.0.1:PORT` (plain HTTP).
    pub endpoint: String,
    /// The access key it accepts.
    pub access_key: String,
    /// The secret key of `access_key`.
    pub secret_key: String,
    /// Its region.
    pub region: String,
    task: JoinHandle<()>,
}

impl EmbeddedServer {
    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.endpoint)
    }
}

impl fmt::Debug for EmbeddedServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmbeddedServer")
            .field("endpoint", &self.endpoint)
            .field("access_key", &self.access_key)
            .field("secret_key", &"<redacted>")
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

impl Drop for EmbeddedServer {
    fn drop(&mut self) {
        // Aborting the accept task drops its JoinSet, which aborts every
        // connection task.
        self.task.abort();
    }
}

/// Starts an s3s-fs server storing its buckets under `root` (which must
/// exist), checking SigV4 signatures made with `access_key`/`secret_key`,
/// on a free `127.0.0.1` port, inside the current tokio runtime.
///
/// # Errors
/// If `root` cannot be used or no port can be bound.
///
/// # Panics
/// If called outside a tokio runtime.
pub async fn start_embedded(
    root: &Path,
    access_key: impl Into<String>,
    secret_key: impl Into<String>,
) -> io::Result<EmbeddedServer> {
    let access_key = access_key.into();
    let secret_key = secret_key.into();
    let fs = s3s_fs::FileSystem::new(root)
        .map_err(|e| io::Error::other(format!("s3s-fs on {}: {e:?}", root.display())))?;
    let service = {
        let mut builder = S3ServiceBuilder::new(fs);
        builder.set_auth(SimpleAuth::from_single(
            access_key.clone(),
            secret_key.clone(),
        ));
        builder.build()
    };
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let endpoint = listener.local_addr()?.to_string();
    let task = tokio::spawn(async move {
        let mut connections = JoinSet::new();
        loop {
            let socket = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((socket, _)) => socket,
                    Err(_) => continue,
                },
                // Reap finished connections so the set does not grow.
                Some(_) = connections.join_next(), if !connections.is_empty() => continue,
            };
            let _ = socket.set_nodelay(true);
            let service = service.clone();
            connections.spawn(async move {
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(socket), service)
                    .await;
            });
        }
    });
    Ok(EmbeddedServer {
        endpoint,
        access_key,
        secret_key,
        region: "us-east-1".to_owned(),
        task,
    })
}
