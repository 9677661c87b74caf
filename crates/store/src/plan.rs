//! Applying a domain plan: every row it changes, its emails and its audit entries, inside the
//! caller's transaction.

use portico_domain::collab::Plan;
use portico_domain::model::{Record, User, UserStatus};
use portico_domain::UserId;
use serde_json::json;

use crate::notifications::NotificationRow;
use crate::outbox::QueuedEmail;
use crate::rows::license_name;
use crate::tasks::TaskRow;
use crate::users::NewUserRow;
use crate::{AuditEntry, Db, Result};

/// Who applies a plan, when, and why.
#[derive(Debug, Clone)]
pub struct ApplyContext<'a> {
    /// Now, in milliseconds.
    pub now: i64,
    /// The user who ran the action.
    pub actor: &'a UserId,
    /// The record as the plan leaves it (state, field), written when the plan changes it.
    pub record_after: &'a Record,
    /// Rendered emails, in the plan's order.
    pub emails: &'a [QueuedEmail],
    /// Makes ids for the rows the plan adds without one (notifications).
    pub new_id: fn(&str) -> String,
}

impl Db<'_> {
    /// Writes everything `plan` decided. Seats are taken with the conditional update of the
    /// pool, so a plan made from a pool that has since filled up fails with `NoSeat`.
    pub async fn apply_plan(&mut self, plan: &Plan, cx: &ApplyContext<'_>) -> Result<()> {
        let record = cx.record_after;
        let cause = format!("{} on {} {}", plan.action, record.object, record.id);
        let entry = |action: &str, object: &str, object_id: &str| AuditEntry {
            at: cx.now,
            actor: Some(cx.actor.to_string()),
            action: action.to_string(),
            object: object.to_string(),
            object_id: object_id.to_string(),
            record: Some(record.id.to_string()),
            cause: Some(cause.clone()),
            ..AuditEntry::default()
        };

        for u in &plan.users_created {
            let user = User {
                id: u.id.clone(),
                username: u.username.clone(),
                first_name: u.first_name.clone(),
                last_name: u.last_name.clone(),
                email: u.email.clone(),
                status: UserStatus::Inactive,
                license: u.license,
                security_profile: u.security_profile,
                managed: true,
                person: Some(u.person.clone()),
            };
            let row = NewUserRow {
                user,
                language: u.language.clone(),
                password_hash: None,
            };
            self.insert_user(&row, cx.now).await?;
            self.link_user_person(&u.id, &u.person).await?;
            self.audit(&AuditEntry {
                person: Some(u.person.to_string()),
                user: Some(u.id.to_string()),
                after: Some(
                    json!({"username__v": u.username, "email__v": u.email.as_str(),
                           "license_type__v": license_name(u.license),
                           "security_profile__v": u.security_profile.name(),
                           "managed_by_qms_automation__v": true, "person__v": u.person.as_str()})
                    .to_string(),
                ),
                ..entry("user.created", "user", u.id.as_str())
            })
            .await?;
        }
        for (person, user) in &plan.users_linked {
            self.link_user_person(user, person).await?;
            self.audit(&AuditEntry {
                person: Some(person.to_string()),
                user: Some(user.to_string()),
                before: Some(json!({"person__v": null}).to_string()),
                after: Some(json!({"person__v": person.as_str()}).to_string()),
                ..entry("user.linked", "user", user.as_str())
            })
            .await?;
        }
        self.free_seats(plan.seats_freed()).await?;
        for i in &plan.inactivations {
            self.set_user_status(&i.user, UserStatus::Inactive).await?;
            self.delete_sessions_of(&i.user).await?;
            self.audit(&AuditEntry {
                person: Some(i.person.to_string()),
                user: Some(i.user.to_string()),
                before: Some(json!({"status__v": "active__v"}).to_string()),
                after: Some(
                    json!({"status__v": "inactive__v", "seat_freed": i.frees_seat}).to_string(),
                ),
                ..entry("user.inactivated", "user", i.user.as_str())
            })
            .await?;
        }
        self.take_seats(plan.seats_taken()).await?;
        for a in &plan.activations {
            self.set_user_status(&a.user, UserStatus::Active).await?;
            self.audit(&AuditEntry {
                person: Some(a.person.to_string()),
                user: Some(a.user.to_string()),
                before: Some(json!({"status__v": "inactive__v"}).to_string()),
                after: Some(json!({"status__v": "active__v", "seat_taken": a.takes_seat, "new_user": a.created}).to_string()),
                ..entry("user.activated", "user", a.user.as_str())
            })
            .await?;
        }
        for u in &plan.roles_removed {
            self.remove_role(&record.id, u).await?;
            self.audit(&AuditEntry {
                user: Some(u.to_string()),
                before: Some(json!({"role": "external_collaborator__v"}).to_string()),
                ..entry("sharing.removed", "sharing", record.id.as_str())
            })
            .await?;
        }
        for u in &plan.roles_granted {
            self.grant_role(&record.id, u, cx.actor, cx.now).await?;
            self.audit(&AuditEntry {
                user: Some(u.to_string()),
                after: Some(
                    json!({"role": "external_collaborator__v", "sponsor": cx.actor.as_str()})
                        .to_string(),
                ),
                ..entry("sharing.granted", "sharing", record.id.as_str())
            })
            .await?;
        }
        for a in &plan.assignments_closed {
            self.close_assignment(a, cx.now).await?;
            self.audit(&AuditEntry {
                before: Some(json!({"assignment_activity__v": "active__v"}).to_string()),
                after: Some(json!({"assignment_activity__v": "inactive__v"}).to_string()),
                ..entry("assignment.inactivated", "assignment", a.as_str())
            })
            .await?;
        }
        for a in &plan.assignments_opened {
            self.open_assignment(
                &a.id,
                &record.object,
                &record.id,
                &a.person,
                &a.user,
                cx.now,
            )
            .await?;
            self.audit(&AuditEntry {
                person: Some(a.person.to_string()),
                user: Some(a.user.to_string()),
                after: Some(json!({"assignment_activity__v": "active__v"}).to_string()),
                ..entry("assignment.activated", "assignment", a.id.as_str())
            })
            .await?;
        }
        for t in &plan.tasks_cancelled {
            self.cancel_task(t, cx.actor, cx.now).await?;
            self.audit(&AuditEntry {
                after: Some(json!({"status__v": "cancelled__v"}).to_string()),
                ..entry("task.cancelled", "task", t.as_str())
            })
            .await?;
        }
        for t in &plan.tasks_completed {
            self.complete_task(
                &t.id,
                &t.response,
                cx.actor,
                t.on_behalf_by.as_ref(),
                cx.now,
            )
            .await?;
            self.audit(&AuditEntry {
                after: Some(
                    json!({"status__v": "completed__v", "response__v": t.response,
                           "on_behalf_of_assignee": t.on_behalf_by.is_some()})
                    .to_string(),
                ),
                cause: Some(match &t.on_behalf_by {
                    Some(by) => format!("completed by {by} on behalf of the assignee"),
                    None => "completed by the assignee".to_string(),
                }),
                ..entry("task.completed", "task", t.id.as_str())
            })
            .await?;
        }
        for (checklist, to) in &plan.checklists_reassigned {
            self.reassign_checklist(checklist, to.as_ref()).await?;
            self.audit(&AuditEntry {
                person: to.as_ref().map(ToString::to_string),
                after: Some(json!({"assignee__v": to.as_ref().map(|p| p.as_str())}).to_string()),
                ..entry("checklist.reassigned", "checklist", checklist.as_str())
            })
            .await?;
        }
        for n in &plan.notifications {
            let row = NotificationRow {
                id: (cx.new_id)("ntf"),
                user: n.user.to_string(),
                kind: n.kind.name().to_string(),
                message: n.message.clone(),
                object: Some(record.object.clone()),
                record: Some(record.id.to_string()),
                created_at: cx.now,
                read_at: None,
            };
            self.insert_notification(&row).await?;
        }
        for t in &plan.tasks_created {
            self.insert_task(&TaskRow {
                id: t.id.clone(),
                record: record.id.clone(),
                assignee: t.assignee.clone(),
                person: Some(t.person.clone()),
                state: t.state.clone(),
                label: t.label.clone(),
                instructions: t.instructions.clone(),
                status: "open".into(),
                response: None,
                due_at: Some(t.due_at_ms),
                created_at: cx.now,
                closed_by: None,
                on_behalf_by: None,
            })
            .await?;
            self.audit(&AuditEntry {
                person: Some(t.person.to_string()),
                user: Some(t.assignee.to_string()),
                after: Some(
                    json!({"status__v": "open__v", "label__v": t.label, "state__v": t.state})
                        .to_string(),
                ),
                ..entry("task.created", "task", t.id.as_str())
            })
            .await?;
        }
        if let Some(change) = &plan.state_change {
            self.update_record(record, cx.now).await?;
            self.audit(&AuditEntry {
                before: Some(json!({"state__v": change.from}).to_string()),
                after: Some(json!({"state__v": change.to}).to_string()),
                ..entry("record.state_changed", &record.object, record.id.as_str())
            })
            .await?;
        }
        if let Some(people) = &plan.collaborators {
            self.set_collaborators(&record.id, people).await?;
        }
        if plan.delete_record {
            self.mark_record_deleted(&record.id, cx.now).await?;
        }
        for e in cx.emails {
            self.queue_email(e, cx.now).await?;
            self.audit(&AuditEntry {
                user: e.user_id.clone(),
                after: Some(json!({"to": e.to, "template": e.template}).to_string()),
                ..entry("email.queued", "email", &e.id)
            })
            .await?;
        }
        Ok(())
    }
}
