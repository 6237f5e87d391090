//! Roster files that are workbooks (XLSX), as `POST /api/v1/import/roster` reads them: whatever
//! the zip holds, a sheet or a refusal, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Text goes to the CSV reader: csv_read fuzzes that.
    if !data.starts_with(b"PK\x03\x04") {
        return;
    }
    if let Ok(sheet) = server::import::read_file(data) {
        let _ = server::import::suggest_mapping(&sheet.headers);
    }
});
