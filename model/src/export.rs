//! Spreadsheets for the report upward, made the same way on a phone (offline) and on the server:
//! CSV that Excel on Chinese Windows opens correctly, and a minimal XLSX workbook written by
//! hand (a "stored" zip of six XML parts), so neither the app's size nor its build carries a
//! spreadsheet crate.

/// A table to export: a sheet name, header row, and rows of cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub sheet: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// A table of text from rows of strings, the first row the headers; a blank string is an
    /// empty cell. What a roster typed into a spreadsheet looks like.
    pub fn of_text<R: AsRef<[S]>, S: AsRef<str>>(sheet: &str, rows: &[R]) -> Table {
        let text =
            |r: &R| -> Vec<String> { r.as_ref().iter().map(|c| c.as_ref().to_owned()).collect() };
        Table {
            sheet: sheet.into(),
            headers: rows.first().map(text).unwrap_or_default(),
            rows: rows
                .iter()
                .skip(1)
                .map(|r| {
                    text(r)
                        .into_iter()
                        .map(|c| {
                            if c.is_empty() {
                                Cell::Empty
                            } else {
                                Cell::Text(c)
                            }
                        })
                        .collect()
                })
                .collect(),
        }
    }
}

/// One cell. Numbers stay numbers in XLSX so a supervisor can sum and sort them.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
    Empty,
}

