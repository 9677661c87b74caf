//! The OpenAPI 3.1 document of the API, served at `/api/openapi.json`.
//!
//! Component schemas are derived from the structs below; operations come from [`OPERATIONS`],
//! which lists every route of [`crate::router`]. The API tests fetch this document and check
//! every response they get against it, so a document that drifts from the code fails a test.
#![allow(dead_code, non_snake_case)]

use serde_json::Value;
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::{Content, ObjectBuilder, Paths, Ref, Required, Type};
use utoipa::{OpenApi, ToSchema};

/// `{"responseStatus": "FAILURE", "errors": [...]}`
#[derive(ToSchema)]
pub struct Failure {
    /// Always `FAILURE`.
    #[schema(rename = "responseStatus")]
    response_status: String,
    errors: Vec<ErrorItem>,
}

#[derive(ToSchema)]
pub struct ErrorItem {
    /// `INVALID_DATA`, `PARAMETER_REQUIRED`, `INVALID_SESSION_ID`, `USERNAME_OR_PASSWORD_INCORRECT`,
    /// `INSUFFICIENT_ACCESS`, `NOT_FOUND`, `OPERATION_NOT_ALLOWED`, `LICENSE_LIMIT_EXCEEDED`,
    /// `CONSTRAINT_VIOLATION`, `API_LIMIT_EXCEEDED`, `PASSWORD_CHANGE_REQUIRED`,
    /// `METHOD_NOT_SUPPORTED`, `INTERNAL_ERROR`.
    #[schema(rename = "type")]
    kind: String,
    message: String,
}

#[derive(ToSchema)]
pub struct LoginResponse {
    #[schema(rename = "responseStatus")]
    response_status: String,
    #[schema(rename = "sessionId")]
    session_id: String,
    data: UserIdData,
    /// Present and true when the password was a one-time password.
    #[schema(rename = "passwordChangeRequired")]
    password_change_required: Option<bool>,
}

#[derive(ToSchema)]
pub struct UserIdData {
    #[schema(rename = "userId")]
    user_id: String,
}

#[derive(ToSchema)]
pub struct Organization {
    id: String,
    name__v: String,
    status__v: String,
    created_date__v: String,
}

#[derive(ToSchema)]
pub struct Person {
    id: String,
    first_name__v: String,
    last_name__v: String,
    email__v: String,
    organization__v: Option<String>,
    language__v: String,
    user__v: Option<String>,
}

#[derive(ToSchema)]
pub struct User {
    id: String,
    username__v: String,
    email__v: String,
    first_name__v: String,
    last_name__v: String,
    /// `active__v` or `inactive__v`.
    status__v: String,
    /// `full__v` or `external__v`.
    license_type__v: String,
    security_profile__v: String,
    managed_by_qms_automation__v: bool,
    person__v: Option<String>,
}

/// A record; an external collaborator gets `id` and the fields its type marks visible.
#[derive(ToSchema)]
pub struct Record {
    id: String,
    object_type__v: Option<String>,
    name__v: Option<String>,
    supplier__v: Option<String>,
    external_collaborator__v: Option<Vec<String>>,
    state__v: Option<String>,
    created_by__v: Option<String>,
    created_date__v: Option<String>,
    modified_date__v: Option<String>,
}

#[derive(ToSchema)]
pub struct Action {
    name: String,
    label: String,
}

#[derive(ToSchema)]
pub struct StateChange {
    from: String,
    to: String,
}

/// What a lifecycle action did, or with `dry_run` would do (C7).
#[derive(ToSchema)]
pub struct PlanResult {
    dry_run: bool,
    action: String,
    #[schema(value_type = Object)]
    record: Value,
    state_change: Option<StateChange>,
    external_collaborator__v: Option<Vec<String>>,
    #[schema(value_type = Vec<Object>)]
    users_created: Vec<Value>,
    #[schema(value_type = Vec<Object>)]
    users_linked: Vec<Value>,
    #[schema(value_type = Vec<Object>)]
    users_activated: Vec<Value>,
    #[schema(value_type = Vec<Object>)]
    users_inactivated: Vec<Value>,
    seats_taken: u32,
    seats_freed: u32,
    roles_granted: Vec<String>,
    roles_removed: Vec<String>,
    #[schema(value_type = Vec<Object>)]
    assignments_opened: Vec<Value>,
    assignments_closed: Vec<String>,
    #[schema(value_type = Vec<Object>)]
    tasks_created: Vec<Value>,
    tasks_cancelled: Vec<String>,
    tasks_completed: Vec<String>,
    #[schema(value_type = Vec<Object>)]
    checklists_reassigned: Vec<Value>,
    #[schema(value_type = Vec<Object>)]
    notifications: Vec<Value>,
    #[schema(value_type = Vec<Object>)]
    emails: Vec<Value>,
    record_deleted: bool,
}

