//! HLC stamps from arbitrary text, as every pushed change carries one: only the canonical form
//! parses, it prints back exactly, string order is stamp order, and a clock restored from a
//! stamp issues a later one. Two stamps are read from one input, split at its first newline.
#![no_main]

use libfuzzer_sys::fuzz_target;
use model::hlc::{Clock, Hlc, MAX_MS};

fn check_one(s: &str) -> Option<Hlc> {
    let parsed = Hlc::parse(s);
    assert_eq!(
        Hlc::device_of(s),
        parsed.as_ref().ok().map(|h| h.device.as_str())
    );
    let h = parsed.ok()?;
    assert_eq!(h.to_string(), s, "only the canonical form parses");
    let mut clock = Clock::restore(s).expect("a stamp is a clock state");
    let next = clock.now(h.ms);
    assert!(next > h || (h.ms == MAX_MS && h.counter == u16::MAX));
    Some(h)
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (a, b) = text.split_once('\n').unwrap_or((text, ""));
    if let (Some(ha), Some(hb)) = (check_one(a), check_one(b)) {
        assert_eq!(ha.cmp(&hb), a.cmp(b), "string order is stamp order");
    }
});
