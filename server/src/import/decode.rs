//! From a file's bytes to its sheet: the format told by its first bytes, text decoded from
//! UTF-8 or GBK, a workbook's first sheet read by `xlsx`, and the header row found.

use super::headers::has_name_column;
use super::limits::{self, Deadline};
use super::{ImportError, Sheet};

/// A file's records, blank ones included, each with its 1-based line or row number.
pub type Records = Vec<(usize, Vec<String>)>;

/// Reads a CSV (UTF-8, or GB18030/GBK as Excel on Chinese Windows saves it) or an XLSX
/// workbook's first sheet, within the caps of [`super::limits`] and
/// [`MAX_IMPORT_TIME`](super::limits::MAX_IMPORT_TIME). Pure: the bytes in, the sheet or why
/// not out; any bytes at all are answered without panicking or allocating beyond the caps.
pub fn read_file(bytes: &[u8]) -> Result<Sheet, ImportError> {
    read_file_until(bytes, &Deadline::after(limits::MAX_IMPORT_TIME))
}

/// [`read_file`], giving up with [`ImportError::TooSlow`] once `deadline` has passed.
pub fn read_file_until(bytes: &[u8], deadline: &Deadline) -> Result<Sheet, ImportError> {
    if bytes.len() > limits::MAX_FILE_BYTES {
        return Err(ImportError::TooLarge);
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ImportError::Empty);
    }
    // A zip is an XLSX (an ODS or XLSB is no table to us); an OLE container is an old XLS,
    // whose reader lays out every sheet's full rectangle as it opens: refused with what to do.
    let records = if bytes.starts_with(b"PK\x03\x04") {
        super::xlsx::read(bytes, deadline)?
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(ImportError::OldExcel);
    } else {
        super::csv::read(&decode_text(bytes)?, deadline)?
    };
    deadline.check()?;
    sheet(records)
}

/// A cell as the roster's text: numbers without a needless ".0", dates as `YYYY-MM-DD`.
pub fn cell_text(d: &calamine::Data) -> String {
    use calamine::Data;
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
}

/// Integers without ".0": a phone number typed into Excel is stored as a float.
fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// UTF-8 without its byte-order mark, else GB18030; binary files are no table.
fn decode_text(bytes: &[u8]) -> Result<String, ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.contains(&0) {
        return Err(ImportError::NotATable);
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_owned()),
        Err(_) => {
            // Excel on Chinese Windows writes "CSV" in the system code page, GBK; GB18030 is
            // its superset.
            let (text, _, had_errors) = encoding_rs::GB18030.decode(bytes);
            if had_errors {
                Err(ImportError::NotATable)
            } else {
                Ok(text.into_owned())
            }
        }
    }
}

/// Finds the header row (a title line above it is common in office rosters: the first of the
/// first ten rows with a name column wins) and drops blank rows.
fn sheet(records: Records) -> Result<Sheet, ImportError> {
    let rows: Records = records
        .into_iter()
        .filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()))
        .map(|(n, cells)| (n, cells.iter().map(|c| c.trim().to_owned()).collect()))
        .collect();
    if rows.is_empty() {
        return Err(ImportError::Empty);
    }
    let header_at = rows
        .iter()
        .take(10)
        .position(|(_, cells)| has_name_column(cells))
        .ok_or(ImportError::NoNameColumn)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use model::export::{to_xlsx, Cell, Table};

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
    fn a_csv_title_line_above_the_headers_is_skipped() {
        let sheet =
            read_file("幸福里社区重点人群名单,,\n,,\n序号,姓名,\n1, 王桂兰 ,x\n".as_bytes())
                .unwrap();
        assert_eq!(sheet.headers, ["序号", "姓名", "C"]);
        assert_eq!(
            sheet.rows,
            vec![(4, vec!["1".into(), "王桂兰".into(), "x".into()])]
        );
    }

    #[test]
    fn a_utf8_byte_order_mark_is_not_part_of_the_first_header() {
        let sheet = read_file("\u{FEFF}姓名,电话\n王芳,1\n".as_bytes()).unwrap();
        assert_eq!(sheet.headers, ["姓名", "电话"]);
        assert_eq!(decode_text(b"\xEF\xBB\xBFa").unwrap(), "a");
    }

    #[test]
    fn gbk_text_is_decoded_and_binary_is_refused() {
        let (gbk, _, bad) = encoding_rs::GBK.encode("姓名,住址\n王芳,幸福里\n");
        assert!(!bad);
        assert_eq!(decode_text(&gbk).unwrap(), "姓名,住址\n王芳,幸福里\n");
        assert_eq!(decode_text(b"a\0b"), Err(ImportError::NotATable));
        assert_eq!(decode_text(&[0x81, 0x20]), Err(ImportError::NotATable));
    }
}
