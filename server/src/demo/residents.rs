//! The demo's residents: who lives in each household, how old, their conditions, key-group tags
//! and vaccination, drawn so that a plausible share are 65+ and have conditions.

use model::entities::resident::{self, field};
use serde_json::{json, Value};

use super::households::Home;
use super::names::{self, SURNAMES};
use super::rng::Rng;
use super::seeder::Seeder;

/// Each condition with the percentage of people 65+ who have it; younger adults have a fifth
/// of that.
const CONDITIONS: &[(&str, f64)] = &[
    (field::COND_HYPERTENSION, 45.0),
    (field::COND_DIABETES, 20.0),
    (field::COND_HEART, 14.0),
    (field::COND_LUNG, 10.0),
    (field::COND_KIDNEY, 5.0),
    (field::COND_CANCER, 3.0),
    (field::COND_IMMUNOSUPPRESSED, 2.0),
];

type Fields = Vec<(&'static str, Value)>;

/// A written resident, as visits, needs and deliveries need them.
pub(super) struct Person {
    pub id: String,
    pub age: i64,
}

impl Person {
    pub fn old(&self) -> bool {
        self.age >= 65
    }
}

/// Writes the `m`-th member of `home`; the first is its head.
pub(super) fn seed(demo: &mut Seeder, home: &Home, m: usize) -> Person {
    let id = demo.rng.uuid();
    let female = demo.rng.chance(52.0);
    let person = Person {
        id,
        age: age(&mut demo.rng, m, home.members),
    };
    let mut fields = identity(demo, home, m, female, person.age);
    if person.age >= 14 && demo.rng.chance(80.0) {
        fields.push((field::PHONE, json!(demo.rng.phone())));
    }
    let chronic = conditions(&mut demo.rng, &person, &mut fields);
    tags(&mut demo.rng, home, &person, female, chronic, &mut fields);
    if person.age >= 3 {
        vaccination(demo, &person, &mut fields);
    }
    demo.record(resident::NAME, &person.id, fields);
    person
}

/// Living alone, one is often old; in a larger household the first two are the adults.
fn age(rng: &mut Rng, m: usize, members: usize) -> i64 {
    match (m, members) {
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
    }
}

/// Household, name, gender, birth date and relation to the head.
fn identity(demo: &mut Seeder, home: &Home, m: usize, female: bool, age: i64) -> Fields {
    let birth = demo
        .today
        .add_days(-(age * 365 + demo.rng.below(365) as i64));
    let given = names::given(&mut demo.rng, female);
    // Some members took another surname: a spouse, a parent-in-law.
    let surname = if m == 0 || !demo.rng.chance(30.0) {
        home.surname
    } else {
        *demo.rng.pick(SURNAMES)
    };
    let relation = if m == 0 {
        "本人"
    } else {
        *demo.rng.pick(&["配偶", "子女", "父母", "孙子女"])
    };
    vec![
        (field::GRID_ID, json!(home.grid.id)),
        (field::HOUSEHOLD_ID, json!(home.id)),
        (field::NAME, json!(format!("{surname}{given}"))),
        (field::GENDER, json!(if female { "female" } else { "male" })),
        (field::BIRTH_DATE, json!(birth.to_string())),
        (field::RELATION_TO_HEAD, json!(relation)),
    ]
}

/// Adds the adult's conditions; whether there is any.
fn conditions(rng: &mut Rng, person: &Person, fields: &mut Fields) -> bool {
    let scale = if person.old() { 1.0 } else { 0.2 };
    let mut any = false;
    for &(condition, percent) in CONDITIONS {
        if person.age >= 18 && rng.chance(percent * scale) {
            fields.push((condition, json!(true)));
            any = true;
        }
    }
    any
}

/// Adds the key-group tags that apply.
fn tags(
    rng: &mut Rng,
    home: &Home,
    person: &Person,
    female: bool,
    chronic: bool,
    fields: &mut Fields,
) {
    let age = person.age;
    let mut tag = |field: &'static str, applies: bool| {
        if applies {
            fields.push((field, json!(true)));
        }
    };
    tag(field::TAG_CHRONIC, chronic);
    tag(field::TAG_LIVING_ALONE, home.members == 1 && person.old());
    tag(field::TAG_MINOR, age < 18);
    tag(field::TAG_CHILD_UNDER3, age < 3);
    tag(
        field::TAG_PREGNANT,
        female && (22..40).contains(&age) && rng.chance(4.0),
    );
    tag(field::TAG_DISABLED, rng.chance(2.0));
    tag(
        field::TAG_LEFT_BEHIND_CHILD,
        home.grid.rural() && age < 16 && rng.chance(30.0),
    );
    // Not drawn from `rng`: a draw here would change every resident seeded after this one.
    tag(field::TAG_NO_SMARTPHONE, age >= 85);
}

/// Adds doses and the last dose's date; some of the old have none, a few for a medical reason.
fn vaccination(demo: &mut Seeder, person: &Person, fields: &mut Fields) {
    let rng = &mut demo.rng;
    let doses = if person.old() && rng.chance(15.0) {
        0
    } else {
        1 + rng.below(3)
    };
    fields.push((field::VACC_DOSES, json!(doses)));
    if doses > 0 {
        let last = demo.today.add_days(-(30 + rng.below(300) as i64));
        fields.push((field::VACC_LAST_DATE, json!(last.to_string())));
    }
    if person.old() && doses == 0 && rng.chance(40.0) {
        fields.push((field::VACC_CONTRAINDICATION, json!(true)));
    }
}
