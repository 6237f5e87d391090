//! What validation found wrong, as data: a [`Problem`] names the entity and field and its
//! [`ProblemKind`] carries what a sentence needs (bounds, members, the expected type). Its JSON
//! is the `code` of an error detail; the wording lives here, once, in both languages.

use serde::{Deserialize, Serialize};

use crate::schema::{self, FieldDef, FieldType};

/// The language a problem is worded in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

/// One refused change: its entity and field (as sent, cut short when unknown) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub entity: String,
    pub field: String,
    #[serde(flatten)]
    pub kind: ProblemKind,
}

/// What is wrong with a change. On the wire: `"kind"` in snake case, next to its data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ProblemKind {
    UnknownEntity,
    /// The record id is not 1–64 letters, digits or dashes.
    BadId {
        id: String,
    },
    UnknownField,
    /// The value is not of the field's type (an enum's is [`ProblemKind::NotAMember`]).
    WrongType {
        expected: Expected,
    },
    NotAMember {
        members: Vec<String>,
    },
    /// All digits starting with 1, so a mobile, but not 11 of them.
    BadMobile,
    /// Neither a mobile nor a landline of 7–20 digits and dashes.
    BadPhone,
    OutOfRange {
        min: i64,
        max: i64,
    },
    /// More than `max` characters.
    TooLong {
        max: usize,
    },
    /// Not three digits and then a digit or X.
    BadIdCard,
    /// A kind a newer server knows and this version does not: show the server's message.
    #[serde(other)]
    Other,
}

/// The type a value should have had.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Expected {
    Text,
    Integer,
    Decimal,
    Boolean,
    Date,
    Timestamp,
    Reference,
    /// A type a newer server knows and this version does not.
    #[serde(other)]
    Other,
}

impl ProblemKind {
    /// A value that is not of type `ty`.
    pub(super) fn wrong_type(ty: FieldType) -> ProblemKind {
        let expected = match ty {
            FieldType::Enum(members) => {
                let members = members.iter().map(|m| m.to_string()).collect();
                return ProblemKind::NotAMember { members };
            }
            FieldType::Text => Expected::Text,
            FieldType::Integer => Expected::Integer,
            FieldType::Decimal => Expected::Decimal,
            FieldType::Boolean => Expected::Boolean,
            FieldType::Date => Expected::Date,
            FieldType::Timestamp => Expected::Timestamp,
            FieldType::Reference(_) => Expected::Reference,
        };
        ProblemKind::WrongType { expected }
    }

    /// The bilingual message for this problem with a value of `field`.
    pub fn message_for(&self, entity: &str, field: &FieldDef) -> String {
        let (zh, en) = self
            .about_value(entity, field)
            .unwrap_or_else(|| unworded(field.zh, field.en));
        both(&zh, &en)
    }

    /// The Chinese and the English sentence about a value of `entity.field`; `None` for a kind
    /// that is not about a value, or that this version does not know.
    fn about_value(&self, entity: &str, field: &FieldDef) -> Option<(String, String)> {
        use ProblemKind::*;
        let (zh, en) = (field.zh, field.en);
        Some(match self {
            WrongType { expected } => {
                let (should_zh, should_en) = expected.sentence()?;
                (format!("{zh}{should_zh}"), format!("{en} {should_en}"))
            }
            // The members by their labels, as the person sees them in the form's choices; the
            // codes stay in the problem itself for a program to read.
            NotAMember { members } => {
                let (labels_zh, labels_en): (Vec<_>, Vec<_>) = members
                    .iter()
                    .map(|m| crate::labels::member(entity, field.name, m))
                    .unzip();
                (
                    format!("{zh}应为以下之一：{}", labels_zh.join("、")),
                    format!("{en} must be one of: {}", labels_en.join(", ")),
                )
            }
            BadMobile => (
                format!("{zh}：手机号应为 11 位数字"),
                format!("{en}: a mobile number has 11 digits"),
            ),
            BadPhone => (
                format!("{zh}应为 11 位手机号，或由数字和“-”组成的 7 到 20 位固定电话，例如 010-12345678"),
                format!("{en}: must be an 11-digit mobile number or a landline of 7–20 digits and dashes, e.g. 010-12345678"),
            ),
            OutOfRange { min, max } => (
                format!("{zh}应在 {min} 到 {max} 之间"),
                format!("{en} must be between {min} and {max}"),
            ),
            TooLong { max } => (
                format!("{zh}不能超过 {max} 个字"),
                format!("{en} must be at most {max} characters"),
            ),
            BadIdCard => (
                format!("{zh}应为 4 位，前三位是数字，最后一位是数字或大写 X"),
                format!("{en} must be 4 characters: three digits, then a digit or capital X"),
            ),
            UnknownEntity | BadId { .. } | UnknownField | Other => return None,
        })
    }
}

