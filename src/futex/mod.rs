//! The platform seam: sleep on a 32-bit word until woken or a deadline, wake one, some or all.
//!
//! This folder is the only place that knows about the operating system (and the clock).
//! Every primitive is a state machine over one or more `AtomicU32` words; when a thread
//! must wait for a word to change it calls [`wait`] with the value it last saw, and the
//! thread that changes the word calls [`wake_one`], [`wake_n`] or [`wake_all`].
//!
//! # The contract
//!
//! Every caller of the seam relies on exactly this (the one statement of it; the primitives
//! cite its points by name):
//!
//! 1. **Atomic check-and-sleep.** `wait(word, expected, deadline)` sleeps only if
//!    `*word == expected` at the moment the kernel queues the thread; the check and the
//!    sleep are one atomic step, so a `store` + `wake` that comes after the check always
//!    finds the sleeper. That is what makes "check the state, then sleep" free of lost
//!    wake-ups.
//! 2. **Spurious returns.** It may return for no reason at all (a signal, a wake meant for
//!    an earlier value, the word already being different, an OS timeout that ended before
//!    the deadline). Callers therefore always re-check their state in a loop.
//! 3. **A timeout is believed.** It returns [`Wait::TimedOut`] only when the deadline has
//!    passed, and callers trust that verdict without reading the clock again (under loom
//!    there is no clock). A loop that can go round without ever sleeping (woken each time
//!    before it sleeps) reads the clock itself through [`Deadline::has_passed`].
//! 4. **A wake may reach nobody.** A wake sent just as a timed wait gives up may reach
//!    nobody. Every caller with a deadline must stay correct when its timed-out wait "ate"
//!    no wake although one was sent (typically: take what the wake was for on the way out,
//!    or pass the wake on).
//! 5. **Too far means never.** A deadline too far away for the clock (`Duration::MAX`)
//!    means "never".
//! 6. **`wake_n` wakes at least `n`.** `wake_n(word, n)` wakes *at least*
//!    `min(n, sleepers)` threads; waking more is allowed (they re-check and sleep again),
//!    waking fewer would lose permits.
//! 7. **Any sleeper.** A `wake_one` (or `wake_n`) reaches sleepers of the OS's choosing,
//!    not the oldest: the highest priority first on Linux's real-time classes and macOS'
//!    QoS. A protocol whose wake must reach one kind of sleeper among others on the same
//!    word wakes all. The loom model wakes the last to sleep, so that loom finds a
//!    protocol that leans on first-come order.
//!
//! # Implementations
//!
//! This file keeps what every OS shares: [`Deadline`], [`Wait`], the per-thread count of
//! trips to the OS, and the checks before a trip (a deadline that has already passed
//! returns [`Wait::TimedOut`] without a system call, which makes `Duration::ZERO` free; an
//! OS timeout is trusted only after the clock confirms it). Each OS file below has the same
//! four functions: sleep on a word with an optional timeout, wake one, wake up to `n`, wake all.
//!
//! | OS | file | wait | wake |
//! |---|---|---|---|
//! | Linux | `linux.rs` | `futex(FUTEX_WAIT_BITSET)`, absolute `CLOCK_MONOTONIC` deadline | `futex(FUTEX_WAKE)`, any count |
//! | Windows | `windows.rs` | `WaitOnAddress`, relative milliseconds | `WakeByAddressSingle` / `WakeByAddressAll` |
//! | macOS | `macos.rs` | `os_sync_wait_on_address_with_deadline` (14.4+), else `__ulock_wait` | `os_sync_wake_by_address_any/all`, else `__ulock_wake` |
//! | FreeBSD | `freebsd.rs` | `_umtx_op(UMTX_OP_WAIT_UINT_PRIVATE)`, absolute `CLOCK_MONOTONIC` deadline | `_umtx_op(UMTX_OP_WAKE_PRIVATE)`, any count |
//! | `cfg(loom)` | `model.rs` | a loom model of the kernel's futex table | same |
//!
//! Where the OS takes an absolute deadline (Linux, FreeBSD, macOS 14.4+) a wait retried
//! after a spurious return never extends the total time. Where it takes a relative timeout
//! (Windows, older macOS) each retry recomputes what is left of the deadline from
//! `Instant`, which gives the same guarantee. Other systems get a `compile_error!` that
//! says what a port needs.

