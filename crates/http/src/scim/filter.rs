//! SCIM filters (RFC 7644 section 3.4.2.2) and the attribute paths of PATCH (section 3.5.2):
//! a small recursive-descent parser over a tokenizer, and their evaluation against a
//! resource's JSON. No kept crate fits: `scim-filter` matches serialised collections but gives
//! no tree to evaluate ourselves, nor the PATCH path form.
//!
//! Grammar, lowest precedence first (`not` binds tighter than `and`, `and` than `or`):
//! ```text
//! or     = and *("or" and)
//! and    = unary *("and" unary)
//! unary  = "not" "(" or ")" / "(" or ")" / attrExp / valuePath
//! attrExp = attrPath "pr" / attrPath compareOp compValue
//! valuePath = attrPath "[" or "]"
//! ```

use serde_json::Value;

/// An attribute named in a filter or path: `[schema URN ":"] name ["." sub]`.
#[derive(Debug, Clone, PartialEq)]
pub struct AttrPath {
    /// The schema URN it was qualified with, if any.
    pub uri: Option<String>,
    /// The attribute.
    pub name: String,
    /// Its sub-attribute, if any.
    pub sub: Option<String>,
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Gt,
    Ge,
    Lt,
    Le,
}

/// A parsed filter.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// `attr op value`
    Compare(AttrPath, Op, Value),
    /// `attr pr`
    Present(AttrPath),
    /// `a and b`
    And(Box<Filter>, Box<Filter>),
    /// `a or b`
    Or(Box<Filter>, Box<Filter>),
    /// `not (a)`
    Not(Box<Filter>),
    /// `attr[filter]`: some value of the multi-valued `attr` matches `filter`.
    Values(AttrPath, Box<Filter>),
}

/// A PATCH path: an attribute, optionally narrowed to the values matching a filter, then
/// optionally one of their sub-attributes (`emails[type eq "work"].value`).
#[derive(Debug, Clone, PartialEq)]
pub struct PatchPath {
    /// The attribute.
    pub attr: AttrPath,
    /// The values it applies to.
    pub filter: Option<Filter>,
    /// The sub-attribute after the filter.
    pub sub: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Open,
    Close,
    OpenBracket,
    CloseBracket,
    Str(String),
    Word(String),
}

/// Why a filter or path does not parse, with where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError(pub String);

impl std::fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn tokens(text: &str) -> Result<Vec<Token>, SyntaxError> {
    let mut out = vec![];
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => {
                out.push(Token::Open);
                i += 1;
            }
            ')' => {
                out.push(Token::Close);
                i += 1;
            }
            '[' => {
                out.push(Token::OpenBracket);
                i += 1;
            }
            ']' => {
                out.push(Token::CloseBracket);
                i += 1;
            }
            '"' => {
                // A JSON string: let serde_json read it, escapes and all.
                let start = i;
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' {
                        i += 1;
                    }
                    i += 1;
                }
                if i >= chars.len() {
                    return Err(SyntaxError(format!(
                        "the string starting at character {} is not closed",
                        start + 1
                    )));
                }
                i += 1;
                let raw: String = chars[start..i].iter().collect();
                let s: String = serde_json::from_str(&raw).map_err(|_| {
                    SyntaxError(format!(
                        "{raw} at character {} is not a valid string",
                        start + 1
                    ))
                })?;
                out.push(Token::Str(s));
            }
            _ => {
                let start = i;
                while i < chars.len()
                    && !chars[i].is_whitespace()
                    && !matches!(chars[i], '(' | ')' | '[' | ']' | '"')
                {
                    i += 1;
                }
                out.push(Token::Word(chars[start..i].iter().collect()));
            }
        }
    }
    Ok(out)
}

/// Splits `[urn ":"] name ["." sub]`.
pub fn attr_path(word: &str) -> Result<AttrPath, SyntaxError> {
    let (uri, rest) = if word.to_ascii_lowercase().starts_with("urn:") {
        match word.rsplit_once(':') {
            Some((uri, rest)) => (Some(uri.to_string()), rest),
            None => (None, word),
        }
    } else {
        (None, word)
    };
    let (name, sub) = match rest.split_once('.') {
        Some((n, s)) => (n, Some(s)),
        None => (rest, None),
    };
    let valid = |s: &str| {
        let mut chars = s.chars();
        chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '$')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '$')
    };
    if !valid(name) || sub.is_some_and(|s| !valid(s)) {
        return Err(SyntaxError(format!("'{word}' is not an attribute name")));
    }
    Ok(AttrPath {
        uri,
        name: name.to_string(),
        sub: sub.map(str::to_string),
    })
}

