//! Every figure `cargo xtask bench sync` measured, printed against the budgets of
//! docs/budgets.md.

use super::api::{Pulled, PULL_LIMIT};
use super::options::{Options, Scenario};
use super::storm::{Storm, DEVICE_CHANGES, PASSWORD_CHECKS};
use super::BATCH;

pub struct Report {
    /// "SQLite", or "PostgreSQL <version>".
    pub database: String,
    pub instances: usize,
    /// Changes of one push round, and the seconds of each round.
    pub push_changes: usize,
    pub push_secs: Vec<f64>,
    pub push_batch_p50_ms: f64,
    pub push_batch_max_ms: f64,
    pub baseline_secs: Vec<f64>,
    /// SQLite: the rows the server held before the push, copied into a plain table first, and
    /// the seconds of the same rows inserted after them in each round.
    pub prefilled: Option<(usize, Vec<f64>)>,
    pub pull_changes: usize,
    pub pull_pages: usize,
    pub pull_secs: Vec<f64>,
    /// The full pull of each demo grid worker, through the grid-filtered path: user, changes, s.
    pub worker_pulls: Vec<(String, usize, f64)>,
    /// One grid worker's whole pull asked for with each Accept-Encoding: user, and each
    /// encoding with what it got.
    pub pull_bytes: (String, Vec<(&'static str, Pulled)>),
    /// The supervisor's dashboard of every demo grid: the first answer after writes, then the
    /// answers that reuse its read of the records (ms).
    pub dashboard_cold_ms: f64,
    pub dashboard_warm_ms: Vec<f64>,
    /// The grid workers the devices logged in as.
    pub workers: usize,
    pub storm: Storm,
}

/// The nearest-rank percentile of sorted values.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(f64::total_cmp);
    v
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "meets"
    } else {
        "MISSES"
    }
}

fn cores() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

