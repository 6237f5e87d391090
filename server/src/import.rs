//! Roster import: reading the CSV or XLSX an office already keeps, suggesting which column is
//! which Knock field, and planning, row by row, the households and residents to create or merge.
//! Pure: the handler reads the snapshot and writes the plan through the push pipeline.

use std::collections::BTreeMap;

use model::dedupe::{normalize_name, normalize_phone, same_person};
use model::wire::{ImportAction, ImportField, ImportRow};
use model::{Date, FieldDef};
use serde_json::{json, Value};

use crate::snapshot::Snapshot;

/// A roster's table: its header row and the data rows under it, each with its 1-based row
/// number in the file so a person can find it.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub headers: Vec<String>,
    pub rows: Vec<(usize, Vec<String>)>,
}

/// Where a mappable import field goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dest {
    Resident(&'static str),
    Household(&'static str),
    /// A grid, by name or id.
    Grid,
    /// An identity card number: only its last four, and the birth date and sex it encodes, are
    /// kept; the number itself is never stored.
    IdCard,
}

/// One field a column can be mapped to, with the header spellings that suggest it.
struct Target {
    key: &'static str,
    dest: Dest,
    aliases: &'static [&'static str],
}

const fn r(key: &'static str, aliases: &'static [&'static str]) -> Target {
    Target {
        key,
        dest: Dest::Resident(key),
        aliases,
    }
}

const fn h(key: &'static str, aliases: &'static [&'static str]) -> Target {
    Target {
        key,
        dest: Dest::Household(key),
        aliases,
    }
}

// Aliases are compared after `normalize_header`: no spaces, no required-field stars, lowercase.
const TARGETS: &[Target] = &[
    r("name", &["姓名", "名字", "居民姓名", "人员姓名", "name"]),
    r("gender", &["性别", "sex", "gender"]),
    r(
        "birth_date",
        &[
            "出生日期",
            "出生年月日",
            "出生年月",
            "生日",
            "birthdate",
            "birth_date",
            "dateofbirth",
        ],
    ),
    Target {
        key: "id_card",
        dest: Dest::IdCard,
        aliases: &[
            "身份证号",
            "身份证号码",
            "身份证",
            "公民身份号码",
            "证件号码",
            "idcard",
            "id_card",
        ],
    },
    r("id_card_last4", &["身份证后四位", "id_card_last4"]),
    r(
        "phone",
        &[
            "电话",
            "手机",
            "手机号",
            "手机号码",
            "联系电话",
            "联系方式",
            "电话号码",
            "phone",
            "mobile",
        ],
    ),
    Target {
        key: "grid",
        dest: Dest::Grid,
        aliases: &["网格", "所属网格", "网格名称", "grid"],
    },
    h(
        "address",
        &[
            "地址",
            "住址",
            "家庭住址",
            "居住地址",
            "现住址",
            "详细地址",
            "address",
        ],
    ),
    h("building", &["楼栋", "楼号", "楼栋号", "栋", "building"]),
    h("unit", &["单元", "单元号", "unit"]),
    h("room", &["门牌号", "房号", "房间号", "室", "room"]),
    h("village", &["村/小区", "小区", "村", "小区名称", "village"]),
    h("village_group", &["村民小组", "组", "village_group"]),
    h("head_name", &["户主", "户主姓名", "head_name"]),
    r("relation_to_head", &["与户主关系", "relation_to_head"]),
    r("guardian_name", &["监护人", "监护人姓名"]),
    r("guardian_phone", &["监护人电话", "监护人联系电话"]),
    r("emergency_contact", &["紧急联系人"]),
    r("emergency_phone", &["紧急联系人电话", "紧急联系电话"]),
    r("tag_living_alone", &["独居", "是否独居", "独居老人"]),
    r("tag_minor", &["未成年人"]),
    r("tag_child_under3", &["3岁以下婴幼儿", "婴幼儿"]),
    r("tag_pregnant", &["孕产妇", "孕妇"]),
    r("tag_disabled", &["残疾人", "残疾"]),
    r("tag_chronic", &["慢性病", "慢性病患者", "是否慢性病"]),
    r(
        "tag_severe_mental",
        &["严重精神障碍（特殊困难）", "严重精神障碍"],
    ),
    r("tag_orphan", &["孤儿"]),
    r("tag_unsupported_child", &["事实无人抚养儿童"]),
    r("tag_left_behind_child", &["农村留守儿童", "留守儿童"]),
    r("cond_hypertension", &["高血压"]),
    r("cond_diabetes", &["糖尿病"]),
    r("cond_heart", &["心脏病"]),
    r(
        "cond_lung",
        &["慢性肺病（慢阻肺、哮喘）", "慢性肺病", "慢阻肺"],
    ),
    r("cond_kidney", &["慢性肾病", "肾病"]),
    r("cond_cancer", &["恶性肿瘤", "肿瘤"]),
    r("cond_immunosuppressed", &["免疫功能低下"]),
    r(
        "vacc_doses",
        &["新冠疫苗接种剂次", "疫苗剂次", "接种剂次", "vacc_doses"],
    ),
    r("vacc_last_date", &["末次接种日期", "vacc_last_date"]),
    r("notes", &["备注", "notes"]),
];

fn def_of(dest: Dest) -> Option<&'static FieldDef> {
    match dest {
        Dest::Resident(f) => model::schema::field("resident", f),
        Dest::Household(f) => model::schema::field("household", f),
        Dest::Grid | Dest::IdCard => None,
    }
}

/// The mappable fields, in the order the mapping screen shows them.
pub fn fields() -> Vec<ImportField> {
    TARGETS
        .iter()
        .map(|t| {
            let (zh, en) = match t.dest {
                Dest::Grid => ("所属网格", "grid"),
                Dest::IdCard => ("身份证号", "ID card number"),
                Dest::Household("address") => ("住址", "address"),
                d => def_of(d).map(|f| (f.zh, f.en)).unwrap_or((t.key, t.key)),
            };
            ImportField {
                key: t.key.into(),
                zh: zh.into(),
                en: en.into(),
            }
        })
        .collect()
}

fn normalize_header(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '*' | '＊' | ':' | '：'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Which column each field is in, guessed from the header names; a column is used once.
pub fn suggest_mapping(headers: &[String]) -> BTreeMap<String, String> {
    let mut used = vec![false; headers.len()];
    let mut out = BTreeMap::new();
    for t in TARGETS {
        let hit = headers
            .iter()
            .enumerate()
            .find(|(i, hd)| !used[*i] && t.aliases.iter().any(|a| normalize_header(hd) == *a));
        if let Some((i, hd)) = hit {
            used[i] = true;
            out.insert(t.key.to_owned(), hd.clone());
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Reading files

/// Reads a CSV (UTF-8, or GB18030/GBK as Excel on Chinese Windows saves it) or a workbook (XLSX,
/// and whatever else calamine recognises). The error is a bilingual message for the person.
pub fn read_file(bytes: &[u8]) -> Result<Sheet, String> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err("文件是空的（the file is empty）".into());
    }
    // Zip (XLSX, ODS) and OLE (old XLS) containers; anything else must be text.
    let cells = if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0])
    {
        read_workbook(bytes)?
    } else {
        read_csv(bytes)?
    };
    sheet_from_cells(cells)
}

const NOT_A_TABLE: &str =
    "无法识别文件：请上传 CSV 或 XLSX 表格（not a readable table: upload a CSV or XLSX file）";

fn read_workbook(bytes: &[u8]) -> Result<Vec<Vec<(usize, String)>>, String> {
    use calamine::{Data, Reader};
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes.to_vec()))
        .map_err(|_| NOT_A_TABLE.to_owned())?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| "表格里没有工作表（the workbook has no sheet）".to_owned())?
        .map_err(|_| NOT_A_TABLE.to_owned())?;
    let first_row = range.start().map(|(r, _)| r as usize).unwrap_or(0);
    let text = |d: &Data| -> String {
        match d {
            Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
            Data::Int(i) => i.to_string(),
            Data::Float(f) => number_text(*f),
            Data::Bool(b) => if *b { "是" } else { "否" }.into(),
            Data::DateTime(dt) if dt.is_datetime() => {
                let (y, m, d, ..) = dt.to_ymd_hms_milli();
                format!("{y:04}-{m:02}-{d:02}")
            }
            Data::DateTime(dt) => number_text(dt.as_f64()),
            Data::Error(_) | Data::Empty => String::new(),
        }
    };
    Ok(range
        .rows()
        .enumerate()
        .map(|(i, row)| (first_row + i + 1, row.iter().map(text).collect()))
        .map(|(n, cells): (usize, Vec<String>)| cells.into_iter().map(|c| (n, c)).collect())
        .collect())
}

