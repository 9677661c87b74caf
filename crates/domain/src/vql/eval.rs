//! Evaluating a parsed condition for a candidate Person and `this` record: `AND` and `OR`
//! stop at the first deciding branch; a comparison resolves every `this` field it names.

use super::{Comparison, Expr, FieldName, Fields, Operand, Value, VqlError};

impl Expr {
    pub(super) fn evaluate(
        &self,
        candidate: &dyn Fields,
        this: &dyn Fields,
    ) -> Result<bool, VqlError> {
        match self {
            Expr::Any(parts) => {
                for part in parts {
                    if part.evaluate(candidate, this)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Expr::All(parts) => {
                for part in parts {
                    if !part.evaluate(candidate, this)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            Expr::Compare(comparison) => comparison.evaluate(candidate, this),
        }
    }
}

impl Comparison {
    fn evaluate(&self, candidate: &dyn Fields, this: &dyn Fields) -> Result<bool, VqlError> {
        let left = lookup(candidate, &self.field, "the person")?;
        // Every element of an IN list is resolved, not just those up to the
        // first match, so a misspelt `this` field fails on every record
        // instead of only on the ones whose data happens to reach it.
        // An empty `{{this.x}}` matches nothing, not other empty fields: a record without a
        // supplier must not accept every person without an organization. Only the literal
        // `null` asks for empty fields.
        let mut rights = Vec::with_capacity(self.operands.len());
        for operand in &self.operands {
            match operand {
                Operand::This(field) => match lookup(this, field, "this record")? {
                    Value::Null => {}
                    value => rights.push(value),
                },
                Operand::Literal(value) => rights.push(value.clone()),
            }
        }
        let matched = rights.iter().any(|right| values_equal(&left, right));
        Ok(matched != self.negated)
    }
}

fn lookup(object: &dyn Fields, field: &FieldName, owner: &str) -> Result<Value, VqlError> {
    object.field(&field.name).ok_or_else(|| {
        VqlError::new(
            field.position,
            format!("unknown field '{}' on {owner}", field.name),
        )
    })
}

fn values_equal(left: &Value, right: &Value) -> bool {
    match (left, right) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(a), Value::Bool(b)) => a == b,
        (Value::Number(a), Value::Number(b)) => a == b,
        (Value::Str(a), Value::Str(b)) => a == b,
        // Vault hands many numeric fields over as text, so `'42' = 42` holds.
        (Value::Str(text), Value::Number(n)) | (Value::Number(n), Value::Str(text)) => {
            text.trim().parse::<f64>().is_ok_and(|parsed| parsed == *n)
        }
        _ => false,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use crate::vql::test_support::*;
    use crate::vql::*;

    // --- the default constraint ------------------------------------------------

    #[test]
    fn default_constraint_accepts_contact_of_the_records_supplier() {
        assert!(holds(
            DEFAULT_EXTERNAL_COLLABORATOR_CONSTRAINT,
            &person_of("ACME"),
            &record_of("ACME"),
        ));
    }

    #[test]
    fn default_constraint_rejects_contact_of_another_organization() {
        assert!(!holds(
            DEFAULT_EXTERNAL_COLLABORATOR_CONSTRAINT,
            &person_of("Globex"),
            &record_of("ACME"),
        ));
    }

    #[test]
    fn default_constraint_compares_case_sensitively() {
        assert!(!holds(
            DEFAULT_EXTERNAL_COLLABORATOR_CONSTRAINT,
            &person_of("acme"),
            &record_of("ACME"),
        ));
    }

    #[test]
    fn default_constraint_rejects_person_without_organization() {
        let person = Object::default().with("organization__v", Value::Null);
        assert!(!holds(
            DEFAULT_EXTERNAL_COLLABORATOR_CONSTRAINT,
            &person,
            &record_of("ACME"),
        ));
    }

    #[test]
    fn empty_this_field_matches_no_person_not_even_one_without_organization() {
        let person = Object::default().with("organization__v", Value::Null);
        let record = Object::default().with("supplier__v", Value::Null);
        assert!(!holds(
            DEFAULT_EXTERNAL_COLLABORATOR_CONSTRAINT,
            &person,
            &record
        ));
    }

    // --- operators -------------------------------------------------------------

    #[test]
    fn equals_holds_for_the_same_string() {
        assert!(holds_for("f = 'en'", text("en")));
        assert!(!holds_for("f = 'en'", text("de")));
    }

    #[test]
    fn not_equals_is_the_negation_of_equals() {
        assert!(!holds_for("f != 'en'", text("en")));
        assert!(holds_for("f != 'en'", text("de")));
    }

    #[test]
    fn not_equals_is_true_for_empty_field_against_a_value() {
        assert!(holds_for("f != 'a'", Value::Null));
        assert!(!holds_for("f = 'a'", Value::Null));
    }

    #[test]
    fn equals_null_holds_only_for_empty_fields() {
        assert!(holds_for("f = null", Value::Null));
        assert!(!holds_for("f = null", text("")));
        assert!(!holds_for("f = null", Value::Bool(false)));
        assert!(!holds_for("f != null", Value::Null));
        assert!(holds_for("f != null", text("x")));
    }

    #[test]
    fn in_holds_when_any_element_is_equal() {
        let source = "f IN ('en', 'de', {{this.lang}})";
        let this = Object::default().with("lang", text("fr"));
        for (value, expected) in [("en", true), ("de", true), ("fr", true), ("it", false)] {
            let candidate = Object::default().with("f", text(value));
            assert_eq!(holds(source, &candidate, &this), expected, "{value}");
        }
    }

    #[test]
    fn in_list_may_hold_a_single_element_and_null() {
        assert!(holds_for("f IN ('en')", text("en")));
        assert!(holds_for("f IN ('en', null)", Value::Null));
        assert!(!holds_for("f IN ('en', 'de')", Value::Null));
    }

    #[test]
    fn values_of_different_kinds_are_never_equal() {
        assert!(!holds_for("f = 'true'", Value::Bool(true)));
        assert!(!holds_for("f = true", text("true")));
        assert!(!holds_for("f = 1", Value::Bool(true)));
        assert!(holds_for("f != true", text("true")));
    }

    #[test]
    fn string_field_equals_number_literal_when_it_reads_as_that_number() {
        assert!(holds_for("f = 42", text("42")));
        assert!(holds_for("f = 42", text("42.0")));
        assert!(holds_for("f = 42", text(" 42 ")));
        assert!(!holds_for("f = 42", text("42a")));
        assert!(!holds_for("f = 42", text("")));
        assert!(holds_for("f = '42'", Value::Number(42.0)));
    }

    // --- evaluation errors -----------------------------------------------------

    #[test]
    fn unknown_candidate_field_is_reported_at_its_position() {
        let error = Constraint::parse("x = 1 OR foo__v = 'a'")
            .unwrap()
            .evaluate(
                &Object::default().with("x", Value::Number(2.0)),
                &Object::default(),
            )
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "unknown field 'foo__v' on the person at position 10"
        );
    }

    #[test]
    fn unknown_this_field_is_reported_at_its_name() {
        let error = Constraint::parse("organization__v = {{ this.bar__v }}")
            .unwrap()
            .evaluate(&person_of("ACME"), &record_of("ACME"))
            .unwrap_err();
        assert_eq!(
            error,
            VqlError {
                position: 27,
                message: "unknown field 'bar__v' on this record".to_owned()
            }
        );
    }

    #[test]
    fn unknown_this_field_in_an_in_list_is_reported_even_after_a_match() {
        let error = Constraint::parse("organization__v IN ({{this.supplier__v}}, {{this.nope}})")
            .unwrap()
            .evaluate(&person_of("ACME"), &record_of("ACME"))
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "unknown field 'nope' on this record at position 50"
        );
    }

    #[test]
    fn branches_not_reached_are_not_evaluated() {
        let constraint = Constraint::parse("x = 1 OR missing = 1").unwrap();
        let candidate = Object::default().with("x", Value::Number(1.0));
        assert!(constraint.evaluate(&candidate, &Object::default()).unwrap());
    }
}