use crate::sync::AtomicU32;
use std::time::{Duration, Instant};

#[cfg(not(any(loom, target_os = "linux", windows, target_os = "macos", target_os = "freebsd")))]
compile_error!(
    "threading supports Linux, Windows, macOS and FreeBSD. A port adds one file to \
     src/futex/ with four functions (wait on a 32-bit word with a timeout, wake_one, wake_n, \
     wake_all) that keep the contract at the top of src/futex/mod.rs"
);

#[cfg(loom)]
mod model;
#[cfg(all(not(loom), target_os = "linux"))]
#[path = "linux.rs"]
mod os;
#[cfg(all(not(loom), windows))]
#[path = "windows.rs"]
mod os;
#[cfg(all(not(loom), target_os = "macos"))]
#[path = "macos.rs"]
mod os;
#[cfg(all(not(loom), target_os = "freebsd"))]
#[path = "freebsd.rs"]
mod os;

#[cfg(loom)]
pub(crate) use model::{wait, wake_all, wake_n, wake_one};

/// When a wait gives up. `None` inside means never.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Deadline(Option<Instant>);

impl Deadline {
    /// A wait that only a wake ends.
    pub(crate) const NEVER: Deadline = Deadline(None);

    /// `timeout` from now. A timeout too large to add to the clock means "never", so
    /// `Duration::MAX` waits forever instead of panicking or overflowing.
    pub(crate) fn after(timeout: Duration) -> Deadline {
        Deadline(Instant::now().checked_add(timeout))
    }

    /// At `instant` (lock_api's `*_until` forms).
    pub(crate) fn at(instant: Instant) -> Deadline {
        Deadline(Some(instant))
    }

    /// Whether the deadline has passed, for a loop that can go round without ever reaching
    /// [`wait`] (each time woken before it slept): such a loop must read the clock itself.
    /// Under loom there is no clock: only a wait's [`Wait::TimedOut`] ends a timed wait.
    pub(crate) fn has_passed(self) -> bool {
        !cfg!(loom) && self.0.is_some_and(|when| Instant::now() >= when)
    }

    /// Whether this deadline can ever pass.
    #[cfg_attr(not(loom), allow(dead_code))] // Only the loom model asks.
    pub(crate) fn is_never(self) -> bool {
        self.0.is_none()
    }
}

/// Why [`wait`] returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use = "a timed-out wait must end the caller's loop"]
pub(crate) enum Wait {
    /// Woken, or the word had already changed, or a spurious return: look again.
    Woken,
    /// The deadline has passed.
    TimedOut,
}

