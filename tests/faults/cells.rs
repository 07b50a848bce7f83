//! The cells of the fault matrix: operations, faults, and which fault
//! applies to which operation, once or always.

use std::fmt;
use std::time::Duration;

use newtera::transport::ErrorKind;
use newtera::Error;
use newtera_testkit::fault::{Fault, Rule};

use super::{MAX_ATTEMPTS, MULTI_KEY, RESUMES, SINGLE_KEY};

/// The operations of the matrix. Multipart upload appears three times: with
/// the fault on CreateMultipartUpload, on the second UploadPart, and on
/// CompleteMultipartUpload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Op {
    PutSingle,
    MultipartCreate,
    MultipartPart,
    MultipartComplete,
    Get,
    GetMultipartObject,
    FGet,
    Stat,
    ListPage,
    RemoveObject,
    RemoveObjects,
    MakeBucket,
    BucketExists,
    RemoveBucket,
    ListBuckets,
}

pub(super) const OPS: [Op; 15] = [
    Op::PutSingle,
    Op::MultipartCreate,
    Op::MultipartPart,
    Op::MultipartComplete,
    Op::Get,
    Op::GetMultipartObject,
    Op::FGet,
    Op::Stat,
    Op::ListPage,
    Op::RemoveObject,
    Op::RemoveObjects,
    Op::MakeBucket,
    Op::BucketExists,
    Op::RemoveBucket,
    Op::ListBuckets,
];

impl Op {
    pub(super) fn name(self) -> &'static str {
        match self {
            Op::PutSingle => "put single",
            Op::MultipartCreate => "put multipart (CreateMultipartUpload)",
            Op::MultipartPart => "put multipart (UploadPart 2)",
            Op::MultipartComplete => "put multipart (CompleteMultipartUpload)",
            Op::Get => "get",
            Op::GetMultipartObject => "get (multipart object)",
            Op::FGet => "fget",
            Op::Stat => "stat",
            Op::ListPage => "list (page 2)",
            Op::RemoveObject => "remove_object",
            Op::RemoveObjects => "remove_objects",
            Op::MakeBucket => "make_bucket",
            Op::BucketExists => "bucket_exists",
            Op::RemoveBucket => "remove_bucket",
            Op::ListBuckets => "list_buckets",
        }
    }

    /// Does the faulted response carry a body (so that faults inside the
    /// body apply)?
    pub(super) fn has_body(self) -> bool {
        matches!(
            self,
            Op::MultipartCreate
                | Op::MultipartComplete
                | Op::Get
                | Op::GetMultipartObject
                | Op::FGet
                | Op::ListPage
                | Op::RemoveObjects
                | Op::ListBuckets
        )
    }

    /// Is the faulted response object data?
    pub(super) fn is_download(self) -> bool {
        matches!(self, Op::Get | Op::GetMultipartObject | Op::FGet)
    }

    /// Requests one run of the operation may send to the faulted target at
    /// most, when every attempt fails.
    pub(super) fn attempt_bound(self) -> u64 {
        match self {
            op if op.is_download() => u64::from((1 + RESUMES) * MAX_ATTEMPTS),
            // The first page matches the rule too, unfaulted.
            Op::ListPage => 1 + u64::from(MAX_ATTEMPTS),
            _ => u64::from(MAX_ATTEMPTS),
        }
    }
}

/// The faults of the matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// Reset before the response; the server never saw the request.
    DropRequest,
    /// Reset before the response; the server did the work.
    ResponseLost,
    ResetAfterHeaders,
    ResetMidBody,
    Status500,
    SlowDown,
    BufferedAnswer,
    Stall,
    /// The connection goes silent inside the body.
    StallMidBody,
    Truncate,
    /// A well-framed 2xx answer cut short (`Content-Length` rewritten).
    ShortAnswer,
    FlipByte,
}

