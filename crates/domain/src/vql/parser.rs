//! Parsing tokens into the syntax tree, with positioned messages that say what was expected.

use super::lexer::{tokenize, Tok, Token};
use super::{Comparison, Expr, FieldName, Operand, Value, VqlError};

/// Deep enough for any hand-written condition, shallow enough that a hostile
/// configuration cannot overflow the stack of the recursive parser.
const MAX_NESTING: usize = 64;

/// Words that cannot be a field name on the left of a comparison.
const RESERVED: [&str; 6] = ["and", "or", "in", "null", "true", "false"];

fn is_reserved(word: &str) -> bool {
    RESERVED.iter().any(|r| r.eq_ignore_ascii_case(word))
}

/// Recursive descent over:
///
/// ```text
/// condition  := or_expr END
/// or_expr    := and_expr ( OR and_expr )*
/// and_expr   := primary ( AND primary )*
/// primary    := '(' or_expr ')' | comparison
/// comparison := FIELD ( '=' operand | '!=' operand | IN '(' operand ( ',' operand )* ')' )
/// operand    := {{this.FIELD}} | STRING | NUMBER | null | true | false
/// ```
pub(super) struct Parser {
    tokens: Vec<Token>,
    lex_error: Option<VqlError>,
    next: usize,
    depth: usize,
}

impl Parser {
    pub(super) fn new(source: &str) -> Self {
        let (tokens, lex_error) = tokenize(source);
        Parser {
            tokens,
            lex_error,
            next: 0,
            depth: 0,
        }
    }

    /// The next token, or the lexical error that stopped tokenizing there.
    fn peek(&self) -> Result<&Token, VqlError> {
        match (self.tokens.get(self.next), &self.lex_error) {
            (Some(token), _) => Ok(token),
            (None, Some(error)) => Err(error.clone()),
            (None, None) => Err(VqlError::new(1, "internal error: read past end of input")),
        }
    }

    fn advance(&mut self) -> Result<Token, VqlError> {
        let token = self.peek()?.clone();
        self.next += 1;
        Ok(token)
    }

    /// How the token just consumed was written, for "after '…'" in messages.
    fn previous_text(&self) -> Option<&str> {
        self.next
            .checked_sub(1)
            .and_then(|i| self.tokens.get(i))
            .map(|token| token.text.as_str())
    }

    pub(super) fn parse(mut self) -> Result<Expr, VqlError> {
        if let Tok::End = self.peek()?.kind {
            return Err(VqlError::new(1, "the condition is empty"));
        }
        let expr = self.or_expr()?;
        let token = self.peek()?;
        match token.kind {
            Tok::End => Ok(expr),
            Tok::RParen => Err(VqlError::new(token.position, "unbalanced ')'")),
            _ => Err(VqlError::new(
                token.position,
                format!("expected AND or OR but found {}", token.describe()),
            )),
        }
    }

    fn or_expr(&mut self) -> Result<Expr, VqlError> {
        self.chain("or", Self::and_expr, Expr::Any)
    }

    fn and_expr(&mut self) -> Result<Expr, VqlError> {
        self.chain("and", Self::primary, Expr::All)
    }

    /// `part ( keyword part )*`, as one node (or the part alone).
    fn chain(
        &mut self,
        keyword: &str,
        part: fn(&mut Self) -> Result<Expr, VqlError>,
        combine: fn(Vec<Expr>) -> Expr,
    ) -> Result<Expr, VqlError> {
        let mut parts = vec![part(self)?];
        while self.peek()?.is_word(keyword) {
            self.advance()?;
            parts.push(part(self)?);
        }
        Ok(collapse(parts, combine))
    }

    fn primary(&mut self) -> Result<Expr, VqlError> {
        let token = self.peek()?.clone();
        match &token.kind {
            Tok::LParen => self.group(&token),
            Tok::Word(word) if !is_reserved(word) => {
                self.advance()?;
                let field = FieldName {
                    name: word.clone(),
                    position: token.position,
                };
                self.comparison(field).map(Expr::Compare)
            }
            _ => {
                let expected = match self.previous_text() {
                    Some(previous) => format!("expected a field name after '{previous}'"),
                    None => "expected a field name".to_owned(),
                };
                Err(VqlError::new(
                    token.position,
                    format!("{expected} but found {}", token.describe()),
                ))
            }
        }
    }

