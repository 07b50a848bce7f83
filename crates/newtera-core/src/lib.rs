//! newtera-core