/// Integers without ".0": a phone number typed into Excel is stored as a float.
fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

fn decode_text(bytes: &[u8]) -> Result<String, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.contains(&0) {
        return Err(NOT_A_TABLE.into());
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_owned()),
        Err(_) => {
            // Excel on Chinese Windows writes "CSV" in the system code page, GBK; GB18030 is
            // its superset.
            let (text, _, had_errors) = encoding_rs::GB18030.decode(bytes);
            if had_errors {
                Err(NOT_A_TABLE.into())
            } else {
                Ok(text.into_owned())
            }
        }
    }
}

/// RFC 4180, with the delimiter (comma, tab or semicolon) guessed from the first line. Each
/// cell carries the line its record started on.
fn read_csv(bytes: &[u8]) -> Result<Vec<Vec<(usize, String)>>, String> {
    let text = decode_text(bytes)?;
    let first = text.lines().next().unwrap_or_default();
    let delim = [',', '\t', ';']
        .into_iter()
        .max_by_key(|d| first.matches(*d).count())
        .filter(|d| first.contains(*d))
        .unwrap_or(',');
    let mut records = Vec::new();
    let mut record: Vec<(usize, String)> = Vec::new();
    let mut cell = String::new();
    let (mut line, mut start_line) = (1, 1);
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    cell.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    cell.push(c);
                }
                _ => cell.push(c),
            }
            continue;
        }
        match c {
            '"' if cell.is_empty() => quoted = true,
            '\r' => {}
            '\n' => {
                record.push((start_line, std::mem::take(&mut cell)));
                records.push(std::mem::take(&mut record));
                line += 1;
                start_line = line;
            }
            c if c == delim => record.push((start_line, std::mem::take(&mut cell))),
            _ => cell.push(c),
        }
    }
    if !cell.is_empty() || !record.is_empty() {
        record.push((start_line, cell));
        records.push(record);
    }
    Ok(records)
}

