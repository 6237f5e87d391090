//! Pull cursors from arbitrary text, as `GET /api/v1/sync/pull?cursor=` reads them: garbage is
//! refused without a panic, and a cursor that decodes encodes back to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use server::handlers::sync::Cursor;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(c) = Cursor::decode(text) {
        assert!(c.seq >= 0);
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
    }
});
