//! FreeBSD: `_umtx_op`, the kernel's own futex.
//!
//! * Wait: `UMTX_OP_WAIT_UINT_PRIVATE` (a 32-bit word, process-private) with a
//!   `struct _umtx_time` holding an *absolute* `CLOCK_MONOTONIC` deadline (`UMTX_ABSTIME`),
//!   so a retried wait never extends the total time. The size of that struct goes in the
//!   `uaddr` argument; that is how the kernel tells it from a bare relative timespec.
//! * Wake: `UMTX_OP_WAKE_PRIVATE` with the count (1, n, or `i32::MAX` for all).

use super::{AtomicU32, Expired, monotonic_after};
use std::time::Duration;

pub(super) fn wait(word: &AtomicU32, expected: u32, timeout: Option<Duration>) -> Expired {
    let mut deadline = timeout.map(|left| libc::_umtx_time {
        _timeout: monotonic_after(left),
        _flags: libc::UMTX_ABSTIME,
        _clockid: libc::CLOCK_MONOTONIC as u32,
    });
    let (size, time) = match deadline.as_mut() {
        None => (core::ptr::null_mut(), core::ptr::null_mut()),
        Some(time) => (
            // The kernel reads the struct's size from this pointer-sized argument.
            size_of::<libc::_umtx_time>() as *mut libc::c_void,
            (time as *mut libc::_umtx_time).cast(),
        ),
    };
    // SAFETY: `word` is a live, aligned 4-byte atomic for the whole call (it is borrowed) and
    // the kernel only reads it; `deadline` outlives the call.
    let result = unsafe {
        libc::_umtx_op(
            word.as_ptr().cast(),
            libc::UMTX_OP_WAIT_UINT_PRIVATE,
            libc::c_ulong::from(expected),
            size,
            time,
        )
    };
    // 0 (woken or the word already changed), EINTR (a signal): look again.
    Expired::from_errno_after(result == -1)
}

pub(super) fn wake_one(word: &AtomicU32) {
    wake(word, 1);
}

pub(super) fn wake_n(word: &AtomicU32, n: u32) {
    wake(word, n.min(i32::MAX as u32));
}

pub(super) fn wake_all(word: &AtomicU32) {
    wake(word, i32::MAX as u32);
}

fn wake(word: &AtomicU32, count: u32) {
    // SAFETY: only the address is used, to find the threads sleeping on it; the other
    // pointer arguments are unused by UMTX_OP_WAKE_PRIVATE.
    unsafe {
        libc::_umtx_op(
            word.as_ptr().cast(),
            libc::UMTX_OP_WAKE_PRIVATE,
            libc::c_ulong::from(count),
            core::ptr::null_mut(),
            core::ptr::null_mut(),
        );
    }
}
