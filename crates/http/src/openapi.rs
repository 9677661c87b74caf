//! The OpenAPI 3.1 document, served at `/api/openapi.json`. Its operations and schemas are
//! generated from the handlers (`#[utoipa::path]`) and their request and answer types as
//! [`crate::api::routes`] routes them; this module adds only what is the API's as a whole: its
//! title, the session scheme, the refusal envelope every operation answers and the configured
//! objects `{object}` takes.

use axum::http::Method;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ObjectBuilder, OpenApi as Document, RefOr, Schema, Type};
use utoipa::{Modify, OpenApi};

use crate::error::Failure;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Portico API",
        description = "Temporary, exact access for external collaborators to quality records (SPEC section 9). Every answer is `{\"responseStatus\": \"SUCCESS\", \"data\": ...}` or the refusal envelope `Failure`."
    ),
    components(schemas(Failure)),
    modifiers(&Session),
    security(("session" = []))
)]
struct Api;

/// `Authorization: Bearer <sessionId>` from `POST /api/v1/auth`.
struct Session;

impl Modify for Session {
    fn modify(&self, doc: &mut Document) {
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some("The sessionId of POST /api/v1/auth"))
            .build();
        doc.components
            .get_or_insert_with(Default::default)
            .add_security_scheme("session", SecurityScheme::Http(scheme));
    }
}

/// What the router's operations are added to.
pub fn base() -> Document {
    Api::openapi()
}

/// The document as served: the target objects of the configuration are the values `{object}`
/// takes (`organization__v` and `person__v` have paths of their own), and a success answer
/// without its own description is described by its operation's summary.
pub fn finish(mut doc: Document, objects: &[&str]) -> Document {
    let object: RefOr<Schema> = ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(objects.iter().copied()))
        .description(Some("A target object of the configuration"))
        .into();
    for item in doc.paths.paths.values_mut() {
        for op in [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
        {
            for p in op.parameters.iter_mut().flatten() {
                if p.name == "object" && p.parameter_in == ParameterIn::Path {
                    p.schema = Some(object.clone());
                }
            }
            let summary = op.summary.clone().unwrap_or_default();
            for response in op.responses.responses.values_mut() {
                if let RefOr::T(r) = response {
                    if r.description.is_empty() {
                        r.description.clone_from(&summary);
                    }
                }
            }
        }
    }
    doc
}

/// The properties of what an operation answers on success (inside the envelope's `data`): a
/// client reads them, so one the operation does not take is read-only.
pub fn answered_fields(doc: &Document, method: &Method, path: &str) -> Vec<String> {
    let Some(item) = doc.paths.paths.get(path) else {
        return vec![];
    };
    let operation: &Option<Operation> = match *method {
        Method::GET => &item.get,
        Method::PUT => &item.put,
        Method::POST => &item.post,
        Method::DELETE => &item.delete,
        Method::PATCH => &item.patch,
        _ => &None,
    };
    let answer = operation
        .iter()
        .flat_map(|op| op.responses.responses.iter())
        .find_map(|(status, response)| match response {
            RefOr::T(r) if status.starts_with('2') => r.content.get("application/json"),
            _ => None,
        });
    let properties = |schema: Option<&RefOr<Schema>>| match resolve(doc, schema) {
        Some(Schema::Object(o)) => Some(o.properties.clone()),
        _ => None,
    };
    let Some(envelope) = properties(answer.and_then(|c| c.schema.as_ref())) else {
        return vec![];
    };
    properties(envelope.get("data"))
        .unwrap_or(envelope)
        .into_keys()
        .collect()
}

fn resolve<'a>(doc: &'a Document, schema: Option<&'a RefOr<Schema>>) -> Option<&'a Schema> {
    match schema? {
        RefOr::T(s) => Some(s),
        RefOr::Ref(r) => {
            let name = r.ref_location.trim_start_matches("#/components/schemas/");
            resolve(doc, doc.components.as_ref()?.schemas.get(name))
        }
    }
}
