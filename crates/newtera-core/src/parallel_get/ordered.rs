//! The parallel `get_object`: ranges fetched ahead, handed out in order.

use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use futures::StreamExt as _;

use super::{checks::Segment, drain, head_request, range_body, Plan};
use crate::error::Result;
use crate::get::{GetObject, GetObjectResponse, ObjectBody};
use crate::progress::Meter;
use crate::task::Task;

/// Reads `get` with parallel ranges when it is large enough; `None` when
/// one stream should read it.
pub(crate) async fn send(get: &GetObject) -> Result<Option<GetObjectResponse>> {
    let head = head_request(get).send().await?;
    let Some(plan) = Plan::new(get, head, 1).await? else {
        return Ok(None);
    };
    let meter = get.download.meter_from(plan.start);
    if let Some(m) = &meter {
        m.set_total(Some(plan.end - plan.start));
    }
    let whole = plan.expected.is_some() || (plan.start == 0 && Some(plan.end) == plan.head.size);
    let status = if whole {
        http::StatusCode::OK
    } else {
        http::StatusCode::PARTIAL_CONTENT
    };
    // Reading again (after a damaged read) repeats this read, pinned.
    let mut read = get.clone();
    read.opts = plan.get.opts.clone();
    let again = crate::get::Again {
        read: std::sync::Arc::new(read),
        meter: meter.clone(),
        etag: None,
    };
    Ok(Some(GetObjectResponse {
        bucket_name: get.bucket().to_owned(),
        object_name: get.object().to_owned(),
        headers: plan.head.metadata.clone(),
        status,
        body: body(plan, meter),
        again,
    }))
}

/// The bytes of every range in order; the checksum's verdict at the end.
fn body(plan: Plan, meter: Option<Arc<Meter>>) -> ObjectBody {
    let plan = Arc::new(plan);
    let etag = plan.head.etag.clone().unwrap_or_default();
    let p = plan.clone();
    let ranges = plan.ranges().map(move |(_, start, end)| {
        let (plan, etag) = (p.clone(), etag.clone());
        Task::spawn(super::OP, async move {
            let body = range_body(&plan.get, &etag, start, end).await?;
            let mut buf = BytesMut::with_capacity((end - start) as usize);
            let segments = plan.segments(start, end);
            let segs = drain(body, start, end, segments, |chunk, _| {
                buf.extend_from_slice(&chunk);
                futures::future::ready(Ok(()))
            })
            .await?;
            Ok((buf.freeze(), end, segs))
        })
    });
    let fetched = futures::stream::iter(ranges)
        .buffered(plan.parallel)
        .boxed();
    struct State {
        fetched: futures::stream::BoxStream<'static, Result<(Bytes, u64, Vec<Segment>)>>,
        segments: Vec<Segment>,
        plan: Arc<Plan>,
        meter: Option<Arc<Meter>>,
        done: bool,
    }
    let state = State {
        fetched,
        segments: Vec::new(),
        plan,
        meter,
        done: false,
    };
    let stream = futures::stream::unfold(state, |mut st| async move {
        if st.done {
            return None;
        }
        match st.fetched.next().await {
            Some(Ok((bytes, end, segs))) => {
                st.segments.extend(segs);
                if let Some(m) = &st.meter {
                    m.reached(0, end);
                }
                Some((Ok(bytes), st))
            }
            Some(Err(e)) => {
                st.done = true;
                Some((Err(e), st))
            }
            None => {
                st.done = true;
                let segments = std::mem::take(&mut st.segments);
                match st.plan.verify(segments) {
                    Ok(()) => None,
                    Err(e) => Some((Err(e), st)),
                }
            }
        }
    });
    ObjectBody::from_stream(stream.boxed())
}