/// Integers without a trailing ".0"; NaN and infinities are blank, as no spreadsheet can hold them.
fn number_text(n: f64) -> String {
    if !n.is_finite() {
        String::new()
    } else if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// RFC 4180 with CRLF line ends, starting with a UTF-8 byte order mark: without it Excel reads
/// the file in the system code page and Chinese text comes out garbled.
pub fn to_csv(t: &Table) -> String {
    let mut out = String::from("\u{FEFF}");
    let line = |cells: Vec<String>| {
        cells
            .iter()
            .map(|c| csv_field(c))
            .collect::<Vec<_>>()
            .join(",")
            + "\r\n"
    };
    out.push_str(&line(t.headers.clone()));
    for row in &t.rows {
        out.push_str(&line(
            row.iter()
                .map(|c| match c {
                    Cell::Text(s) => defuse(s),
                    Cell::Number(n) => number_text(*n),
                    Cell::Empty => String::new(),
                })
                .collect(),
        ));
    }
    out
}

/// A text that a spreadsheet would run as a formula (a name typed as `=HYPERLINK(...)` on some
/// phone) gets a leading apostrophe, so opening the export never runs what a user typed.
fn defuse(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}

/// Column letters of a zero-based index: 0 → A, 25 → Z, 26 → AA.
pub fn column_name(mut index: usize) -> String {
    let mut name = Vec::new();
    loop {
        name.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    name.reverse();
    String::from_utf8(name).unwrap_or_default()
}

/// XML text: escaped, and without the control characters XML 1.0 forbids.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Width in Excel's character units of the longest line (a cell wraps at its line breaks); a
/// CJK character takes about two.
fn display_width(s: &str) -> usize {
    s.split(['\r', '\n'])
        .map(|line| {
            line.chars()
                .map(|c| if (c as u32) >= 0x2E80 { 2 } else { 1 })
                .sum()
        })
        .max()
        .unwrap_or(0)
}

/// A name Excel will open without "repairing" the workbook: none of : \ / ? * [ ], no control
/// characters (they would vanish in the XML and could leave the name empty), no apostrophe at
/// either end, not the reserved "History", and at most 31 UTF-16 units.
fn sheet_name(name: &str) -> String {
    let allowed: String = name
        .chars()
        .filter(|c| !matches!(c, ':' | '\\' | '/' | '?' | '*' | '[' | ']') && !c.is_control())
        .collect();
    let mut clean = String::new();
    let mut units = 0;
    for c in allowed.trim_matches('\'').chars() {
        units += c.len_utf16();
        if units > 31 {
            break;
        }
        clean.push(c);
    }
    let clean = clean.trim_end_matches('\'');
    if clean.is_empty() || clean.eq_ignore_ascii_case("history") {
        "Sheet1".into()
    } else {
        clean.to_owned()
    }
}

fn sheet_xml(t: &Table) -> String {
    let columns = t
        .headers
        .len()
        .max(t.rows.iter().map(Vec::len).max().unwrap_or(0));
    let mut widths = vec![8usize; columns];
    let cell_text = |c: &Cell| match c {
        Cell::Text(s) => s.clone(),
        Cell::Number(n) => number_text(*n),
        Cell::Empty => String::new(),
    };
    // The cap keeps one long remark from pushing every other column off screen.
    for (i, h) in t.headers.iter().enumerate() {
        widths[i] = widths[i].max((display_width(h) + 2).min(60));
    }
    for row in &t.rows {
        for (i, c) in row.iter().enumerate() {
            widths[i] = widths[i].max((display_width(&cell_text(c)) + 2).min(60));
        }
    }
    let mut x = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>"#,
    );
    if columns > 0 {
        x.push_str("<cols>");
        for (i, w) in widths.iter().enumerate() {
            x.push_str(&format!(
                r#"<col min="{n}" max="{n}" width="{w}" customWidth="1"/>"#,
                n = i + 1
            ));
        }
        x.push_str("</cols>");
    }
    x.push_str("<sheetData>");
    let text_cell = |r: usize, c: usize, s: &str, style: u8| {
        format!(
            r#"<c r="{}{}" t="inlineStr" s="{style}"><is><t xml:space="preserve">{}</t></is></c>"#,
            column_name(c),
            r,
            xml(s)
        )
    };
    x.push_str(r#"<row r="1">"#);
    for (i, h) in t.headers.iter().enumerate() {
        x.push_str(&text_cell(1, i, h, 1));
    }
    x.push_str("</row>");
    for (ri, row) in t.rows.iter().enumerate() {
        let r = ri + 2;
        x.push_str(&format!(r#"<row r="{r}">"#));
        for (ci, c) in row.iter().enumerate() {
            match c {
                Cell::Text(s) => x.push_str(&text_cell(r, ci, s, 0)),
                Cell::Number(n) if n.is_finite() => x.push_str(&format!(
                    r#"<c r="{}{}"><v>{}</v></c>"#,
                    column_name(ci),
                    r,
                    number_text(*n)
                )),
                Cell::Number(_) | Cell::Empty => {}
            }
        }
        x.push_str("</row>");
    }
    x.push_str("</sheetData></worksheet>");
    x
}

/// A minimal Office Open XML workbook of one sheet, the header row bold and frozen.
pub fn to_xlsx(t: &Table) -> Vec<u8> {
    let workbook = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="{}" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        xml(&sheet_name(&t.sheet))
    );
    let parts: Vec<(&str, String)> = vec![
        ("[Content_Types].xml", r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>"#.into()),
        ("_rels/.rels", r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.into()),
        ("xl/workbook.xml", workbook),
        ("xl/_rels/workbook.xml.rels", r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#.into()),
        ("xl/worksheets/sheet1.xml", sheet_xml(t)),
        ("xl/styles.xml", r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>"#.into()),
    ];
    zip_stored(&parts)
}

/// Built at compile time, so neither the phone nor the server pays for it per export.
const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut bit = 0;
        while bit < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            bit += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
};

/// CRC-32 (IEEE, reflected, polynomial 0xEDB88320), as zip requires.
pub fn crc32(bytes: &[u8]) -> u32 {
    !bytes.iter().fold(!0u32, |c, b| {
        CRC_TABLE[((c ^ u32::from(*b)) & 0xFF) as usize] ^ (c >> 8)
    })
}

/// A zip of uncompressed ("stored") entries: every reader accepts it and it needs no deflate.
fn zip_stored(files: &[(&str, String)]) -> Vec<u8> {
    // 1980-01-01 00:00, the earliest DOS time: exports need no file times.
    const DOS_TIME: u16 = 0;
    const DOS_DATE: u16 = 0x21;
    let mut out = Vec::new();
    let mut central = Vec::new();
    let u16le = |v: &mut Vec<u8>, x: u16| v.extend_from_slice(&x.to_le_bytes());
    let u32le = |v: &mut Vec<u8>, x: u32| v.extend_from_slice(&x.to_le_bytes());
    for (name, body) in files {
        let data = body.as_bytes();
        let crc = crc32(data);
        let offset = out.len() as u32;
        u32le(&mut out, 0x0403_4B50);
        for x in [20, 0x0800, 0, DOS_TIME, DOS_DATE] {
            u16le(&mut out, x);
        }
        u32le(&mut out, crc);
        u32le(&mut out, data.len() as u32);
        u32le(&mut out, data.len() as u32);
        u16le(&mut out, name.len() as u16);
        u16le(&mut out, 0);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);

        u32le(&mut central, 0x0201_4B50);
        for x in [20, 20, 0x0800, 0, DOS_TIME, DOS_DATE] {
            u16le(&mut central, x);
        }
        u32le(&mut central, crc);
        u32le(&mut central, data.len() as u32);
        u32le(&mut central, data.len() as u32);
        u16le(&mut central, name.len() as u16);
        for x in [0, 0, 0, 0] {
            u16le(&mut central, x);
        }
        u32le(&mut central, 0);
        u32le(&mut central, offset);
        central.extend_from_slice(name.as_bytes());
    }
    let central_offset = out.len() as u32;
    let central_len = central.len() as u32;
    out.extend_from_slice(&central);
    u32le(&mut out, 0x0605_4B50);
    for x in [0, 0, files.len() as u16, files.len() as u16] {
        u16le(&mut out, x);
    }
    u32le(&mut out, central_len);
    u32le(&mut out, central_offset);
    u16le(&mut out, 0);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn csv_text_that_looks_like_a_formula_is_not_run() {
        let t = Table {
            sheet: "s".into(),
            headers: vec!["a".into(), "b".into()],
            rows: vec![vec![
                Cell::Text("=HYPERLINK(\"x\")".into()),
                Cell::Number(-3.0),
            ]],
        };
        let csv = to_csv(&t);
        assert!(csv.contains("\"'=HYPERLINK(\"\"x\"\")\",-3"), "{csv}");
    }

    use super::*;

    fn sample() -> Table {
        Table {
            sheet: "重症高风险人员台账".into(),
            headers: vec!["姓名".into(), "年龄".into(), "备注".into()],
            rows: vec![
                vec![
                    Cell::Text("独居老人".into()),
                    Cell::Number(82.0),
                    Cell::Text("说 \"需要药\", 明天再来".into()),
                ],
                vec![
                    Cell::Text("A&B <x>".into()),
                    Cell::Number(36.5),
                    Cell::Empty,
                ],
            ],
        }
    }

    #[test]
    fn csv_has_a_bom_crlf_and_quotes_only_where_needed() {
        let csv = to_csv(&sample());
        assert!(csv.starts_with('\u{FEFF}'));
        assert_eq!(
            csv,
            "\u{FEFF}姓名,年龄,备注\r\n独居老人,82,\"说 \"\"需要药\"\", 明天再来\"\r\nA&B <x>,36.5,\r\n"
        );
    }

    #[test]
    fn csv_quotes_line_breaks_and_blanks_what_is_not_a_number() {
        let t = Table {
            sheet: String::new(),
            headers: vec!["备注".into()],
            rows: vec![
                vec![Cell::Text("一\r\n二".into())],
                vec![Cell::Text("a\rb".into())],
                vec![Cell::Text("a\nb".into())],
                vec![Cell::Number(f64::NAN)],
                vec![Cell::Number(-0.0)],
                vec![Cell::Number(1e15)],
            ],
        };
        assert_eq!(
            to_csv(&t),
            "\u{FEFF}备注\r\n\"一\r\n二\"\r\n\"a\rb\"\r\n\"a\nb\"\r\n\r\n0\r\n1000000000000000\r\n"
        );
    }

    #[test]
    fn column_names_run_like_a_spreadsheet() {
        let names: Vec<String> = [0, 25, 26, 51, 52, 701, 702]
            .iter()
            .map(|i| column_name(*i))
            .collect();
        assert_eq!(names, ["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"]);
    }

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn xml_text_is_escaped_and_forbidden_characters_dropped() {
        assert_eq!(xml("a<b>&\"'\u{1}\tc"), "a&lt;b&gt;&amp;&quot;&apos;\tc");
    }

    /// Walks the central directory as a reader would, checking each entry's CRC.
    fn read_zip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
        let u16at = |i: usize| u16::from_le_bytes([bytes[i], bytes[i + 1]]) as usize;
        let u32at = |i: usize| {
            u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]) as usize
        };
        let end = bytes.len() - 22;
        assert_eq!(u32at(end), 0x0605_4B50);
        let (count, mut at) = (u16at(end + 10), u32at(end + 16));
        let mut files = Vec::new();
        for _ in 0..count {
            assert_eq!(u32at(at), 0x0201_4B50);
            let (crc, size, name_len, offset) = (
                u32at(at + 16),
                u32at(at + 24),
                u16at(at + 28),
                u32at(at + 42),
            );
            let name = String::from_utf8(bytes[at + 46..at + 46 + name_len].to_vec()).unwrap();
            assert_eq!(u32at(offset), 0x0403_4B50);
            let start = offset + 30 + u16at(offset + 26) + u16at(offset + 28);
            let data = bytes[start..start + size].to_vec();
            assert_eq!(crc32(&data) as usize, crc, "{name}");
            files.push((name, data));
            at += 46 + name_len;
        }
        files
    }

    #[test]
    fn xlsx_is_a_zip_of_the_six_parts_with_the_cells_inside() {
        let bytes = to_xlsx(&sample());
        let files = read_zip(&bytes);
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "[Content_Types].xml",
                "_rels/.rels",
                "xl/workbook.xml",
                "xl/_rels/workbook.xml.rels",
                "xl/worksheets/sheet1.xml",
                "xl/styles.xml"
            ]
        );
        let sheet = String::from_utf8(files[4].1.clone()).unwrap();
        assert!(sheet.contains("独居老人") && sheet.contains("姓名"));
        assert!(sheet.contains(r#"<c r="B2"><v>82</v></c>"#));
        assert!(sheet.contains("A&amp;B &lt;x&gt;"));
        assert!(sheet.contains(
            r#"<c r="A1" t="inlineStr" s="1"><is><t xml:space="preserve">姓名</t></is></c>"#
        ));
        assert!(sheet.contains(
            r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#
        ));
        // "说 "需要药", 明天再来" is 8 CJK + 5 other characters: 21 units, plus a margin of 2.
        assert!(sheet.contains(r#"<col min="3" max="3" width="23" customWidth="1"/>"#));
        assert!(
            !sheet.contains("<c r=\"C3\""),
            "an empty cell is simply absent"
        );
        let workbook = String::from_utf8(files[2].1.clone()).unwrap();
        assert!(workbook.contains(r#"<sheet name="重症高风险人员台账" sheetId="1""#));
        let styles = String::from_utf8(files[5].1.clone()).unwrap();
        assert!(styles.contains("<font><b/>"));
        if let Ok(path) = std::env::var("KNOCK_WRITE_XLSX") {
            std::fs::write(path, &bytes).unwrap();
        }
    }

    #[test]
    fn sheet_names_lose_what_excel_forbids() {
        assert_eq!(sheet_name("台账[2026/11]"), "台账202611");
        assert_eq!(sheet_name(""), "Sheet1");
        assert_eq!(sheet_name(&"长".repeat(40)).chars().count(), 31);
        assert_eq!(sheet_name("\u{1}\u{2}"), "Sheet1");
        assert_eq!(sheet_name("'台账'"), "台账");
        assert_eq!(sheet_name("History"), "Sheet1");
        // Excel counts UTF-16 units, so an emoji takes two of the 31.
        assert_eq!(sheet_name(&"😀".repeat(20)), "😀".repeat(15));
    }

    #[test]
    fn columns_are_as_wide_as_their_longest_line_and_no_wider_than_sixty() {
        assert_eq!(display_width("独居老人"), 8);
        assert_eq!(display_width("ab 独居"), 7);
        assert_eq!(display_width("备注\r\n第二行"), 6);
        let t = Table {
            sheet: "s".into(),
            headers: vec!["x".repeat(100)],
            rows: vec![],
        };
        assert!(sheet_xml(&t).contains(r#"width="60""#));
    }

    #[test]
    fn xml_keeps_tab_and_line_breaks_and_every_plane() {
        assert_eq!(xml("a\tb\nc\rd 😀 \u{7F}"), "a\tb\nc\rd 😀 \u{7F}");
        assert_eq!(xml("\u{FFFE}\u{0}\u{1F}x"), "x");
    }

    #[test]
    fn an_empty_table_is_still_a_workbook() {
        let files = read_zip(&to_xlsx(&Table {
            sheet: String::new(),
            headers: vec![],
            rows: vec![],
        }));
        assert_eq!(files.len(), 6);
    }
}
