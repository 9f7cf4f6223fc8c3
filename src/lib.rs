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
//! | data many threads read and few write | [`RwLock<T>`](RwLock) (writer-preferring: `read`, `write`, `upgradable_read` + atomic `upgrade`, `downgrade`), [`RecursiveRwLock<T>`](RecursiveRwLock) (nested reads never deadlock): lock_api types, as parking_lot's |
//! | a lock whose waiters take turns | [`FairMutex<T>`](FairMutex) (every unlock hands the lock to a sleeper); `MutexGuard::unlock_fair` / `bump` once |
//! | run an initialisation once (module-level code under the import lock) | [`Once`]: `call_once`, `call_once_force`, `wait`, [`OnceState`] |
//! | a `Condition` over that lock | [`Condvar`]: `cv.wait(&mut guard)`, `wait_while`, `wait_for`; `notify_one()` / `notify_all()` say how many they woke |
//! | `ev = threading.Event()` | [`Event::new()`](Event::new): [`set`](Event::set), [`clear`](Event::clear), [`is_set`](Event::is_set), [`wait`](Event::wait), [`wait_timeout`](Event::wait_timeout) |
//! | `threading.Semaphore(3)` | [`Semaphore::new(3)`](Semaphore::new); `with sem:` → `let _p = sem.permit();` |
//! | `threading.BoundedSemaphore(3)` | [`BoundedSemaphore::new(3)`](BoundedSemaphore::new) |
//! | `sem.release(n)` | [`sem.release_n(n)?`](Semaphore::release_n) |
//! | `threading.Barrier(5, action, timeout)` | [`Barrier::new(5).with_action(f).with_timeout(t)`](Barrier) |
//! | `barrier.wait()` | [`barrier.wait()?`](Barrier::wait) (the arrival index, or [`BrokenBarrierError`]) |
//! | `barrier.wait(timeout=t)` | [`barrier.wait_timeout(t)?`](Barrier::wait_timeout): `Err` breaks the barrier, as Python's |
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
//! | `queue.PriorityQueue(maxsize)` | [`PriorityQueue::new(maxsize)`](PriorityQueue::new): smallest first by `Ord`, so every part of an item must be `Ord` (tuples of such compare as Python's); `(priority, seq, callable)` → [`Prioritized::new(priority, callable)`](Prioritized), ordered by its priority alone |
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
//! # Platforms
//!
//! Which systems are tested and which type-checked: the README's *Platforms*; which calls
//! each system gets: `src/futex/mod.rs`.
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
//! Built with `RUSTFLAGS="--cfg loom"`, every primitive of this crate (the lock_api faces and
//! the queues included) runs on [loom](https://docs.rs/loom)'s atomics and loom's model of
//! futex sleep and wake. Your code that uses them can therefore be model-checked *through*
//! them: loom explores every interleaving of your threads, and a notification your code
//! loses leaves a thread asleep forever, which loom reports as a `deadlock`. (std's and
//! parking_lot's locks are opaque to loom: a model needs loom's own types instead.)
//! The crate's own models are one command in CONTRIBUTING.md; yours look like this.
//! `Cargo.toml`:
//!
//! ```toml
//! [dependencies]
//! # Not on crates.io yet: a checkout of this repository (`pythreading = "0.1"` once published).
//! pythreading = { path = "../threading" }
//!
//! # loom 0.7: the major version this crate uses under cfg(loom), so that one `loom::model`
//! # drives your threads and our primitives alike.
//! [target.'cfg(loom)'.dependencies]
//! loom = "0.7"
//!
//! [lints.rust]
//! unexpected_cfgs = { level = "warn", check-cfg = ["cfg(loom)"] }
//! ```
//!
//! `tests/model.rs` (this is the repository's `tests/user_model.rs`, which CI runs from a
//! crate of its own, `tests/downstream`, as a user's crate runs it):
//!
//! ```ignore
#![doc = include_str!("../tests/user_model.rs")]
//! ```
//!
//! ```sh
//! RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=3 cargo test --release --test model
//! ```
//!
//! Now move `slot.1.notify_one();` above the line that stores `Some(7)`: loom finds the
//! schedule where the notify comes before the waiter sleeps and the value after it, and the
//! test fails with `deadlock; threads = [...]`. (`#[should_panic(expected = "deadlock")]`
//! turns such a model into a test that the bug stays caught.)
//!
//! What to write:
//!
//! - **Threads and your own shared state** come from loom in a model: `loom::thread::spawn`,
//!   `loom::sync::Arc`, and loom's atomics for your own atomics, with a switch in your crate
//!   (no helper needed, these lines are the whole of it):
//!   ```ignore
//!   #[cfg(loom)]
//!   use loom::sync::atomic::{AtomicUsize, Ordering};
//!   #[cfg(not(loom))]
//!   use std::sync::atomic::{AtomicUsize, Ordering};
//!   ```
//!   Data behind one of our locks needs no switch: `Mutex<T>` guards it as usual. Data you
//!   guard with a `Lock` or a `Condition` yourself goes in `loom::cell::UnsafeCell` under
//!   loom, so that loom checks every access is ordered by the lock (its `with`/`with_mut`
//!   replace std's `get`).
//! - **Statics**: without loom the constructors are `const` (`static READY: Event =
//!   Event::new();`); loom's atomics exist only inside one execution of one model, so under
//!   loom a static is a `loom::lazy_static!`, which loom builds afresh for every execution:
//!   ```ignore
//!   #[cfg(not(loom))]
//!   static READY: Event = Event::new();
//!   #[cfg(loom)]
//!   loom::lazy_static! {
//!       static ref READY: Event = Event::new();
//!   }
//!   ```
//!   (`READY.set()` then reads the same either way.) A `static` lock_api face (`Mutex`,
//!   `RwLock`, `Condvar`, ...) still compiles under loom, but its second execution panics with a message
//!   that says to use `loom::lazy_static!`.
//! - **The lock_api faces** work in a model as they are: [`Mutex`], [`ReentrantMutex`],
//!   [`FairMutex`], [`RwLock`], [`RecursiveRwLock`] and [`Condvar`], with every guard and
//!   method of theirs (`unlock_fair`, `bump`, `upgradable_read` and `upgrade`, `downgrade`,
//!   `map`, the timed forms), built by `Mutex::new`, `RwLock::new`, `Condvar::new` and the
//!   like inside the model. Under loom each builds its lock on first use in the execution,
//!   and each thread's first use is ordered after that build (and after earlier first uses),
//!   as real code is ordered after the construction. loom checks the lock, not the `T`
//!   inside a `Mutex<T>` or an `RwLock<T>` (lock_api's own cell). [`Once`] is a primitive of
//!   our own, modelled as the others.
//! - **A model that expects a deadlock** (`should_panic`) holds its shared state in
//!   `std::sync::Arc`, not loom's: loom 0.7 unwinds the deadlocked threads, and dropping a
//!   loom `Arc` there can panic again, which aborts the test binary instead of passing the
//!   test (our guards and clean-ups know to do nothing then).
//!
//! What loom sees and what it does not:
//!
//! - **Modelled**: every atomic operation and every sleep and wake inside every primitive, with
//!   loom's weak-memory model of the orderings we use: a lost wake-up is a deadlock, an access
//!   the primitive does not order is a causality violation.
//! - **Time is not**: loom has no clock. A timed wait (`acquire_timeout`, `wait_timeout`,
//!   `wait_for_timeout`, `Condvar::wait_for`, a `Barrier` timeout, `get_timeout`) never sleeps
//!   under loom: it may report a timeout at once, at any point where it would have slept, and
//!   loom explores that timeout racing every wake; a timeout therefore never means "a long
//!   time passed". An untimed wait sleeps until woken.
//! - **[`Timer`]** works in a model with that rule (it may fire at any point after `start`), but
//!   its scheduler and each firing run on loom threads of their own (loom allows 5 threads in
//!   all: keep to one or two timers), and a model that started one must call
//!   [`diagnostics::join_timer_scheduler`](diagnostics) last, because loom tears down the
//!   model's statics once its main thread returns (`tests/downstream` has such a model).
//! - **Spinning is skipped**: outside loom a waiter spins on a plain load for a moment before
//!   it sleeps. loom would take each spin or yield as "run the other threads first", which
//!   hides the schedules that matter (the waiter asleep before the wake is sent); and a spin
//!   only loads a word that the wait itself checks again before sleeping, so leaving it out
//!   loses no behaviour.
//! - Keep models small: 2 or 3 threads and `LOOM_MAX_PREEMPTIONS=2` or `3`; each more costs
//!   about ten times the time.

