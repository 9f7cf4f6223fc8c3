//! Linux: the futex system call, made directly.
//!
//! * Wait: `FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG` with an *absolute* `CLOCK_MONOTONIC`
//!   deadline (the clock `Instant` reads on Linux), so a wait retried after `EINTR` or a
//!   spurious return never extends the total time; no timeout pointer means forever.
//! * Wake: `FUTEX_WAKE | FUTEX_PRIVATE_FLAG` with the count (1, n, or `i32::MAX` for all).
//!
//! We make the calls ourselves rather than through a crate so that every variadic argument
//! has exactly the type the kernel reads: the word goes in as the `*const u32` that
//! `AtomicU32::as_ptr` gives, not as a `&AtomicU32`. Miri checks the types passed through
//! `syscall`'s varargs, and rejected a `&AtomicU32` there ("incorrect c-variadic argument
//! type"), which stopped every blocking test under Miri here and in dependent crates.

use super::{AtomicU32, Expired, monotonic_after};
use std::time::Duration;

pub(super) fn wait(word: &AtomicU32, expected: u32, timeout: Option<Duration>) -> Expired {
    // Absolute, on CLOCK_MONOTONIC: the clock `FUTEX_WAIT_BITSET` measures deadlines in.
    let deadline = timeout.map(monotonic_after);
    let deadline_ptr = deadline.as_ref().map_or(core::ptr::null(), |t| t as *const libc::timespec);
    // SAFETY: `word` is a live, aligned 4-byte atomic for the whole call (it is borrowed) and
    // the kernel only reads it. `deadline` outlives the call (null means no deadline).
    // FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC time (the default clock for this
    // op), ignores uaddr2, and with the bitset FUTEX_BITSET_MATCH_ANY matches every waker.
    let result = unsafe {
        libc::syscall(
            libc::SYS_futex,
            word.as_ptr().cast_const(),
            libc::FUTEX_WAIT_BITSET | libc::FUTEX_PRIVATE_FLAG,
            expected,
            deadline_ptr,
            core::ptr::null::<u32>(),
            // FUTEX_BITSET_MATCH_ANY, as the u32 the kernel reads (libc spells it as -1i32).
            u32::MAX,
        )
    };
    // 0 (woken), EAGAIN (word already changed), EINTR (a signal): look again.
    Expired::from_errno_after(result == -1)
}

pub(super) fn wake_one(word: &AtomicU32) {
    wake(word, 1);
}

pub(super) fn wake_n(word: &AtomicU32, n: u32) {
    // The kernel takes the count as an int; more than i32::MAX sleepers cannot exist.
    wake(word, i32::try_from(n).unwrap_or(i32::MAX));
}

pub(super) fn wake_all(word: &AtomicU32) {
    wake(word, i32::MAX);
}

fn wake(word: &AtomicU32, count: i32) {
    // SAFETY: `word` is a live, aligned 4-byte atomic for the whole call (it is borrowed);
    // FUTEX_WAKE only uses its address to find sleepers and ignores the remaining
    // arguments, so passing no timeout, uaddr2 or val3 is fine.
    unsafe {
        libc::syscall(
            libc::SYS_futex,
            word.as_ptr().cast_const(),
            libc::FUTEX_WAKE | libc::FUTEX_PRIVATE_FLAG,
            count,
        );
    }
}
