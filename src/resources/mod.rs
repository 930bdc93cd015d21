//! One file per Gist resource: each builds its requests and reads the answers.

pub mod contacts;
pub mod users;
