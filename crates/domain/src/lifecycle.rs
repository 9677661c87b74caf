//! Lifecycles of the target objects: states, their entry actions, and the moves between them
//! (SPEC section 7).

/// What happens when a record enters a state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryAction {
    /// C2: Create & Activate External Collaborator — the "entry" state.
    CreateActivate,
    /// C3: Inactivate External Collaborator — an "exit" state.
    Inactivate,
}

/// A user action a state may offer besides its moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserAction {
    /// C5: `reassign_external_collaborator__v`.
    Reassign,
    /// C2 on demand: `create_activate_external_collaborator__v`.
    CreateActivate,
}

impl UserAction {
    /// All user actions.
    pub const ALL: [UserAction; 2] = [Self::Reassign, Self::CreateActivate];

    /// The action's API name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Reassign => "reassign_external_collaborator__v",
            Self::CreateActivate => "create_activate_external_collaborator__v",
        }
    }

    /// The action's label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Reassign => "Reassign External Collaborator",
            Self::CreateActivate => "Create & Activate External Collaborator",
        }
    }

    /// The user action with this API name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.name() == name)
    }
}

/// The workflow task collaborators get in a state (C2 step 5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseTask {
    /// Short name of the task.
    pub label: String,
    /// The label in other languages (`labels = { de = "Antworten" }`).
    pub labels: crate::config::Labels,
    /// What the collaborator is asked to do; may use the record's fields as `${name__v}`.
    pub instructions: String,
    /// The instructions in other languages (`instructions_in = { de = "…" }`).
    pub instructions_in: crate::config::Labels,
    /// Days from assignment to the due date.
    pub due_days: u32,
    /// The state the record moves to when the last response task is completed (C6).
    pub next_state: Option<String>,
    /// The signature completing the task requires (§11 Electronic signatures), if any.
    pub signature: Option<SignatureMeaning>,
}

/// One state of a lifecycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateDef {
    /// API name, e.g. `pending_response__c`.
    pub name: String,
    /// Label shown to people.
    pub label: String,
    /// The label in other languages.
    pub labels: crate::config::Labels,
    /// C2 or C3 on entry, if any.
    pub entry_action: Option<EntryAction>,
    /// User actions offered in this state.
    pub user_actions: Vec<UserAction>,
    /// The response task collaborators get on entry, if any.
    pub response_task: Option<ResponseTask>,
}

/// A move `change_state_to_<to>` from any of `from`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    /// States the move starts from.
    pub from: Vec<String>,
    /// The state it goes to.
    pub to: String,
    /// Label shown to people, e.g. "Send to Supplier".
    pub label: String,
    /// When the move is a reviewer's verdict on the responses (C6), which one.
    pub outcome: Option<ReviewOutcome>,
    /// Whether the move needs a reason (e.g. a rejection tells the collaborator why).
    pub requires_reason: bool,
    /// The signature the move requires (§11 Electronic signatures), if any.
    pub signature: Option<SignatureMeaning>,
}

/// A reviewer's verdict on the collaborators' responses (C6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewOutcome {
    /// Accepted: towards the exit state.
    Accepted,
    /// Rejected: back to the entry state with a new task.
    Rejected,
}

impl Transition {
    /// The action name of SPEC section 7: `change_state_to_<state>`.
    pub fn action_name(&self) -> String {
        format!("change_state_to_{}", self.to)
    }
}

/// A lifecycle: its states and moves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lifecycle {
    /// Its name in the configuration.
    pub name: String,
    /// The state new records start in.
    pub initial: String,
    /// All states.
    pub states: Vec<StateDef>,
    /// All moves.
    pub transitions: Vec<Transition>,
    /// The signatures user actions (Reassign, Create & Activate) require, by action.
    pub user_action_signatures: Vec<(UserAction, SignatureMeaning)>,
}

/// What a signature means (21 CFR 11.50(a)(3)), e.g. `Approved`: one line of 1 to 100
/// characters, shown with every manifestation of the signature.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SignatureMeaning(String);

impl SignatureMeaning {
    /// The meaning, if `raw` is one line of 1 to 100 characters (surrounding spaces dropped).
    pub fn parse(raw: &str) -> Result<Self, String> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err("a signature's meaning cannot be empty".into());
        }
        if trimmed.chars().count() > 100 {
            return Err("a signature's meaning has at most 100 characters".into());
        }
        if trimmed.chars().any(char::is_control) {
            return Err("a signature's meaning is one line of text".into());
        }
        Ok(SignatureMeaning(trimmed.to_string()))
    }

    /// The meaning as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for SignatureMeaning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// An action the caller can run on a record now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionInfo {
    /// API name.
    pub name: String,
    /// Label.
    pub label: String,
}