fn op(word: &str) -> Option<Op> {
    Some(match word.to_ascii_lowercase().as_str() {
        "eq" => Op::Eq,
        "ne" => Op::Ne,
        "co" => Op::Co,
        "sw" => Op::Sw,
        "ew" => Op::Ew,
        "gt" => Op::Gt,
        "ge" => Op::Ge,
        "lt" => Op::Lt,
        "le" => Op::Le,
        _ => return None,
    })
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn keyword(&self, k: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case(k))
    }

    fn expect(&mut self, want: Token, what: &str) -> Result<(), SyntaxError> {
        match self.next() {
            Some(t) if t == want => Ok(()),
            Some(t) => Err(SyntaxError(format!("expected {what}, found {}", show(&t)))),
            None => Err(SyntaxError(format!("expected {what} at the end"))),
        }
    }

    fn or(&mut self) -> Result<Filter, SyntaxError> {
        let mut left = self.and()?;
        while self.keyword("or") {
            self.at += 1;
            let right = self.and()?;
            left = Filter::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Filter, SyntaxError> {
        let mut left = self.unary()?;
        while self.keyword("and") {
            self.at += 1;
            let right = self.unary()?;
            left = Filter::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Filter, SyntaxError> {
        if self.keyword("not") {
            self.at += 1;
            self.expect(Token::Open, "'(' after not")?;
            let inner = self.or()?;
            self.expect(Token::Close, "')'")?;
            return Ok(Filter::Not(Box::new(inner)));
        }
        match self.next() {
            Some(Token::Open) => {
                let inner = self.or()?;
                self.expect(Token::Close, "')'")?;
                Ok(inner)
            }
            Some(Token::Word(w)) => {
                let path = attr_path(&w)?;
                if self.peek() == Some(&Token::OpenBracket) {
                    self.at += 1;
                    let inner = self.or()?;
                    self.expect(Token::CloseBracket, "']'")?;
                    return Ok(Filter::Values(path, Box::new(inner)));
                }
                self.comparison(path)
            }
            Some(t) => Err(SyntaxError(format!(
                "expected an attribute, found {}",
                show(&t)
            ))),
            None => Err(SyntaxError("the filter ends too early".into())),
        }
    }

    fn comparison(&mut self, path: AttrPath) -> Result<Filter, SyntaxError> {
        let Some(Token::Word(w)) = self.next() else {
            return Err(SyntaxError(format!(
                "expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr) after {}",
                path.name
            )));
        };
        if w.eq_ignore_ascii_case("pr") {
            return Ok(Filter::Present(path));
        }
        let op = op(&w).ok_or_else(|| SyntaxError(format!("'{w}' is not an operator")))?;
        let value = match self.next() {
            Some(Token::Str(s)) => Value::String(s),
            Some(Token::Word(w)) => match w.to_ascii_lowercase().as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                "null" => Value::Null,
                _ => serde_json::from_str::<serde_json::Number>(&w)
                    .map(Value::Number)
                    .map_err(|_| {
                        SyntaxError(format!(
                            "'{w}' is not a value: strings are in double quotes"
                        ))
                    })?,
            },
            Some(t) => return Err(SyntaxError(format!("expected a value, found {}", show(&t)))),
            None => return Err(SyntaxError(format!("expected a value after {w}"))),
        };
        Ok(Filter::Compare(path, op, value))
    }
}

fn show(t: &Token) -> String {
    match t {
        Token::Open => "'('".into(),
        Token::Close => "')'".into(),
        Token::OpenBracket => "'['".into(),
        Token::CloseBracket => "']'".into(),
        Token::Str(s) => format!("\"{s}\""),
        Token::Word(w) => format!("'{w}'"),
    }
}

/// Parses a filter.
pub fn parse(text: &str) -> Result<Filter, SyntaxError> {
    let mut p = Parser {
        tokens: tokens(text)?,
        at: 0,
    };
    let f = p.or()?;
    match p.peek() {
        None => Ok(f),
        Some(t) => Err(SyntaxError(format!(
            "unexpected {} after the filter",
            show(t)
        ))),
    }
}

/// Parses a PATCH path.
pub fn parse_path(text: &str) -> Result<PatchPath, SyntaxError> {
    let text = text.trim();
    let Some(open) = text.find('[') else {
        return Ok(PatchPath {
            attr: attr_path(text)?,
            filter: None,
            sub: None,
        });
    };
    let close = text
        .rfind(']')
        .filter(|c| *c > open)
        .ok_or_else(|| SyntaxError(format!("'{text}': '[' is not closed")))?;
    let attr = attr_path(&text[..open])?;
    let filter = parse(&text[open + 1..close])?;
    let rest = &text[close + 1..];
    let sub = match rest.strip_prefix('.') {
        Some(s) => Some(attr_path(s)?.name),
        None if rest.is_empty() => None,
        None => {
            return Err(SyntaxError(format!(
                "'{rest}' after ']' is not '.attribute'"
            )))
        }
    };
    Ok(PatchPath {
        attr,
        filter: Some(filter),
        sub,
    })
}

/// A key of `object` whatever its case (attribute names are case-insensitive).
pub fn key<'a>(object: &'a serde_json::Map<String, Value>, name: &str) -> Option<&'a String> {
    object.keys().find(|k| k.eq_ignore_ascii_case(name))
}

