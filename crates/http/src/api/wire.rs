//! What the answers and bodies of several handlers share: the success envelope, times, values
//! such as `active__v`, fields a client may clear, and the page of a list (its limits are the
//! service's [`Page`] constants, in the document too).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{TimeZone, Utc};
use portico_domain::MAX_TEXT_CHARS;
use portico_service::{Page, MAX_SUBJECT_CHARS};
use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{ArrayBuilder, Schema, SchemaType};
use utoipa::openapi::{ObjectBuilder, RefOr, Required, Type};
use utoipa::{IntoParams, PartialSchema, ToSchema};

/// `"SUCCESS"`, the `responseStatus` of an answer.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SuccessStatus {
    Success,
}

/// `{"responseStatus": "SUCCESS", "data": ...}`: every answer but sign-in's, 200.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Success<T> {
    #[serde(rename = "responseStatus")]
    response_status: SuccessStatus,
    data: T,
}

/// What a handler answers: the success envelope (200), or a refusal.
pub type Answer<T> = Result<Success<T>, crate::ApiError>;

/// Wraps data in the success envelope.
pub fn ok<T: Serialize>(data: T) -> Success<T> {
    Success {
        response_status: SuccessStatus::Success,
        data,
    }
}

impl<T: Serialize> IntoResponse for Success<T> {
    fn into_response(self) -> Response {
        axum::Json(self).into_response()
    }
}

/// The success envelope with 201: something was created.
pub struct Created<T>(pub T);

impl<T: Serialize> IntoResponse for Created<T> {
    fn into_response(self) -> Response {
        (StatusCode::CREATED, ok(self.0)).into_response()
    }
}

/// `active__v` or `inactive__v`: of a user, an organization, an assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum Activity {
    #[serde(rename = "active__v")]
    Active,
    #[serde(rename = "inactive__v")]
    Inactive,
}

impl Activity {
    /// As SPEC section 9 writes it.
    pub fn name(self) -> &'static str {
        match self {
            Activity::Active => "active__v",
            Activity::Inactive => "inactive__v",
        }
    }

    /// As the store keeps it.
    pub fn stored(self) -> &'static str {
        match self {
            Activity::Active => "active",
            Activity::Inactive => "inactive",
        }
    }

    /// `Active` when `active`.
    pub fn of(active: bool) -> Self {
        if active {
            Activity::Active
        } else {
            Activity::Inactive
        }
    }
}

/// `{}`: an answer or a body with nothing in it.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Empty {}

/// Milliseconds as RFC 3339, as every time in the API is shown.
pub fn time(ms: i64) -> String {
    Utc.timestamp_millis_opt(ms)
        .single()
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default()
}

/// A time a client sends (`2026-11-23T08:00:00Z`), as milliseconds.
#[derive(Debug, Clone, Copy)]
pub struct Moment(pub i64);

impl<'de> Deserialize<'de> for Moment {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        chrono::DateTime::parse_from_rfc3339(&text)
            .map(|t| Moment(t.timestamp_millis()))
            .map_err(|_| D::Error::custom("must be a time such as 2026-11-23T08:00:00Z"))
    }
}

/// The query of a list: its filters `F` and the page, `limit` and `offset`.
pub struct Paged<F> {
    pub page: Page,
    pub filters: F,
}

/// A list without filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct NoFilters {}

impl<'de, F: DeserializeOwned> Deserialize<'de> for Paged<F> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut filters = form_urlencoded::Serializer::new(String::new());
        let (mut limit, mut offset) = (None, None);
        for (name, value) in Vec::<(String, String)>::deserialize(d)? {
            let number = || {
                value
                    .parse::<i64>()
                    .map(Some)
                    .map_err(|_| D::Error::custom(format!("{name} must be a whole number")))
            };
            match name.as_str() {
                "limit" => limit = number()?,
                "offset" => offset = number()?,
                _ => {
                    filters.append_pair(&name, &value);
                }
            }
        }
        Ok(Paged {
            page: Page::new(limit, offset).map_err(D::Error::custom)?,
            filters: crate::extract::query(&filters.finish(), "filter")
                .map_err(|e| D::Error::custom(e.message()))?,
        })
    }
}

