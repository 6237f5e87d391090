//! The demo community that `cargo xtask run` seeds into an empty database: five grids of 幸福里
//! 社区 and 桃源村, about 2,000 households and 4,500 residents with a plausible share aged 65+
//! and with conditions, some visits, needs, supplies and deliveries. It is made through the same
//! change pipeline as any device's edits, from a fixed seed, so every run tells the same story.

use model::hlc::Clock;
use model::wire::Change;
use model::Role;
use serde_json::{json, Value};

use crate::storage::{NewUser, Storage};

/// One demo account: role, user name, password, display name, indexes of its grids.
pub struct DemoAccount {
    pub role: Role,
    pub username: &'static str,
    pub password: &'static str,
    pub name: &'static str,
    pub grids: &'static [usize],
}

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

/// The south-west corner of demo grid `i`, three grids to a row.
fn grid_corner(i: usize) -> (f64, f64) {
    (
        39.90 + GRID_LAT * (i / 3) as f64,
        116.40 + GRID_LNG * (i % 3) as f64,
    )
}

pub const ACCOUNTS: &[DemoAccount] = &[
    DemoAccount {
        role: Role::Admin,
        username: "admin",
        password: "knock-admin",
        name: "系统管理员",
        grids: &[0, 1, 2, 3, 4],
    },
    DemoAccount {
        role: Role::Supervisor,
        username: "zhaomin",
        password: "knock-demo",
        name: "赵敏",
        grids: &[0, 1, 2, 3, 4],
    },
    DemoAccount {
        role: Role::GridWorker,
        username: "wangfang",
        password: "knock-demo",
        name: "王芳",
        grids: &[0, 1],
    },
    DemoAccount {
        role: Role::GridWorker,
        username: "liqiang",
        password: "knock-demo",
        name: "李强",
        grids: &[2, 3, 4],
    },
    DemoAccount {
        role: Role::Volunteer,
        username: "chenjing",
        password: "knock-demo",
        name: "陈静",
        grids: &[0, 1],
    },
    DemoAccount {
        role: Role::Volunteer,
        username: "liuyang",
        password: "knock-demo",
        name: "刘洋",
        grids: &[0, 1],
    },
];

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
}

/// A small deterministic generator (xorshift64*): the demo must not depend on a crate's
/// RNG algorithm staying the same.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, percent: f64) -> bool {
        (self.below(10_000) as f64) < percent * 100.0
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    fn uuid(&mut self) -> String {
        let (a, b) = (self.next(), self.next());
        // Version 4 / variant bits set so the ids look like any device's.
        let b = (b & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
        let a = (a & 0xffff_ffff_ffff_0fff) | 0x0000_0000_0000_4000;
        format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xffff,
            b >> 48,
            b & 0xffff_ffff_ffff
        )
    }
    fn phone(&mut self) -> String {
        format!(
            "1{}{:09}",
            self.pick(&[3, 5, 7, 8, 9]),
            self.below(1_000_000_000)
        )
    }
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "罗", "高",
];
const GIVEN_M: &[&str] = &[
    "伟", "强", "军", "建国", "志明", "海", "涛", "明", "永福", "国庆", "德华", "子轩", "浩然",
    "宇", "振华",
];
const GIVEN_F: &[&str] = &[
    "芳", "娜", "秀英", "敏", "静", "丽", "桂兰", "玉梅", "淑珍", "婷", "雨欣", "欣怡", "秀兰",
    "凤英", "晓燕",
];

/// Collects changes stamped by the server's own clock, in order.
struct Batch {
    clock: Clock,
    now: u64,
    changes: Vec<Change>,
}

impl Batch {
    fn set(&mut self, entity: &str, id: &str, field: &str, value: Value) {
        let hlc = self.clock.now(self.now).to_string();
        self.changes.push(Change {
            entity: entity.into(),
            id: id.into(),
            field: field.into(),
            value,
            hlc,
        });
    }
    fn record(&mut self, entity: &str, id: &str, fields: &[(&str, Value)]) {
        for (f, v) in fields {
            self.set(entity, id, f, v.clone());
        }
    }
}

