//! `GistClient`'s methods, made from what the resources declare: the table of methods and their
//! arguments' names in `client.js`, and the methods' TypeScript in `index.d.ts`, written by
//! `src/bin/write-dts.rs` (`./build.sh build` runs it). Host only: the wasm carries none of it.

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

/// The first line of the generated tables in `client.js`.
const JS_START: &str = "const METHODS = {";
/// The start of the last line of the generated tables in `client.js`.
const JS_LAST: &str = "const LISTS = {";
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

/// `client.js`'s `METHODS` (each method, in the order declared, and its arguments' names) and `LISTS`
/// (each list and its method suffix).
pub fn tables() -> String {
    let mut out = format!("{JS_START}\n");
    for endpoint in RESOURCES.iter().flat_map(|r| r.iter()) {
        let names: Vec<String> = endpoint
            .method
            .params
            .iter()
            .map(|param| format!("\"{}\"", name_of(param)))
            .collect();
        out.push_str(&format!("  {}: [{}],\n", endpoint.name, names.join(", ")));
    }
    let lists: Vec<String> = LISTS
        .iter()
        .map(|listing| format!("{}: \"{}\"", listing.name, suffix(listing)))
        .collect();
    out.push_str(&format!("}};\n{JS_LAST} {} }};\n", lists.join(", ")));
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
                format!("GistPromise<{}[]>", list.item),
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

/// `js` (`client.js`) with its tables made anew: from the line `const METHODS = {` to the line that
/// starts `const LISTS = {`.
///
/// # Errors
/// When either line is missing.
pub fn rewrite_js(js: &str) -> Result<String, String> {
    let start = js
        .find(&format!("\n{JS_START}\n"))
        .map(|at| at + 1)
        .ok_or(format!("client.js has no line `{JS_START}`"))?;
    let last = js
        .get(start..)
        .and_then(|rest| rest.find(&format!("\n{JS_LAST}")))
        .map(|at| start + at + 1)
        .ok_or(format!(
            "client.js has no line `{JS_LAST} ... }};` after METHODS"
        ))?;
    let end = js
        .get(last..)
        .and_then(|rest| rest.find('\n'))
        .map(|at| last + at + 1)
        .ok_or("client.js ends at LISTS")?;
    Ok(format!(
        "{}{}{}",
        js.get(..start).unwrap_or_default(),
        tables(),
        js.get(end..).unwrap_or_default()
    ))
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
