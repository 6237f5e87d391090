//! Validation of one pushed change against the schema: the server refuses an invalid change with
//! `422 invalid` and this message, and the app runs the same check before it queues an edit, so a
//! person sees the problem while they can still fix it.
//!
//! Messages are Chinese first, then English in full-width parentheses, and say what a valid
//! value looks like. The HLC is not checked here: the server parses it with `Hlc::parse` and
//! answers `400 malformed`, a different error.

use serde_json::Value;

use crate::date::Date;
use crate::hlc;
use crate::schema::{self, Check, FieldDef, FieldType};
use crate::wire::Change;

/// Ids are made on devices as UUIDs; anything id-like of 1–64 `[0-9a-zA-Z-]` is accepted so
/// imported rosters can keep their own ids.
pub fn is_valid_id(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// The largest timestamp the 13-digit stamps can express; later is certainly a typo.
const MAX_TIMESTAMP: u64 = hlc::MAX_MS;

/// Checks one change and returns its field's definition (so the caller can go on to check the
/// role). `null` is always valid: it clears the field.
pub fn validate_change(change: &Change) -> Result<&'static FieldDef, String> {
    let entity = schema::entity(&change.entity).ok_or_else(|| {
        format!(
            "未知的记录类型“{0}”（unknown entity \"{0}\"）",
            clip(&change.entity)
        )
    })?;
    if !is_valid_id(&change.id) {
        return Err(format!(
            "记录编号“{0}”无效，应为 1 到 64 个字母、数字或连字符（invalid record id \"{0}\": use 1–64 letters, digits or dashes）",
            clip(&change.id)
        ));
    }
    let field = entity.field(&change.field).ok_or_else(|| {
        format!(
            "{0}没有“{1}”这一项（{2} has no field \"{1}\"）",
            entity.zh,
            clip(&change.field),
            entity.en
        )
    })?;
    validate_value(field, &change.value)?;
    Ok(field)
}

/// Checks a value against one field's type and rule; `null` always passes.
pub fn validate_value(field: &FieldDef, value: &Value) -> Result<(), String> {
    if value.is_null() {
        return Ok(());
    }
    check_type(field, value)?;
    check_rule(field, value)
}

fn check_type(f: &FieldDef, v: &Value) -> Result<(), String> {
    let ok = match f.ty {
        FieldType::Text => v.is_string(),
        FieldType::Integer => v.as_i64().is_some(),
        FieldType::Decimal => v.is_number(),
        FieldType::Boolean => v.is_boolean(),
        FieldType::Date => v.as_str().is_some_and(|s| Date::parse(s).is_some()),
        FieldType::Timestamp => v.as_u64().is_some_and(|ms| ms <= MAX_TIMESTAMP),
        FieldType::Enum(members) => v.as_str().is_some_and(|s| members.contains(&s)),
        FieldType::Reference(_) => v.as_str().is_some_and(|s| !s.is_empty()),
    };
    if ok {
        return Ok(());
    }
    let (zh, en) = (f.zh, f.en);
    Err(match f.ty {
        FieldType::Text => format!("{zh}应为文字（{en} must be text）"),
        FieldType::Integer => format!("{zh}应为整数（{en} must be a whole number）"),
        FieldType::Decimal => format!("{zh}应为数字（{en} must be a number）"),
        FieldType::Boolean => format!("{zh}应为是或否（{en} must be true or false）"),
        FieldType::Date => format!(
            "{zh}应为有效日期，格式 YYYY-MM-DD，例如 1950-03-01（{en} must be a real date written YYYY-MM-DD, e.g. 1950-03-01）"
        ),
        FieldType::Timestamp => format!(
            "{zh}应为时间（毫秒时间戳）（{en} must be a time in unix milliseconds）"
        ),
        FieldType::Enum(members) => {
            let list = members.join("、");
            let list_en = members.join(", ");
            format!("{zh}应为以下之一：{list}（{en} must be one of: {list_en}）")
        }
        FieldType::Reference(_) => {
            format!("{zh}应为所关联记录的编号（{en} must be the id of a record）")
        }
    })
}

fn check_rule(f: &FieldDef, v: &Value) -> Result<(), String> {
    let (zh, en) = (f.zh, f.en);
    match f.check {
        Check::None => Ok(()),
        Check::Phone => check_phone(v.as_str().unwrap_or_default())
            .map_err(|(why_zh, why_en)| format!("{zh}{why_zh}（{en}: {why_en}）")),
        Check::Range { min, max } => {
            let n = v.as_f64().unwrap_or(f64::NAN);
            if n >= min as f64 && n <= max as f64 {
                Ok(())
            } else {
                Err(format!(
                    "{zh}应在 {min} 到 {max} 之间（{en} must be between {min} and {max}）"
                ))
            }
        }
        Check::MaxLen(n) => {
            if v.as_str().unwrap_or_default().chars().count() <= n {
                Ok(())
            } else {
                Err(format!(
                    "{zh}不能超过 {n} 个字（{en} must be at most {n} characters）"
                ))
            }
        }
        Check::IdCardLast4 => {
            let b = v.as_str().unwrap_or_default().as_bytes();
            if b.len() == 4
                && b[..3].iter().all(u8::is_ascii_digit)
                && (b[3].is_ascii_digit() || b[3] == b'X')
            {
                Ok(())
            } else {
                Err(format!(
                    "{zh}应为 4 位，前三位是数字，最后一位是数字或大写 X（{en} must be 4 characters: three digits, then a digit or capital X）"
                ))
            }
        }
    }
}

/// Mainland numbers: a mobile is 11 digits starting with 1; anything else is a landline written
/// with digits and dashes, 7–20 long (area code, extension). All-digit numbers starting with 1
/// must be mobiles, which catches the commonest typo, a digit too many or too few.
fn check_phone(s: &str) -> Result<(), (&'static str, &'static str)> {
    let b = s.as_bytes();
    let digits_only = !b.is_empty() && b.iter().all(u8::is_ascii_digit);
    if digits_only && b[0] == b'1' {
        return if b.len() == 11 {
            Ok(())
        } else {
            Err(("：手机号应为 11 位数字", "a mobile number has 11 digits"))
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
        Err((
            "应为 11 位手机号，或由数字和“-”组成的 7 到 20 位固定电话，例如 010-12345678",
            "must be an 11-digit mobile number or a landline of 7–20 digits and dashes, e.g. 010-12345678",
        ))
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
            "抗原检测应为以下之一：negative、positive、not_tested（antigen test must be one of: negative, positive, not_tested）"
        );
        ok("visit", "resident_id", json!("r-1"));
        assert!(err("visit", "resident_id", json!("")).contains("id of a record"));
        assert!(err("visit", "resident_id", json!(7)).contains("id of a record"));
        ok("resident", "_deleted", json!(true));
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
}