/// One record's result in a bulk action.
#[derive(ToSchema)]
pub struct BulkResult {
    id: String,
    /// `SUCCESS` or `FAILURE`.
    #[schema(rename = "responseStatus")]
    response_status: String,
    data: Option<PlanResult>,
    errors: Option<Vec<ErrorItem>>,
}

#[derive(ToSchema)]
pub struct Licenses {
    external: ExternalLicenses,
}

#[derive(ToSchema)]
pub struct ExternalLicenses {
    seats: u32,
    active: u32,
    available: u32,
    by_organization: Vec<OrgUsage>,
}

#[derive(ToSchema)]
pub struct OrgUsage {
    organization__v: Option<String>,
    name__v: Option<String>,
    active: i64,
}

#[derive(ToSchema)]
pub struct Assignment {
    id: String,
    object__v: String,
    record__v: String,
    person__v: String,
    user__v: String,
    /// `active__v` or `inactive__v`.
    assignment_activity__v: String,
    activated_date__v: String,
    inactivated_date__v: Option<String>,
}

#[derive(ToSchema)]
pub struct Task {
    id: String,
    record__v: String,
    assignee__v: String,
    person__v: Option<String>,
    state__v: String,
    label__v: String,
    instructions__v: String,
    /// `open__v`, `completed__v` or `cancelled__v`.
    status__v: String,
    response__v: Option<String>,
    due_date__v: Option<String>,
    created_date__v: String,
    completed_by__v: Option<String>,
    on_behalf_of_assignee: bool,
    /// After completing: the record's move, if the last response moved it.
    state_change: Option<StateChange>,
}

#[derive(ToSchema)]
pub struct ChecklistItem {
    question: String,
    answer: Option<String>,
}

#[derive(ToSchema)]
pub struct Checklist {
    id: String,
    record__v: String,
    name__v: String,
    assignee__v: Option<String>,
    /// `open__v` or `completed__v`.
    status__v: String,
    items: Vec<ChecklistItem>,
    created_date__v: String,
    completed_date__v: Option<String>,
}

#[derive(ToSchema)]
pub struct Notification {
    id: String,
    kind: String,
    message: String,
    object__v: Option<String>,
    record__v: Option<String>,
    created_date__v: String,
    read: bool,
}

#[derive(ToSchema)]
pub struct Email {
    id: String,
    to: String,
    template: String,
    subject: String,
    body: String,
    html: Option<String>,
    /// `pending`, `sent` or `failed`.
    status: String,
    attempts: i64,
    last_error: Option<String>,
    user__v: Option<String>,
    record__v: Option<String>,
    created_date__v: String,
}

#[derive(ToSchema)]
pub struct AuditEntry {
    id: i64,
    timestamp: String,
    actor: Option<String>,
    action: String,
    object: String,
    object_id: String,
    record__v: Option<String>,
    person__v: Option<String>,
    user__v: Option<String>,
    #[schema(value_type = Object, nullable)]
    before: Value,
    #[schema(value_type = Object, nullable)]
    after: Value,
    cause: Option<String>,
}

#[derive(ToSchema)]
pub struct ChainCheck {
    intact: bool,
    entries: i64,
    broken_at: Option<i64>,
    reason: Option<String>,
}

#[derive(ToSchema)]
pub struct Template {
    name: String,
    object_type__v: String,
    /// `welcome`, `welcome_back`, `goodbye` or `task`.
    kind: String,
    subject: String,
    body: String,
    html: Option<String>,
    customized: bool,
    modified_date__v: Option<String>,
}

#[derive(ToSchema)]
pub struct RenderedTemplate {
    subject: String,
    body: String,
    html: String,
}

#[derive(ToSchema)]
pub struct Comment {
    id: String,
    record__v: String,
    author__v: String,
    author_name: String,
    body: String,
    created_date__v: String,
}

#[derive(ToSchema)]
pub struct Ticket {
    id: String,
    author__v: String,
    /// `support` or `service`.
    kind: String,
    subject: String,
    body: String,
    /// `open` or `answered`.
    status: String,
    answer: Option<String>,
    created_date__v: String,
}

