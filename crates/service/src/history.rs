//! The audit trail in words: each entry as a sentence naming the people and records it
//! concerns ("Quinn Lead sent SCAR-004 to the supplier"), for the record page's history and
//! the audit export's description column — one wording for both. Codes and ids stay in the
//! entry's own columns; a sentence holds labels and names only.

use std::collections::BTreeMap;
use std::fmt;

use portico_domain::lifecycle::{ReviewOutcome, UserAction};
use portico_domain::{ChecklistId, PersonId, RecordId, TaskId, UserId};
use portico_store::{AuditRow, Reader, TaskRow};
use serde_json::Value;

use crate::{Caller, Portico, ServiceResult};

/// A piece of a sentence: words, or a name that a page may link to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Plain words.
    Text(String),
    /// A record, by its name.
    Record {
        /// Its object, e.g. `car__v`.
        object: String,
        /// Its id.
        id: String,
        /// Its name.
        name: String,
    },
    /// A contact, by name.
    Person {
        /// Its id.
        id: String,
        /// "First Last".
        name: String,
    },
    /// A user, by name.
    User {
        /// Its id.
        id: String,
        /// "First Last".
        name: String,
    },
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Part::Text(t) => f.write_str(t),
            Part::Record { name, .. } | Part::Person { name, .. } | Part::User { name, .. } => {
                f.write_str(name)
            }
        }
    }
}

/// One audit entry in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    /// The sentence, piece by piece.
    pub parts: Vec<Part>,
    /// Already told by an earlier sentence of the same list (the email queued with an
    /// activation is said in the activation's sentence): a page may leave it out.
    pub folded: bool,
}

impl fmt::Display for Sentence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.parts {
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

/// Names read once per list of entries.
struct Names<'a> {
    app: &'a Portico,
    reader: Reader,
    users: BTreeMap<String, Option<String>>,
    persons: BTreeMap<String, Option<String>>,
    records: BTreeMap<String, Option<(String, String)>>,
    tasks: BTreeMap<String, Option<TaskRow>>,
    checklists: BTreeMap<String, Option<String>>,
}

impl Names<'_> {
    async fn user(&mut self, id: &str) -> ServiceResult<Part> {
        if !self.users.contains_key(id) {
            let found = self.reader.db().user(&UserId::new(id)).await?;
            let name = found.map(|u| format!("{} {}", u.first_name, u.last_name));
            self.users.insert(id.to_string(), name);
        }
        Ok(match self.users.get(id).cloned().flatten() {
            Some(name) => Part::User {
                id: id.to_string(),
                name,
            },
            None => text("a removed user"),
        })
    }

    async fn person(&mut self, id: &str) -> ServiceResult<Part> {
        if !self.persons.contains_key(id) {
            let found = self.reader.db().person(&PersonId::new(id)).await?;
            self.persons
                .insert(id.to_string(), found.map(|p| p.display_name()));
        }
        Ok(match self.persons.get(id).cloned().flatten() {
            Some(name) => Part::Person {
                id: id.to_string(),
                name,
            },
            None => text("a removed contact"),
        })
    }

    async fn record(&mut self, id: &str) -> ServiceResult<Part> {
        if !self.records.contains_key(id) {
            let rid = RecordId::new(id);
            let mut found = None;
            if let Some(object) = self.reader.db().record_object(&rid).await? {
                if let Some((r, _, _)) = self.reader.db().record(&object, &rid, false).await? {
                    found = Some((object, r.name));
                }
            }
            self.records.insert(id.to_string(), found);
        }
        Ok(match self.records.get(id).cloned().flatten() {
            Some((object, name)) => Part::Record {
                object,
                id: id.to_string(),
                name,
            },
            None => text("a deleted record"),
        })
    }

    async fn task(&mut self, id: &str) -> ServiceResult<Option<TaskRow>> {
        if !self.tasks.contains_key(id) {
            let found = self.reader.db().task(&TaskId::new(id)).await?;
            self.tasks.insert(id.to_string(), found);
        }
        Ok(self.tasks.get(id).cloned().flatten())
    }

    async fn checklist(&mut self, id: &str) -> ServiceResult<String> {
        if !self.checklists.contains_key(id) {
            let found = self
                .reader
                .db()
                .checklist(&ChecklistId::new(id), false)
                .await?;
            self.checklists
                .insert(id.to_string(), found.map(|c| c.checklist.name));
        }
        Ok(self
            .checklists
            .get(id)
            .cloned()
            .flatten()
            .unwrap_or_else(|| "a checklist".into()))
    }

    /// Who did it: a user's name, or Portico itself for what no user did.
    async fn actor(&mut self, actor: Option<&str>) -> ServiceResult<Part> {
        match actor {
            Some(id) => self.user(id).await,
            None => Ok(text("Portico")),
        }
    }

    /// The state's label in the record's lifecycle (its words, never its code).
    fn state_label(&self, object: &str, state: &str) -> String {
        self.app
            .config()
            .target(object)
            .and_then(|t| t.lifecycle.state(state))
            .map_or_else(|| words(state), |s| s.label.clone())
    }

    /// "Welcome", "Goodbye"… for a template name.
    fn email_label(&self, template: &str) -> String {
        self.app
            .config()
            .find_template(template)
            .map_or_else(|| words(template), |(_, kind)| kind.label().to_string())
    }
}

