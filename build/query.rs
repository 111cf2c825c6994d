//! Generates `query_separators`: for each operation, the array query
//! parameters whose items the request hook (`src/runtime/hooks.rs`) joins into one
//! value instead of progenitor's `name=a&name=b` (see
//! `normalize::query_styles`).

use super::names;
use super::normalize::QueryStyle;
use std::collections::BTreeMap;
use std::fmt::Write;

pub fn generate(styles: &[QueryStyle]) -> String {
    let mut by_op: BTreeMap<String, Vec<&QueryStyle>> = BTreeMap::new();
    for s in styles {
        by_op
            .entry(names::method(&s.operation_id))
            .or_default()
            .push(s);
    }
    let mut arms = String::new();
    for (op, params) in by_op {
        let list: Vec<String> = params
            .iter()
            .map(|p| format!("({:?}, {:?})", p.name, p.separator))
            .collect();
        writeln!(arms, "        {op:?} => &[{}],", list.join(", ")).unwrap();
    }
    format!(
        "/// The array query parameters of `operation_id` sent as one joined
/// value, with their separator (`,` for `explode: false`, ` ` for
/// `spaceDelimited`, `|` for `pipeDelimited`). Used by the request hook.
#[doc(hidden)]
#[inline]
pub fn query_separators(operation_id: &str) -> &'static [(&'static str, char)] {{
    match operation_id {{
{arms}        _ => &[],
    }}
}}
"
    )
}
