//! Hostile roster files against a real server: workbooks crafted here by hand with the zip crate
//! (a cell at the last row and column, a zip bomb, a lying size, a huge declared shared-string
//! count), oversized and overwide files, an old XLS, a commit over the push cap, and grid names
//! that are not the importer's. Each is refused with the contract's status and code, writes
//! nothing, and the server imports a good file right after.

mod common;

use std::io::Write;

use base64::Engine;
use common::fixture::Fixture;
use common::TestServer;
use model::Role;
use serde_json::{json, Value};
use zip::write::SimpleFileOptions;
use zip::CompressionMethod;

const GRID: &str = "东区第一网格";
const OTHER: &str = "西区网格";

struct Office {
    s: TestServer,
    admin: String,
    other_id: String,
}

async fn office() -> Office {
    let mut f = Fixture::new().await;
    let grids = [f.grid(GRID)];
    let other_id = f.grid(OTHER);
    f.user(Role::Admin, "admin", "管理员", &[]).await;
    f.user(Role::Supervisor, "zhaomin", "赵敏", &grids).await;
    let s = f.start().await;
    let admin = s.token("admin", "admin-import").await;
    Office { s, admin, other_id }
}

async fn import(s: &TestServer, token: &str, bytes: &[u8], commit: bool) -> (u16, Value) {
    import_body(
        s,
        token,
        json!({
            "file_name": "名单",
            "content_base64": base64::engine::general_purpose::STANDARD.encode(bytes),
            "commit": commit,
        }),
    )
    .await
}