/// A member of `object` whatever its case.
pub fn member<'a>(object: &'a Value, name: &str) -> Option<&'a Value> {
    let o = object.as_object()?;
    key(o, name).and_then(|k| o.get(k))
}

/// Attributes compared with their case (RFC 7643 `caseExact: true`); every other string
/// attribute Portico has is compared without.
fn case_exact(path: &AttrPath) -> bool {
    ["id", "externalId"]
        .iter()
        .any(|n| path.name.eq_ignore_ascii_case(n))
        || (path.name.eq_ignore_ascii_case("meta")
            && path
                .sub
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case("version")))
}

/// The object an attribute path is read from: the resource, or the extension its URN names.
/// `None` when the URN is neither the core schema nor one of the resource's extensions.
pub fn scope<'a>(resource: &'a Value, path: &AttrPath, core: &str) -> Option<&'a Value> {
    match &path.uri {
        None => Some(resource),
        Some(uri) if uri.eq_ignore_ascii_case(core) => Some(resource),
        Some(uri) => member(resource, uri),
    }
}

/// Every value a path names in `resource` (several for a multi-valued attribute).
pub fn values<'a>(resource: &'a Value, path: &AttrPath, core: &str) -> Vec<&'a Value> {
    let Some(top) = scope(resource, path, core).and_then(|s| member(s, &path.name)) else {
        return vec![];
    };
    let items: Vec<&Value> = match top {
        Value::Array(items) => items.iter().collect(),
        Value::Null => vec![],
        v => vec![v],
    };
    items
        .into_iter()
        .filter_map(|item| match (&path.sub, item) {
            (Some(sub), item) => member(item, sub),
            // A multi-valued complex attribute compared as a whole compares its `value`.
            (None, Value::Object(_)) => member(item, "value"),
            (None, item) => Some(item),
        })
        .filter(|v| !v.is_null())
        .collect()
}

/// Why a filter cannot be evaluated: an operator that does not apply to a type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError(pub String);

