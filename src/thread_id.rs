//! The crate's thread ids: a number per thread, unique among every thread the process ever
//! ran and never 0. [`RLock`](crate::RLock) records its owner with one, and
//! [`ReentrantMutex`](crate::ReentrantMutex)'s `RawThreadId` hands them to lock_api.
//!
//! Each thread takes the next number of a process-wide counter the first time it asks, and
//! keeps it in a thread-local. Numbers are never reused, which an address (of a thread-local,
//! of a stack) could be once its thread has exited: a stale owner can then never be taken
//! for a live thread. A forked child keeps the forking thread's id; threads started in the
//! child get new ones.

use crate::sync::thread_local;

/// The id of the calling thread: unique among all threads the process ever ran, never 0.
#[allow(clippy::missing_const_for_thread_local)] // loom's thread_local! has no const form.
pub(crate) fn current() -> usize {
    // A std atomic even under loom: ids need only be unique, not model-checked.
    static NEXT_ID: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(1);
    thread_local! {
        static ID: core::cell::Cell<usize> = core::cell::Cell::new(0);
    }
    ID.with(|id| {
        if id.get() == 0 {
            // Relaxed: a unique number is all that is asked of the counter.
            id.set(NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
        }
        id.get()
    })
}
