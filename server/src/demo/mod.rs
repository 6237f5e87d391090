//! The demo community that `cargo xtask run` seeds into an empty database: five grids of 幸福里
//! 社区 and 桃源村, about 2,000 households and 4,500 residents with a plausible share aged 65+
//! and with conditions, some visits, needs, supplies and deliveries. It is made through the same
//! change pipeline as any device's edits, from a fixed seed, so every run tells the same story.
//!
//! Every part draws from one generator in a fixed order: reordering the draws changes the story
//! (and the ids e2e tests and benchmarks find), so each part keeps the order it was written in.

mod accounts;
mod care;
mod community;
mod facilities;
mod households;
mod names;
mod overwrites;
mod residents;
mod rng;
mod seeder;
mod supplies;

pub use accounts::{account_lines, DemoAccount, ACCOUNTS};
pub use community::GRIDS;

use crate::storage::Storage;
use accounts::Staff;
use community::Grid;
use seeder::Seeder;
use supplies::Deliveries;

/// How much demo data to make: the full community for people, a small one for fast tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    Full,
    Small,
}

impl Size {
    fn households_per_grid(self) -> usize {
        match self {
            Size::Full => 400,
            Size::Small => 12,
        }
    }

    /// How many of each supply item the health station received three days ago.
    fn opening_stock(self) -> i64 {
        match self {
            Size::Full => 1200,
            Size::Small => 100,
        }
    }
}

/// Seeds the demo community and accounts. Call only on an empty database.
pub async fn seed(storage: &dyn Storage, size: Size) -> anyhow::Result<()> {
    let mut demo = Seeder::new(crate::now_ms())?;
    let grids = community::seed(&mut demo);
    let staff = accounts::seed(storage, &mut demo, &grids).await?;
    let pack = supplies::seed(&mut demo, size);
    facilities::seed(&mut demo);
    let mut deliveries = Deliveries::new(pack, staff.volunteers());
    let mut overwritten = None;
    for grid in &grids {
        let last = populate(&mut demo, grid, &staff, &mut deliveries, size);
        overwritten = overwritten.or(last);
    }
    facilities::seed_added(&mut demo);
    storage.apply_changes(demo.into_changes()).await?;
    if let Some(resident) = overwritten {
        overwrites::seed(storage, staff.admin(), staff.worker_of(0), &resident).await?;
    }
    Ok(())
}

/// One grid's households, their residents, and what happened to each resident. Returns, for
/// the first grid, the head of its last household: the resident whose phone the demo's office
/// and grid worker set two ways ([`overwrites`]).
fn populate(
    demo: &mut Seeder,
    grid: &Grid,
    staff: &Staff,
    deliveries: &mut Deliveries,
    size: Size,
) -> Option<String> {
    let worker = staff.worker_of(grid.index);
    let mut last_head = None;
    for h in 0..size.households_per_grid() {
        let home = households::seed(demo, grid, h, staff.responsible_for(grid.index, h));
        for m in 0..home.members {
            let person = residents::seed(demo, &home, m);
            if m == 0 && grid.index == 0 && h + 1 == size.households_per_grid() {
                last_head = Some(person.id.clone());
            }
            care::seed(demo, &home, &person, worker);
            deliveries.offer(demo, &home, &person);
        }
    }
    last_head
}