    fn group(&mut self, open: &Token) -> Result<Expr, VqlError> {
        if self.depth >= MAX_NESTING {
            return Err(VqlError::new(
                open.position,
                format!("parentheses nested more than {MAX_NESTING} deep"),
            ));
        }
        self.advance()?;
        self.depth += 1;
        let inner = self.or_expr()?;
        self.depth -= 1;
        let close = self.advance()?;
        if close.kind == Tok::RParen {
            return Ok(inner);
        }
        let expected = if close.kind == Tok::End {
            format!(
                "expected ')' to close the '(' at position {}",
                open.position
            )
        } else {
            format!(
                "expected AND, OR or ')' to close the '(' at position {}",
                open.position
            )
        };
        Err(VqlError::new(
            close.position,
            format!("{expected} but found {}", close.describe()),
        ))
    }

    fn comparison(&mut self, field: FieldName) -> Result<Comparison, VqlError> {
        let operator = self.advance()?;
        let (negated, operands) = match operator.kind {
            Tok::Eq => (false, vec![self.operand()?]),
            Tok::Ne => (true, vec![self.operand()?]),
            _ if operator.is_word("in") => (false, self.in_list(&operator.text)?),
            _ => {
                return Err(VqlError::new(
                    operator.position,
                    format!(
                        "expected '=', '!=' or IN after '{}' but found {}",
                        field.name,
                        operator.describe()
                    ),
                ))
            }
        };
        Ok(Comparison {
            field,
            negated,
            operands,
        })
    }

    fn in_list(&mut self, keyword: &str) -> Result<Vec<Operand>, VqlError> {
        let open = self.advance()?;
        if open.kind != Tok::LParen {
            return Err(VqlError::new(
                open.position,
                format!(
                    "expected '(' after '{keyword}' but found {}",
                    open.describe()
                ),
            ));
        }
        let mut operands = vec![self.operand()?];
        loop {
            let token = self.advance()?;
            match token.kind {
                Tok::Comma => operands.push(self.operand()?),
                Tok::RParen => return Ok(operands),
                _ => {
                    return Err(VqlError::new(
                        token.position,
                        format!(
                            "expected ',' or ')' in the IN list opened at position {} but found {}",
                            open.position,
                            token.describe()
                        ),
                    ))
                }
            }
        }
    }

    fn operand(&mut self) -> Result<Operand, VqlError> {
        let after = self.previous_text().unwrap_or_default().to_owned();
        let token = self.peek()?.clone();
        let operand = match &token.kind {
            Tok::Str(text) => Operand::Literal(Value::Str(text.clone())),
            Tok::Number(n) => Operand::Literal(Value::Number(*n)),
            Tok::This(field) => Operand::This(field.clone()),
            Tok::Word(word) => Operand::Literal(word_value(word, &after, token.position)?),
            _ => {
                return Err(VqlError::new(
                    token.position,
                    format!(
                        "expected a value after '{after}' but found {}",
                        token.describe()
                    ),
                ))
            }
        };
        self.advance()?;
        Ok(operand)
    }
}

/// A bare word in value position: one of the lowercase literals, or a mistake
/// worth explaining, since unquoted text and a forgotten `{{this.}}` are the
/// likely slips.
fn word_value(word: &str, after: &str, position: usize) -> Result<Value, VqlError> {
    match word {
        "null" => return Ok(Value::Null),
        "true" => return Ok(Value::Bool(true)),
        "false" => return Ok(Value::Bool(false)),
        _ => {}
    }
    let message = if word.eq_ignore_ascii_case("true") || word.eq_ignore_ascii_case("false") {
        format!("'{word}' is not a value; booleans are lowercase true or false")
    } else if word.eq_ignore_ascii_case("null") {
        format!("'{word}' is not a value; the empty value is lowercase null")
    } else if is_reserved(word) {
        format!("expected a value after '{after}' but found '{word}'")
    } else {
        format!(
            "expected a value after '{after}' but found '{word}'; \
             write text in quotes ('{word}') or a field of the record as {{{{this.{word}}}}}"
        )
    };
    Err(VqlError::new(position, message))
}

