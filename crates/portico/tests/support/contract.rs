//! The API contract as the tests hold the server to it: every JSON answer any test receives is
//! checked against the server's own OpenAPI document (its status must be documented for that
//! operation, and its body must match the schema). The document must be strict enough for that
//! to mean something: every object a JSON body or answer holds lists its properties and allows
//! no others, so a field renamed, added or dropped on one side only fails the check.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::Value;

pub struct Contract {
    doc: Value,
    operations: Vec<(String, Vec<String>, Value)>,
    validators: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

impl Contract {
    pub fn new(doc: Value) -> Contract {
        let mut operations = vec![];
        if let Some(paths) = doc["paths"].as_object() {
            for (path, item) in paths {
                let segments: Vec<String> = path
                    .trim_matches('/')
                    .split('/')
                    .map(str::to_string)
                    .collect();
                for (method, op) in item.as_object().into_iter().flatten() {
                    operations.push((method.clone(), segments.clone(), op["responses"].clone()));
                }
            }
        }
        let open = open_objects(&doc);
        assert!(
            open.is_empty(),
            "these JSON schemas allow properties they do not name (`deny_unknown_fields` is \
             missing): {open:?}"
        );
        Contract {
            doc,
            operations,
            validators: Mutex::default(),
        }
    }

    /// The documented responses of the operation a request hits, if any.
    fn responses(&self, method: &str, path: &str) -> Option<(&Value, String)> {
        let path = path.split('?').next().unwrap_or(path);
        let actual: Vec<&str> = path.trim_matches('/').split('/').collect();
        self.operations
            .iter()
            .filter(|(m, t, _)| m == method && t.len() == actual.len())
            .filter(|(_, t, _)| {
                t.iter()
                    .zip(&actual)
                    .all(|(t, a)| t.starts_with('{') || t == a)
            })
            .max_by_key(|(_, t, _)| t.iter().filter(|s| !s.starts_with('{')).count())
            .map(|(m, t, r)| (r, format!("{m} /{}", t.join("/"))))
    }

    fn validator(&self, key: &str, schema: &Value) -> Result<Arc<jsonschema::Validator>, String> {
        let mut cache = self.validators.lock().map_err(|e| e.to_string())?;
        if let Some(v) = cache.get(key) {
            return Ok(v.clone());
        }
        let mut root = schema.clone();
        if let Some(obj) = root.as_object_mut() {
            obj.insert("components".into(), self.doc["components"].clone());
        }
        let v = Arc::new(
            jsonschema::validator_for(&root).map_err(|e| format!("schema of {key}: {e}"))?,
        );
        cache.insert(key.to_string(), v.clone());
        Ok(v)
    }

    /// Checks one answer.
    pub fn check(&self, method: &str, path: &str, status: u16, body: &Value) -> Result<(), String> {
        let method = method.to_lowercase();
        let (schema, key) = match self.responses(&method, path) {
            Some((responses, op)) => {
                let response = responses.get(status.to_string()).ok_or_else(|| {
                    format!("{op} answered {status}, which its document does not list")
                })?;
                (
                    response["content"]["application/json"]["schema"].clone(),
                    format!("{op} {status}"),
                )
            }
            // An unknown path or method answers the failure envelope.
            None => (
                serde_json::json!({"$ref": "#/components/schemas/Failure"}),
                "unknown".to_string(),
            ),
        };
        if schema.is_null() {
            return Err(format!("{key}: no JSON schema documented"));
        }
        let validator = self.validator(&key, &schema)?;
        let errors: Vec<String> = validator
            .iter_errors(body)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{key}: the answer does not match the OpenAPI document: {}\n{body}",
                errors.join("; ")
            ))
        }
    }
}

/// The object schemas reachable from the JSON request bodies and answers of `doc` that have
/// properties but do not forbid others, by where they were found.
fn open_objects(doc: &Value) -> Vec<String> {
    let mut open = vec![];
    let mut seen = std::collections::HashSet::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            let bodies = std::iter::once(&op["requestBody"]).chain(
                op["responses"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(_, r)| r),
            );
            for body in bodies {
                let schema = &body["content"]["application/json"]["schema"];
                let place = format!("{method} {path}");
                walk(doc, schema, &place, &mut seen, &mut open);
            }
        }
    }
    open
}

fn walk(
    doc: &Value,
    schema: &Value,
    place: &str,
    seen: &mut std::collections::HashSet<String>,
    open: &mut Vec<String>,
) {
    if !schema.is_object() {
        return;
    }
    if let Some(reference) = schema["$ref"].as_str() {
        if seen.insert(reference.to_string()) {
            let name = reference.trim_start_matches("#/components/schemas/");
            walk(
                doc,
                &doc["components"]["schemas"][name],
                reference,
                seen,
                open,
            );
        }
        return;
    }
    if let Some(properties) = schema["properties"].as_object() {
        if schema["additionalProperties"] != Value::Bool(false) {
            open.push(place.to_string());
        }
        for (name, property) in properties {
            walk(doc, property, &format!("{place}.{name}"), seen, open);
        }
    }
    walk(doc, &schema["items"], place, seen, open);
    for key in ["oneOf", "anyOf", "allOf"] {
        for part in schema[key].as_array().into_iter().flatten() {
            walk(doc, part, place, seen, open);
        }
    }
}
