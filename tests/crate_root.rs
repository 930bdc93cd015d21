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

/// A model's `TYPESCRIPT` declaration is of a type under the hidden `internal` module (the npm
/// package's `.d.ts` is made from it): it is hidden from the crate's docs too. (A check of the `model!`
/// macro's text: rustdoc's output is not at hand in a test.)
#[test]
fn a_models_typescript_declaration_is_hidden_from_the_docs() {
    let declare = include_str!("../src/models/declare.rs");
    let at = declare
        .find("pub const TYPESCRIPT")
        .expect("model! declares TYPESCRIPT");
    let before = declare.get(..at).unwrap_or_default();
    // From the `impl $name {` that holds it.
    let attributes = before
        .rsplit_once('{')
        .map_or(before, |(_, attributes)| attributes);
    assert!(
        attributes.contains("#[doc(hidden)]"),
        "TYPESCRIPT's attributes: {attributes}"
    );
}
