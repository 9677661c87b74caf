//! Configuration as data (SPEC section 7): the target object types, their lifecycles,
//! constraints and notification templates, read from a TOML file.
//!
//! The built-in default is `config/default.toml` of this crate. A file that cannot be used is
//! refused with the line and the problem, so a typo never starts a misconfigured server.

use std::collections::BTreeMap;
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use crate::lifecycle::{
    EntryAction, Lifecycle, ResponseTask, ReviewOutcome, SignatureMeaning, StateDef, Transition,
    UserAction,
};
use crate::model::{SecurityProfile, PERSON_FIELDS, RECORD_FIELDS};
use crate::template::Template;
use crate::vql::Constraint;

/// The built-in configuration of SPEC section 7.
pub const DEFAULT_CONFIG: &str = include_str!("../config/default.toml");

/// The default constraint of every type (C1).
pub use crate::vql::DEFAULT_EXTERNAL_COLLABORATOR_CONSTRAINT as DEFAULT_CONSTRAINT;

/// A configuration that passed every check.
#[derive(Debug, Clone)]
pub struct Config {
    /// The company's name in emails (`${vaultName}`).
    pub vault_name: String,
    /// What automation gives a user it creates.
    pub user_template: UserTemplate,
    /// The target object types, in file order.
    pub types: Vec<TargetType>,
}

/// The External Collaborator User Template (SPEC section 1).
#[derive(Debug, Clone)]
pub struct UserTemplate {
    /// Its name.
    pub name: String,
    /// The profile of created users.
    pub security_profile: SecurityProfile,
    /// Language of created users.
    pub language: String,
    /// Locale of created users.
    pub locale: String,
    /// Time zone of created users.
    pub timezone: String,
    /// Username pattern with `{email}`, `{first_name}`, `{last_name}`.
    pub username_pattern: String,
}

/// The four notifications of a type (SPEC section 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EmailKind {
    /// `ext_collab_welcome_<type>__v`: a new user.
    Welcome,
    /// `ext_collab_welcome_back_<type>__v`: a reactivated user.
    WelcomeBack,
    /// `ext_collab_goodbye_<type>__v`: inactivated after its last request.
    Goodbye,
    /// `ext_collab_task_<type>__v`: a task was assigned.
    Task,
    /// `ext_collab_access_ending_<type>__v`: the record's end date is near.
    AccessEnding,
}

impl EmailKind {
    /// All kinds.
    pub const ALL: [EmailKind; 5] = [
        Self::Welcome,
        Self::WelcomeBack,
        Self::Goodbye,
        Self::Task,
        Self::AccessEnding,
    ];

    /// The key in the configuration file.
    pub fn key(self) -> &'static str {
        match self {
            Self::Welcome => "welcome",
            Self::WelcomeBack => "welcome_back",
            Self::Goodbye => "goodbye",
            Self::Task => "task",
            Self::AccessEnding => "access_ending",
        }
    }

    /// How people call it: "Welcome", "Welcome Back", "Goodbye", "Task".
    pub fn label(self) -> &'static str {
        match self {
            Self::Welcome => "Welcome",
            Self::WelcomeBack => "Welcome Back",
            Self::Goodbye => "Goodbye",
            Self::Task => "Task",
            Self::AccessEnding => "Access ending",
        }
    }

    /// The template name for an object type, e.g. `ext_collab_welcome_scar__v`.
    pub fn template_name(self, object_type: &str) -> String {
        let base = object_type.strip_suffix("__v").unwrap_or(object_type);
        format!("ext_collab_{}_{base}__v", self.key())
    }
}

/// Subject and body of one notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailTemplate {
    /// Subject line.
    pub subject: Template,
    /// Plain-text body.
    pub body: Template,
    /// HTML body; when absent it is made from the plain-text body.
    pub html: Option<Template>,
}

/// An email rendered from a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedEmail {
    /// One line.
    pub subject: String,
    /// Plain text.
    pub text: String,
    /// HTML, with every value escaped.
    pub html: String,
}

/// Why a template was refused: which part, and the error with its position.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{part}: {error}")]
pub struct TemplatePartError {
    /// `subject`, `body` or `html`.
    pub part: &'static str,
    /// What is wrong, and where.
    pub error: crate::template::TemplateError,
}

