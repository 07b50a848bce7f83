//! Text accounting for the object lock, default encryption and CORS
//! documents: [`TextLen`] (the no-amplification check) and [`Strings`]
//! (every string a value holds, for the serializer checks).

use newtera_xml::{
    CorsConfiguration, CorsRule, ObjectLockConfiguration, ServerSideEncryptionConfiguration,
    SseRule,
};

use crate::rules::Strings;
use crate::TextLen;

fn push<'a>(out: &mut Vec<&'a str>, s: &'a Option<String>) {
    if let Some(s) = s {
        out.push(s);
    }
}

impl Strings for ObjectLockConfiguration {
    fn strings<'a>(&'a self, out: &mut Vec<&'a str>) {
        push(out, &self.object_lock_enabled);
        push(out, &self.mode);
    }
}

impl Strings for SseRule {
    fn strings<'a>(&'a self, out: &mut Vec<&'a str>) {
        out.push(&self.sse_algorithm);
        push(out, &self.kms_master_key_id);
    }
}

impl Strings for ServerSideEncryptionConfiguration {
    fn strings<'a>(&'a self, out: &mut Vec<&'a str>) {
        self.rules.iter().for_each(|r| r.strings(out));
    }
}

impl Strings for CorsRule {
    fn strings<'a>(&'a self, out: &mut Vec<&'a str>) {
        push(out, &self.id);
        for list in [
            &self.allowed_headers,
            &self.allowed_methods,
            &self.allowed_origins,
            &self.expose_headers,
        ] {
            out.extend(list.iter().map(String::as_str));
        }
    }
}

impl Strings for CorsConfiguration {
    fn strings<'a>(&'a self, out: &mut Vec<&'a str>) {
        self.rules.iter().for_each(|r| r.strings(out));
    }
}

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
    ObjectLockConfiguration,
    ServerSideEncryptionConfiguration,
    CorsConfiguration
);
