//! Paths into a `serde_json::Value`, independent of the order `serde_json::Map` keeps keys in
//! (sorted without `preserve_order`, insertion order with it: the feature differs between the
//! crates that share this engine, and seeds must replay the same everywhere).

use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

pub type Path = Vec<Seg>;

/// The keys of an object, sorted.
pub fn sorted_keys(map: &Map<String, Value>) -> Vec<String> {
    let mut keys: Vec<String> = map.keys().cloned().collect();
    keys.sort();
    keys
}

/// Every node, parents before children, keys in sorted order; the root is the empty path.
pub fn nodes(value: &Value) -> Vec<Path> {
    let mut out = Vec::new();
    collect(value, &mut Vec::new(), &mut out);
    out
}

fn collect(value: &Value, path: &mut Path, out: &mut Vec<Path>) {
    out.push(path.clone());
    match value {
        Value::Object(map) => {
            for key in sorted_keys(map) {
                path.push(Seg::Key(key.clone()));
                collect(&map[&key], path, out);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                path.push(Seg::Index(index));
                collect(item, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

pub fn get<'a>(value: &'a Value, path: &[Seg]) -> Option<&'a Value> {
    path.iter().try_fold(value, |node, seg| match seg {
        Seg::Key(key) => node.as_object()?.get(key),
        Seg::Index(index) => node.as_array()?.get(*index),
    })
}

pub fn get_mut<'a>(value: &'a mut Value, path: &[Seg]) -> Option<&'a mut Value> {
    path.iter().try_fold(value, |node, seg| match seg {
        Seg::Key(key) => node.as_object_mut()?.get_mut(key),
        Seg::Index(index) => node.as_array_mut()?.get_mut(*index),
    })
}

/// The JSON Pointer of a path, such as `/data/options/0`.
pub fn pointer(path: &[Seg]) -> String {
    path.iter()
        .map(|seg| match seg {
            Seg::Key(key) => format!("/{}", key.replace('~', "~0").replace('/', "~1")),
            Seg::Index(index) => format!("/{index}"),
        })
        .collect()
}

/// Removes the node at `path` (not the root) from its parent; whether there was one.
pub fn remove(value: &mut Value, path: &[Seg]) -> bool {
    let Some((last, parent)) = path.split_last() else { return false };
    match (get_mut(value, parent), last) {
        (Some(Value::Object(map)), Seg::Key(key)) => map.remove(key).is_some(),
        (Some(Value::Array(items)), Seg::Index(index)) if *index < items.len() => {
            items.remove(*index);
            true
        }
        _ => false,
    }
}

/// A measure that every shrinking step must decrease: nodes, characters, and how complex each
/// node's type is.
pub fn cost(value: &Value) -> u64 {
    match value {
        Value::Null => 1,
        Value::Bool(_) => 2,
        Value::Number(number) => 3 + number.to_string().len() as u64,
        Value::String(text) => 4 + text.chars().count() as u64,
        Value::Array(items) => 5 + items.iter().map(cost).sum::<u64>(),
        Value::Object(map) => {
            6 + map.iter().map(|(key, value)| 1 + key.chars().count() as u64 + cost(value)).sum::<u64>()
        }
    }
}
