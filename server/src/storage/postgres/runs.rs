//! Where each grid's rows lie in the server order on PostgreSQL, so that a grid worker's pull
//! finds them without an index entry per row. `grid_runs` keeps, for each stretch of rows of one
//! grid that a write sent one after another, the grid, the stretch's first and last seq and how
//! many rows it wrote. One push of a thousand fields of a grid adds one run where an index of
//! `(grid_id, seq)` took a thousand entries at the end of that grid's part of the index, the
//! costliest write of a push after the table itself (issue 13, BENCHMARKS.md).
//!
//! What a pull relies on:
//! - every row filed under a grid lies within a run of that grid;
//! - runs of all grids are disjoint: a run holds rows of one grid only (and maybe rows of no
//!   grid, which pulls read by `fields_without_grid`), because a write numbers its rows after
//!   everything committed and under the write lock (`mod.rs`), and a run is cut wherever a row
//!   of another grid comes between;
//! - a row that moves (a newer value, or a record refiled to another grid) takes a new seq in a
//!   new run and is counted off its old run, which is deleted once it holds no row: there are
//!   never more runs than rows, however often a grid's records are edited. A pull that meets a
//!   run whose rows moved after it read the run's count comes back short and takes another turn.

use postgres::types::ToSql;
use postgres::GenericClient;

use super::fields::{query_rows, COLS, MAX_GRID_ARMS};
use super::pool::Conn;
use crate::storage::{FieldRow, Result};

/// Stores runs, as the array parameters of one statement.
pub(super) const INSERT: &str = "INSERT INTO grid_runs (grid_id, first_seq, last_seq, n) \
     SELECT * FROM unnest($1::text[], $2::int8[], $3::int8[], $4::int8[])";

/// A write's new runs, and what its rows' moves took from the runs they left, as one statement
/// (one round trip under the write lock): each row that left the table's order at seq `s` of
/// grid `g` is counted off the run of `g` that holds `s`, and a run left with no row is
/// deleted, so that `grid_runs` never holds more runs than there are rows of grids. The new
/// runs are not seen by the rest of the statement, and a row never leaves a run of its own send.
pub(super) const UPDATE: &str =
    "WITH new AS (INSERT INTO grid_runs (grid_id, first_seq, last_seq, n) \
         SELECT * FROM unnest($1::text[], $2::int8[], $3::int8[], $4::int8[])), \
     hit AS (SELECT r.grid_id, r.last_seq, COUNT(*) AS k \
         FROM unnest($5::text[], $6::int8[]) AS m(g, s) \
         CROSS JOIN LATERAL (SELECT grid_id, first_seq, last_seq FROM grid_runs \
             WHERE grid_id = m.g AND last_seq >= m.s ORDER BY last_seq LIMIT 1) AS r \
         WHERE r.first_seq <= m.s GROUP BY r.grid_id, r.last_seq), \
     gone AS (DELETE FROM grid_runs AS d USING hit \
         WHERE d.grid_id = hit.grid_id AND d.last_seq = hit.last_seq AND d.n <= hit.k) \
     UPDATE grid_runs AS u SET n = u.n - hit.k FROM hit \
     WHERE u.grid_id = hit.grid_id AND u.last_seq = hit.last_seq AND u.n > hit.k";

/// Where rows of grids lay in the table before a write moved them (a newer value, a record
/// refiled): their grid and seq.
#[derive(Debug, Default)]
pub(super) struct Left {
    grids: Vec<String>,
    seqs: Vec<i64>,
}

impl Left {
    pub(super) fn push(&mut self, grid: String, seq: i64) {
        self.grids.push(grid);
        self.seqs.push(seq);
    }

    pub(super) fn len(&self) -> usize {
        self.seqs.len()
    }

    pub(super) fn truncate(&mut self, len: usize) {
        self.grids.truncate(len);
        self.seqs.truncate(len);
    }
}

/// Runs one read of a pull takes at most: a page of 5,000 rows of a grid a few pushes wrote
/// needs a handful; a first sync of a grid written by thousands of pushes reads them in turns.
#[cfg(not(test))]
pub(super) const RUNS_PER_READ: usize = 1_000;
/// In tests, a few: their pulls then take several turns without writing thousands of runs.
#[cfg(test)]
pub(super) const RUNS_PER_READ: usize = 16;

