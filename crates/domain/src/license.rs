//! The external license pool (SPEC section 3).

use std::fmt;

/// A number of external seats that can be bought: a bundle of 10, 20, 50, 100, 200 or 300, or
/// any multiple of 100 above 300. No other number can exist as a `SeatCount`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct SeatCount(u32);

/// Why a number of seats is not a bundle.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0} seats is not a bundle: seats come in bundles of 10, 20, 50, 100, 200, 300, then any multiple of 100")]
pub struct NotABundle(pub i64);

impl SeatCount {
    /// Accepts only the bundle sizes of SPEC section 3.
    pub fn parse(seats: i64) -> Result<Self, NotABundle> {
        let valid = matches!(seats, 10 | 20 | 50 | 100 | 200 | 300)
            || (seats > 300 && seats % 100 == 0 && seats <= i64::from(u32::MAX));
        if valid {
            u32::try_from(seats)
                .map(Self)
                .map_err(|_| NotABundle(seats))
        } else {
            Err(NotABundle(seats))
        }
    }

    /// The number of seats.
    pub fn get(self) -> u32 {
        self.0
    }
}

impl Default for SeatCount {
    /// SPEC section 9: "The external license pool starts with 10 seats."
    fn default() -> Self {
        Self(10)
    }
}

impl fmt::Display for SeatCount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The pool as a plan sees it: seats sold and seats held by active external users.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LicensePool {
    /// Seats sold.
    pub seats: SeatCount,
    /// Active users with an external license.
    pub active: u32,
}

impl LicensePool {
    /// Seats not held by anyone.
    pub fn available(&self) -> u32 {
        self.seats.get().saturating_sub(self.active)
    }

    /// Whether `n` more users can be activated (SPEC section 3: active ≤ seats, always).
    pub fn can_take(&self, n: u32) -> bool {
        n <= self.available()
    }

    /// A new seat count, refused when it is below the number of active users.
    pub fn resize(&self, seats: SeatCount) -> Result<LicensePool, SeatsBelowActive> {
        if seats.get() < self.active {
            return Err(SeatsBelowActive {
                seats: seats.get(),
                active: self.active,
            });
        }
        Ok(LicensePool { seats, ..*self })
    }
}

/// Lowering the seats below the active count is refused (SPEC section 3).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot lower the external seats to {seats}: {active} external users are active; inactivate some first")]
pub struct SeatsBelowActive {
    /// The seats asked for.
    pub seats: u32,
    /// The active external users.
    pub active: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundles_of_the_price_list_are_accepted() {
        for n in [10, 20, 50, 100, 200, 300, 400, 500, 1000, 12300] {
            assert_eq!(SeatCount::parse(n).map(SeatCount::get), Ok(n as u32));
        }
    }

    #[test]
    fn other_numbers_of_seats_are_refused() {
        for n in [-10, 0, 1, 9, 11, 30, 40, 150, 250, 350, 399, 401] {
            assert_eq!(SeatCount::parse(n), Err(NotABundle(n)));
        }
    }

    #[test]
    fn available_seats_are_seats_minus_active() {
        let pool = LicensePool {
            seats: SeatCount::default(),
            active: 7,
        };
        assert_eq!(pool.available(), 3);
        assert!(pool.can_take(3));
        assert!(!pool.can_take(4));
    }

    #[test]
    fn seats_cannot_be_lowered_below_the_active_users() {
        let pool = LicensePool {
            seats: SeatCount::parse(50).unwrap(),
            active: 12,
        };
        assert_eq!(
            pool.resize(SeatCount::parse(10).unwrap()),
            Err(SeatsBelowActive {
                seats: 10,
                active: 12
            })
        );
        assert_eq!(
            pool.resize(SeatCount::parse(20).unwrap())
                .map(|p| p.seats.get()),
            Ok(20)
        );
    }
}