/// Seeds the demo community and accounts. Call only on an empty database.
pub async fn seed(storage: &dyn Storage, size: Size) -> anyhow::Result<()> {
    let now_ms = crate::now_ms();
    let today =
        model::date::Date::from_unix_ms_offset(now_ms, model::date::CHINA_UTC_OFFSET_MINUTES);
    let mut rng = Rng(0x6b6e_6f63_6b21_2023);
    let mut b = Batch {
        clock: Clock::new("server").map_err(|e| anyhow::anyhow!("server clock: {e:?}"))?,
        now: now_ms as u64,
        changes: Vec::new(),
    };

    // The grids tile a street block by block, three to a row, each about 1 km square; a grid's
    // households lie inside its rectangle, which is its boundary on the supervisor's map.
    let boundary = |i: usize| {
        let (s, w) = grid_corner(i);
        let (n, e) = (s + GRID_LAT, w + GRID_LNG);
        json!({"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]})
            .to_string()
    };
    let grid_ids: Vec<String> = GRIDS.iter().map(|_| rng.uuid()).collect();
    for (i, (id, name)) in grid_ids.iter().zip(GRIDS).enumerate() {
        let rural = i == GRIDS.len() - 1;
        b.record(
            "grid",
            id,
            &[
                ("name", json!(name)),
                (
                    "community",
                    json!(if rural {
                        "桃源村"
                    } else {
                        "幸福里社区"
                    }),
                ),
                ("street", json!("东城街道")),
                ("lat", json!(grid_corner(i).0 + GRID_LAT / 2.0)),
                ("lng", json!(grid_corner(i).1 + GRID_LNG / 2.0)),
                ("boundary", json!(boundary(i))),
            ],
        );
    }

    let mut user_ids = Vec::new();
    for a in ACCOUNTS {
        let password_hash = crate::auth::hash_password(a.password)?;
        let user = storage
            .create_user(NewUser {
                username: a.username.into(),
                name: a.name.into(),
                role: a.role,
                grids: a.grids.iter().map(|&i| grid_ids[i].clone()).collect(),
                password_hash,
            })
            .await?;
        b.record(
            "user_profile",
            &user.id,
            &[("name", json!(a.name)), ("role", json!(a.role.as_str()))],
        );
        user_ids.push(user.id);
    }
    let worker_of = |grid: usize| if grid < 2 { &user_ids[2] } else { &user_ids[3] };
    let volunteers = [user_ids[4].clone(), user_ids[5].clone()];

    let items = [
        ("退烧药（布洛芬）", "盒", "medicine"),
        ("抗原检测试剂", "人份", "antigen_kit"),
        ("N95 口罩", "只", "mask"),
        ("指夹式血氧仪", "台", "oximeter"),
    ];
    let item_ids: Vec<String> = items.iter().map(|_| rng.uuid()).collect();
    for ((name, unit, kind), id) in items.iter().zip(&item_ids) {
        b.record(
            "supply_item",
            id,
            &[
                ("name", json!(name)),
                ("unit", json!(unit)),
                ("kind", json!(kind)),
                ("low_stock_threshold", json!(50)),
            ],
        );
        let mv = rng.uuid();
        b.record(
            "stock_move",
            &mv,
            &[
                ("item_id", json!(id)),
                ("site", json!("幸福里社区卫生服务站")),
                ("kind", json!("received")),
                (
                    "quantity",
                    json!(if size == Size::Full { 1200 } else { 100 }),
                ),
                ("at", json!(now_ms - 3 * 86_400_000)),
            ],
        );
    }

    // The winter batch of health packs: what one pack holds and where it is taken from.
    let station = "幸福里社区卫生服务站";
    let plan = "2026-冬季第一批";
    let pack = [(item_ids[0].clone(), 1), (item_ids[1].clone(), 5)];
    for (item, quantity) in &pack {
        let id = rng.uuid();
        b.record(
            "pack_plan_item",
            &id,
            &[
                ("plan_id", json!(plan)),
                ("item_id", json!(item)),
                ("quantity", json!(quantity)),
                ("site", json!(station)),
            ],
        );
    }

    let facilities = [
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
    for (kind, name, address, phone) in facilities {
        let id = rng.uuid();
        b.record(
            "facility",
            &id,
            &[
                ("kind", json!(kind)),
                ("name", json!(name)),
                ("address", json!(address)),
                ("phone", json!(phone)),
                ("hours", json!("08:00-17:00")),
            ],
        );
    }

    let mut deliveries = 0;
    for (g, grid) in grid_ids.iter().enumerate() {
        let rural = g == GRIDS.len() - 1;
        for h in 0..size.households_per_grid() {
            let hid = rng.uuid();
            let head_surname = *rng.pick(SURNAMES);
            let mut hh = vec![("grid_id", json!(grid))];
            if rural {
                let group = 1 + h % 8;
                hh.extend([
                    ("village", json!("桃源村")),
                    ("village_group", json!(format!("{group} 组"))),
                    (
                        "address",
                        json!(format!("桃源村 {group} 组 {} 号", 1 + h / 8)),
                    ),
                ]);
            } else {
                let building = 1 + (g * 20) + h / 20;
                let unit = 1 + (h / 10) % 2;
                let room = format!("{}0{}", 1 + (h % 10) / 2, 1 + h % 2);
                hh.extend([
                    ("building", json!(format!("{building} 号楼"))),
                    ("unit", json!(format!("{unit} 单元"))),
                    ("room", json!(room)),
                    (
                        "address",
                        json!(format!("幸福里小区 {building} 号楼 {unit} 单元 {room}")),
                    ),
                ]);
            }
            // About 2.25 people a household: some 4,500 residents in 2,000 households.
            let members = *rng.pick(&[1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 4, 5]);
            let head_given = if rng.chance(50.0) {
                *rng.pick(GIVEN_M)
            } else {
                *rng.pick(GIVEN_F)
            };
            hh.push(("head_name", json!(format!("{head_surname}{head_given}"))));
            hh.push(("phone", json!(rng.phone())));
            hh.push((
                "lat",
                json!(grid_corner(g).0 + 0.0005 + rng.below(100) as f64 * GRID_LAT * 0.0089),
            ));
            hh.push((
                "lng",
                json!(grid_corner(g).1 + 0.0005 + rng.below(100) as f64 * GRID_LNG * 0.0091),
            ));
            b.record("household", &hid, &hh);

            for m in 0..members {
                let rid = rng.uuid();
                let female = rng.chance(52.0);
                let age: i64 = match (m, members) {
                    (_, 1) => {
                        if rng.chance(60.0) {
                            65 + rng.below(30) as i64
                        } else {
                            30 + rng.below(35) as i64
                        }
                    }
                    (0 | 1, _) => {
                        if rng.chance(35.0) {
                            65 + rng.below(28) as i64
                        } else {
                            25 + rng.below(40) as i64
                        }
                    }
                    _ => rng.below(40) as i64,
                };
                let birth = today.add_days(-(age * 365 + rng.below(365) as i64));
                let given = if female {
                    *rng.pick(GIVEN_F)
                } else {
                    *rng.pick(GIVEN_M)
                };
                let surname = if m == 0 || !rng.chance(30.0) {
                    head_surname
                } else {
                    *rng.pick(SURNAMES)
                };
                let mut r = vec![
                    ("grid_id", json!(grid)),
                    ("household_id", json!(hid)),
                    ("name", json!(format!("{surname}{given}"))),
                    ("gender", json!(if female { "female" } else { "male" })),
                    ("birth_date", json!(birth.to_string())),
                    (
                        "relation_to_head",
                        json!(if m == 0 {
                            "本人"
                        } else {
                            *rng.pick(&["配偶", "子女", "父母", "孙子女"])
                        }),
                    ),
                ];
                if age >= 14 && rng.chance(80.0) {
                    r.push(("phone", json!(rng.phone())));
                }
                let old = age >= 65;
                let scale = if old { 1.0 } else { 0.2 };
                let mut any_condition = false;
                for (field, p) in [
                    ("cond_hypertension", 45.0),
                    ("cond_diabetes", 20.0),
                    ("cond_heart", 14.0),
                    ("cond_lung", 10.0),
                    ("cond_kidney", 5.0),
                    ("cond_cancer", 3.0),
                    ("cond_immunosuppressed", 2.0),
                ] {
                    if age >= 18 && rng.chance(p * scale) {
                        r.push((field, json!(true)));
                        any_condition = true;
                    }
                }
                if any_condition {
                    r.push(("tag_chronic", json!(true)));
                }
                if members == 1 && old {
                    r.push(("tag_living_alone", json!(true)));
                }
                if age < 18 {
                    r.push(("tag_minor", json!(true)));
                }
                if age < 3 {
                    r.push(("tag_child_under3", json!(true)));
                }
                if female && (22..40).contains(&age) && rng.chance(4.0) {
                    r.push(("tag_pregnant", json!(true)));
                }
                if rng.chance(2.0) {
                    r.push(("tag_disabled", json!(true)));
                }
                if rural && age < 16 && rng.chance(30.0) {
                    r.push(("tag_left_behind_child", json!(true)));
                }
                if age >= 3 {
                    let doses = if old && rng.chance(15.0) {
                        0
                    } else {
                        1 + rng.below(3)
                    };
                    r.push(("vacc_doses", json!(doses)));
                    if doses > 0 {
                        r.push((
                            "vacc_last_date",
                            json!(today.add_days(-(30 + rng.below(300) as i64)).to_string()),
                        ));
                    }
                    if old && doses == 0 && rng.chance(40.0) {
                        r.push(("vacc_contraindication", json!(true)));
                    }
                }
                b.record("resident", &rid, &r);

                if old && rng.chance(45.0) {
                    let vid = rng.uuid();
                    let severe = rng.chance(3.0);
                    // Severe cases were seen this morning; others in the last 12 days.
                    let days_ago = if severe { 0 } else { rng.below(12) as i64 };
                    let mut v = vec![
                        ("grid_id", json!(grid)),
                        ("resident_id", json!(rid)),
                        ("household_id", json!(hid)),
                        (
                            "visited_at",
                            json!(
                                now_ms
                                    - days_ago * 86_400_000
                                    - rng.below(if severe { 3_600_000 } else { 36_000_000 }) as i64
                            ),
                        ),
                        (
                            "method",
                            json!(rng.pick(&["in_person", "in_person", "phone", "wechat"])),
                        ),
                        (
                            "health_status",
                            json!(if severe { "moderate" } else { "normal" }),
                        ),
                        (
                            "temperature",
                            json!(if severe {
                                39.2
                            } else {
                                36.3 + rng.below(6) as f64 / 10.0
                            }),
                        ),
                        ("spo2", json!(if severe { 91 } else { 95 + rng.below(5) })),
                        (
                            "antigen",
                            json!(if severe { "positive" } else { "not_tested" }),
                        ),
                        ("worker_id", json!(worker_of(g))),
                    ];
                    if severe {
                        v.extend([
                            ("warn_low_spo2", json!(true)),
                            ("warn_high_fever", json!(true)),
                            ("symptom_fever", json!(true)),
                            ("symptom_cough", json!(true)),
                        ]);
                        let nid = rng.uuid();
                        b.record(
                            "need",
                            &nid,
                            &[
                                ("grid_id", json!(grid)),
                                ("resident_id", json!(rid)),
                                ("kind", json!("referral")),
                                ("urgency", json!("urgent")),
                                (
                                    "description",
                                    json!("血氧偏低、持续高热，需联系绿色通道转诊"),
                                ),
                                (
                                    "status",
                                    json!(if rng.chance(50.0) {
                                        "open"
                                    } else {
                                        "in_progress"
                                    }),
                                ),
                                ("created_at", json!(now_ms - days_ago * 86_400_000)),
                            ],
                        );
                    }
                    b.record("visit", &vid, &v);
                } else if old && rng.chance(6.0) {
                    let nid = rng.uuid();
                    let kind =
                        *rng.pick(&["medicine", "antigen_kits", "daily_living", "psychological"]);
                    let description = match kind {
                        "medicine" => "需要降压药和退烧药",
                        "antigen_kits" => "家中没有抗原试剂",
                        "daily_living" => "独居老人，需要代购生活用品",
                        _ => "近期情绪低落，希望有人聊聊",
                    };
                    let status = *rng.pick(&["open", "open", "in_progress", "resolved"]);
                    let mut n = vec![
                        ("grid_id", json!(grid)),
                        ("resident_id", json!(rid)),
                        ("kind", json!(kind)),
                        ("urgency", json!("normal")),
                        ("description", json!(description)),
                        ("status", json!(status)),
                        (
                            "created_at",
                            json!(now_ms - rng.below(5 * 86_400_000) as i64),
                        ),
                    ];
                    if status == "resolved" {
                        n.push(("resolution", json!("已上门送达")));
                        n.push(("resolved_at", json!(now_ms - rng.below(86_400_000) as i64)));
                    }
                    b.record("need", &nid, &n);
                }

                // Health packs for the oldest in the volunteer's grids, a few already delivered.
                if g < 2 && old && age >= 75 && deliveries < 60 {
                    deliveries += 1;
                    let did = rng.uuid();
                    let delivered = rng.chance(30.0);
                    let volunteer = &volunteers[deliveries % 2];
                    let mut d = vec![
                        ("grid_id", json!(grid)),
                        ("resident_id", json!(rid)),
                        ("household_id", json!(hid)),
                        ("volunteer_id", json!(volunteer)),
                        ("plan_id", json!(plan)),
                        ("contents", json!("布洛芬 1 盒、抗原试剂 5 人份")),
                        (
                            "status",
                            json!(if delivered { "delivered" } else { "pending" }),
                        ),
                    ];
                    if delivered {
                        let at = now_ms - rng.below(86_400_000) as i64;
                        d.push(("status_at", json!(at)));
                        for (item, quantity) in &pack {
                            let mv = rng.uuid();
                            b.record(
                                "stock_move",
                                &mv,
                                &[
                                    ("item_id", json!(item)),
                                    ("site", json!(station)),
                                    ("kind", json!("delivered")),
                                    ("quantity", json!(quantity)),
                                    ("at", json!(at)),
                                    ("delivery_id", json!(did)),
                                    ("worker_id", json!(volunteer)),
                                ],
                            );
                        }
                    }
                    b.record("pack_delivery", &did, &d);
                }
            }
        }
    }
    storage.apply_changes(b.changes).await?;
    Ok(())
}

/// The lines `cargo xtask run` prints, exactly `demo account: <role> <user name> <password>`.
pub fn account_lines() -> Vec<String> {
    ACCOUNTS
        .iter()
        .map(|a| {
            format!(
                "demo account: {} {} {}",
                a.role.as_str(),
                a.username,
                a.password
            )
        })
        .collect()
}
