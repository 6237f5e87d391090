//! The needs board (急难愁盼): the open needs, emergencies first, then overdue, then by urgency
//! and age, filtered by kind and urgency.

use super::{Dataset, Row};
use crate::entities::need;
use crate::record::{Fields, Need};

/// What the board shows: `None` for any.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NeedFilter {
    pub kind: Option<String>,
    pub urgency: Option<String>,
}

impl NeedFilter {
    fn admits<R: Fields>(&self, n: Need<'_, R>) -> bool {
        self.kind.as_deref().is_none_or(|k| n.kind() == Some(k))
            && self
                .urgency
                .as_deref()
                .is_none_or(|u| n.urgency().unwrap_or(need::NORMAL) == u)
    }
}

/// Whole minutes since the need was raised.
pub fn waited_minutes<R: Fields + ?Sized>(n: &R, now_ms: i64) -> Option<i64> {
    Need(n).created_at().map(|c| ((now_ms - c) / 60_000).max(0))
}

impl<R: Row> Dataset<R> {
    /// The open needs `f` lets through, in the order to act on them at `now_ms`.
    pub fn needs_board(&self, f: &NeedFilter, now_ms: i64) -> Vec<&R> {
        let mut open: Vec<&R> = self
            .needs
            .iter()
            .filter(|n| Need(*n).is_open() && f.admits(Need(*n)))
            .collect();
        open.sort_by_key(|n| {
            let n = Need(*n);
            (
                !n.is_emergency(),
                !n.is_overdue(now_ms),
                need::urgency_rank(n.urgency()),
                n.created_at(),
            )
        });
        open
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;
    use crate::entities::need::field;
    use serde_json::json;

    #[test]
    fn emergencies_then_overdue_then_urgency_then_age() {
        let mut f = Fixture::new();
        let now = f.ms(0);
        let hour = 3_600_000;
        let raised = |kind: &str, urgency: &str, hours_ago: i64| {
            vec![
                (field::KIND, json!(kind)),
                (field::URGENCY, json!(urgency)),
                (field::STATUS, json!(need::OPEN)),
                (field::CREATED_AT, json!(now - hours_ago * hour)),
            ]
        };
        f.need("normal_fresh", "r", &raised("medicine", "normal", 1));
        f.need("normal_late", "r", &raised("medicine", "normal", 80));
        f.need("urgent_fresh", "r", &raised("referral", "urgent", 2));
        f.need("by_kind", "r", &raised("emergency", "normal", 0));
        f.need("by_urgency", "r", &raised("medicine", "emergency", 3));
        f.need("done", "r", &[(field::STATUS, json!(need::RESOLVED))]);
        f.need("unset", "r", &[(field::CREATED_AT, json!(now))]);
        let d = f.build();
        let board = |f: NeedFilter| ids(d.needs_board(&f, now), Rec::id);
        assert_eq!(
            board(NeedFilter::default()),
            [
                "by_urgency",
                "by_kind",
                "normal_late",
                "urgent_fresh",
                "normal_fresh",
                "unset"
            ]
        );
        let kind = NeedFilter {
            kind: Some("emergency".into()),
            urgency: None,
        };
        assert_eq!(board(kind), ["by_kind"]);
        let normal = NeedFilter {
            kind: None,
            urgency: Some(need::NORMAL.into()),
        };
        assert_eq!(
            board(normal),
            ["by_kind", "normal_late", "normal_fresh", "unset"],
            "no urgency reads as normal"
        );
    }

    #[test]
    fn minutes_waited_never_go_negative() {
        let n: crate::record::Values = [(field::CREATED_AT.to_owned(), json!(0))].into();
        assert_eq!(waited_minutes(&n, 90 * 60_000 + 59_999), Some(90));
        assert_eq!(
            waited_minutes(&n, -5),
            Some(0),
            "a clock behind the raiser's"
        );
        assert_eq!(waited_minutes(&crate::record::Values::new(), 1), None);
    }
}
