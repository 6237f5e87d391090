//! One data row read under the mapping: the columns it picks, and each cell parsed into its
//! field's value or a problem, before anything is matched against the stored records.

use std::collections::BTreeMap;

use model::entities::resident;
use serde_json::{json, Value};

use super::cells::{field_value, parse_id_card, IdCard};
use super::headers::{target, Dest, Target};
use super::{ImportError, Problem};

/// A mapped column: the field it fills and where it is in the row.
pub struct Column {
    target: &'static Target,
    index: usize,
}

/// The columns `mapping` (import field key → header) picks out of `headers`. Fails when it
/// names an unknown field or a header the file does not have, or maps no name column.
pub fn columns(
    headers: &[String],
    mapping: &BTreeMap<String, String>,
) -> Result<Vec<Column>, ImportError> {
    let mut columns = Vec::new();
    for (key, header) in mapping.iter().filter(|(_, h)| !h.is_empty()) {
        let target = target(key).ok_or_else(|| ImportError::UnknownField(key.clone()))?;
        let index = headers
            .iter()
            .position(|x| x == header)
            .ok_or_else(|| ImportError::NoSuchColumn(header.clone()))?;
        columns.push(Column { target, index });
    }
    if !columns
        .iter()
        .any(|c| c.target.key == resident::field::NAME)
    {
        return Err(ImportError::NameNotMapped);
    }
    Ok(columns)
}

/// What one row says, checked field by field.
#[derive(Debug, Default)]
pub struct RowValues {
    /// The name as written, for the report.
    pub name: String,
    /// The grid as written: a name or an id.
    pub grid: Option<String>,
    pub resident: BTreeMap<&'static str, Value>,
    pub household: BTreeMap<&'static str, Value>,
    pub problems: Vec<Problem>,
}

/// Reads `cells` under `columns`; blank cells say nothing.
pub fn read(columns: &[Column], cells: &[String]) -> RowValues {
    let mut v = RowValues::default();
    let mut id_card = None;
    for column in columns {
        let Some(raw) = cells
            .get(column.index)
            .map(|c| c.trim())
            .filter(|c| !c.is_empty())
        else {
            continue;
        };
        match column.target.dest {
            Dest::Grid => v.grid = Some(raw.to_owned()),
            Dest::IdCard => match parse_id_card(raw) {
                Some(card) => id_card = Some(card),
                None => v.problems.push(Problem::BadIdCard),
            },
            dest => v.field(dest, raw),
        }
    }
    if let Some(card) = id_card {
        v.fill_from(card);
    }
    if v.name.is_empty() {
        v.problems.insert(0, Problem::MissingName);
    }
    v
}

impl RowValues {
    /// Parses `raw` into the resident or household field `dest`.
    fn field(&mut self, dest: Dest, raw: &str) {
        let (Some(entity), Some(def)) = (dest.entity(), dest.def()) else {
            return;
        };
        match (field_value(entity, def, raw), dest) {
            (Err(problem), _) => self.problems.push(problem),
            (Ok(value), Dest::Household(f)) => {
                self.household.insert(f, value);
            }
            (Ok(value), Dest::Resident(f)) => {
                if f == resident::field::NAME {
                    self.name = raw.to_owned();
                }
                self.resident.insert(f, value);
            }
            (Ok(_), Dest::Grid | Dest::IdCard) => {}
        }
    }

    /// What an identity card number encodes; explicit columns win over it.
    fn fill_from(&mut self, card: IdCard) {
        use resident::field::{BIRTH_DATE, GENDER, ID_CARD_LAST4};
        self.resident
            .entry(ID_CARD_LAST4)
            .or_insert(json!(card.last4));
        if let Some(b) = card.birth_date {
            self.resident.entry(BIRTH_DATE).or_insert(json!(b));
        }
        if let Some(g) = card.gender {
            self.resident.entry(GENDER).or_insert(json!(g));
        }
    }
}
