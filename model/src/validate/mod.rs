//! Validation of one pushed change against the schema: the server refuses an invalid change with
//! `422 invalid` and this message, and the app runs the same check before it queues an edit, so a
//! person sees the problem while they can still fix it.
//!
//! A refusal is a [`Problem`]: the field and a [`ProblemKind`] that says what is wrong, with the
//! bounds or members a sentence needs. Its message is Chinese first, then English in full-width
//! parentheses, and says what a valid value looks like; the problem itself can travel as a
//! detail's `code` so the app words it in the reader's language. The HLC is not checked here:
//! the server parses it with `Hlc::parse` and answers `400 malformed`, a different error.

use serde_json::Value;

use crate::date::Date;
use crate::hlc;
use crate::schema::{self, Check, FieldDef, FieldType};
use crate::wire::Change;

mod problem;

pub use problem::{render, Expected, Lang, Problem, ProblemKind};

/// Ids are made on devices as UUIDs; anything id-like of 1–64 `[0-9a-zA-Z-]` is accepted so
/// imported rosters can keep their own ids.
pub fn is_valid_id(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// The largest timestamp the 13-digit stamps can express; later is certainly a typo.
const MAX_TIMESTAMP: u64 = hlc::MAX_MS;

/// [`check_change`] with the problem as its bilingual message.
pub fn validate_change(change: &Change) -> Result<&'static FieldDef, String> {
    check_change(change).map_err(|p| p.message())
}

/// Checks one change and returns its field's definition (so the caller can go on to check the
/// role). `null` is always valid: it clears the field.
pub fn check_change(change: &Change) -> Result<&'static FieldDef, Problem> {
    let problem = |kind| Problem {
        entity: clip(&change.entity),
        field: clip(&change.field),
        kind,
    };
    let entity =
        schema::entity(&change.entity).ok_or_else(|| problem(ProblemKind::UnknownEntity))?;
    if !is_valid_id(&change.id) {
        return Err(problem(ProblemKind::BadId {
            id: clip(&change.id),
        }));
    }
    let field = entity
        .field(&change.field)
        .ok_or_else(|| problem(ProblemKind::UnknownField))?;
    check_value(field, &change.value).map_err(problem)?;
    Ok(field)
}

/// [`check_value`] with the problem as its bilingual message.
pub fn validate_value(entity: &str, field: &FieldDef, value: &Value) -> Result<(), String> {
    check_value(field, value).map_err(|kind| kind.message_for(entity, field))
}

/// Checks a value against one field's type and rule; `null` always passes.
pub fn check_value(field: &FieldDef, value: &Value) -> Result<(), ProblemKind> {
    if value.is_null() {
        return Ok(());
    }
    check_type(field, value)?;
    check_rule(field, value)
}

fn check_type(f: &FieldDef, v: &Value) -> Result<(), ProblemKind> {
    let ok = match f.ty {
        FieldType::Text => v.is_string(),
        FieldType::Integer => v.as_i64().is_some(),
        FieldType::Decimal => v.is_number(),
        FieldType::Boolean => v.is_boolean(),
        FieldType::Date => v.as_str().is_some_and(|s| Date::parse(s).is_some()),
        FieldType::Timestamp => v.as_u64().is_some_and(|ms| ms <= MAX_TIMESTAMP),
        FieldType::Enum(members) => v.as_str().is_some_and(|s| members.contains(&s)),
        // A reference holds an id, and ids have the same bounds everywhere.
        FieldType::Reference(_) => v.as_str().is_some_and(is_valid_id),
    };
    if ok {
        Ok(())
    } else {
        Err(ProblemKind::wrong_type(f.ty))
    }
}

fn check_rule(f: &FieldDef, v: &Value) -> Result<(), ProblemKind> {
    let text = || v.as_str().unwrap_or_default();
    let (ok, problem) = match f.check {
        Check::None => return Ok(()),
        Check::Phone => return check_phone(text()),
        Check::Range { min, max } => {
            let n = v.as_f64().unwrap_or(f64::NAN);
            let ok = n >= min as f64 && n <= max as f64;
            (ok, ProblemKind::OutOfRange { min, max })
        }
        Check::MaxLen(max) => (text().chars().count() <= max, ProblemKind::TooLong { max }),
        Check::IdCardLast4 => (is_id_card_last4(text()), ProblemKind::BadIdCard),
    };
    if ok {
        Ok(())
    } else {
        Err(problem)
    }
}

