//! Health education given (科普宣教): what a household has received, and the record a worker
//! writes when they give a guide, so the app and the server count the same thing.

use serde_json::json;

use super::{Dataset, Row};
use crate::entities::education::field;
use crate::entities::need::FieldEdit;
use crate::record::Education;

/// The fields of a new `education` record: `guide` given to `household` (in `grid`), to one of
/// its residents when `resident` is given, by `worker` through `channel`, at `at_ms`.
pub fn given(
    grid: &str,
    household: &str,
    resident: Option<&str>,
    guide: &str,
    channel: &str,
    worker: &str,
    at_ms: i64,
) -> Vec<FieldEdit> {
    let mut fields = vec![
        (field::GRID_ID.to_owned(), json!(grid)),
        (field::HOUSEHOLD_ID.to_owned(), json!(household)),
        (field::GUIDE.to_owned(), json!(guide)),
        (field::CHANNEL.to_owned(), json!(channel)),
        (field::GIVEN_AT.to_owned(), json!(at_ms)),
        (field::WORKER_ID.to_owned(), json!(worker)),
    ];
    if let Some(r) = resident.filter(|r| !r.is_empty()) {
        fields.push((field::RESIDENT_ID.to_owned(), json!(r)));
    }
    fields
}

impl<R: Row> Dataset<R> {
    /// The education a household received, newest first.
    pub fn education_of(&self, household: &str) -> Vec<&R> {
        let mut out: Vec<&R> = self
            .educations
            .iter()
            .filter(|e| Education(*e).household_id() == Some(household))
            .collect();
        out.sort_by_key(|e| std::cmp::Reverse(Education(*e).given_at()));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;
    use crate::entities::education;

    #[test]
    fn a_given_guide_is_a_valid_record_listed_newest_first_on_its_household() {
        let mut f = Fixture::new();
        f.household("h1", &[]);
        let edits = given(
            "g1",
            "h1",
            Some("r1"),
            "warning_signs",
            "wechat_group",
            "w1",
            f.ms(2),
        );
        crate::validate::assert_valid_edits(education::NAME, &edits);
        f.add_edits(education::NAME, "e1", &edits);
        let later = given("g1", "h1", None, "elderly_care", "in_person", "w1", f.ms(0));
        assert!(!later.iter().any(|(k, _)| k == field::RESIDENT_ID));
        f.add_edits(education::NAME, "e2", &later);
        let d = f.build();
        let guides: Vec<_> = d
            .education_of("h1")
            .into_iter()
            .map(|e| Education(e).guide().unwrap())
            .collect();
        assert_eq!(guides, ["elderly_care", "warning_signs"]);
        assert!(d.education_of("h2").is_empty());
    }
}
