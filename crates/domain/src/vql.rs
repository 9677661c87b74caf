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

use std::fmt;
use std::str::FromStr;

/// The condition Vault ships for the External Collaborator field.
pub const DEFAULT_EXTERNAL_COLLABORATOR_CONSTRAINT: &str = "organization__v = {{this.supplier__v}}";

/// Deep enough for any hand-written condition, shallow enough that a hostile
/// configuration cannot overflow the stack of the recursive parser.
const MAX_NESTING: usize = 64;

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
// Vault, so that is also the serialised form; parsing on load means a bad
// condition is rejected at start rather than when someone edits a record.
impl serde::Serialize for Constraint {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.source)
    }
}

impl<'de> serde::Deserialize<'de> for Constraint {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let source = String::deserialize(deserializer)?;
        Constraint::parse(&source).map_err(serde::de::Error::custom)
    }
}

// ---------------------------------------------------------------------------
// Syntax tree and evaluation
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
    fn evaluate(&self, candidate: &dyn Fields, this: &dyn Fields) -> Result<bool, VqlError> {
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

// ---------------------------------------------------------------------------
// Tokenizer
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    /// An identifier or keyword; which one is decided by the parser, because
    /// `in` is a keyword after a field name but could be a value's typo elsewhere.
    Word(String),
    This(FieldName),
    Str(String),
    Number(f64),
    Eq,
    Ne,
    LParen,
    RParen,
    Comma,
    End,
}

#[derive(Debug, Clone, PartialEq)]
struct Token {
    kind: Tok,
    position: usize,
    /// The token exactly as written, for error messages.
    text: String,
}

impl Token {
    fn describe(&self) -> String {
        match self.kind {
            Tok::End => "end of input".to_owned(),
            Tok::Str(_) => format!("the string {}", self.text),
            Tok::Number(_) => format!("the number {}", self.text),
            _ => format!("'{}'", self.text),
        }
    }

    fn is_word(&self, keyword: &str) -> bool {
        matches!(&self.kind, Tok::Word(w) if w.eq_ignore_ascii_case(keyword))
    }
}

/// Tokenizes as far as possible. A lexical error is returned alongside the
/// tokens before it, so the parser can report an earlier syntax error first
/// and every message points at the leftmost problem.
fn tokenize(source: &str) -> (Vec<Token>, Option<VqlError>) {
    let mut lexer = Lexer {
        chars: source.chars().collect(),
        at: 0,
    };
    let mut tokens = Vec::new();
    loop {
        match lexer.next_token() {
            Ok(token) => {
                let done = token.kind == Tok::End;
                tokens.push(token);
                if done {
                    return (tokens, None);
                }
            }
            Err(error) => return (tokens, Some(error)),
        }
    }
}

struct Lexer {
    chars: Vec<char>,
    /// 0-based index into `chars`; positions shown to people are `at + 1`.
    at: usize,
}

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

impl Lexer {
    fn peek(&self, offset: usize) -> Option<char> {
        self.chars.get(self.at + offset).copied()
    }

    fn text_from(&self, start: usize) -> String {
        self.chars
            .get(start..self.at)
            .map(|chars| chars.iter().collect())
            .unwrap_or_default()
    }

    fn token(&self, kind: Tok, start: usize) -> Token {
        Token {
            kind,
            position: start + 1,
            text: self.text_from(start),
        }
    }

    fn skip_whitespace(&mut self) {
        while self.peek(0).is_some_and(char::is_whitespace) {
            self.at += 1;
        }
    }

    fn take_while(&mut self, keep: fn(char) -> bool) {
        while self.peek(0).is_some_and(keep) {
            self.at += 1;
        }
    }

    fn next_token(&mut self) -> Result<Token, VqlError> {
        self.skip_whitespace();
        let start = self.at;
        let Some(c) = self.peek(0) else {
            return Ok(self.token(Tok::End, start));
        };
        let single = |kind: Tok, lexer: &mut Lexer| {
            lexer.at += 1;
            Ok(lexer.token(kind, start))
        };
        match c {
            '(' => single(Tok::LParen, self),
            ')' => single(Tok::RParen, self),
            ',' => single(Tok::Comma, self),
            '\'' | '"' => self.string(c),
            '{' => self.this_reference(),
            '=' | '!' | '<' | '>' => self.operator(),
            '-' | '0'..='9' => self.number(),
            c if is_ident_start(c) => {
                self.take_while(is_ident_char);
                let word = self.text_from(start);
                Ok(self.token(Tok::Word(word), start))
            }
            other => Err(VqlError::new(
                start + 1,
                format!("unexpected character '{other}'"),
            )),
        }
    }