impl EmailTemplate {
    /// Parses the three parts of a template, accepting the tokens of SPEC section 4 and the
    /// record fields. The subject must be one non-empty line.
    pub fn parse(subject: &str, body: &str, html: Option<&str>) -> Result<Self, TemplatePartError> {
        let part = |part: &'static str, src: &str| {
            Template::parse(src, &RECORD_FIELDS).map_err(|error| TemplatePartError { part, error })
        };
        if subject.trim().is_empty() || subject.contains('\n') {
            return Err(TemplatePartError {
                part: "subject",
                error: crate::template::TemplateError {
                    position: 1,
                    message: "the subject must be one line of text".into(),
                },
            });
        }
        Ok(EmailTemplate {
            subject: part("subject", subject)?,
            body: part("body", body)?,
            html: html.map(|h| part("html", h)).transpose()?,
        })
    }

    /// Whether any part asks for `${name}` (e.g. `userPassword`).
    pub fn uses(&self, name: &str) -> bool {
        std::iter::once(&self.subject)
            .chain(std::iter::once(&self.body))
            .chain(self.html.iter())
            .any(|t| t.tokens().any(|tok| tok == name))
    }

    /// Where the secrets may go: a one-time password (`${userPassword}`) only in the emails
    /// that (re)open an account (Welcome, Welcome Back: it is made once, as the account opens;
    /// two emails with one each would carry two, of which only the later works), and no secret
    /// in a subject (subjects are listed and previewed in many places).
    pub fn check_secrets(&self, kind: EmailKind) -> Result<(), String> {
        for secret in ["userPassword", "utp?url"] {
            if self.subject.tokens().any(|t| t == secret) {
                return Err(format!(
                    "${{{secret}}} cannot be in the subject: put it in the body"
                ));
            }
        }
        let opens = matches!(kind, EmailKind::Welcome | EmailKind::WelcomeBack);
        if self.uses("userPassword") && !opens {
            return Err(format!(
                "${{userPassword}} can only be in the welcome and welcome_back templates, not in {}: a one-time password is made once, when the account opens",
                kind.key()
            ));
        }
        Ok(())
    }

    /// Renders subject, text and HTML.
    pub fn render(&self, values: &BTreeMap<String, String>) -> RenderedEmail {
        use crate::template::Escape;
        RenderedEmail {
            subject: self
                .subject
                .render(values, Escape::None)
                .lines()
                .next()
                .unwrap_or_default()
                .to_string(),
            text: self.body.render(values, Escape::None),
            html: match &self.html {
                Some(html) => html.render(values, Escape::Html),
                None => self.body.render_html_document(values),
            },
        }
    }
}

/// Words of the configuration in other languages than its own (SPEC section 11): a label or
/// instructions by language, next to the default (`label = "Respond"`,
/// `labels = { de = "Antworten", ja = "回答" }`).
pub type Labels = BTreeMap<crate::Language, String>;

/// The words of `labels` for `language`, else `default` (the configuration's own words).
pub fn in_language<'a>(labels: &'a Labels, language: crate::Language, default: &'a str) -> &'a str {
    labels.get(&language).map_or(default, String::as_str)
}

/// A target object type and everything configured for it.
#[derive(Debug, Clone)]
pub struct TargetType {
    /// The object, e.g. `car__v`.
    pub object: String,
    /// The object's label, e.g. `CAR`.
    pub object_label: String,
    /// The object type, e.g. `scar__v`.
    pub object_type: String,
    /// The type's label, e.g. `SCAR`.
    pub label: String,
    /// The type's label in other languages.
    pub labels: Labels,
    /// Its lifecycle.
    pub lifecycle: Lifecycle,
    /// C1: which persons may be collaborators.
    pub constraint: Constraint,
    /// Fields an external collaborator may read.
    pub visible_fields: Vec<String>,
    /// C3: remove the role from records on exit (default: keep it).
    pub remove_sharing_on_exit: bool,
    /// What an activation that finds no free seat does (SPEC section 11, "License waitlist").
    pub when_no_seat: WhenNoSeat,
    /// Its notifications.
    pub templates: BTreeMap<EmailKind, EmailTemplate>,
}

/// What C2 does for a type when no external seat is free (SPEC sections 10 and 11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WhenNoSeat {
    /// The action is refused with `LICENSE_LIMIT_EXCEEDED` (the default).
    #[default]
    Refuse,
    /// The action succeeds and the collaborator waits for the next free seat, in order.
    Queue,
}

impl WhenNoSeat {
    /// The configuration's word for it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Refuse => "refuse",
            Self::Queue => "queue",
        }
    }

    /// Reads the configuration's word; `None` for any other.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Refuse, Self::Queue]
            .into_iter()
            .find(|w| w.name() == text)
    }
}

impl TargetType {
    /// The template of one kind (every kind is present after validation).
    pub fn template(&self, kind: EmailKind) -> Option<&EmailTemplate> {
        self.templates.get(&kind)
    }
}

impl Config {
    /// Every notification template: its name, its type and its kind.
    pub fn template_names(&self) -> Vec<(String, &TargetType, EmailKind)> {
        self.types
            .iter()
            .flat_map(|t| {
                EmailKind::ALL
                    .into_iter()
                    .map(move |k| (k.template_name(&t.object_type), t, k))
            })
            .collect()
    }

    /// The type and kind of the template called `name`.
    pub fn find_template(&self, name: &str) -> Option<(&TargetType, EmailKind)> {
        self.template_names()
            .into_iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, t, k)| (t, k))
    }

    /// The built-in default.
    pub fn default_config() -> Result<Config, ConfigError> {
        Config::parse(DEFAULT_CONFIG)
    }

    /// The type configured for `object` (each object has one target type).
    pub fn target(&self, object: &str) -> Option<&TargetType> {
        self.types.iter().find(|t| t.object == object)
    }

    /// Parses and checks a configuration file.
    pub fn parse(source: &str) -> Result<Config, ConfigError> {
        let raw: RawConfig = toml::from_str(source).map_err(|e| ConfigError {
            line: e.span().map(|s| line_of(source, s.start)),
            message: e.message().to_string(),
        })?;
        Validator { source }.config(raw)
    }
}

