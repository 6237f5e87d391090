//! The places the demo's residents are sent to: the health station, vaccination points, the
//! hospital's green channel, a pharmacy and a test point.

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

pub(super) fn seed(demo: &mut Seeder) {
    for &(kind, name, address, phone) in FACILITIES {
        let id = demo.rng.uuid();
        demo.record(
            facility::NAME,
            &id,
            vec![
                (facility::field::KIND, json!(kind)),
                (facility::field::NAME, json!(name)),
                (facility::field::ADDRESS, json!(address)),
                (facility::field::PHONE, json!(phone)),
                (facility::field::HOURS, json!("08:00-17:00")),
            ],
        );
    }
}
