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
//! | `threading.Condition()` (over an `RLock`) | [`Condition::with_lock(RLock::new())`](Condition::with_lock): a wait releases every level and restores it; `Condition::new()` is over a plain `Lock` |
//! | `mutex = Lock(); c1 = Condition(mutex); c2 = Condition(mutex)` | `let c1 = Condition::with_lock(&mutex);` (or an `Arc<Lock>`, an `RLock`); `Condition<&Lock>` works in a `static` |
//! | `with c1: ... c2.notify()` | `let g = c1.lock(); ... c2.notify_with(&g, 1);` ([`notify_with`](Condition::notify_with), [`notify_all_with`](Condition::notify_all_with), [`wait_with`](Condition::wait_with); a guard of another lock panics) |
//! | `cond.acquire()` / `cond.release()` | [`cond.acquire()`](Condition::acquire) / [`cond.release()?`](Condition::release) |
//! | `cond.wait()` / `cond.notify()` after `cond.acquire()` | [`cond.wait()?`](Condition::wait) / [`cond.notify(1)?`](Condition::notify): `Err` if the lock is not held (Python's `RuntimeError`) |
//! | a lock next to the data it guards | [`Mutex<T>`](Mutex), [`ReentrantMutex<T>`](ReentrantMutex): lock_api types, as parking_lot's (`use threading as parking_lot;`) |
//! | a lock whose waiters take turns | [`FairMutex<T>`](FairMutex) (every unlock hands the lock to a sleeper); `MutexGuard::unlock_fair` / `bump` once |
//! | run an initialisation once (module-level code under the import lock) | [`Once`]: `call_once`, `call_once_force`, `wait`, [`OnceState`] |
//! | a `Condition` over that lock | [`Condvar`]: `cv.wait(&mut guard)`, `wait_while`, `wait_for`; `notify_one()` / `notify_all()` say how many they woke |
//! | `ev = threading.Event()` | [`Event::new()`](Event::new): [`set`](Event::set), [`clear`](Event::clear), [`is_set`](Event::is_set), [`wait`](Event::wait), [`wait_timeout`](Event::wait_timeout) |
//! | `threading.Semaphore(3)` | [`Semaphore::new(3)`](Semaphore::new); `with sem:` → `let _p = sem.permit();` |
//! | `threading.BoundedSemaphore(3)` | [`BoundedSemaphore::new(3)`](BoundedSemaphore::new) |
//! | `sem.release(n)` | [`sem.release_n(n)?`](Semaphore::release_n) |
//! | `threading.Barrier(5, action, timeout)` | [`Barrier::new(5).with_action(f).with_timeout(t)`](Barrier) |
//! | `barrier.wait()` | [`barrier.wait()?`](Barrier::wait) (the arrival index, or [`BrokenBarrierError`]) |
//! | `threading.Timer(2.0, f).start()` | [`Timer::new(Duration::from_secs(2), f).start()?`](Timer) |
//! | 100,000 pending `Timer`s = 100,000 threads | 100,000 pending [`Timer`]s = one scheduler thread; each function still gets its own thread when it fires |
//! | `RuntimeError: can't start new thread` | `Err(`[`TimerError::SpawnFailed`]`)` from [`Timer::start`] |
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
mod fair_mutex;
mod futex;
mod lock;
mod mutex;
mod once;
mod rlock;
mod scheduler;
mod semaphore;
mod sync;
mod timer;
mod waiters;

/// The lock_api crate these data-owning types are built with (as `parking_lot::lock_api`).
pub use ::lock_api;
/// The guards that keep their lock alive through an `Arc` (`Mutex::lock_arc` and the like),
/// with the `arc_lock` feature, as parking_lot re-exports them.
#[cfg(feature = "arc_lock")]
pub use ::lock_api::{
    ArcMutexGuard, ArcReentrantMutexGuard, ArcRwLockReadGuard, ArcRwLockUpgradableReadGuard,
    ArcRwLockWriteGuard,
};
pub use barrier::Barrier;
pub use condition::{Condition, ConditionGuard, ConditionLock};
pub use error::{BrokenBarrierError, ReleaseError, TimerError};
pub use event::Event;
pub use fair_mutex::RawFairMutex;
#[cfg(not(loom))]
pub use fair_mutex::{FairMutex, FairMutexGuard, MappedFairMutexGuard};
pub use lock::{Lock, LockGuard};
#[cfg(not(loom))]
pub use mutex::{
    Condvar, MappedMutexGuard, MappedReentrantMutexGuard, Mutex, MutexGuard, ReentrantMutex,
    ReentrantMutexGuard,
};
pub use mutex::{RawCondvar, RawThreadId, WaitTimeoutResult};
/// The raw lock under [`Mutex`]: [`Lock`] (as `parking_lot::RawMutex`).
pub type RawMutex = Lock;
pub use once::{Once, OnceState};
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

    /// How many threads are in the sleep phase of acquiring `lock` right now: counted
    /// before they first sleep, until they leave with the lock or give up. A test that
    /// needs a waiter really waiting (say, before an `unlock_fair`) waits for this to rise.
    ///
    /// ```
    /// let lock = threading::Lock::new();
    /// assert_eq!(threading::diagnostics::lock_sleepers(&lock), 0);
    /// ```
    pub fn lock_sleepers(lock: &crate::Lock) -> u32 {
        lock.sleepers()
    }

    /// How many timers, process-wide, fired but could not run their function because the
    /// operating system refused the function's thread (each also printed a line on stderr).
    /// A refusal when the scheduler thread itself is needed is an `Err` from
    /// [`Timer::start`](crate::Timer::start) instead.
    ///
    /// ```
    /// assert_eq!(threading::diagnostics::timer_spawn_failures(), 0);
    /// ```
    pub fn timer_spawn_failures() -> u64 {
        // Relaxed: a counter that orders nothing.
        crate::timer::SPAWN_FAILURES.load(core::sync::atomic::Ordering::Relaxed)
    }

    /// Only under loom: waits until the timer scheduler thread has ended (it does once no
    /// timer is queued). A loom model that started a timer calls this last, because loom
    /// tears down the model's statics as soon as the model's main thread returns.
    #[cfg(loom)]
    pub fn join_timer_scheduler() {
        crate::scheduler::join_scheduler();
    }
}
