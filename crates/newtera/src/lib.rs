//! newtera
