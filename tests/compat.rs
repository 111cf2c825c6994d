//! Forward compatibility: every operation's response type decodes what
//! Clerk may send beyond what the spec promises. The cases are generated at
//! build time from the spec itself (`build/compattests.rs`): per response,
//! the full instance, only required fields, every nullable `null`, every
//! array and map `null`, every enum at an unknown value, and an unknown
//! field in every object.

use clerk_backend::types;
use serde::{Serialize, de::DeserializeOwned};

const UNKNOWN_ENUM_VALUE: &str = "zz_value_from_the_future";

fn check<T: DeserializeOwned + Serialize>(operation: &str, cases: &[(&str, &str)]) {
    let mut failures = Vec::new();
    for (mode, json) in cases {
        match serde_json::from_str::<T>(json) {
            Err(e) => failures.push(format!("{mode}: {e}\n    {json}")),
            Ok(value) => {
                if *mode == "unknown_enums" && json.contains(UNKNOWN_ENUM_VALUE) {
                    let back = serde_json::to_string(&value).unwrap();
                    if !back.contains(UNKNOWN_ENUM_VALUE) {
                        failures.push(format!(
                            "{mode}: the unknown enum value was lost\n    {back}"
                        ));
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{operation}: response type {} rejects:\n{}",
        std::any::type_name::<T>(),
        failures.join("\n")
    );
}

include!(concat!(env!("OUT_DIR"), "/compat_tests.rs"));
