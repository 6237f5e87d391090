//! Hybrid logical clock: the stamp every field value carries, its exact string form, and the
//! per-device clock that issues stamps (`docs/sync-protocol.md#clock-and-ordering`).
//!
//! The string form `<13-digit unix ms>-<4 hex digit counter>-<device id>` is fixed-width up to
//! the device id, so plain string comparison (what SQLite and IndexedDB do) orders stamps exactly
//! as [`Hlc`]'s `Ord` does. Nothing here reads a clock: callers pass wall time in, so the same
//! code runs in the browser, on the server and in tests.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The largest millisecond count that fits the 13-digit field (year 2286).
pub const MAX_MS: u64 = 9_999_999_999_999;

/// Why a stamp, device id or saved clock was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HlcError {
    #[error("HLC 格式应为 <13 位毫秒>-<4 位小写十六进制计数>-<设备号>（stamp must be <13-digit ms>-<4 lowercase hex digits>-<device id>）: {0:?}")]
    Malformed(String),
    #[error("设备号应为 1 到 64 个小写字母、数字或连字符（device id must be 1–64 chars of a-z, 0-9 and -）: {0:?}")]
    BadDevice(String),
    #[error("HLC 毫秒数超出 13 位（stamp ms does not fit 13 digits）: {0}")]
    MsOutOfRange(u64),
}

/// Device ids are 1–64 chars of `[a-z0-9-]`; they end every stamp, so they must not contain
/// anything that would upset the string order or the parse.
pub fn is_valid_device_id(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// One stamp. Field order matters: the derived `Ord` (ms, then counter, then device bytes) is
/// the string order because ms and counter are fixed-width in the string form.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hlc {
    pub ms: u64,
    pub counter: u16,
    pub device: String,
}

impl Hlc {
    /// A checked stamp: `ms` fits 13 digits and `device` is a valid device id.
    pub fn new(ms: u64, counter: u16, device: impl Into<String>) -> Result<Hlc, HlcError> {
        let device = device.into();
        if ms > MAX_MS {
            return Err(HlcError::MsOutOfRange(ms));
        }
        if !is_valid_device_id(&device) {
            return Err(HlcError::BadDevice(device));
        }
        Ok(Hlc {
            ms,
            counter,
            device,
        })
    }

    /// Accepts exactly the canonical string form and nothing else, so that two spellings of the
    /// same stamp can never sort differently.
    pub fn parse(s: &str) -> Result<Hlc, HlcError> {
        let malformed = || HlcError::Malformed(s.chars().take(100).collect());
        let b = s.as_bytes();
        // Checked on bytes first: slicing a &str at fixed offsets could split a multibyte char.
        if b.len() < 20 || b[13] != b'-' || b[18] != b'-' {
            return Err(malformed());
        }
        if !b[..13].iter().all(u8::is_ascii_digit) {
            return Err(malformed());
        }
        if !b[14..18]
            .iter()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c))
        {
            return Err(malformed());
        }
        let ms: u64 = s[..13].parse().map_err(|_| malformed())?;
        let counter = u16::from_str_radix(&s[14..18], 16).map_err(|_| malformed())?;
        let device = &s[19..];
        if !is_valid_device_id(device) {
            return Err(HlcError::BadDevice(device.chars().take(100).collect()));
        }
        Ok(Hlc {
            ms,
            counter,
            device: device.to_owned(),
        })
    }

    /// The device part of a canonical stamp string, without allocating; `None` if malformed.
    /// The server uses it to check a pushed stamp belongs to the token's device.
    pub fn device_of(s: &str) -> Option<&str> {
        Hlc::parse(s).ok()?;
        Some(&s[19..])
    }

    fn time(&self) -> (u64, u16) {
        (self.ms, self.counter)
    }
}

impl fmt::Display for Hlc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:013}-{:04x}-{}", self.ms, self.counter, self.device)
    }
}

