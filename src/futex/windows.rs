//! Windows: `WaitOnAddress` / `WakeByAddressSingle` / `WakeByAddressAll` (Windows 8+).
//!
//! * Wait: `WaitOnAddress(word, &expected, 4, milliseconds)`. The timeout is relative and
//!   in whole milliseconds, so it is rounded *up* (a 0.3 ms wait must not become a 0 ms
//!   poll that spins the caller) and capped below `INFINITE`; the seam recomputes what is
//!   left of the deadline on every retry, and checks the clock before it believes a
//!   timeout. `WaitOnAddress` may also return early for no reason: callers loop anyway.
//! * Wake: there is no "wake n": `wake_n` uses the seam's single-wakes-then-all rule.

use super::{AtomicU32, Expired};
use std::time::Duration;
use windows_sys::Win32::Foundation::{ERROR_TIMEOUT, GetLastError};
use windows_sys::Win32::System::Threading::{
    INFINITE, WaitOnAddress, WakeByAddressAll, WakeByAddressSingle,
};

pub(super) fn wait(word: &AtomicU32, expected: u32, timeout: Option<Duration>) -> Expired {
    let millis = match timeout {
        None => INFINITE,
        // Round up; anything at or above INFINITE is capped just below it (49 days): the
        // seam sees the deadline has not passed and waits again.
        Some(left) => {
            let ms = left.as_nanos().div_ceil(1_000_000);
            u32::try_from(ms).unwrap_or(INFINITE - 1).min(INFINITE - 1)
        }
    };
    // SAFETY: `word` is a live, aligned 4-byte atomic for the whole call (it is borrowed);
    // Windows only reads it, atomically. `expected` is a local the call reads 4 bytes from.
    let woken = unsafe {
        WaitOnAddress(
            word.as_ptr().cast_const().cast(),
            (&raw const expected).cast(),
            size_of::<u32>(),
            millis,
        )
    };
    // SAFETY: GetLastError only reads this thread's last-error value.
    if woken == 0 && unsafe { GetLastError() } == ERROR_TIMEOUT {
        Expired::Yes
    } else {
        Expired::No
    }
}

pub(super) fn wake_one(word: &AtomicU32) {
    // SAFETY: only the address is used, to find the threads sleeping on it.
    unsafe { WakeByAddressSingle(word.as_ptr().cast_const().cast()) }
}

pub(super) fn wake_n(word: &AtomicU32, n: u32) {
    super::wake_n_by_singles(word, n, wake_one, wake_all);
}

pub(super) fn wake_all(word: &AtomicU32) {
    // SAFETY: only the address is used, to find the threads sleeping on it.
    unsafe { WakeByAddressAll(word.as_ptr().cast_const().cast()) }
}
