//! macOS: `os_sync_wait_on_address` and friends where the system has them (macOS 14.4+),
//! else the `__ulock_*` calls they are built on (macOS 10.12+, which is as old as Rust
//! itself supports), so the crate runs on every macOS that Rust targets.
//!
//! * macOS 14.4+: `os_sync_wait_on_address` (no deadline) or
//!   `os_sync_wait_on_address_with_deadline` with an absolute deadline on the
//!   `mach_absolute_time` clock (the clock `Instant` reads), and
//!   `os_sync_wake_by_address_any` / `_all`. They are looked up once with `dlsym` instead
//!   of linked, because a linked symbol that an older system lacks stops the whole program
//!   from loading.
//! * Older systems: `__ulock_wait(UL_COMPARE_AND_WAIT)` with a relative timeout in
//!   microseconds (rounded up, 0 meaning forever; the seam recomputes what is left on
//!   every retry) and `__ulock_wake`, with `ULF_WAKE_ALL` for all. These are private
//!   to Apple but ABI-stable: libc++'s `std::atomic::wait` and Rust's std rely on them too.
//! * Neither has "wake n": `wake_n` uses the seam's single-wakes-then-all rule.
//!
//! This file is type-checked in CI (clippy for `aarch64-apple-darwin` and
//! `x86_64-apple-darwin`) but not run: no macOS machine is available to CI.

use super::{AtomicU32, Expired};
use core::ffi::{CStr, c_int, c_void};
use std::sync::OnceLock;
use std::time::Duration;

// Private but stable since macOS 10.12 (declared in xnu's bsd/sys/ulock.h).
unsafe extern "C" {
    fn __ulock_wait(operation: u32, addr: *mut c_void, value: u64, timeout_us: u32) -> c_int;
    fn __ulock_wake(operation: u32, addr: *mut c_void, wake_value: u64) -> c_int;
    fn mach_absolute_time() -> u64;
    fn mach_timebase_info(info: *mut Timebase) -> c_int;
}

/// `__ulock_*` operation: compare a 32-bit word, process-private.
const UL_COMPARE_AND_WAIT: u32 = 1;
/// `__ulock_wake` flag: wake every sleeper instead of one.
const ULF_WAKE_ALL: u32 = 0x100;

/// `mach_timebase_info_data_t`: nanoseconds = ticks * numer / denom.
#[repr(C)]
struct Timebase {
    numer: u32,
    denom: u32,
}

type Wait = unsafe extern "C" fn(*mut c_void, u64, usize, u32) -> c_int;
type WaitWithDeadline = unsafe extern "C" fn(*mut c_void, u64, usize, u32, u32, u64) -> c_int;
type WakeByAddress = unsafe extern "C" fn(*mut c_void, usize, u32) -> c_int;

/// The `os_sync_*` entry points, when this system has them.
#[derive(Clone, Copy)]
struct OsSync {
    wait: Wait,
    wait_with_deadline: WaitWithDeadline,
    wake_any: WakeByAddress,
    wake_all: WakeByAddress,
}

/// The `os_sync_*` entry points, looked up on first use. A `OnceLock` is fine here: it
/// guards a one-time symbol look-up, not a word of any primitive's protocol.
fn os_sync() -> Option<OsSync> {
    static API: OnceLock<Option<OsSync>> = OnceLock::new();
    *API.get_or_init(|| {
        let wait = lookup(c"os_sync_wait_on_address");
        let wait_with_deadline = lookup(c"os_sync_wait_on_address_with_deadline");
        let wake_any = lookup(c"os_sync_wake_by_address_any");
        let wake_all = lookup(c"os_sync_wake_by_address_all");
        if [wait, wait_with_deadline, wake_any, wake_all].iter().any(|f| f.is_null()) {
            return None;
        }
        // SAFETY: these non-null addresses are the os_sync functions of those names, whose
        // C signatures (macOS 14.4 <os/os_sync_wait_on_address.h>) the types spell out.
        unsafe {
            Some(OsSync {
                wait: core::mem::transmute::<*mut c_void, Wait>(wait),
                wait_with_deadline: core::mem::transmute::<*mut c_void, WaitWithDeadline>(
                    wait_with_deadline,
                ),
                wake_any: core::mem::transmute::<*mut c_void, WakeByAddress>(wake_any),
                wake_all: core::mem::transmute::<*mut c_void, WakeByAddress>(wake_all),
            })
        }
    })
}

