//! Care for the workers (issue 17, 心理疏导): a worker's private request for support, the record
//! their phone writes, and the supervisor's list of requests still to arrange or complete.

use serde_json::json;

use super::{Dataset, Row};
use crate::entities::need::FieldEdit;
use crate::entities::support_request::{self, field};
use crate::record::SupportRequest;

/// The fields of a new request: `worker`, filed under `grid` (their first), wishing `way`, with
/// `note` (trimmed; may be empty), at `at_ms`.
pub fn ask(grid: &str, worker: &str, way: &str, note: &str, at_ms: i64) -> Vec<FieldEdit> {
    let mut fields = vec![
        (field::GRID_ID.to_owned(), json!(grid)),
        (field::WORKER_ID.to_owned(), json!(worker)),
        (field::ASKED_AT.to_owned(), json!(at_ms)),
        (field::WAY.to_owned(), json!(way)),
        (field::STATUS.to_owned(), json!(support_request::ASKED)),
    ];
    let note = note.trim();
    if !note.is_empty() {
        fields.push((field::NOTE.to_owned(), json!(note)));
    }
    fields
}

/// The fields that move a request on to `status`, by `handler` at `at_ms`.
pub fn moved_on(status: &str, handler: &str, at_ms: i64) -> Vec<FieldEdit> {
    vec![
        (field::STATUS.to_owned(), json!(status)),
        (field::HANDLER_ID.to_owned(), json!(handler)),
        (field::HANDLED_AT.to_owned(), json!(at_ms)),
    ]
}

impl<R: Row> Dataset<R> {
    /// The requests not yet done: asked before arranged, the oldest first.
    pub fn support_open(&self) -> Vec<&R> {
        let mut open: Vec<&R> = self
            .support_requests
            .iter()
            .filter(|r| SupportRequest(*r).status() != Some(support_request::DONE))
            .collect();
        open.sort_by_key(|r| {
            let r = SupportRequest(*r);
            (r.status() != Some(support_request::ASKED), r.asked_at())
        });
        open
    }

    /// The requests `worker` sent from this device, newest first.
    pub fn support_sent_by(&self, worker: &str) -> Vec<&R> {
        let mut mine: Vec<&R> = self
            .support_requests
            .iter()
            .filter(|r| SupportRequest(*r).worker_id() == Some(worker))
            .collect();
        mine.sort_by_key(|r| std::cmp::Reverse(SupportRequest(*r).asked_at()));
        mine
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn asked_first_then_arranged_and_done_ones_are_off_the_list() {
        let mut f = Fixture::new();
        let mut put = |id: &str, at: i64, status: Option<&str>| {
            let mut edits = ask("g1", "u-w", "phone", "  睡不着 ", at);
            if let Some(s) = status {
                edits.extend(moved_on(s, "u-s", at + 1));
            }
            crate::validate::assert_valid_edits(support_request::NAME, &edits);
            f.add_edits(support_request::NAME, id, &edits);
        };
        put("done", 1, Some(support_request::DONE));
        put("arranged", 2, Some(support_request::ARRANGED));
        put("asked-late", 5, None);
        put("asked-early", 3, None);
        let d = f.build();
        let open: Vec<&str> = d.support_open().iter().map(|r| r.id.as_str()).collect();
        assert_eq!(open, ["asked-early", "asked-late", "arranged"]);
        assert_eq!(d.support_sent_by("u-w").len(), 4);
        assert_eq!(
            SupportRequest(d.support_sent_by("u-w")[0]).note(),
            Some("睡不着")
        );
    }
}
