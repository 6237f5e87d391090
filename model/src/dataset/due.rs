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
    /// Due a visit in person for their offline channel (线下渠道), though not by their tier: a call
    /// will not take them off the list.
    AtTheDoor,
}

impl<R: Row> Dataset<R> {
    /// The residents due today or earlier: red first, warning signs first among them, then the
    /// longest overdue; of those equally due, the freshest visit first (an alarm just raised is
    /// still unfolding), then by name.
    pub fn due_list(&self) -> Vec<&Resident<R>> {
        self.due_order.iter().map(|&i| &self.residents[i]).collect()
    }

    /// The order of [`Dataset::due_list`], worked out once when the dataset is built.
    pub(super) fn knocking_order(&self) -> Vec<usize> {
        let today = self.today;
        let mut due: Vec<usize> = (0..self.residents.len())
            .filter(|&i| {
                let r = &self.residents[i];
                r.is_active() && (r.has_warning() || r.overdue_days(today).is_some())
            })
            .collect();
        due.sort_by_cached_key(|&i| {
            let r = &self.residents[i];
            // A warning sign is followed up every day: among those with one, the freshest alarm
            // comes first, whatever their dates say.
            let overdue = if r.has_warning() {
                Some(0)
            } else {
                r.overdue_days(today)
            };
            (
                r.tier(),
                !r.has_warning(),
                std::cmp::Reverse(overdue),
                std::cmp::Reverse(r.last_visit_ms),
                r.name().to_owned(),
            )
        });
        due
    }

    /// How many on today's list are due today (or followed up daily) and how many are late: what
    /// a reminder says and the app's badge counts.
    pub fn due_counts(&self) -> (usize, usize) {
        let late = self
            .due_list()
            .iter()
            .filter(|r| r.overdue_days(self.today).is_some_and(|d| d > 0))
            .count();
        (self.due_order.len() - late, late)
    }

    /// Today's list narrowed to what a search for `query` finds: name, phone or the household's
    /// address, by characters or pinyin. The order stays the knocking order.
    pub fn find_due(&self, query: &str) -> Vec<&Resident<R>> {
        let query = super::Query::new(query);
        let mut due = self.due_list();
        if !query.is_empty() {
            due.retain(|r| r.matches(&query));
        }
        due
    }

    /// Who to knock on after `resident`: the row after theirs on today's list, or, when they
    /// are not on it (visited from their own page), its first row. Read before the visit is
    /// saved, since the saved visit moves them off the list or to its top.
    pub fn next_due_after(&self, resident: &str) -> Option<&Resident<R>> {
        let due = self.due_list();
        match due.iter().position(|r| r.id() == resident) {
            Some(i) => due.get(i + 1).copied(),
            None => due.first().copied(),
        }
    }

    /// What today's list says of a resident on it.
    pub fn due_of(&self, r: &Resident<R>) -> Due {
        match r.overdue_days(self.today) {
            None if r.has_warning() => Due::DailyFollowUp,
            _ if r.at_the_door && !r.has_warning() => Due::AtTheDoor,
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
    use crate::entities::{household, resident, visit};
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
        assert_eq!(
            d.due_counts(),
            (2, 2),
            "warned and never visited today; two late"
        );
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
    fn today_is_searched_by_name_phone_or_address_in_knocking_order() {
        let mut f = Fixture::new();
        let old = |h: &str| {
            vec![
                (resident::field::BIRTH_DATE, json!("1935-01-01")),
                (resident::field::HOUSEHOLD_ID, json!(h)),
            ]
        };
        f.household("h1", &[(household::field::ADDRESS, json!("和平村 3 号"))]);
        f.household(
            "h2",
            &[(household::field::ADDRESS, json!("幸福里 12 号楼"))],
        );
        let mut late = old("h1");
        late.push((resident::field::PHONE, json!("13800001111")));
        f.resident("late", &late);
        f.visit("late", 5, &[]);
        f.resident("soon", &old("h2"));
        f.visit("soon", 3, &[]);
        // Due by nothing: green, so never on Today whatever the search.
        f.resident("young", &[(resident::field::HOUSEHOLD_ID, json!("h2"))]);
        let d = f.build();
        let found = |q: &str| ids(d.find_due(q), |r| r.id());
        assert_eq!(found(""), ["late", "soon"]);
        assert_eq!(found("幸福里"), ["soon"], "by address");
        assert_eq!(found("0000111"), ["late"], "by phone");
        assert_eq!(found("soon"), ["soon"], "by name");
        assert_eq!(found("xfl"), ["soon"], "by the address's pinyin initials");
        assert!(found("北京").is_empty());
    }

    #[test]
    fn the_next_resident_is_the_row_after_the_one_visited() {
        let mut f = Fixture::new();
        let old = [(resident::field::BIRTH_DATE, json!("1935-01-01"))];
        for (id, days) in [("a", 6), ("b", 5), ("c", 4)] {
            f.resident(id, &old);
            f.visit(id, days, &[]);
        }
        f.resident("green", &[]);
        let d = f.build();
        let next = |id: &str| d.next_due_after(id).map(|r| r.id().to_owned());
        assert_eq!(next("a").as_deref(), Some("b"));
        assert_eq!(next("b").as_deref(), Some("c"));
        assert_eq!(next("c"), None, "the last row has no next");
        assert_eq!(
            next("green").as_deref(),
            Some("a"),
            "not on Today: its first row"
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

    #[test]
    fn the_freshest_alarm_leads_those_with_a_warning_even_if_another_is_due_by_date() {
        let mut f = Fixture::new();
        let warn = [(visit::field::WARN_BREATHING, json!(true))];
        // Red by age, a warning two days ago: due today by the red interval too.
        f.resident(
            "old_alarm",
            &[(resident::field::BIRTH_DATE, json!("1935-01-01"))],
        );
        f.visit("old_alarm", 2, &warn);
        // A warning raised today.
        f.resident("new_alarm", &[]);
        f.visit("new_alarm", 0, &warn);
        let d = f.build();
        assert_eq!(
            ids(d.due_list().iter().copied(), |r| r.id()),
            ["new_alarm", "old_alarm"]
        );
    }

    #[test]
    fn an_offline_channel_due_at_the_door_says_so_and_a_call_does_not_clear_it() {
        let mut f = Fixture::new();
        let no_phone = [(resident::field::TAG_NO_SMARTPHONE, json!(true))];
        f.resident("called", &no_phone);
        f.visit("called", 1, &[(visit::field::METHOD, json!("phone"))]);
        f.resident("knocked", &no_phone);
        f.visit("knocked", 1, &[]);
        // Yellow and due by the tier anyway: the tier's word wins.
        f.resident(
            "yellow",
            &[
                (resident::field::TAG_NO_SMARTPHONE, json!(true)),
                (resident::field::TAG_LIVING_ALONE, json!(true)),
            ],
        );
        let d = f.build();
        let due = |id: &str| d.resident(id).map(|r| d.due_of(r));
        assert_eq!(due("called"), Some(Due::AtTheDoor));
        assert!(d.due_list().iter().any(|r| r.id() == "called"));
        assert!(
            !d.due_list().iter().any(|r| r.id() == "knocked"),
            "met in person yesterday"
        );
        assert_eq!(due("yellow"), Some(Due::NeverVisited));
    }
}