/// Three digits, then a digit or a capital X.
fn is_id_card_last4(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 4 && b[..3].iter().all(u8::is_ascii_digit) && (b[3].is_ascii_digit() || b[3] == b'X')
}

/// Mainland numbers: a mobile is 11 digits starting with 1; anything else is a landline written
/// with digits and dashes, 7–20 long (area code, extension). All-digit numbers starting with 1
/// must be mobiles, which catches the commonest typo, a digit too many or too few.
fn check_phone(s: &str) -> Result<(), ProblemKind> {
    let b = s.as_bytes();
    let digits_only = !b.is_empty() && b.iter().all(u8::is_ascii_digit);
    if digits_only && b[0] == b'1' {
        return if b.len() == 11 {
            Ok(())
        } else {
            Err(ProblemKind::BadMobile)
        };
    }
    let shape_ok = (7..=20).contains(&b.len())
        && b.iter().all(|c| c.is_ascii_digit() || *c == b'-')
        && b.first().is_some_and(u8::is_ascii_digit)
        && b.last().is_some_and(u8::is_ascii_digit)
        && !s.contains("--")
        && b.iter().filter(|c| c.is_ascii_digit()).count() >= 7;
    if shape_ok {
        Ok(())
    } else {
        Err(ProblemKind::BadPhone)
    }
}

/// Echoes of client input are cut short so a hostile name cannot bloat the error body.
fn clip(s: &str) -> String {
    const MAX: usize = 64;
    if s.chars().count() <= MAX {
        s.to_owned()
    } else {
        s.chars().take(MAX).chain(std::iter::once('…')).collect()
    }
}