impl Report {
    pub fn print(&self, opts: &Options) {
        let postgres = self.database.starts_with("PostgreSQL");
        let rates =
            |secs: &[f64]| sorted(secs.iter().map(|s| self.push_changes as f64 / s).collect());
        let listed = |secs: &[f64]| -> String {
            secs.iter()
                .map(|s| format!("{:.0}", self.push_changes as f64 / s))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let push_rate = percentile(&rates(&self.push_secs), 0.5);
        let base_rate = percentile(&rates(&self.baseline_secs), 0.5);
        let ratio = push_rate / base_rate;
        let pull_secs = percentile(&sorted(self.pull_secs.clone()), 0.5);
        let pull_rate = self.pull_changes as f64 / pull_secs;
        let storm = &self.storm;
        let times = sorted(storm.runs.iter().map(|d| d.secs * 1e3).collect());
        let (p50, p99, max) = (
            percentile(&times, 0.50),
            percentile(&times, 0.99),
            times.last().copied().unwrap_or(0.0),
        );
        let pushes = sorted(storm.runs.iter().map(|d| d.push_secs * 1e3).collect());
        let pulled: usize = storm.runs.iter().map(|d| d.pulled).sum();
        let pages: usize = storm.runs.iter().map(|d| d.pages).sum();
        let devices = storm.runs.len().max(1) as f64;
        let per_device = sorted(storm.runs.iter().map(|d| d.pulled as f64).collect());
        let expected: usize = storm.runs.iter().map(|d| d.expected).sum();
        let nothing_lost =
            storm.errors.is_empty() && storm.lost_on_server == 0 && storm.missed_by_devices == 0;

        println!();
        let servers = if self.instances == 1 {
            "one server process".to_owned()
        } else {
            format!(
                "{} server processes on one database, the devices given to them in turn by the load generator (a client-side balancer)",
                self.instances
            )
        };
        println!(
            "Knock sync benchmark (real server, release, {}, {servers}, loopback, {} cores)",
            self.database,
            cores()
        );
        println!();
        println!(
            "push      {} rounds of {} changes in batches of {BATCH}: median {:.0} changes/s (rounds: {}; batch p50 {:.1} ms, max {:.1} ms)",
            self.push_secs.len(), self.push_changes, push_rate, listed(&self.push_secs), self.push_batch_p50_ms, self.push_batch_max_ms
        );
        let (plain, how) = if postgres {
            ("PostgreSQL", "multi-row INSERTs of 1,000 rows")
        } else {
            ("SQLite", "1,000 rows a transaction")
        };
        println!(
            "baseline  the same rows into plain {plain} ({how}): median {base_rate:.0} changes/s (rounds: {})",
            listed(&self.baseline_secs)
        );
        if postgres {
            println!(
                "          push is {:.0} % of the baseline rate; budget >= 50 %: {} (and >= 100000 changes/s, the SQLite budget's floor: {})",
                ratio * 100.0,
                verdict(ratio >= 0.5),
                verdict(push_rate >= 100_000.0)
            );
        } else {
            println!(
                "          push is {:.0} % of the baseline rate; budget >= 100000 changes/s and >= 50 %: {}",
                ratio * 100.0,
                verdict(push_rate >= 100_000.0 && ratio >= 0.5)
            );
        }
        if let Some((rows, secs)) = &self.prefilled {
            let rate = percentile(&rates(secs), 0.5);
            println!(
                "          the same rows into a plain table already holding the server's {rows} rows (not the budget's measure): median {rate:.0} changes/s (rounds: {}); push is {:.0} % of it",
                listed(secs),
                push_rate / rate * 100.0
            );
        }
        println!(
            "pull      as admin, everything: {} changes in {} pages of <= {PULL_LIMIT}, median of {} runs ({}): {:.2} s, {:.0} changes/s; budget >= 200000: {}",
            self.pull_changes,
            self.pull_pages,
            self.pull_secs.len(),
            self.pull_secs.iter().map(|s| format!("{s:.2} s")).collect::<Vec<_>>().join(", "),
            pull_secs,
            pull_rate,
            verdict(pull_rate >= 200_000.0)
        );
        for (user, changes, secs) in &self.worker_pulls {
            let rate = *changes as f64 / secs;
            println!(
                "          as {user} (grid worker, the user's grids only): {changes} changes in {secs:.2} s, {rate:.0} changes/s; budget >= 200000: {}",
                verdict(rate >= 200_000.0)
            );
        }
        let (user, by_encoding) = &self.pull_bytes;
        if let Some((_, plain)) = by_encoding.first() {
            let each = by_encoding
                .iter()
                .map(|(encoding, p)| {
                    format!(
                        "{encoding} {} B ({:.1}x)",
                        p.sent_bytes,
                        plain.sent_bytes as f64 / p.sent_bytes.max(1) as f64
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            println!(
                "bytes     {user}'s first sync, {} changes in {} pages of <= {PULL_LIMIT}, the bodies as sent: {each}",
                plain.changes, plain.pages
            );
        }
        let warm = sorted(self.dashboard_warm_ms.clone());
        println!(
            "dashboard as zhaomin, every grid: first after writes {:.0} ms, then median {:.0} ms (no budget in docs/budgets.md)",
            self.dashboard_cold_ms,
            percentile(&warm, 0.5)
        );
        let who = match opts.scenario {
            Scenario::Morning => format!(
                "a morning: {} grids made by the bench, one grid worker each, the devices spread over {} of those workers",
                self.workers,
                self.workers.min(opts.devices)
            ),
            Scenario::Demo => format!(
                "the demo's {} grid workers, every device receiving what its user's devices pushed",
                self.workers
            ),
        };
        println!(
            "devices   {} logged in (argon2, {PASSWORD_CHECKS} at a time a server) in {:.1} s as {who}; then all at once pushed {DEVICE_CHANGES} changes each into their grids and pulled until done",
            opts.devices, storm.login_secs
        );
        println!(
            "          one device's sync: p50 {p50:.0} ms, p99 {p99:.0} ms, max {max:.0} ms; all done in {:.2} s; {} changes pulled in {} pages",
            storm.secs, pulled, pages
        );
        println!(
            "          of which the push: p50 {:.0} ms, p99 {:.0} ms",
            percentile(&pushes, 0.50),
            percentile(&pushes, 0.99),
        );
        println!(
            "          received by one device: min {:.0}, mean {:.0}, max {:.0} changes; its user's grids got {:.0} changes in the storm (mean over devices)",
            per_device.first().copied().unwrap_or(0.0),
            pulled as f64 / devices,
            per_device.last().copied().unwrap_or(0.0),
            expected as f64 / devices
        );
        let cpu = |c: Option<f64>| c.map_or("?".to_owned(), |c| format!("{c:.2}"));
        let database = if postgres {
            format!(", PostgreSQL {} s", cpu(storm.cpu.database))
        } else {
            String::new()
        };
        println!(
            "          CPU while syncing: server {} s{database}, load generator {} s (of {:.2} s x {} cores)",
            cpu(storm.cpu.servers),
            cpu(storm.cpu.bench),
            storm.secs,
            cores()
        );
        println!(
            "          failed devices {}, pushed values missing on the server {}, changes of their grids missed by devices {}: {}",
            storm.errors.len(),
            storm.lost_on_server,
            storm.missed_by_devices,
            if nothing_lost { "nothing lost" } else { "LOST DATA" }
        );
        if opts.devices >= 500 {
            println!(
                "          budget (500 devices) p99 <= 500 ms, nothing lost: {}",
                verdict(p99 <= 500.0 && nothing_lost)
            );
        }
        for e in storm.errors.iter().take(10) {
            println!("          error: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 0.5), 50.0);
        assert_eq!(percentile(&v, 0.99), 99.0);
        assert_eq!(percentile(&[7.0], 0.99), 7.0);
        assert_eq!(percentile(&[], 0.5), 0.0);
    }
}