/// Finds the header row (a title line above it is common in office rosters: the first of the
/// first ten rows with a name column wins) and drops blank rows.
fn sheet_from_cells(rows: Vec<Vec<(usize, String)>>) -> Result<Sheet, String> {
    let rows: Vec<(usize, Vec<String>)> = rows
        .into_iter()
        .filter(|r| r.iter().any(|(_, c)| !c.trim().is_empty()))
        .map(|r| {
            let n = r.first().map(|(n, _)| *n).unwrap_or(0);
            (n, r.into_iter().map(|(_, c)| c.trim().to_owned()).collect())
        })
        .collect();
    if rows.is_empty() {
        return Err("文件是空的（the file is empty）".into());
    }
    let header_at = rows
        .iter()
        .take(10)
        .position(|(_, cells)| suggest_mapping(cells).contains_key("name"))
        .ok_or_else(|| {
            "找不到“姓名”列：第一行应为表头，其中一列是姓名（no name column: the first row must be headers, one of them 姓名 or name)".to_owned()
        })?;
    let mut rows = rows.into_iter().skip(header_at);
    let (_, mut headers) = rows.next().unwrap_or_default();
    for (i, hd) in headers.iter_mut().enumerate() {
        if hd.is_empty() {
            // An unnamed column can still be mapped, by its spreadsheet letter.
            *hd = model::export::column_name(i);
        }
    }
    Ok(Sheet {
        headers,
        rows: rows.collect(),
    })
}

// ---------------------------------------------------------------------------------------------
// Planning

/// What the importing user may touch and what the rows fall back on.
pub struct Context<'a> {
    pub snapshot: &'a Snapshot,
    /// The grids the user may import into; `None` for an admin, who may use any.
    pub allowed: Option<&'a [String]>,
    /// The grid of rows that name none.
    pub default_grid: Option<&'a str>,
}

/// Each row's fate and the field values to write, by entity and record id.
#[derive(Debug, Default)]
pub struct Plan {
    pub rows: Vec<ImportRow>,
    pub writes: BTreeMap<(String, String), BTreeMap<String, Value>>,
}

impl Plan {
    pub fn count(&self, action: ImportAction) -> usize {
        self.rows.iter().filter(|r| r.action == action).count()
    }
}