#[derive(ToSchema)]
pub struct FileInfo {
    id: String,
    record__v: String,
    uploader__v: String,
    name: String,
    /// The checked type: PDF, PNG, JPEG, GIF, WebP, plain text or CSV.
    content_type: String,
    size: i64,
    sha256: String,
    created_date__v: String,
}

#[derive(ToSchema)]
pub struct CommentRequest {
    #[schema(min_length = 1, max_length = 10000)]
    body: String,
}

#[derive(ToSchema)]
pub struct TicketRequest {
    /// `support` (default) or `service`.
    kind: Option<String>,
    #[schema(min_length = 1, max_length = 200)]
    subject: String,
    #[schema(min_length = 1, max_length = 10000)]
    body: String,
}

#[derive(ToSchema)]
pub struct TicketAnswerRequest {
    #[schema(min_length = 1, max_length = 10000)]
    answer: String,
}

/// `GET /healthz`.
#[derive(ToSchema)]
pub struct Health {
    /// `ok`
    status: String,
}

/// A small confirmation object.
#[derive(ToSchema)]
pub struct Confirmation {
    #[schema(value_type = Object)]
    data: Value,
}

// ----- request bodies -----

#[derive(ToSchema)]
pub struct LoginRequest {
    username: String,
    password: String,
}

#[derive(ToSchema)]
pub struct SetPasswordRequest {
    token: String,
    password: String,
}

#[derive(ToSchema)]
pub struct ChangePasswordRequest {
    current_password: String,
    new_password: String,
}

#[derive(ToSchema)]
pub struct PasswordLinkRequest {
    username: String,
}

/// Fields of the object: `organization__v` (`name__v`, `status__v`), `person__v`
/// (`first_name__v`, `last_name__v`, `email__v`, `organization__v`, `language__v`) or a target
/// object (`name__v`, `object_type__v`, `supplier__v`, `external_collaborator__v`).
#[derive(ToSchema)]
pub struct ObjectFields {
    name__v: Option<String>,
    status__v: Option<String>,
    first_name__v: Option<String>,
    last_name__v: Option<String>,
    email__v: Option<String>,
    organization__v: Option<String>,
    language__v: Option<String>,
    object_type__v: Option<String>,
    supplier__v: Option<String>,
    external_collaborator__v: Option<Vec<String>>,
}

#[derive(ToSchema)]
pub struct ActionRequest {
    /// Reassign: the collaborator to replace.
    from: Option<String>,
    /// Reassign: the new collaborator.
    to: Option<String>,
    /// Reject: why (goes into the new task).
    reason: Option<String>,
}

#[derive(ToSchema)]
pub struct BulkRequest {
    /// At most 500 record ids.
    ids: Vec<String>,
    from: Option<String>,
    to: Option<String>,
    reason: Option<String>,
}

#[derive(ToSchema)]
pub struct UserPatchRequest {
    /// `active__v` or `inactive__v`.
    status__v: Option<String>,
    managed_by_qms_automation__v: Option<bool>,
}

#[derive(ToSchema)]
pub struct NewUserRequest {
    username__v: String,
    first_name__v: String,
    last_name__v: String,
    email__v: String,
    /// `system_admin`, `vault_owner` or `internal_user` (default).
    security_profile__v: Option<String>,
    password: String,
}

#[derive(ToSchema)]
pub struct SeatsRequest {
    /// 10, 20, 50, 100, 200, 300, then any multiple of 100.
    external_seats: i64,
}

#[derive(ToSchema)]
pub struct CompleteTaskRequest {
    response: String,
}

#[derive(ToSchema)]
pub struct NewChecklistRequest {
    name__v: String,
    /// A person who is a collaborator of the record.
    assignee__v: String,
    items: Vec<QuestionItem>,
}

#[derive(ToSchema)]
pub struct QuestionItem {
    question: String,
}

#[derive(ToSchema)]
pub struct AnswersRequest {
    /// Answers by position; an item without `answer` stays as it is.
    items: Vec<AnswerItem>,
}

#[derive(ToSchema)]
pub struct AnswerItem {
    answer: Option<String>,
}

