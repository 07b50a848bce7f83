//! newtera-transport