/// Avoids a one-element AND/OR node for every comparison.
fn collapse(mut parts: Vec<Expr>, combine: fn(Vec<Expr>) -> Expr) -> Expr {
    if parts.len() == 1 {
        if let Some(only) = parts.pop() {
            return only;
        }
    }
    combine(parts)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use crate::vql::test_support::*;
    use crate::vql::*;

    // --- AND / OR --------------------------------------------------------------

    fn abc(a: bool, b: bool, c: bool) -> Object {
        Object::default()
            .with("a", Value::Bool(a))
            .with("b", Value::Bool(b))
            .with("c", Value::Bool(c))
    }

    #[test]
    fn and_binds_tighter_than_or() {
        // a OR (b AND c): true with a alone; (a OR b) AND c would be false.
        let source = "a = true OR b = true AND c = true";
        assert!(holds(source, &abc(true, false, false), &Object::default()));
        assert!(!holds(source, &abc(false, true, false), &Object::default()));
        assert!(holds(source, &abc(false, true, true), &Object::default()));
    }

    #[test]
    fn parentheses_override_precedence() {
        let source = "(a = true OR b = true) AND c = true";
        assert!(!holds(source, &abc(true, false, false), &Object::default()));
        assert!(holds(source, &abc(true, false, true), &Object::default()));
        assert!(holds(source, &abc(false, true, true), &Object::default()));
    }

    #[test]
    fn chains_of_and_need_every_part() {
        let source = "a = true AND b = true AND c = true";
        assert!(holds(source, &abc(true, true, true), &Object::default()));
        assert!(!holds(source, &abc(true, true, false), &Object::default()));
    }

    #[test]
    fn chains_of_or_need_one_part() {
        let source = "a = true OR b = true OR c = true";
        assert!(holds(source, &abc(false, false, true), &Object::default()));
        assert!(!holds(
            source,
            &abc(false, false, false),
            &Object::default()
        ));
    }

    #[test]
    fn nested_parentheses_are_accepted() {
        assert!(holds(
            "((a = true) AND ((b = false)))",
            &abc(true, false, false),
            &Object::default()
        ));
    }

    #[test]
    fn keywords_are_case_insensitive() {
        let this = Object::default();
        for source in [
            "a = false or b = true and c in (true)",
            "a = false OR b = true AND c IN (true)",
            "a = false Or b = true aNd c In (true)",
        ] {
            assert!(holds(source, &abc(false, true, true), &this), "{source}");
        }
    }

    // --- syntax errors ---------------------------------------------------------

    #[test]
    fn empty_condition_is_an_error() {
        assert_eq!(parse_error(""), "the condition is empty at position 1");
        assert_eq!(parse_error("   "), "the condition is empty at position 1");
    }

    #[test]
    fn missing_value_points_at_end_of_input() {
        assert_eq!(
            parse_error("organization__v ="),
            "expected a value after '=' but found end of input at position 18"
        );
        assert_eq!(
            parse_error("f != )"),
            "expected a value after '!=' but found ')' at position 6"
        );
    }

    #[test]
    fn extra_closing_parenthesis_is_unbalanced() {
        assert_eq!(parse_error("f = 1)"), "unbalanced ')' at position 6");
        assert_eq!(parse_error("(f = 1))"), "unbalanced ')' at position 8");
    }

    #[test]
    fn missing_closing_parenthesis_names_the_open_one() {
        assert_eq!(
            parse_error("(f = 1 AND g = 2"),
            "expected ')' to close the '(' at position 1 but found end of input at position 17"
        );
        assert_eq!(
            parse_error("(f = 1 g"),
            "expected AND, OR or ')' to close the '(' at position 1 but found 'g' at position 8"
        );
    }

    #[test]
    fn uppercase_booleans_and_null_are_rejected() {
        assert_eq!(
            parse_error("f = True"),
            "'True' is not a value; booleans are lowercase true or false at position 5"
        );
        assert_eq!(
            parse_error("f = TRUE"),
            "'TRUE' is not a value; booleans are lowercase true or false at position 5"
        );
        assert_eq!(
            parse_error("f IN (true, FALSE)"),
            "'FALSE' is not a value; booleans are lowercase true or false at position 13"
        );
        assert_eq!(
            parse_error("f != NULL"),
            "'NULL' is not a value; the empty value is lowercase null at position 6"
        );
    }

    #[test]
    fn bare_word_as_value_suggests_quotes_or_this() {
        assert_eq!(
            parse_error("language__v = en"),
            "expected a value after '=' but found 'en'; write text in quotes ('en') \
             or a field of the record as {{this.en}} at position 15"
        );
        assert_eq!(
            parse_error("f = AND"),
            "expected a value after '=' but found 'AND' at position 5"
        );
    }

    #[test]
    fn missing_operator_after_field_is_reported() {
        assert_eq!(
            parse_error("organization__v 'ACME'"),
            "expected '=', '!=' or IN after 'organization__v' but found the string 'ACME' at position 17"
        );
        assert_eq!(
            parse_error("f"),
            "expected '=', '!=' or IN after 'f' but found end of input at position 2"
        );
    }

    #[test]
    fn missing_field_name_is_reported_after_the_previous_token() {
        assert_eq!(
            parse_error("f = 1 AND"),
            "expected a field name after 'AND' but found end of input at position 10"
        );
        assert_eq!(
            parse_error("f = 1 or = 2"),
            "expected a field name after 'or' but found '=' at position 10"
        );
        assert_eq!(
            parse_error("()"),
            "expected a field name after '(' but found ')' at position 2"
        );
        assert_eq!(
            parse_error("'ACME' = organization__v"),
            "expected a field name but found the string 'ACME' at position 1"
        );
        assert_eq!(
            parse_error("{{this.supplier__v}} = organization__v"),
            "expected a field name but found '{{this.supplier__v}}' at position 1"
        );
        assert_eq!(
            parse_error("null = f"),
            "expected a field name but found 'null' at position 1"
        );
    }

    #[test]
    fn trailing_tokens_after_a_comparison_are_reported() {
        assert_eq!(
            parse_error("f = 1 g = 2"),
            "expected AND or OR but found 'g' at position 7"
        );
        assert_eq!(
            parse_error("f = 1 2"),
            "expected AND or OR but found the number 2 at position 7"
        );
    }

    #[test]
    fn malformed_in_lists_are_reported() {
        assert_eq!(
            parse_error("f IN 'a'"),
            "expected '(' after 'IN' but found the string 'a' at position 6"
        );
        assert_eq!(
            parse_error("f in ()"),
            "expected a value after '(' but found ')' at position 7"
        );
        assert_eq!(
            parse_error("f IN ('a',)"),
            "expected a value after ',' but found ')' at position 11"
        );
        assert_eq!(
            parse_error("f IN ('a' 'b')"),
            "expected ',' or ')' in the IN list opened at position 6 but found the string 'b' at position 11"
        );
        assert_eq!(
            parse_error("f IN ('a'"),
            "expected ',' or ')' in the IN list opened at position 6 but found end of input at position 10"
        );
    }

    #[test]
    fn the_leftmost_error_is_reported() {
        // A syntax error before a lexical one wins, though tokenizing sees both.
        assert_eq!(
            parse_error("f 1 = 'unterminated"),
            "expected '=', '!=' or IN after 'f' but found the number 1 at position 3"
        );
    }

    #[test]
    fn absurdly_deep_nesting_is_rejected_instead_of_overflowing() {
        let source = format!("{}f = 1{}", "(".repeat(1000), ")".repeat(1000));
        assert_eq!(
            parse_error(&source),
            "parentheses nested more than 64 deep at position 65"
        );
        let fine = format!("{}f = 1{}", "(".repeat(64), ")".repeat(64));
        assert!(holds_for(&fine, Value::Number(1.0)));
    }
}
