//! Response bodies of the API, with the field names of SPEC section 9.

use chrono::{TimeZone, Utc};
use portico_domain::collab::Plan;
use portico_domain::model::{Person, User, UserStatus};
use portico_domain::{OrgId, PersonId, UserId};
use portico_service::store::{
    AssignmentRow, AuditRow, ChecklistRow, NotificationRow, OrganizationRow, OutboxRow, TaskRow,
};
use portico_service::{LicenseUsage, RecordView};
use serde::Serialize;
use serde_json::{json, Map, Value};

/// `{"responseStatus": "SUCCESS", "data": ...}`.
#[derive(Serialize)]
pub struct Success<T: Serialize> {
    #[serde(rename = "responseStatus")]
    response_status: &'static str,
    data: T,
}

/// Wraps data in the success envelope.
pub fn ok<T: Serialize>(data: T) -> axum::Json<Success<T>> {
    axum::Json(Success {
        response_status: "SUCCESS",
        data,
    })
}

/// Milliseconds as RFC 3339, as every time in the API is shown.
pub fn time(ms: i64) -> String {
    Utc.timestamp_millis_opt(ms)
        .single()
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default()
}

fn opt_time(ms: Option<i64>) -> Value {
    ms.map_or(Value::Null, |m| Value::String(time(m)))
}

pub fn organization(o: &OrganizationRow) -> Value {
    json!({"id": o.id.as_str(), "name__v": o.name, "status__v": o.status, "created_date__v": time(o.created_at)})
}

pub fn person(p: &Person) -> Value {
    json!({
        "id": p.id.as_str(),
        "first_name__v": p.first_name,
        "last_name__v": p.last_name,
        "email__v": p.email.as_str(),
        "organization__v": p.organization.as_ref().map(OrgId::as_str),
        "language__v": p.language,
        "user__v": p.user.as_ref().map(UserId::as_str),
    })
}

pub fn user(u: &User) -> Value {
    json!({
        "id": u.id.as_str(),
        "username__v": u.username,
        "email__v": u.email.as_str(),
        "first_name__v": u.first_name,
        "last_name__v": u.last_name,
        "status__v": if u.status == UserStatus::Active { "active__v" } else { "inactive__v" },
        "license_type__v": match u.license {
            portico_domain::model::LicenseType::Full => "full__v",
            portico_domain::model::LicenseType::External => "external__v",
        },
        "security_profile__v": u.security_profile.name(),
        "managed_by_qms_automation__v": u.managed,
        "person__v": u.person.as_ref().map(PersonId::as_str),
    })
}

/// A record; for external collaborators only the fields its type marks visible.
pub fn record(v: &RecordView) -> Value {
    let r = &v.record;
    let all = json!({
        "id": r.id.as_str(),
        "object_type__v": r.object_type,
        "name__v": r.name,
        "supplier__v": r.supplier.as_ref().map(OrgId::as_str),
        "external_collaborator__v": r.collaborators.iter().map(PersonId::as_str).collect::<Vec<_>>(),
        "state__v": r.state,
        "created_by__v": r.created_by.as_str(),
        "created_date__v": time(v.created_at),
        "modified_date__v": time(v.updated_at),
    });
    match (&v.visible_fields, all) {
        (Some(visible), Value::Object(map)) => {
            let kept: Map<String, Value> = map
                .into_iter()
                .filter(|(k, _)| k == "id" || visible.iter().any(|f| f == k))
                .collect();
            Value::Object(kept)
        }
        (_, all) => all,
    }
}

pub fn licenses(l: &LicenseUsage) -> Value {
    json!({"external": {
        "seats": l.seats,
        "active": l.active,
        "available": l.available,
        "by_organization": l.by_organization.iter().map(|o| json!({
            "organization__v": o.organization, "name__v": o.name, "active": o.active
        })).collect::<Vec<_>>(),
    }})
}

pub fn assignment(a: &AssignmentRow) -> Value {
    json!({
        "id": a.id.as_str(),
        "object__v": a.object,
        "record__v": a.record.as_str(),
        "person__v": a.person.as_str(),
        "user__v": a.user.as_str(),
        "assignment_activity__v": if a.active { "active__v" } else { "inactive__v" },
        "activated_date__v": time(a.activated_at),
        "inactivated_date__v": opt_time(a.inactivated_at),
    })
}

pub fn task(t: &TaskRow) -> Value {
    json!({
        "id": t.id.as_str(),
        "record__v": t.record.as_str(),
        "assignee__v": t.assignee.as_str(),
        "person__v": t.person.as_ref().map(PersonId::as_str),
        "state__v": t.state,
        "label__v": t.label,
        "instructions__v": t.instructions,
        "status__v": format!("{}__v", t.status),
        "response__v": t.response,
        "due_date__v": opt_time(t.due_at),
        "completed_by__v": t.closed_by,
        "on_behalf_of_assignee": t.on_behalf_by.is_some(),
        "created_date__v": time(t.created_at),
    })
}