fn text(t: impl Into<String>) -> Part {
    Part::Text(t.into())
}

/// A code in words, for what the configuration has no label for: `seats_changed` → "seats
/// changed", never `x__v`.
fn words(code: &str) -> String {
    code.trim_end_matches("__v")
        .trim_end_matches("__c")
        .trim_end_matches("__qdm")
        .replace(['_', '.'], " ")
        .trim()
        .to_string()
}

/// A name's possessive: "Anna Berg" → "Anna Berg's".
fn possessive(p: &Part) -> Part {
    if p.to_string().ends_with('s') {
        text("'")
    } else {
        text("'s")
    }
}

fn json(v: &Option<String>) -> Value {
    v.as_deref()
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or(Value::Null)
}

fn field<'v>(v: &'v Value, name: &str) -> Option<&'v str> {
    v.get(name).and_then(Value::as_str)
}

impl Portico {
    /// The entries `rows` in words (internal users: the record page's history, the audit
    /// export), in the same order. An email queued with an activation, inactivation or task
    /// for the same user in the same change is said in that entry's sentence too, and marked
    /// folded.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id, entries = rows.len()))]
    pub async fn describe_audit(
        &self,
        caller: &Caller,
        rows: &[AuditRow],
    ) -> ServiceResult<Vec<Sentence>> {
        caller.require_internal()?;
        let mut names = Names {
            app: self,
            reader: self.store.read().await?,
            users: BTreeMap::new(),
            persons: BTreeMap::new(),
            records: BTreeMap::new(),
            tasks: BTreeMap::new(),
            checklists: BTreeMap::new(),
        };
        // Emails by (time, user), to tell them with the change that caused them.
        let mut emails: BTreeMap<(i64, String), Vec<(usize, String)>> = BTreeMap::new();
        for (i, r) in rows.iter().enumerate() {
            let e = &r.entry;
            if e.action == "email.queued" {
                if let (Some(user), Some(t)) = (&e.user, field(&json(&e.after), "template")) {
                    emails
                        .entry((e.at, user.clone()))
                        .or_default()
                        .push((i, names.email_label(t)));
                }
            }
        }
        let mut folded = vec![false; rows.len()];
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let mut parts = describe(&mut names, r).await?;
            let e = &r.entry;
            let tells_emails = matches!(
                e.action.as_str(),
                "user.activated" | "user.inactivated" | "task.created"
            );
            if let (true, Some(user)) = (tells_emails, &e.user) {
                if let Some(queued) = emails.get(&(e.at, user.clone())) {
                    let wanted: &[&str] = match e.action.as_str() {
                        "user.activated" => &["Welcome", "Welcome Back"],
                        "user.inactivated" => &["Goodbye"],
                        _ => &["Task"],
                    };
                    for (i, label) in queued {
                        if wanted.contains(&label.as_str()) && !folded[*i] {
                            folded[*i] = true;
                            parts.push(text(format!(" ({label} email queued)")));
                        }
                    }
                }
            }
            out.push(Sentence {
                parts,
                folded: false,
            });
        }
        for (s, f) in out.iter_mut().zip(folded) {
            s.folded = f;
        }
        Ok(out)
    }
}

