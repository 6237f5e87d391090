//! The register of weddings, funerals and other gatherings (红白理事会, issue 17): the upcoming
//! ones first, soonest first, then the past ones, latest first; and those coming within
//! [`SOON_DAYS`], for the overview.

use super::{Dataset, Row};
use crate::record::Gathering;

/// How far ahead the overview looks.
pub const SOON_DAYS: i64 = 14;

impl<R: Row> Dataset<R> {
    /// Every gathering of `grid` (any when `None`): upcoming (today or later, soonest first), then
    /// past (latest first), then those with no date.
    pub fn gathering_register(&self, grid: Option<&str>) -> Vec<&R> {
        let today = self.today;
        let mut out: Vec<&R> = self
            .gatherings
            .iter()
            .filter(|g| grid.is_none_or(|x| Gathering(*g).grid_id() == Some(x)))
            .collect();
        out.sort_by_key(|g| match Gathering(*g).date() {
            Some(d) if d >= today => (0, d.days_since_epoch()),
            Some(d) => (1, -d.days_since_epoch()),
            None => (2, 0),
        });
        out
    }

    /// Gatherings from today to [`SOON_DAYS`] ahead, soonest first.
    pub fn gatherings_soon(&self) -> Vec<&R> {
        let end = self.today.add_days(SOON_DAYS);
        self.gathering_register(None)
            .into_iter()
            .filter(|g| {
                Gathering(*g)
                    .date()
                    .is_some_and(|d| d >= self.today && d <= end)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;
    use crate::entities::gathering::{self, field};
    use serde_json::json;

    #[test]
    fn upcoming_soonest_first_then_past_latest_first() {
        let mut f = Fixture::new();
        let at = |grid: &str, days_ahead: i64, f: &Fixture| {
            vec![
                (field::GRID_ID, json!(grid)),
                (field::DATE, json!(f.day(-days_ahead).to_string())),
            ]
        };
        for (id, grid, ahead) in [
            ("later", "g1", 20),
            ("soon", "g1", 3),
            ("past", "g1", -5),
            ("older", "g1", -30),
            ("other", "g2", 1),
        ] {
            let pairs = at(grid, ahead, &f);
            f.add(gathering::NAME, id, &pairs);
        }
        f.add(gathering::NAME, "undated", &[(field::GRID_ID, json!("g1"))]);
        let d = f.build();
        let ids = |v: Vec<&Rec>| v.iter().map(|g| g.id().to_owned()).collect::<Vec<_>>();
        assert_eq!(
            ids(d.gathering_register(Some("g1"))),
            ["soon", "later", "past", "older", "undated"]
        );
        assert_eq!(
            ids(d.gatherings_soon()),
            ["other", "soon"],
            "within two weeks, any grid"
        );
    }
}