impl FromStr for Hlc {
    type Err = HlcError;
    fn from_str(s: &str) -> Result<Hlc, HlcError> {
        Hlc::parse(s)
    }
}

impl Serialize for Hlc {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Hlc {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Hlc, D::Error> {
        let s = String::deserialize(d)?;
        Hlc::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// The smallest (ms, counter) strictly after `t`. Saturates at the very end of the 13-digit
/// range (year 2286), the only place where a clock cannot move forward.
fn succ((ms, counter): (u64, u16)) -> (u64, u16) {
    if counter < u16::MAX {
        (ms, counter + 1)
    } else if ms < MAX_MS {
        (ms + 1, 0)
    } else {
        (ms, counter)
    }
}

/// The clock of one device. Its state is the stamp of its latest event (a local edit, or the
/// receipt of a remote stamp or of the server's time); every stamp [`Clock::now`] returns is
/// strictly greater than that, whatever the wall clock does.
///
/// Persist [`Clock::state`] *before* a stamp it issued is stored anywhere: a clock restored from
/// an older state could issue the same stamp twice with different values, and LWW keeps
/// whichever the server saw first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clock {
    last: Hlc,
}

impl Clock {
    /// A fresh clock for `device`, which must be a valid device id.
    pub fn new(device: impl Into<String>) -> Result<Clock, HlcError> {
        Ok(Clock {
            last: Hlc::new(0, 0, device)?,
        })
    }

    pub fn device(&self) -> &str {
        &self.last.device
    }

    /// The latest event's stamp: everything `now` returns from here on is strictly greater, and
    /// so is everything this clock issued or observed before.
    pub fn last(&self) -> &Hlc {
        &self.last
    }

    /// Stamp a local event (an edit).
    pub fn now(&mut self, wall_ms: u64) -> Hlc {
        self.advance((wall_ms.min(MAX_MS), 0));
        self.last.clone()
    }

    /// Receipt of a remote stamp (a pulled change): later local edits must order after it.
    pub fn observe(&mut self, stamp: &Hlc, wall_ms: u64) {
        let after_remote = succ((stamp.ms.min(MAX_MS), stamp.counter));
        self.advance(after_remote.max((wall_ms.min(MAX_MS), 0)));
    }

    /// Receipt of a server's `server_time_ms`: a device whose wall clock is behind still stamps
    /// its next edits after the server's present, so they beat what others synced meanwhile.
    pub fn observe_time(&mut self, server_ms: u64, wall_ms: u64) {
        self.advance((server_ms.max(wall_ms).min(MAX_MS), 0));
    }

    /// Recovery from `409 clock_skew` only: forget a future this device's wall clock invented and
    /// restart from the server's time. This is the one operation that may move the clock back;
    /// the app then re-stamps its pending changes in order with `now`.
    pub fn rebase(&mut self, server_ms: u64) {
        self.last.ms = server_ms.min(MAX_MS);
        self.last.counter = 0;
    }

    /// The state to persist: the canonical string of [`Clock::last`].
    pub fn state(&self) -> String {
        self.last.to_string()
    }

    /// A clock from a persisted [`Clock::state`].
    pub fn restore(state: &str) -> Result<Clock, HlcError> {
        Ok(Clock {
            last: Hlc::parse(state)?,
        })
    }

