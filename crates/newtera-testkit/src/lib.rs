//! newtera-testkit
