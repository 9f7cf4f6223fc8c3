//! Windows: `WaitOnAddress` / `WakeByAddressSingle` / `WakeByAddressAll` (Windows 8+).
//!
//! * Wait: `WaitOnAddress(word, &expected, 4, milliseconds)`. The timeout is relative and
//!   in whole milliseconds, so it is rounded *up* (a 0.3 ms wait must not become a 0 ms
//!   poll that spins the caller) and capped below `INFINITE`; the seam recomputes what is
//!   left of the deadline on every retry, and checks the clock before it believes a
//!   timeout. `WaitOnAddress` may also return early for no reason: callers loop anyway.
//! * Wake: there is no "wake n": `wake_n` uses the seam's single-wakes-then-all rule.
//! * Wine (which CI runs the Windows tests on): Wine 8's `WakeByAddressAll` alerts the
//!   sleepers but leaves them queued until each has run, so a `WakeByAddressSingle` just
//!   after it can land on a thread that is already awake and wake nobody new: a lost wake.
//!   Under Wine `wake_one` and `wake_n` therefore wake all, which the contract allows (the
//!   extra threads look and sleep again). Wine is known by the `wine_get_version` export
//!   of its `ntdll.dll`, looked up once.

use super::{AtomicU32, Expired};
use std::sync::OnceLock;
use std::time::Duration;
use windows_sys::Win32::Foundation::{ERROR_TIMEOUT, GetLastError};
use windows_sys::Win32::System::LibraryLoader::{GetModuleHandleA, GetProcAddress};
use windows_sys::Win32::System::Threading::{
    INFINITE, WaitOnAddress, WakeByAddressAll, WakeByAddressSingle,
};

/// Whether this process runs on Wine rather than Windows. A `OnceLock` is fine here: it
/// guards a one-time symbol look-up, not a word of any primitive's protocol.
fn on_wine() -> bool {
    static WINE: OnceLock<bool> = OnceLock::new();
    *WINE.get_or_init(|| {
        // SAFETY: both names are NUL-terminated literals; ntdll.dll is loaded in every
        // Windows process, and a null module handle makes GetProcAddress return null.
        unsafe {
            let ntdll = GetModuleHandleA(c"ntdll.dll".as_ptr().cast());
            !ntdll.is_null() && GetProcAddress(ntdll, c"wine_get_version".as_ptr().cast()).is_some()
        }
    })
}

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
    if on_wine() {
        return wake_all(word); // See the module doc.
    }
    // SAFETY: only the address is used, to find the threads sleeping on it.
    unsafe { WakeByAddressSingle(word.as_ptr().cast_const().cast()) }
}

pub(super) fn wake_n(word: &AtomicU32, n: u32) {
    if on_wine() {
        return wake_all(word); // See the module doc.
    }
    super::wake_n_by_singles(word, n, wake_one, wake_all);
}

pub(super) fn wake_all(word: &AtomicU32) {
    // SAFETY: only the address is used, to find the threads sleeping on it.
    unsafe { WakeByAddressAll(word.as_ptr().cast_const().cast()) }
}