/// Whether `resource` matches `filter`.
pub fn matches(filter: &Filter, resource: &Value, core: &str) -> Result<bool, FilterError> {
    Ok(match filter {
        Filter::And(a, b) => matches(a, resource, core)? && matches(b, resource, core)?,
        Filter::Or(a, b) => matches(a, resource, core)? || matches(b, resource, core)?,
        Filter::Not(a) => !matches(a, resource, core)?,
        Filter::Present(path) => values(resource, path, core).iter().any(|v| match v {
            Value::String(s) => !s.is_empty(),
            Value::Array(a) => !a.is_empty(),
            Value::Object(o) => !o.is_empty(),
            _ => true,
        }),
        Filter::Compare(path, op, want) => {
            let found = values(resource, path, core);
            let exact = case_exact(path);
            let mut any = false;
            for v in &found {
                if compare(v, *op, want, exact, &path.name)? {
                    any = true;
                    break;
                }
            }
            match op {
                // `ne` holds when no value equals (also when there is none).
                Op::Ne => !any,
                Op::Eq if want.is_null() => found.is_empty(),
                _ => any,
            }
        }
        Filter::Values(path, inner) => {
            let Some(top) = scope(resource, path, core).and_then(|s| member(s, &path.name)) else {
                return Ok(false);
            };
            let items: Vec<&Value> = match top {
                Value::Array(items) => items.iter().collect(),
                v => vec![v],
            };
            let mut any = false;
            for item in items {
                if matches(inner, item, core)? {
                    any = true;
                    break;
                }
            }
            any
        }
    })
}

/// Evaluates every comparison of `filter` against `resource` without stopping at the first
/// that decides: a filter whose operators do not apply to the attributes' types is refused
/// whatever users there are, and whichever way a list is answered (see `list.rs`).
pub fn check(filter: &Filter, resource: &Value, core: &str) -> Result<(), FilterError> {
    match filter {
        Filter::And(a, b) | Filter::Or(a, b) => {
            check(a, resource, core)?;
            check(b, resource, core)
        }
        Filter::Not(a) => check(a, resource, core),
        Filter::Present(_) => Ok(()),
        Filter::Compare(..) => matches(filter, resource, core).map(|_| ()),
        Filter::Values(path, inner) => {
            let top = scope(resource, path, core).and_then(|s| member(s, &path.name));
            let items: Vec<&Value> = match top {
                Some(Value::Array(items)) => items.iter().collect(),
                Some(v) => vec![v],
                None => vec![],
            };
            items.into_iter().try_for_each(|i| check(inner, i, core))
        }
    }
}

