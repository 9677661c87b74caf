//! Comments, files and tickets.

use std::borrow::Cow;

use axum::extract::{FromRequest, Multipart, Path};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use portico_service::store::{CommentRow, FileRow, TicketRow};
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{ObjectBuilder, Schema};
use utoipa::openapi::{KnownFormat, RefOr, SchemaFormat, Type};
use utoipa::{PartialSchema, ToSchema};

use super::wire::{long_text, ok, subject, time, Answer, Created, NoFilters, Paged, Success};
use crate::error::Refusals;
use crate::extract::{Auth, Internal, Json, Query};
use crate::ApiError;

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Comment {
    id: String,
    record__v: String,
    /// The user who wrote it.
    author__v: String,
    author_name: String,
    body: String,
    #[schema(format = DateTime)]
    created_date__v: String,
}

impl From<CommentRow> for Comment {
    fn from(c: CommentRow) -> Self {
        Comment {
            id: c.id,
            record__v: c.record,
            author__v: c.author,
            author_name: c.author_name,
            body: c.body,
            created_date__v: time(c.created_at),
        }
    }
}

/// Comments of a record
#[utoipa::path(get, path = "/vobjects/{object}/{id}/comments", responses((status = 200, body = Success<Vec<Comment>>), Refusals))]
pub async fn list_comments(
    Auth(app, caller): Auth,
    Path((object, id)): Path<(String, String)>,
) -> Answer<Vec<Comment>> {
    let rows = app.comments(&caller, &object, &id).await?;
    Ok(ok(rows.into_iter().map(Comment::from).collect()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewComment {
    #[schema(schema_with = long_text)]
    body: String,
}

/// Add a comment
#[utoipa::path(post, path = "/vobjects/{object}/{id}/comments", responses((status = 201, body = Success<Comment>), Refusals))]
pub async fn add_comment(
    Auth(app, caller): Auth,
    Path((object, id)): Path<(String, String)>,
    Json(b): Json<NewComment>,
) -> Result<Created<Comment>, ApiError> {
    let c = app.add_comment(&caller, &object, &id, &b.body).await?;
    Ok(Created(c.into()))
}

/// A support or service request.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Ticket {
    id: String,
    author__v: String,
    /// `support` or `service`.
    kind: String,
    subject: String,
    body: String,
    /// `open` or `answered`.
    status: String,
    #[schema(required)]
    answer: Option<String>,
    #[schema(format = DateTime)]
    created_date__v: String,
}

impl From<TicketRow> for Ticket {
    fn from(t: TicketRow) -> Self {
        Ticket {
            id: t.id,
            author__v: t.author,
            kind: t.kind,
            subject: t.subject,
            body: t.body,
            status: t.status,
            answer: t.answer,
            created_date__v: time(t.created_at),
        }
    }
}

/// Tickets (an external collaborator's own)
#[utoipa::path(get, path = "/tickets", params(Paged<NoFilters>), responses((status = 200, body = Success<Vec<Ticket>>), Refusals))]
pub async fn list_tickets(
    Auth(app, caller): Auth,
    Query(q): Query<Paged<NoFilters>>,
) -> Answer<Vec<Ticket>> {
    let rows = app.tickets(&caller, q.page).await?;
    Ok(ok(rows.into_iter().map(Ticket::from).collect()))
}

/// `support` or `service`.
#[derive(Debug, Clone, Copy, Default, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TicketKind {
    #[default]
    Support,
    Service,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTicket {
    /// Default `support`.
    #[serde(default)]
    kind: TicketKind,
    #[schema(schema_with = subject)]
    subject: String,
    #[schema(schema_with = long_text)]
    body: String,
}

/// Submit a support or service request
#[utoipa::path(post, path = "/tickets", responses((status = 201, body = Success<Ticket>), Refusals))]
pub async fn create_ticket(
    Auth(app, caller): Auth,
    Json(b): Json<NewTicket>,
) -> Result<Created<Ticket>, ApiError> {
    let kind = match b.kind {
        TicketKind::Support => "support",
        TicketKind::Service => "service",
    };
    let t = app
        .create_ticket(&caller, kind, &b.subject, &b.body)
        .await?;
    Ok(Created(t.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketAnswer {
    #[schema(schema_with = long_text)]
    answer: String,
}

/// Answer a ticket
#[utoipa::path(post, path = "/tickets/{id}/answer", responses((status = 200, body = Success<Ticket>), Refusals))]
pub async fn answer_ticket(
    Internal(app, caller): Internal,
    Path(id): Path<String>,
    Json(b): Json<TicketAnswer>,
) -> Answer<Ticket> {
    Ok(ok(app.answer_ticket(&caller, &id, &b.answer).await?.into()))
}

/// A stored file of a record.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FileInfo {
    id: String,
    record__v: String,
    uploader__v: String,
    /// Named with its checked type's extension.
    name: String,
    /// The checked type: PDF, PNG, JPEG, GIF, WebP, plain text or CSV.
    content_type: String,
    size: i64,
    sha256: String,
    #[schema(format = DateTime)]
    created_date__v: String,
}

impl From<FileRow> for FileInfo {
    fn from(f: FileRow) -> Self {
        FileInfo {
            id: f.id,
            record__v: f.record,
            uploader__v: f.uploader,
            name: f.name,
            content_type: f.content_type,
            size: f.size,
            sha256: f.sha256,
            created_date__v: time(f.created_at),
        }
    }
}

/// Files of a record
#[utoipa::path(get, path = "/vobjects/{object}/{id}/files", responses((status = 200, body = Success<Vec<FileInfo>>), Refusals))]
pub async fn list_files(
    Auth(app, caller): Auth,
    Path((object, id)): Path<(String, String)>,
) -> Answer<Vec<FileInfo>> {
    let rows = app.files(&caller, &object, &id).await?;
    Ok(ok(rows.into_iter().map(FileInfo::from).collect()))
}

/// An upload: the multipart field `file`, with its name, declared type and bytes.
pub struct Upload {
    name: String,
    content_type: String,
    bytes: Vec<u8>,
}

impl PartialSchema for Upload {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .property(
                "file",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary))),
            )
            .required("file")
            .into()
    }
}