/// One entry's sentence (without the emails told with it).
async fn describe(names: &mut Names<'_>, row: &AuditRow) -> ServiceResult<Vec<Part>> {
    let e = &row.entry;
    let before = json(&e.before);
    let after = json(&e.after);
    let actor = names.actor(e.actor.as_deref()).await?;
    let record = match &e.record {
        Some(id) => Some(names.record(id).await?),
        None => None,
    };
    let on = || record.clone().unwrap_or_else(|| text("a record"));
    let user = match &e.user {
        Some(id) => Some(names.user(id).await?),
        None => None,
    };
    let person = match &e.person {
        Some(id) => Some(names.person(id).await?),
        None => None,
    };
    let who = || {
        user.clone()
            .or(person.clone())
            .unwrap_or_else(|| text("a user"))
    };
    let quoted = |s: &str| text(format!("“{s}”"));
    let parts = match e.action.as_str() {
        "record.created" => vec![actor, text(" created "), on()],
        "record.updated" => vec![actor, text(" changed "), on()],
        "record.deleted" => vec![actor, text(" deleted "), on()],
        "record.state_changed" => {
            let from = field(&before, "state__v").unwrap_or_default();
            let to = field(&after, "state__v").unwrap_or_default();
            vec![
                on(),
                text(format!(
                    " moved from {} to {}",
                    names.state_label(&e.object, from),
                    names.state_label(&e.object, to)
                )),
            ]
        }
        a if a.starts_with("action.") => {
            let action = &a["action.".len()..];
            ran_action(names, actor, on(), &e.object, action, &before, &after).await?
        }
        "user.created" => match field(&after, "username__v") {
            Some(username) => vec![
                text("An account was created for "),
                who(),
                text(format!(" (username {username})")),
            ],
            None => vec![text("An account was created for "), who()],
        },
        "user.linked" => vec![who(), text(" was linked to an existing account")],
        "user.activated" => {
            let w = who();
            vec![w.clone(), possessive(&w), text(" account was activated")]
        }
        "user.inactivated" => {
            let w = who();
            vec![w.clone(), possessive(&w), text(" account was inactivated")]
        }
        "user.updated" => {
            let w = who();
            vec![
                actor,
                text(" changed "),
                w.clone(),
                possessive(&w),
                text(" account"),
            ]
        }
        "user.password_set" | "user.password_changed" => {
            vec![who(), text(" set a new password")]
        }
        "user.password_link_made" | "user.password_link_sent" => {
            vec![text("A set-password link was sent to "), who()]
        }
        "user.one_time_password_made" => {
            vec![text("A one-time password was sent to "), who()]
        }
        "sharing.granted" => vec![who(), text(" was given access to "), on()],
        "sharing.removed" => {
            let w = who();
            vec![
                w.clone(),
                possessive(&w),
                text(" access to "),
                on(),
                text(" was removed"),
            ]
        }
        "assignment.activated" => vec![who(), text(" was assigned to "), on()],
        "waitlist.queued" => vec![
            who(),
            text(" waits for a free external seat to work on "),
            on(),
        ],
        "waitlist.served" => vec![
            text("A seat became free: "),
            who(),
            text(" stopped waiting for "),
            on(),
        ],
        "waitlist.dropped" => vec![who(), text(" no longer waits for a seat on "), on()],
        "assignment.inactivated" => vec![text("An assignment on "), on(), text(" ended")],
        "task.created" => {
            let label = field(&after, "label__v").unwrap_or("response");
            vec![
                who(),
                text(" was given the task "),
                quoted(label),
                text(" on "),
                on(),
            ]
        }
        "task.completed" | "task.cancelled" => {
            let task = names.task(&e.object_id).await?;
            let assignee = match &task {
                Some(t) => names.user(t.assignee.as_str()).await?,
                None => text("the assignee"),
            };
            let label = task.as_ref().map_or("response", |t| t.label.as_str());
            let by_assignee = task
                .as_ref()
                .is_some_and(|t| e.actor.as_deref() == Some(t.assignee.as_str()));
            if e.action == "task.cancelled" {
                vec![
                    actor,
                    text(" cancelled the task "),
                    quoted(label),
                    text(" of "),
                    assignee,
                ]
            } else if by_assignee {
                vec![assignee, text(" answered "), on()]
            } else {
                vec![actor, text(" answered for "), assignee, text(" on "), on()]
            }
        }
        "checklist.created" => {
            let name = field(&after, "name__v")
                .unwrap_or("a checklist")
                .to_string();
            let mut p = vec![actor, text(" asked "), who(), text(" to fill in ")];
            p.push(quoted(&name));
            p
        }
        "checklist.answered" | "checklist.completed" | "checklist.reassigned" => {
            let name = names.checklist(&e.object_id).await?;
            match e.action.as_str() {
                "checklist.answered" => {
                    vec![actor, text(" answered the checklist "), quoted(&name)]
                }
                "checklist.completed" => {
                    vec![actor, text(" completed the checklist "), quoted(&name)]
                }
                _ => vec![
                    text("The checklist "),
                    quoted(&name),
                    text(" was handed to "),
                    who(),
                ],
            }
        }
        "email.queued" => {
            let label =
                field(&after, "template").map_or_else(|| "An".into(), |t| names.email_label(t));
            vec![text(format!("{label} email queued for ")), who()]
        }
        "email.retried" => vec![actor, text(" sent an email to "), who(), text(" again")],
        "comment.added" => vec![actor, text(" commented on "), on()],
        "file.uploaded" => {
            let name = field(&after, "name").unwrap_or("a file").to_string();
            vec![
                actor,
                text(" added the file "),
                quoted(&name),
                text(" to "),
                on(),
            ]
        }
        "person.created" | "person.updated" | "person.deleted" => {
            let verb = match e.action.as_str() {
                "person.created" => " added the contact ",
                "person.updated" => " changed the contact ",
                _ => " deleted the contact ",
            };
            let name = [&after, &before]
                .iter()
                .find_map(|v| {
                    Some(format!(
                        "{} {}",
                        field(v, "first_name__v")?,
                        field(v, "last_name__v")?
                    ))
                })
                .map(text);
            let p = match (e.action.as_str(), person) {
                ("person.deleted", _) | (_, None) => name.unwrap_or_else(|| text("a contact")),
                (_, Some(p)) => p,
            };
            vec![actor, text(verb), p]
        }
        "organization.created" | "organization.updated" | "organization.deleted" => {
            let verb = match e.action.as_str() {
                "organization.created" => " added the organization ",
                "organization.updated" => " changed the organization ",
                _ => " deleted an organization",
            };
            let name = field(&after, "name__v")
                .or(field(&before, "name__v"))
                .unwrap_or_default()
                .to_string();
            vec![actor, text(verb), text(name)]
        }
        "ticket.created" => {
            let subject = field(&after, "subject").unwrap_or("a request").to_string();
            vec![actor, text(" asked "), quoted(&subject)]
        }
        "ticket.answered" => vec![actor, text(" answered a request of "), who()],
        "template.changed" => vec![
            actor,
            text(" changed the "),
            text(names.email_label(&e.object_id)),
            text(" email template"),
        ],
        "template.reset" => vec![
            actor,
            text(" reset the "),
            text(names.email_label(&e.object_id)),
            text(" email template"),
        ],
        "licenses.seats_changed" => match after.get("external_seats").and_then(Value::as_i64) {
            Some(n) => vec![actor, text(format!(" set the external seats to {n}"))],
            None => vec![actor, text(" changed the external seats")],
        },
        "session.started" => vec![actor, text(" signed in")],
        "session.ended" => vec![actor, text(" signed out")],
        "auth.password_link_refused" => {
            vec![text("A set-password link was asked for an unknown name")]
        }
        "auth.sso_refused" => vec![text("A single sign-on was refused")],
        other => vec![actor, text(": "), text(words(other))],
    };
    Ok(parts)
}

