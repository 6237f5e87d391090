//! The places the demo's residents are sent to: the health station, vaccination points, the
//! hospital's green channel, a pharmacy and a test point, each placed on the map; and, seeded
//! last, the community's own hotlines and its elderly-care home (issue 16).

use model::entities::facility;
use serde_json::json;

use super::seeder::Seeder;

/// Kind, name, address and phone of each facility.
const FACILITIES: &[(&str, &str, &str, &str)] = &[
    (
        "health_station",
        "幸福里社区卫生服务站",
        "幸福里 8 号",
        "010-64001234",
    ),
    (
        "vaccination_point",
        "东城街道疫苗接种点",
        "东城街道文化中心一层",
        "010-64005678",
    ),
    (
        "mobile_vaccination",
        "流动疫苗接种车",
        "每周二、四在桃源村村委会",
        "010-64009012",
    ),
    (
        "green_channel",
        "东城医院绿色通道",
        "东城医院急诊楼",
        "010-64003120",
    ),
    (
        "pharmacy",
        "同仁堂药店（幸福里店）",
        "幸福里商业街 12 号",
        "010-64007788",
    ),
    ("hospital", "东城医院", "东城大街 100 号", "010-64003000"),
    (
        "test_point",
        "便民核酸抗原检测点",
        "幸福里北门",
        "010-64006655",
    ),
];

/// Kind, name, address, phone and hours of what issue 16 added, seeded after everything else so
/// that the rest of the demo stays as it was.
const ADDED: &[(&str, &str, &str, &str, &str)] = &[
    (
        "hotline",
        "幸福里社区服务热线",
        "幸福里社区居委会",
        "010-64002345",
        "24 小时",
    ),
    (
        "hotline",
        "同仁堂药房直通热线",
        "同仁堂药店（幸福里店）",
        "010-64007799",
        "08:00-22:00",
    ),
    (
        "elderly_care",
        "幸福里社区养老服务驿站",
        "幸福里 15 号楼底商",
        "010-64004567",
        "08:00-20:00",
    ),
];

/// Where the i-th facility is: spread over the demo's grids (39.90–39.92 N, 116.40–116.43 E).
fn position(i: usize) -> (f64, f64) {
    (
        39.902 + 0.0027 * (i % 7) as f64,
        116.403 + 0.0041 * (i % 5) as f64,
    )
}

pub(super) fn seed(demo: &mut Seeder) {
    for (i, &(kind, name, address, phone)) in FACILITIES.iter().enumerate() {
        let id = demo.rng.uuid();
        let (lat, lng) = position(i);
        demo.record(
            facility::NAME,
            &id,
            vec![
                (facility::field::KIND, json!(kind)),
                (facility::field::NAME, json!(name)),
                (facility::field::ADDRESS, json!(address)),
                (facility::field::PHONE, json!(phone)),
                (facility::field::HOURS, json!("08:00-17:00")),
                (facility::field::LAT, json!(lat)),
                (facility::field::LNG, json!(lng)),
            ],
        );
    }
}

/// The facilities of [`ADDED`], with ids of their own rather than drawn from the demo's random
/// sequence (a draw would change everything seeded after it).
pub(super) fn seed_added(demo: &mut Seeder) {
    for (i, &(kind, name, address, phone, hours)) in ADDED.iter().enumerate() {
        let id = format!("demo-facility-{}", i + 1);
        let mut fields = vec![
            (facility::field::KIND, json!(kind)),
            (facility::field::NAME, json!(name)),
            (facility::field::ADDRESS, json!(address)),
            (facility::field::PHONE, json!(phone)),
            (facility::field::HOURS, json!(hours)),
        ];
        if kind != facility::HOTLINE {
            let (lat, lng) = position(FACILITIES.len() + i);
            fields.push((facility::field::LAT, json!(lat)));
            fields.push((facility::field::LNG, json!(lng)));
        }
        demo.record(facility::NAME, &id, fields);
    }
}
