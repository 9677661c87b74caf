//! External collaboration checklists (SPEC section 1): questions a collaborator answers item by
//! item and then completes. A completed checklist is read-only and is never reassigned (C5).

use crate::{ChecklistId, PersonId, RecordId};

/// One question and its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The question.
    pub question: String,
    /// The answer, once given.
    pub answer: Option<String>,
}

/// A checklist on a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checklist {
    /// Its id.
    pub id: ChecklistId,
    /// The record.
    pub record: RecordId,
    /// Its name.
    pub name: String,
    /// The collaborator who answers it; none when that person left the field.
    pub assignee: Option<PersonId>,
    /// Whether it is completed (then read-only).
    pub completed: bool,
    /// Its questions, in order.
    pub items: Vec<Item>,
}

/// Why a checklist change is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChecklistError {
    /// Completed checklists are read-only.
    #[error("checklist '{0}' is completed and can no longer change")]
    Completed(String),
    /// A checklist needs a name and at least one question.
    #[error("{0}")]
    Invalid(String),
    /// More answers than questions.
    #[error("checklist '{name}' has {questions} questions but {answers} answers were given")]
    TooManyAnswers {
        /// The checklist.
        name: String,
        /// Its questions.
        questions: usize,
        /// The answers given.
        answers: usize,
    },
    /// Completing needs every answer.
    #[error("checklist '{name}' cannot be completed: {missing} of its questions have no answer")]
    Unanswered {
        /// The checklist.
        name: String,
        /// Unanswered questions.
        missing: usize,
    },
    /// The assignee must be a collaborator of the record.
    #[error("{0} is not an external collaborator of this record")]
    NotACollaborator(String),
}

impl Checklist {
    /// A new open checklist for `assignee`, who must be one of the record's `collaborators`.
    pub fn new(
        id: ChecklistId,
        record: RecordId,
        name: &str,
        assignee: PersonId,
        questions: &[String],
        collaborators: &[PersonId],
    ) -> Result<Checklist, ChecklistError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(ChecklistError::Invalid(
                "a checklist needs a name__v".into(),
            ));
        }
        if questions.is_empty() {
            return Err(ChecklistError::Invalid(
                "a checklist needs at least one question".into(),
            ));
        }
        if let Some(blank) = questions.iter().position(|q| q.trim().is_empty()) {
            return Err(ChecklistError::Invalid(format!(
                "question {} is empty",
                blank + 1
            )));
        }
        if !collaborators.contains(&assignee) {
            return Err(ChecklistError::NotACollaborator(assignee.to_string()));
        }
        Ok(Checklist {
            id,
            record,
            name: name.to_string(),
            assignee: Some(assignee),
            completed: false,
            items: questions
                .iter()
                .map(|q| Item {
                    question: q.trim().to_string(),
                    answer: None,
                })
                .collect(),
        })
    }

    /// Answers items by position; `None` leaves an item as it is.
    pub fn answer(&mut self, answers: &[Option<String>]) -> Result<(), ChecklistError> {
        if self.completed {
            return Err(ChecklistError::Completed(self.name.clone()));
        }
        if answers.len() > self.items.len() {
            return Err(ChecklistError::TooManyAnswers {
                name: self.name.clone(),
                questions: self.items.len(),
                answers: answers.len(),
            });
        }
        for (i, answer) in answers.iter().enumerate() {
            if let Some(count) = answer.as_deref().and_then(crate::too_long) {
                return Err(ChecklistError::Invalid(format!(
                    "answer {} must have at most {} characters (it has {count})",
                    i + 1,
                    crate::MAX_TEXT_CHARS
                )));
            }
        }
        for (item, answer) in self.items.iter_mut().zip(answers) {
            if let Some(a) = answer {
                item.answer = Some(a.clone());
            }
        }
        Ok(())
    }

    /// Completes the checklist once every question has an answer.
    pub fn complete(&mut self) -> Result<(), ChecklistError> {
        if self.completed {
            return Err(ChecklistError::Completed(self.name.clone()));
        }
        let missing = self
            .items
            .iter()
            .filter(|i| i.answer.as_deref().is_none_or(|a| a.trim().is_empty()))
            .count();
        if missing > 0 {
            return Err(ChecklistError::Unanswered {
                name: self.name.clone(),
                missing,
            });
        }
        self.completed = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list() -> Checklist {
        let anna = PersonId::new("anna");
        Checklist::new(
            ChecklistId::new("c"),
            RecordId::new("r"),
            "8D",
            anna.clone(),
            &["Root cause?".into(), "Containment?".into()],
            &[anna],
        )
        .unwrap()
    }

    #[test]
    fn items_are_answered_one_by_one_then_completed() {
        let mut c = list();
        c.answer(&[Some("worn tool".into())]).unwrap();
        assert_eq!(
            c.complete(),
            Err(ChecklistError::Unanswered {
                name: "8D".into(),
                missing: 1
            })
        );
        c.answer(&[None, Some("sorted stock".into())]).unwrap();
        assert_eq!(c.items[0].answer.as_deref(), Some("worn tool"));
        c.complete().unwrap();
        assert!(c.completed);
    }

    #[test]
    fn answers_have_the_length_limit_and_a_refusal_changes_nothing() {
        let mut c = list();
        let long = "x".repeat(crate::MAX_TEXT_CHARS + 1);
        assert_eq!(
            c.answer(&[Some("worn tool".into()), Some(long)]),
            Err(ChecklistError::Invalid(
                "answer 2 must have at most 10000 characters (it has 10001)".into()
            ))
        );
        assert!(c.items.iter().all(|i| i.answer.is_none()));
        c.answer(&[Some("y".repeat(crate::MAX_TEXT_CHARS))])
            .unwrap();
    }

    #[test]
    fn completed_checklists_are_read_only() {
        let mut c = list();
        c.answer(&[Some("a".into()), Some("b".into())]).unwrap();
        c.complete().unwrap();
        assert_eq!(
            c.answer(&[Some("x".into())]),
            Err(ChecklistError::Completed("8D".into()))
        );
        assert_eq!(c.complete(), Err(ChecklistError::Completed("8D".into())));
    }

    #[test]
    fn a_checklist_goes_to_a_collaborator_and_has_questions() {
        let bo = PersonId::new("bo");
        let err = Checklist::new(
            ChecklistId::new("c"),
            RecordId::new("r"),
            "X",
            bo.clone(),
            &["q".into()],
            &[],
        );
        assert_eq!(err, Err(ChecklistError::NotACollaborator("bo".into())));
        let err = Checklist::new(
            ChecklistId::new("c"),
            RecordId::new("r"),
            "X",
            bo.clone(),
            &[],
            std::slice::from_ref(&bo),
        );
        assert!(matches!(err, Err(ChecklistError::Invalid(_))));
        let mut c = list();
        assert!(matches!(
            c.answer(&[None, None, Some("extra".into())]),
            Err(ChecklistError::TooManyAnswers { .. })
        ));
    }
}
