//! Tokens of a condition: words, `{{this.field}}` references, strings, numbers, operators
//! and punctuation, each with its 1-based character position.

use super::{FieldName, VqlError};

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
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
pub(super) struct Token {
    pub(super) kind: Tok,
    pub(super) position: usize,
    /// The token exactly as written, for error messages.
    pub(super) text: String,
}

impl Token {
    pub(super) fn describe(&self) -> String {
        match self.kind {
            Tok::End => "end of input".to_owned(),
            Tok::Str(_) => format!("the string {}", self.text),
            Tok::Number(_) => format!("the number {}", self.text),
            _ => format!("'{}'", self.text),
        }
    }

    pub(super) fn is_word(&self, keyword: &str) -> bool {
        matches!(&self.kind, Tok::Word(w) if w.eq_ignore_ascii_case(keyword))
    }
}

/// Tokenizes as far as possible. A lexical error is returned alongside the
/// tokens before it, so the parser can report an earlier syntax error first
/// and every message points at the leftmost problem.
pub(super) fn tokenize(source: &str) -> (Vec<Token>, Option<VqlError>) {
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use crate::vql::test_support::*;
    use crate::vql::*;

    // --- literals --------------------------------------------------------------

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

    // --- whitespace ------------------------------------------------------------

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

    // --- lexical errors --------------------------------------------------------

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
}
