//! XLSX, guarded: the zip container checked entry by entry (how many, declared and actual
//! unpacked sizes, packing ratio), and the shared strings' declared and actual counts and the
//! styles' element counts read, before calamine opens it; then the first sheet's cells streamed
//! one at a time through calamine's cell reader, each position checked against the caps.
//! calamine's own `worksheet_range` allocates the rectangle spanned by the outermost cells (a
//! cell at A1 and one at XFD1048576 ask for 17 billion), `Xlsx::new` reserves the declared
//! `uniqueCount` of shared strings and copies a font, fill and border into every cell format:
//! none of it happens beyond the caps on this path. The sheet's declared `<dimension>` is not
//! trusted either way: nothing here is laid out by it.

use std::io::{Cursor, Read};

use calamine::{Data, DataRef, Reader, Xlsx};

use super::decode::{cell_text, Records};
use super::limits::{
    Deadline, MAX_COLS, MAX_ENTRY_BYTES, MAX_RATIO, MAX_ROWS, MAX_TEXT_BYTES, MAX_UNPACKED_BYTES,
    MAX_ZIP_ENTRIES, RATIO_FROM_BYTES,
};
use super::ImportError;

/// The records of the first sheet of the workbook in `bytes`, each with its 1-based row number;
/// only rows with a cell that says something, cells counted from the leftmost used column.
pub fn read(bytes: &[u8], deadline: &Deadline) -> Result<Records, ImportError> {
    check_container(bytes, deadline)?;
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|_| ImportError::NotATable)?;
    let first = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or(ImportError::NoSheet)?;
    let mut reader = match book.worksheet_cells_reader(&first) {
        Ok(reader) => reader,
        // A chart sheet first: nothing to read, as calamine's own range would say.
        Err(calamine::XlsxError::NotAWorksheet(_)) => return Ok(Vec::new()),
        Err(_) => return Err(ImportError::NotATable),
    };
    let mut cells: Vec<(u32, u32, String)> = Vec::new();
    let mut text_bytes = 0usize;
    let mut seen = 0usize;
    while let Some(cell) = reader.next_cell().map_err(|_| ImportError::NotATable)? {
        seen += 1;
        if seen.is_multiple_of(1024) {
            deadline.check()?;
        }
        let value = cell.get_value();
        if matches!(value, DataRef::Empty) {
            continue;
        }
        let (row, col) = cell.get_position();
        if row as usize >= MAX_ROWS
            || col as usize >= MAX_COLS
            || cells.len() >= MAX_ROWS * MAX_COLS
        {
            return Err(ImportError::TooManyCells);
        }
        // Counted before the text is copied: one stored string may be used by every cell.
        text_bytes += match value {
            DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.len(),
            DataRef::SharedString(s) => s.len(),
            _ => 24,
        };
        if text_bytes > MAX_TEXT_BYTES {
            return Err(ImportError::TooLarge);
        }
        cells.push((row, col, cell_text(&Data::from(value.clone()))));
    }
    Ok(records(cells))
}

/// Rows of equal width from scattered cells; a later cell at the same place wins, as in
/// calamine's ranges.
fn records(mut cells: Vec<(u32, u32, String)>) -> Records {
    let Some(first_col) = cells.iter().map(|c| c.1).min() else {
        return Vec::new();
    };
    let width = cells.iter().map(|c| c.1).max().unwrap_or(first_col) - first_col + 1;
    cells.sort_by_key(|c| (c.0, c.1));
    let mut out: Records = Vec::new();
    for (row, col, text) in cells {
        let number = row as usize + 1;
        if out.last().is_none_or(|(n, _)| *n != number) {
            out.push((number, vec![String::new(); width as usize]));
        }
        if let Some((_, line)) = out.last_mut() {
            line[(col - first_col) as usize] = text;
        }
    }
    out
}

