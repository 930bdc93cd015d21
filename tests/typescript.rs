//! What is made from the Rust declarations: the models' TypeScript and `GistClient`'s methods are the
//! ones in the package's `index.d.ts` and in the reviewed `tests/golden/index.d.ts`, the table of
//! methods and lists is the one in `client.js`, and the models' rules are the ones in `rules.js`.

#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use getgist::endpoints::typescript::{rewrite_dts, rewrite_js};
use getgist::models::typescript::{rewrite, rules_js};

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
fn the_package_rules_are_the_models_rules() {
    assert!(
        read("pkg-template/rules.js") == rules_js(),
        "pkg-template/rules.js is not what src/models/ declare: run ./build.sh build (or cargo run --bin write-dts)"
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
fn the_package_dts_declares_the_client_methods_as_generated() {
    let dts = read("pkg-template/index.d.ts");
    assert!(
        rewrite_dts(&dts).expect("rewrites") == dts,
        "GistClient's methods in pkg-template/index.d.ts are not what src/resources/ declare: run ./build.sh build (or cargo run --bin write-dts)"
    );
}

#[test]
fn the_reviewed_golden_declares_the_generated_client_methods() {
    let golden = read("tests/golden/index.d.ts");
    assert!(
        rewrite_dts(&golden).expect("rewrites") == golden,
        "GistClient's methods changed: review the diff of pkg-template/index.d.ts after ./build.sh build, then copy it to tests/golden/index.d.ts"
    );
}

#[test]
fn the_package_client_js_has_the_generated_method_tables() {
    let js = read("pkg-template/client.js");
    assert!(
        rewrite_js(&js).expect("rewrites") == js,
        "the METHODS and LISTS of pkg-template/client.js are not what src/resources/ declare: run ./build.sh build (or cargo run --bin write-dts)"
    );
}

#[test]
fn request_options_follow_a_methods_own_options_and_each_list_has_list_and_iter() {
    let golden = read("tests/golden/index.d.ts");
    let tables = rewrite_js(&read("pkg-template/client.js")).expect("rewrites");
    assert!(tables.contains("\n  fetchSegment: [\"id\", \"options\"],\n"));
    assert!(tables.contains("\nconst LISTS = { users: \"Users\", leads: \"Leads\", tags: \"Tags\", segments: \"Segments\", campaigns: \"Campaigns\", events: \"Events\" };\n"));
    assert!(golden.contains("    fetchSegment(id: number, options?: SegmentOptions | null, requestOptions?: RequestOptions | null): GistPromise<Segment>;\n"));
    assert!(golden.contains("    iterTags(options?: LimitOptions | null, requestOptions?: RequestOptions | null): ListIterator<Tag>;\n"));
    assert_eq!(golden.matches("    updateTag(").count(), 1);
}

#[test]
fn stale_client_methods_and_tables_are_made_anew() {
    let golden = read("tests/golden/index.d.ts");
    let stale = golden.replace(
        "    deleteTag(id: number, options?: RequestOptions | null): GistPromise<void>;\n",
        "    deleteTag(id: string): Promise<void>;\n    removed(): void;\n",
    );
    assert_ne!(stale, golden);
    assert_eq!(rewrite_dts(&stale).expect("rewrites"), golden);
    let js = read("pkg-template/client.js");
    let stale = js.replace(
        "  deleteTag: [\"id\"],\n",
        "  deleteTag: [\"tag\"],\n  removed: [],\n",
    );
    assert_ne!(stale, js);
    assert_eq!(rewrite_js(&stale).expect("rewrites"), js);
}

#[test]
fn a_file_without_its_anchors_is_refused() {
    let error =
        rewrite_dts("/** A client. */\nexport class GistClient {\n}\n").expect_err("no free()");
    assert!(error.contains("free(): void;"), "{error}");
    let error = rewrite_js("// Tables.\nconst METHODS = {\n};\n").expect_err("no LISTS");
    assert!(error.contains("LISTS"), "{error}");
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
