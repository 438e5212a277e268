//! The `schemars` schemas of the typed events (the `schemars` feature) accept the documented
//! examples: every event type of `schema/event.json`, each through its own data type.

use audian_events::Envelope;
use audian_events_reference::{Validator, registry, validator};
use serde_json::Value;

// `with_event_types!`, written by build.rs from `schema/event.json`.
include!(concat!(env!("OUT_DIR"), "/event_types.rs"));

/// The reference validator of the `schemars` schema of `T`.
fn schemars_validator<T: schemars::JsonSchema>() -> Validator {
    let schema = serde_json::to_value(schemars::schema_for!(T)).expect("a schema serializes");
    let registry = registry(std::iter::empty()).expect("an empty registry");
    validator(&registry, &schema).unwrap_or_else(|error| panic!("{}: {error}\n{schema:#}", std::any::type_name::<T>()))
}

/// Each event type, with the validator of its envelope's `schemars` schema.
macro_rules! each_envelope {
    ($($name:literal => $data:ident),* $(,)?) => {
        vec![$(($name, schemars_validator::<Envelope<audian_events::$data>>())),*]
    };
}

#[test]
fn the_schemars_schema_of_each_event_accepts_its_documented_example() {
    let validators: Vec<(&str, Validator)> = with_event_types!(each_envelope);
    let names: Vec<&str> = validators.iter().map(|(name, _)| *name).collect();
    assert_eq!(names, audian_events_tests::values::event_names(), "the event types of the schemas, in their order");
    let examples = audian_events_tests::examples();
    assert_eq!(examples.len(), validators.len(), "one documented example per event type");
    for (name, validator) in &validators {
        let (_, example): &(String, Value) = examples
            .iter()
            .find(|(documented, _)| documented == name)
            .unwrap_or_else(|| panic!("no example of {name}"));
        let errors: Vec<String> = validator.iter_errors(example).map(|error| error.to_string()).collect();
        assert!(errors.is_empty(), "{name}: {errors:?}");
    }
}