impl Expected {
    /// What a value of this type must be, after the field's label.
    fn sentence(self) -> Option<(&'static str, &'static str)> {
        Some(match self {
            Expected::Text => ("应为文字", "must be text"),
            Expected::Integer => ("应为整数", "must be a whole number"),
            Expected::Decimal => ("应为数字", "must be a number"),
            Expected::Boolean => ("应为是或否", "must be true or false"),
            Expected::Date => (
                "应为有效日期，格式 YYYY-MM-DD，例如 1950-03-01",
                "must be a real date written YYYY-MM-DD, e.g. 1950-03-01",
            ),
            Expected::Timestamp => (
                "应为时间（毫秒时间戳）",
                "must be a time in unix milliseconds",
            ),
            Expected::Reference => ("应为所关联记录的编号", "must be the id of a record"),
            Expected::Other => return None,
        })
    }
}

impl Problem {
    /// The message the server sends: Chinese, then English in full-width parentheses.
    pub fn message(&self) -> String {
        let (zh, en) = self.sentences();
        both(&zh, &en)
    }

    pub fn message_zh(&self) -> String {
        self.sentences().0
    }

    pub fn message_en(&self) -> String {
        self.sentences().1
    }

    /// Both sentences; a problem this version cannot word (from a newer server) says only that
    /// the field is invalid.
    fn sentences(&self) -> (String, String) {
        self.worded()
            .unwrap_or_else(|| unworded(&self.field, &self.field))
    }

    /// Both sentences, labels from the schema; `None` for an unknown kind, or an entity or
    /// field this version's schema does not have.
    fn worded(&self) -> Option<(String, String)> {
        let (e, f) = (&self.entity, &self.field);
        match &self.kind {
            ProblemKind::UnknownEntity => Some((
                format!("未知的记录类型“{e}”"),
                format!("unknown entity \"{e}\""),
            )),
            ProblemKind::BadId { id } => Some((
                format!("记录编号“{id}”无效，应为 1 到 64 个字母、数字或连字符"),
                format!("invalid record id \"{id}\": use 1–64 letters, digits or dashes"),
            )),
            ProblemKind::UnknownField => {
                let entity = schema::entity(e)?;
                Some((
                    format!("{}没有“{f}”这一项", entity.zh),
                    format!("{} has no field \"{f}\"", entity.en),
                ))
            }
            kind => {
                let field = schema::entity(e)?.field(f)?;
                kind.about_value(e, field)
            }
        }
    }
}

/// `problem` worded in `lang` from this version's schema and sentences; `None` when it cannot
/// be (a kind, entity or field only a newer server knows): show the server's message then.
pub fn render(problem: &Problem, lang: Lang) -> Option<String> {
    let (zh, en) = problem.worded()?;
    Some(match lang {
        Lang::Zh => zh,
        Lang::En => en,
    })
}

/// The two sentences as one message, the way every validation message reads.
fn both(zh: &str, en: &str) -> String {
    format!("{zh}（{en}）")
}

fn unworded(zh: &str, en: &str) -> (String, String) {
    (format!("{zh}无效"), format!("{en} is invalid"))
}