    /// Accepts both SQL's doubled quote and a backslash escape, because admins
    /// copy conditions from Vault (backslash) as well as from SQL habits.
    fn string(&mut self, quote: char) -> Result<Token, VqlError> {
        let start = self.at;
        self.at += 1;
        let mut value = String::new();
        loop {
            match (self.peek(0), self.peek(1)) {
                (None, _) => {
                    return Err(VqlError::new(start + 1, "unterminated string starting"));
                }
                (Some('\\'), Some(next)) if next == '\\' || next == '\'' || next == '"' => {
                    value.push(next);
                    self.at += 2;
                }
                (Some(c), Some(next)) if c == quote && next == quote => {
                    value.push(quote);
                    self.at += 2;
                }
                (Some(c), _) if c == quote => {
                    self.at += 1;
                    return Ok(self.token(Tok::Str(value), start));
                }
                (Some(c), _) => {
                    value.push(c);
                    self.at += 1;
                }
            }
        }
    }

    fn this_reference(&mut self) -> Result<Token, VqlError> {
        let start = self.at;
        if self.peek(1) != Some('{') {
            return Err(VqlError::new(
                start + 1,
                "unexpected character '{'; a field of the record is written {{this.field}}",
            ));
        }
        self.at += 2;
        self.skip_whitespace();
        const PREFIX: [char; 5] = ['t', 'h', 'i', 's', '.'];
        let has_prefix = PREFIX
            .iter()
            .enumerate()
            .all(|(i, c)| self.peek(i) == Some(*c));
        if !has_prefix {
            return Err(VqlError::new(self.at + 1, "expected 'this.' after '{{'"));
        }
        self.at += PREFIX.len();
        let name_start = self.at;
        if !self.peek(0).is_some_and(is_ident_start) {
            return Err(VqlError::new(
                name_start + 1,
                "expected a field name after '{{this.'",
            ));
        }
        self.take_while(is_ident_char);
        let field = FieldName {
            name: self.text_from(name_start),
            position: name_start + 1,
        };
        self.skip_whitespace();
        if self.peek(0) != Some('}') || self.peek(1) != Some('}') {
            return Err(VqlError::new(
                self.at + 1,
                "expected '}}' to close '{{this.'",
            ));
        }
        self.at += 2;
        Ok(self.token(Tok::This(field), start))
    }

    /// Takes the whole run of operator characters, so `==` or `<>` is
    /// reported as one unknown operator rather than as a stray second `=`.
    fn operator(&mut self) -> Result<Token, VqlError> {
        let start = self.at;
        self.take_while(|c| matches!(c, '=' | '!' | '<' | '>'));
        let text = self.text_from(start);
        let kind = match text.as_str() {
            "=" => Tok::Eq,
            "!=" => Tok::Ne,
            _ => {
                return Err(VqlError::new(
                    start + 1,
                    format!("unknown operator '{text}'"),
                ))
            }
        };
        Ok(self.token(kind, start))
    }

    fn number(&mut self) -> Result<Token, VqlError> {
        let start = self.at;
        if self.peek(0) == Some('-') {
            self.at += 1;
            if !self.peek(0).is_some_and(|c| c.is_ascii_digit()) {
                return Err(VqlError::new(
                    start + 1,
                    "'-' must be followed by the digits of a number",
                ));
            }
        }
        self.take_while(|c| c.is_ascii_digit());
        if self.peek(0) == Some('.') {
            self.at += 1;
            if !self.peek(0).is_some_and(|c| c.is_ascii_digit()) {
                return Err(VqlError::new(
                    self.at + 1,
                    format!("expected digits after the '.' of {}", self.text_from(start)),
                ));
            }
            self.take_while(|c| c.is_ascii_digit());
        }
        let text = self.text_from(start);
        let value = text
            .parse::<f64>()
            .map_err(|_| VqlError::new(start + 1, format!("'{text}' is not a number")))?;
        Ok(self.token(Tok::Number(value), start))
    }
}

