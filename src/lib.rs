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
//! | `cond = threading.Condition()` | [`Condition::reentrant()`](Condition::reentrant): over its own `RLock`, as Python's (its holder may take it again) |
//! | `threading.Condition(threading.Lock())` | [`Condition::new()`](Condition::new): over its own plain `Lock`, 24 bytes, `const`; taking it twice on one thread deadlocks |
//! | `with cond: cond.wait()` | `let mut g = cond.lock(); g.wait();` |
//! | `cond.wait(timeout=t)` | [`g.wait_timeout(t)`](ConditionGuard::wait_timeout) |
//! | `cond.wait_for(pred, timeout=t)` | [`g.wait_for(pred)`](ConditionGuard::wait_for), [`g.wait_for_timeout(pred, t)`](ConditionGuard::wait_for_timeout) |
//! | `cond.notify(n)` / `cond.notify_all()` | [`g.notify(n)`](ConditionGuard::notify) / [`g.notify_all()`](ConditionGuard::notify_all) (return how many were woken) |
//! | data kept under `threading.Condition()`, methods that lock and call each other | [`ReentrantCondition::new(RefCell::new(data))`](ReentrantCondition): `let g = cond.lock();` re-enters, derefs to the data; [`g.wait()`](ReentrantConditionGuard::wait) needs the only level (panics otherwise, before releasing anything) |
//! | `threading.Condition(rlock)` | [`Condition::with_lock(rlock)`](Condition::with_lock) (or `&rlock`, `Arc<RLock>`): a wait releases every level and restores it |
//! | `mutex = Lock(); c1 = Condition(mutex); c2 = Condition(mutex)` | `let c1 = Condition::with_lock(&mutex);` (or an `Arc<Lock>`, an `RLock`); `Condition<&Lock>` works in a `static` |
//! | `with c1: ... c2.notify()` | `let g = c1.lock(); ... c2.notify_with(&g, 1);` ([`notify_with`](Condition::notify_with), [`notify_all_with`](Condition::notify_all_with), [`wait_with`](Condition::wait_with); a guard of another lock panics) |
//! | `cond.acquire()` / `cond.release()` | [`cond.acquire()`](Condition::acquire) / [`cond.release()?`](Condition::release) |
//! | `cond.wait()` / `cond.notify()` after `cond.acquire()` | [`cond.wait()?`](Condition::wait) / [`cond.notify(1)?`](Condition::notify): `Err` if the lock is not held (Python's `RuntimeError`) |
//! | a lock next to the data it guards | [`Mutex<T>`](Mutex), [`ReentrantMutex<T>`](ReentrantMutex): lock_api types, as parking_lot's (`use threading as parking_lot;`) |
//! | a `Condition` over that lock | [`Condvar`]: `cv.wait(&mut guard)`, `wait_while`, `wait_for`; `notify_one()` / `notify_all()` say how many they woke |
//! | `ev = threading.Event()` | [`Event::new()`](Event::new): [`set`](Event::set), [`clear`](Event::clear), [`is_set`](Event::is_set), [`wait`](Event::wait), [`wait_timeout`](Event::wait_timeout) |
//! | `threading.Semaphore(3)` | [`Semaphore::new(3)`](Semaphore::new); `with sem:` → `let _p = sem.permit();` |
//! | `threading.BoundedSemaphore(3)` | [`BoundedSemaphore::new(3)`](BoundedSemaphore::new) |
//! | `sem.release(n)` | [`sem.release_n(n)?`](Semaphore::release_n) |
//! | `threading.Barrier(5, action, timeout)` | [`Barrier::new(5).with_action(f).with_timeout(t)`](Barrier) |
//! | `barrier.wait()` | [`barrier.wait()?`](Barrier::wait) (the arrival index, or [`BrokenBarrierError`]) |
//! | `barrier.abort()` / `barrier.reset()` | [`barrier.abort()`](Barrier::abort) / [`barrier.reset()`](Barrier::reset) |
//! | `threading.Timer(2.0, f).start()` | [`Timer::new(Duration::from_secs(2), f).start()?`](Timer) |
//! | 100,000 pending `Timer`s = 100,000 threads | 100,000 pending [`Timer`]s = one scheduler thread; each function still gets its own thread when it fires |
//! | `RuntimeError: can't start new thread` | `Err(`[`TimerError::SpawnFailed`]`)` from [`Timer::start`] |
//! | `RuntimeError` / `ValueError` from release | `Err(`[`ReleaseError`]`)` |
//! | `q = queue.Queue(maxsize)` | [`Queue::new(maxsize)`](Queue::new) (0 = unbounded); share it with an `Arc` or `thread::scope` |
//! | `q.put(x)` / `q.put(x, timeout=t)` / `q.put_nowait(x)` | [`q.put(x)?`](Queue::put) / [`q.put_timeout(x, t)?`](Queue::put_timeout) / [`q.put_nowait(x)?`](Queue::put_nowait) |
//! | `q.get()` / `q.get(timeout=t)` / `q.get_nowait()` | [`q.get()?`](Queue::get) / [`q.get_timeout(t)?`](Queue::get_timeout) / [`q.get_nowait()?`](Queue::get_nowait) |
//! | `except queue.Full` | `Err(`[`PutError::Full(item)`](PutError::Full)`)`: the item comes back |
//! | `except queue.Empty` | `Err(`[`GetError::Empty`]`)` |
//! | `except queue.ShutDown` | `Err(`[`PutError::ShutDown(item)`](PutError::ShutDown)`)` from a put, `Err(`[`GetError::ShutDown`]`)` from a get |
//! | `q.task_done()` | [`q.task_done()?`](Queue::task_done) (`Err(`[`TaskDoneError`]`)`: Python's `ValueError`, called too often) |
//! | `q.join()` | [`q.join()`](Queue::join) |
//! | `q.shutdown()` / `q.shutdown(immediate=True)` | [`q.shutdown(false)`](Queue::shutdown) / `q.shutdown(true)` |
//! | `q.qsize()`, `q.empty()`, `q.full()`, `q.maxsize` | [`q.qsize()`](Queue::qsize), [`q.empty()`](Queue::empty), [`q.full()`](Queue::full), [`q.maxsize()`](Queue::maxsize) |
//! | `queue.LifoQueue(maxsize)` | [`LifoQueue::new(maxsize)`](LifoQueue::new), the same methods |
//! | `queue.PriorityQueue(maxsize)` | [`PriorityQueue::new(maxsize)`](PriorityQueue::new): smallest first by `Ord`; `(priority, item)` tuples work as in Python |
//! | `queue.SimpleQueue()` | [`SimpleQueue::new()`](SimpleQueue::new): `put` never blocks or fails; `get`s return `Result` |
//! | `threading.Thread(target=f).start()` / `t.join()` | left to std: [`std::thread::spawn(f)`](std::thread::spawn) / `handle.join()`, or [`std::thread::scope`] to borrow locals |
//! | `threading.local()` | left to std: [`thread_local!`] |
//! | `threading.current_thread()` / `threading.get_ident()` | left to std: [`std::thread::current()`](std::thread::current) / [`std::thread::current().id()`](std::thread::Thread::id) |
//! | `concurrent.futures.ThreadPoolExecutor` | left to others: [`std::thread::scope`] for a fixed batch, a [`Queue`] and workers (below), or a pool crate (rayon, threadpool) |
//!
//! Timeouts are [`Duration`](std::time::Duration)s. `Duration::ZERO` tries once without
//! sleeping; a timeout too large for the clock (such as `Duration::MAX`) waits forever.
//!
//! # A worker pool
//!
//! The shape of most Python threading programs, from the `queue` module's documentation, with
//! types: workers take items until the queue is shut down, and the main thread waits with
//! `join` until every item was marked done.
//!
//! ```
//! use std::{sync::Arc, thread};
//! use threading::Queue;
//!
//! let q = Arc::new(Queue::new(0)); // q = queue.Queue()
//! for _ in 0..4 {
//!     let q = Arc::clone(&q);
//!     thread::spawn(move || {
//!         while let Ok(item) = q.get() { // Err once shut down and drained
//!             println!("Working on {item}");
//!             q.task_done().unwrap();
//!         }
//!     });
//! }
//! for item in 0..30 {
//!     q.put(item).unwrap();
//! }
//! q.join(); // every item was taken and marked done
//! println!("All work completed");
//! q.shutdown(false); // the workers' get() now fails: they end
//! ```
//!
//! # Platform
//!
//! Linux and Windows are tested (Windows under Wine); macOS and FreeBSD are type-checked.
//! `src/futex/` is the one place that knows the operating system: futex on Linux,
//! `WaitOnAddress` on Windows, `os_sync_wait_on_address` (or `__ulock_wait` before macOS
//! 14.4) on macOS, `_umtx_op` on FreeBSD. Other systems get a `compile_error!` that says
//! what a port needs.
//!
//! # fork()
//!
//! A forked child has only the thread that called `fork()`. [`Timer`]s work there as in a
//! fresh process, and the parent's timers are over (see [`Timer`], "Fork"). A [`Lock`] held
//! by another thread stays locked; an [`RLock`] stays owned by the forking thread, or held
//! by another one (`release` gives `NotOwner`): see each. Every other primitive is a word
//! (or a few) copied as it was, sleepers' marks included: as in Python, a child should use
//! only those no other thread of the parent was using at the fork.
//!
//! # Model-check your own code
//!
//! Built with `RUSTFLAGS="--cfg loom"`, every primitive of this crate, the lock_api faces
//! included, runs on [loom](https://docs.rs/loom)'s atomics and loom's model of futex sleep
//! and wake. A crate that depends on loom 0.7 (the major version used here) under
//! `cfg(loom)` and runs its threads in `loom::model` (with `loom::thread::spawn`, and its
//! own shared state on `loom::sync` types) therefore has loom explore every interleaving of
//! its code *through* these primitives; a notification it loses leaves a thread asleep
//! forever, which loom reports as a `deadlock`. The README's section of the same name has a
//! complete example (run by CI as `tests/downstream/` in the repository) and the one command.
//!
//! * **Statics**: constructors are `const` only without loom (loom's atomics exist only
//!   inside one execution of one model): under loom declare a static with
//!   `loom::lazy_static!`, which loom builds afresh for every execution. A plain `static`
//!   [`Mutex`], [`ReentrantMutex`] or [`Condvar`] compiles under loom but panics in its second
//!   execution, saying so.
//! * **The lock_api faces** work in a model unchanged: under loom each builds its lock on
//!   first use in the execution, and every thread's first use is ordered after that build.
//! * **Time is not modelled**: a timed wait never sleeps under loom; it may report a timeout
//!   at once, wherever it would have slept, and loom explores that timeout racing every
//!   wake. An untimed wait sleeps until woken. A [`Timer`] may therefore fire at any point
//!   after `start`; its threads are loom threads, and a model that started one calls
//!   [`diagnostics::join_timer_scheduler`](diagnostics) last.
//! * **Spinning is skipped**: a waiter's short spin before it sleeps only loads a word that
//!   its wait checks again; under loom it would only hide the schedules where the waiter
//!   sleeps first.

