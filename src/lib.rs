//! Examples and integration tests of the Newtera workspace; nothing here is published.