#[derive(ToSchema)]
pub struct TemplateRequest {
    subject: String,
    body: String,
    html: Option<String>,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Portico API",
        description = "Temporary, exact access for external collaborators to quality records (SPEC section 9)."
    ),
    components(schemas(
        Health,
        Comment,
        FileInfo,
        Ticket,
        CommentRequest,
        TicketRequest,
        TicketAnswerRequest,
        Failure,
        ErrorItem,
        LoginResponse,
        UserIdData,
        Organization,
        Person,
        User,
        Record,
        Action,
        StateChange,
        PlanResult,
        BulkResult,
        Licenses,
        ExternalLicenses,
        OrgUsage,
        Assignment,
        Task,
        ChecklistItem,
        Checklist,
        Notification,
        Email,
        AuditEntry,
        ChainCheck,
        Template,
        RenderedTemplate,
        LoginRequest,
        SetPasswordRequest,
        ChangePasswordRequest,
        PasswordLinkRequest,
        ObjectFields,
        ActionRequest,
        BulkRequest,
        UserPatchRequest,
        NewUserRequest,
        SeatsRequest,
        CompleteTaskRequest,
        NewChecklistRequest,
        QuestionItem,
        AnswersRequest,
        AnswerItem,
        TemplateRequest
    ))
)]
struct Components;

