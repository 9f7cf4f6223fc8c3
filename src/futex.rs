//! The platform seam: sleep on a 32-bit word until woken or a deadline, wake one or all.
//!
//! This is the only module that knows about the operating system (and the clock).
//! Every primitive is a state machine over one or more `AtomicU32` words; when a thread
//! must wait for a word to change it calls [`wait`] with the value it last saw, and the
//! thread that changes the word calls [`wake_one`] or [`wake_all`].
//!
//! # The contract
//!
//! * `wait(word, expected, deadline)` sleeps only if `*word == expected` at the moment the
//!   kernel queues the thread; the check and the sleep are one atomic step, so a
//!   `store` + `wake` that comes after the check always finds the sleeper. That is what makes
//!   "check the state, then sleep" free of lost wake-ups.
//! * It may return for no reason at all (a signal, a wake meant for an earlier value,
//!   the word already being different). Callers therefore always re-check their state in a
//!   loop. It returns [`Wait::TimedOut`] only when the deadline has passed, and callers
//!   trust that verdict without reading the clock again (under loom there is no clock).
//! * A wake that arrives as a timed wait gives up may reach nobody. Every caller with a
//!   deadline must be correct when its timed-out wait "ate" no wake but a wake was sent.
//!
//! # Implementations
//!
//! * Untimed waits and all wakes: the `atomic-wait` crate (`FUTEX_WAIT`/`FUTEX_WAKE` with
//!   `FUTEX_PRIVATE_FLAG` on Linux).
//! * Timed waits on Linux: `FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG` with an *absolute*
//!   `CLOCK_MONOTONIC` deadline, so that a wait retried after `EINTR` or a spurious return
//!   never extends the total time (a relative timeout would drift by the time spent between
//!   retries). Only Linux is supported: other systems get a `compile_error!`.
//! * Under `cfg(loom)`: a model. One loom `Mutex` guards a table from a word's address to a
//!   loom `Condvar`; `wait` re-reads the word under that mutex and sleeps on the word's own
//!   condvar if it is unchanged; `wake_*` notify that condvar under the same mutex. A lost
//!   wake-up therefore leaves a thread asleep forever, which loom reports as a deadlock. A
//!   timed wait never sleeps in the model: it yields and reports a timeout, which makes loom
//!   explore every place where a timeout can race with a wake.
//!
//! # What tests prove it
//!
//! `tests/futex_calls.rs` checks that the primitives' uncontended paths never get here
//! (counted by [`syscalls_on_this_thread`]); every test that blocks exercises `wait`; the
//! timeout tests exercise the timed path, including `Duration::MAX` (no deadline) and
//! `Duration::ZERO` (no sleep).

use crate::sync::AtomicU32;
use std::time::{Duration, Instant};

#[cfg(not(any(target_os = "linux", loom)))]
compile_error!(
    "threading supports Linux only: src/futex.rs needs a timed wait on a 32-bit word with an \
     absolute monotonic deadline (Linux: futex FUTEX_WAIT_BITSET) for this OS"
);

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
pub(crate) use os::{syscalls_on_this_thread, wait, wake_all, wake_one};

#[cfg(loom)]
pub(crate) use model::{wait, wake_all, wake_one};

// Waking "up to n" in one system call, for `Semaphore::release_n`.
#[cfg(loom)]
pub(crate) use model::wake_n;
#[cfg(not(loom))]
pub(crate) use os::wake_n;

#[cfg(not(loom))]
mod os {
    use super::{AtomicU32, Deadline, Wait};
    use std::cell::Cell;
    use std::time::Instant;

    std::thread_local! {
        // A per-thread count, so tests can prove a path makes no system call without
        // being disturbed by other threads. Only incremented on paths that already pay
        // for a system call, so it costs nothing measurable.
        static SYSCALLS: Cell<u64> = const { Cell::new(0) };
    }

    fn count_syscall() {
        SYSCALLS.with(|calls| calls.set(calls.get() + 1));
    }

    /// How many futex system calls (waits and wakes) this thread has made through the crate.
    pub(crate) fn syscalls_on_this_thread() -> u64 {
        SYSCALLS.with(Cell::get)
    }

    pub(crate) fn wait(word: &AtomicU32, expected: u32, deadline: Deadline) -> Wait {
        let Some(when) = deadline.0 else {
            count_syscall();
            atomic_wait::wait(word, expected);
            return Wait::Woken;
        };
        // Checking the clock first makes `Duration::ZERO`-style deadlines free.
        let now = Instant::now();
        if now >= when {
            return Wait::TimedOut;
        }
        let timespec = monotonic_now().plus(when - now);
        count_syscall();
        // SAFETY: `word` is a live, aligned 4-byte atomic for the whole call (it is borrowed);
        // the kernel only reads it. `timespec` outlives the call. FUTEX_WAIT_BITSET takes an
        // absolute CLOCK_MONOTONIC time (the default clock for this op), ignores uaddr2, and
        // with FUTEX_BITSET_MATCH_ANY behaves like FUTEX_WAIT for every waker.
        let result = unsafe {
            libc::syscall(
                libc::SYS_futex,
                word.as_ptr(),
                libc::FUTEX_WAIT_BITSET | libc::FUTEX_PRIVATE_FLAG,
                expected,
                &timespec.0 as *const libc::timespec,
                core::ptr::null::<u32>(),
                libc::FUTEX_BITSET_MATCH_ANY,
            )
        };
        if result == -1 && std::io::Error::last_os_error().raw_os_error() == Some(libc::ETIMEDOUT) {
            Wait::TimedOut
        } else {
            // 0 (woken), EAGAIN (word already changed) and EINTR (a signal) all mean: look again.
            Wait::Woken
        }
    }

