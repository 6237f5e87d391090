//! The roster import page's own encoding: the file travels as base64, which the server must read.

use app::pages::import::base64;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn base64_matches_the_standard_alphabet_and_padding() {
    assert_eq!(base64(b""), "");
    assert_eq!(base64(b"f"), "Zg==");
    assert_eq!(base64(b"fo"), "Zm8=");
    assert_eq!(base64(b"foo"), "Zm9v");
    assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    assert_eq!(base64("姓名".as_bytes()), "5aeT5ZCN");
    assert_eq!(base64(&[0xff, 0xfe, 0x00]), "//4A");
}
