//! A request that does not deserialize, worded for a person: the field (or query parameter) is
//! named, a missing required one is `PARAMETER_REQUIRED` ("name__v is required"), anything else
//! `INVALID_DATA` ("external_seats must be a whole number", "status__v 'x' is not active__v or
//! inactive__v", "unknown field 'colour'; fields are name__v, status__v").
//!
//! serde reports these cases with fixed sentences (`missing field `x``, `invalid type: …,
//! expected …`, `unknown variant …`); they are read here, once, rather than by every handler.

use crate::ApiError;

/// Where the value came from, for the words of the message.
#[derive(Clone, Copy)]
pub(crate) enum Place {
    /// A JSON body: its keys are fields.
    Body,
    /// The query string, with what its parameters are called (`parameter`, `filter`).
    Query(&'static str),
}

impl Place {
    fn noun(self) -> &'static str {
        match self {
            Place::Body => "field",
            Place::Query(noun) => noun,
        }
    }
}

/// The refusal of a value at `path` (serde_path_to_error's, `.` for the whole value) that serde
/// refused with `message`. `read_only` tells the fields a client may read but not send.
pub(crate) fn refusal(
    path: &str,
    message: &str,
    place: Place,
    read_only: impl Fn(&str) -> bool,
) -> ApiError {
    let at = |field: &str| match path {
        "." | "" => field.to_string(),
        parent if field.is_empty() => parent.to_string(),
        parent => format!("{parent}.{field}"),
    };
    if let Some(field) = quoted(message.strip_prefix("missing field ")) {
        return ApiError::required(format!("{} is required", at(field)));
    }
    if let Some(rest) = message.strip_prefix("unknown field ") {
        // The path already ends with the unknown key.
        let field = match path {
            "." | "" => quoted(Some(rest)).unwrap_or(rest).to_string(),
            path => path.to_string(),
        };
        if read_only(&field) {
            return ApiError::invalid(format!("{field} is read-only"));
        }
        let noun = place.noun();
        return ApiError::invalid(match expected(rest) {
            Some(known) => format!("unknown {noun} '{field}'; {noun}s are {}", known.join(", ")),
            None => format!("unknown {noun} '{field}'; this takes no {noun}s"),
        });
    }
    if let Some(rest) = message.strip_prefix("unknown variant ") {
        let value = quoted(Some(rest)).unwrap_or(rest);
        let known = expected(rest).unwrap_or_default();
        return ApiError::invalid(format!(
            "{} '{value}' is not {}",
            at(""),
            alternatives(&known)
        ));
    }
    let subject = match at("") {
        whole if whole.is_empty() && matches!(place, Place::Body) => {
            return ApiError::invalid("the request body must be a JSON object");
        }
        whole if whole.is_empty() => return ApiError::invalid(message),
        field => field,
    };
    for prefix in ["invalid type: ", "invalid value: ", "invalid length "] {
        if let Some(rest) = message.strip_prefix(prefix) {
            let wanted = rest.rsplit_once(", expected ").map_or(rest, |(_, e)| e);
            return ApiError::invalid(format!("{subject} must be {}", in_words(wanted)));
        }
    }
    // A text value the query string could not read as a number or a flag: the standard
    // library's parse errors.
    for (parse_error, wanted) in [
        ("provided string was not `true` or `false`", "true or false"),
        ("invalid digit found in string", "a whole number"),
        ("cannot parse integer from empty string", "a whole number"),
        ("number too large to fit in target type", "a smaller number"),
        ("number too small to fit in target type", "a larger number"),
    ] {
        if message == parse_error {
            return ApiError::invalid(format!("{subject} must be {wanted}"));
        }
    }
    // Our own types say what they want ("must be a time such as …").
    ApiError::invalid(format!("{subject} {message}"))
}

/// The first `` `name` `` of a serde sentence.
fn quoted(text: Option<&str>) -> Option<&str> {
    let rest = text?.strip_prefix('`')?;
    rest.split_once('`').map(|(name, _)| name)
}

/// The names after "expected one of `a`, `b`, `c`" / "expected `a` or `b`" / "expected `a`"
/// in a serde sentence; `None` when there are none ("there are no fields").
fn expected(text: &str) -> Option<Vec<&str>> {
    let (_, list) = text.split_once(", expected ")?;
    let list = list.strip_prefix("one of ").unwrap_or(list);
    let names: Vec<&str> = list
        .split(", ")
        .flat_map(|n| n.split(" or "))
        .filter_map(|n| n.strip_prefix('`')?.strip_suffix('`'))
        .collect();
    (!names.is_empty()).then_some(names)
}

/// `a`, `a or b`, `a, b or c`.
fn alternatives(names: &[&str]) -> String {
    match names {
        [] => "allowed".to_string(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// What serde expected, in the words of the API.
fn in_words(expected: &str) -> &str {
    match expected {
        "a boolean" => "true or false",
        "a sequence" => "a list",
        "a map" => "an object",
        "string or map" | "a borrowed string" | "a string" => "a string",
        "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" | "usize" => "a whole number",
        other if other.starts_with("struct ") => "an object",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code, non_snake_case)]
    struct Body {
        name__v: String,
        seats: Option<i64>,
        flag: Option<bool>,
        kind: Option<Kind>,
        items: Option<Vec<crate::extract::JsonObject<Item>>>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Kind {
        Support,
        Service,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Item {
        question: String,
    }

    /// A body, the error type and the message it is refused with.
    const CASES: &str = r#"
        {}                                  | PARAMETER_REQUIRED | name__v is required
        {"name__v": 7}                      | INVALID_DATA | name__v must be a string
        {"name__v": "a", "seats": "9"}      | INVALID_DATA | seats must be a whole number
        {"name__v": "a", "flag": 1}         | INVALID_DATA | flag must be true or false
        {"name__v": "a", "kind": "x"}       | INVALID_DATA | kind 'x' is not support or service
        {"name__v": "a", "id": "x"}         | INVALID_DATA | id is read-only
        {"name__v": "a", "colour": 1}       | INVALID_DATA | unknown field 'colour'; fields are name__v, seats, flag, kind, items
        {"name__v": "a", "items": [{}]}     | PARAMETER_REQUIRED | items[0].question is required
        {"name__v": "a", "items": {}}       | INVALID_DATA | items must be a list
        {"name__v": "a", "items": [["q"]]}  | INVALID_DATA | items[0] must be an object
        null                                | INVALID_DATA | the request body must be a JSON object
    "#;

    #[test]
    fn fields_are_named_in_the_message() {
        for case in CASES.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let [body, kind, message] = case.split(" | ").map(str::trim).collect::<Vec<_>>()[..]
            else {
                panic!("a case is: body | type | message: {case}");
            };
            let value: serde_json::Value = serde_json::from_str(body).unwrap();
            let e = serde_path_to_error::deserialize::<_, Body>(value).unwrap_err();
            let refused = refusal(
                &e.path().to_string(),
                &e.inner().to_string(),
                Place::Body,
                |f| f == "id",
            );
            let refused_kind = serde_json::to_value(refused.kind()).unwrap();
            assert_eq!(
                (refused_kind.as_str().unwrap(), refused.message()),
                (kind, message),
                "{body}"
            );
        }
    }
}
