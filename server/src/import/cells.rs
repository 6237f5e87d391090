//! One cell as rosters write it: dates in their usual spellings, yes/no flags, sexes, phone
//! numbers and identity card numbers, turned into a field's value or a problem.

use model::entities::resident;
use model::{Date, FieldDef};
use serde_json::{json, Value};

use super::Problem;

/// `YYYY-MM-DD`, and the other ways rosters write a date: 1950/3/1, 1950.03.01, 1950年3月1日,
/// 19500301, with or without a time after it.
pub fn parse_date(s: &str) -> Option<String> {
    let s = s.split_whitespace().next().unwrap_or_default();
    if Date::parse(s).is_some() {
        return Some(s.to_owned());
    }
    let parts: Vec<&str> = s
        .split(['-', '/', '.', '年', '月', '日'])
        .filter(|p| !p.is_empty())
        .collect();
    let (y, m, d) = match parts.as_slice() {
        [y, m, d] if y.len() == 4 => (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?),
        [ymd] if ymd.len() == 8 && ymd.bytes().all(|b| b.is_ascii_digit()) => (
            ymd[..4].parse().ok()?,
            ymd[4..6].parse().ok()?,
            ymd[6..].parse().ok()?,
        ),
        _ => return None,
    };
    let date = Date::new(y, m, d)?;
    Some(format!("{:04}-{:02}-{:02}", date.y, date.m, date.d))
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_lowercase().as_str() {
        "是" | "√" | "✓" | "✔" | "y" | "yes" | "true" | "1" | "有" => Some(true),
        "否" | "×" | "✗" | "n" | "no" | "false" | "0" | "无" => Some(false),
        _ => None,
    }
}

fn parse_gender(s: &str) -> Option<&'static str> {
    match s.trim().to_lowercase().as_str() {
        "男" | "男性" | "m" | "male" => Some("male"),
        "女" | "女性" | "f" | "female" => Some("female"),
        "未知" | "unknown" => Some("unknown"),
        _ => None,
    }
}

/// Spaces and a +86 country code go; dashes stay, for landlines.
fn clean_phone(s: &str) -> String {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let s = s.strip_prefix("+86").unwrap_or(&s);
    s.to_owned()
}

/// What a mainland identity card number tells: birth date, sex and its last four characters.
#[derive(Debug, PartialEq)]
pub struct IdCard {
    pub birth_date: Option<String>,
    pub gender: Option<&'static str>,
    pub last4: String,
}

/// An 18- or 15-character number, or only its last four; `None` for anything else.
pub fn parse_id_card(s: &str) -> Option<IdCard> {
    let s = s.trim().to_uppercase();
    let b = s.as_bytes();
    let body_digits = |n: usize| b[..n].iter().all(u8::is_ascii_digit);
    let last_ok = |c: u8| c.is_ascii_digit() || c == b'X';
    let (birth, sex_digit) = match b.len() {
        18 if body_digits(17) && last_ok(b[17]) => (s[6..14].to_owned(), b[16]),
        15 if body_digits(15) => (format!("19{}", &s[6..12]), b[14]),
        4 if body_digits(3) && last_ok(b[3]) => {
            return Some(IdCard {
                birth_date: None,
                gender: None,
                last4: s,
            })
        }
        _ => return None,
    };
    Some(IdCard {
        birth_date: parse_date(&birth),
        gender: Some(if (sex_digit - b'0') % 2 == 1 {
            "male"
        } else {
            "female"
        }),
        last4: s[s.len() - 4..].to_owned(),
    })
}

/// Turns one cell into the field's JSON value, or says what is wrong with it.
pub fn field_value(entity: &str, def: &FieldDef, raw: &str) -> Result<Value, Problem> {
    use model::FieldType::*;
    let (zh, en) = (def.zh, def.en);
    let value = match def.ty {
        Boolean => Value::Bool(parse_bool(raw).ok_or(Problem::NotYesOrNo { zh, en })?),
        Enum(_) if def.name == resident::field::GENDER => {
            json!(parse_gender(raw).ok_or(Problem::NotASex { zh, en })?)
        }
        Date => json!(parse_date(raw).unwrap_or_else(|| raw.to_owned())),
        Integer => raw
            .parse::<f64>()
            .ok()
            .filter(|n| n.fract() == 0.0)
            .map(|n| json!(n as i64))
            .unwrap_or_else(|| json!(raw)),
        _ if def.check == model::Check::Phone => json!(clean_phone(raw)),
        _ => json!(raw),
    };
    model::validate::validate_value(entity, def, &value).map_err(Problem::Invalid)?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_read_in_the_usual_spellings() {
        for s in [
            "1950-03-01",
            "1950/3/1",
            "1950.03.01",
            "1950年3月1日",
            "19500301",
            "1950-03-01 00:00:00",
        ] {
            assert_eq!(parse_date(s).as_deref(), Some("1950-03-01"), "{s}");
        }
        for s in ["1950-02-30", "3/1/1950", "昨天"] {
            assert_eq!(parse_date(s), None, "{s}");
        }
    }

    #[test]
    fn an_id_card_number_of_15_or_18_characters_or_its_last_four_is_read() {
        let card = |b: Option<&str>, g: Option<&'static str>, l: &str| IdCard {
            birth_date: b.map(str::to_owned),
            gender: g,
            last4: l.to_owned(),
        };
        assert_eq!(
            parse_id_card("11010519491231002x"),
            Some(card(Some("1949-12-31"), Some("female"), "002X"))
        );
        assert_eq!(
            parse_id_card("110105491231001"),
            Some(card(Some("1949-12-31"), Some("male"), "1001"))
        );
        assert_eq!(parse_id_card("002X"), Some(card(None, None, "002X")));
        for bad in ["12345", "X002", "1101051949123100", "身份证"] {
            assert_eq!(parse_id_card(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_cell_is_checked_against_its_field() {
        let def = |f| model::schema::field(resident::NAME, f).unwrap();
        let flag = def(resident::field::TAG_LIVING_ALONE);
        assert_eq!(field_value(resident::NAME, flag, "√"), Ok(json!(true)));
        assert_eq!(
            field_value(resident::NAME, flag, "也许")
                .unwrap_err()
                .to_string(),
            format!("{}应填“是”或“否”（{} must be yes or no）", flag.zh, flag.en)
        );
        let sex = def(resident::field::GENDER);
        assert_eq!(
            field_value(resident::NAME, sex, "女性"),
            Ok(json!("female"))
        );
        assert!(matches!(
            field_value(resident::NAME, sex, "?"),
            Err(Problem::NotASex { .. })
        ));
        let phone = def(resident::field::PHONE);
        assert_eq!(
            field_value(resident::NAME, phone, "+86 138 0000 0000"),
            Ok(json!("13800000000"))
        );
        assert!(matches!(
            field_value(resident::NAME, phone, "123"),
            Err(Problem::Invalid(_))
        ));
        let doses = def(resident::field::VACC_DOSES);
        assert_eq!(field_value(resident::NAME, doses, "3.0"), Ok(json!(3)));
    }
}