/// A user's action on a record: its transition in words ("sent SCAR-004 to the supplier"),
/// else its label.
async fn ran_action(
    names: &mut Names<'_>,
    actor: Part,
    record: Part,
    object: &str,
    action: &str,
    before: &Value,
    after: &Value,
) -> ServiceResult<Vec<Part>> {
    if UserAction::parse(action) == Some(UserAction::Reassign) {
        let mut parts = vec![actor, text(" handed "), record, text(" to ")];
        let people: Vec<&str> = after
            .get("external_collaborator__v")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let was: Vec<&str> = before
            .get("external_collaborator__v")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let new: Vec<&str> = people.into_iter().filter(|p| !was.contains(p)).collect();
        if new.is_empty() {
            parts.push(text("another contact"));
        }
        for (i, p) in new.iter().enumerate() {
            if i > 0 {
                parts.push(text(", "));
            }
            parts.push(names.person(p).await?);
        }
        return Ok(parts);
    }
    if UserAction::parse(action) == Some(UserAction::CreateActivate) {
        return Ok(vec![actor, text(" invited the collaborators of "), record]);
    }
    let from = field(before, "state__v").unwrap_or_default();
    let lifecycle = names.app.config().target(object).map(|t| &t.lifecycle);
    let transition = lifecycle.and_then(|l| {
        l.transitions
            .iter()
            .find(|t| t.action_name() == action && t.from.iter().any(|f| f == from))
    });
    let Some(t) = transition else {
        return Ok(vec![
            actor,
            text(" ran "),
            text(words(action)),
            text(" on "),
            record,
        ]);
    };
    let to_task = lifecycle
        .and_then(|l| l.state(&t.to))
        .is_some_and(|s| s.response_task.is_some());
    Ok(match t.outcome {
        Some(ReviewOutcome::Accepted) => {
            vec![actor, text(" accepted the response to "), record]
        }
        Some(ReviewOutcome::Rejected) => {
            vec![actor, text(" rejected the response to "), record]
        }
        None if to_task => vec![actor, text(" sent "), record, text(" to the supplier")],
        None => vec![
            actor,
            text(" moved "),
            record,
            text(format!(" to {}", names.state_label(object, &t.to))),
        ],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_become_words() {
        assert_eq!(words("licenses.seats_changed"), "licenses seats changed");
        assert_eq!(words("closed__c"), "closed");
        assert_eq!(
            words("reassign_external_collaborator__v"),
            "reassign external collaborator"
        );
    }

    #[test]
    fn possessives_follow_the_name() {
        assert_eq!(possessive(&text("Anna Berg")), text("'s"));
        assert_eq!(possessive(&text("Bo Andersens")), text("'"));
    }

    #[test]
    fn a_sentence_reads_as_its_parts() {
        let s = Sentence {
            parts: vec![
                Part::User {
                    id: "usr_1".into(),
                    name: "Quinn Lead".into(),
                },
                text(" sent "),
                Part::Record {
                    object: "car__v".into(),
                    id: "rec_1".into(),
                    name: "SCAR-004".into(),
                },
                text(" to the supplier"),
            ],
            folded: false,
        };
        assert_eq!(s.to_string(), "Quinn Lead sent SCAR-004 to the supplier");
    }
}