/// Stretches of rows of one grid, as `grid_runs` keeps them.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Runs {
    grids: Vec<String>,
    first: Vec<i64>,
    last: Vec<i64>,
    n: Vec<i64>,
}

impl Runs {
    /// The runs of rows given in seq order, by their seq and grid. Rows of no grid do not cut a
    /// run: pulls never look for them within runs.
    pub(super) fn of<'a>(rows: impl IntoIterator<Item = (i64, Option<&'a str>)>) -> Runs {
        let mut runs = Runs::default();
        for (seq, grid) in rows {
            let Some(grid) = grid else { continue };
            match runs.grids.last() {
                Some(g) if g == grid => {
                    let i = runs.grids.len() - 1;
                    runs.last[i] = seq;
                    runs.n[i] += 1;
                }
                _ => {
                    runs.grids.push(grid.to_owned());
                    runs.first.push(seq);
                    runs.last.push(seq);
                    runs.n.push(1);
                }
            }
        }
        runs
    }

    pub(super) fn len(&self) -> usize {
        self.grids.len()
    }

    /// Stores these runs and counts `left` off the runs those rows lay in, with `update` (the
    /// statement [`UPDATE`], prepared).
    pub(super) fn update(
        &self,
        c: &mut impl GenericClient,
        update: &postgres::Statement,
        left: &Left,
    ) -> Result<()> {
        if !self.grids.is_empty() || !left.grids.is_empty() {
            c.execute(
                update,
                &[
                    &self.grids,
                    &self.first,
                    &self.last,
                    &self.n,
                    &left.grids,
                    &left.seqs,
                ],
            )?;
        }
        Ok(())
    }

    /// Stores these runs with `insert` (the statement [`INSERT`], prepared or as text).
    pub(super) fn store<S>(&self, c: &mut impl GenericClient, insert: &S) -> Result<()>
    where
        S: postgres::ToStatement + ?Sized,
    {
        if !self.grids.is_empty() {
            c.execute(insert, &[&self.grids, &self.first, &self.last, &self.n])?;
        }
        Ok(())
    }
}

/// Up to `limit` rows with `seq > after`, in seq order, of `grids` and of no grid; fewer only
/// when there are no more. Each turn reads the next runs of the user's grids (one walk of
/// `grid_runs` per grid, merged, as fields.rs once walked an index of every row) together with
/// the largest seq, then the rows of as many of those runs as the page needs and the rows of no
/// grid up to where they end. Rows the page serves come from a state where every row up to that
/// point was written: a run not read yet lies wholly after the runs read (they are disjoint),
/// and anything written since the first read has a larger seq than the largest read with it.
pub(super) fn rows_after(
    c: &mut Conn,
    mut after: i64,
    limit: usize,
    mut grids: Vec<String>,
) -> Result<Vec<FieldRow>> {
    grids.sort();
    grids.dedup();
    let mut out: Vec<FieldRow> = Vec::new();
    while out.len() < limit {
        let wanted = limit - out.len();
        let (top, runs) = read_runs(c, after, &grids)?;
        // As many runs as hold `wanted` rows by their count (rows that moved since the count was
        // read make the turn come back short; the next goes on from where it stopped).
        let mut take = 0;
        let mut counted = 0;
        while take < runs.len() && counted < wanted as i64 {
            counted += runs.n[take];
            take += 1;
        }
        // Where this turn's rows end: every row of the grids up to there lies in the runs taken.
        let upto = match take < runs.len() || runs.len() == RUNS_PER_READ {
            true => runs.last[take - 1],
            false => top,
        };
        // The LIMIT inside the LATERAL keeps it a walk of the seq index within each run: without
        // it PostgreSQL joins the runs to a scan of the whole table (70 ms where this takes 1).
        let firsts: Vec<i64> = runs.first[..take]
            .iter()
            .map(|f| (*f).max(after + 1))
            .collect();
        let wanted_i64 = wanted as i64;
        let rows = query_rows(
            c,
            &rows_sql(),
            &[
                &&runs.grids[..take],
                &firsts,
                &&runs.last[..take],
                &after,
                &upto,
                &wanted_i64,
            ],
        )?;
        out.extend(rows);
        if upto >= top {
            break;
        }
        after = upto;
    }
    Ok(out)
}