/// Why a configuration file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    /// 1-based line of the problem, when it has one.
    pub line: Option<usize>,
    /// The problem.
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

fn line_of(source: &str, offset: usize) -> usize {
    source[..offset.min(source.len())].matches('\n').count() + 1
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    vault_name: String,
    user_template: RawUserTemplate,
    #[serde(default)]
    templates: BTreeMap<Spanned<String>, RawEmailTemplate>,
    lifecycles: BTreeMap<String, RawLifecycle>,
    types: Vec<RawType>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUserTemplate {
    name: String,
    security_profile: Spanned<String>,
    language: String,
    locale: String,
    timezone: String,
    username_pattern: Spanned<String>,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct RawEmailTemplate {
    subject: Spanned<String>,
    body: Spanned<String>,
    html: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLifecycle {
    initial: Spanned<String>,
    states: Vec<RawState>,
    transitions: Vec<RawTransition>,
    /// `{ reassign_external_collaborator__v = "Reassigned" }`: user actions that need a
    /// signature, with its meaning.
    #[serde(default)]
    user_action_signatures: BTreeMap<Spanned<String>, Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawState {
    name: Spanned<String>,
    label: String,
    #[serde(default)]
    labels: BTreeMap<Spanned<String>, String>,
    entry_action: Option<Spanned<String>>,
    #[serde(default)]
    user_actions: Vec<Spanned<String>>,
    response_task: Option<RawResponseTask>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawResponseTask {
    label: String,
    #[serde(default)]
    labels: BTreeMap<Spanned<String>, String>,
    instructions: Spanned<String>,
    #[serde(default)]
    instructions_in: BTreeMap<Spanned<String>, Spanned<String>>,
    due_days: u32,
    next_state: Option<Spanned<String>>,
    signature: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTransition {
    from: Vec<Spanned<String>>,
    to: Spanned<String>,
    label: String,
    outcome: Option<Spanned<String>>,
    #[serde(default)]
    requires_reason: bool,
    signature: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawType {
    object: Spanned<String>,
    object_label: String,
    object_type: Spanned<String>,
    label: String,
    #[serde(default)]
    labels: BTreeMap<Spanned<String>, String>,
    lifecycle: Spanned<String>,
    #[serde(default = "default_constraint")]
    constraint: Spanned<String>,
    #[serde(default)]
    visible_fields: Vec<Spanned<String>>,
    #[serde(default)]
    remove_sharing_on_exit: bool,
    when_no_seat: Option<Spanned<String>>,
    #[serde(default)]
    templates: BTreeMap<Spanned<String>, RawEmailTemplate>,
}

fn default_constraint() -> Spanned<String> {
    Spanned::new(0..0, DEFAULT_CONSTRAINT.to_string())
}

/// The objects Portico knows (SPEC section 1).
const TARGET_OBJECTS: [&str; 5] = [
    "car__v",
    "ncr__v",
    "audit__qdm",
    "change_control__v",
    "inspection__v",
];

/// Fields of a target record that can be shown to externals.
const VISIBLE_FIELD_CHOICES: [&str; 7] = [
    "name__v",
    "object_type__v",
    "state__v",
    "supplier__v",
    "external_collaborator__v",
    "created_by__v",
    "access_end_date__v",
];

struct Validator<'a> {
    source: &'a str,
}

/// Template kinds that configurations written before them do not name.
const LATER_KINDS: [EmailKind; 1] = [EmailKind::AccessEnding];

impl Validator<'_> {
    fn err(&self, span: Range<usize>, message: impl Into<String>) -> ConfigError {
        ConfigError {
            line: (span.end > 0).then(|| line_of(self.source, span.start)),
            message: message.into(),
        }
    }

    fn config(&self, raw: RawConfig) -> Result<Config, ConfigError> {
        let user_template = self.user_template(raw.user_template)?;
        let mut defaults = self.templates(&raw.templates)?;
        // Kinds added after a configuration was written (the end-date reminder) take the
        // built-in text, so a file that loaded before this version still loads.
        if self.source != DEFAULT_CONFIG {
            for kind in LATER_KINDS {
                if !defaults.contains_key(&kind) && !raw.types.is_empty() {
                    let builtin = Config::default_config()?;
                    if let Some(t) = builtin.types.first().and_then(|t| t.templates.get(&kind)) {
                        defaults.insert(kind, t.clone());
                    }
                }
            }
        }
        let mut lifecycles = BTreeMap::new();
        for (name, l) in raw.lifecycles {
            let lifecycle = self.lifecycle(&name, l)?;
            lifecycles.insert(name, lifecycle);
        }
        let mut types: Vec<TargetType> = Vec::new();
        for t in raw.types {
            let ty = self.target_type(t, &lifecycles, &defaults)?;
            if types.iter().any(|o| o.object == ty.object) {
                return Err(ConfigError {
                    line: None,
                    message: format!("object {} is configured twice", ty.object),
                });
            }
            types.push(ty);
        }
        if types.is_empty() {
            return Err(self.err(0..0, "no target object types are configured ([[types]])"));
        }
        Ok(Config {
            vault_name: raw.vault_name,
            user_template,
            types,
        })
    }

    fn user_template(&self, raw: RawUserTemplate) -> Result<UserTemplate, ConfigError> {
        let profile = SecurityProfile::parse(raw.security_profile.get_ref()).ok_or_else(|| {
            self.err(
                raw.security_profile.span(),
                format!(
                    "unknown security profile '{}'",
                    raw.security_profile.get_ref()
                ),
            )
        })?;
        let pattern = raw.username_pattern.get_ref();
        if !["{email}", "{first_name}", "{last_name}"]
            .iter()
            .any(|p| pattern.contains(p))
        {
            return Err(self.err(
                raw.username_pattern.span(),
                "username_pattern must use {email}, {first_name} or {last_name}",
            ));
        }
        Ok(UserTemplate {
            name: raw.name,
            security_profile: profile,
            language: raw.language,
            locale: raw.locale,
            timezone: raw.timezone,
            username_pattern: pattern.clone(),
        })
    }

    fn templates(
        &self,
        raw: &BTreeMap<Spanned<String>, RawEmailTemplate>,
    ) -> Result<BTreeMap<EmailKind, EmailTemplate>, ConfigError> {
        let mut out = BTreeMap::new();
        for (key, t) in raw {
            let kind = EmailKind::ALL
                .into_iter()
                .find(|k| k.key() == key.get_ref())
                .ok_or_else(|| {
                    self.err(
                        key.span(),
                        format!(
                            "unknown template '{}'; templates are welcome, welcome_back, goodbye, task, access_ending",
                            key.get_ref()
                        ),
                    )
                })?;
            let template = self.email_template(t)?;
            template
                .check_secrets(kind)
                .map_err(|e| self.err(key.span(), format!("template {}: {e}", kind.key())))?;
            out.insert(kind, template);
        }
        Ok(out)
    }

    fn email_template(&self, raw: &RawEmailTemplate) -> Result<EmailTemplate, ConfigError> {
        let parse = |s: &Spanned<String>| {
            Template::parse(s.get_ref(), &RECORD_FIELDS)
                .map_err(|e| self.err(s.span(), format!("template: {e}")))
        };
        Ok(EmailTemplate {
            subject: parse(&raw.subject)?,
            body: parse(&raw.body)?,
            html: raw.html.as_ref().map(parse).transpose()?,
        })
    }

    fn lifecycle(&self, name: &str, raw: RawLifecycle) -> Result<Lifecycle, ConfigError> {
        let names: Vec<String> = raw
            .states
            .iter()
            .map(|s| s.name.get_ref().clone())
            .collect();
        let known = |s: &Spanned<String>| -> Result<String, ConfigError> {
            if names.contains(s.get_ref()) {
                Ok(s.get_ref().clone())
            } else {
                Err(self.err(
                    s.span(),
                    format!(
                        "lifecycle {name} has no state '{}'; its states are {}",
                        s.get_ref(),
                        names.join(", ")
                    ),
                ))
            }
        };
        for (i, n) in names.iter().enumerate() {
            if names[..i].contains(n) {
                return Err(self.err(
                    raw.states[i].name.span(),
                    format!("state {n} is defined twice"),
                ));
            }
        }
        let initial = known(&raw.initial)?;
        let mut states = Vec::new();
        for s in raw.states {
            let entry_action = match &s.entry_action {
                None => None,
                Some(a) => Some(match a.get_ref().as_str() {
                    "create_activate_external_collaborator" => EntryAction::CreateActivate,
                    "inactivate_external_collaborator" => EntryAction::Inactivate,
                    other => {
                        return Err(self.err(
                            a.span(),
                            format!("unknown entry action '{other}'; use create_activate_external_collaborator or inactivate_external_collaborator"),
                        ))
                    }
                }),
            };
            let mut user_actions = Vec::new();
            for a in &s.user_actions {
                user_actions.push(UserAction::parse(a.get_ref()).ok_or_else(|| {
                    self.err(
                        a.span(),
                        format!("unknown user action '{}'; use reassign_external_collaborator__v or create_activate_external_collaborator__v", a.get_ref()),
                    )
                })?);
            }
            let response_task = match s.response_task {
                None => None,
                Some(t) => Some(ResponseTask {
                    label: t.label,
                    labels: self.labels(&t.labels)?,
                    instructions: self.instructions(&t.instructions)?,
                    instructions_in: {
                        let mut by = Labels::new();
                        for (code, text) in &t.instructions_in {
                            by.insert(self.language(code)?, self.instructions(text)?);
                        }
                        by
                    },
                    due_days: t.due_days,
                    next_state: t.next_state.as_ref().map(&known).transpose()?,
                    signature: self.meaning(t.signature.as_ref())?,
                }),
            };
            states.push(StateDef {
                labels: self.labels(&s.labels)?,
                name: s.name.into_inner(),
                label: s.label,
                entry_action,
                user_actions,
                response_task,
            });
        }
        let mut transitions = Vec::new();
        for t in raw.transitions {
            let from = t.from.iter().map(&known).collect::<Result<Vec<_>, _>>()?;
            let outcome = match &t.outcome {
                None => None,
                Some(o) => Some(match o.get_ref().as_str() {
                    "accepted" => ReviewOutcome::Accepted,
                    "rejected" => ReviewOutcome::Rejected,
                    other => {
                        return Err(self.err(
                            o.span(),
                            format!("unknown outcome '{other}'; use accepted or rejected"),
                        ))
                    }
                }),
            };
            let transition = Transition {
                from,
                to: known(&t.to)?,
                label: t.label,
                outcome,
                requires_reason: t.requires_reason,
                signature: self.meaning(t.signature.as_ref())?,
            };
            transitions.push(transition);
        }
        let mut user_action_signatures = Vec::new();
        for (action, meaning) in &raw.user_action_signatures {
            let parsed = UserAction::parse(action.get_ref()).ok_or_else(|| {
                self.err(
                    action.span(),
                    format!("unknown user action '{}' in user_action_signatures; use reassign_external_collaborator__v or create_activate_external_collaborator__v", action.get_ref()),
                )
            })?;
            let meaning = self
                .meaning(Some(meaning))?
                .ok_or_else(|| self.err(action.span(), "a signature needs a meaning"))?;
            user_action_signatures.push((parsed, meaning));
        }
        Ok(Lifecycle {
            name: name.to_string(),
            initial,
            states,
            transitions,
            user_action_signatures,
        })
    }

    /// A language a configuration names words in (`labels = { de = … }`).
    fn language(&self, code: &Spanned<String>) -> Result<crate::Language, ConfigError> {
        crate::Language::parse(code.get_ref())
            .filter(|l| l.code() == code.get_ref())
            .ok_or_else(|| {
                let known: Vec<_> = crate::Language::ALL.iter().map(|l| l.code()).collect();
                self.err(
                    code.span(),
                    format!(
                        "unknown language '{}'; use one of {}",
                        code.get_ref(),
                        known.join(", ")
                    ),
                )
            })
    }

    fn labels(&self, raw: &BTreeMap<Spanned<String>, String>) -> Result<Labels, ConfigError> {
        raw.iter()
            .map(|(code, text)| Ok((self.language(code)?, text.clone())))
            .collect()
    }

    fn instructions(&self, raw: &Spanned<String>) -> Result<String, ConfigError> {
        Ok(Template::parse(raw.get_ref(), &RECORD_FIELDS)
            .map_err(|e| self.err(raw.span(), format!("instructions: {e}")))?
            .source()
            .to_string())
    }

    fn meaning(
        &self,
        raw: Option<&Spanned<String>>,
    ) -> Result<Option<SignatureMeaning>, ConfigError> {
        raw.map(|m| {
            SignatureMeaning::parse(m.get_ref())
                .map_err(|e| self.err(m.span(), format!("signature: {e}")))
        })
        .transpose()
    }

    fn target_type(
        &self,
        raw: RawType,
        lifecycles: &BTreeMap<String, Lifecycle>,
        defaults: &BTreeMap<EmailKind, EmailTemplate>,
    ) -> Result<TargetType, ConfigError> {
        if !TARGET_OBJECTS.contains(&raw.object.get_ref().as_str()) {
            return Err(self.err(
                raw.object.span(),
                format!(
                    "unknown object '{}'; target objects are {}",
                    raw.object.get_ref(),
                    TARGET_OBJECTS.join(", ")
                ),
            ));
        }
        let lifecycle = lifecycles.get(raw.lifecycle.get_ref()).ok_or_else(|| {
            self.err(
                raw.lifecycle.span(),
                format!("no lifecycle named '{}'", raw.lifecycle.get_ref()),
            )
        })?;
        let constraint = self.constraint(&raw.constraint)?;
        for f in &raw.visible_fields {
            if !VISIBLE_FIELD_CHOICES.contains(&f.get_ref().as_str()) {
                return Err(self.err(
                    f.span(),
                    format!(
                        "unknown field '{}'; fields are {}",
                        f.get_ref(),
                        VISIBLE_FIELD_CHOICES.join(", ")
                    ),
                ));
            }
        }
        let when_no_seat = match &raw.when_no_seat {
            None => WhenNoSeat::default(),
            Some(w) => WhenNoSeat::parse(w.get_ref()).ok_or_else(|| {
                self.err(
                    w.span(),
                    format!(
                        "when_no_seat = '{}' is not a choice; write \"refuse\" (refuse the action, the default) or \"queue\" (the collaborator waits for the next free seat)",
                        w.get_ref()
                    ),
                )
            })?,
        };
        let mut templates = defaults.clone();
        templates.extend(self.templates(&raw.templates)?);
        if let Some(missing) = EmailKind::ALL
            .into_iter()
            .find(|k| !templates.contains_key(k))
        {
            return Err(self.err(
                raw.object_type.span(),
                format!(
                    "type {} has no '{}' template and there is no default [templates.{}]",
                    raw.object_type.get_ref(),
                    missing.key(),
                    missing.key()
                ),
            ));
        }
        Ok(TargetType {
            object: raw.object.into_inner(),
            object_label: raw.object_label,
            object_type: raw.object_type.into_inner(),
            label: raw.label,
            labels: self.labels(&raw.labels)?,
            lifecycle: lifecycle.clone(),
            constraint,
            visible_fields: raw
                .visible_fields
                .into_iter()
                .map(Spanned::into_inner)
                .collect(),
            remove_sharing_on_exit: raw.remove_sharing_on_exit,
            when_no_seat,
            templates,
        })
    }

    fn constraint(&self, raw: &Spanned<String>) -> Result<Constraint, ConfigError> {
        let constraint = Constraint::parse(raw.get_ref())
            .map_err(|e| self.err(raw.span(), format!("constraint: {e}")))?;
        for (field, pos) in constraint.candidate_fields() {
            if !PERSON_FIELDS.contains(&field.as_str()) {
                return Err(self.err(
                    raw.span(),
                    format!("constraint: a person has no field '{field}' (position {pos})"),
                ));
            }
        }
        for (field, pos) in constraint.this_fields() {
            if !RECORD_FIELDS.contains(&field.as_str()) {
                return Err(self.err(
                    raw.span(),
                    format!("constraint: a record has no field '{field}' (position {pos})"),
                ));
            }
        }
        Ok(constraint)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_configuration_has_all_five_types() {
        let config = Config::default_config().unwrap();
        let types: Vec<_> = config
            .types
            .iter()
            .map(|t| t.object_type.as_str())
            .collect();
        assert_eq!(
            types,
            [
                "scar__v",
                "supplier_ncr__v",
                "supplier_audit__qdm",
                "supplier_change__v",
                "coa_inspection__v"
            ]
        );
        for t in &config.types {
            assert_eq!(t.constraint.source(), DEFAULT_CONSTRAINT);
            assert_eq!(t.lifecycle.initial, "draft__c");
            assert!(t.lifecycle.is_exit("closed__c") && t.lifecycle.is_exit("cancelled__c"));
            assert_eq!(t.templates.len(), EmailKind::ALL.len());
        }
    }

    #[test]
    fn default_lifecycle_offers_the_moves_of_section_7() {
        let config = Config::default_config().unwrap();
        let lc = &config.target("car__v").unwrap().lifecycle;
        let names = |s: &str| {
            lc.actions_in(s)
                .into_iter()
                .map(|a| a.name)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names("draft__c"),
            [
                "change_state_to_pending_response__c",
                "change_state_to_cancelled__c"
            ]
        );
        assert_eq!(
            names("pending_response__c"),
            [
                "change_state_to_in_review__c",
                "change_state_to_cancelled__c",
                "reassign_external_collaborator__v",
                "create_activate_external_collaborator__v"
            ]
        );
        assert_eq!(
            names("in_review__c"),
            [
                "change_state_to_closed__c",
                "change_state_to_pending_response__c",
                "change_state_to_cancelled__c"
            ]
        );
        assert!(names("closed__c").is_empty());
        assert_eq!(lc.open_states(), ["pending_response__c", "in_review__c"]);
    }

    #[test]
    fn template_names_follow_the_source_system() {
        assert_eq!(
            EmailKind::Welcome.template_name("scar__v"),
            "ext_collab_welcome_scar__v"
        );
        assert_eq!(
            EmailKind::WelcomeBack.template_name("supplier_audit__qdm"),
            "ext_collab_welcome_back_supplier_audit__qdm__v"
        );
    }

    fn refused(source: &str) -> ConfigError {
        Config::parse(source).unwrap_err()
    }

    #[test]
    fn a_toml_syntax_error_names_its_line() {
        let bad = DEFAULT_CONFIG.replacen("vault_name = \"Portico Quality\"", "vault_name = ", 1);
        let err = refused(&bad);
        assert_eq!(err.line, Some(7), "{err}");
    }

    #[test]
    fn an_unknown_state_in_a_transition_names_its_line() {
        let bad = DEFAULT_CONFIG.replacen("to = \"in_review__c\"", "to = \"in_reveiw__c\"", 1);
        let err = refused(&bad);
        let line = DEFAULT_CONFIG[..DEFAULT_CONFIG.find("to = \"in_review__c\"").unwrap()]
            .lines()
            .count()
            + 1;
        assert_eq!(err.line, Some(line));
        assert!(err.message.contains("no state 'in_reveiw__c'"), "{err}");
    }

    #[test]
    fn a_bad_constraint_is_refused_with_its_position() {
        let bad = DEFAULT_CONFIG.replacen(
            "constraint = \"organization__v = {{this.supplier__v}}\"",
            "constraint = \"organization__v == {{this.supplier__v}}\"",
            1,
        );
        let err = refused(&bad);
        assert!(err.line.is_some());
        assert!(err.message.starts_with("constraint:"), "{err}");
        let bad = DEFAULT_CONFIG.replacen("{{this.supplier__v}}", "{{this.vendor__v}}", 1);
        assert!(refused(&bad)
            .message
            .contains("a record has no field 'vendor__v'"));
    }

    #[test]
    fn an_unknown_token_in_a_template_is_refused() {
        let bad = DEFAULT_CONFIG.replacen("${firstName} ${lastName},", "${firstname},", 1);
        let err = refused(&bad);
        assert!(
            err.message.contains("unknown token '${firstname}'"),
            "{err}"
        );
        assert!(err.line.is_some());
    }

    #[test]
    fn an_email_template_names_the_part_and_position_of_its_error() {
        let err = EmailTemplate::parse("Hi ${firstName}", "Dear ${lastname}", None).unwrap_err();
        assert_eq!(err.part, "body");
        assert_eq!(err.error.position, 6);
        let err = EmailTemplate::parse("ok", "ok", Some("<p>${nope}</p>")).unwrap_err();
        assert_eq!((err.part, err.error.position), ("html", 4));
        assert_eq!(
            EmailTemplate::parse("two\nlines", "b", None)
                .unwrap_err()
                .part,
            "subject"
        );
        let t = EmailTemplate::parse("s", "pw ${userPassword}", None).unwrap();
        assert!(t.uses("userPassword") && !t.uses("utp?url"));
        assert!(t.check_secrets(EmailKind::Welcome).is_ok());
        assert!(t.check_secrets(EmailKind::WelcomeBack).is_ok());
        let why = t.check_secrets(EmailKind::Task).unwrap_err();
        assert!(why.contains("only be in the welcome"), "{why}");
        let subject = EmailTemplate::parse("link ${utp?url}", "b", None).unwrap();
        assert!(subject
            .check_secrets(EmailKind::Welcome)
            .unwrap_err()
            .contains("subject"));
    }

    #[test]
    fn every_default_template_renders_plain_text_and_html() {
        let config = Config::default_config().unwrap();
        let values: BTreeMap<String, String> = [
            ("firstName", "Anna"),
            ("name__v", "SCAR-1"),
            ("utp?url", "https://x.example/set-password?token=t"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        for (name, target, kind) in config.template_names() {
            let r = target.template(kind).unwrap().render(&values);
            assert!(!r.subject.is_empty() && !r.subject.contains('\n'), "{name}");
            assert!(r.text.contains("Anna"), "{name}");
            assert!(r.html.starts_with("<!DOCTYPE html>"), "{name}");
        }
        let welcome = config
            .target("car__v")
            .unwrap()
            .template(EmailKind::Welcome)
            .unwrap()
            .render(&values);
        assert!(welcome
            .html
            .contains("<a href=\"https://x.example/set-password?token=t\">"));
    }

    /// `examples/part11.toml` (SPEC section 11): the default configuration with signatures on
    /// the response task, accepting and rejecting.
    #[test]
    fn a_file_written_before_the_end_date_reminder_still_loads_with_the_built_in_text() {
        let start = DEFAULT_CONFIG.find("[templates.access_ending]").unwrap();
        let end = start + DEFAULT_CONFIG[start..].find("\n[lifecycles").unwrap();
        let older = format!("{}{}", &DEFAULT_CONFIG[..start], &DEFAULT_CONFIG[end..]);
        assert!(!older.contains("access_ending"));
        let config = Config::parse(&older).unwrap();
        let builtin = Config::default_config().unwrap();
        for ty in &config.types {
            assert_eq!(
                ty.templates.get(&EmailKind::AccessEnding),
                builtin.types[0].templates.get(&EmailKind::AccessEnding),
                "{}",
                ty.object_type
            );
        }
    }

    const PART11: &str = include_str!("../../../examples/part11.toml");

    #[test]
    fn the_default_configuration_requires_no_signature() {
        let config = Config::default_config().unwrap();
        for t in &config.types {
            let lc = &t.lifecycle;
            assert!(lc.transitions.iter().all(|m| m.signature.is_none()));
            assert!(lc.user_action_signatures.is_empty());
            assert!(lc.signature_for_task("pending_response__c").is_none());
        }
    }

    #[test]
    fn the_part11_example_is_the_default_with_signatures_on_respond_accept_and_reject() {
        let part11 = Config::parse(PART11).unwrap();
        let default = Config::default_config().unwrap();
        assert_eq!(part11.types.len(), default.types.len());
        for (t, d) in part11.types.iter().zip(&default.types) {
            let lc = &t.lifecycle;
            let meaning = |m: Option<&SignatureMeaning>| m.map(|m| m.as_str().to_string());
            assert_eq!(
                meaning(lc.signature_for_task("pending_response__c")),
                Some("Responded".into())
            );
            let review = "in_review__c";
            assert_eq!(
                meaning(lc.signature_for(review, "change_state_to_closed__c")),
                Some("Approved".into())
            );
            assert_eq!(
                meaning(lc.signature_for(review, "change_state_to_pending_response__c")),
                Some("Rejected".into())
            );
            // The same name from draft is sending to the supplier: no signature.
            assert_eq!(
                lc.signature_for("draft__c", "change_state_to_pending_response__c"),
                None
            );
            assert_eq!(
                lc.signature_for(review, "change_state_to_cancelled__c"),
                None
            );
            let pending = "pending_response__c";
            assert_eq!(
                lc.signature_for(pending, "change_state_to_in_review__c"),
                None
            );
            assert_eq!(
                lc.signature_for(pending, "reassign_external_collaborator__v"),
                None
            );
            // Apart from its signatures it is the default of section 7.
            let mut unsigned = lc.clone();
            for m in &mut unsigned.transitions {
                m.signature = None;
            }
            for s in &mut unsigned.states {
                if let Some(task) = &mut s.response_task {
                    task.signature = None;
                }
            }
            assert_eq!(unsigned, d.lifecycle);
            assert_eq!(
                (&t.object, &t.object_type, &t.visible_fields),
                (&d.object, &d.object_type, &d.visible_fields)
            );
        }
    }

    #[test]
    fn user_actions_can_require_a_signature() {
        let with = DEFAULT_CONFIG.replacen(
            "initial = \"draft__c\"",
            "initial = \"draft__c\"\nuser_action_signatures = { reassign_external_collaborator__v = \"Reassigned\" }",
            1,
        );
        let config = Config::parse(&with).unwrap();
        let lc = &config.target("car__v").unwrap().lifecycle;
        assert_eq!(
            lc.signature_for("pending_response__c", "reassign_external_collaborator__v")
                .map(SignatureMeaning::as_str),
            Some("Reassigned")
        );
        assert_eq!(
            lc.signature_for("draft__c", "reassign_external_collaborator__v"),
            None,
            "not an action of that state"
        );
        let bad = with.replacen("reassign_external_collaborator__v = ", "reassign = ", 1);
        assert!(refused(&bad)
            .message
            .contains("unknown user action 'reassign'"));
    }

    #[test]
    fn a_bad_signature_meaning_is_refused_with_its_line() {
        let empty = PART11.replacen("signature = \"Approved\"", "signature = \" \"", 1);
        let err = refused(&empty);
        assert!(err.message.contains("meaning cannot be empty"), "{err}");
        assert!(err.line.is_some());
        let two_lines = PART11.replacen("signature = \"Approved\"", "signature = \"A\\nB\"", 1);
        assert!(refused(&two_lines).message.contains("one line"));
    }

    #[test]
    fn unknown_keys_are_refused() {
        let bad = DEFAULT_CONFIG.replacen("remove_sharing", "x", 0).replacen(
            "label = \"SCAR\"",
            "label = \"SCAR\"\ncolour = 1",
            1,
        );
        assert!(refused(&bad).message.contains("unknown field `colour`"));
    }

    const WAITLIST: &str = include_str!("../../../examples/waitlist.toml");

    #[test]
    fn the_waitlist_example_is_the_default_with_cars_queueing() {
        let waitlist = Config::parse(WAITLIST).unwrap();
        let default = Config::default_config().unwrap();
        assert_eq!(waitlist.types.len(), default.types.len());
        for (t, d) in waitlist.types.iter().zip(&default.types) {
            assert_eq!(d.when_no_seat, WhenNoSeat::Refuse, "the default refuses");
            let expected = if t.object == "car__v" {
                WhenNoSeat::Queue
            } else {
                WhenNoSeat::Refuse
            };
            assert_eq!(t.when_no_seat, expected, "{}", t.object);
            assert_eq!(t.lifecycle.transitions.len(), d.lifecycle.transitions.len());
            assert_eq!(t.templates.len(), d.templates.len());
        }
    }

    #[test]
    fn an_unknown_when_no_seat_is_refused_with_its_line_and_the_choices() {
        // The setting's own line (the file's head mentions it in a comment).
        let setting = "\nwhen_no_seat = \"queue\"";
        let bad = WAITLIST.replacen(setting, "\nwhen_no_seat = \"wait\"", 1);
        let err = refused(&bad);
        let line = WAITLIST[..WAITLIST.find(setting).unwrap() + 1]
            .lines()
            .count()
            + 1;
        assert_eq!(err.line, Some(line), "{err}");
        assert!(err.message.contains("'wait'"), "{err}");
        assert!(
            err.message.contains("\"refuse\"") && err.message.contains("\"queue\""),
            "{err}"
        );
        let bad = WAITLIST.replacen(setting, "\nwhen_no_seat = true", 1);
        assert!(refused(&bad).line.is_some());
    }

    #[test]
    fn words_per_language_are_read_and_an_unknown_language_is_refused_with_its_line() {
        use crate::Language;
        let config = Config::default_config().unwrap();
        let scar = config.target("car__v").unwrap();
        let pending = scar.lifecycle.state("pending_response__c").unwrap();
        assert_eq!(
            in_language(&pending.labels, Language::De, &pending.label),
            "Antwort ausstehend"
        );
        assert_eq!(
            in_language(&pending.labels, Language::En, &pending.label),
            "Pending Response"
        );
        let task = pending.response_task.as_ref().unwrap();
        assert_eq!(task.labels[&Language::Ja], "回答");
        assert!(task.instructions_in[&Language::De].contains("${name__v}"));
        let bad = DEFAULT_CONFIG.replacen(
            "labels = { de = \"Entwurf\"",
            "labels = { pt = \"Rascunho\"",
            1,
        );
        assert_ne!(bad, DEFAULT_CONFIG);
        let e = Config::parse(&bad).unwrap_err();
        assert!(e.message.contains("unknown language 'pt'"), "{e}");
        assert!(e.line.is_some(), "{e}");
    }
}
