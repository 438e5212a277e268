//! Checks made with the reference validator, the `jsonschema` crate: every schema against the
//! draft 2020-12 meta-schema, and every example against its schema and the union; the same for
//! the tolerant schemas derived from them.

use audian_events_reference::{self as reference, Validator};
use codegen::{Diagnostics, Location, SchemaSet};

/// Validates each schema file against the draft 2020-12 meta-schema.
pub fn check_meta_schema(set: &SchemaSet) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    for file in set.files() {
        let validator = match jsonschema::meta::validator_for(&file.document) {
            Ok(validator) => validator,
            Err(error) => {
                diagnostics
                    .error(Location::pointer(&file.display_path, "/$schema"), format!("no meta-schema: {error}"));
                continue;
            }
        };
        for error in validator.iter_errors(&file.document) {
            diagnostics.error(
                Location::pointer(&file.display_path, error.instance_path().as_str()),
                format!("not a valid draft 2020-12 schema: {error}"),
            );
        }
    }
    diagnostics
}

/// The reference validators of every schema file (built by `audian-events-reference`, as the
/// tests and benchmarks build theirs), resolving `$ref`s among the files of the set alone, with
/// formats asserted.
pub struct ReferenceValidators {
    validators: Vec<(String, Validator)>,
}

impl ReferenceValidators {
    pub fn build(set: &SchemaSet) -> Result<ReferenceValidators, Diagnostics> {
        let mut diagnostics = Diagnostics::new();
        let registry = match reference::registry(set.files().map(|file| (file.id.as_str(), &file.document))) {
            Ok(registry) => registry,
            Err(error) => {
                let location = Location::file(set.files().next().map(|f| f.display_path.clone()).unwrap_or_default());
                diagnostics.error(location, format!("cannot index the schemas by `$id`: {error}"));
                return Err(diagnostics);
            }
        };
        let mut validators = Vec::new();
        for file in set.files() {
            match reference::validator(&registry, &file.document) {
                Ok(validator) => validators.push((file.path.clone(), validator)),
                Err(error) => diagnostics.error(
                    Location::pointer(&file.display_path, error.schema_path().as_str()),
                    format!("the reference validator cannot compile this schema: {error}"),
                ),
            }
        }
        diagnostics.finish(ReferenceValidators { validators })
    }

    pub fn get(&self, schema_path: &str) -> Option<&Validator> {
        self.validators.iter().find(|(path, _)| path == schema_path).map(|(_, validator)| validator)
    }

    /// Validates every example against each schema it documents, reporting every failing path.
    pub fn check_examples(&self, set: &SchemaSet) -> Diagnostics {
        self.check_examples_of(set, set)
    }

    /// Validates every example of `examples` against each schema of `schemas` (the set these
    /// validators were built from) it documents, by the schema's path relative to its root.
    pub fn check_examples_of(&self, schemas: &SchemaSet, examples: &SchemaSet) -> Diagnostics {
        let mut diagnostics = Diagnostics::new();
        for file in schemas.files() {
            let Some(validator) = self.get(&file.path) else { continue };
            for example in examples.examples_of(&file.path) {
                for error in validator.iter_errors(&example.value) {
                    diagnostics.error(
                        Location::pointer(&example.display_path, error.instance_path().as_str()),
                        format!(
                            "does not match {} (keyword at {}): {}",
                            file.display_path.display(),
                            error.schema_path().as_str(),
                            reference::message(&error)
                        ),
                    );
                }
            }
        }
        diagnostics
    }
}

/// Derives the tolerant schemas from `set` (as `cargo xtask generate` writes them into
/// `schema-tolerant/`) and checks them like the canonical ones: each against the draft 2020-12
/// meta-schema, and every example of `set` against each tolerant schema it documents (what the
/// strict reading accepts, the tolerant one must). Nothing is reported when the schemas cannot
/// be derived: the generator reports why.
pub fn check_tolerant(set: &SchemaSet) -> Diagnostics {
    let derived = codegen::model::Model::parse(set).ok().and_then(|model| {
        let catalog = codegen::EventCatalog::of(&model).ok()?;
        codegen::tolerant::derive_set(set, &model, &catalog).ok()
    });
    let Some((_, tolerant_set)) = derived else { return Diagnostics::new() };
    let diagnostics = check_meta_schema(&tolerant_set);
    if !diagnostics.is_empty() {
        return diagnostics;
    }
    match ReferenceValidators::build(&tolerant_set) {
        Ok(validators) => validators.check_examples_of(&tolerant_set, set),
        Err(diagnostics) => diagnostics,
    }
}
