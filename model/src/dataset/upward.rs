//! The level above's queue (issue 17, 向乡镇（街道）及时反映…急难愁盼问题): the needs escalated to a
//! street office, those it has not answered first, and the answer it writes back — received, in
//! hand, handled, or returned with a note saying why — which flows to the community's board.

use serde_json::json;

use super::{Dataset, Row};
use crate::entities::need::{self, field, FieldEdit};
use crate::record::Need;

/// Why an answer is not written, in both languages as the app's problems are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerProblem {
    /// Not one of [`need::UPWARD_STATUSES`].
    UnknownStatus,
    /// Returning a need needs a note saying why, so the community knows what to do.
    ReturnWithoutNote,
}

impl AnswerProblem {
    pub fn zh(self) -> &'static str {
        match self {
            AnswerProblem::UnknownStatus => "请选择处理状态",
            AnswerProblem::ReturnWithoutNote => "退回须写明原因，社区才知道下一步怎么办",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            AnswerProblem::UnknownStatus => "Choose a status",
            AnswerProblem::ReturnWithoutNote => {
                "Say why it is returned, so the community knows what to do next"
            }
        }
    }
}

/// The fields of an answer to an escalated need: `status` with `note` (trimmed; empty clears
/// it), at `at_ms`.
pub fn answer(status: &str, note: &str, at_ms: i64) -> Result<Vec<FieldEdit>, AnswerProblem> {
    if !need::UPWARD_STATUSES.contains(&status) {
        return Err(AnswerProblem::UnknownStatus);
    }
    let note = note.trim();
    if status == need::RETURNED && note.is_empty() {
        return Err(AnswerProblem::ReturnWithoutNote);
    }
    let note = match note.is_empty() {
        true => serde_json::Value::Null,
        false => json!(note),
    };
    Ok(vec![
        (field::UPWARD_STATUS.to_owned(), json!(status)),
        (field::UPWARD_NOTE.to_owned(), note),
        (field::UPWARD_AT.to_owned(), json!(at_ms)),
    ])
}

/// Which of the queue to show: every escalated need, those not yet answered, or one status.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum UpwardFilter {
    #[default]
    All,
    Unanswered,
    Status(String),
}

impl UpwardFilter {
    fn admits(&self, status: Option<&str>) -> bool {
        match self {
            UpwardFilter::All => true,
            UpwardFilter::Unanswered => status.is_none(),
            UpwardFilter::Status(s) => status == Some(s.as_str()),
        }
    }
}

impl<R: Row> Dataset<R> {
    /// The escalated needs `f` lets through: unanswered first, then those still in hand, then
    /// the rest; within each the most urgent, then the oldest.
    pub fn upward_queue(&self, f: &UpwardFilter) -> Vec<&R> {
        let mut queue: Vec<&R> = self
            .needs
            .iter()
            .filter(|n| Need(*n).escalated() && f.admits(Need(*n).upward_status()))
            .collect();
        let stage = |s: Option<&str>| match s {
            None => 0,
            Some(need::RECEIVED) => 1,
            Some(need::IN_HAND) => 2,
            _ => 3,
        };
        queue.sort_by_key(|n| {
            let n = Need(*n);
            (
                stage(n.upward_status()),
                need::urgency_rank(n.urgency()),
                n.created_at(),
            )
        });
        queue
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;
    use serde_json::json;

    #[test]
    fn unanswered_first_then_in_hand_then_the_rest_each_most_urgent_first() {
        let mut f = Fixture::new();
        let need = |f: &mut Fixture, id: &str, urgency: &str, at: i64, status: Option<&str>| {
            let mut pairs = vec![
                (field::GRID_ID, json!("g1")),
                (field::URGENCY, json!(urgency)),
                (field::CREATED_AT, json!(at)),
                (field::ESCALATED, json!(true)),
            ];
            if let Some(s) = status {
                pairs.push((field::UPWARD_STATUS, json!(s)));
            }
            f.add(need::NAME, id, &pairs);
        };
        need(&mut f, "done", "emergency", 1, Some(need::HANDLED));
        need(&mut f, "new-old", "normal", 1, None);
        need(&mut f, "new-urgent", "urgent", 5, None);
        need(&mut f, "in-hand", "normal", 2, Some(need::IN_HAND));
        f.add(
            need::NAME,
            "local",
            &[(field::GRID_ID, json!("g1")), (field::CREATED_AT, json!(0))],
        );
        let d = f.build();
        let order: Vec<&str> = d
            .upward_queue(&UpwardFilter::All)
            .iter()
            .map(|n| n.id.as_str())
            .collect();
        assert_eq!(order, ["new-urgent", "new-old", "in-hand", "done"]);
        assert_eq!(d.upward_queue(&UpwardFilter::Unanswered).len(), 2);
        let handled = UpwardFilter::Status(need::HANDLED.into());
        assert_eq!(d.upward_queue(&handled).len(), 1);
    }

    #[test]
    fn a_return_says_why_and_an_answer_is_stamped() {
        assert_eq!(
            answer(need::RETURNED, "  ", 5),
            Err(AnswerProblem::ReturnWithoutNote)
        );
        assert_eq!(answer("lost", "", 5), Err(AnswerProblem::UnknownStatus));
        let edits = answer(need::HANDLED, " 已协调区医院床位 ", 5).unwrap();
        assert_eq!(
            edits,
            vec![
                (field::UPWARD_STATUS.to_owned(), json!("handled")),
                (field::UPWARD_NOTE.to_owned(), json!("已协调区医院床位")),
                (field::UPWARD_AT.to_owned(), json!(5)),
            ]
        );
        crate::validate::assert_valid_edits(need::NAME, &edits);
    }
}