/// Test help: every edit of a new `entity` record, as a model function makes them, passes the
/// checks the server makes; the panic names the field that does not.
#[cfg(test)]
pub(crate) fn assert_valid_edits(entity: &str, edits: &[(String, Value)]) {
    for (field, value) in edits {
        let c = Change {
            entity: entity.to_owned(),
            id: "new-record".into(),
            field: field.clone(),
            value: value.clone(),
            hlc: String::new(),
        };
        if let Err(p) = check_change(&c) {
            panic!("{entity}.{field}: {}", p.message());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ch(entity: &str, field: &str, value: Value) -> Change {
        Change {
            entity: entity.into(),
            id: "5b0f7a52-3f0e-4c2b-9d1a-0e6c1b2f3a4d".into(),
            field: field.into(),
            value,
            hlc: "not checked here".into(),
        }
    }

    fn ok(entity: &str, field: &str, value: Value) {
        let c = ch(entity, field, value);
        assert!(
            validate_change(&c).is_ok(),
            "{c:?}: {:?}",
            validate_change(&c)
        );
    }

    fn err(entity: &str, field: &str, value: Value) -> String {
        let c = ch(entity, field, value);
        validate_change(&c).expect_err(&format!("{c:?} should fail"))
    }

    #[test]
    fn unknown_entity_field_and_bad_ids() {
        assert_eq!(
            err("person", "name", json!("x")),
            "未知的记录类型“person”（unknown entity \"person\"）"
        );
        assert_eq!(
            err("resident", "nam", json!("x")),
            "居民没有“nam”这一项（resident has no field \"nam\"）"
        );
        for id in ["", "a b", "a_b", "设备", &"a".repeat(65)] {
            let mut c = ch("resident", "name", json!("x"));
            c.id = id.into();
            assert!(
                validate_change(&c)
                    .unwrap_err()
                    .contains("invalid record id"),
                "{id:?}"
            );
        }
        let long = err("x".repeat(500).as_str(), "name", json!("x"));
        assert!(long.chars().count() < 200);
    }

    #[test]
    fn returns_the_field_definition() {
        let f = validate_change(&ch("visit", "spo2", json!(95))).unwrap();
        assert_eq!(f.name, "spo2");
        assert_eq!(f.ty, FieldType::Integer);
    }

    #[test]
    fn null_always_clears() {
        for e in schema::entities() {
            for f in e.fields {
                ok(e.name, f.name, Value::Null);
            }
        }
    }

    #[test]
    fn types() {
        ok("resident", "name", json!("王芳"));
        assert_eq!(
            err("resident", "name", json!(3)),
            "姓名应为文字（name must be text）"
        );
        ok("resident", "vacc_doses", json!(3));
        assert!(err("resident", "vacc_doses", json!(3.0)).contains("whole number"));
        assert!(err("resident", "vacc_doses", json!("3")).contains("whole number"));
        ok("visit", "temperature", json!(37.2));
        ok("visit", "temperature", json!(37));
        assert!(err("visit", "temperature", json!("37.2")).contains("must be a number"));
        ok("resident", "tag_pregnant", json!(false));
        assert!(err("resident", "tag_pregnant", json!(0)).contains("true or false"));
        ok("resident", "birth_date", json!("1950-02-28"));
        for bad in [
            json!("1950-02-29"),
            json!("1950-2-28"),
            json!("28/02/1950"),
            json!(19500228),
        ] {
            assert!(err("resident", "birth_date", bad).contains("YYYY-MM-DD"));
        }
        ok("visit", "visited_at", json!(1764331200000u64));
        for bad in [
            json!(-1),
            json!(1.5),
            json!("1764331200000"),
            json!(10_000_000_000_000u64),
        ] {
            assert!(err("visit", "visited_at", bad).contains("unix milliseconds"));
        }
        ok("visit", "method", json!("wechat"));
        assert_eq!(
            err("visit", "antigen", json!("Positive")),
            "抗原检测应为以下之一：阴性、阳性、未检测（antigen test must be one of: negative, positive, not tested）"
        );
        ok("visit", "resident_id", json!("r-1"));
        assert!(err("visit", "resident_id", json!("")).contains("id of a record"));
        assert!(err("visit", "resident_id", json!(7)).contains("id of a record"));
        ok("resident", schema::DELETED, json!(true));
    }

    #[test]
    fn ranges() {
        ok("visit", "spo2", json!(50));
        ok("visit", "spo2", json!(100));
        assert_eq!(
            err("visit", "spo2", json!(49)),
            "血氧饱和度应在 50 到 100 之间（SpO2 must be between 50 and 100）"
        );
        assert!(err("visit", "spo2", json!(101)).contains("between 50 and 100"));
        ok("visit", "temperature", json!(30));
        ok("visit", "temperature", json!(45.0));
        assert_eq!(
            err("visit", "temperature", json!(45.1)),
            "体温应在 30 到 45 之间（temperature must be between 30 and 45）"
        );
        assert!(err("visit", "temperature", json!(29.9)).contains("between 30 and 45"));
        ok("resident", "vacc_doses", json!(0));
        assert!(err("resident", "vacc_doses", json!(11)).contains("between 0 and 10"));
        ok("stock_move", "quantity", json!(-5));
        ok("household", "lat", json!(31.23));
        assert!(err("household", "lng", json!(181)).contains("between -180 and 180"));
    }

    #[test]
    fn phones() {
        for good in [
            "13800000000",
            "19912345678",
            "010-12345678",
            "0571-8888888",
            "87654321",
            "021-1234-5678-123",
        ] {
            ok("resident", "phone", json!(good));
        }
        assert_eq!(
            err("resident", "phone", json!("1380000000")),
            "联系电话：手机号应为 11 位数字（phone: a mobile number has 11 digits）"
        );
        assert!(err("resident", "phone", json!("138000000001")).contains("11 digits"));
        for bad in [
            "",
            "123456",
            "1234567",
            "+8613800000000",
            "138 0000 0000",
            "-1234567",
            "1234567-",
            "010--12345678",
            "phone",
            "010-1-2-3",
            &"1".repeat(21),
            &format!("0{}", "1".repeat(20)),
        ] {
            let e = err("resident", "phone", json!(bad));
            assert!(
                e.contains("联系电话") && e.contains("phone"),
                "{bad:?}: {e}"
            );
        }
        ok("facility", "phone", json!("0571-12345678"));
        assert!(err("resident", "guardian_phone", json!("12")).starts_with("监护人电话"));
    }

    #[test]
    fn lengths_and_id_card() {
        ok("resident", "name", json!("张".repeat(100)));
        assert_eq!(
            err("resident", "name", json!("张".repeat(101))),
            "姓名不能超过 100 个字（name must be at most 100 characters）"
        );
        ok("resident", "id_card_last4", json!("123X"));
        ok("resident", "id_card_last4", json!("0000"));
        for bad in ["123x", "12X4", "12345", "123", "abcd"] {
            assert!(err("resident", "id_card_last4", json!(bad)).contains("ID card last 4"));
        }
    }

    fn problem(entity: &str, field: &str, value: Value) -> Problem {
        check_change(&ch(entity, field, value)).expect_err("should fail")
    }

    #[test]
    fn each_problem_carries_its_kind_and_what_a_sentence_needs() {
        let kind = |entity: &str, field: &str, value: Value| problem(entity, field, value).kind;
        assert_eq!(
            problem("visit", "spo2", json!(49)),
            Problem {
                entity: "visit".into(),
                field: "spo2".into(),
                kind: ProblemKind::OutOfRange { min: 50, max: 100 },
            }
        );
        assert_eq!(
            kind("person", "name", json!("x")),
            ProblemKind::UnknownEntity
        );
        assert_eq!(
            kind("resident", "nam", json!("x")),
            ProblemKind::UnknownField
        );
        let mut bad_id = ch("resident", "name", json!("x"));
        bad_id.id = "a b".into();
        assert_eq!(
            check_change(&bad_id).unwrap_err().kind,
            ProblemKind::BadId { id: "a b".into() }
        );
        assert_eq!(
            kind("resident", "vacc_doses", json!("3")),
            ProblemKind::WrongType {
                expected: Expected::Integer
            }
        );
        assert_eq!(
            kind("resident", "birth_date", json!("1950-02-29")),
            ProblemKind::WrongType {
                expected: Expected::Date
            }
        );
        assert_eq!(
            kind("visit", "antigen", json!("Positive")),
            ProblemKind::NotAMember {
                members: vec!["negative".into(), "positive".into(), "not_tested".into()]
            }
        );
        assert_eq!(
            kind("resident", "phone", json!("1380000000")),
            ProblemKind::BadMobile
        );
        assert_eq!(
            kind("resident", "phone", json!("023456")),
            ProblemKind::BadPhone
        );
        assert_eq!(
            kind("resident", "name", json!("张".repeat(101))),
            ProblemKind::TooLong { max: 100 }
        );
        assert_eq!(
            kind("resident", "id_card_last4", json!("123x")),
            ProblemKind::BadIdCard
        );
        let long = problem(&"x".repeat(500), &"y".repeat(500), json!("x"));
        assert!(long.entity.chars().count() <= 65 && long.field.chars().count() <= 65);
    }

    #[test]
    fn a_problem_is_worded_in_either_language_or_both() {
        let cases = [
            ("person", "name", json!("x")),
            ("resident", "nam", json!("x")),
            ("resident", "name", json!(3)),
            ("resident", "vacc_doses", json!(3.0)),
            ("visit", "temperature", json!("37.2")),
            ("resident", "tag_pregnant", json!(0)),
            ("resident", "birth_date", json!("28/02/1950")),
            ("visit", "visited_at", json!(-1)),
            ("visit", "antigen", json!("Positive")),
            ("visit", "resident_id", json!("")),
            ("visit", "spo2", json!(101)),
            ("resident", "phone", json!("1380000000")),
            ("resident", "phone", json!("phone")),
            ("resident", "name", json!("张".repeat(101))),
            ("resident", "id_card_last4", json!("12X4")),
        ];
        for (entity, field, value) in cases {
            let p = problem(entity, field, value.clone());
            let (zh, en) = (render(&p, Lang::Zh).unwrap(), render(&p, Lang::En).unwrap());
            assert_eq!((p.message_zh(), p.message_en()), (zh.clone(), en.clone()));
            assert_eq!(p.message(), format!("{zh}（{en}）"));
            assert_eq!(
                validate_change(&ch(entity, field, value.clone())),
                Err(p.message())
            );
            if let Some(def) = schema::entity(entity).and_then(|e| e.field(field)) {
                assert_eq!(validate_value(entity, def, &value), Err(p.message()));
            }
        }
        assert_eq!(
            render(&problem("visit", "spo2", json!(49)), Lang::En).unwrap(),
            "SpO2 must be between 50 and 100"
        );
        assert_eq!(
            render(&problem("resident", "phone", json!("0571")), Lang::Zh).unwrap(),
            "联系电话应为 11 位手机号，或由数字和“-”组成的 7 到 20 位固定电话，例如 010-12345678"
        );
    }

    #[test]
    fn a_problem_only_a_newer_schema_knows_is_left_to_the_servers_message() {
        let newer_field = Problem {
            entity: "resident".into(),
            field: "wechat_id".into(),
            kind: ProblemKind::TooLong { max: 20 },
        };
        assert_eq!(render(&newer_field, Lang::Zh), None);
        assert_eq!(
            newer_field.message(),
            "wechat_id无效（wechat_id is invalid）"
        );
        let newer_kind = Problem {
            entity: "visit".into(),
            field: "spo2".into(),
            kind: ProblemKind::Other,
        };
        assert_eq!(render(&newer_kind, Lang::En), None);
    }
}
