//! Text accounting for the lifecycle, notification and replication
//! documents: [`TextLen`] (the no-amplification check) and [`Strings`]
//! (every string a value holds, for the serializer checks).

use newtera_xml::{
    AndOperator, Destination, Filter, LifecycleConfiguration, LifecycleRule, NotificationCommon,
    NotificationConfiguration, ReplicationConfiguration, ReplicationRule, Tag,
};

use crate::TextLen;

/// Every string a parsed value holds.
pub trait Strings {
    /// Appends each string of `self` to `out`.
    fn strings<'a>(&'a self, out: &mut Vec<&'a str>);

    /// Every string of `self`.
    fn all_strings(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.strings(&mut out);
        out
    }
}

fn push<'a>(out: &mut Vec<&'a str>, s: &'a Option<String>) {
    if let Some(s) = s {
        out.push(s);
    }
}

impl Strings for Tag {
    fn strings<'a>(&'a self, out: &mut Vec<&'a str>) {
        out.push(&self.key);
        out.push(&self.value);
    }
}

impl Strings for AndOperator {
    fn strings<'a>(&'a self, out: &mut Vec<&'a str>) {
        push(out, &self.prefix);
        self.tags.iter().for_each(|t| t.strings(out));
    }
}

impl Strings for Filter {
    fn strings<'a>(&'a self, out: &mut Vec<&'a str>) {
        if let Some(a) = &self.and_operator {
            a.strings(out);
        }
        push(out, &self.prefix);
        if let Some(t) = &self.tag {
            t.strings(out);
        }
    }
}

impl Strings for LifecycleRule {
    fn strings<'a>(&'a self, out: &mut Vec<&'a str>) {
        push(out, &self.id);
        out.push(&self.status);
        if let Some(f) = &self.filter {
            f.strings(out);
        }
        push(out, &self.prefix);
        if let Some(e) = &self.expiration {
            push(out, &e.date);
        }
        for t in &self.transitions {
            push(out, &t.date);
            push(out, &t.storage_class);
        }
        for t in &self.noncurrent_version_transitions {
            push(out, &t.storage_class);
        }
    }
}

impl Strings for LifecycleConfiguration {
    fn strings<'a>(&'a self, out: &mut Vec<&'a str>) {
        self.rules.iter().for_each(|r| r.strings(out));
    }
}

impl Strings for NotificationCommon {
    fn strings<'a>(&'a self, out: &mut Vec<&'a str>) {
        out.extend(self.events.iter().map(String::as_str));
        push(out, &self.config_id);
        push(out, &self.prefix_filter_rule);
        push(out, &self.suffix_filter_rule);
    }
}

impl Strings for NotificationConfiguration {
    fn strings<'a>(&'a self, out: &mut Vec<&'a str>) {
        for q in &self.queue_configurations {
            out.push(&q.queue);
            q.common.strings(out);
        }
        for t in &self.topic_configurations {
            out.push(&t.topic);
            t.common.strings(out);
        }
        for f in &self.cloud_function_configurations {
            out.push(&f.cloud_function);
            f.common.strings(out);
        }
    }
}

impl Strings for Destination {
    fn strings<'a>(&'a self, out: &mut Vec<&'a str>) {
        out.push(&self.bucket_arn);
        push(out, &self.account);
        push(out, &self.storage_class);
        push(out, &self.access_control_translation);
        push(out, &self.replica_kms_key_id);
        if let Some(t) = &self.replication_time {
            out.push(&t.status);
        }
        if let Some(m) = &self.metrics {
            out.push(&m.status);
        }
    }
}

impl Strings for ReplicationRule {
    fn strings<'a>(&'a self, out: &mut Vec<&'a str>) {
        push(out, &self.id);
        out.push(&self.status);
        if let Some(f) = &self.filter {
            f.strings(out);
        }
        push(out, &self.prefix);
        push(out, &self.delete_marker_replication);
        push(out, &self.existing_object_replication);
        if let Some(s) = &self.source_selection_criteria {
            push(out, &s.sse_kms_encrypted_objects);
            push(out, &s.replica_modifications);
        }
        self.destination.strings(out);
    }
}

impl Strings for ReplicationConfiguration {
    fn strings<'a>(&'a self, out: &mut Vec<&'a str>) {
        out.push(&self.role);
        self.rules.iter().for_each(|r| r.strings(out));
    }
}

/// The text of these documents is exactly their strings.
macro_rules! text_len_from_strings {
    ($($ty:ty),* $(,)?) => {$(
        impl TextLen for $ty {
            fn text_len(&self) -> usize {
                self.all_strings().iter().map(|s| s.len()).sum()
            }
        }
    )*};
}

text_len_from_strings!(
    LifecycleConfiguration,
    NotificationConfiguration,
    ReplicationConfiguration
);
