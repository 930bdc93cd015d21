//! Under `use getgist::*`, the crates a user depends on keep their names: no module of getgist shadows
//! one (the core's modules are under `getgist::internal`). With `http` or `url` at getgist's root, the
//! paths below would be ambiguous (E0659) and this file would not compile.

#![cfg(not(target_arch = "wasm32"))]

use getgist::*;

#[test]
fn a_glob_import_of_the_crate_shadows_no_other_crate() {
    assert_eq!(http::StatusCode::OK.as_u16(), 200);
    let base = url::Url::parse("https://api.getgist.com").expect("a URL");
    assert_eq!(base.host_str(), Some("api.getgist.com"));
    // And the crate's own names are there.
    assert_eq!(ContactType::User.as_str(), "user");
    assert!("{}".parse::<Value>().is_ok());
}