impl<F: IntoParams> IntoParams for Paged<F> {
    fn into_params(parameter_in: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let number = |name: &str, description: String, minimum: i64, maximum: Option<i64>| {
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Query)
                .required(Required::False)
                .description(Some(description))
                .schema(Some(
                    ObjectBuilder::new()
                        .schema_type(Type::Integer)
                        .minimum(Some(minimum))
                        .maximum(maximum),
                ))
                .build()
        };
        let mut params = F::into_params(parameter_in);
        params.push(number(
            "limit",
            format!("At most this many (default {}).", Page::DEFAULT_LIMIT),
            1,
            Some(Page::MAX_LIMIT),
        ));
        params.push(number("offset", "Skip this many.".into(), 0, None));
        params
    }
}

/// A text field a client may clear: absent leaves it as it is (`None`, with
/// `#[serde(default)]`); `null` or `""` clears it (`Some(None)`).
#[derive(Debug, Default)]
pub struct Clearable(pub Option<Option<String>>);

impl<'de> Deserialize<'de> for Clearable {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = Option::<String>::deserialize(d)?;
        Ok(Clearable(Some(text.filter(|s| !s.is_empty()))))
    }
}

impl PartialSchema for Clearable {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
            .description(Some("`null` or `\"\"` clears it"))
            .into()
    }
}

impl ToSchema for Clearable {}

/// A list of ids a client may set: absent leaves it as it is (`None`, with
/// `#[serde(default)]`); `null` empties it.
#[derive(Debug, Default)]
pub struct Ids(pub Option<Vec<String>>);

impl<'de> Deserialize<'de> for Ids {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let ids = Option::<Vec<String>>::deserialize(d)?.unwrap_or_default();
        checked_ids(ids).map(|ids| Ids(Some(ids)))
    }
}

impl PartialSchema for Ids {
    fn schema() -> RefOr<Schema> {
        ArrayBuilder::new()
            .schema_type(SchemaType::from_iter([Type::Array, Type::Null]))
            .items(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .min_length(Some(1)),
            )
            .description(Some("`null` empties it"))
            .into()
    }
}

impl ToSchema for Ids {}

/// A person's text of at most [`MAX_TEXT_CHARS`] characters (a comment, a response), not blank.
pub fn long_text() -> Schema {
    text(MAX_TEXT_CHARS).into()
}

/// A ticket's subject: at most [`MAX_SUBJECT_CHARS`] characters, not blank.
pub fn subject() -> Schema {
    text(MAX_SUBJECT_CHARS).into()
}

fn text(max: usize) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .max_length(Some(max))
}

/// Text of 1 to `MAX` characters, as its schema says (`min_length = 1, max_length = MAX`).
/// For `#[serde(deserialize_with = "bounded_text::<_, MAX>")]`.
pub fn bounded_text<'de, D: Deserializer<'de>, const MAX: usize>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    let n = s.chars().count();
    if n == 0 || n > MAX {
        return Err(serde::de::Error::custom(format!(
            "must be text of 1 to {MAX} characters"
        )));
    }
    Ok(s)
}

/// A list of ids, none of them empty. For `#[serde(deserialize_with = "id_list")]`.
pub fn id_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    checked_ids(Vec::deserialize(d)?)
}

fn checked_ids<E: serde::de::Error>(ids: Vec<String>) -> Result<Vec<String>, E> {
    if ids.iter().any(String::is_empty) {
        return Err(E::custom("must be a list of ids"));
    }
    Ok(ids)
}

/// `{"id": ...}`: what is left of something deleted.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Deleted {
    pub id: String,
}
