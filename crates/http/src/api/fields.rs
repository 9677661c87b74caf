//! Reading the loosely typed JSON objects of SPEC section 9 with clear errors: wrong types,
//! read-only fields and unknown fields are named.

use serde_json::{Map, Value};

use crate::ApiError;

pub struct Fields(Map<String, Value>);

impl Fields {
    /// The body must be a JSON object whose keys are all in `writable` (or `read_only`, which
    /// are refused with their own message).
    pub fn parse(body: Value, writable: &[&str], read_only: &[&str]) -> Result<Fields, ApiError> {
        let Value::Object(map) = body else {
            return Err(ApiError::invalid("the request body must be a JSON object"));
        };
        for key in map.keys() {
            if read_only.contains(&key.as_str()) {
                return Err(ApiError::invalid(format!("{key} is read-only")));
            }
            if !writable.contains(&key.as_str()) {
                return Err(ApiError::invalid(format!(
                    "unknown field '{key}'; fields are {}",
                    writable.join(", ")
                )));
            }
        }
        Ok(Fields(map))
    }

    /// A text field: absent is `None`; null or another type is refused.
    pub fn text(&self, name: &str) -> Result<Option<String>, ApiError> {
        match self.0.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(ApiError::invalid(format!("{name} must be a string"))),
        }
    }

    /// A text field that may be cleared with null: absent is `None`, null is `Some(None)`.
    pub fn nullable_text(&self, name: &str) -> Result<Option<Option<String>>, ApiError> {
        match self.0.get(name) {
            None => Ok(None),
            Some(Value::Null) => Ok(Some(None)),
            Some(Value::String(s)) if s.is_empty() => Ok(Some(None)),
            Some(Value::String(s)) => Ok(Some(Some(s.clone()))),
            Some(_) => Err(ApiError::invalid(format!(
                "{name} must be a string or null"
            ))),
        }
    }

    /// A list of ids: a JSON array of strings (a single string is accepted as a list of one).
    pub fn ids(&self, name: &str) -> Result<Option<Vec<String>>, ApiError> {
        match self.0.get(name) {
            None => Ok(None),
            Some(Value::Null) => Ok(Some(vec![])),
            Some(Value::String(s)) => Ok(Some(vec![s.clone()])),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| match v {
                    Value::String(s) if !s.is_empty() => Ok(s.clone()),
                    _ => Err(ApiError::invalid(format!("{name} must be a list of ids"))),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(_) => Err(ApiError::invalid(format!("{name} must be a list of ids"))),
        }
    }

    /// A boolean field.
    pub fn boolean(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.0.get(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(ApiError::invalid(format!("{name} must be true or false"))),
        }
    }

    /// An integer field.
    pub fn integer(&self, name: &str) -> Result<Option<i64>, ApiError> {
        match self.0.get(name) {
            None => Ok(None),
            Some(v) => v
                .as_i64()
                .map(Some)
                .ok_or_else(|| ApiError::invalid(format!("{name} must be a whole number"))),
        }
    }
}
