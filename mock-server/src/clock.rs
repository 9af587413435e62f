//! Time for the whole mock: a [`Clock`] trait with a system clock and a manual one.
//!
//! Both clocks can be moved forward (`/__mock/clock/advance`), so a 94-day storno window or an
//! expired token can be reached without sleeping. The domain never reads a clock: handlers read it
//! once per request and pass the [`Millis`] down.

use std::fmt;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{DateTime, SecondsFormat, Utc};

/// A point in time: milliseconds since the Unix epoch, UTC.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(transparent)]
pub struct Millis(pub i64);

impl Millis {
    /// Milliseconds in one day.
    pub const DAY: i64 = 86_400_000;

    /// The first instant an ISO 8601 date with a four-digit year can say: 0001-01-01T00:00:00Z.
    pub const EARLIEST: Millis = Millis(-62_135_596_800_000);

    /// The last instant of year 9999: 9999-12-31T23:59:59.999Z.
    pub const END_OF_9999: Millis = Millis(253_402_300_799_999);

    /// The latest the mock's clock may stand: 400 days before the end of year 9999, so every
    /// time the mock derives from `now` (a refresh token's 90 days, a storno's 93, a task's
    /// timeline) is still a date with a four-digit year, which every stored row, export and
    /// import needs. 9998-11-26T23:59:59.999Z.
    pub const LATEST_NOW: Millis = Millis(253_402_300_799_999 - 400 * 86_400_000);

    /// Whether the clock may stand at this instant (`EARLIEST..=LATEST_NOW`).
    #[must_use]
    pub fn clock_may_stand_at(self) -> bool {
        (Millis::EARLIEST.0..=Millis::LATEST_NOW.0).contains(&self.0)
    }

    /// This point moved by `ms` milliseconds (saturating).
    #[must_use]
    pub fn plus_ms(self, ms: i64) -> Millis {
        Millis(self.0.saturating_add(ms))
    }

    /// Whole seconds since the epoch (for JWT claims).
    #[must_use]
    pub fn as_secs(self) -> i64 {
        self.0.div_euclid(1000)
    }

    /// ISO 8601 with milliseconds, `2026-01-15T09:00:00.000Z`.
    #[must_use]
    pub fn to_iso(self) -> String {
        let mut out = Vec::with_capacity(24);
        self.write_iso(&mut out);
        String::from_utf8(out).unwrap_or_default()
    }

    /// Appends the ISO 8601 form (`2026-01-15T09:00:00.000Z`) to `out`.
    pub fn write_iso(self, out: &mut Vec<u8>) {
        // A hand-rolled formatter: this runs several times per request on the hot path.
        let days = self.0.div_euclid(Millis::DAY);
        let in_day = self.0.rem_euclid(Millis::DAY);
        if !(-719_162..=2_932_896).contains(&days) {
            // Outside years 1..=9999: let chrono decide.
            let text = DateTime::<Utc>::from_timestamp_millis(self.0)
                .unwrap_or_default()
                .to_rfc3339_opts(SecondsFormat::Millis, true);
            out.extend_from_slice(text.as_bytes());
            return;
        }
        let in_day = u32::try_from(in_day).unwrap_or(0);
        let mut text = *b"0000-00-00T00:00:00.000Z";
        text[..10].copy_from_slice(&date_text(days));
        let mut pair = |at: usize, value: u32| {
            text[at..at + 2].copy_from_slice(&DECIMAL_PAIRS[value as usize % 100]);
        };
        pair(11, in_day / 3_600_000);
        pair(14, in_day / 60_000 % 60);
        pair(17, in_day / 1000 % 60);
        let millis = in_day % 1000;
        text[20] = b'0' + (millis / 100) as u8;
        text[21..23].copy_from_slice(&DECIMAL_PAIRS[(millis % 100) as usize]);
        out.extend_from_slice(&text);
    }

    /// Parses an RFC 3339 instant.
    pub fn parse_iso(text: &str) -> Option<Millis> {
        DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|time| Millis(time.timestamp_millis()))
    }
}