#![deny(missing_docs)]
#![warn(unsafe_op_in_unsafe_fn)]

mod barrier;
mod block_cost;
mod condition;
mod condition_lock;
mod error;
mod event;
mod faces;
mod fork;
mod futex;
mod lock;
mod once;
mod queue;
mod raw_condvar;
mod reentrant_condition;
mod rlock;
mod rwlock;
mod scheduler;
mod semaphore;
mod spin;
mod sync;
mod thread_id;
mod timer;
mod timer_report;
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
pub use condition::{Condition, ConditionGuard};
pub use condition_lock::ConditionLock;
pub use error::{BrokenBarrierError, GetError, PutError, ReleaseError, TaskDoneError, TimerError};
pub use event::Event;
#[cfg(loom)]
pub use faces::Model;
/// Under loom only, hidden: the bare raw locks for the crate's own loom suite
/// (`src/faces/loom_shims.rs`).
#[cfg(loom)]
#[doc(hidden)]
pub use faces::loom_shims;
pub use faces::{
    Condvar, FairMutex, FairMutexGuard, MappedFairMutexGuard, MappedMutexGuard,
    MappedRecursiveRwLockReadGuard, MappedRecursiveRwLockWriteGuard, MappedReentrantMutexGuard,
    MappedRwLockReadGuard, MappedRwLockWriteGuard, Mutex, MutexGuard, RawCondvar, RawFairMutex,
    RawMutex, RawRwLock, RawRwLockRecursive, RawThreadId, RecursiveRwLock,
    RecursiveRwLockReadGuard, RecursiveRwLockUpgradableReadGuard, RecursiveRwLockWriteGuard,
    ReentrantMutex, ReentrantMutexGuard, RwLock, RwLockReadGuard, RwLockUpgradableReadGuard,
    RwLockWriteGuard, WaitTimeoutResult,
};
pub use lock::{Lock, LockGuard};
pub use once::{Once, OnceState};
pub use queue::{LifoQueue, Prioritized, PriorityQueue, Queue, SimpleQueue};
pub use reentrant_condition::{ReentrantCondition, ReentrantConditionGuard};
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

    /// Whether a writer (or an upgrading reader) owns `lock`'s writer slot and waits for
    /// the readers inside to leave, right now. While it is true, new readers of an
    /// [`RwLock`](crate::RwLock) wait; those of a [`RecursiveRwLock`](crate::RecursiveRwLock)
    /// do not. A test that needs a writer really waiting waits for this to turn true.
    ///
    /// ```
    /// let lock = threading::RwLock::new(());
    /// let raw = unsafe { lock.raw() };
    /// assert!(!threading::diagnostics::rwlock_writer_waits(raw));
    /// ```
    #[cfg(not(loom))]
    pub fn rwlock_writer_waits<const RECURSIVE: bool>(lock: &crate::RawRwLock<RECURSIVE>) -> bool {
        lock.writer_waits_for_readers()
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
        crate::timer_report::function_threads_refused()
    }

    /// Only under loom: waits until the timer scheduler thread has ended (it does once no
    /// timer is queued). A loom model that started a timer calls this last, because loom
    /// tears down the model's statics as soon as the model's main thread returns.
    #[cfg(loom)]
    pub fn join_timer_scheduler() {
        crate::timer::join_scheduler();
    }
}

// The README's Rust example runs as a doctest, so that the first code a newcomer reads stays
// true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