/// What a successful answer carries in `data`.
#[derive(Clone, Copy)]
pub enum Data {
    /// One object of the named schema.
    One(&'static str),
    /// A list of them.
    Many(&'static str),
    /// The whole body is this schema (no envelope).
    Raw(&'static str),
    /// A file of this content type.
    File(&'static str),
}

/// One operation of the API.
pub struct Operation {
    pub method: HttpMethod,
    pub path: &'static str,
    pub summary: &'static str,
    pub auth: bool,
    pub query: &'static [&'static str],
    pub body: Option<&'static str>,
    pub status: u16,
    pub data: Data,
}

const fn op(
    method: HttpMethod,
    path: &'static str,
    summary: &'static str,
    query: &'static [&'static str],
    body: Option<&'static str>,
    status: u16,
    data: Data,
) -> Operation {
    Operation {
        method,
        path,
        summary,
        auth: true,
        query,
        body,
        status,
        data,
    }
}

use Data::{File, Many, One, Raw};
use HttpMethod::{Delete, Get, Patch, Post, Put};

const PAGE: &[&str] = &["limit", "offset"];

/// Every operation of the API.
pub const OPERATIONS: &[Operation] = &[
    op(
        Get,
        "/api/v1/vobjects/{object}/{id}/files",
        "Files of a record",
        &[],
        None,
        200,
        Many("FileInfo"),
    ),
    op(
        Post,
        "/api/v1/vobjects/{object}/{id}/files",
        "Upload a file (multipart field `file`, at most 10 MB)",
        &[],
        Some("Upload"),
        201,
        One("FileInfo"),
    ),
    op(
        Get,
        "/api/v1/files/{id}",
        "Download a file",
        &[],
        None,
        200,
        File("application/octet-stream"),
    ),
    op(
        Get,
        "/api/v1/vobjects/{object}/{id}/comments",
        "Comments of a record",
        &[],
        None,
        200,
        Many("Comment"),
    ),
    op(
        Post,
        "/api/v1/vobjects/{object}/{id}/comments",
        "Add a comment",
        &[],
        Some("CommentRequest"),
        201,
        One("Comment"),
    ),
    op(
        Get,
        "/api/v1/tickets",
        "Tickets (an external collaborator's own)",
        &["limit", "offset"],
        None,
        200,
        Many("Ticket"),
    ),
    op(
        Post,
        "/api/v1/tickets",
        "Submit a support or service request",
        &[],
        Some("TicketRequest"),
        201,
        One("Ticket"),
    ),
    op(
        Post,
        "/api/v1/tickets/{id}/answer",
        "Answer a ticket",
        &[],
        Some("TicketAnswerRequest"),
        200,
        One("Ticket"),
    ),
    Operation {
        method: Get,
        path: "/healthz",
        summary: "Answers 200 once Portico serves",
        auth: false,
        query: &[],
        body: None,
        status: 200,
        data: Raw("Health"),
    },
    Operation {
        method: Post,
        path: "/api/v1/auth",
        summary: "Sign in",
        auth: false,
        query: &[],
        body: Some("LoginRequest"),
        status: 200,
        data: Raw("LoginResponse"),
    },
    op(
        Delete,
        "/api/v1/auth",
        "Sign out",
        &[],
        None,
        200,
        One("Object"),
    ),
    Operation {
        method: Post,
        path: "/api/v1/auth/set-password",
        summary: "Set a password with a link's token",
        auth: false,
        query: &[],
        body: Some("SetPasswordRequest"),
        status: 200,
        data: One("UserIdData"),
    },
    op(
        Post,
        "/api/v1/auth/password",
        "Change the own password",
        &[],
        Some("ChangePasswordRequest"),
        200,
        One("Object"),
    ),
    Operation {
        method: Post,
        path: "/api/v1/auth/password-link",
        summary: "Ask for a new set-password link",
        auth: false,
        query: &[],
        body: Some("PasswordLinkRequest"),
        status: 200,
        data: One("Object"),
    },
    op(
        Get,
        "/api/v1/vobjects/{object}",
        "List objects",
        &[
            "limit",
            "offset",
            "name__v",
            "organization__v",
            "email__v",
            "user__v",
            "supplier__v",
            "state__v",
            "object_type__v",
            "external_collaborator__v",
        ],
        None,
        200,
        Many("Record"),
    ),
    op(
        Post,
        "/api/v1/vobjects/{object}",
        "Create an object",
        &[],
        Some("ObjectFields"),
        201,
        One("Record"),
    ),
    op(
        Get,
        "/api/v1/vobjects/{object}/{id}",
        "Read an object",
        &[],
        None,
        200,
        One("Record"),
    ),
    op(
        Patch,
        "/api/v1/vobjects/{object}/{id}",
        "Change an object",
        &[],
        Some("ObjectFields"),
        200,
        One("Record"),
    ),
    op(
        Delete,
        "/api/v1/vobjects/{object}/{id}",
        "Delete an object",
        &[],
        None,
        200,
        One("Object"),
    ),
    op(
        Get,
        "/api/v1/vobjects/{object}/{id}/actions",
        "Actions the caller may run now",
        &[],
        None,
        200,
        Many("Action"),
    ),
    op(
        Post,
        "/api/v1/vobjects/{object}/{id}/actions/{action}",
        "Run a lifecycle action (or preview it)",
        &["dry_run"],
        Some("ActionRequest"),
        200,
        One("PlanResult"),
    ),
    op(
        Post,
        "/api/v1/vobjects/{object}/actions/{action}",
        "Run an action on up to 500 records",
        &["dry_run"],
        Some("BulkRequest"),
        200,
        Many("BulkResult"),
    ),
    op(
        Get,
        "/api/v1/vobjects/{object}/{id}/checklists",
        "Checklists of a record",
        &[],
        None,
        200,
        Many("Checklist"),
    ),
    op(
        Post,
        "/api/v1/vobjects/{object}/{id}/checklists",
        "Create a checklist",
        &[],
        Some("NewChecklistRequest"),
        201,
        One("Checklist"),
    ),
    op(
        Get,
        "/api/v1/checklists/{id}",
        "Read a checklist",
        &[],
        None,
        200,
        One("Checklist"),
    ),
    op(
        Patch,
        "/api/v1/checklists/{id}",
        "Answer items",
        &[],
        Some("AnswersRequest"),
        200,
        One("Checklist"),
    ),
    op(
        Post,
        "/api/v1/checklists/{id}/complete",
        "Complete a checklist",
        &[],
        None,
        200,
        One("Checklist"),
    ),
    op(
        Get,
        "/api/v1/users",
        "List users",
        &[
            "limit",
            "offset",
            "person__v",
            "status__v",
            "license_type__v",
        ],
        None,
        200,
        Many("User"),
    ),
    op(
        Post,
        "/api/v1/users",
        "Create an internal user",
        &[],
        Some("NewUserRequest"),
        201,
        One("User"),
    ),
    op(
        Get,
        "/api/v1/users/{id}",
        "Read a user",
        &[],
        None,
        200,
        One("User"),
    ),
    op(
        Patch,
        "/api/v1/users/{id}",
        "Change status or managed flag",
        &[],
        Some("UserPatchRequest"),
        200,
        One("User"),
    ),
    op(
        Get,
        "/api/v1/licenses",
        "External license usage",
        &[],
        None,
        200,
        One("Licenses"),
    ),
    op(
        Put,
        "/api/v1/licenses",
        "Set the external seats",
        &[],
        Some("SeatsRequest"),
        200,
        One("Licenses"),
    ),
    op(
        Get,
        "/api/v1/assignments",
        "List assignments",
        &[
            "limit",
            "offset",
            "record__v",
            "person__v",
            "user__v",
            "assignment_activity__v",
        ],
        None,
        200,
        Many("Assignment"),
    ),
    op(
        Get,
        "/api/v1/tasks",
        "List tasks",
        &["limit", "offset", "assignee__v", "record__v", "status__v"],
        None,
        200,
        Many("Task"),
    ),
    op(
        Get,
        "/api/v1/tasks/{id}",
        "Read a task",
        &[],
        None,
        200,
        One("Task"),
    ),
    op(
        Post,
        "/api/v1/tasks/{id}/complete",
        "Complete a task with a response",
        &[],
        Some("CompleteTaskRequest"),
        200,
        One("Task"),
    ),
    op(
        Post,
        "/api/v1/tasks/{id}/cancel",
        "Cancel a task",
        &[],
        None,
        200,
        One("Task"),
    ),
    op(
        Get,
        "/api/v1/notifications",
        "The caller's notifications",
        &["limit", "offset", "unread"],
        None,
        200,
        Many("Notification"),
    ),
    op(
        Post,
        "/api/v1/notifications/read",
        "Mark all read",
        &[],
        None,
        200,
        One("Object"),
    ),
    op(
        Post,
        "/api/v1/notifications/{id}/read",
        "Mark one read",
        &[],
        None,
        200,
        One("Object"),
    ),
    op(
        Get,
        "/api/v1/outbox",
        "Emails",
        &["limit", "offset", "to", "status", "template"],
        None,
        200,
        Many("Email"),
    ),
    op(
        Post,
        "/api/v1/outbox/{id}/retry",
        "Retry a failed email",
        &[],
        None,
        200,
        One("Email"),
    ),
    op(
        Get,
        "/api/v1/audit",
        "The audit trail",
        &[
            "limit",
            "offset",
            "record__v",
            "user__v",
            "person__v",
            "action",
            "from",
            "to",
        ],
        None,
        200,
        Many("AuditEntry"),
    ),
    op(
        Get,
        "/api/v1/audit/export",
        "The audit trail as CSV",
        &["record__v", "user__v", "person__v", "action", "from", "to"],
        None,
        200,
        File("text/csv"),
    ),
    op(
        Get,
        "/api/v1/audit/verify",
        "Check the audit chain",
        &[],
        None,
        200,
        One("ChainCheck"),
    ),
    op(
        Get,
        "/api/v1/notification-templates",
        "List templates",
        &[],
        None,
        200,
        Many("Template"),
    ),
    op(
        Get,
        "/api/v1/notification-templates/{name}",
        "Read a template",
        &[],
        None,
        200,
        One("Template"),
    ),
    op(
        Put,
        "/api/v1/notification-templates/{name}",
        "Replace a template",
        &[],
        Some("TemplateRequest"),
        200,
        One("Template"),
    ),
    op(
        Post,
        "/api/v1/notification-templates/{name}/reset",
        "Back to the configured text",
        &[],
        None,
        200,
        One("Template"),
    ),
    op(
        Post,
        "/api/v1/notification-templates/{name}/preview",
        "Render a draft",
        &[],
        Some("TemplateRequest"),
        200,
        One("RenderedTemplate"),
    ),
];

const _: &[&str] = PAGE;

fn schema_ref(name: &str) -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    if name == "Object" {
        ObjectBuilder::new().schema_type(Type::Object).into()
    } else {
        Ref::from_schema_name(name).into()
    }
}

fn envelope(data: utoipa::openapi::RefOr<utoipa::openapi::Schema>) -> utoipa::openapi::Schema {
    ObjectBuilder::new()
        .property(
            "responseStatus",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(["SUCCESS"])),
        )
        .required("responseStatus")
        .property("data", data)
        .required("data")
        .into()
}

