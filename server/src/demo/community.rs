//! The demo's grids: their names and where they lie. The grids tile a street block by block,
//! three to a row, each about 1 km square; a grid's households lie inside its rectangle, which
//! is its boundary on the supervisor's map.

use model::entities::grid;
use serde_json::json;

use super::seeder::Seeder;

/// Grid names; the last is a village grid addressed by village and group, not building and room.
pub const GRIDS: &[&str] = &[
    "幸福里第一网格",
    "幸福里第二网格",
    "幸福里第三网格",
    "幸福里第四网格",
    "桃源村网格",
];

/// Degrees of latitude and longitude of one demo grid: about 1 km each way in Beijing.
const GRID_LAT: f64 = 0.009;
const GRID_LNG: f64 = 0.012;

/// One seeded grid: its place in [`GRIDS`] and its record id.
pub(super) struct Grid {
    pub index: usize,
    pub id: String,
}

impl Grid {
    pub fn rural(&self) -> bool {
        self.index == GRIDS.len() - 1
    }

    /// The south-west corner, three grids to a row.
    fn corner(&self) -> (f64, f64) {
        (
            39.90 + GRID_LAT * (self.index / 3) as f64,
            116.40 + GRID_LNG * (self.index % 3) as f64,
        )
    }

    /// A household's position: one of a 100 × 100 lattice of points inside the grid.
    pub fn point(&self, lat_step: u64, lng_step: u64) -> (f64, f64) {
        let (s, w) = self.corner();
        (
            s + 0.0005 + lat_step as f64 * GRID_LAT * 0.0089,
            w + 0.0005 + lng_step as f64 * GRID_LNG * 0.0091,
        )
    }

    /// The rectangle as a GeoJSON polygon, in the text form the `boundary` field holds.
    fn boundary(&self) -> String {
        let (s, w) = self.corner();
        let (n, e) = (s + GRID_LAT, w + GRID_LNG);
        json!({"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]})
            .to_string()
    }

    fn write(&self, demo: &mut Seeder) {
        let (s, w) = self.corner();
        let community = if self.rural() {
            "桃源村"
        } else {
            "幸福里社区"
        };
        demo.record(
            grid::NAME,
            &self.id,
            vec![
                (grid::field::NAME, json!(GRIDS[self.index])),
                (grid::field::COMMUNITY, json!(community)),
                (grid::field::STREET, json!("东城街道")),
                (grid::field::LAT, json!(s + GRID_LAT / 2.0)),
                (grid::field::LNG, json!(w + GRID_LNG / 2.0)),
                (grid::field::BOUNDARY, json!(self.boundary())),
            ],
        );
    }
}

/// Writes every grid; their ids are drawn first, all together.
pub(super) fn seed(demo: &mut Seeder) -> Vec<Grid> {
    let grids: Vec<Grid> = (0..GRIDS.len())
        .map(|index| Grid {
            index,
            id: demo.rng.uuid(),
        })
        .collect();
    for grid in &grids {
        grid.write(demo);
    }
    grids
}
