//! What the process hears of a timer whose function could not get a thread: the one place
//! where this crate prints. When a timer fires, the OS may refuse the thread for its
//! function; nobody is there to take an `Err` then (Python would have refused at `start`),
//! so the timer ends unrun, a process-wide counter counts it
//! ([`crate::diagnostics::timer_spawn_failures`]) and a line on stderr says so, as Python
//! prints the traceback of an exception in a thread. `src/timer.rs` calls
//! [`function_thread_refused`].

use core::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// How many timer functions could not get a thread when their timer fired. A plain std
/// atomic even under loom: a counter that orders nothing, read only by diagnostics.
static FUNCTION_THREADS_REFUSED: AtomicU64 = AtomicU64::new(0);

/// A fired timer's function thread was refused (`why`): count it and say so. Never
/// panics, not even where stderr is closed: it runs on the scheduler thread.
pub(crate) fn function_thread_refused(why: &str) {
    use std::io::Write;
    // Relaxed: a counter that orders nothing.
    FUNCTION_THREADS_REFUSED.fetch_add(1, Relaxed);
    let _ = writeln!(
        std::io::stderr(),
        "threading::Timer: can't start new thread for a timer's function ({why}); \
         the timer ends without running it"
    );
}

/// How many fired timers, process-wide, could not get a thread for their function.
pub(crate) fn function_threads_refused() -> u64 {
    // Relaxed: a counter that orders nothing.
    FUNCTION_THREADS_REFUSED.load(Relaxed)
}
