//! A tiny civil date (proleptic Gregorian, no time zone) for birth dates, vaccination dates and
//! due dates, so validation and risk tiers need no date crate in the wasm bundle.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

const MS_PER_DAY: i64 = 86_400_000;

/// UTC+8, the offset of every place Knock is used; pass it to [`Date::from_unix_ms_offset`] so
/// "today" does not flip at 08:00 local time.
pub const CHINA_UTC_OFFSET_MINUTES: i32 = 8 * 60;

/// A calendar day. Fields are public for pattern matching; build one with [`Date::new`] or
/// [`Date::parse`], which refuse days that do not exist. The derived order is calendar order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub y: i32,
    pub m: u8,
    pub d: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("日期应为 YYYY-MM-DD 格式的有效日期（date must be a valid YYYY-MM-DD date）")]
pub struct DateError;

pub fn is_leap_year(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

pub fn days_in_month(y: i32, m: u8) -> u8 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(y) => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    /// `None` unless the day exists; years 1 to 9999 only, the range the string form can carry.
    pub fn new(y: i32, m: u8, d: u8) -> Option<Date> {
        ((1..=9999).contains(&y) && d >= 1 && d <= days_in_month(y, m)).then_some(Date { y, m, d })
    }

    /// Exactly `YYYY-MM-DD`, a day that exists. No other spelling, so stored dates compare as
    /// strings too.
    pub fn parse(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let digits = |r: std::ops::Range<usize>| -> Option<u32> {
            b[r].iter().try_fold(0u32, |acc, c| {
                c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
            })
        };
        let y = digits(0..4)?;
        let m = digits(5..7)?;
        let d = digits(8..10)?;
        Date::new(y as i32, m as u8, d as u8)
    }

    /// Days since 1970-01-01 (negative before it).
    pub fn days_since_epoch(self) -> i64 {
        // Howard Hinnant's days_from_civil: years start in March so the leap day is last.
        let (m, d) = (i64::from(self.m), i64::from(self.d));
        let y = i64::from(self.y) - i64::from(m <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The inverse of [`Date::days_since_epoch`]. Days beyond ±1,000,000 years are clamped, so
    /// the year always fits.
    pub fn from_days(days: i64) -> Date {
        let z = days.clamp(-365_000_000, 365_000_000) + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        Date {
            y: y as i32,
            m: m as u8,
            d: d as u8,
        }
    }

    pub fn add_days(self, n: i64) -> Date {
        Date::from_days(self.days_since_epoch() + n)
    }

    /// The UTC day of a unix time in ms. For a person's "today" use [`Date::from_china_ms`].
    pub fn from_unix_ms(ms: i64) -> Date {
        Date::from_days(ms.div_euclid(MS_PER_DAY))
    }

    /// The local day of a unix time in ms at a fixed offset east of UTC.
    pub fn from_unix_ms_offset(ms: i64, utc_offset_minutes: i32) -> Date {
        Date::from_unix_ms(ms.saturating_add(i64::from(utc_offset_minutes) * 60_000))
    }

    /// The day in China (UTC+8) of a unix time in ms: the day every rule of the model counts in.
    pub fn from_china_ms(ms: i64) -> Date {
        Date::from_unix_ms_offset(ms, CHINA_UTC_OFFSET_MINUTES)
    }

    /// Days from `self` to `later` (negative if `later` is earlier).
    pub fn days_until(self, later: Date) -> i64 {
        later.days_since_epoch() - self.days_since_epoch()
    }
}

/// Completed years of age on `today`; 0 if `today` is before `birth`. Someone born on 29
/// February turns a year older on 1 March in common years.
pub fn age_on(birth: Date, today: Date) -> u32 {
    if today <= birth {
        return 0;
    }
    let years = today.y - birth.y - i32::from((today.m, today.d) < (birth.m, birth.d));
    years.max(0) as u32
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.y, self.m, self.d)
    }
}

impl FromStr for Date {
    type Err = DateError;
    fn from_str(s: &str) -> Result<Date, DateError> {
        Date::parse(s).ok_or(DateError)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let s = String::deserialize(d)?;
        Date::parse(&s).ok_or_else(|| serde::de::Error::custom(DateError))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn parse_and_display() {
        assert_eq!(
            d("2024-02-29"),
            Date {
                y: 2024,
                m: 2,
                d: 29
            }
        );
        assert_eq!(d("2024-02-29").to_string(), "2024-02-29");
        assert_eq!(d("0001-01-01").to_string(), "0001-01-01");
        for bad in [
            "2023-02-29",
            "1900-02-29",
            "2024-13-01",
            "2024-00-10",
            "2024-04-31",
            "2024-01-00",
            "0000-01-01",
            "2024-1-01",
            "24-01-01",
            "2024/01/01",
            "2024-01-01T00",
            "+024-01-01",
            "２０２４-01-01",
            "",
            "2024-01-0a",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad:?}");
        }
        assert!(Date::parse("2000-02-29").is_some());
        assert_eq!(
            serde_json::to_string(&d("2024-03-01")).unwrap(),
            "\"2024-03-01\""
        );
    }

    #[test]
    fn epoch_arithmetic() {
        assert_eq!(d("1970-01-01").days_since_epoch(), 0);
        assert_eq!(d("1969-12-31").days_since_epoch(), -1);
        assert_eq!(d("2000-03-01").days_since_epoch(), 11_017);
        assert_eq!(Date::from_days(19_723), d("2024-01-01"));
        assert_eq!(d("2024-02-28").add_days(1), d("2024-02-29"));
        assert_eq!(d("2023-02-28").add_days(1), d("2023-03-01"));
        assert_eq!(d("2024-12-31").add_days(1), d("2025-01-01"));
        assert_eq!(d("2025-01-01").add_days(-1), d("2024-12-31"));
        assert_eq!(d("2024-01-01").days_until(d("2024-03-01")), 60);
    }

    #[test]
    fn unix_ms_and_offsets() {
        // 2025-11-28T12:00:00Z
        assert_eq!(Date::from_unix_ms(1_764_331_200_000), d("2025-11-28"));
        assert_eq!(Date::from_unix_ms(-1), d("1969-12-31"));
        // 2025-11-28T16:30Z is already the 29th in Beijing.
        let ms = 1_764_331_200_000 + (4 * 60 + 30) * 60_000;
        assert_eq!(Date::from_unix_ms(ms), d("2025-11-28"));
        assert_eq!(
            Date::from_unix_ms_offset(ms, CHINA_UTC_OFFSET_MINUTES),
            d("2025-11-29")
        );
    }

    #[test]
    fn ages() {
        let b = d("1960-06-15");
        assert_eq!(age_on(b, d("2025-06-14")), 64);
        assert_eq!(age_on(b, d("2025-06-15")), 65);
        assert_eq!(age_on(b, d("1960-06-15")), 0);
        assert_eq!(age_on(b, d("1950-01-01")), 0);
        let leap = d("1960-02-29");
        assert_eq!(age_on(leap, d("2025-02-28")), 64);
        assert_eq!(age_on(leap, d("2025-03-01")), 65);
        assert_eq!(age_on(leap, d("2024-02-29")), 64);
    }

    proptest! {
        #[test]
        fn days_round_trip(days in -719_162i64..2_932_896) {
            let date = Date::from_days(days);
            prop_assert_eq!(date.days_since_epoch(), days);
            prop_assert_eq!(Date::parse(&date.to_string()), Some(date));
            prop_assert_eq!(date.add_days(1) > date, true);
            prop_assert_eq!(date.add_days(1).days_since_epoch(), days + 1);
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,12}") {
            let _ = Date::parse(&s);
        }
    }
}