/// The rows of runs (`$1` grids, `$2` first and `$3` last seqs) and of no grid after `$4` up to
/// `$5`, at most `$6`, in seq order.
pub(super) fn rows_sql() -> String {
    format!(
        "SELECT f.entity, f.id, f.field, f.value, f.hlc, f.seq, f.grid_id \
         FROM unnest($1::text[], $2::int8[], $3::int8[]) AS r(g, lo, hi) \
         CROSS JOIN LATERAL (SELECT {COLS} FROM fields \
             WHERE seq >= r.lo AND seq <= r.hi AND grid_id = r.g ORDER BY seq LIMIT $6) AS f \
         UNION ALL (SELECT {COLS} FROM fields WHERE grid_id IS NULL AND seq > $4 AND seq <= $5 \
             ORDER BY seq LIMIT $6) \
         ORDER BY seq LIMIT $6"
    )
}

/// The largest seq, and the next runs of `grids` that hold rows after `after` (up to
/// [`RUNS_PER_READ`]), in seq order, both of one snapshot.
fn read_runs(c: &mut Conn, after: i64, grids: &[String]) -> Result<(i64, Runs)> {
    let per_read = RUNS_PER_READ as i64;
    let runs = match grids.len() {
        0 => {
            "SELECT NULL::text AS grid_id, 0::int8 AS first_seq, 0::int8 AS last_seq, 0::int8 AS n \
              WHERE false"
                .to_owned()
        }
        // One walk of the primary key per grid, each at most a read, merged in seq order.
        n if n < MAX_GRID_ARMS => {
            let arms: Vec<String> = (0..n)
                .map(|i| {
                    format!(
                        "(SELECT grid_id, first_seq, last_seq, n FROM grid_runs \
                         WHERE grid_id = ${} AND last_seq > $1 ORDER BY last_seq LIMIT $2)",
                        i + 3
                    )
                })
                .collect();
            match n {
                1 => arms[0].clone(),
                _ => arms.join(" UNION ALL ") + " ORDER BY last_seq LIMIT $2",
            }
        }
        _ => "SELECT grid_id, first_seq, last_seq, n FROM grid_runs \
              WHERE grid_id = ANY($3) AND last_seq > $1 ORDER BY last_seq LIMIT $2"
            .to_owned(),
    };
    let sql = format!(
        "WITH r AS ({runs}) SELECT (SELECT COALESCE(MAX(seq), 0) FROM fields), \
         array_agg(grid_id ORDER BY last_seq), array_agg(first_seq ORDER BY last_seq), \
         array_agg(last_seq ORDER BY last_seq), array_agg(n ORDER BY last_seq) FROM r"
    );
    let mut args: Vec<&(dyn ToSql + Sync)> = vec![&after, &per_read];
    let as_array = [grids.to_vec()];
    match grids.len() {
        0 => args.clear(),
        n if n < MAX_GRID_ARMS => args.extend(grids.iter().map(|g| g as &(dyn ToSql + Sync))),
        _ => args.push(&as_array[0]),
    }
    let st = c.prepared(&sql)?;
    let row = c.client.query_one(&st, &args)?;
    let runs = Runs {
        grids: row.get::<_, Option<Vec<String>>>(1).unwrap_or_default(),
        first: row.get::<_, Option<Vec<i64>>>(2).unwrap_or_default(),
        last: row.get::<_, Option<Vec<i64>>>(3).unwrap_or_default(),
        n: row.get::<_, Option<Vec<i64>>>(4).unwrap_or_default(),
    };
    Ok((row.get(0), runs))
}

#[cfg(test)]
mod tests {
    use super::Runs;

    #[test]
    fn a_run_is_cut_by_another_grid_and_not_by_rows_of_no_grid() {
        let runs = Runs::of([
            (3, Some("a")),
            (4, None),
            (5, Some("a")),
            (6, Some("b")),
            (9, Some("a")),
            (10, Some("a")),
        ]);
        assert_eq!(runs.grids, ["a", "b", "a"]);
        assert_eq!(runs.first, [3, 6, 9]);
        assert_eq!(runs.last, [5, 6, 10]);
        assert_eq!(runs.n, [2, 1, 2]);
        assert_eq!(Runs::of([(1, None)]).len(), 0);
    }
}