fn lookup(name: &CStr) -> *mut c_void {
    // RTLD_DEFAULT on Apple systems: search every image loaded in the process.
    let everywhere = core::ptr::without_provenance_mut::<c_void>(usize::MAX - 1);
    // SAFETY: `name` is NUL-terminated; dlsym only reads it.
    unsafe { libc::dlsym(everywhere, name.as_ptr()) }
}

pub(super) fn wait(word: &AtomicU32, expected: u32, timeout: Option<Duration>) -> Expired {
    let address = word.as_ptr().cast::<c_void>();
    let result = if let Some(api) = os_sync() {
        let expected = u64::from(expected);
        match timeout {
            // SAFETY: `address` is a live, aligned 4-byte atomic for the whole call (`word`
            // is borrowed) and the kernel only reads it, as the 4-byte size says.
            None => unsafe { (api.wait)(address, expected, 4, 0) },
            Some(left) => {
                let deadline = mach_deadline_after(left);
                // SAFETY: as above; the deadline is a plain number on the named clock.
                unsafe {
                    (api.wait_with_deadline)(
                        address,
                        expected,
                        4,
                        0,
                        OS_CLOCK_MACH_ABSOLUTE_TIME,
                        deadline,
                    )
                }
            }
        }
    } else {
        let micros = match timeout {
            None => 0,
            // Rounded up so that it never becomes 0 (forever); capped at about 71 minutes,
            // after which the seam waits again for what is left.
            Some(left) => u32::try_from(left.as_nanos().div_ceil(1000)).unwrap_or(u32::MAX),
        };
        // SAFETY: as above; `__ulock_wait` compares the 32-bit word with `expected`.
        unsafe { __ulock_wait(UL_COMPARE_AND_WAIT, address, u64::from(expected), micros) }
    };
    if result < 0 && std::io::Error::last_os_error().raw_os_error() == Some(libc::ETIMEDOUT) {
        Expired::Yes
    } else {
        // Woken, the word already changed, or EINTR: look again.
        Expired::No
    }
}

/// `os_clockid_t` of the `mach_absolute_time` clock, the only one the deadline call takes.
const OS_CLOCK_MACH_ABSOLUTE_TIME: u32 = 32;

/// `mach_absolute_time()` plus `left`, in that clock's ticks, saturating.
fn mach_deadline_after(left: Duration) -> u64 {
    let mut timebase = Timebase { numer: 0, denom: 0 };
    // SAFETY: `timebase` is a valid, writable mach_timebase_info_data_t.
    unsafe { mach_timebase_info(&mut timebase) };
    let ticks = if timebase.numer == 0 {
        left.as_nanos()
    } else {
        left.as_nanos() * u128::from(timebase.denom) / u128::from(timebase.numer)
    };
    // SAFETY: reads a clock; no arguments.
    let now = unsafe { mach_absolute_time() };
    now.saturating_add(u64::try_from(ticks).unwrap_or(u64::MAX))
}

pub(super) fn wake_one(word: &AtomicU32) {
    let address = word.as_ptr().cast::<c_void>();
    if let Some(api) = os_sync() {
        // SAFETY: only the address is used, to find the threads sleeping on it.
        unsafe { (api.wake_any)(address, 4, 0) };
    } else {
        // SAFETY: as above.
        unsafe { __ulock_wake(UL_COMPARE_AND_WAIT, address, 0) };
    }
}

pub(super) fn wake_n(word: &AtomicU32, n: u32) {
    super::wake_n_by_singles(word, n, wake_one, wake_all);
}

pub(super) fn wake_all(word: &AtomicU32) {
    let address = word.as_ptr().cast::<c_void>();
    if let Some(api) = os_sync() {
        // SAFETY: only the address is used, to find the threads sleeping on it.
        unsafe { (api.wake_all)(address, 4, 0) };
    } else {
        // SAFETY: as above.
        unsafe { __ulock_wake(UL_COMPARE_AND_WAIT | ULF_WAKE_ALL, address, 0) };
    }
}
