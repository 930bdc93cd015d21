//! Every endpoint by name: each resource file declares its endpoints (how the arguments are read, and
//! the flow that runs them, with `endpoint!`) and its list; this file only finds them.

use crate::error::Error;
use crate::flows::{Flow, Listing, Pages};
use crate::json::Value;
use crate::resources::{campaigns, events, leads, raw, segments, tags, users};
use crate::text::text;

#[cfg(not(target_arch = "wasm32"))]
// Loaded by a path (src/internal.rs), this file looks for its modules beside it.
#[path = "endpoints/typescript.rs"]
pub mod typescript;

/// An endpoint: its name (the JS method's) and how its arguments start its flow.
#[derive(Debug)]
pub struct Endpoint {
    /// The method's name, as `client.createUser` has it.
    pub name: &'static str,
    /// Reads the arguments (a bad one fails at once, before any request) into the flow.
    pub start: fn(&mut Args) -> Result<Flow, Error>,
    /// The JS method's arguments, TypeScript and doc (host only: the wasm does not carry them).
    #[cfg(not(target_arch = "wasm32"))]
    pub method: typescript::Method,
}

/// Declares an endpoint: the JS method's doc, its name, its parameters as TypeScript (without the
/// `RequestOptions` that follows them) and the type it resolves with, then how its arguments start its
/// flow:
///
/// ```ignore
/// endpoint! {
///     /// Renames the tag with this id.
///     updateTag("id: number", "name: string") -> "Tag",
///     |args| post_tag(json!({ "id": args.id()?, "name": tag_name(args.arg())? })),
/// }
/// ```
///
/// `write-dts` makes `client.js`'s method table and `GistClient`'s methods in `index.d.ts` from them.
macro_rules! endpoint {
    (
        $(#[doc = $doc:literal])*
        $name:ident($($param:literal),*) -> $answer:literal,
        $start:expr $(,)?
    ) => {
        $crate::endpoints::Endpoint {
            name: stringify!($name),
            start: $start,
            #[cfg(not(target_arch = "wasm32"))]
            method: $crate::endpoints::typescript::Method {
                doc: &[$($doc),*],
                params: &[$($param),*],
                answer: $answer,
            },
        }
    };
}

/// A method's arguments, read in order; a missing one is `null`.
pub struct Args(std::vec::IntoIter<Value>);

impl Args {
    /// The next argument.
    pub fn arg(&mut self) -> Value {
        self.0.next().unwrap_or(Value::Null)
    }

    /// The next argument as an id ([`crate::input::positive_id`]).
    pub fn id(&mut self) -> Result<u64, Error> {
        crate::input::positive_id(&self.arg())
    }
}

/// Declares the TypeScript of the `list*` and `iter*` methods of a resource's list `LIST`, as
/// `LIST_METHODS` (host only, for `write-dts`): the type of its options and of its items, then each
/// method's doc:
///
/// ```ignore
/// list_methods! {
///     LIST("LimitOptions") -> "Tag",
///     /// Lists tags, paging until `limit` (default 100, at most 10000) or the end.
///     list,
///     /// Iterates over tags, one page at a time; `limit` stops early, `cursor` resumes.
///     iter,
/// }
/// ```
macro_rules! list_methods {
    (
        $list:ident($options:literal) -> $item:literal,
        $(#[doc = $list_doc:literal])* list,
        $(#[doc = $iter_doc:literal])* iter $(,)?
    ) => {
        /// The TypeScript of the list's `list*` and `iter*` methods.
        #[cfg(not(target_arch = "wasm32"))]
        pub const LIST_METHODS: $crate::endpoints::typescript::ListMethods =
            $crate::endpoints::typescript::ListMethods {
                listing: &$list,
                options: $options,
                item: $item,
                list_doc: &[$($list_doc),*],
                iter_doc: &[$($iter_doc),*],
            };
    };
}

const RESOURCES: [&[Endpoint]; 7] = [
    users::ENDPOINTS,
    leads::ENDPOINTS,
    tags::ENDPOINTS,
    segments::ENDPOINTS,
    campaigns::ENDPOINTS,
    events::ENDPOINTS,
    raw::ENDPOINTS,
];

/// Every list, as `list`/`page` calls name them.
pub const LISTS: [&Listing; 6] = [
    &users::LIST,
    &leads::LIST,
    &tags::LIST,
    &segments::LIST,
    &campaigns::LIST,
    &events::LIST,
];

/// The flow of the endpoint `name` with `args`; `list` and `page` take a list's name first, then its
/// options (and, for `page`, the walk's cursor: `null` for its first page).
///
/// # Errors
/// `invalid_argument` for an unknown endpoint or list, or a bad argument.
pub fn start(name: &str, args: Vec<Value>) -> Result<Flow, Error> {
    let mut args = Args(args.into_iter());
    match name {
        "list" => {
            let listing = listing(&args.arg())?;
            Pages::list(listing, args.arg()).map(|pages| Flow::Pages(Box::new(pages)))
        }
        "page" => {
            let listing = listing(&args.arg())?;
            let options = args.arg();
            Pages::page(listing, options, &args.arg()).map(|pages| Flow::Pages(Box::new(pages)))
        }
        _ => match RESOURCES
            .iter()
            .flat_map(|r| r.iter())
            .find(|e| e.name == name)
        {
            Some(endpoint) => (endpoint.start)(&mut args),
            None => Err(Error::invalid_argument(text!("no method `{}`", name))),
        },
    }
}

/// Whether `name` is an endpoint's, that is a JS method's (`fetchLead`, `apiCall`).
pub fn is_endpoint(name: &str) -> bool {
    RESOURCES
        .iter()
        .flat_map(|r| r.iter())
        .any(|e| e.name == name)
}

fn listing(name: &Value) -> Result<&'static Listing, Error> {
    let name = name.as_str().unwrap_or_default();
    LISTS
        .into_iter()
        .find(|listing| listing.name == name)
        .ok_or_else(|| Error::invalid_argument(text!("no list `{}`", name)))
}
