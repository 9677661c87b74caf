//! The condition language of SPEC C1: which Person may be put in a record's
//! External Collaborator field.
//!
//! Veeva Vault constrains reference fields with a small subset of VQL, for
//! example the default `organization__v = {{this.supplier__v}}`. Portico has to
//! apply the same condition itself, so this module parses that subset and
//! evaluates it against a candidate Person (bare field names) and the record
//! being edited (`{{this.field}}`).
//!
//! Supported: `=`, `!=`, `IN (...)`, `AND`, `OR`, parentheses; string, number,
//! `null`, `true` and `false` literals. Positions in errors are 1-based
//! character columns so they can be shown next to the configured text.
//!
//! This file holds the API and the syntax tree; `lexer.rs` makes tokens, `parser.rs` the
//! tree, `eval.rs` evaluates it. Each file's tests are beside its code.

use std::fmt;
use std::str::FromStr;

mod eval;
mod lexer;
mod parser;
#[cfg(test)]
mod test_support;

use parser::Parser;

/// The condition Vault ships for the External Collaborator field.
pub const DEFAULT_EXTERNAL_COLLABORATOR_CONSTRAINT: &str = "organization__v = {{this.supplier__v}}";

/// A value a field holds or a literal denotes.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    Str(String),
}

/// Read access to the fields of the candidate Person or of `this` record.
pub trait Fields {
    /// `None` when the object has no such field at all; `Some(Value::Null)` when it has the field but it is empty.
    fn field(&self, name: &str) -> Option<Value>;
}

/// A parse or evaluation error, located in the condition's source text.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message} at position {position}")]
pub struct VqlError {
    /// 1-based character (not byte) column in the source.
    pub position: usize,
    pub message: String,
}

impl VqlError {
    fn new(position: usize, message: impl Into<String>) -> Self {
        VqlError {
            position,
            message: message.into(),
        }
    }
}

/// A parsed condition, kept together with the text it was written as.
#[derive(Debug, Clone, PartialEq)]
pub struct Constraint {
    source: String,
    expr: Expr,
}

impl Constraint {
    pub fn parse(source: &str) -> Result<Constraint, VqlError> {
        let expr = Parser::new(source).parse()?;
        Ok(Constraint {
            source: source.to_owned(),
            expr,
        })
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// Evaluates the condition for `candidate` with `this` as the record.
    ///
    /// `AND` and `OR` stop at the first deciding branch, so a missing field in
    /// a branch that is never reached goes unreported here; use
    /// [`Constraint::candidate_fields`] and [`Constraint::this_fields`] to
    /// validate a configuration up front.
    pub fn evaluate(&self, candidate: &dyn Fields, this: &dyn Fields) -> Result<bool, VqlError> {
        self.expr.evaluate(candidate, this)
    }

    /// Names of candidate fields the condition refers to, each with the
    /// position where it appears, in source order (repeats included).
    pub fn candidate_fields(&self) -> Vec<(String, usize)> {
        let mut out = Vec::new();
        self.expr.for_each_comparison(&mut |c| {
            out.push((c.field.name.clone(), c.field.position));
        });
        out
    }

    /// Names of `this` record fields the condition refers to, each with the
    /// position of the field name inside `{{this.…}}`, in source order.
    pub fn this_fields(&self) -> Vec<(String, usize)> {
        let mut out = Vec::new();
        self.expr.for_each_comparison(&mut |c| {
            for operand in &c.operands {
                if let Operand::This(field) = operand {
                    out.push((field.name.clone(), field.position));
                }
            }
        });
        out
    }
}

impl fmt::Display for Constraint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

impl FromStr for Constraint {
    type Err = VqlError;

    fn from_str(source: &str) -> Result<Self, Self::Err> {
        Constraint::parse(source)
    }
}

// Configuration files hold the condition as the text an admin would type into
// Vault; parsing on load means a bad condition is rejected at start rather than
// when someone edits a record. (No `Serialize`: what is shown of it is its
// `source()`, and domain types are not a wire format.)
impl<'de> serde::Deserialize<'de> for Constraint {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let source = String::deserialize(deserializer)?;
        Constraint::parse(&source).map_err(serde::de::Error::custom)
    }
}