impl ToSchema for Upload {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Upload")
    }
}

impl<S: Send + Sync> FromRequest<S> for Upload {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        let mut multipart = Multipart::from_request(req, state)
            .await
            .map_err(|e| ApiError::invalid(format!("send the file as multipart/form-data: {e}")))?;
        let unreadable = |e: axum::extract::multipart::MultipartError| {
            ApiError::invalid(format!("the upload could not be read: {e}"))
        };
        while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
            if field.name() == Some("file") {
                let name = field.file_name().unwrap_or("").to_string();
                let content_type = field
                    .content_type()
                    .unwrap_or("application/octet-stream")
                    .to_string();
                let bytes = field.bytes().await.map_err(unreadable)?.to_vec();
                return Ok(Upload {
                    name,
                    content_type,
                    bytes,
                });
            }
        }
        Err(ApiError::required(
            "send the file in a multipart field named \"file\"",
        ))
    }
}

/// Upload a file
///
/// The multipart field `file`; at most the server's file size (10 MB by default).
#[utoipa::path(post, path = "/vobjects/{object}/{id}/files", request_body(content = Upload, content_type = "multipart/form-data"), responses((status = 201, body = Success<FileInfo>), Refusals))]
pub async fn upload(
    Auth(app, caller): Auth,
    Path((object, id)): Path<(String, String)>,
    upload: Upload,
) -> Result<Created<FileInfo>, ApiError> {
    let f = app
        .upload_file(
            &caller,
            &object,
            &id,
            &upload.name,
            &upload.content_type,
            &upload.bytes,
        )
        .await?;
    Ok(Created(f.into()))
}

/// The bytes, as an attachment (never rendered inline, never sniffed).
pub fn attachment(f: &FileRow, bytes: Vec<u8>) -> Response {
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

/// Download a file
#[utoipa::path(get, path = "/files/{id}", responses((status = 200, description = "The file, as an attachment, with its checked type", content_type = "*/*", body = String), Refusals))]
pub async fn download(
    Auth(app, caller): Auth,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (f, bytes) = app.download(&caller, &id).await?;
    Ok(attachment(&f, bytes))
}