/// The container's checks, all before calamine reads it: declared sizes first (cheap), then
/// every entry actually unpacked and counted, since a declared size is only the writer's word.
/// calamine reads the same entries with the same zip crate afterwards, so what it unpacks is what
/// was counted here.
fn check_container(bytes: &[u8], deadline: &Deadline) -> Result<(), ImportError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| ImportError::NotATable)?;
    if zip.len() > MAX_ZIP_ENTRIES {
        return Err(ImportError::TooLarge);
    }
    let mut declared = 0u64;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|_| ImportError::NotATable)?;
        let (size, packed) = (entry.size(), entry.compressed_size().max(1));
        declared = declared.saturating_add(size);
        let bomb = size >= RATIO_FROM_BYTES && size / packed > MAX_RATIO;
        if size > MAX_ENTRY_BYTES || declared > MAX_UNPACKED_BYTES || bomb {
            return Err(ImportError::TooLarge);
        }
    }
    let mut total = 0u64;
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(|_| ImportError::NotATable)?;
        let name = entry
            .name()
            .map_err(|_| ImportError::NotATable)?
            .to_ascii_lowercase();
        // The parts calamine reads whole into lists as it opens, one item an element.
        let part = if name.ends_with("sharedstrings.xml") {
            Some(Part::SharedStrings)
        } else if name.ends_with("styles.xml") {
            Some(Part::Styles)
        } else {
            None
        };
        let mut kept = Vec::new();
        let mut unpacked = entry.take(MAX_ENTRY_BYTES + 1);
        let mut size = 0u64;
        loop {
            // The zip crate stops an entry unpacking past its declared size with an error: a
            // bomb that lied about its size, too large like one that did not (the
            // hostile-import tests hold the zip crate to these words).
            let n = unpacked.read(&mut buf).map_err(|e| {
                match e.to_string().contains("larger than its declared") {
                    true => ImportError::TooLarge,
                    false => ImportError::NotATable,
                }
            })?;
            if n == 0 {
                break;
            }
            size += n as u64;
            total += n as u64;
            if size > MAX_ENTRY_BYTES || total > MAX_UNPACKED_BYTES {
                return Err(ImportError::TooLarge);
            }
            if part.is_some() {
                kept.extend_from_slice(&buf[..n]);
            }
            deadline.check()?;
        }
        match part {
            Some(Part::SharedStrings) => {
                check_declared_counts(&kept)?;
                if count_elements(&kept, b"si") as u64 > MAX_SHARED_STRINGS {
                    return Err(ImportError::TooManyCells);
                }
            }
            Some(Part::Styles) => {
                let most = [&b"xf"[..], b"font", b"fill", b"border", b"numFmt"]
                    .iter()
                    .map(|e| count_elements(&kept, e))
                    .max();
                if most.unwrap_or(0) > MAX_STYLES {
                    return Err(ImportError::TooLarge);
                }
            }
            None => {}
        }
    }
    Ok(())
}

/// The parts of a workbook whose elements calamine keeps in lists as it opens.
#[derive(Clone, Copy)]
enum Part {
    SharedStrings,
    Styles,
}

/// The most cell formats (and fonts, fills, borders, number formats) a workbook may define:
/// Excel itself stops at 64,000. calamine copies a font, fill and border into each format, so
/// a styles part of a few MiB of `<xf/>` would otherwise take hundreds.
const MAX_STYLES: usize = 70_000;

/// How many `name` elements `xml` opens, with or without a namespace prefix: `<name` or
/// `:name` followed by a space, `/` or `>`. Text that happens to read so only adds to the count.
fn count_elements(xml: &[u8], name: &[u8]) -> usize {
    let mut n = 0;
    let mut from = 0;
    while let Some(at) = find(&xml[from..], name) {
        let start = from + at;
        let end = start + name.len();
        from = end;
        let opens = start > 0 && matches!(xml[start - 1], b'<' | b':');
        let ends = xml
            .get(end)
            .is_some_and(|b| b.is_ascii_whitespace() || *b == b'/' || *b == b'>');
        if opens && ends {
            n += 1;
        }
    }
    n
}

/// The most shared strings a sheet within the caps can use.
const MAX_SHARED_STRINGS: u64 = (MAX_ROWS * MAX_COLS) as u64;

