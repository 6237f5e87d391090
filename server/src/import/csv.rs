//! Delimited text as spreadsheets save it: RFC 4180 records read by the `csv` crate, rows of
//! any length, the delimiter (comma, tab or semicolon) guessed from the first line.

use super::decode::Records;
use super::limits::{Deadline, MAX_COLS, MAX_ROWS};
use super::ImportError;

/// The records of `text`, each with the line it starts on: a quoted cell may span lines. More
/// than [`MAX_ROWS`] records, or a record saying something past [`MAX_COLS`] columns, is
/// refused before its cells are copied; empty cells past it are dropped.
pub fn read(text: &str, deadline: &Deadline) -> Result<Records, ImportError> {
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter(text))
        .from_reader(text.as_bytes());
    let mut lines = Lines {
        text: text.as_bytes(),
        at: 0,
        line: 1,
    };
    let mut out = Vec::new();
    let mut record = ::csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(_) => return Err(ImportError::NotATable),
        }
        if out.len() >= MAX_ROWS {
            return Err(ImportError::TooManyCells);
        }
        if out.len().is_multiple_of(256) {
            deadline.check()?;
        }
        let width = (0..record.len())
            .rev()
            .find(|i| record.get(*i).is_some_and(|c| !c.is_empty()))
            .map_or(0, |last| last + 1);
        if width > MAX_COLS {
            return Err(ImportError::TooManyCells);
        }
        let byte = record.position().map_or(0, |p| p.byte() as usize);
        out.push((
            lines.of_record(byte),
            record.iter().take(MAX_COLS).map(str::to_owned).collect(),
        ));
    }
    Ok(out)
}

/// Line numbers counted forward from record to record. The csv crate's own count is no help: it
/// skips blank lines and counts a CRLF late.
struct Lines<'a> {
    text: &'a [u8],
    /// The byte the count has reached, and its 1-based line.
    at: usize,
    line: usize,
}

impl Lines<'_> {
    /// The line of the record the csv crate places at `byte`: that is where the previous
    /// record's line break began, so its first character is the first one past the breaks.
    fn of_record(&mut self, byte: usize) -> usize {
        let breaks = self.text[byte..]
            .iter()
            .take_while(|b| matches!(b, b'\r' | b'\n'))
            .count();
        let start = (byte + breaks).max(self.at);
        self.line += self.text[self.at..start]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        self.at = start;
        self.line
    }
}

/// The most frequent of comma, tab and semicolon on the first line; a comma when none is.
fn delimiter(text: &str) -> u8 {
    let first = text.lines().next().unwrap_or_default();
    [b',', b'\t', b';']
        .into_iter()
        .max_by_key(|d| first.matches(char::from(*d)).count())
        .filter(|d| first.contains(char::from(*d)))
        .unwrap_or(b',')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::read_file;

    fn rows(text: &str) -> Records {
        read(text, &Deadline::after(std::time::Duration::from_secs(60))).unwrap()
    }

    fn owned(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| (*c).to_owned()).collect()
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

    #[test]
    fn tab_and_semicolon_separated_text_is_read() {
        assert_eq!(
            rows("姓名\t备注\n王,芳\t是;否\n"),
            vec![
                (1, owned(&["姓名", "备注"])),
                (2, owned(&["王,芳", "是;否"]))
            ]
        );
        assert_eq!(
            rows("姓名;备注;电话\n王芳;x,y;1\n"),
            vec![
                (1, owned(&["姓名", "备注", "电话"])),
                (2, owned(&["王芳", "x,y", "1"]))
            ]
        );
        assert_eq!(delimiter("姓名\n"), b',');
    }

    #[test]
    fn short_rows_blank_lines_and_a_last_line_without_a_break_are_read() {
        assert_eq!(
            rows("名单\n\n姓名,电话,住址\r\n王芳,1\n\n李四,2,幸福里"),
            vec![
                (1, owned(&["名单"])),
                (3, owned(&["姓名", "电话", "住址"])),
                (4, owned(&["王芳", "1"])),
                (6, owned(&["李四", "2", "幸福里"])),
            ]
        );
    }
}
