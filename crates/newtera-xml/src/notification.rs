//! `<NotificationConfiguration>`: the `PutBucketNotificationConfiguration`
//! body and the `GetBucketNotificationConfiguration` answer.

use crate::read::{Child, Parser};
use crate::write::Writer;
use crate::XmlError;

/// `<NotificationConfiguration>`: where a bucket sends its event
/// notifications. An empty configuration turns notifications off.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct NotificationConfiguration {
    /// `<CloudFunctionConfiguration>` elements (AWS Lambda targets).
    pub cloud_function_configurations: Vec<CloudFunctionConfiguration>,
    /// `<QueueConfiguration>` elements (SQS targets).
    pub queue_configurations: Vec<QueueConfiguration>,
    /// `<TopicConfiguration>` elements (SNS targets).
    pub topic_configurations: Vec<TopicConfiguration>,
    /// `<EventBridgeConfiguration/>` is present: events also go to Amazon
    /// EventBridge.
    pub event_bridge: bool,
}

/// What every notification target has: the events, an id and the key
/// filter rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct NotificationCommon {
    /// `<Event>` elements, e.g. `s3:ObjectCreated:*`.
    pub events: Vec<String>,
    /// `<Id>` of the configuration.
    pub config_id: Option<String>,
    /// `<Filter><S3Key><FilterRule>` named `prefix`: the key prefix.
    pub prefix_filter_rule: Option<String>,
    /// `<Filter><S3Key><FilterRule>` named `suffix`: the key suffix.
    pub suffix_filter_rule: Option<String>,
}

/// `<QueueConfiguration>`: events sent to a queue.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct QueueConfiguration {
    /// `<Queue>`: the queue's ARN.
    pub queue: String,
    /// Events, id and filter rules.
    pub common: NotificationCommon,
}

/// `<TopicConfiguration>`: events published to a topic.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TopicConfiguration {
    /// `<Topic>`: the topic's ARN.
    pub topic: String,
    /// Events, id and filter rules.
    pub common: NotificationCommon,
}

/// `<CloudFunctionConfiguration>`: events sent to a function.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CloudFunctionConfiguration {
    /// `<CloudFunction>`: the function's ARN.
    pub cloud_function: String,
    /// Events, id and filter rules.
    pub common: NotificationCommon,
}

impl NotificationCommon {
    /// `events`, without id or filter.
    pub fn new<I, S>(events: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        NotificationCommon {
            events: events.into_iter().map(Into::into).collect(),
            ..NotificationCommon::default()
        }
    }

    /// Sets the `<Id>`.
    pub fn config_id(mut self, id: impl Into<String>) -> Self {
        self.config_id = Some(id.into());
        self
    }

    /// Sets the key prefix filter rule.
    pub fn prefix_filter_rule(mut self, prefix: impl Into<String>) -> Self {
        self.prefix_filter_rule = Some(prefix.into());
        self
    }

    /// Sets the key suffix filter rule.
    pub fn suffix_filter_rule(mut self, suffix: impl Into<String>) -> Self {
        self.suffix_filter_rule = Some(suffix.into());
        self
    }
}

impl QueueConfiguration {
    /// Events of `common` sent to the queue `queue` (an ARN).
    pub fn new(queue: impl Into<String>, common: NotificationCommon) -> Self {
        QueueConfiguration {
            queue: queue.into(),
            common,
        }
    }
}

impl TopicConfiguration {
    /// Events of `common` published to the topic `topic` (an ARN).
    pub fn new(topic: impl Into<String>, common: NotificationCommon) -> Self {
        TopicConfiguration {
            topic: topic.into(),
            common,
        }
    }
}

impl CloudFunctionConfiguration {
    /// Events of `common` sent to the function `cloud_function` (an ARN).
    pub fn new(cloud_function: impl Into<String>, common: NotificationCommon) -> Self {
        CloudFunctionConfiguration {
            cloud_function: cloud_function.into(),
            common,
        }
    }
}

impl NotificationConfiguration {
    /// True when no target is configured (notifications are off).
    pub fn is_empty(&self) -> bool {
        self.cloud_function_configurations.is_empty()
            && self.queue_configurations.is_empty()
            && self.topic_configurations.is_empty()
            && !self.event_bridge
    }

