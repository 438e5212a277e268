//! The old documents with one change applied: each change is judged alone, so that its verdicts
//! and counterexample are its own and not those of a neighbour.

use serde_json::{Map, Value};

use super::diff::{Change, Documents, Edit};

/// `old` with the edits of `change`.
pub fn apply(old: &Documents, change: &Change) -> Documents {
    let mut documents = old.clone();
    for edit in &change.edits {
        apply_edit(&mut documents, edit);
    }
    documents
}

fn apply_edit(documents: &mut Documents, edit: &Edit) {
    match edit {
        Edit::AddFile { file, document } => {
            documents.insert(file.clone(), document.clone());
        }
        Edit::RemoveFile { file } => {
            documents.remove(file);
        }
        Edit::Set { file, pointer, value } => {
            if let Some(document) = documents.get_mut(file) {
                let (parent, last) = split(pointer);
                match last {
                    None => *document = value.clone(),
                    Some(last) => {
                        if let Some(Value::Object(object)) = make_path(document, &parent) {
                            object.insert(last, value.clone());
                        }
                    }
                }
            }
        }
        Edit::Remove { file, pointer } => {
            if let Some(document) = documents.get_mut(file) {
                let (parent, last) = split(pointer);
                if let (Some(Value::Object(object)), Some(last)) = (document.pointer_mut(&join(&parent)), last) {
                    object.remove(&last);
                }
            }
        }
        Edit::Push { file, pointer, value } => {
            if let Some(document) = documents.get_mut(file) {
                let (parent, last) = split(pointer);
                if let (Some(Value::Object(object)), Some(last)) = (make_path(document, &parent), last) {
                    let array = object.entry(last).or_insert_with(|| Value::Array(Vec::new()));
                    if let Value::Array(items) = array
                        && !items.contains(value)
                    {
                        items.push(value.clone());
                    }
                }
            }
        }
        Edit::Pull { file, pointer, value } => {
            if let Some(Value::Array(items)) =
                documents.get_mut(file).and_then(|document| document.pointer_mut(pointer))
            {
                items.retain(|item| item != value);
            }
        }
    }
}

/// The tokens of the parent of `pointer`, and its last token (unescaped).
fn split(pointer: &str) -> (Vec<String>, Option<String>) {
    let mut tokens: Vec<String> =
        pointer.split('/').skip(1).map(|token| token.replace("~1", "/").replace("~0", "~")).collect();
    let last = tokens.pop();
    (tokens, last)
}

fn join(tokens: &[String]) -> String {
    tokens.iter().map(|token| format!("/{}", token.replace('~', "~0").replace('/', "~1"))).collect()
}

/// The value at `tokens`, objects created on the way.
fn make_path<'a>(document: &'a mut Value, tokens: &[String]) -> Option<&'a mut Value> {
    let mut at = document;
    for token in tokens {
        at = match at {
            Value::Object(object) => object.entry(token.clone()).or_insert_with(|| Value::Object(Map::new())),
            Value::Array(items) => items.get_mut(token.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(at)
}

/// `new` with `change` undone, its values taken back from `old`: the other way to judge a change
/// alone, as the last one made, when it does not load as the first (a definition removed with
/// its last `$ref`).
pub fn revert(new: &Documents, old: &Documents, change: &Change) -> Documents {
    let mut documents = new.clone();
    for edit in change.edits.iter().rev() {
        let inverse = match edit {
            Edit::Set { file, pointer, .. } | Edit::Remove { file, pointer } => {
                match old.get(file).and_then(|document| document.pointer(pointer)) {
                    Some(value) => Edit::Set { file: file.clone(), pointer: pointer.clone(), value: value.clone() },
                    None => Edit::Remove { file: file.clone(), pointer: pointer.clone() },
                }
            }
            Edit::Push { file, pointer, value } => {
                Edit::Pull { file: file.clone(), pointer: pointer.clone(), value: value.clone() }
            }
            Edit::Pull { file, pointer, value } => {
                Edit::Push { file: file.clone(), pointer: pointer.clone(), value: value.clone() }
            }
            Edit::AddFile { file, .. } => Edit::RemoveFile { file: file.clone() },
            Edit::RemoveFile { file } => match old.get(file) {
                Some(document) => Edit::AddFile { file: file.clone(), document: document.clone() },
                None => continue,
            },
        };
        apply_edit(&mut documents, &inverse);
    }
    documents
}