thread_local! {
    /// The last day written on this thread and its date: a task's times are of one day.
    static LAST_DATE: std::cell::Cell<(i64, [u8; 10])> =
        const { std::cell::Cell::new((i64::MIN, *b"0000-00-00")) };
}

/// `2026-01-15`: the date of `days` since 1970-01-01, within years 1..=9999.
fn date_text(days: i64) -> [u8; 10] {
    let (last, text) = LAST_DATE.get();
    if last == days {
        return text;
    }
    let (year, month, day) = civil_from_days(days);
    // Within years 1..=9999 every part fits its digits.
    let [year, month, day] = [year, month, day].map(|part| u32::try_from(part).unwrap_or(0));
    let mut text = *b"0000-00-00";
    for (at, value) in [(0, year / 100), (2, year % 100), (5, month), (8, day)] {
        text[at..at + 2].copy_from_slice(&DECIMAL_PAIRS[value as usize % 100]);
    }
    LAST_DATE.set((days, text));
    text
}

/// The two decimal digits of 0..=99 (a table: times are written several times per request).
pub(crate) const DECIMAL_PAIRS: [[u8; 2]; 100] = {
    let mut pairs = [[0u8; 2]; 100];
    let mut value = 0;
    while value < 100 {
        pairs[value] = [b'0' + (value / 10) as u8, b'0' + (value % 10) as u8];
        value += 1;
    }
    pairs
};

/// Days since 1970-01-01 → (year, month, day) in the proleptic Gregorian calendar
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

impl fmt::Display for Millis {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.to_iso())
    }
}

/// How the clock moves on its own.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum ClockMode {
    /// Wall-clock time plus whatever has been advanced.
    System,
    /// Frozen: moves only when advanced.
    Manual,
}

/// The source of `now` for the mock. Injectable so tests control time.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current instant.
    fn now(&self) -> Millis;
    /// Moves the clock forward by `ms` milliseconds (negative values are ignored).
    fn advance(&self, ms: i64);
    /// Whether the clock moves on its own.
    fn mode(&self) -> ClockMode;
}

/// Wall-clock time plus an offset that only grows.
#[derive(Debug, Default)]
pub struct SystemClock {
    offset_ms: AtomicI64,
}

impl SystemClock {
    /// A clock that reads the system time.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Millis {
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| {
                i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX)
            });
        Millis(wall.saturating_add(self.offset_ms.load(Ordering::Relaxed)))
    }

    fn advance(&self, ms: i64) {
        if ms > 0 {
            self.offset_ms.fetch_add(ms, Ordering::Relaxed);
        }
    }

    fn mode(&self) -> ClockMode {
        ClockMode::System
    }
}

/// A frozen clock that moves only when told to.
#[derive(Debug)]
pub struct ManualClock {
    now_ms: AtomicI64,
}

impl ManualClock {
    /// The default start of a manual clock: 2026-01-15T09:00:00.000Z, a Thursday morning.
    pub const DEFAULT_START: Millis = Millis(1_768_467_600_000);

    /// A manual clock standing at `start`.
    #[must_use]
    pub fn starting_at(start: Millis) -> Self {
        Self {
            now_ms: AtomicI64::new(start.0),
        }
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::starting_at(Self::DEFAULT_START)
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Millis {
        Millis(self.now_ms.load(Ordering::Relaxed))
    }

    fn advance(&self, ms: i64) {
        if ms > 0 {
            self.now_ms.fetch_add(ms, Ordering::Relaxed);
        }
    }

    fn mode(&self) -> ClockMode {
        ClockMode::Manual
    }
}

/// Virtual time that runs `factor` times faster than wall time (and can be advanced): lets a real
/// client that sleeps between polls live through a 120 s timeout or a 180 s offline terminal in
/// a fraction of a second.
#[derive(Debug)]
pub struct WarpClock {
    origin: std::time::Instant,
    start: Millis,
    factor: u32,
    offset_ms: AtomicI64,
}

impl WarpClock {
    /// Starts at `start`, running `factor`× real time.
    #[must_use]
    pub fn new(start: Millis, factor: u32) -> Self {
        WarpClock {
            origin: std::time::Instant::now(),
            start,
            factor: factor.max(1),
            offset_ms: AtomicI64::new(0),
        }
    }
}

impl Clock for WarpClock {
    fn now(&self) -> Millis {
        let elapsed = i64::try_from(self.origin.elapsed().as_millis()).unwrap_or(i64::MAX);
        let warped = elapsed.saturating_mul(i64::from(self.factor));
        self.start
            .plus_ms(warped)
            .plus_ms(self.offset_ms.load(Ordering::Relaxed))
    }

