//! Comments and tickets.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use portico_service::store::{CommentRow, TicketRow};
use portico_service::Portico;
use serde_json::{json, Value};

use super::fields::Fields;
use super::users::page as page_params;
use crate::dto::{ok, time};
use crate::extract::{Auth, Body, Internal, Params};
use crate::ApiError;

pub fn comment(c: &CommentRow) -> Value {
    json!({"id": c.id, "record__v": c.record, "author__v": c.author, "author_name": c.author_name,
           "body": c.body, "created_date__v": time(c.created_at)})
}

pub fn ticket(t: &TicketRow) -> Value {
    json!({"id": t.id, "author__v": t.author, "kind": t.kind, "subject": t.subject, "body": t.body,
           "status": t.status, "answer": t.answer, "created_date__v": time(t.created_at)})
}

fn required(v: Option<String>, name: &str) -> Result<String, ApiError> {
    v.ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "PARAMETER_REQUIRED",
            format!("{name} is required"),
        )
    })
}

pub async fn list_comments(
    State(app): State<Portico>,
    Auth(caller): Auth,
    Path((object, id)): Path<(String, String)>,
) -> Result<impl IntoResponse, ApiError> {
    Ok(ok(app
        .comments(&caller, &object, &id)
        .await?
        .iter()
        .map(comment)
        .collect::<Vec<_>>()))
}

pub async fn add_comment(
    State(app): State<Portico>,
    Auth(caller): Auth,
    Path((object, id)): Path<(String, String)>,
    Body(body): Body<Value>,
) -> Result<impl IntoResponse, ApiError> {
    let f = Fields::parse(body, &["body"], &["id", "author__v"])?;
    let c = app
        .add_comment(&caller, &object, &id, &required(f.text("body")?, "body")?)
        .await?;
    Ok((StatusCode::CREATED, ok(comment(&c))))
}

pub async fn list_tickets(
    State(app): State<Portico>,
    Auth(caller): Auth,
    Params(mut q): Params<BTreeMap<String, String>>,
) -> Result<impl IntoResponse, ApiError> {
    let page = page_params(&mut q, &[])?;
    Ok(ok(app
        .tickets(&caller, page)
        .await?
        .iter()
        .map(ticket)
        .collect::<Vec<_>>()))
}

pub async fn create_ticket(
    State(app): State<Portico>,
    Auth(caller): Auth,
    Body(body): Body<Value>,
) -> Result<impl IntoResponse, ApiError> {
    let f = Fields::parse(
        body,
        &["kind", "subject", "body"],
        &["id", "status", "answer"],
    )?;
    let t = app
        .create_ticket(
            &caller,
            &f.text("kind")?.unwrap_or_else(|| "support".into()),
            &required(f.text("subject")?, "subject")?,
            &required(f.text("body")?, "body")?,
        )
        .await?;
    Ok((StatusCode::CREATED, ok(ticket(&t))))
}

pub async fn answer_ticket(
    State(app): State<Portico>,
    Internal(caller): Internal,
    Path(id): Path<String>,
    Body(body): Body<Value>,
) -> Result<impl IntoResponse, ApiError> {
    let f = Fields::parse(body, &["answer"], &[])?;
    Ok(ok(ticket(
        &app.answer_ticket(&caller, &id, &required(f.text("answer")?, "answer")?)
            .await?,
    )))
}

pub fn file(f: &portico_service::store::FileRow) -> Value {
    json!({"id": f.id, "record__v": f.record, "uploader__v": f.uploader, "name": f.name,
           "content_type": f.content_type, "size": f.size, "sha256": f.sha256,
           "created_date__v": time(f.created_at)})
}

/// The `file` field of a multipart body: its name, declared type and bytes.
pub async fn file_part(
    mut multipart: axum::extract::Multipart,
) -> Result<(String, String, Vec<u8>), ApiError> {
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| ApiError::invalid(format!("the upload could not be read: {e}")))?
    {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("").to_string();
            let content_type = field
                .content_type()
                .unwrap_or("application/octet-stream")
                .to_string();
            let bytes = field
                .bytes()
                .await
                .map_err(|e| ApiError::invalid(format!("the upload could not be read: {e}")))?;
            return Ok((name, content_type, bytes.to_vec()));
        }
    }
    Err(ApiError::new(
        StatusCode::BAD_REQUEST,
        "PARAMETER_REQUIRED",
        "send the file in a multipart field named \"file\"",
    ))
}

pub async fn list_files(
    State(app): State<Portico>,
    Auth(caller): Auth,
    Path((object, id)): Path<(String, String)>,
) -> Result<impl IntoResponse, ApiError> {
    Ok(ok(app
        .files(&caller, &object, &id)
        .await?
        .iter()
        .map(file)
        .collect::<Vec<_>>()))
}

pub async fn upload(
    State(app): State<Portico>,
    Auth(caller): Auth,
    Path((object, id)): Path<(String, String)>,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let multipart = multipart
        .map_err(|e| ApiError::invalid(format!("send the file as multipart/form-data: {e}")))?;
    let (name, content_type, bytes) = file_part(multipart).await?;
    let f = app
        .upload_file(&caller, &object, &id, &name, &content_type, &bytes)
        .await?;
    Ok((StatusCode::CREATED, ok(file(&f))))
}

/// The bytes, as an attachment (never rendered inline, never sniffed).
pub fn attachment(f: &portico_service::store::FileRow, bytes: Vec<u8>) -> axum::response::Response {
    use axum::http::header;
    let safe: String = f
        .name
        .chars()
        .filter(|c| c.is_ascii_graphic() && *c != '"' && *c != '\\')
        .collect();
    (
        [
            (header::CONTENT_TYPE, f.content_type.clone()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{safe}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

pub async fn download(
    State(app): State<Portico>,
    Auth(caller): Auth,
    Path(id): Path<String>,
) -> Result<axum::response::Response, ApiError> {
    let (f, bytes) = app.download(&caller, &id).await?;
    Ok(attachment(&f, bytes))
}
