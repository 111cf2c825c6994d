//! Clocks: the wall clock token times are checked against, and the
//! monotonic one caches age by.
//!
//! Both the token checks ([`VerifyOptions`](super::VerifyOptions)) and the
//! caches ([`JwksCache`](super::JwksCache), the machine-token cache) take
//! an injectable [`Clock`], so tests can move time without sleeping. It
//! lives in its own module so that neither of them imports the other for
//! it.

use std::sync::{Arc, LazyLock};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// A clock: the current time in whole seconds.
///
/// For [`VerifyOptions::clock`](super::VerifyOptions::clock) it is seconds
/// since the Unix epoch; for
/// [`JwksCache::with_clock`](super::JwksCache::with_clock) any monotonic
/// count of seconds.
pub type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;

/// Seconds since the Unix epoch (0 if the system clock is before it).
pub(crate) fn unix_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Seconds since the first use of this clock: monotonic, so a wall-clock
/// jump neither expires a cache early nor keeps it forever.
pub(crate) fn monotonic_seconds() -> u64 {
    static START: LazyLock<Instant> = LazyLock::new(Instant::now);
    START.elapsed().as_secs()
}
