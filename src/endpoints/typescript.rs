//! What the runtime and the types are given of the Rust declarations: the package's `declared.js` (the
//! models' rules, each list, each method and its arguments' names), and `GistClient`'s methods in
//! `index.d.ts`, written by `src/bin/write-dts.rs` (`./build.sh build` runs it). Host only: the wasm
//! carries none of it.

use super::{LISTS, RESOURCES};
use crate::flows::Listing;
use crate::resources::{campaigns, events, leads, segments, tags, users};

/// A JS method's TypeScript, as an endpoint declares it (`endpoint!`, in `endpoints.rs`).
#[derive(Debug)]
pub struct Method {
    /// Its doc comment, a line each (each line's leading space included).
    pub doc: &'static [&'static str],
    /// Its parameters (`"id: number"`, `"options?: SegmentOptions | null"`), without the
    /// `RequestOptions` that follows them.
    pub params: &'static [&'static str],
    /// The type its `GistPromise` resolves with.
    pub answer: &'static str,
}

/// The TypeScript of a list's `list*` and `iter*` methods.
#[derive(Debug)]
pub struct ListMethods {
    /// The list.
    pub listing: &'static Listing,
    /// The type of its options.
    pub options: &'static str,
    /// The type of its items.
    pub item: &'static str,
    /// The doc comment of `list*`, a line each (each line's leading space included).
    pub list_doc: &'static [&'static str],
    /// The doc comment of `iter*`.
    pub iter_doc: &'static [&'static str],
}

/// The TypeScript of every list, in the order of [`LISTS`].
const LIST_METHODS: [&ListMethods; 6] = [
    &users::LIST_METHODS,
    &leads::LIST_METHODS,
    &tags::LIST_METHODS,
    &segments::LIST_METHODS,
    &campaigns::LIST_METHODS,
    &events::LIST_METHODS,
];

/// The first line of `GistClient`'s declaration in `index.d.ts`.
const CLASS: &str = "export class GistClient {";
/// The last member of `GistClient` written by hand; the generated methods follow it.
const LAST_BY_HAND: &str = "    free(): void;";

/// A parameter's name: its TypeScript before `?` or `:`.
fn name_of(param: &str) -> &str {
    param.split(['?', ':']).next().unwrap_or(param).trim()
}