// ---------------------------------------------------------------------------
// Syntax tree: what the parser makes and the evaluator walks
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Expr {
    /// Operands of `OR`; true when any is.
    Any(Vec<Expr>),
    /// Operands of `AND`; true when all are.
    All(Vec<Expr>),
    Compare(Comparison),
}

/// `field = x` is a one-element list, `field != x` its negation and
/// `field IN (...)` a longer list, so all three share one evaluation rule.
#[derive(Debug, Clone, PartialEq)]
struct Comparison {
    field: FieldName,
    negated: bool,
    operands: Vec<Operand>,
}

#[derive(Debug, Clone, PartialEq)]
struct FieldName {
    name: String,
    position: usize,
}

#[derive(Debug, Clone, PartialEq)]
enum Operand {
    This(FieldName),
    Literal(Value),
}

impl Expr {
    fn for_each_comparison(&self, visit: &mut dyn FnMut(&Comparison)) {
        match self {
            Expr::Any(parts) | Expr::All(parts) => {
                for part in parts {
                    part.for_each_comparison(visit);
                }
            }
            Expr::Compare(comparison) => visit(comparison),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use crate::vql::*;

    // --- introspection and conversions -----------------------------------------

    #[test]
    fn candidate_and_this_fields_list_every_reference_in_source_order() {
        let constraint = Constraint::parse(
            "organization__v = {{this.supplier__v}} AND (language__v IN ('en', {{ this.lang__c }}) \
             OR organization__v != null)",
        )
        .unwrap();
        assert_eq!(
            constraint.candidate_fields(),
            vec![
                ("organization__v".to_owned(), 1),
                ("language__v".to_owned(), 45),
                ("organization__v".to_owned(), 90),
            ]
        );
        assert_eq!(
            constraint.this_fields(),
            vec![("supplier__v".to_owned(), 26), ("lang__c".to_owned(), 75)]
        );
    }

    #[test]
    fn literal_only_condition_has_no_this_fields() {
        let constraint = Constraint::parse("status__v = 'active__v'").unwrap();
        assert_eq!(constraint.this_fields(), vec![]);
        assert_eq!(
            constraint.candidate_fields(),
            vec![("status__v".to_owned(), 1)]
        );
    }

    #[test]
    fn constraint_displays_its_source_unchanged() {
        let source = "  organization__v={{ this.supplier__v }} ";
        let constraint = Constraint::parse(source).unwrap();
        assert_eq!(constraint.source(), source);
        assert_eq!(constraint.to_string(), source);
    }

    #[test]
    fn constraint_parses_from_str() {
        let constraint: Constraint = DEFAULT_EXTERNAL_COLLABORATOR_CONSTRAINT.parse().unwrap();
        assert_eq!(
            constraint.source(),
            DEFAULT_EXTERNAL_COLLABORATOR_CONSTRAINT
        );
        assert!("f ==".parse::<Constraint>().is_err());
    }

    #[test]
    fn constraint_deserializes_from_its_source_and_rejects_bad_text() {
        use serde::de::value::{Error, StrDeserializer};
        use serde::de::IntoDeserializer;
        use serde::Deserialize;

        let good: StrDeserializer<'_, Error> =
            DEFAULT_EXTERNAL_COLLABORATOR_CONSTRAINT.into_deserializer();
        let constraint = Constraint::deserialize(good).unwrap();
        assert_eq!(
            constraint.source(),
            DEFAULT_EXTERNAL_COLLABORATOR_CONSTRAINT
        );

        let bad: StrDeserializer<'_, Error> = "f = TRUE".into_deserializer();
        let error = Constraint::deserialize(bad).unwrap_err();
        assert!(
            error.to_string().contains("'TRUE' is not a value"),
            "{error}"
        );
    }
}