/// The method in lower case, as OpenAPI and the tests name it.
pub fn method_name(m: &HttpMethod) -> &'static str {
    match m {
        HttpMethod::Get => "get",
        HttpMethod::Post => "post",
        HttpMethod::Put => "put",
        HttpMethod::Delete => "delete",
        HttpMethod::Patch => "patch",
        HttpMethod::Head => "head",
        HttpMethod::Options => "options",
        HttpMethod::Trace => "trace",
    }
}

/// The schema of a query parameter: as strict as the server's checks, so that what the schema
/// allows is what the server accepts.
fn query_schema(path: &str, name: &str) -> utoipa::openapi::Schema {
    let enums = |values: &[&str]| -> utoipa::openapi::Schema {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(values.to_vec()))
            .into()
    };
    match name {
        "limit" => ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(1))
            .maximum(Some(1000))
            .into(),
        "offset" => ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(0))
            .into(),
        "dry_run" | "unread" => ObjectBuilder::new().schema_type(Type::Boolean).into(),
        "from" | "to" if path.starts_with("/api/v1/audit") => ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::DateTime,
            )))
            .into(),
        "status__v" => enums(&[
            "active__v",
            "inactive__v",
            "open__v",
            "completed__v",
            "cancelled__v",
        ]),
        "license_type__v" => enums(&["full__v", "external__v"]),
        "assignment_activity__v" => enums(&["active__v", "inactive__v"]),
        "status" => enums(&["pending", "sent", "failed"]),
        _ => ObjectBuilder::new().schema_type(Type::String).into(),
    }
}

