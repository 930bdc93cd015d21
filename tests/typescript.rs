//! What is made from the Rust declarations: the models' TypeScript and `GistClient`'s methods are the
//! ones in the package's `index.d.ts` (kept in the repository, so that its diff is the review of a
//! change to the public types); the runtime's `declared.js` holds each method, list and model.

#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use getgist::internal::endpoints::typescript::{declared_js, rewrite_dts};
use getgist::internal::models::typescript::rewrite;

/// The package's `index.d.ts`.
fn dts() -> String {
    let path = format!("{}/pkg-template/index.d.ts", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path).expect("pkg-template/index.d.ts")
}

#[test]
fn the_package_dts_declares_the_models_as_generated() {
    let dts = dts();
    assert!(
        rewrite(&dts).expect("rewrites") == dts,
        "pkg-template/index.d.ts is not what src/models/ declare: run ./build.sh build (or cargo run --bin write-dts), and review its diff"
    );
}

#[test]
fn the_package_dts_declares_the_client_methods_as_generated() {
    let dts = dts();
    assert!(
        rewrite_dts(&dts).expect("rewrites") == dts,
        "GistClient's methods in pkg-template/index.d.ts are not what src/resources/ declare: run ./build.sh build (or cargo run --bin write-dts), and review its diff"
    );
}

#[test]
fn request_options_follow_a_methods_own_options_and_each_list_has_list_and_iter() {
    let dts = dts();
    let declared = declared_js();
    assert!(declared.contains("\n  fetchSegment: [\"id\", \"options\"],\n"));
    assert!(declared.contains("\n  users: [\"contacts\", \"contact\", \"user\", \"Users\"],\n"));
    assert!(declared.contains("\n  tags: [\"tags\", \"tag\", null, \"Tags\"],\n"));
    assert!(dts.contains("    fetchSegment(id: number, options?: SegmentOptions | null, requestOptions?: RequestOptions | null): GistPromise<Segment>;\n"));
    assert!(dts.contains("    iterTags(options?: LimitOptions | null, requestOptions?: RequestOptions | null): ListIterator<Tag>;\n"));
    assert_eq!(dts.matches("    updateTag(").count(), 1);
}

#[test]
fn stale_client_methods_are_made_anew() {
    let dts = dts();
    let stale = dts.replace(
        "    deleteTag(id: number, options?: RequestOptions | null): GistPromise<void>;\n",
        "    deleteTag(id: string): Promise<void>;\n    removed(): void;\n",
    );
    assert_ne!(stale, dts);
    assert_eq!(rewrite_dts(&stale).expect("rewrites"), dts);
}

#[test]
fn a_dts_without_its_anchor_is_refused() {
    let error =
        rewrite_dts("/** A client. */\nexport class GistClient {\n}\n").expect_err("no free()");
    assert!(error.contains("free(): void;"), "{error}");
}

#[test]
fn a_model_not_declared_yet_is_written_after_the_one_before_it() {
    let dts = dts();
    let start = dts.find("/**\n * A segment").expect("Segment's doc");
    let end = dts[start..].find("\n\n").expect("its end") + start + 2;
    let without = format!("{}{}", &dts[..start], &dts[end..]);
    assert!(!without.contains("export type Segment"));
    assert_eq!(rewrite(&without).expect("rewrites"), dts);
}

#[test]
fn a_dts_without_the_first_model_is_refused() {
    let error = rewrite("export type Other = {};\n").expect_err("no Contact");
    assert!(error.contains("Contact"), "{error}");
}
