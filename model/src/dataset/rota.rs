//! The rest rota (issue 17, 轮休、补休): a day of a grid's rota as the supervisor writes it, the
//! days to show, and who covers which grid on a day — the one rule the server applies to let a
//! cover receive and write the covered grid for that day, and the app to say so on Today.

use std::collections::BTreeSet;

use serde_json::json;

use super::{Dataset, Row};
use crate::date::Date;
use crate::entities::duty::{self, field};
use crate::entities::need::FieldEdit;
use crate::record::{Duty, Fields};

/// The fields of a day of the rota: `worker` of `grid` on `date` is `kind` (on duty, rest,
/// make-up day off), covered by `cover` when they are off.
pub fn day(
    grid: &str,
    worker: &str,
    date: Date,
    kind: &str,
    cover: Option<&str>,
    note: &str,
) -> Vec<FieldEdit> {
    let mut fields = vec![
        (field::GRID_ID.to_owned(), json!(grid)),
        (field::WORKER_ID.to_owned(), json!(worker)),
        (field::DATE.to_owned(), json!(date.to_string())),
        (field::KIND.to_owned(), json!(kind)),
    ];
    if let Some(c) = cover.filter(|c| !c.is_empty() && duty::is_day_off(Some(kind))) {
        fields.push((field::COVER_ID.to_owned(), json!(c)));
    }
    let note = note.trim();
    if !note.is_empty() {
        fields.push((field::NOTE.to_owned(), json!(note)));
    }
    fields
}

/// The grids `user` covers on `today`: those of the live days off that name them as cover.
pub fn covered_grids<'a, R: Fields + ?Sized + 'a>(
    duties: impl IntoIterator<Item = &'a R>,
    user: &str,
    today: Date,
) -> BTreeSet<String> {
    duties
        .into_iter()
        .map(Duty)
        .filter(|d| !d.is_deleted() && d.cover_id() == Some(user) && d.date() == Some(today))
        .filter(|d| duty::is_day_off(d.kind()))
        .filter_map(|d| d.grid_id().map(str::to_owned))
        .collect()
}

impl<R: Row> Dataset<R> {
    /// The rota's days from `from` for `days` days, by date then grid.
    pub fn rota(&self, from: Date, days: i64) -> Vec<&R> {
        let until = from.add_days(days);
        let mut out: Vec<&R> = self
            .duties
            .iter()
            .filter(|d| Duty(*d).date().is_some_and(|x| x >= from && x < until))
            .collect();
        out.sort_by_key(|d| (Duty(*d).date(), Duty(*d).grid_id().map(str::to_owned)));
        out
    }

    /// The days off today that `user` covers: (grid, the worker who rests).
    pub fn covering_today(&self, user: &str) -> Vec<(String, String)> {
        self.duties
            .iter()
            .map(Duty)
            .filter(|d| d.cover_id() == Some(user) && d.date() == Some(self.today))
            .filter(|d| duty::is_day_off(d.kind()))
            .map(|d| {
                (
                    d.grid_id().unwrap_or_default().to_owned(),
                    d.worker_id().unwrap_or_default().to_owned(),
                )
            })
            .collect()
    }

    /// Whether `worker` has a day off on the rota in the seven days ending today.
    pub fn rested_this_week(&self, worker: &str) -> bool {
        let from = self.today.add_days(-6);
        self.duties.iter().map(Duty).any(|d| {
            d.worker_id() == Some(worker)
                && duty::is_day_off(d.kind())
                && d.date().is_some_and(|x| x >= from && x <= self.today)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn a_cover_holds_the_grid_on_the_day_off_only() {
        let mut f = Fixture::new();
        let today = f.today;
        let mut put = |id: &str, date: Date, kind: &str, cover: Option<&str>| {
            let edits = day("g1", "u-wang", date, kind, cover, "");
            crate::validate::assert_valid_edits(duty::NAME, &edits);
            f.add_edits(duty::NAME, id, &edits);
        };
        put("d1", today, duty::REST, Some("u-li"));
        put("d2", today.add_days(1), duty::MAKE_UP, Some("u-zhou"));
        // On duty: no cover, even if one is named.
        put("d3", today.add_days(2), duty::ON_DUTY, Some("u-li"));
        let d = f.build();
        assert_eq!(
            covered_grids(d.duties.iter(), "u-li", today),
            ["g1".to_owned()].into()
        );
        assert!(covered_grids(d.duties.iter(), "u-zhou", today).is_empty());
        assert!(covered_grids(d.duties.iter(), "u-li", today.add_days(2)).is_empty());
        assert_eq!(
            d.covering_today("u-li"),
            [("g1".to_owned(), "u-wang".to_owned())]
        );
        assert_eq!(d.rota(today, 7).len(), 3);
        assert!(d.rested_this_week("u-wang"));
        assert!(!d.rested_this_week("u-li"));
    }
}