pub fn outbox(o: &OutboxRow) -> Value {
    json!({
        "id": o.email.id,
        "to": o.email.to,
        "template": o.email.template,
        "subject": o.email.subject,
        "body": o.email.body,
        "status": o.status,
        "html": o.email.html,
        "attempts": o.attempts,
        "last_error": o.last_error,
        "user__v": o.email.user_id,
        "record__v": o.email.record_id,
        "created_date__v": time(o.created_at),
    })
}

fn parsed(raw: &Option<String>) -> Value {
    raw.as_deref()
        .map(|s| serde_json::from_str(s).unwrap_or_else(|_| Value::String(s.to_string())))
        .unwrap_or(Value::Null)
}

pub fn audit(a: &AuditRow) -> Value {
    let e = &a.entry;
    json!({
        "id": a.seq,
        "timestamp": time(e.at),
        "actor": e.actor,
        "action": e.action,
        "object": e.object,
        "object_id": e.object_id,
        "record__v": e.record,
        "person__v": e.person,
        "user__v": e.user,
        "before": parsed(&e.before),
        "after": parsed(&e.after),
        "cause": e.cause,
    })
}

/// The answer of a lifecycle action, or of its dry run (C7): exactly what it does.
pub fn plan(p: &Plan, dry_run: bool, record: Value) -> Value {
    json!({
        "dry_run": dry_run,
        "action": p.action,
        "record": record,
        "state_change": p.state_change.as_ref().map(|c| json!({"from": c.from, "to": c.to})),
        "external_collaborator__v": p.collaborators.as_ref().map(|c| c.iter().map(PersonId::as_str).collect::<Vec<_>>()),
        "users_created": p.users_created.iter().map(|u| json!({
            "id": u.id.as_str(), "username__v": u.username, "person__v": u.person.as_str(), "email__v": u.email.as_str()
        })).collect::<Vec<_>>(),
        "users_linked": p.users_linked.iter().map(|(pe, u)| json!({"person__v": pe.as_str(), "user__v": u.as_str()})).collect::<Vec<_>>(),
        "users_activated": p.activations.iter().map(|a| json!({
            "user__v": a.user.as_str(), "person__v": a.person.as_str(), "new_user": a.created, "takes_seat": a.takes_seat
        })).collect::<Vec<_>>(),
        "users_inactivated": p.inactivations.iter().map(|i| json!({
            "user__v": i.user.as_str(), "person__v": i.person.as_str(), "frees_seat": i.frees_seat
        })).collect::<Vec<_>>(),
        "seats_taken": p.seats_taken(),
        "seats_freed": p.seats_freed(),
        "roles_granted": p.roles_granted.iter().map(UserId::as_str).collect::<Vec<_>>(),
        "roles_removed": p.roles_removed.iter().map(UserId::as_str).collect::<Vec<_>>(),
        "assignments_opened": p.assignments_opened.iter().map(|a| json!({
            "id": a.id.as_str(), "person__v": a.person.as_str(), "user__v": a.user.as_str()
        })).collect::<Vec<_>>(),
        "assignments_closed": p.assignments_closed.iter().map(|a| a.as_str()).collect::<Vec<_>>(),
        "tasks_created": p.tasks_created.iter().map(|t| json!({
            "id": t.id.as_str(), "assignee__v": t.assignee.as_str(), "person__v": t.person.as_str(), "label__v": t.label
        })).collect::<Vec<_>>(),
        "tasks_cancelled": p.tasks_cancelled.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
        "tasks_completed": p.tasks_completed.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(),
        "checklists_reassigned": p.checklists_reassigned.iter().map(|(c, to)| json!({
            "id": c.as_str(), "assignee__v": to.as_ref().map(PersonId::as_str)
        })).collect::<Vec<_>>(),
        "notifications": p.notifications.iter().map(|n| json!({
            "user__v": n.user.as_str(), "kind": n.kind.name(), "message": n.message
        })).collect::<Vec<_>>(),
        "emails": p.emails.iter().map(|e| json!({
            "to": e.to.as_str(), "template": e.template, "user__v": e.user.as_str(), "person__v": e.person.as_str()
        })).collect::<Vec<_>>(),
        "record_deleted": p.delete_record,
    })
}

pub fn checklist(c: &ChecklistRow) -> Value {
    let l = &c.checklist;
    json!({
        "id": l.id.as_str(),
        "record__v": l.record.as_str(),
        "name__v": l.name,
        "assignee__v": l.assignee.as_ref().map(PersonId::as_str),
        "status__v": if l.completed { "completed__v" } else { "open__v" },
        "items": l.items.iter().map(|i| json!({"question": i.question, "answer": i.answer})).collect::<Vec<_>>(),
        "created_date__v": time(c.created_at),
        "completed_date__v": opt_time(c.completed_at),
    })
}

pub fn notification(n: &NotificationRow) -> Value {
    json!({
        "id": n.id,
        "kind": n.kind,
        "message": n.message,
        "object__v": n.object,
        "record__v": n.record,
        "created_date__v": time(n.created_at),
        "read": n.read_at.is_some(),
    })
}
