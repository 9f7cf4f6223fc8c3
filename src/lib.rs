//! Python's `threading` synchronization objects, rebuilt in Rust on atomics and futex waits.
//!
//! Every primitive here is a small state machine over one or a few `AtomicU32` words.
//! The uncontended paths are a single atomic instruction and never enter the kernel; a
//! thread that must wait sleeps with a futex on the word it is waiting for. Each one lives
//! in its own file that explains its state encoding, its protocol and why each memory
//! ordering is what it is, and each is model-checked with [loom](https://docs.rs/loom).
//!
//! # Python → Rust
//!
//! | Python | Rust |
//! |---|---|
//! | `lock = threading.Lock()` | `let lock = Lock::new();` (or `static LOCK: Lock = Lock::new();`) |
//! | `lock.acquire()` / `lock.release()` | [`lock.acquire()`](Lock::acquire) / [`lock.release()?`](Lock::release) |
//! | `lock.acquire(blocking=False)` | [`lock.try_acquire()`](Lock::try_acquire) |
//! | `lock.acquire(timeout=1)` | [`lock.acquire_timeout(Duration::from_secs(1))`](Lock::acquire_timeout) |
//! | `with lock:` | `let _guard = lock.lock();` |
//! | `lock.locked()` | [`lock.locked()`](Lock::locked) |
//! | `threading.RLock()` | [`RLock::new()`](RLock::new), same methods, plus [`is_owned`](RLock::is_owned) |
//! | `cond = threading.Condition()` | [`Condition::new()`](Condition::new) (with its own lock) |
//! | `with cond: cond.wait()` | `let mut g = cond.lock(); g.wait();` |
//! | `cond.wait(timeout=t)` | [`g.wait_timeout(t)`](ConditionGuard::wait_timeout) |
//! | `cond.wait_for(pred, timeout=t)` | [`g.wait_for(pred)`](ConditionGuard::wait_for), [`g.wait_for_timeout(pred, t)`](ConditionGuard::wait_for_timeout) |
//! | `cond.notify(n)` / `cond.notify_all()` | [`g.notify(n)`](ConditionGuard::notify) / [`g.notify_all()`](ConditionGuard::notify_all) (return how many were woken) |
//! | `ev = threading.Event()` | [`Event::new()`](Event::new): [`set`](Event::set), [`clear`](Event::clear), [`is_set`](Event::is_set), [`wait`](Event::wait), [`wait_timeout`](Event::wait_timeout) |
//! | `threading.Semaphore(3)` | [`Semaphore::new(3)`](Semaphore::new); `with sem:` → `let _p = sem.permit();` |
//! | `threading.BoundedSemaphore(3)` | [`BoundedSemaphore::new(3)`](BoundedSemaphore::new) |
//! | `sem.release(n)` | [`sem.release_n(n)?`](Semaphore::release_n) |
//! | `threading.Barrier(5, action, timeout)` | [`Barrier::new(5).with_action(f).with_timeout(t)`](Barrier) |
//! | `barrier.wait()` | [`barrier.wait()?`](Barrier::wait) (the arrival index, or [`BrokenBarrierError`]) |
//! | `threading.Timer(2.0, f).start()` | [`Timer::new(Duration::from_secs(2), f).start()?`](Timer) |
//! | `RuntimeError` / `ValueError` from release | `Err(`[`ReleaseError`]`)` |
//!
//! Timeouts are [`Duration`](std::time::Duration)s. `Duration::ZERO` tries once without
//! sleeping; a timeout too large for the clock (such as `Duration::MAX`) waits forever.
//!
//! # Platform
//!
//! Linux and Windows are tested (Windows under Wine); macOS and FreeBSD are type-checked.
//! `src/futex/` is the one place that knows the operating system: futex on Linux,
//! `WaitOnAddress` on Windows, `os_sync_wait_on_address` (or `__ulock_wait` before macOS
//! 14.4) on macOS, `_umtx_op` on FreeBSD. Other systems get a `compile_error!` that says
//! what a port needs.

#![deny(missing_docs)]
#![warn(unsafe_op_in_unsafe_fn)]

mod barrier;
mod condition;
mod error;
mod event;
mod futex;
mod lock;
mod rlock;
mod semaphore;
mod sync;
mod timer;

pub use barrier::Barrier;
pub use condition::{Condition, ConditionGuard};
pub use error::{BrokenBarrierError, ReleaseError, TimerError};
pub use event::Event;
pub use lock::{Lock, LockGuard};
pub use rlock::{RLock, RLockGuard};
pub use semaphore::{BoundedSemaphore, BoundedSemaphoreGuard, Semaphore, SemaphoreGuard};
pub use timer::Timer;

/// Counters for tests and benchmarks.
pub mod diagnostics {
    /// How many futex system calls (waits and wakes) the calling thread has made through
    /// this crate so far. Tests use it to prove that uncontended paths stay in user space:
    /// read it, run the operation, read it again.
    ///
    /// ```
    /// let lock = threading::Lock::new();
    /// let before = threading::diagnostics::futex_calls_on_this_thread();
    /// lock.acquire();
    /// lock.release().unwrap();
    /// assert_eq!(threading::diagnostics::futex_calls_on_this_thread(), before);
    /// ```
    #[cfg(not(loom))]
    pub fn futex_calls_on_this_thread() -> u64 {
        crate::futex::syscalls_on_this_thread()
    }
}
