//! newtera-signer