#[cfg(not(loom))]
std::thread_local! {
    // A per-thread count, so tests can prove a path makes no system call without being
    // disturbed by other threads. Only incremented on paths that already pay for a system
    // call, so it costs nothing measurable.
    static SYSCALLS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

#[cfg(not(loom))]
fn count_syscall() {
    SYSCALLS.with(|calls| calls.set(calls.get() + 1));
}

/// How many trips to the OS (waits and wakes) this thread has made through the seam.
#[cfg(not(loom))]
pub(crate) fn syscalls_on_this_thread() -> u64 {
    SYSCALLS.with(std::cell::Cell::get)
}

/// Sleeps while `*word == expected`, until woken or `deadline`; see the module docs.
#[cfg(not(loom))]
pub(crate) fn wait(word: &AtomicU32, expected: u32, deadline: Deadline) -> Wait {
    let Some(when) = deadline.0 else {
        count_syscall();
        let _ = os::wait(word, expected, None);
        return Wait::Woken;
    };
    // Checking the clock first makes `Duration::ZERO`-style deadlines free.
    let now = Instant::now();
    if now >= when {
        return Wait::TimedOut;
    }
    count_syscall();
    if os::wait(word, expected, Some(when - now)) == Expired::Yes && Instant::now() >= when {
        Wait::TimedOut
    } else {
        // Woken, the word already changed, a signal, or an OS timeout that fell short of
        // the deadline (rounding, a capped timeout): the caller looks again and retries.
        Wait::Woken
    }
}

/// Wakes one thread sleeping on `word`, if there is one.
#[cfg(not(loom))]
pub(crate) fn wake_one(word: &AtomicU32) {
    count_syscall();
    os::wake_one(word);
}

/// Wakes at least `min(n, sleepers)` threads sleeping on `word` (for `Semaphore::release_n`).
#[cfg(not(loom))]
pub(crate) fn wake_n(word: &AtomicU32, n: u32) {
    count_syscall();
    os::wake_n(word, n);
}

/// Wakes every thread sleeping on `word`.
#[cfg(not(loom))]
pub(crate) fn wake_all(word: &AtomicU32) {
    count_syscall();
    os::wake_all(word);
}

/// What an OS wait reports about its timeout (the seam confirms it with the clock).
#[cfg(not(loom))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expired {
    /// The OS says the timeout it was given ran out.
    Yes,
    /// Woken, spurious, interrupted, or the word had already changed.
    No,
}

#[cfg(all(not(loom), any(target_os = "linux", target_os = "freebsd")))]
impl Expired {
    /// The verdict of a Unix wait call: expired only if it `failed` with `ETIMEDOUT`.
    fn from_errno_after(failed: bool) -> Expired {
        let errno = std::io::Error::last_os_error().raw_os_error();
        if failed && errno == Some(libc::ETIMEDOUT) { Expired::Yes } else { Expired::No }
    }
}

/// `CLOCK_MONOTONIC` now plus `span`: the absolute deadline Linux's and FreeBSD's futex
/// waits take. Saturates instead of overflowing: a deadline billions of years away is as
/// good as the largest one the kernel accepts.
#[cfg(all(not(loom), any(target_os = "linux", target_os = "freebsd")))]
fn monotonic_after(span: Duration) -> libc::timespec {
    let mut now = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `now` is a valid, writable timespec; CLOCK_MONOTONIC always exists.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut now) };
    debug_assert_eq!(rc, 0, "clock_gettime(CLOCK_MONOTONIC) cannot fail");
    let secs = libc::time_t::try_from(span.as_secs()).unwrap_or(libc::time_t::MAX);
    let mut tv_sec = now.tv_sec.saturating_add(secs);
    // Below 10^9: fits every `c_long`.
    let mut tv_nsec = now.tv_nsec + libc::c_long::from(span.subsec_nanos() as i32);
    if tv_nsec >= 1_000_000_000 {
        tv_nsec -= 1_000_000_000;
        tv_sec = tv_sec.saturating_add(1);
    }
    libc::timespec { tv_sec, tv_nsec }
}

/// Above this many, `wake_n` on an OS without a "wake n" call wakes all: a few single wakes
/// leave the other sleepers asleep, many would cost more than the stampede they avoid.
#[cfg(all(not(loom), any(windows, target_os = "macos")))]
const WAKE_N_SINGLES: u32 = 8;

/// `wake_n` for an OS that can only wake one or all (Windows, macOS): `n` single wakes up
/// to [`WAKE_N_SINGLES`], all beyond. Waking more than `n` is allowed by the contract: the
/// extra threads find nothing for them and sleep again.
#[cfg(all(not(loom), any(windows, target_os = "macos")))]
fn wake_n_by_singles(word: &AtomicU32, n: u32, wake_one: fn(&AtomicU32), wake_all: fn(&AtomicU32)) {
    if n > WAKE_N_SINGLES {
        wake_all(word);
    } else {
        for _ in 0..n {
            wake_one(word);
        }
    }
}