    pub(crate) fn wake_one(word: &AtomicU32) {
        count_syscall();
        atomic_wait::wake_one(word);
    }

    pub(crate) fn wake_all(word: &AtomicU32) {
        count_syscall();
        atomic_wait::wake_all(word);
    }

    /// Wakes up to `n` threads sleeping on `word` with one system call.
    pub(crate) fn wake_n(word: &AtomicU32, n: u32) {
        // The kernel takes the count as an int; more than i32::MAX sleepers cannot exist.
        let n = i32::try_from(n).unwrap_or(i32::MAX);
        count_syscall();
        // SAFETY: `word` is a live, aligned 4-byte atomic for the whole call (it is borrowed);
        // FUTEX_WAKE only uses its address to find sleepers and ignores the remaining
        // arguments, so passing no timeout, uaddr2 or val3 is fine.
        unsafe {
            libc::syscall(
                libc::SYS_futex,
                word.as_ptr(),
                libc::FUTEX_WAKE | libc::FUTEX_PRIVATE_FLAG,
                n,
            );
        }
    }

    /// A `CLOCK_MONOTONIC` reading, the clock `Instant` uses on Linux and the clock
    /// `FUTEX_WAIT_BITSET` measures absolute deadlines in.
    struct Timespec(libc::timespec);

    fn monotonic_now() -> Timespec {
        let mut now = libc::timespec { tv_sec: 0, tv_nsec: 0 };
        // SAFETY: `now` is a valid, writable timespec; CLOCK_MONOTONIC always exists on Linux.
        let rc = unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut now) };
        debug_assert_eq!(rc, 0, "clock_gettime(CLOCK_MONOTONIC) cannot fail");
        Timespec(now)
    }

    impl Timespec {
        /// Saturates instead of overflowing: a deadline billions of years away is as good
        /// as the largest one the kernel accepts.
        fn plus(self, span: std::time::Duration) -> Timespec {
            let secs = i64::try_from(span.as_secs()).unwrap_or(i64::MAX);
            let mut tv_sec = self.0.tv_sec.saturating_add(secs);
            let mut tv_nsec = self.0.tv_nsec + i64::from(span.subsec_nanos());
            if tv_nsec >= 1_000_000_000 {
                tv_nsec -= 1_000_000_000;
                tv_sec = tv_sec.saturating_add(1);
            }
            Timespec(libc::timespec { tv_sec, tv_nsec })
        }
    }
}

#[cfg(loom)]
mod model {
    use super::{AtomicU32, Deadline, Wait};
    use crate::sync::Ordering::Relaxed;
    use loom::sync::{Condvar, Mutex};
    use std::collections::HashMap;
    use std::sync::Arc;

    loom::lazy_static! {
        // The kernel's futex hash table: the mutex is the bucket lock that makes "check the
        // word, then sleep" atomic with respect to wakes. One condvar per word, so that a
        // wake_one aimed at one word can never be absorbed by a sleeper on another.
        static ref SLEEPERS: Mutex<HashMap<usize, Arc<Condvar>>> = Mutex::new(HashMap::new());
    }

    fn key(word: &AtomicU32) -> usize {
        word as *const AtomicU32 as usize
    }

    pub(crate) fn wait(word: &AtomicU32, expected: u32, deadline: Deadline) -> Wait {
        let mut table = SLEEPERS.lock().unwrap();
        // Relaxed: as in the kernel, the bucket lock (not the load) orders this check
        // against a waker's store-then-wake.
        if word.load(Relaxed) != expected {
            return Wait::Woken;
        }
        if !deadline.is_never() {
            // Model a timeout that fires before any wake could reach us: the caller must
            // cope with every wake that is sent from here on reaching nobody.
            drop(table);
            loom::thread::yield_now();
            return Wait::TimedOut;
        }
        let condvar =
            Arc::clone(table.entry(key(word)).or_insert_with(|| Arc::new(Condvar::new())));
        drop(condvar.wait(table).unwrap());
        Wait::Woken
    }

    pub(crate) fn wake_one(word: &AtomicU32) {
        if let Some(condvar) = SLEEPERS.lock().unwrap().get(&key(word)) {
            condvar.notify_one();
        }
    }

    pub(crate) fn wake_all(word: &AtomicU32) {
        if let Some(condvar) = SLEEPERS.lock().unwrap().get(&key(word)) {
            condvar.notify_all();
        }
    }

    pub(crate) fn wake_n(word: &AtomicU32, n: u32) {
        // Under the table lock, as one FUTEX_WAKE is one step for the kernel.
        if let Some(condvar) = SLEEPERS.lock().unwrap().get(&key(word)) {
            // A loom model has at most 5 threads: more notifications than that reach nobody.
            for _ in 0..n.min(8) {
                condvar.notify_one();
            }
        }
    }
}