/// One value against the filter's. `ne` is answered as "equal" here and negated by the
/// caller over all values.
fn compare(
    have: &Value,
    op: Op,
    want: &Value,
    exact: bool,
    name: &str,
) -> Result<bool, FilterError> {
    let fold = |s: &str| {
        if exact {
            s.to_string()
        } else {
            s.to_lowercase()
        }
    };
    match (have, want) {
        (Value::String(h), Value::String(w)) => {
            let (h, w) = (fold(h), fold(w));
            Ok(match op {
                Op::Eq | Op::Ne => h == w,
                Op::Co => h.contains(&w),
                Op::Sw => h.starts_with(&w),
                Op::Ew => h.ends_with(&w),
                Op::Gt => h > w,
                Op::Ge => h >= w,
                Op::Lt => h < w,
                Op::Le => h <= w,
            })
        }
        (Value::Bool(h), Value::Bool(w)) => match op {
            Op::Eq | Op::Ne => Ok(h == w),
            _ => Err(FilterError(format!(
                "{name} is a boolean: only eq, ne and pr apply to it"
            ))),
        },
        (Value::Number(h), Value::Number(w)) => {
            let (h, w) = (h.as_f64().unwrap_or(0.0), w.as_f64().unwrap_or(0.0));
            match op {
                Op::Eq | Op::Ne => Ok(h == w),
                Op::Gt => Ok(h > w),
                Op::Ge => Ok(h >= w),
                Op::Lt => Ok(h < w),
                Op::Le => Ok(h <= w),
                _ => Err(FilterError(format!(
                    "{name} is a number: co, sw and ew apply to strings"
                ))),
            }
        }
        (_, Value::Null) => Ok(false),
        (Value::Bool(_), _) if matches!(op, Op::Gt | Op::Ge | Op::Lt | Op::Le) => Err(FilterError(
            format!("{name} is a boolean: only eq, ne and pr apply to it"),
        )),
        // Values of different types are never equal, nor ordered.
        _ => Ok(false),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const CORE: &str = "urn:ietf:params:scim:schemas:core:2.0:User";

    fn user() -> Value {
        json!({
            "id": "usr_1", "userName": "Ada.Lovelace", "externalId": "AbC",
            "name": {"givenName": "Ada", "familyName": "Lovelace"},
            "emails": [{"value": "ada@example.com", "type": "work", "primary": true}],
            "active": true,
            "meta": {"lastModified": "2026-01-02T00:00:00Z"},
            "urn:portico:params:scim:schemas:extension:portico:2.0:User": {"managedByQmsAutomation": false}
        })
    }

    fn m(f: &str) -> bool {
        matches(&parse(f).expect(f), &user(), CORE).expect(f)
    }

    #[test]
    fn every_operator_compares_as_the_rfc_says() {
        assert!(
            m(r#"userName eq "ada.lovelace""#),
            "userName is caseExact false"
        );
        assert!(!m(r#"externalId eq "abc""#), "externalId is caseExact");
        assert!(m(r#"userName ne "grace""#));
        assert!(m(r#"name.familyName co "love""#));
        assert!(m(r#"userName sw "ada""#));
        assert!(m(r#"emails.value ew "@example.com""#));
        assert!(
            m(r#"emails co "example""#),
            "a complex attribute compares its value"
        );
        assert!(m(r#"meta.lastModified gt "2026-01-01T00:00:00Z""#));
        assert!(m(r#"meta.lastModified ge "2026-01-02T00:00:00Z""#));
        assert!(!m(r#"meta.lastModified lt "2026-01-01T00:00:00Z""#));
        assert!(m(r#"meta.lastModified le "2026-01-02T00:00:00Z""#));
        assert!(m("title ne \"x\""), "ne holds for an absent attribute");
        assert!(m("userName pr") && !m("title pr"));
        assert!(m("active eq true") && !m("active eq false"));
    }

    #[test]
    fn logic_groups_and_value_paths_nest() {
        assert!(m(r#"userName sw "ada" and active eq true"#));
        assert!(m(r#"userName eq "x" or active eq true"#));
        assert!(!m(r#"not (active eq true)"#));
        assert!(m(
            r#"(userName eq "x" or userName eq "ada.lovelace") and not(active eq false)"#
        ));
        assert!(m(r#"emails[type eq "work" and value co "ada"]"#));
        assert!(!m(r#"emails[type eq "home"]"#));
        assert!(m(
            r#"urn:ietf:params:scim:schemas:core:2.0:User:name.givenName eq "Ada""#
        ));
        assert!(m(
            "urn:portico:params:scim:schemas:extension:portico:2.0:User:managedByQmsAutomation eq false"
        ));
    }

    #[test]
    fn not_binds_tighter_than_and_and_and_than_or() {
        // a or b and c  ==  a or (b and c)
        let f = parse("userName eq \"a\" or userName eq \"b\" and active eq true").unwrap();
        assert!(matches!(f, Filter::Or(_, ref r) if matches!(**r, Filter::And(_, _))));
    }

    #[test]
    fn bad_filters_say_what_is_wrong() {
        for (bad, says) in [
            ("userName eq", "expected a value"),
            ("userName xx \"a\"", "not an operator"),
            ("userName eq ada", "double quotes"),
            ("(userName pr", "')'"),
            ("userName eq \"a", "not closed"),
            ("userName pr extra", "unexpected"),
            ("", "too early"),
            ("1abc pr", "not an attribute"),
        ] {
            let e = parse(bad).expect_err(bad);
            assert!(e.0.contains(says), "{bad}: {}", e.0);
        }
        let e = matches(&parse("active gt true").unwrap(), &user(), CORE).expect_err("gt bool");
        assert!(e.0.contains("boolean"));
    }

    #[test]
    fn patch_paths_take_a_filter_and_a_sub_attribute() {
        let p = parse_path(r#"emails[type eq "work"].value"#).unwrap();
        assert_eq!(p.attr.name, "emails");
        assert_eq!(p.sub.as_deref(), Some("value"));
        assert!(p.filter.is_some());
        let p = parse_path("urn:ietf:params:scim:schemas:core:2.0:User:name.givenName").unwrap();
        assert_eq!(p.attr.uri.as_deref(), Some(CORE));
        assert_eq!(
            (p.attr.name.as_str(), p.attr.sub.as_deref()),
            ("name", Some("givenName"))
        );
        assert!(parse_path("emails[type eq \"work\"").is_err());
    }
}