#![deny(missing_docs)]
#![warn(unsafe_op_in_unsafe_fn)]

mod barrier;
mod condition;
mod error;
mod event;
mod futex;
mod lock;
mod mutex;
#[cfg(loom)]
mod mutex_model;
mod queue;
mod rlock;
mod scheduler;
mod semaphore;
mod sync;
mod timer;
mod waiters;

/// The lock_api crate these data-owning types are built with (as `parking_lot::lock_api`).
pub use ::lock_api;
pub use barrier::Barrier;
pub use condition::{
    Condition, ConditionGuard, ConditionLock, ReentrantCondition, ReentrantConditionGuard,
};
pub use error::{BrokenBarrierError, GetError, PutError, ReleaseError, TaskDoneError, TimerError};
pub use event::Event;
pub use lock::{Lock, LockGuard};
#[cfg(not(loom))]
pub use mutex::{
    Condvar, MappedMutexGuard, MappedReentrantMutexGuard, Mutex, MutexGuard, ReentrantMutex,
    ReentrantMutexGuard,
};
// Under loom the same faces over raw types built on first use (src/mutex_model.rs says why).
pub use mutex::{RawCondvar, RawThreadId, WaitTimeoutResult};
#[cfg(loom)]
pub use mutex_model::{
    Condvar, MappedMutexGuard, MappedReentrantMutexGuard, ModelCondvar, ModelLock, Mutex,
    MutexGuard, ReentrantMutex, ReentrantMutexGuard,
};
/// The raw lock under [`Mutex`]: [`Lock`] (as `parking_lot::RawMutex`).
#[cfg(not(loom))]
pub type RawMutex = Lock;
/// The raw lock under [`Mutex`] under loom: [`ModelLock`].
#[cfg(loom)]
pub type RawMutex = ModelLock;
pub use queue::{LifoQueue, PriorityQueue, Queue, SimpleQueue};
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
