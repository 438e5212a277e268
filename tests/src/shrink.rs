//! Greedy minimization of a payload while a property (a disagreement) persists.

use serde_json::{Value, json};

use crate::mutate::Input;
use crate::tree::{self, Seg};

/// Most property checks a shrink may spend.
const BUDGET: usize = 20_000;

/// Shrinks `input` while `keep` holds; `keep(input)` is assumed.
pub fn shrink(input: &Input, mut keep: impl FnMut(&Input) -> bool) -> Input {
    match input {
        Input::Value(value) => Input::Value(shrink_value(value, |value| keep(&Input::Value(value.clone())))),
        Input::Bytes(bytes) => Input::Bytes(shrink_bytes(bytes, |bytes| keep(&Input::Bytes(bytes.to_vec())))),
    }
}

/// Removes object keys and array items, replaces subtrees with `null`, `0`, `""`, `{}`, `[]` or
/// their only child, and shortens strings, as long as `keep` holds; every accepted step lowers
/// [`tree::cost`], so this ends.
pub fn shrink_value(value: &Value, mut keep: impl FnMut(&Value) -> bool) -> Value {
    let mut current = value.clone();
    let mut checks = 0;
    'restart: loop {
        let cost = tree::cost(&current);
        for path in tree::nodes(&current) {
            for candidate in candidates(&current, &path) {
                if tree::cost(&candidate) >= cost {
                    continue;
                }
                checks += 1;
                if checks > BUDGET {
                    return current;
                }
                if keep(&candidate) {
                    current = candidate;
                    continue 'restart;
                }
            }
        }
        return current;
    }
}

/// The one-step simplifications of the node at `path`, most drastic first.
fn candidates(root: &Value, path: &[Seg]) -> Vec<Value> {
    let Some(node) = tree::get(root, path) else { return Vec::new() };
    let mut replacements: Vec<Value> = Vec::new();
    match node {
        Value::Object(map) => {
            replacements.extend(map.values().filter(|_| map.len() == 1).cloned());
            for key in tree::sorted_keys(map) {
                let mut smaller = map.clone();
                smaller.remove(&key);
                replacements.push(Value::Object(smaller));
            }
        }
        Value::Array(items) => {
            replacements.extend(items.iter().filter(|_| items.len() == 1).cloned());
            for index in 0..items.len() {
                let mut smaller = items.clone();
                smaller.remove(index);
                replacements.push(Value::Array(smaller));
            }
        }
        Value::String(text) => {
            let chars: Vec<char> = text.chars().collect();
            let half = chars.len() / 2;
            for (from, to) in [(0, half), (half, chars.len()), (0, 1), (chars.len().saturating_sub(1), chars.len())] {
                if from < to && to <= chars.len() {
                    replacements.push(Value::String(chars[..from].iter().chain(&chars[to..]).collect()));
                }
            }
        }
        _ => {}
    }
    let mut out: Vec<Value> = [Value::Null, json!(0), json!(""), json!({}), json!([])]
        .into_iter()
        .chain(replacements)
        .map(|replacement| {
            let mut candidate = root.clone();
            if let Some(slot) = tree::get_mut(&mut candidate, path) {
                *slot = replacement;
            }
            candidate
        })
        .collect();
    out.dedup();
    out
}

/// Deletes chunks of bytes, halving the chunk size when no chunk can go, as long as `keep` holds.
pub fn shrink_bytes(bytes: &[u8], mut keep: impl FnMut(&[u8]) -> bool) -> Vec<u8> {
    let mut current = bytes.to_vec();
    let mut chunk = (current.len() / 2).max(1);
    let mut checks = 0;
    loop {
        let mut progressed = false;
        let mut at = 0;
        while at < current.len() {
            let end = (at + chunk).min(current.len());
            let candidate: Vec<u8> = [&current[..at], &current[end..]].concat();
            checks += 1;
            if checks > BUDGET {
                return current;
            }
            if keep(&candidate) {
                current = candidate;
                progressed = true;
            } else {
                at += chunk;
            }
        }
        if !progressed {
            if chunk == 1 {
                return current;
            }
            chunk /= 2;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shrinks_to_the_culprit() {
        let value = json!({"a": [1, 2, {"b": "needle in a haystack", "c": null}], "d": {"e": true}});
        let minimal = shrink_value(&value, |v| v.to_string().contains("needle"));
        assert_eq!(minimal, json!("needle"));
        let bytes = br#"{"x": 1, "y": "1e400", "z": [true]}"#;
        let minimal = shrink_bytes(bytes, |b| b.windows(5).any(|w| w == b"1e400"));
        assert_eq!(minimal, b"1e400");
    }
}
