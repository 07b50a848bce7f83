//! newtera-xml