// ---------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------

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
struct Parser {
    tokens: Vec<Token>,
    lex_error: Option<VqlError>,
    next: usize,
    depth: usize,
}

impl Parser {
    fn new(source: &str) -> Self {
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

    fn parse(mut self) -> Result<Expr, VqlError> {
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
        let mut parts = vec![self.and_expr()?];
        while self.peek()?.is_word("or") {
            self.advance()?;
            parts.push(self.and_expr()?);
        }
        Ok(collapse(parts, Expr::Any))
    }

    fn and_expr(&mut self) -> Result<Expr, VqlError> {
        let mut parts = vec![self.primary()?];
        while self.peek()?.is_word("and") {
            self.advance()?;
            parts.push(self.primary()?);
        }
        Ok(collapse(parts, Expr::All))
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
    use super::*;
    use std::collections::HashMap;

    /// A Person or a record: a bag of named fields.
    #[derive(Default)]
    struct Object(HashMap<String, Value>);

    impl Object {
        fn with(mut self, name: &str, value: Value) -> Self {
            self.0.insert(name.to_owned(), value);
            self
        }
    }

    impl Fields for Object {
        fn field(&self, name: &str) -> Option<Value> {
            self.0.get(name).cloned()
        }
    }

    fn text(s: &str) -> Value {
        Value::Str(s.to_owned())
    }

    fn person_of(organization: &str) -> Object {
        Object::default().with("organization__v", text(organization))
    }

    fn record_of(supplier: &str) -> Object {
        Object::default().with("supplier__v", text(supplier))
    }

    fn holds(source: &str, candidate: &Object, this: &Object) -> bool {
        Constraint::parse(source)
            .unwrap()
            .evaluate(candidate, this)
            .unwrap()
    }

    /// Evaluates against a candidate with a single field `f`.
    fn holds_for(source: &str, f: Value) -> bool {
        holds(source, &Object::default().with("f", f), &Object::default())
    }

    fn parse_error(source: &str) -> String {
        Constraint::parse(source).unwrap_err().to_string()
    }

    // --- the default constraint -------------------------------------------

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

    // --- operators -------------------------------------------------------

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

    // --- AND / OR ----------------------------------------------------------

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

    // --- literals ----------------------------------------------------------

    #[test]
    fn number_literals_may_be_negative_and_decimal() {
        assert!(holds_for("f = 7", Value::Number(7.0)));
        assert!(holds_for("f = -7", Value::Number(-7.0)));
        assert!(holds_for("f = 2.5", Value::Number(2.5)));
        assert!(holds_for("f = -0.25", Value::Number(-0.25)));
        assert!(holds_for("f = 007", Value::Number(7.0)));
        assert!(!holds_for("f = 2.5", Value::Number(2.0)));
    }

    #[test]
    fn boolean_literals_are_lowercase_true_and_false() {
        assert!(holds_for("f = true", Value::Bool(true)));
        assert!(holds_for("f = false", Value::Bool(false)));
        assert!(!holds_for("f = true", Value::Bool(false)));
    }

    #[test]
    fn double_quoted_strings_are_accepted() {
        assert!(holds_for("f = \"en\"", text("en")));
    }

    #[test]
    fn empty_string_literal_is_not_null() {
        assert!(holds_for("f = ''", text("")));
        assert!(!holds_for("f = ''", Value::Null));
    }

    #[test]
    fn single_quote_is_escaped_by_doubling_or_backslash() {
        assert!(holds_for("f = 'O''Brien'", text("O'Brien")));
        assert!(holds_for(r"f = 'O\'Brien'", text("O'Brien")));
    }

    #[test]
    fn double_quote_is_escaped_by_doubling_or_backslash() {
        assert!(holds_for(r#"f = "say ""hi""""#, text(r#"say "hi""#)));
        assert!(holds_for(r#"f = "say \"hi\"""#, text(r#"say "hi""#)));
    }

    #[test]
    fn backslash_escapes_itself_and_is_kept_before_other_characters() {
        assert!(holds_for(r"f = 'a\\b'", text(r"a\b")));
        assert!(holds_for(r"f = 'a\nb'", text(r"a\nb")));
    }

    #[test]
    fn strings_may_hold_operators_keywords_and_unicode() {
        assert!(holds_for("f = 'a = b AND (c)'", text("a = b AND (c)")));
        assert!(holds_for("f = 'Zürich'", text("Zürich")));
        assert!(holds_for("f = \"it's\"", text("it's")));
    }

    // --- whitespace --------------------------------------------------------

    #[test]
    fn whitespace_between_tokens_is_optional_and_free() {
        let person = person_of("ACME");
        let record = record_of("ACME");
        for source in [
            "organization__v={{this.supplier__v}}",
            "  organization__v \t=\n {{this.supplier__v}}  ",
            "(organization__v={{this.supplier__v}})",
            "organization__v IN({{this.supplier__v}},'x')",
            "organization__v in\n(\n'x' ,\n{{this.supplier__v}}\n)",
        ] {
            assert!(holds(source, &person, &record), "{source:?}");
        }
    }

    #[test]
    fn this_reference_allows_spaces_inside_the_braces() {
        let person = person_of("ACME");
        let record = record_of("ACME");
        assert!(holds(
            "organization__v = {{ this.supplier__v }}",
            &person,
            &record
        ));
        assert!(holds(
            "organization__v = {{\tthis.supplier__v\n}}",
            &person,
            &record
        ));
    }

    // --- parse errors ------------------------------------------------------

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
    fn double_equals_is_an_unknown_operator() {
        assert_eq!(
            parse_error("organization__v == 'x'"),
            "unknown operator '==' at position 17"
        );
    }

    #[test]
    fn other_comparison_operators_are_unknown() {
        assert_eq!(parse_error("f <> 1"), "unknown operator '<>' at position 3");
        assert_eq!(parse_error("f < 1"), "unknown operator '<' at position 3");
        assert_eq!(parse_error("f >= 1"), "unknown operator '>=' at position 3");
        assert_eq!(parse_error("f ! 1"), "unknown operator '!' at position 3");
    }

    #[test]
    fn unterminated_string_points_at_its_opening_quote() {
        assert_eq!(
            parse_error("organization__v = 'ACME"),
            "unterminated string starting at position 19"
        );
        assert_eq!(
            parse_error(r"f = 'ends with escape\'"),
            "unterminated string starting at position 5"
        );
        assert_eq!(
            parse_error("f = \"x"),
            "unterminated string starting at position 5"
        );
    }

    #[test]
    fn unclosed_this_reference_points_at_what_follows_the_field() {
        assert_eq!(
            parse_error("organization__v = {{this.supplier__v"),
            "expected '}}' to close '{{this.' at position 37"
        );
        assert_eq!(
            parse_error("f = {{this.x }"),
            "expected '}}' to close '{{this.' at position 14"
        );
        assert_eq!(
            parse_error("f = {{this.x.y}}"),
            "expected '}}' to close '{{this.' at position 13"
        );
    }

    #[test]
    fn this_reference_needs_this_and_a_field_name() {
        assert_eq!(
            parse_error("f = {{that.x}}"),
            "expected 'this.' after '{{' at position 7"
        );
        assert_eq!(
            parse_error("f = {{ THIS.x}}"),
            "expected 'this.' after '{{' at position 8"
        );
        assert_eq!(
            parse_error("f = {{this.}}"),
            "expected a field name after '{{this.' at position 12"
        );
        assert_eq!(
            parse_error("f = {this.x}"),
            "unexpected character '{'; a field of the record is written {{this.field}} at position 5"
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
    fn malformed_numbers_are_reported() {
        assert_eq!(
            parse_error("f = -"),
            "'-' must be followed by the digits of a number at position 5"
        );
        assert_eq!(
            parse_error("f = 1."),
            "expected digits after the '.' of 1. at position 7"
        );
    }

    #[test]
    fn unexpected_characters_are_reported() {
        assert_eq!(
            parse_error("f = 1 # x"),
            "unexpected character '#' at position 7"
        );
        assert_eq!(
            parse_error("f = 1 && g = 2"),
            "unexpected character '&' at position 7"
        );
    }

    #[test]
    fn positions_count_characters_not_bytes() {
        // 'Zürich' has a two-byte ü; the error must still be at column 14.
        assert_eq!(
            parse_error("f = 'Zürich' =="),
            "unknown operator '==' at position 14"
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

    // --- evaluation errors -------------------------------------------------

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

    // --- introspection and conversions -----------------------------------

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