    /// Parses a `<NotificationConfiguration>` document (the root may also be
    /// named after the operation, `<GetBucketNotificationResponse>` or
    /// `<GetBucketNotificationConfigurationResponse>`, as some servers name
    /// an empty answer). Filter rules are matched on their name in any ASCII case (AWS
    /// answers `Prefix` for the `prefix` it was sent); rules of another name
    /// and unknown elements are skipped.
    pub fn from_xml(xml: &[u8]) -> Result<Self, XmlError> {
        const DOC: &str = "NotificationConfiguration";
        let (mut p, root) = Parser::open_one_of(
            xml,
            DOC,
            DOC,
            &[
                "GetBucketNotificationResponse",
                "GetBucketNotificationConfigurationResponse",
            ],
        )?;
        let mut out = NotificationConfiguration::default();
        p.children(&root, |p, c| {
            match c.name() {
                b"QueueConfiguration" => {
                    let (queue, common) = parse_target(p, &c, b"Queue")?;
                    out.queue_configurations
                        .push(QueueConfiguration { queue, common });
                }
                b"TopicConfiguration" => {
                    let (topic, common) = parse_target(p, &c, b"Topic")?;
                    out.topic_configurations
                        .push(TopicConfiguration { topic, common });
                }
                b"CloudFunctionConfiguration" => {
                    let (cloud_function, common) = parse_target(p, &c, b"CloudFunction")?;
                    out.cloud_function_configurations
                        .push(CloudFunctionConfiguration {
                            cloud_function,
                            common,
                        });
                }
                b"EventBridgeConfiguration" => {
                    out.event_bridge = true;
                    p.skip(&c)?;
                }
                _ => p.skip(&c)?,
            }
            Ok(())
        })?;
        Ok(out)
    }

    /// Serialises to `<NotificationConfiguration xmlns="…">…</NotificationConfiguration>`:
    /// topic, queue and cloud-function configurations in that order (the
    /// order of the S3 schema), then `<EventBridgeConfiguration/>`.
    pub fn to_xml(&self) -> Result<String, XmlError> {
        let n = self.cloud_function_configurations.len()
            + self.queue_configurations.len()
            + self.topic_configurations.len();
        let mut w = Writer::new("NotificationConfiguration", n * 192);
        for t in &self.topic_configurations {
            write_target(&mut w, "TopicConfiguration", "Topic", &t.topic, &t.common)?;
        }
        for q in &self.queue_configurations {
            write_target(&mut w, "QueueConfiguration", "Queue", &q.queue, &q.common)?;
        }
        for f in &self.cloud_function_configurations {
            write_target(
                &mut w,
                "CloudFunctionConfiguration",
                "CloudFunction",
                &f.cloud_function,
                &f.common,
            )?;
        }
        if self.event_bridge {
            w.open("EventBridgeConfiguration");
            w.close("EventBridgeConfiguration");
        }
        Ok(w.finish())
    }
}

/// Reads a queue, topic or function configuration whose ARN is in
/// `<arn_name>`.
fn parse_target<'a>(
    p: &mut Parser<'a>,
    parent: &Child<'a>,
    arn_name: &[u8],
) -> Result<(String, NotificationCommon), XmlError> {
    let mut arn = String::new();
    let mut common = NotificationCommon::default();
    p.children(parent, |p, c| {
        match c.name() {
            n if n == arn_name => arn = p.text(&c)?,
            b"Event" => common.events.push(p.text(&c)?),
            b"Id" => common.config_id = p.opt_text(&c)?,
            b"Filter" => p.children(&c, |p, k| {
                if k.name() != b"S3Key" {
                    return p.skip(&k);
                }
                p.children(&k, |p, r| {
                    if r.name() != b"FilterRule" {
                        return p.skip(&r);
                    }
                    let (mut name, mut value) = (String::new(), String::new());
                    p.children(&r, |p, f| {
                        match f.name() {
                            b"Name" => name = p.text(&f)?,
                            b"Value" => value = p.text(&f)?,
                            _ => p.skip(&f)?,
                        }
                        Ok(())
                    })?;
                    if name.trim().eq_ignore_ascii_case("prefix") {
                        common.prefix_filter_rule = Some(value);
                    } else if name.trim().eq_ignore_ascii_case("suffix") {
                        common.suffix_filter_rule = Some(value);
                    }
                    Ok(())
                })
            })?,
            _ => p.skip(&c)?,
        }
        Ok(())
    })?;
    Ok((arn, common))
}

fn write_target(
    w: &mut Writer,
    element: &'static str,
    arn_name: &'static str,
    arn: &str,
    common: &NotificationCommon,
) -> Result<(), XmlError> {
    w.open(element);
    w.opt_element("Id", common.config_id.as_deref())?;
    w.element(arn_name, arn)?;
    for event in &common.events {
        w.element("Event", event)?;
    }
    if common.prefix_filter_rule.is_some() || common.suffix_filter_rule.is_some() {
        w.open("Filter");
        w.open("S3Key");
        for (name, value) in [
            ("prefix", &common.prefix_filter_rule),
            ("suffix", &common.suffix_filter_rule),
        ] {
            if let Some(value) = value {
                w.open("FilterRule");
                w.element("Name", name)?;
                w.element("Value", value)?;
                w.close("FilterRule");
            }
        }
        w.close("S3Key");
        w.close("Filter");
    }
    w.close(element);
    Ok(())
}
