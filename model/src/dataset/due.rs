//! Today's list (今日待访): the residents due a visit today or earlier, in the order a worker
//! should knock, and what the list says of each.

use super::{Dataset, Resident, Row};

/// Why a resident is on today's list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// A severe warning sign at the latest contact, not yet due otherwise: seen every day.
    DailyFollowUp,
    NeverVisited,
    Today,
    /// Days past the due date.
    Overdue(i64),
}

impl<R: Row> Dataset<R> {
    /// The residents due today or earlier: red first, warning signs first among them, then the
    /// longest overdue; of those equally due, the freshest visit first (an alarm just raised is
    /// still unfolding), then by name.
    pub fn due_list(&self) -> Vec<&Resident<R>> {
        let today = self.today;
        let mut due: Vec<&Resident<R>> = self
            .residents
            .iter()
            .filter(|r| r.has_warning() || r.overdue_days(today).is_some())
            .collect();
        due.sort_by_key(|r| {
            (
                r.tier(),
                !r.has_warning(),
                std::cmp::Reverse(r.overdue_days(today)),
                std::cmp::Reverse(r.last_visit_ms),
                r.name().to_owned(),
            )
        });
        due
    }

    /// What today's list says of a resident on it.
    pub fn due_of(&self, r: &Resident<R>) -> Due {
        match r.overdue_days(self.today) {
            None if r.has_warning() => Due::DailyFollowUp,
            _ if r.last_visit_ms.is_none() => Due::NeverVisited,
            Some(0) | None => Due::Today,
            Some(days) => Due::Overdue(days),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;
    use crate::entities::{resident, visit};
    use crate::risk::Tier;
    use serde_json::json;

    #[test]
    fn highest_risk_first_then_warnings_then_most_overdue() {
        let mut f = Fixture::new();
        // Red by age, visited 5 days ago: due every 2 days, 3 days overdue.
        f.resident(
            "red_late",
            &[(resident::field::BIRTH_DATE, json!("1935-01-01"))],
        );
        f.visit("red_late", 5, &[]);
        // Red by age, visited 3 days ago: 1 day overdue.
        f.resident(
            "red_less",
            &[(resident::field::BIRTH_DATE, json!("1936-01-01"))],
        );
        f.visit("red_less", 3, &[]);
        // Young but a warning sign yesterday: red, followed up daily, before the other reds.
        f.resident("warned", &[]);
        f.visit("warned", 1, &[(visit::field::WARN_CONFUSION, json!(true))]);
        // Yellow (living alone), never visited: due today.
        f.resident(
            "yellow",
            &[(resident::field::TAG_LIVING_ALONE, json!(true))],
        );
        // Yellow, visited yesterday: not due.
        f.resident(
            "yellow_done",
            &[(resident::field::TAG_LIVING_ALONE, json!(true))],
        );
        f.visit("yellow_done", 1, &[]);
        // Green under 65: never routinely due.
        f.resident("green", &[]);
        let d = f.build();
        let list = d.due_list();
        assert_eq!(
            ids(list.iter().copied(), |r| r.id()),
            ["warned", "red_late", "red_less", "yellow"]
        );
        assert_eq!(list[0].tier(), Tier::Red);
        let due: Vec<Due> = list.iter().map(|r| d.due_of(r)).collect();
        assert_eq!(
            due,
            [
                Due::DailyFollowUp,
                Due::Overdue(3),
                Due::Overdue(1),
                Due::NeverVisited
            ]
        );
    }

    #[test]
    fn of_two_equally_overdue_the_fresher_visit_comes_first() {
        let mut f = Fixture::new();
        let old = [(resident::field::BIRTH_DATE, json!("1935-01-01"))];
        for id in ["a", "b", "c"] {
            f.resident(id, &old);
        }
        // a and b are one day past the follow-up set for yesterday; b was seen more recently.
        let follow = [(visit::field::NEXT_FOLLOW_UP, json!(f.day(1).to_string()))];
        f.visit("a", 2, &follow);
        f.visit("b", 1, &follow);
        // c is due today: red, seen two days ago.
        f.visit("c", 2, &[]);
        let d = f.build();
        let list = d.due_list();
        assert_eq!(ids(list.iter().copied(), |r| r.id()), ["b", "a", "c"]);
        let due: Vec<Due> = list.iter().map(|r| d.due_of(r)).collect();
        assert_eq!(due, [Due::Overdue(1), Due::Overdue(1), Due::Today]);
    }
}