fn normalize_address(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// `YYYY-MM-DD`, and the other ways rosters write a date: 1950/3/1, 1950.03.01, 1950年3月1日,
/// 19500301, with or without a time after it.
fn parse_date(s: &str) -> Option<String> {
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
struct IdCard {
    birth_date: Option<String>,
    gender: Option<&'static str>,
    last4: String,
}

fn parse_id_card(s: &str) -> Option<IdCard> {
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
fn field_value(def: &FieldDef, raw: &str) -> Result<Value, String> {
    use model::FieldType::*;
    let (zh, en) = (def.zh, def.en);
    let value = match def.ty {
        Boolean => Value::Bool(
            parse_bool(raw)
                .ok_or_else(|| format!("{zh}应填“是”或“否”（{en} must be yes or no）"))?,
        ),
        Enum(_) if def.name == "gender" => json!(parse_gender(raw).ok_or_else(|| {
            format!("{zh}应为“男”或“女”（{en} must be 男/male or 女/female）")
        })?),
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
    model::validate::validate_value(def, &value)?;
    Ok(value)
}

/// What one row says, checked field by field.
#[derive(Default)]
struct RowValues {
    name: String,
    grid: Option<String>,
    resident: BTreeMap<&'static str, Value>,
    household: BTreeMap<&'static str, Value>,
    problems: Vec<String>,
}

/// Plans the import of `sheet` under `mapping` (import field key → header). Fails only when the
/// mapping lacks a name column or names a header the file does not have.
pub fn plan(
    sheet: &Sheet,
    mapping: &BTreeMap<String, String>,
    ctx: &Context,
    new_id: &mut dyn FnMut() -> String,
) -> Result<Plan, String> {
    let mut columns: Vec<(&Target, usize)> = Vec::new();
    for (key, header) in mapping.iter().filter(|(_, h)| !h.is_empty()) {
        let Some(t) = TARGETS.iter().find(|t| t.key == key) else {
            return Err(format!(
                "未知的导入项“{key}”（unknown import field \"{key}\"）"
            ));
        };
        let i = sheet
            .headers
            .iter()
            .position(|x| x == header)
            .ok_or_else(|| {
                format!("文件里没有“{header}”这一列（the file has no column \"{header}\"）")
            })?;
        columns.push((t, i));
    }
    if !columns.iter().any(|(t, _)| t.key == "name") {
        return Err("请指定哪一列是姓名（choose the column that holds the name）".into());
    }

    let snap = ctx.snapshot;
    let grid_names: Vec<(String, String)> = snap
        .of("grid")
        .map(|(id, f)| {
            let name = f.get("name").and_then(Value::as_str).unwrap_or_default();
            (id.clone(), name.to_owned())
        })
        .collect();
    let find_grid = |s: &str| -> Option<(String, String)> {
        let n = normalize_address(s);
        grid_names
            .iter()
            .find(|(id, name)| id == s || (!name.is_empty() && normalize_address(name) == n))
            .cloned()
    };
    let mut households: BTreeMap<(String, String), String> = snap
        .of("household")
        .filter_map(|(id, f)| {
            let grid = f.get("grid_id")?.as_str()?;
            let addr = f.get("address")?.as_str()?;
            Some(((grid.to_owned(), normalize_address(addr)), id.clone()))
        })
        .collect();
    // Existing residents first, in id order, then the file's new ones as they come.
    let mut people: Vec<(String, BTreeMap<String, Value>)> = snap
        .of("resident")
        .map(|(id, f)| (id.clone(), f.clone()))
        .collect();

    let mut out = Plan::default();
    for (row_no, cells) in &sheet.rows {
        let mut v = RowValues::default();
        let cell = |i: usize| cells.get(i).map(|c| c.trim()).filter(|c| !c.is_empty());
        let mut id_card = None;
        for (t, i) in &columns {
            let Some(raw) = cell(*i) else { continue };
            match t.dest {
                Dest::Grid => v.grid = Some(raw.to_owned()),
                Dest::IdCard => match parse_id_card(raw) {
                    Some(card) => id_card = Some(card),
                    None => v.problems.push(
                        "身份证号应为 18 位（或 15 位）号码，或其后四位（ID card number must have 18 or 15 characters, or be its last four）".into(),
                    ),
                },
                dest => {
                    let Some(def) = def_of(dest) else { continue };
                    match field_value(def, raw) {
                        Ok(value) => {
                            if let Dest::Household(f) = dest {
                                v.household.insert(f, value);
                            } else if let Dest::Resident(f) = dest {
                                if f == "name" {
                                    v.name = raw.to_owned();
                                }
                                v.resident.insert(f, value);
                            }
                        }
                        Err(message) => v.problems.push(message),
                    }
                }
            }
        }
        if let Some(card) = id_card {
            // Explicit columns win over what the number encodes.
            v.resident
                .entry("id_card_last4")
                .or_insert(json!(card.last4));
            if let Some(b) = card.birth_date {
                v.resident.entry("birth_date").or_insert(json!(b));
            }
            if let Some(g) = card.gender {
                v.resident.entry("gender").or_insert(json!(g));
            }
        }
        if v.name.is_empty() {
            v.problems.insert(0, "缺少姓名（name is missing）".into());
        }

        let grid = match (&v.grid, ctx.default_grid, ctx.allowed) {
            (Some(g), _, _) => find_grid(g).ok_or_else(|| {
                format!("未知的网格“{g}”（unknown grid \"{g}\"）")
            }),
            (None, Some(g), _) => {
                find_grid(g).ok_or_else(|| format!("未知的网格“{g}”（unknown grid \"{g}\"）"))
            }
            (None, None, Some([only])) => Ok((only.clone(), only.clone())),
            _ => Err("未指定网格：请在文件中加“网格”列，或选择默认网格（no grid: add a grid column or choose a default grid）".into()),
        };
        let grid = match grid {
            Ok((id, name)) if ctx.allowed.is_some_and(|a| !a.contains(&id)) => {
                v.problems.push(format!(
                    "网格“{name}”不在您负责的范围内（grid \"{name}\" is not one of yours）"
                ));
                None
            }
            Ok((id, _)) => Some(id),
            Err(message) => {
                v.problems.push(message);
                None
            }
        };

        let (Some(grid), true) = (grid, v.problems.is_empty()) else {
            out.rows.push(ImportRow {
                row: *row_no,
                action: ImportAction::Refuse,
                name: v.name,
                resident_id: None,
                problems: v.problems,
            });
            continue;
        };

        let mut candidate: BTreeMap<String, Value> = v
            .resident
            .iter()
            .map(|(k, val)| ((*k).to_owned(), val.clone()))
            .collect();
        candidate.insert("grid_id".into(), json!(grid));
        let found = people
            .iter()
            .position(|(_, fields)| same_person(&candidate, fields));

        let (action, id) = match found {
            Some(i) => (ImportAction::Merge, people[i].0.clone()),
            None => (ImportAction::Create, new_id()),
        };
        let key = ("resident".to_owned(), id.clone());
        let stored = snap.get("resident", &id);
        let current =
            |field: &str, writes: &BTreeMap<(String, String), BTreeMap<String, Value>>| {
                writes
                    .get(&key)
                    .and_then(|w| w.get(field))
                    .or_else(|| stored.and_then(|s| s.get(field)))
                    .cloned()
            };
        let mut changes: Vec<(String, Value)> = candidate
            .iter()
            .filter(|(f, val)| !same_value(f, current(f, &out.writes).as_ref(), val))
            .map(|(f, val)| (f.clone(), val.clone()))
            .collect();
        if current("household_id", &out.writes).is_none() {
            if let Some(hid) =
                plan_household(&grid, &v.household, &mut households, &mut out, snap, new_id)
            {
                changes.push(("household_id".into(), json!(hid)));
            }
        }
        let writes = out.writes.entry(key).or_default();
        writes.extend(changes);
        // Later rows match against what this person now is, file values included.
        match found {
            Some(i) => {
                for (f, val) in &candidate {
                    people[i].1.entry(f.clone()).or_insert(val.clone());
                }
            }
            None => people.push((id.clone(), candidate)),
        }
        out.rows.push(ImportRow {
            row: *row_no,
            action,
            name: v.name,
            resident_id: (action == ImportAction::Merge).then_some(id),
            problems: Vec::new(),
        });
    }
    out.writes.retain(|_, w| !w.is_empty());
    Ok(out)
}

/// Whether a stored value already says what the file says: "王 桂兰" is 王桂兰 and
/// "138 0000 0000" is 13800000000, so neither is rewritten.
fn same_value(field: &str, now: Option<&Value>, new: &Value) -> bool {
    let (Some(now), Some(new_text)) = (now, new.as_str()) else {
        return now == Some(new);
    };
    let Some(now_text) = now.as_str() else {
        return false;
    };
    match field {
        "name" => normalize_name(now_text) == normalize_name(new_text),
        "phone" => normalize_phone(now_text) == normalize_phone(new_text),
        _ => now_text == new_text,
    }
}

/// The household of a row: the grid's household at the same address, else a new one. `None`
/// when the row says nothing about where the person lives.
fn plan_household(
    grid: &str,
    values: &BTreeMap<&'static str, Value>,
    households: &mut BTreeMap<(String, String), String>,
    out: &mut Plan,
    snap: &Snapshot,
    new_id: &mut dyn FnMut() -> String,
) -> Option<String> {
    let address = model::entities::household::address_line(values);
    if address.is_empty() {
        return None;
    }
    let mut values = values.clone();
    values.insert("address", json!(address));
    let addr_key = (grid.to_owned(), normalize_address(&address));
    let (id, stored) = match households.get(&addr_key) {
        Some(id) => (id.clone(), snap.get("household", id)),
        None => {
            let id = new_id();
            households.insert(addr_key, id.clone());
            values.insert("grid_id", json!(grid));
            (id, None)
        }
    };
    let writes = out
        .writes
        .entry(("household".to_owned(), id.clone()))
        .or_default();
    for (f, val) in values {
        let now = writes.get(f).or_else(|| stored.and_then(|s| s.get(f)));
        if now != Some(&val) {
            writes.insert(f.to_owned(), val);
        }
    }
    Some(id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::export::{to_csv, to_xlsx, Cell, Table};

    fn table(rows: &[&[&str]]) -> Table {
        Table::of_text("名单", rows)
    }

    const ROWS: &[&[&str]] = &[
        &[
            "姓名",
            "性别",
            "出生日期",
            "联系电话",
            "住址",
            "网格",
            "独居",
        ],
        &[
            "王桂兰",
            "女",
            "1948-03-02",
            "13800000000",
            "幸福里 1 号楼 101",
            "第一网格",
            "是",
        ],
        &[
            "李建国",
            "男",
            "1950/7/1",
            "13900000000",
            "幸福里 1 号楼 101",
            "第一网格",
            "",
        ],
        &["", "男", "1950-01-01", "", "幸福里 2 号楼", "第一网格", ""],
        &[
            "张伟",
            "男",
            "1950-13-01",
            "123",
            "幸福里 3 号楼",
            "第一网格",
            "",
        ],
        &["赵六", "男", "1960-01-01", "", "某处", "第九网格", ""],
        &["王 桂兰", "女", "1948年3月2日", "", "", "第一网格", ""],
        &[
            "陈老伯",
            "男",
            "1940-05-05",
            "13700000000",
            "",
            "第二网格",
            "是",
        ],
    ];

    fn snapshot() -> Snapshot {
        let mut s = Snapshot::default();
        let mut put = |e: &str, id: &str, f: &[(&str, Value)]| {
            s.entities.entry(e.into()).or_default().insert(
                id.into(),
                f.iter()
                    .map(|(k, v)| ((*k).to_owned(), v.clone()))
                    .collect(),
            );
        };
        put("grid", "g1", &[("name", json!("第一网格"))]);
        put("grid", "g2", &[("name", json!("第二网格"))]);
        put("grid", "g3", &[("name", json!("第三网格"))]);
        put(
            "household",
            "h-old",
            &[("grid_id", json!("g2")), ("address", json!("老街 5 号"))],
        );
        put(
            "resident",
            "r-old",
            &[
                ("grid_id", json!("g2")),
                ("household_id", json!("h-old")),
                ("name", json!("陈老伯")),
                ("birth_date", json!("1940-05-05")),
                ("gender", json!("male")),
            ],
        );
        s
    }

    fn ids() -> impl FnMut() -> String {
        let mut n = 0;
        move || {
            n += 1;
            format!("new-{n}")
        }
    }

    fn run(sheet: &Sheet, allowed: Option<&[String]>) -> Plan {
        let snap = snapshot();
        let ctx = Context {
            snapshot: &snap,
            allowed,
            default_grid: None,
        };
        let mapping = suggest_mapping(&sheet.headers);
        plan(sheet, &mapping, &ctx, &mut ids()).unwrap()
    }

    fn actions(p: &Plan) -> Vec<(usize, ImportAction)> {
        p.rows.iter().map(|r| (r.row, r.action)).collect()
    }

    fn check_plan(p: &Plan) {
        use ImportAction::*;
        assert_eq!(
            actions(p),
            vec![
                (2, Create),
                (3, Create),
                (4, Refuse),
                (5, Refuse),
                (6, Refuse),
                (7, Merge),
                (8, Merge)
            ]
        );
        assert_eq!(p.rows[2].problems, vec!["缺少姓名（name is missing）"]);
        assert_eq!(p.rows[3].problems.len(), 2, "{:?}", p.rows[3].problems);
        assert!(p.rows[3].problems[0].starts_with("出生日期应为有效日期"));
        assert!(p.rows[3].problems[1].starts_with("联系电话"));
        assert!(p.rows[4].problems[0].contains("第九网格"));
        // The duplicate within the file goes into the first row's new resident.
        assert_eq!(p.rows[5].resident_id.as_deref(), Some("new-1"));
        assert_eq!(p.rows[6].resident_id.as_deref(), Some("r-old"));
        // Both people at one address share a household.
        let w = |e: &str, id: &str| p.writes[&(e.to_owned(), id.to_owned())].clone();
        let first = w("resident", "new-1");
        let second = w("resident", "new-3");
        assert_eq!(first["household_id"], json!("new-2"));
        assert_eq!(second["household_id"], json!("new-2"));
        assert_eq!(
            first["name"],
            json!("王桂兰"),
            "the in-file duplicate's spacing is not written"
        );
        assert_eq!(second["birth_date"], json!("1950-07-01"));
        assert_eq!(first["tag_living_alone"], json!(true));
        assert_eq!(first["gender"], json!("female"));
        let hh = w("household", "new-2");
        assert_eq!(hh["grid_id"], json!("g1"));
        assert_eq!(hh["address"], json!("幸福里 1 号楼 101"));
        // Only what the file adds to the existing resident is written: not the name, the sex, nor
        // a household it already has.
        let old = w("resident", "r-old");
        assert_eq!(
            old.keys().collect::<Vec<_>>(),
            ["phone", "tag_living_alone"]
        );
        assert_eq!(p.count(Create), 2);
        assert_eq!(p.count(Merge), 2);
        assert_eq!(p.count(Refuse), 3);
        for ((entity, id), fields) in &p.writes {
            for (field, value) in fields {
                let c = model::Change {
                    entity: entity.clone(),
                    id: id.clone(),
                    field: field.clone(),
                    value: value.clone(),
                    hlc: String::new(),
                };
                model::validate_change(&c).unwrap();
            }
        }
    }

    #[test]
    fn a_utf8_csv_is_planned_row_by_row() {
        let sheet = read_file(to_csv(&table(ROWS)).as_bytes()).unwrap();
        assert_eq!(sheet.headers[0], "姓名");
        check_plan(&run(&sheet, None));
    }

    #[test]
    fn a_gbk_csv_reads_like_the_utf8_one() {
        let text = to_csv(&table(ROWS));
        let (gbk, _, bad) = encoding_rs::GBK.encode(text.trim_start_matches('\u{FEFF}'));
        assert!(!bad);
        assert!(std::str::from_utf8(&gbk).is_err());
        let sheet = read_file(&gbk).unwrap();
        assert_eq!(sheet, read_file(text.as_bytes()).unwrap());
        check_plan(&run(&sheet, None));
    }

    #[test]
    fn an_xlsx_reads_like_the_csv() {
        let xlsx = to_xlsx(&table(ROWS));
        let sheet = read_file(&xlsx).unwrap();
        assert_eq!(sheet, read_file(to_csv(&table(ROWS)).as_bytes()).unwrap());
        check_plan(&run(&sheet, None));
    }

    #[test]
    fn xlsx_numbers_and_a_title_row_are_understood() {
        let t = Table {
            sheet: "s".into(),
            headers: vec!["幸福里社区重点人群名单".into()],
            rows: vec![
                vec![Cell::Empty],
                vec![
                    Cell::Text("序号".into()),
                    Cell::Text("姓名".into()),
                    Cell::Text("手机号码".into()),
                ],
                vec![
                    Cell::Number(1.0),
                    Cell::Text("王桂兰".into()),
                    Cell::Number(13800000000.0),
                ],
            ],
        };
        let sheet = read_file(&to_xlsx(&t)).unwrap();
        assert_eq!(sheet.headers, ["序号", "姓名", "手机号码"]);
        assert_eq!(
            sheet.rows,
            vec![(4, vec!["1".into(), "王桂兰".into(), "13800000000".into()])]
        );
    }

    #[test]
    fn a_supervisor_cannot_import_into_another_grid() {
        let sheet = read_file(to_csv(&table(ROWS)).as_bytes()).unwrap();
        let mine = ["g1".to_owned()];
        let p = run(&sheet, Some(&mine));
        assert_eq!(p.rows[6].action, ImportAction::Refuse);
        assert!(p.rows[6].problems[0].contains("不在您负责的范围内"));
        assert!(!p.writes.contains_key(&("resident".into(), "r-old".into())));
    }

    #[test]
    fn headers_suggest_the_mapping() {
        let headers: Vec<String> = [
            "序号",
            "姓名 *",
            "身份证号",
            "手机",
            "家庭住址",
            "所属网格",
            "慢性病",
        ]
        .map(String::from)
        .to_vec();
        let m = suggest_mapping(&headers);
        assert_eq!(m["name"], "姓名 *");
        assert_eq!(m["id_card"], "身份证号");
        assert_eq!(m["phone"], "手机");
        assert_eq!(m["address"], "家庭住址");
        assert_eq!(m["grid"], "所属网格");
        assert_eq!(m["tag_chronic"], "慢性病");
        assert_eq!(m.len(), 6);
        let keys: Vec<String> = fields().into_iter().map(|f| f.key).collect();
        assert!(m.keys().all(|k| keys.contains(k)));
    }

    #[test]
    fn an_id_card_gives_birth_date_sex_and_last_four_but_is_not_kept() {
        let t = table(&[
            &["姓名", "身份证号", "网格"],
            &["刘芳", "11010519491231002X", "第一网格"],
        ]);
        let p = run(&read_file(to_csv(&t).as_bytes()).unwrap(), None);
        let w = &p.writes[&("resident".to_owned(), "new-1".to_owned())];
        assert_eq!(w["birth_date"], json!("1949-12-31"));
        assert_eq!(w["gender"], json!("female"));
        assert_eq!(w["id_card_last4"], json!("002X"));
        assert!(!w.values().any(|v| v == &json!("11010519491231002X")));
    }

    #[test]
    fn bad_files_are_refused_with_a_reason() {
        assert!(read_file(b"").unwrap_err().contains("empty"));
        assert!(read_file(b"a,b\n1,2\n")
            .unwrap_err()
            .contains("no name column"));
        assert!(read_file(b"PK\x03\x04garbage")
            .unwrap_err()
            .contains("CSV or XLSX"));
        assert!(read_file(&[0, 1, 2, 3, 0xff])
            .unwrap_err()
            .contains("CSV or XLSX"));
        let sheet = read_file("姓名,电话\n王,1\n".as_bytes()).unwrap();
        let snap = snapshot();
        let ctx = Context {
            snapshot: &snap,
            allowed: None,
            default_grid: None,
        };
        let bad = BTreeMap::from([("name".to_owned(), "不存在".to_owned())]);
        assert!(plan(&sheet, &bad, &ctx, &mut ids()).is_err());
        let none = BTreeMap::from([("phone".to_owned(), "电话".to_owned())]);
        assert!(plan(&sheet, &none, &ctx, &mut ids()).is_err());
    }

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
    fn quoted_csv_cells_keep_commas_quotes_and_line_breaks() {
        let sheet =
            read_file("姓名,备注\r\n\"王,芳\",\"说\"\"好\"\"\n第二行\"\r\n李四,x\r\n".as_bytes())
                .unwrap();
        assert_eq!(
            sheet.rows,
            vec![
                (2, vec!["王,芳".to_owned(), "说\"好\"\n第二行".to_owned()]),
                (4, vec!["李四".to_owned(), "x".to_owned()])
            ]
        );
    }
}