/// A resolved action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action<'a> {
    /// A state change.
    ChangeState(&'a Transition),
    /// Reassign or Create & Activate.
    User(UserAction),
}

/// Why an action cannot be run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActionError {
    /// The lifecycle has no action of that name at all.
    #[error("'{action}' is not an action of the {lifecycle} lifecycle")]
    Unknown {
        /// The name asked for.
        action: String,
        /// The lifecycle.
        lifecycle: String,
    },
    /// The action exists but not in the record's current state.
    #[error("'{action}' cannot be run in state {state}")]
    NotInState {
        /// The name asked for.
        action: String,
        /// The record's state.
        state: String,
    },
}

impl Lifecycle {
    /// The state of that name.
    pub fn state(&self, name: &str) -> Option<&StateDef> {
        self.states.iter().find(|s| s.name == name)
    }

    /// Whether `state` is an exit state (its entry action is C3).
    pub fn is_exit(&self, state: &str) -> bool {
        self.state(state)
            .is_some_and(|s| s.entry_action == Some(EntryAction::Inactivate))
    }

    /// States in which a collaboration is under way: reachable from an entry state without
    /// passing an exit state. A record there holds Active assignments for its collaborators.
    pub fn open_states(&self) -> Vec<&str> {
        let mut open: Vec<&str> = self
            .states
            .iter()
            .filter(|s| s.entry_action == Some(EntryAction::CreateActivate))
            .map(|s| s.name.as_str())
            .collect();
        let mut i = 0;
        while i < open.len() {
            let from = open[i];
            for t in &self.transitions {
                let to = t.to.as_str();
                if t.from.iter().any(|f| f == from) && !self.is_exit(to) && !open.contains(&to) {
                    open.push(to);
                }
            }
            i += 1;
        }
        open
    }

    /// The actions that can be run in `state`, moves first.
    pub fn actions_in(&self, state: &str) -> Vec<ActionInfo> {
        let moves = self
            .transitions
            .iter()
            .filter(|t| t.from.iter().any(|f| f == state))
            .map(|t| ActionInfo {
                name: t.action_name(),
                label: t.label.clone(),
            });
        let user = self
            .state(state)
            .into_iter()
            .flat_map(|s| s.user_actions.iter())
            .map(|a| ActionInfo {
                name: a.name().to_string(),
                label: a.label().to_string(),
            });
        moves.chain(user).collect()
    }

    /// The signature the action `name` requires of a record in `state` (`None`: none, or
    /// not an action there). Moves of one name can differ: sending to the supplier and
    /// rejecting a response are both `change_state_to_pending_response__c`.
    pub fn signature_for(&self, state: &str, name: &str) -> Option<&SignatureMeaning> {
        match self.find_action(state, name).ok()? {
            Action::ChangeState(t) => t.signature.as_ref(),
            Action::User(action) => self
                .user_action_signatures
                .iter()
                .find(|(a, _)| *a == action)
                .map(|(_, m)| m),
        }
    }

    /// Whether the action `name` requires a signature in any state.
    pub fn may_require_signature(&self, name: &str) -> bool {
        self.states
            .iter()
            .any(|s| self.signature_for(&s.name, name).is_some())
    }

    /// The signature completing the response task of `state` requires, if any.
    pub fn signature_for_task(&self, state: &str) -> Option<&SignatureMeaning> {
        self.state(state)?
            .response_task
            .as_ref()?
            .signature
            .as_ref()
    }

    /// Resolves `name` for a record in `state`.
    pub fn find_action(&self, state: &str, name: &str) -> Result<Action<'_>, ActionError> {
        let not_in_state = || ActionError::NotInState {
            action: name.to_string(),
            state: state.to_string(),
        };
        if let Some(action) = UserAction::parse(name) {
            let offered = self
                .state(state)
                .is_some_and(|s| s.user_actions.contains(&action));
            return if offered {
                Ok(Action::User(action))
            } else {
                Err(not_in_state())
            };
        }
        let mut known = false;
        for t in &self.transitions {
            if t.action_name() == name {
                known = true;
                if t.from.iter().any(|f| f == state) {
                    return Ok(Action::ChangeState(t));
                }
            }
        }
        if known {
            Err(not_in_state())
        } else {
            Err(ActionError::Unknown {
                action: name.to_string(),
                lifecycle: self.name.clone(),
            })
        }
    }
}
