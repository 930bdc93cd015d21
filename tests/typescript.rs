//! The models' TypeScript: the declarations made from each model's Rust declaration are the ones in
//! the package's `index.d.ts` and in the reviewed `tests/golden/index.d.ts`.

#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use getgist::models::typescript::rewrite;

/// The file at `path` (from the repository's root).
fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).expect(path)
}

#[test]
fn the_package_dts_declares_the_models_as_generated() {
    let dts = read("pkg-template/index.d.ts");
    assert!(
        rewrite(&dts).expect("rewrites") == dts,
        "pkg-template/index.d.ts is not what src/models/ declare: run ./build.sh build (or cargo run --bin write-dts)"
    );
}

#[test]
fn the_reviewed_golden_declares_the_generated_models() {
    let golden = read("tests/golden/index.d.ts");
    assert!(
        rewrite(&golden).expect("rewrites") == golden,
        "the models' TypeScript changed: review the diff of pkg-template/index.d.ts after ./build.sh build, then copy it to tests/golden/index.d.ts"
    );
}

#[test]
fn a_model_not_declared_yet_is_written_after_the_one_before_it() {
    let golden = read("tests/golden/index.d.ts");
    let start = golden.find("/**\n * A segment").expect("Segment's doc");
    let end = golden[start..].find("\n\n").expect("its end") + start + 2;
    let without = format!("{}{}", &golden[..start], &golden[end..]);
    assert!(!without.contains("export type Segment"));
    assert_eq!(rewrite(&without).expect("rewrites"), golden);
}

#[test]
fn a_dts_without_the_first_model_is_refused() {
    let error = rewrite("export type Other = {};\n").expect_err("no Contact");
    assert!(error.contains("Contact"), "{error}");
}