async fn import_body(s: &TestServer, token: &str, body: Value) -> (u16, Value) {
    let r = s
        .client
        .post(s.url("/api/v1/import/roster"))
        .header("authorization", format!("Bearer {token}"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// The server still reads and writes: a one-row roster commits.
async fn still_serves(o: &Office) {
    let csv = format!("姓名,出生日期,网格\n之后的人,1950-01-01,{GRID}\n");
    let (status, body) = import(&o.s, &o.admin, csv.as_bytes(), false).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["created"], 1, "{body}");
}

fn assert_refused(status: u16, body: &Value, want: (u16, &str), says: &str) {
    assert_eq!(
        (status, body["error"].as_str()),
        (want.0, Some(want.1)),
        "{body}"
    );
    let message = body["message"].as_str().unwrap();
    assert!(message.contains(says), "{message}");
}

/// An XLSX of the parts given (sheet1 and, if any, shared strings), each packed by `method`.
fn xlsx(sheet: &[u8], shared: Option<&[u8]>, method: CompressionMethod) -> Vec<u8> {
    xlsx_with(sheet, shared, &[], method)
}

/// [`xlsx`] with more parts, by path.
fn xlsx_with(
    sheet: &[u8],
    shared: Option<&[u8]>,
    more: &[(&'static str, Vec<u8>)],
    method: CompressionMethod,
) -> Vec<u8> {
    let rels_shared = if shared.is_some() {
        r#"<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>"#
    } else {
        ""
    };
    let mut parts: Vec<(&str, Vec<u8>)> = vec![
        ("[Content_Types].xml", br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_vec()),
        ("_rels/.rels", br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_vec()),
        ("xl/workbook.xml", br#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="s" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_vec()),
        ("xl/_rels/workbook.xml.rels", format!(r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>{rels_shared}</Relationships>"#).into_bytes()),
        ("xl/worksheets/sheet1.xml", sheet.to_vec()),
    ];
    if let Some(shared) = shared {
        parts.push(("xl/sharedStrings.xml", shared.to_vec()));
    }
    parts.extend(more.iter().cloned());
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in parts {
        let options = SimpleFileOptions::default().compression_method(method);
        let options = match method {
            CompressionMethod::Stored => options,
            _ => options.compression_level(Some(1)),
        };
        zip.start_file(name, options).unwrap();
        zip.write_all(&bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn sheet_xml(dimension: Option<&str>, cells: &str) -> Vec<u8> {
    let dimension = dimension
        .map(|d| format!(r#"<dimension ref="{d}"/>"#))
        .unwrap_or_default();
    format!(r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{dimension}<sheetData>{cells}</sheetData></worksheet>"#).into_bytes()
}

/// A header row and one person, as inline strings.
const GOOD_CELLS: &str = r#"<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c><c r="B1" t="inlineStr"><is><t>出生日期</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>王芳</t></is></c><c r="B2" t="inlineStr"><is><t>1950-01-01</t></is></c></row>"#;

const TOO_MANY_CELLS: (u16, &str) = (422, "invalid");
const TOO_LARGE: (u16, &str) = (413, "too_large");

#[tokio::test]
async fn a_hand_made_xlsx_within_the_caps_is_read() {
    let o = office().await;
    let book = xlsx(
        &sheet_xml(Some("A1:B2"), GOOD_CELLS),
        None,
        CompressionMethod::Deflated,
    );
    let (status, body) = import(&o.s, &o.admin, &book, false).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["headers"], json!(["姓名", "出生日期"]));
}

#[tokio::test]
async fn a_cell_at_the_last_row_and_column_is_refused_before_anything_is_laid_out() {
    let o = office().await;
    let far = r#"<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#;
    for dimension in [Some("A1:XFD1048576"), Some("A1:B2"), None] {
        let book = xlsx(
            &sheet_xml(dimension, &format!("{GOOD_CELLS}{far}")),
            None,
            CompressionMethod::Deflated,
        );
        assert!(book.len() < 2048, "a tiny file: {} bytes", book.len());
        let (status, body) = import(&o.s, &o.admin, &book, false).await;
        assert_refused(status, &body, TOO_MANY_CELLS, "20000 行、64 列");
    }
    // A declared range is only a claim: cells within the caps are read whatever it says.
    let book = xlsx(
        &sheet_xml(Some("A1:XFD1048576"), GOOD_CELLS),
        None,
        CompressionMethod::Deflated,
    );
    let (status, body) = import(&o.s, &o.admin, &book, false).await;
    assert_eq!(status, 200, "{body}");
    // One column too far, or one row, is as much too far.
    for cell in [
        r#"<row r="3"><c r="BM3"><v>1</v></c></row>"#,
        r#"<row r="20001"><c r="A20001"><v>1</v></c></row>"#,
    ] {
        let book = xlsx(
            &sheet_xml(None, &format!("{GOOD_CELLS}{cell}")),
            None,
            CompressionMethod::Stored,
        );
        let (status, body) = import(&o.s, &o.admin, &book, false).await;
        assert_refused(status, &body, TOO_MANY_CELLS, "请拆分");
    }
    still_serves(&o).await;
}

#[tokio::test]
async fn a_zip_bomb_is_too_large_whether_its_sizes_are_true_or_not() {
    let o = office().await;
    // 100 MB of zeros after a good sheet's cells pack into about 100 KB.
    let mut sheet = sheet_xml(None, GOOD_CELLS);
    sheet.resize(sheet.len() + 100 * 1024 * 1024, b'0');
    let honest = xlsx(&sheet, None, CompressionMethod::Deflated);
    assert!(honest.len() < 1024 * 1024, "{} bytes", honest.len());
    let (status, body) = import(&o.s, &o.admin, &honest, false).await;
    assert_refused(status, &body, TOO_LARGE, "解压后不能超过 32 MiB");

    // The same bomb declaring a 1 KB sheet: the unpacking itself is stopped past the size.
    let lying = declare_small(honest, "xl/worksheets/sheet1.xml");
    let (status, body) = import(&o.s, &o.admin, &lying, false).await;
    assert_refused(status, &body, TOO_LARGE, "32 MiB");
    still_serves(&o).await;
}

/// Rewrites the unpacked size `name` declares, in its local header and in the central
/// directory, to 1 KB.
fn declare_small(mut zip: Vec<u8>, name: &str) -> Vec<u8> {
    let small = 1024u32.to_le_bytes();
    let mut patched = 0;
    // Local header: signature, then the size at 22 and the name at 30; central directory
    // header: the size at 24 and the name at 46.
    for (signature, size_at, name_at) in [(b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)] {
        let mut at = 0;
        while let Some(i) = zip[at..].windows(4).position(|w| w == signature) {
            let start = at + i;
            if zip[start + name_at..].starts_with(name.as_bytes()) {
                zip[start + size_at..start + size_at + 4].copy_from_slice(&small);
                patched += 1;
            }
            at = start + 4;
        }
    }
    assert_eq!(patched, 2, "both headers of {name}");
    zip
}

#[tokio::test]
async fn a_huge_declared_shared_string_count_is_refused_before_it_is_reserved() {
    let o = office().await;
    let cells = r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>1</v></c></row>"#;
    for attrs in [
        r#"count="2" uniqueCount="4000000000000000""#,
        r#"count="9999999999" uniqueCount="2""#,
    ] {
        let shared = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" {attrs}><si><t>姓名</t></si><si><t>王芳</t></si></sst>"#
        );
        let book = xlsx(
            &sheet_xml(Some("A1:A2"), cells),
            Some(shared.as_bytes()),
            CompressionMethod::Deflated,
        );
        let (status, body) = import(&o.s, &o.admin, &book, false).await;
        assert_refused(status, &body, TOO_MANY_CELLS, "20000 行、64 列");
    }
    // The same workbook with honest counts is read.
    let shared = r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2" uniqueCount="2"><si><t>姓名</t></si><si><t>王芳</t></si></sst>"#;
    let book = xlsx(
        &sheet_xml(Some("A1:A2"), cells),
        Some(shared.as_bytes()),
        CompressionMethod::Deflated,
    );
    let (status, body) = import(&o.s, &o.admin, &book, false).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["rows"][0]["name"], "王芳");
}

#[tokio::test]
async fn a_workbook_defining_more_cell_formats_than_excel_allows_is_too_large() {
    let o = office().await;
    let styles = |n: usize| {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="1"><font><sz val="11"/><name val="宋体"/></font></fonts><cellXfs count="{n}">{}</cellXfs></styleSheet>"#,
            r#"<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>"#.repeat(n)
        )
        .into_bytes()
    };
    let sheet = sheet_xml(None, GOOD_CELLS);
    let book = xlsx_with(
        &sheet,
        None,
        &[("xl/styles.xml", styles(80_000))],
        CompressionMethod::Stored,
    );
    let (status, body) = import(&o.s, &o.admin, &book, false).await;
    assert_refused(status, &body, TOO_LARGE, "文件太大");
    // A workbook's usual few hundred formats are read.
    let book = xlsx_with(
        &sheet,
        None,
        &[("xl/styles.xml", styles(300))],
        CompressionMethod::Deflated,
    );
    let (status, body) = import(&o.s, &o.admin, &book, false).await;
    assert_eq!(status, 200, "{body}");
    still_serves(&o).await;
}

#[tokio::test]
async fn one_string_used_by_every_cell_is_too_much_text() {
    let o = office().await;
    // A 1 MB shared string in 64 cells of 600 rows: 38 GB once copied into each cell.
    let big = "长".repeat(350_000);
    let shared = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><sst count="1" uniqueCount="1"><si><t>{big}</t></si></sst>"#
    );
    let mut cells = String::new();
    for r in 1..=600 {
        cells.push_str(&format!(r#"<row r="{r}">"#));
        for c in 0..64 {
            cells.push_str(&format!(
                r#"<c r="{}{r}" t="s"><v>0</v></c>"#,
                model::export::column_name(c)
            ));
        }
        cells.push_str("</row>");
    }
    let book = xlsx(
        &sheet_xml(None, &cells),
        Some(shared.as_bytes()),
        CompressionMethod::Deflated,
    );
    let (status, body) = import(&o.s, &o.admin, &book, false).await;
    assert_refused(status, &body, TOO_LARGE, "文件太大");
    still_serves(&o).await;
}

#[tokio::test]
async fn oversized_overlong_and_overwide_files_are_refused() {
    let o = office().await;
    let mut huge = "姓名,出生日期\n".to_owned();
    while huge.len() <= 5 * 1024 * 1024 {
        huge.push_str("王芳,1950-01-01\n");
    }
    let (status, body) = import(&o.s, &o.admin, huge.as_bytes(), false).await;
    assert_refused(status, &body, TOO_LARGE, "5 MiB");

    let mut long = "姓名\n".to_owned();
    for i in 0..20_000 {
        long.push_str(&format!("人{i}\n"));
    }
    let (status, body) = import(&o.s, &o.admin, long.as_bytes(), false).await;
    assert_refused(status, &body, TOO_MANY_CELLS, "20000 行");

    let wide = format!("姓名{}x\n王芳\n", ",".repeat(64));
    let (status, body) = import(&o.s, &o.admin, wide.as_bytes(), false).await;
    assert_refused(status, &body, TOO_MANY_CELLS, "64 列");
    // Empty cells past the last column are no column: a file of commas is read.
    let padded = format!("姓名{}\n王芳{}\n", ",".repeat(500), ",".repeat(500));
    let (status, body) = import(&o.s, &o.admin, padded.as_bytes(), false).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["headers"].as_array().unwrap().len(), 64);

    // A body over 8 MiB is not read: 400 as the conventions say, in words that say why.
    let body = json!({"file_name": "名单.csv", "content_base64": "A".repeat(9 * 1024 * 1024)});
    let (status, body) = import_body(&o.s, &o.admin, body).await;
    assert_refused(status, &body, (400, "malformed"), "文件太大");

    let xls = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0];
    let (status, body) = import(&o.s, &o.admin, &xls, false).await;
    assert_refused(status, &body, (422, "invalid"), ".xlsx");
    still_serves(&o).await;
}

#[tokio::test]
async fn a_commit_over_the_push_cap_is_too_large_and_writes_nothing() {
    let o = office().await;
    let mut csv = "姓名,出生日期,联系电话,住址,网格\n".to_owned();
    for i in 0..1_200 {
        csv.push_str(&format!("人{i},1950-01-01,138{i:08},新村 {i} 号,{GRID}\n"));
    }
    let (status, preview) = import(&o.s, &o.admin, csv.as_bytes(), false).await;
    assert_eq!(status, 200, "the preview is not a write");
    assert_eq!(preview["created"], 1_200);
    let before = o.s.state().await;
    let (status, body) = import(&o.s, &o.admin, csv.as_bytes(), true).await;
    assert_refused(status, &body, TOO_LARGE, "最多写入 5000 项");
    assert!(body["message"].as_str().unwrap().contains("行"), "{body}");
    assert_eq!(o.s.state().await, before);
    still_serves(&o).await;
}

#[tokio::test]
async fn grid_refusals_quote_the_file_and_never_name_another_grid() {
    let o = office().await;
    let sup = o.s.token("zhaomin", "office").await;
    let problem = |report: &Value, row: usize| {
        report["rows"][row]["problems"][0]
            .as_str()
            .unwrap()
            .to_owned()
    };
    // Another grid by its id, by its name, and a grid that does not exist at all.
    let csv = format!(
        "姓名,出生日期,网格\n甲,1950-01-01,{}\n乙,1950-01-01,{OTHER}\n丙,1950-01-01,不存在的网格\n",
        o.other_id
    );
    let (status, report) = import(&o.s, &sup, csv.as_bytes(), false).await;
    assert_eq!(status, 200, "{report}");
    let by_id = problem(&report, 0);
    assert!(
        by_id.contains(&o.other_id) && !by_id.contains(OTHER),
        "{by_id}"
    );
    // An existing grid outside the supervisor's and a missing one read alike.
    assert_eq!(
        problem(&report, 1).replace(OTHER, "X"),
        problem(&report, 2).replace("不存在的网格", "X")
    );
    // The request's default grid likewise.
    let csv = "姓名,出生日期\n丁,1950-01-01\n";
    let body = json!({
        "file_name": "名单.csv",
        "content_base64": base64::engine::general_purpose::STANDARD.encode(csv),
        "grid_id": o.other_id,
        "commit": false,
    });
    let (status, report) = import_body(&o.s, &sup, body).await;
    assert_eq!(status, 200, "{report}");
    let why = problem(&report, 0);
    assert!(why.contains(&o.other_id) && !why.contains(OTHER), "{why}");
}