/// The document.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = Components::openapi();
    let mut paths = Paths::new();
    let failure = ResponseBuilder::new()
        .description("Refused, with the SPEC error envelope")
        .content(
            "application/json",
            Content::new(Some(Ref::from_schema_name("Failure"))),
        )
        .build();
    for o in OPERATIONS {
        let mut b = OperationBuilder::new()
            .summary(Some(o.summary))
            .operation_id(Some(format!(
                "{}_{}",
                method_name(&o.method),
                o.path
                    .trim_start_matches("/api/v1/")
                    .replace(['/', '{', '}', '-', '.'], "_")
            )));
        for segment in o.path.split('/').filter(|s| s.starts_with('{')) {
            let name = segment.trim_matches(['{', '}']);
            b = b.parameter(
                ParameterBuilder::new()
                    .name(name)
                    .parameter_in(ParameterIn::Path)
                    .required(Required::True)
                    .schema(Some(ObjectBuilder::new().schema_type(Type::String))),
            );
        }
        for q in o.query {
            b = b.parameter(
                ParameterBuilder::new()
                    .name(*q)
                    .parameter_in(ParameterIn::Query)
                    .required(Required::False)
                    .schema(Some(query_schema(o.path, q))),
            );
        }
        if o.body == Some("Upload") {
            let upload = ObjectBuilder::new()
                .property(
                    "file",
                    ObjectBuilder::new().schema_type(Type::String).format(Some(
                        utoipa::openapi::SchemaFormat::KnownFormat(
                            utoipa::openapi::KnownFormat::Binary,
                        ),
                    )),
                )
                .required("file");
            b = b.request_body(Some(
                RequestBodyBuilder::new()
                    .content("multipart/form-data", Content::new(Some(upload)))
                    .required(Some(Required::True))
                    .build(),
            ));
        } else if let Some(body) = o.body {
            b = b.request_body(Some(
                RequestBodyBuilder::new()
                    .content(
                        "application/json",
                        Content::new(Some(Ref::from_schema_name(body))),
                    )
                    // An empty body reads as `{}`: a patch that changes nothing is fine.
                    .required(Some(
                        if matches!(o.method, Patch) || o.path.contains("/actions/") {
                            Required::False
                        } else {
                            Required::True
                        },
                    ))
                    .build(),
            ));
        }
        let ok = match o.data {
            One(name) => ResponseBuilder::new().content(
                "application/json",
                Content::new(Some(envelope(schema_ref(name)))),
            ),
            Many(name) => ResponseBuilder::new().content(
                "application/json",
                Content::new(Some(envelope(
                    utoipa::openapi::schema::ArrayBuilder::new()
                        .items(schema_ref(name))
                        .into(),
                ))),
            ),
            Raw(name) => ResponseBuilder::new().content(
                "application/json",
                Content::new(Some(Ref::from_schema_name(name))),
            ),
            File(content_type) => ResponseBuilder::new().content(
                content_type,
                Content::new(Some(ObjectBuilder::new().schema_type(Type::String))),
            ),
        };
        b = b.response(o.status.to_string(), ok.description(o.summary).build());
        for status in ["400", "401", "403", "404", "405", "409", "429", "500"] {
            b = b.response(status, failure.clone());
        }
        paths.add_path_operation(o.path, vec![o.method.clone()], b.build());
    }
    doc.paths = paths;
    doc
}

/// `GET /api/openapi.json`.
pub async fn serve() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(document())
}