    /// Move to the smallest time strictly after the last event and not before `floor`.
    fn advance(&mut self, floor: (u64, u16)) {
        let next = succ(self.last.time()).max(floor);
        if next.cmp(&self.last.time()) == Ordering::Greater {
            (self.last.ms, self.last.counter) = next;
        }
    }
}

impl Serialize for Clock {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.last.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Clock {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Clock, D::Error> {
        Ok(Clock {
            last: Hlc::deserialize(d)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn string_form_is_exact() {
        let h = Hlc::new(1764331200000, 3, "d9f2a1").unwrap();
        assert_eq!(h.to_string(), "1764331200000-0003-d9f2a1");
        assert_eq!(Hlc::parse("1764331200000-0003-d9f2a1").unwrap(), h);
        assert_eq!(Hlc::parse("1764331200000-ffff-a").unwrap().counter, 0xffff);
        assert_eq!(
            Hlc::new(5, 0, "x").unwrap().to_string(),
            "0000000000005-0000-x"
        );
        assert_eq!(
            serde_json::to_string(&h).unwrap(),
            "\"1764331200000-0003-d9f2a1\""
        );
        assert_eq!(Hlc::device_of("1764331200000-0003-d9f2a1"), Some("d9f2a1"));
        assert_eq!(Hlc::device_of("nope"), None);
    }

    #[test]
    fn parse_rejects_everything_else() {
        for bad in [
            "",
            "1764331200000-0003-",
            "176433120000-0003-d9f2a1",
            "17643312000000-0003-d9f2a1",
            "1764331200000-003-d9f2a1",
            "1764331200000-00003-d9f2a1",
            "1764331200000-000A-d9f2a1",
            "1764331200000-000g-d9f2a1",
            "1764331200000_0003-d9f2a1",
            "1764331200000-0003_d9f2a1",
            "1764331200000-0003-D9F2A1",
            "1764331200000-0003-d9 f2",
            "+764331200000-0003-d9f2a1",
            "1764331200000-+003-d9f2a1",
            "1764331200000-0003-设备",
            "设备设备设备设备设备设备设备",
            " 1764331200000-0003-d9f2a1",
            "1764331200000-0003-d9f2a1\n",
        ] {
            assert!(Hlc::parse(bad).is_err(), "{bad:?} should be refused");
        }
        let long = format!("1764331200000-0003-{}", "a".repeat(65));
        assert!(Hlc::parse(&long).is_err());
        let max = format!("1764331200000-0003-{}", "a".repeat(64));
        assert!(Hlc::parse(&max).is_ok());
    }

    #[test]
    fn device_ids() {
        assert!(is_valid_device_id("d9f2a1"));
        assert!(is_valid_device_id("a-b-0"));
        assert!(is_valid_device_id(&"z".repeat(64)));
        assert!(!is_valid_device_id(""));
        assert!(!is_valid_device_id(&"z".repeat(65)));
        assert!(!is_valid_device_id("Abc"));
        assert!(!is_valid_device_id("a_b"));
        assert!(!is_valid_device_id("a.b"));
        assert!(Clock::new("BAD").is_err());
        assert!(Hlc::new(MAX_MS + 1, 0, "a").is_err());
    }

    #[test]
    fn counter_overflow_bumps_ms() {
        let mut c = Clock::restore("1764331200000-fffe-a").unwrap();
        assert_eq!(c.now(0).to_string(), "1764331200000-ffff-a");
        assert_eq!(c.now(0).to_string(), "1764331200001-0000-a");
        c.observe(&Hlc::parse("1764331200005-ffff-b").unwrap(), 0);
        assert_eq!(c.now(0).to_string(), "1764331200006-0001-a");
    }

    #[test]
    fn wall_clock_drives_the_stamp_when_ahead() {
        let mut c = Clock::new("a").unwrap();
        assert_eq!(c.now(1764331200000).to_string(), "1764331200000-0000-a");
        assert_eq!(c.now(1764331200000).to_string(), "1764331200000-0001-a");
        assert_eq!(c.now(1764331199000).to_string(), "1764331200000-0002-a");
        assert_eq!(c.now(1764331201000).to_string(), "1764331201000-0000-a");
    }

    #[test]
    fn server_time_and_remote_stamps_pull_a_slow_device_forward() {
        let mut c = Clock::new("a").unwrap();
        c.observe_time(1764331200000, 1000);
        assert!(c.now(1000).ms >= 1764331200000);
        let remote = Hlc::parse("1764331300000-0007-zz").unwrap();
        c.observe(&remote, 1000);
        let next = c.now(1000);
        assert!(next > remote);
        assert!(next.to_string() > remote.to_string());
    }

    #[test]
    fn rebase_and_restore() {
        let mut c = Clock::new("a").unwrap();
        c.now(9_000_000_000_000);
        c.rebase(1764331200000);
        assert_eq!(c.now(0).to_string(), "1764331200000-0001-a");
        let saved = c.state();
        let mut r = Clock::restore(&saved).unwrap();
        assert_eq!(r, c);
        assert_eq!(r.device(), "a");
        assert!(r.now(0) > *c.last());
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(serde_json::from_str::<Clock>(&json).unwrap(), c);
        assert!(Clock::restore("garbage").is_err());
    }

    #[derive(Debug, Clone)]
    enum Op {
        Now(u64),
        Observe(u64, u16, String, u64),
        ObserveTime(u64, u64),
        SaveRestore,
    }

    // Wall clocks cluster around one instant (so counters get exercised and time jumps back and
    // forth) with occasional far jumps; counters near u16::MAX exercise the overflow.
    fn wall() -> impl Strategy<Value = u64> {
        prop_oneof![
            4 => 1_764_331_200_000u64..1_764_331_200_020,
            1 => 0u64..2_000_000_000_000,
        ]
    }

    fn counter() -> impl Strategy<Value = u16> {
        prop_oneof![any::<u16>(), (u16::MAX - 3..=u16::MAX)]
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            3 => wall().prop_map(Op::Now),
            2 => (wall(), counter(), "[a-z0-9-]{1,8}", wall())
                .prop_map(|(m, c, d, w)| Op::Observe(m, c, d, w)),
            1 => (wall(), wall()).prop_map(|(s, w)| Op::ObserveTime(s, w)),
            1 => Just(Op::SaveRestore),
        ]
    }

    fn hlc() -> impl Strategy<Value = Hlc> {
        (0..=MAX_MS, counter(), "[a-z0-9-]{1,64}").prop_map(|(ms, counter, device)| Hlc {
            ms,
            counter,
            device,
        })
    }

    proptest! {
        #[test]
        fn stamps_strictly_increase_on_a_device(ops in proptest::collection::vec(op(), 1..60)) {
            let mut clock = Clock::new("d9f2a1").unwrap();
            // The largest stamp issued or observed so far.
            let mut high: Option<Hlc> = None;
            for op in ops {
                match op {
                    Op::Now(w) => {
                        let s = clock.now(w);
                        if let Some(h) = &high {
                            prop_assert!(s > *h, "{s} not after {h}");
                            prop_assert!(s.to_string() > h.to_string());
                        }
                        prop_assert!(s.ms >= w);
                        prop_assert_eq!(Hlc::parse(&s.to_string()).unwrap(), s.clone());
                        high = Some(s);
                    }
                    Op::Observe(ms, counter, device, w) => {
                        let remote = Hlc { ms, counter, device };
                        clock.observe(&remote, w);
                        high = high.max(Some(remote));
                    }
                    Op::ObserveTime(s, w) => {
                        clock.observe_time(s, w);
                        let t = Hlc { ms: s.max(w), counter: 0, device: String::new() };
                        high = high.max(Some(t));
                    }
                    Op::SaveRestore => clock = Clock::restore(&clock.state()).unwrap(),
                }
            }
        }

        #[test]
        fn string_order_is_ord_order(a in hlc(), b in hlc()) {
            prop_assert_eq!(a.cmp(&b), a.to_string().cmp(&b.to_string()));
        }

        #[test]
        fn parse_display_round_trips(a in hlc()) {
            prop_assert_eq!(Hlc::parse(&a.to_string()).unwrap(), a);
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,80}") {
            let _ = Hlc::parse(&s);
        }
    }
}