impl Kind {
    pub(super) fn name(self) -> &'static str {
        match self {
            Kind::DropRequest => "reset before response (not forwarded)",
            Kind::ResponseLost => "reset before response (server did it)",
            Kind::ResetAfterHeaders => "reset after headers",
            Kind::ResetMidBody => "reset mid-body",
            Kind::Status500 => "500 InternalError",
            Kind::SlowDown => "503 SlowDown",
            Kind::BufferedAnswer => "200 with <Error>",
            Kind::Stall => "stall past the timeout",
            Kind::StallMidBody => "stall mid-body past the read timeout",
            Kind::Truncate => "truncated body",
            Kind::ShortAnswer => "short answer (Content-Length rewritten)",
            Kind::FlipByte => "flipped byte",
        }
    }

    pub(super) fn applies_to(self, op: Op) -> bool {
        match self {
            Kind::DropRequest
            | Kind::ResponseLost
            | Kind::Status500
            | Kind::SlowDown
            | Kind::Stall => true,
            Kind::ResetAfterHeaders
            | Kind::ResetMidBody
            | Kind::Truncate
            | Kind::ShortAnswer
            | Kind::FlipByte => op.has_body(),
            Kind::BufferedAnswer => matches!(op, Op::MultipartComplete | Op::RemoveObjects),
            Kind::StallMidBody => matches!(op, Op::Get | Op::FGet | Op::ListPage),
        }
    }

    /// Faults that corrupt a 2xx answer the server sent complete.
    pub(super) fn corrupts_answer(self) -> bool {
        matches!(self, Kind::ShortAnswer | Kind::FlipByte)
    }

    pub(super) fn fault(self, op: Op, persistence: Persistence) -> Fault {
        // Offsets inside the body: well inside object data, and clamped by
        // the proxy to a short XML document.
        let at = if op.is_download() { 300_000 } else { 40 };
        match self {
            Kind::DropRequest => Fault::DropRequest,
            Kind::ResponseLost => Fault::ResetBeforeResponse,
            Kind::ResetAfterHeaders => Fault::ResetAfterHeaders,
            Kind::ResetMidBody => Fault::ResetMidBody(at),
            Kind::Status500 => Fault::internal_error(),
            Kind::SlowDown => Fault::slow_down(),
            Kind::BufferedAnswer => Fault::buffered_answer("InternalError"),
            Kind::Stall => Fault::Stall(Duration::from_secs(30)),
            // A permanent stall comes before any body byte: a read that
            // makes progress between stalls is (rightly) resumed to the end.
            Kind::StallMidBody => Fault::StallMidBody {
                after: match persistence {
                    Persistence::Transient => at,
                    Persistence::Permanent => 0,
                },
                stall: Duration::from_secs(30),
            },
            Kind::Truncate => Fault::Truncate(at),
            Kind::ShortAnswer => Fault::ShortBody(at),
            Kind::FlipByte => Fault::FlipByte(if op.is_download() { 500_000 } else { 40 }),
        }
    }

    /// Is `e` the typed error this fault must end in when it persists?
    pub(super) fn expected_error(self, e: &Error) -> bool {
        let e = match e {
            Error::Part { source, .. } => source.as_ref(),
            e => e,
        };
        let transport = |kinds: &[ErrorKind]| matches!(e, Error::Transport { source, .. } if kinds.contains(&source.kind()));
        match self {
            Kind::DropRequest | Kind::ResponseLost => transport(&[ErrorKind::ConnectionReset]),
            Kind::ResetAfterHeaders | Kind::ResetMidBody | Kind::Truncate => {
                transport(&[ErrorKind::ConnectionReset]) || matches!(e, Error::Truncated { .. })
            }
            // A HEAD answer has no body to name the code: its status must do.
            Kind::Status500 | Kind::BufferedAnswer => {
                e.code() == Some("InternalError") || e.status().is_some_and(|s| s.as_u16() == 500)
            }
            Kind::SlowDown => {
                e.code() == Some("SlowDown") || e.status().is_some_and(|s| s.as_u16() == 503)
            }
            Kind::Stall | Kind::StallMidBody => transport(&[ErrorKind::Timeout]),
            // A damaged XML answer fails to parse; a damaged download fails
            // its checksum (or, for fget, its length check).
            Kind::FlipByte | Kind::ShortAnswer => matches!(
                e,
                Error::ChecksumMismatch { .. }
                    | Error::Xml { .. }
                    | Error::UnexpectedResponse { .. }
            ),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Persistence {
    Transient,
    Permanent,
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Cell {
    pub(super) op: Op,
    pub(super) kind: Kind,
    pub(super) persistence: Persistence,
}

impl fmt::Display for Cell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = match self.persistence {
            Persistence::Transient => "once",
            Persistence::Permanent => "always",
        };
        write!(f, "{} × {} ({p})", self.op.name(), self.kind.name())
    }
}

/// Every cell of the matrix.
pub(super) fn cells() -> Vec<Cell> {
    let kinds = [
        Kind::DropRequest,
        Kind::ResponseLost,
        Kind::ResetAfterHeaders,
        Kind::ResetMidBody,
        Kind::Status500,
        Kind::SlowDown,
        Kind::BufferedAnswer,
        Kind::Stall,
        Kind::StallMidBody,
        Kind::Truncate,
        Kind::ShortAnswer,
        Kind::FlipByte,
    ];
    let mut out = Vec::new();
    for op in OPS {
        for kind in kinds {
            if kind.applies_to(op) {
                out.push(Cell {
                    op,
                    kind,
                    persistence: Persistence::Transient,
                });
            }
        }
    }
    // Permanent faults: errors that every operation must surface as typed
    // errors, quickly. Stalls cost a timeout per attempt: two operations.
    for op in OPS {
        let mut permanent = vec![Kind::DropRequest, Kind::Status500, Kind::SlowDown];
        if op.has_body() {
            permanent.push(Kind::ResetAfterHeaders);
        }
        if Kind::BufferedAnswer.applies_to(op) {
            permanent.push(Kind::BufferedAnswer);
        }
        if matches!(op, Op::Get | Op::PutSingle) {
            permanent.push(Kind::Stall);
        }
        if matches!(op, Op::Get | Op::ListPage) {
            permanent.push(Kind::StallMidBody);
        }
        if matches!(op, Op::Get | Op::FGet | Op::ListPage | Op::RemoveObjects) {
            permanent.push(Kind::FlipByte);
        }
        if matches!(op, Op::Get | Op::ListPage) {
            permanent.push(Kind::ShortAnswer);
        }
        for kind in permanent {
            out.push(Cell {
                op,
                kind,
                persistence: Persistence::Permanent,
            });
        }
    }
    out
}

/// The rule that puts the cell's fault on the operation's target request.
pub(super) fn rule(cell: Cell, bucket: &str, key: &str) -> Rule {
    let fault = cell.kind.fault(cell.op, cell.persistence);
    let r = Rule::new(fault);
    let r = match cell.op {
        Op::PutSingle => r.method("PUT").path_ends_with(&format!("/{key}")),
        Op::MultipartCreate => r
            .method("POST")
            .path_ends_with(&format!("/{key}"))
            .query_contains("uploads"),
        Op::MultipartPart => r
            .method("PUT")
            .path_ends_with(&format!("/{key}"))
            .query_contains("partNumber=2"),
        Op::MultipartComplete => r
            .method("POST")
            .path_ends_with(&format!("/{key}"))
            .query_contains("uploadId="),
        Op::Get | Op::FGet => r
            .method("GET")
            .path_ends_with(&format!("/{bucket}/{SINGLE_KEY}")),
        Op::GetMultipartObject => r
            .method("GET")
            .path_ends_with(&format!("/{bucket}/{MULTI_KEY}")),
        Op::Stat => r
            .method("HEAD")
            .path_ends_with(&format!("/{bucket}/{SINGLE_KEY}")),
        Op::ListPage => r
            .method("GET")
            .query_contains(&format!("prefix={key}"))
            .nth(2),
        Op::RemoveObject => r.method("DELETE").path_ends_with(&format!("/{key}")),
        Op::RemoveObjects => r.method("POST").query_contains("delete"),
        // For bucket operations `key` is the cell's bucket.
        Op::MakeBucket => r.method("PUT").path_ends_with(&format!("/{key}")),
        Op::BucketExists => r.method("HEAD").path_ends_with(&format!("/{key}")),
        Op::RemoveBucket => r.method("DELETE").path_ends_with(&format!("/{key}")),
        Op::ListBuckets => r.method("GET").path_ends_with("/"),
    };
    match cell.persistence {
        Persistence::Transient => r,
        Persistence::Permanent => r.always(),
    }
}
