//! What the tests of the condition language share: objects with fields, and short ways to
//! evaluate a condition or read its parse error.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;

use super::{Constraint, Fields, Value};

/// A Person or a record: a bag of named fields.
#[derive(Default)]
pub(crate) struct Object(HashMap<String, Value>);

impl Object {
    pub(crate) fn with(mut self, name: &str, value: Value) -> Self {
        self.0.insert(name.to_owned(), value);
        self
    }
}

impl Fields for Object {
    fn field(&self, name: &str) -> Option<Value> {
        self.0.get(name).cloned()
    }
}

pub(crate) fn text(s: &str) -> Value {
    Value::Str(s.to_owned())
}

pub(crate) fn person_of(organization: &str) -> Object {
    Object::default().with("organization__v", text(organization))
}

pub(crate) fn record_of(supplier: &str) -> Object {
    Object::default().with("supplier__v", text(supplier))
}

pub(crate) fn holds(source: &str, candidate: &Object, this: &Object) -> bool {
    Constraint::parse(source)
        .unwrap()
        .evaluate(candidate, this)
        .unwrap()
}

/// Evaluates against a candidate with a single field `f`.
pub(crate) fn holds_for(source: &str, f: Value) -> bool {
    holds(source, &Object::default().with("f", f), &Object::default())
}

pub(crate) fn parse_error(source: &str) -> String {
    Constraint::parse(source).unwrap_err().to_string()
}
