//! Roster files that are text, as `POST /api/v1/import/roster` reads them (UTF-8 or GBK, any
//! delimiter, quoted cells): whatever the bytes, a sheet or a refusal, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Zip and OLE containers go to the workbook reader: xlsx_read fuzzes those.
    if data.starts_with(b"PK\x03\x04") || data.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return;
    }
    if let Ok(sheet) = server::import::read_file(data) {
        let _ = server::import::suggest_mapping(&sheet.headers);
    }
});