/// Refuses shared strings declaring more strings than the caps allow: calamine reserves room
/// for the `uniqueCount` it reads before reading a single string. Every `count`/`uniqueCount`
/// attribute holding a number is judged, wherever it is, so neither a comment nor a namespace
/// prefix nor another `sst` element can slip one past; UTF-16 parts (Excel writes UTF-8) are no
/// table.
fn check_declared_counts(xml: &[u8]) -> Result<(), ImportError> {
    if xml.starts_with(&[0xFF, 0xFE]) || xml.starts_with(&[0xFE, 0xFF]) || xml.get(1) == Some(&0) {
        return Err(ImportError::NotATable);
    }
    let lower = xml.to_ascii_lowercase();
    let mut from = 0;
    while let Some(at) = find(&lower[from..], b"count") {
        let after = from + at + b"count".len();
        from = after;
        if let Some(n) = quoted_number(&lower[after..]) {
            if n > MAX_SHARED_STRINGS {
                return Err(ImportError::TooManyCells);
            }
        }
    }
    Ok(())
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// `= "123"` (spaces and either quote allowed) at the start of `s`: the number, saturating;
/// `None` when `s` does not start so.
fn quoted_number(s: &[u8]) -> Option<u64> {
    let mut i = 0;
    let skip = |i: &mut usize| {
        while s.get(*i).is_some_and(u8::is_ascii_whitespace) {
            *i += 1;
        }
    };
    skip(&mut i);
    (s.get(i) == Some(&b'=')).then_some(())?;
    i += 1;
    skip(&mut i);
    let quote = *s.get(i).filter(|q| **q == b'"' || **q == b'\'')?;
    i += 1;
    let digits = s[i..].iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || s.get(i + digits) != Some(&quote) {
        return None;
    }
    Some(s[i..i + digits].iter().fold(0u64, |n, d| {
        n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_counts_are_read_however_written() {
        assert_eq!(quoted_number(b" = '12' x"), Some(12));
        assert_eq!(quoted_number(b"=\"0099\""), Some(99));
        assert_eq!(quoted_number(b"=\"12'"), None);
        assert_eq!(quoted_number(b"=\"\""), None);
        assert_eq!(quoted_number(b"Of"), None);
        assert_eq!(
            quoted_number(b"=\"99999999999999999999999999\""),
            Some(u64::MAX)
        );
        let sst = |attrs: &str| {
            format!("<?xml version=\"1.0\"?><!-- x --><x:sst {attrs}><si><t>a</t></si></x:sst>")
        };
        assert!(check_declared_counts(sst("count=\"3\" uniqueCount=\"1\"").as_bytes()).is_ok());
        for bad in [
            "uniqueCount=\"18446744073709551615\"",
            "count = '2000000'",
            "UNIQUECOUNT=\"99999999\"",
        ] {
            assert_eq!(
                check_declared_counts(sst(bad).as_bytes()),
                Err(ImportError::TooManyCells),
                "{bad}"
            );
        }
    }

    #[test]
    fn elements_are_counted_with_or_without_a_prefix() {
        let xml = b"<sst><si><t>si </t></si><x:si/><si\n><sis/><xsi>a:si b</sst>";
        // <si>, <x:si/>, <si\n>, and the text "a:si " (counting high is harmless).
        assert_eq!(count_elements(xml, b"si"), 4);
        assert_eq!(count_elements(b"<xf/><xf a=\"1\"><xfs>", b"xf"), 2);
    }

    #[test]
    fn scattered_cells_become_rows_from_the_first_used_column() {
        let cells = vec![
            (3, 2, "b".to_owned()),
            (0, 1, "x".to_owned()),
            (3, 1, "a".to_owned()),
            (0, 1, "y".to_owned()),
        ];
        assert_eq!(
            records(cells),
            vec![
                (1, vec!["y".to_owned(), String::new()]),
                (4, vec!["a".to_owned(), "b".to_owned()])
            ]
        );
    }
}