/// A list's method suffix: `users` is `listUsers` and `iterUsers`.
fn suffix(listing: &Listing) -> String {
    let mut chars = listing.name.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The package's `declared.js`, which the build writes into `pkg/` (it is not kept in the repository):
/// the models' rules (`MODELS`), each list's answer key, model, kept contact type and method suffix
/// (`LISTS`), every Promise-returning method, in the order declared, with its arguments' names
/// (`METHODS`), the answer headers the core reads (`ANSWER_HEADERS`), the most bytes of JSON an
/// options object and an argument may take (`MAX_OPTIONS_BYTES`, `MAX_ARGUMENT_BYTES`), how deep an
/// argument may nest (`MAX_ARGUMENT_DEPTH`), how many headers a request may add (`MAX_HEADERS`), of an error
/// body the core reads for Gist's items (`MAX_ERROR_BODY`), and the most items of a list answer
/// (`MAX_PAGE_ITEMS`).
pub fn declared_js() -> String {
    let mut out = String::from(
        "// Made by src/bin/write-dts.rs from the Rust declarations (src/models/, src/resources/): do not edit.\n",
    );
    out.push_str(&crate::models::typescript::models_js());
    out.push_str(
        "/** Each list: the key of its answer's array, its items' model, the only contact type it keeps, and the suffix of its list and iter methods. */\n\
         export const LISTS = {\n",
    );
    for listing in LISTS {
        let keep = listing
            .keep
            .map_or("null".into(), |kind| format!("\"{}\"", kind.as_str()));
        out.push_str(&format!(
            "  {}: [\"{}\", \"{}\", {keep}, \"{}\"],\n",
            listing.name,
            listing.key,
            listing.model.what,
            suffix(listing)
        ));
    }
    out.push_str(
        "};\n\
         /** Every Promise-returning method and the names of its arguments (one more argument is its RequestOptions). */\n\
         export const METHODS = {\n",
    );
    for endpoint in RESOURCES.iter().flat_map(|r| r.iter()) {
        let names: Vec<String> = endpoint
            .method
            .params
            .iter()
            .map(|param| format!("\"{}\"", name_of(param)))
            .collect();
        out.push_str(&format!("  {}: [{}],\n", endpoint.name, names.join(", ")));
    }
    let answer_headers: Vec<String> = crate::call::answer_headers()
        .map(|name| format!("\"{name}\""))
        .collect();
    out.push_str(&format!(
        "}};\n\
         /** The headers of an answer that the core reads; it is handed only these, unless a step asks for every one. */\n\
         export const ANSWER_HEADERS = [{}];\n\
         /** The most bytes of JSON an options object may take, and a method's argument. */\n\
         export const MAX_OPTIONS_BYTES = {};\n\
         export const MAX_ARGUMENT_BYTES = {};\n\
         /** How deep an argument may nest arrays and objects. */\n\
         export const MAX_ARGUMENT_DEPTH = {};\n\
         /** The most headers a request's options (or an apiCall's request) may add. */\n\
         export const MAX_HEADERS = {};\n\
         /** The most bytes of an error body that the core reads for Gist's items. */\n\
         export const MAX_ERROR_BODY = {};\n\
         /** The most items one list answer may hold (the core refuses more). */\n\
         export const MAX_PAGE_ITEMS = {};\n",
        answer_headers.join(", "),
        crate::input::MAX_OPTIONS_BYTES,
        crate::input::MAX_ARGUMENT_BYTES,
        crate::input::MAX_ARGUMENT_DEPTH,
        crate::input::MAX_HEADERS,
        crate::error::MAX_ERROR_BODY,
        crate::models::normalize::MAX_PAGE_ITEMS
    ));
    out
}

/// One member of `GistClient`: its doc, then `name(params, requestOptions?): answer;`.
fn member(name: &str, doc: &[&str], params: &[&str], answer: &str) -> String {
    let mut out = String::from("    /**\n");
    for line in doc {
        out.push_str(&format!("     *{line}\n"));
    }
    let request = match params.iter().any(|param| name_of(param) == "options") {
        true => "requestOptions",
        false => "options",
    };
    let mut all = params.to_vec();
    let request = format!("{request}?: RequestOptions | null");
    all.push(&request);
    out.push_str(&format!(
        "     */\n    {name}({}): {answer};\n",
        all.join(", ")
    ));
    out
}

/// `GistClient`'s generated members, sorted by name: each endpoint's method, and each list's `list*`
/// and `iter*`.
pub fn members() -> String {
    let mut members: Vec<(String, String)> = RESOURCES
        .iter()
        .flat_map(|r| r.iter())
        .map(|e| {
            let m = &e.method;
            let answer = format!("GistPromise<{}>", m.answer);
            (e.name.to_owned(), member(e.name, m.doc, m.params, &answer))
        })
        .collect();
    for list in LIST_METHODS {
        let options = format!("options?: {} | null", list.options);
        let suffix = suffix(list.listing);
        for (verb, doc, answer) in [
            (
                "list",
                list.list_doc,
                // Resumed from an ended list's cursor, it sends nothing: no response.
                format!("GistPromise<{}[], ResponseInfo | null>", list.item),
            ),
            (
                "iter",
                list.iter_doc,
                format!("ListIterator<{}>", list.item),
            ),
        ] {
            let name = format!("{verb}{suffix}");
            let text = member(&name, doc, &[&options], &answer);
            members.push((name, text));
        }
    }
    members.sort();
    members.into_iter().map(|(_, text)| text).collect()
}

/// `dts` with `GistClient`'s methods made anew: every member after `free(): void;` up to the class's
/// closing `}`.
///
/// # Errors
/// When the class, its `free(): void;` or its end is missing.
pub fn rewrite_dts(dts: &str) -> Result<String, String> {
    let class = dts
        .find(&format!("\n{CLASS}\n"))
        .ok_or(format!("index.d.ts has no `{CLASS}`"))?;
    let start = dts
        .get(class..)
        .and_then(|rest| rest.find(&format!("\n{LAST_BY_HAND}\n")))
        .map(|at| class + at + LAST_BY_HAND.len() + 2)
        .ok_or(format!(
            "GistClient in index.d.ts has no `{}`",
            LAST_BY_HAND.trim()
        ))?;
    let rest = dts.get(start..).unwrap_or_default();
    let end = match rest.starts_with("}\n") {
        true => Some(start),
        false => rest.find("\n}\n").map(|at| start + at + 1),
    }
    .ok_or("GistClient in index.d.ts has no end")?;
    Ok(format!(
        "{}{}{}",
        dts.get(..start).unwrap_or_default(),
        members(),
        dts.get(end..).unwrap_or_default()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_list_has_its_typescript_in_the_same_order() {
        assert_eq!(
            LISTS.map(|listing| listing.name),
            LIST_METHODS.map(|list| list.listing.name)
        );
    }

    #[test]
    fn every_method_has_a_name_of_its_own() {
        let members = members();
        let mut names: Vec<&str> = members
            .lines()
            .filter(|line| !line.trim_start().starts_with(['/', '*']))
            .filter_map(|line| line.trim_start().split('(').next())
            .collect();
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), count, "{names:?}");
        let endpoints = RESOURCES.iter().map(|r| r.len()).sum::<usize>();
        assert_eq!(count, endpoints + 2 * LISTS.len());
    }

    #[test]
    fn a_parameters_name_is_its_typescript_before_a_question_mark_or_colon() {
        assert_eq!(name_of("options?: SegmentOptions | null"), "options");
        assert_eq!(name_of("ref: ContactRef"), "ref");
    }
}
