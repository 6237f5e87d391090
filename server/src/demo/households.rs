//! The demo's households: where each lives (building, unit and room in 幸福里, village group and
//! number in 桃源村), its head, phone and position, and how many live there.

use model::entities::household;
use serde_json::{json, Value};

use super::community::Grid;
use super::names::{self, SURNAMES};
use super::seeder::Seeder;

/// Household sizes to draw from: about 2.25 people a household, so some 4,500 residents in
/// 2,000 households.
const MEMBERS: &[usize] = &[1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 4, 5];

/// A written household, as its residents need it.
pub(super) struct Home<'a> {
    pub id: String,
    pub grid: &'a Grid,
    pub members: usize,
    /// The head's surname, which most of the household shares.
    pub surname: &'static str,
}

/// Writes the `h`-th household of `grid`, with the user who answers for it.
pub(super) fn seed<'a>(
    demo: &mut Seeder,
    grid: &'a Grid,
    h: usize,
    responsible: Option<&str>,
) -> Home<'a> {
    let id = demo.rng.uuid();
    let surname = *demo.rng.pick(SURNAMES);
    let mut fields = vec![(household::field::GRID_ID, json!(grid.id))];
    if let Some(user) = responsible {
        fields.push((household::field::RESPONSIBLE_ID, json!(user)));
    }
    fields.extend(address(grid, h));
    let members = *demo.rng.pick(MEMBERS);
    let female = !demo.rng.chance(50.0);
    let head = format!("{surname}{}", names::given(&mut demo.rng, female));
    fields.push((household::field::HEAD_NAME, json!(head)));
    fields.push((household::field::PHONE, json!(demo.rng.phone())));
    let (lat, lng) = grid.point(demo.rng.below(100), demo.rng.below(100));
    fields.push((household::field::LAT, json!(lat)));
    fields.push((household::field::LNG, json!(lng)));
    demo.record(household::NAME, &id, fields);
    Home {
        id,
        grid,
        members,
        surname,
    }
}

fn address(grid: &Grid, h: usize) -> Vec<(&'static str, Value)> {
    if grid.rural() {
        village_address(h)
    } else {
        flat_address(grid.index, h)
    }
}

/// Eight village groups, numbered houses in each.
fn village_address(h: usize) -> Vec<(&'static str, Value)> {
    let group = 1 + h % 8;
    vec![
        (household::field::VILLAGE, json!("桃源村")),
        (
            household::field::VILLAGE_GROUP,
            json!(format!("{group} 组")),
        ),
        (
            household::field::ADDRESS,
            json!(format!("桃源村 {group} 组 {} 号", 1 + h / 8)),
        ),
    ]
}

/// Twenty households a building, twenty buildings a grid: two units of five floors of two flats.
fn flat_address(grid: usize, h: usize) -> Vec<(&'static str, Value)> {
    let building = 1 + (grid * 20) + h / 20;
    let unit = 1 + (h / 10) % 2;
    let room = format!("{}0{}", 1 + (h % 10) / 2, 1 + h % 2);
    vec![
        (
            household::field::BUILDING,
            json!(format!("{building} 号楼")),
        ),
        (household::field::UNIT, json!(format!("{unit} 单元"))),
        (household::field::ROOM, json!(room)),
        (
            household::field::ADDRESS,
            json!(format!("幸福里小区 {building} 号楼 {unit} 单元 {room}")),
        ),
    ]
}
