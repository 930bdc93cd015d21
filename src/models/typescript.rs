//! The models' TypeScript declarations, made from their Rust declarations (`declare.rs`) and
//! written into the package's `index.d.ts` by `src/bin/write-dts.rs` (`./build.sh build` runs it).
//! Host only: not built for wasm32 (its code would change what the wasm inlines).

use super::normalize::{Model, Rule};
use super::{Campaign, Contact, Segment, Tag, TrackedEvent};

/// What a model's TypeScript declaration is made of.
#[derive(Debug)]
pub struct Declaration {
    /// The type's name.
    pub name: &'static str,
    /// Its doc comment, a line each (each line's leading space included).
    pub doc: &'static [&'static str],
    /// Its normalised fields and their rules.
    pub model: &'static Model,
    /// The doc comment of each normalised field, in the model's order.
    pub docs: &'static [&'static str],
    /// The fields kept as Gist sent them that the type names: name, TypeScript type, doc comment.
    pub as_sent: &'static [(&'static str, &'static str, &'static str)],
}

/// Every model, in the order of `index.d.ts`.
pub const MODELS: [&Declaration; 5] = [
    &Contact::TYPESCRIPT,
    &Campaign::TYPESCRIPT,
    &Segment::TYPESCRIPT,
    &Tag::TYPESCRIPT,
    &TrackedEvent::TYPESCRIPT,
];

/// The TypeScript after the name of a field read by `rule`: `?` when it may be left out, its type.
fn field_type(rule: Rule) -> &'static str {
    match rule {
        Rule::Id => ": number",
        Rule::Text | Rule::TextOr(_) => ": string | null",
        Rule::TextOrEmpty => ": string",
        Rule::Whole | Rule::Timestamp => ": number | null",
        Rule::WholeIfKnown => "?: number",
        Rule::Boolean => ": boolean | null",
        Rule::ContactType => ": ContactType",
    }
}

/// A model's declaration: its doc, then `export type Name = { ... } & Record<string, unknown>;`.
pub fn declaration(model: &Declaration) -> String {
    let mut out = String::from("/**\n");
    for line in model.doc {
        out.push_str(&format!(" *{line}\n"));
    }
    out.push_str(&format!(" */\nexport type {} = {{\n", model.name));
    for ((name, rule), doc) in model.model.fields.iter().zip(model.docs) {
        out.push_str(&format!(
            "    /**{doc} */\n    {name}{};\n",
            field_type(*rule)
        ));
    }
    for (name, type_, doc) in model.as_sent {
        out.push_str(&format!("    /**{doc} */\n    {name}?: {type_};\n"));
    }
    out.push_str("} & Record<string, unknown>;\n");
    out
}

/// The rule's name in the runtime's table (`declared.js`), which `normalize.js` reads.
fn rule_name(rule: Rule) -> String {
    match rule {
        Rule::Id => "\"id\"".into(),
        Rule::Text => "\"text\"".into(),
        Rule::TextOrEmpty => "\"textOrEmpty\"".into(),
        Rule::TextOr(key) => format!("\"textOr\", \"{key}\""),
        Rule::Whole => "\"whole\"".into(),
        Rule::WholeIfKnown => "\"wholeIfKnown\"".into(),
        Rule::Timestamp => "\"timestamp\"".into(),
        Rule::Boolean => "\"boolean\"".into(),
        Rule::ContactType => "\"contactType\"".into(),
    }
}

/// The `MODELS` table of the package's `declared.js`: each model's normalised fields and their rules,
/// as the runtime's own reader (`normalize.js`) takes them, so that they are declared once, in Rust.
pub fn models_js() -> String {
    let mut out = String::from(
        "/** Each model's normalised fields, in the order they are written: [JSON name, rule, the field a \"textOr\" falls back to]. */\n\
         export const MODELS = {\n",
    );
    for model in MODELS {
        let fields: Vec<String> = model
            .model
            .fields
            .iter()
            .map(|(name, rule)| format!("[\"{name}\", {}]", rule_name(*rule)))
            .collect();
        out.push_str(&format!(
            "  {}: [{}],\n",
            model.model.what,
            fields.join(", ")
        ));
    }
    out.push_str("};\n");
    out
}

/// `dts` with each model's declaration made anew: in place of the one there (from its doc comment to
/// its `} & Record<string, unknown>;`), or, for a model not there yet, after the model before it.
///
/// # Errors
/// When the first model's declaration is missing, or a declaration has no end.
pub fn rewrite(dts: &str) -> Result<String, String> {
    let mut lines: Vec<String> = dts.lines().map(str::to_owned).collect();
    let mut after = None;
    for model in MODELS {
        let new: Vec<String> = declaration(model).lines().map(str::to_owned).collect();
        let (start, end) = match find(&lines, model.name)? {
            Some(range) => range,
            None => {
                let at = after.ok_or(format!("index.d.ts declares no `{}`", model.name))?;
                lines.insert(at, String::new());
                (at + 1, at + 1)
            }
        };
        let count = new.len();
        lines.splice(start..end, new);
        after = Some(start + count);
    }
    Ok(lines.join("\n") + "\n")
}

/// The lines of the declaration of `name` in `lines` (from its doc comment to its closing line, as a
/// range), if it is there.
fn find(lines: &[String], name: &str) -> Result<Option<(usize, usize)>, String> {
    let head = format!("export type {name} = {{");
    let Some(at) = lines.iter().position(|line| *line == head) else {
        return Ok(None);
    };
    let start = lines
        .get(..at)
        .and_then(|before| before.iter().rposition(|line| line.starts_with("/**")))
        .filter(|start| {
            lines
                .get(start + 1..at)
                .is_some_and(|doc| doc.iter().all(|l| l.starts_with(" *")))
        })
        .unwrap_or(at);
    let end = lines
        .iter()
        .skip(at)
        .position(|line| line == "} & Record<string, unknown>;")
        .ok_or(format!(
            "the declaration of `{name}` in index.d.ts has no end"
        ))?;
    Ok(Some((start, at + end + 1)))
}
