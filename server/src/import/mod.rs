//! Roster import: reading the CSV or XLSX an office already keeps, suggesting which column is
//! which Knock field, and planning, row by row, the households and residents to create or merge.
//! Pure: the handler reads the snapshot, writes the plan through the push pipeline, and turns
//! the errors and row problems here into its HTTP errors and report.

mod cells;
mod csv;
mod decode;
mod headers;
pub mod limits;
mod plan;
mod row;
#[cfg(test)]
mod tests;
mod xlsx;

use std::collections::BTreeMap;

use model::wire::ImportAction;

use crate::snapshot::Snapshot;

pub use decode::{read_file, read_file_until};
pub use headers::{fields, suggest_mapping};
pub use plan::plan;

/// A roster's table: its header row and the data rows under it, each with its 1-based row
/// number in the file so a person can find it.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub headers: Vec<String>,
    pub rows: Vec<(usize, Vec<String>)>,
}

/// What the importing user may touch and what the rows fall back on.
pub struct Context<'a> {
    pub snapshot: &'a Snapshot,
    /// The grids the user may import into; `None` for an admin, who may use any.
    pub allowed: Option<&'a [String]>,
    /// The grid of rows that name none.
    pub default_grid: Option<&'a str>,
    /// When planning must stop ([`ImportError::TooSlow`]).
    pub deadline: limits::Deadline,
}

/// Each row's fate and the field values to write, by entity and record id.
#[derive(Debug, Default)]
pub struct Plan {
    pub rows: Vec<Row>,
    pub writes: BTreeMap<(String, String), model::record::Values>,
}

impl Plan {
    pub fn count(&self, action: ImportAction) -> usize {
        self.rows.iter().filter(|r| r.action == action).count()
    }
}

/// One data row's fate: created, merged into `resident_id`, or refused for its `problems`.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The 1-based row number in the file.
    pub row: usize,
    pub action: ImportAction,
    pub name: String,
    pub resident_id: Option<String>,
    pub problems: Vec<Problem>,
}

/// Why a whole file or mapping cannot be imported. The message is bilingual, for the person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("文件是空的（the file is empty）")]
    Empty,
    #[error(
        "无法识别文件：请上传 CSV 或 XLSX 表格（not a readable table: upload a CSV or XLSX file）"
    )]
    NotATable,
    #[error("表格里没有工作表（the workbook has no sheet）")]
    NoSheet,
    #[error("找不到“姓名”列：第一行应为表头，其中一列是姓名（no name column: the first row must be headers, one of them 姓名 or name)")]
    NoNameColumn,
    #[error("未知的导入项“{0}”（unknown import field \"{0}\"）")]
    UnknownField(String),
    #[error("文件里没有“{0}”这一列（the file has no column \"{0}\"）")]
    NoSuchColumn(String),
    #[error("请指定哪一列是姓名（choose the column that holds the name）")]
    NameNotMapped,
    /// Over [`limits::MAX_FILE_BYTES`], or a workbook unpacking to more than its caps: the
    /// only error answered 413 `too_large`, the others are 422 `invalid`.
    #[error("文件太大：表格文件不能超过 5 MiB，解压后不能超过 32 MiB，请拆分后分批导入（the file is too large: at most 5 MiB, and 32 MiB unpacked; split it into several files）")]
    TooLarge,
    #[error("表格最多 20000 行、64 列，请拆分后再导入（a sheet may have at most 20,000 rows and 64 columns: split it into several files）")]
    TooManyCells,
    #[error("文件太复杂，20 秒内没能读完，请拆分后再导入（the file could not be read within 20 seconds: split it into several files）")]
    TooSlow,
    #[error("不支持旧版 Excel（.xls）文件：请在 Excel 中另存为 .xlsx 或 CSV 后再导入（old .xls files are not read: save the file as .xlsx or CSV first）")]
    OldExcel,
}

/// Why one row is refused. The message is bilingual, for the person fixing the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("缺少姓名（name is missing）")]
    MissingName,
    #[error("身份证号应为 18 位（或 15 位）号码，或其后四位（ID card number must have 18 or 15 characters, or be its last four）")]
    BadIdCard,
    #[error("{zh}应填“是”或“否”（{en} must be yes or no）")]
    NotYesOrNo { zh: &'static str, en: &'static str },
    #[error("{zh}应为“男”或“女”（{en} must be 男/male or 女/female）")]
    NotASex { zh: &'static str, en: &'static str },
    /// The schema's own check of the value, in its words.
    #[error("{0}")]
    Invalid(String),
    #[error("未知的网格“{0}”（unknown grid \"{0}\"）")]
    UnknownGrid(String),
    #[error("未指定网格：请在文件中加“网格”列，或选择默认网格（no grid: add a grid column or choose a default grid）")]
    NoGrid,
    /// The grid as the file or request wrote it: a grid outside the user's, existing or not.
    #[error("网格“{0}”不在您负责的范围内，请检查网格名称（grid \"{0}\" is not one of yours: check its name）")]
    NotYourGrid(String),
}