    fn advance(&self, ms: i64) {
        if ms > 0 {
            self.offset_ms.fetch_add(ms, Ordering::Relaxed);
        }
    }

    fn mode(&self) -> ClockMode {
        ClockMode::System
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clocks_range_keeps_every_derived_date_in_four_digit_years() {
        assert_eq!(Millis::EARLIEST.to_iso(), "0001-01-01T00:00:00.000Z");
        assert_eq!(Millis::END_OF_9999.to_iso(), "9999-12-31T23:59:59.999Z");
        assert_eq!(Millis::LATEST_NOW.to_iso(), "9998-11-26T23:59:59.999Z");
        assert!(Millis::LATEST_NOW.clock_may_stand_at());
        assert!(!Millis::LATEST_NOW.plus_ms(1).clock_may_stand_at());
        assert!(!Millis(Millis::EARLIEST.0 - 1).clock_may_stand_at());
        // The longest horizon the mock derives (a storno's 93 days) stays inside year 9999.
        assert!(Millis::LATEST_NOW.plus_ms(93 * Millis::DAY) < Millis::END_OF_9999);
    }

    #[test]
    fn manual_clock_moves_only_when_advanced() {
        let clock = ManualClock::default();
        let before = clock.now();
        assert_eq!(clock.now(), before);
        clock.advance(1500);
        assert_eq!(clock.now(), before.plus_ms(1500));
        clock.advance(-10);
        assert_eq!(clock.now(), before.plus_ms(1500));
    }

    #[test]
    fn default_start_formats_as_iso_with_milliseconds() {
        assert_eq!(
            ManualClock::DEFAULT_START.to_iso(),
            "2026-01-15T09:00:00.000Z"
        );
        assert_eq!(
            Millis::parse_iso("2026-01-15T09:00:00.000Z"),
            Some(ManualClock::DEFAULT_START)
        );
    }

    #[test]
    fn the_fast_formatter_agrees_with_chrono() {
        let samples = [
            0,
            1,
            999,
            86_399_999,
            951_782_400_000,
            1_768_467_600_123,
            4_102_444_800_000,
            -1,
            -86_400_001,
            253_402_300_799_999,
        ];
        for ms in samples
            .into_iter()
            .chain((0..2000).map(|step| step * 1_234_567_891))
        {
            let expected = DateTime::<Utc>::from_timestamp_millis(ms)
                .unwrap_or_default()
                .to_rfc3339_opts(SecondsFormat::Millis, true);
            assert_eq!(Millis(ms).to_iso(), expected, "{ms}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_instant_is_written_as_chrono_writes_it(
            ms in -62_135_596_800_000i64..=253_402_300_799_999
        ) {
            let expected = DateTime::<Utc>::from_timestamp_millis(ms)
                .unwrap_or_default()
                .to_rfc3339_opts(SecondsFormat::Millis, true);
            proptest::prop_assert_eq!(Millis(ms).to_iso(), expected);
        }
    }

    #[test]
    fn system_clock_advance_adds_an_offset() {
        let clock = SystemClock::new();
        let before = clock.now();
        clock.advance(Millis::DAY);
        assert!(clock.now().0 >= before.0 + Millis::DAY);
    }
}
