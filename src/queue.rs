//! `Queue`, `LifoQueue`, `PriorityQueue`, `SimpleQueue`: Python's `queue` module (3.13,
//! `shutdown` included), built as CPython builds it: one lock and three conditions over it.
//!
//! The crate docs (lib.rs) show a worker pool built on [`Queue`].
//!
//! # The shape: one lock, three conditions (`Condition::with_lock`)
//!
//! CPython's `queue.Queue` is the classic use of conditions that share a lock, and this
//! file is that construction, line for line:
//!
//! ```text
//! self.mutex = threading.Lock()                 let mutex = Arc::new(Lock::new());
//! self.not_empty = Condition(self.mutex)        not_empty: Condition::with_lock(Arc::clone(&mutex)),
//! self.not_full = Condition(self.mutex)         not_full: Condition::with_lock(Arc::clone(&mutex)),
//! self.all_tasks_done = Condition(self.mutex)   all_tasks_done: Condition::with_lock(mutex),
//! ```
//!
//! * `put` takes the lock through `not_full` (`with self.not_full:`), waits on `not_full`
//!   while the queue is full, adds the item and notifies one waiter of `not_empty`
//!   *through the guard of `not_full`*: [`not_empty.notify_with(&guard, 1)`](Condition::notify_with).
//!   Any guard of the shared lock is proof to every condition over that lock that it is
//!   held (a guard of another lock panics).
//! * `get` is the mirror image: through `not_empty`, waits on `not_empty` while empty,
//!   takes an item, notifies one waiter of `not_full`.
//! * `task_done` / `join`: the count of unfinished tasks, under the same lock; the last
//!   `task_done` notifies every waiter of `all_tasks_done`, where `join` waits.
//! * `shutdown` sets a flag and notifies *all* waiters of all three conditions; each
//!   re-checks what it waits for, finds the flag and returns its `Err`.
//!
//! Three conditions rather than one so that a notify wakes a thread that can use it: a
//! `get` wakes one putter, never a getter or a joiner. And since our conditions, unlike
//! `std::sync::Condvar`, have no spurious wakeups and wake exactly `min(n, waiting)`, a
//! notify is never wasted on a thread that will only sleep again.
//!
//! # The state
//!
//! | field | meaning |
//! |---|---|
//! | `not_empty`, `not_full`, `all_tasks_done` | three [`Condition`]s over one `Arc<Lock>`; waiters: getters, putters, joiners |
//! | `state.items` | the items, in a `Container`: `VecDeque` (FIFO), `Vec` (LIFO), `BinaryHeap<Reverse<T>>` (smallest first) |
//! | `state.unfinished_tasks` | items put and not yet marked done by `task_done` |
//! | `state.is_shutdown` | `shutdown` was called: puts fail, gets fail once the items run out |
//! | `maxsize` | the bound, 0 for none; fixed at construction |
//!
//! The state is behind an `UnsafeCell`, reached only through `Guarded::with`, which
//! takes `&mut` of a guard of the queue's lock: holding that borrow proves the lock is held
//! and keeps the caller from waiting (which would release it) while it touches the state.
//! The lock is private, so nothing else can release it meanwhile. That is the one `unsafe`
//! block here.
//!
//! # The protocol
//!
//! Every operation is: take the lock; loop { look at the state; done → notify the
//! condition whose waiters can now proceed, return; cannot wait (a `_nowait`, a timeout
//! expired) → `Err`; else wait on its own condition }. The shared logic is written once,
//! over a `Container`; the four public types are faces of it. Items dropped by
//! `shutdown(immediate=true)` are dropped after the lock is released, so an item's `Drop`
//! may use the queue.
//!
//! Orderings: none here. The lock orders every access to the state, and a condition's
//! wait/notify are documented in `src/condition.rs` and `src/waiters.rs`.

use crate::condition::{Condition, ConditionGuard};
use crate::error::{GetError, PutError, TaskDoneError};
use crate::futex::Deadline;
use crate::lock::Lock;
use crate::sync::UnsafeCell;
use core::cmp::Reverse;
use core::fmt;
use std::collections::{BinaryHeap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

/// How a kind of queue keeps its items: the one thing the kinds differ in (CPython's
/// `_init`, `_qsize`, `_put`, `_get`).
trait Container: Default {
    type Item;
    fn put_item(&mut self, item: Self::Item);
    fn take_item(&mut self) -> Option<Self::Item>;
    fn count(&self) -> usize;
}

/// `Queue` and `SimpleQueue`: first in, first out.
impl<T> Container for VecDeque<T> {
    type Item = T;
    fn put_item(&mut self, item: T) {
        self.push_back(item);
    }
    fn take_item(&mut self) -> Option<T> {
        self.pop_front()
    }
    fn count(&self) -> usize {
        self.len()
    }
}

/// `LifoQueue`: last in, first out.
impl<T> Container for Vec<T> {
    type Item = T;
    fn put_item(&mut self, item: T) {
        self.push(item);
    }
    fn take_item(&mut self) -> Option<T> {
        self.pop()
    }
    fn count(&self) -> usize {
        self.len()
    }
}

/// `PriorityQueue`: smallest first (std's heap is a max-heap, hence `Reverse`).
impl<T: Ord> Container for BinaryHeap<Reverse<T>> {
    type Item = T;
    fn put_item(&mut self, item: T) {
        self.push(Reverse(item));
    }
    fn take_item(&mut self) -> Option<T> {
        self.pop().map(|Reverse(item)| item)
    }
    fn count(&self) -> usize {
        self.len()
    }
}

/// What the lock guards.
struct State<C> {
    items: C,
    unfinished_tasks: usize,
    is_shutdown: bool,
}

impl<C: Container> State<C> {
    fn try_put(&mut self, item: C::Item, maxsize: usize) -> Result<(), PutError<C::Item>> {
        if self.is_shutdown {
            Err(PutError::ShutDown(item))
        } else if maxsize != 0 && self.items.count() >= maxsize {
            Err(PutError::Full(item))
        } else {
            self.items.put_item(item);
            self.unfinished_tasks += 1;
            Ok(())
        }
    }

    fn try_get(&mut self) -> Result<C::Item, GetError> {
        match self.items.take_item() {
            Some(item) => Ok(item),
            // Python 3.13: a shut-down queue still hands out what it holds.
            None if self.is_shutdown => Err(GetError::ShutDown),
            None => Err(GetError::Empty),
        }
    }
}

/// The lock every condition of a queue shares.
type SharedLock = Arc<Lock>;
type Guard<'a> = ConditionGuard<'a, SharedLock>;

/// The state, reachable only while the queue's lock is held.
struct Guarded<C>(UnsafeCell<State<C>>);

// SAFETY: the state is only reached through `with`, with the queue's lock held, so one
// thread at a time; it moves items between threads, hence `C: Send` (as for a `Mutex`).
unsafe impl<C: Send> Sync for Guarded<C> {}

impl<C> Guarded<C> {
    /// Runs `f` on the state. `held` is a guard of the queue's lock (of any of its three
    /// conditions): borrowing it mutably keeps the caller from waiting (and so releasing the
    /// lock) until `f` returns.
    fn with<R>(&self, held: &mut Guard<'_>, f: impl FnOnce(&mut State<C>) -> R) -> R {
        let _ = held;
        // SAFETY: `held` holds the queue's lock (`Core` only makes guards of its own
        // conditions, all over that lock, and nothing outside can release it), so no other
        // thread is in here; `f` cannot reach the guard, so it cannot release the lock or
        // call `with` again while the reference lives.
        self.0.with_mut(|state| f(unsafe { &mut *state }))
    }
}

/// How long an operation may wait.
#[derive(Clone, Copy)]
enum Block {
    /// Not at all: `_nowait`, or a zero timeout.
    No,
    /// Until this deadline (`Deadline::NEVER`: forever).
    Until(Deadline),
}

impl Block {
    const FOREVER: Block = Block::Until(Deadline::NEVER);

    fn timeout(timeout: Duration) -> Block {
        if timeout.is_zero() { Block::No } else { Block::Until(Deadline::after(timeout)) }
    }

    /// The deadline of one more wait, or `None` if the caller must give up now. `timed_out`:
    /// the last wait ended by its timeout (under loom the only clock there is).
    fn next_wait(self, timed_out: bool) -> Option<Deadline> {
        match self {
            Block::No => None,
            Block::Until(deadline) => (!timed_out && !deadline.has_passed()).then_some(deadline),
        }
    }
}

/// The queue itself; the public types are faces of it.
struct Core<C> {
    maxsize: usize,
    /// Getters wait here; a put notifies one.
    not_empty: Condition<SharedLock>,
    /// Putters wait here (bounded queues only); a get notifies one.
    not_full: Condition<SharedLock>,
    /// `join` waits here; the last `task_done` notifies all.
    all_tasks_done: Condition<SharedLock>,
    state: Guarded<C>,
}

impl<C: Container> Core<C> {
    fn new(maxsize: usize) -> Self {
        let mutex = Arc::new(Lock::new());
        Core {
            maxsize,
            not_empty: Condition::with_lock(Arc::clone(&mutex)),
            not_full: Condition::with_lock(Arc::clone(&mutex)),
            all_tasks_done: Condition::with_lock(mutex),
            state: Guarded(UnsafeCell::new(State {
                items: C::default(),
                unfinished_tasks: 0,
                is_shutdown: false,
            })),
        }
    }

    fn put(&self, mut item: C::Item, block: Block) -> Result<(), PutError<C::Item>> {
        let mut guard = self.not_full.lock(); // `with self.not_full:`
        let mut timed_out = false;
        loop {
            match self.state.with(&mut guard, |state| state.try_put(item, self.maxsize)) {
                Ok(()) => break,
                Err(PutError::Full(back)) => match block.next_wait(timed_out) {
                    Some(deadline) => {
                        item = back;
                        timed_out = !guard.wait_until(deadline);
                    }
                    None => return Err(PutError::Full(back)),
                },
                Err(shut_down) => return Err(shut_down),
            }
        }
        self.not_empty.notify_with(&guard, 1); // `self.not_empty.notify()`
        Ok(())
    }

    fn get(&self, block: Block) -> Result<C::Item, GetError> {
        let mut guard = self.not_empty.lock(); // `with self.not_empty:`
        let mut timed_out = false;
        let item = loop {
            match self.state.with(&mut guard, State::try_get) {
                Ok(item) => break item,
                Err(GetError::Empty) => match block.next_wait(timed_out) {
                    Some(deadline) => timed_out = !guard.wait_until(deadline),
                    None => return Err(GetError::Empty),
                },
                Err(shut_down) => return Err(shut_down),
            }
        };
        // Nobody ever waits for room in an unbounded queue.
        if self.maxsize != 0 {
            self.not_full.notify_with(&guard, 1); // `self.not_full.notify()`
        }
        Ok(item)
    }

    fn task_done(&self) -> Result<(), TaskDoneError> {
        let mut guard = self.all_tasks_done.lock();
        let unfinished = self.state.with(&mut guard, |state| {
            state.unfinished_tasks = state.unfinished_tasks.checked_sub(1).ok_or(TaskDoneError)?;
            Ok(state.unfinished_tasks)
        })?;
        if unfinished == 0 {
            guard.notify_all();
        }
        Ok(())
    }

    fn join(&self) {
        let mut guard = self.all_tasks_done.lock();
        while self.state.with(&mut guard, |state| state.unfinished_tasks) != 0 {
            guard.wait_until(Deadline::NEVER);
        }
    }

    fn shutdown(&self, immediate: bool) {
        let mut guard = self.all_tasks_done.lock(); // `with self.mutex:`
        let dropped = self.state.with(&mut guard, |state| {
            state.is_shutdown = true;
            if !immediate {
                return None;
            }
            let items = core::mem::take(&mut state.items);
            state.unfinished_tasks = state.unfinished_tasks.saturating_sub(items.count());
            Some(items)
        });
        if immediate {
            guard.notify_all(); // join() re-checks the count the dropped items lowered
        }
        self.not_empty.notify_all_with(&guard);
        self.not_full.notify_all_with(&guard);
        drop(guard);
        drop(dropped); // after the lock: an item's Drop may use the queue
    }

    fn inspect<R>(&self, f: impl FnOnce(&State<C>) -> R) -> R {
        let mut guard = self.not_empty.lock(); // `with self.mutex:`
        self.state.with(&mut guard, |state| f(state))
    }

    fn qsize(&self) -> usize {
        self.inspect(|state| state.items.count())
    }

    fn full(&self) -> bool {
        self.maxsize != 0 && self.qsize() >= self.maxsize
    }

    fn debug(&self, name: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (qsize, unfinished_tasks, is_shutdown) =
            self.inspect(|state| (state.items.count(), state.unfinished_tasks, state.is_shutdown));
        f.debug_struct(name)
            .field("qsize", &qsize)
            .field("maxsize", &self.maxsize)
            .field("unfinished_tasks", &unfinished_tasks)
            .field("is_shutdown", &is_shutdown)
            .field("getters_waiting", &self.not_empty.waiting())
            .field("putters_waiting", &self.not_full.waiting())
            .field("joiners_waiting", &self.all_tasks_done.waiting())
            .finish()
    }
}

/// One public face per kind of queue: the same methods and docs over a different
/// container.
macro_rules! queue_face {
    (
        $(#[$attr:meta])*
        $name:ident<T $(: $bound:ident)?>, $container:ty, $order:literal, $example:literal
    ) => {
        $(#[$attr])*
        ///
        /// Under `--cfg loom` it runs on loom's atomics and futex model, so loom checks
        /// code that uses it: see [Model-check your own code](crate#model-check-your-own-code).
        pub struct $name<T $(: $bound)?> {
            core: Core<$container>,
        }

        impl<T $(: $bound)?> $name<T> {
            #[doc = concat!("`queue.", stringify!($name), "(maxsize)`: an empty queue that \
                holds at most `maxsize` items; 0 means no bound (as in Python).")]
            pub fn new(maxsize: usize) -> Self {
                $name { core: Core::new(maxsize) }
            }

            #[doc = concat!("`q.put(item)`: adds `item` (", $order, "), first waiting \
                for room while a bounded queue is full. `Err(PutError::ShutDown(item))` if \
                the queue is or becomes shut down (also while waiting).")]
            pub fn put(&self, item: T) -> Result<(), PutError<T>> {
                self.core.put(item, Block::FOREVER)
            }

            /// `q.put(item, timeout=t)`: [`put`](Self::put), waiting at most `timeout` for
            /// room; `Err(PutError::Full(item))` if there was none by then.
            /// `Duration::ZERO` tries once; `Duration::MAX` waits forever.
            pub fn put_timeout(&self, item: T, timeout: Duration) -> Result<(), PutError<T>> {
                self.core.put(item, Block::timeout(timeout))
            }

            /// `q.put_nowait(item)` (`q.put(item, block=False)`): `Err(PutError::Full(item))`
            /// at once if the queue is full, `Err(PutError::ShutDown(item))` if shut down.
            #[doc = concat!("```\nlet q = threading::", stringify!($name), "::new(1);\n",
                "q.put_nowait(", $example, ").unwrap();\n",
                "assert!(q.put_nowait(", $example, ").unwrap_err().is_full());\n```")]
            pub fn put_nowait(&self, item: T) -> Result<(), PutError<T>> {
                self.core.put(item, Block::No)
            }

            #[doc = concat!("`q.get()`: removes and returns the next item (", $order, "), \
                first waiting for one while the queue is empty. `Err(GetError::ShutDown)` \
                once the queue is shut down and holds no more items: a shut-down queue still \
                hands out what it holds, unless shut down `immediate`ly.")]
            pub fn get(&self) -> Result<T, GetError> {
                self.core.get(Block::FOREVER)
            }

            /// `q.get(timeout=t)`: [`get`](Self::get), waiting at most `timeout` for an
            /// item; `Err(GetError::Empty)` if none came by then. `Duration::ZERO` tries
            /// once; `Duration::MAX` waits forever.
            pub fn get_timeout(&self, timeout: Duration) -> Result<T, GetError> {
                self.core.get(Block::timeout(timeout))
            }

            /// `q.get_nowait()` (`q.get(block=False)`): `Err(GetError::Empty)` at once if
            /// there is no item (`Err(GetError::ShutDown)` if also shut down).
            #[doc = concat!("```\nlet q = threading::", stringify!($name), "::new(0);\n",
                "assert_eq!(q.get_nowait(), Err(threading::GetError::Empty));\n",
                "q.put(", $example, ").unwrap();\n",
                "assert_eq!(q.get_nowait(), Ok(", $example, "));\n```")]
            pub fn get_nowait(&self) -> Result<T, GetError> {
                self.core.get(Block::No)
            }

            /// `q.qsize()`: how many items the queue holds now (stale as soon as returned).
            pub fn qsize(&self) -> usize {
                self.core.qsize()
            }

            /// `q.empty()`: whether `qsize() == 0` now.
            pub fn empty(&self) -> bool {
                self.qsize() == 0
            }

            /// `q.full()`: whether the queue is bounded and holds `maxsize` items now.
            pub fn full(&self) -> bool {
                self.core.full()
            }

            /// `q.maxsize`: the bound given to [`new`](Self::new), 0 for none.
            pub fn maxsize(&self) -> usize {
                self.core.maxsize
            }

            /// `q.task_done()`: one item taken by a `get` is fully processed; the last one
            /// releases every [`join`](Self::join). `Err(TaskDoneError)` (Python's
            /// `ValueError`) if called more times than items were put; nothing changes.
            #[doc = concat!("```\nlet q = threading::", stringify!($name), "::new(0);\n",
                "q.put(", $example, ").unwrap();\n",
                "q.get().unwrap();\n",
                "q.task_done().unwrap();\n",
                "q.join(); // returns at once: every item put is done\n",
                "assert_eq!(q.task_done(), Err(threading::TaskDoneError));\n```")]
            pub fn task_done(&self) -> Result<(), TaskDoneError> {
                self.core.task_done()
            }

            /// `q.join()`: waits until every item ever put has been marked done with
            /// [`task_done`](Self::task_done) (or dropped by `shutdown(true)`).
            pub fn join(&self) {
                self.core.join()
            }

            /// `q.shutdown(immediate)` (Python 3.13): from now on every put fails with
            /// `PutError::ShutDown`, and gets hand out what is queued, then fail with
            /// `GetError::ShutDown`. With `immediate`, the queued items are dropped at once
            /// (after the queue's lock is released) and each counts as a `task_done`, which
            /// may release [`join`](Self::join). Every blocked put and get wakes. Calling it
            /// again is harmless; a shut-down queue stays shut down.
            #[doc = concat!("```\nuse threading::{GetError, ", stringify!($name), "};\n\n",
                "let q = ", stringify!($name), "::new(0);\n",
                "q.put(", $example, ").unwrap();\n",
                "q.shutdown(false);\n",
                "assert!(q.put(", $example, ").unwrap_err().is_shut_down());\n",
                "assert_eq!(q.get(), Ok(", $example, ")); // drained first\n",
                "assert_eq!(q.get(), Err(GetError::ShutDown));\n```")]
            pub fn shutdown(&self, immediate: bool) {
                self.core.shutdown(immediate)
            }
        }

        /// An unbounded queue, as `new(0)`.
        impl<T $(: $bound)?> Default for $name<T> {
            fn default() -> Self {
                Self::new(0)
            }
        }

        /// Sizes, flags and how many threads wait in `get`, `put` and `join` (not the items,
        /// so that `T` need not be `Debug`).
        impl<T $(: $bound)?> fmt::Debug for $name<T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.core.debug(stringify!($name), f)
            }
        }
    };
}

queue_face! {
    /// Python's `queue.Queue`: first in, first out, optionally bounded, with task tracking
    /// (`task_done` / `join`) and `shutdown`. `Send + Sync` for `T: Send`: share it with an
    /// `Arc` or a scope.
    ///
    /// ```
    /// use std::thread;
    /// use threading::{GetError, Queue};
    ///
    /// let q = Queue::new(2);
    /// thread::scope(|s| {
    ///     s.spawn(|| {
    ///         for i in 0..5 {
    ///             q.put(i).unwrap(); // waits while two items are queued
    ///         }
    ///         q.shutdown(false);
    ///     });
    ///     let mut got = Vec::new();
    ///     loop {
    ///         match q.get() {
    ///             Ok(i) => got.push(i),
    ///             Err(GetError::ShutDown) => break,
    ///             Err(GetError::Empty) => unreachable!("get waits"),
    ///         }
    ///     }
    ///     assert_eq!(got, [0, 1, 2, 3, 4]);
    /// });
    /// ```
    Queue<T>, VecDeque<T>, "first in, first out", "1"
}

queue_face! {
    /// Python's `queue.LifoQueue`: last in, first out (a stack), with the methods of
    /// [`Queue`].
    ///
    /// ```
    /// let q = threading::LifoQueue::new(0);
    /// for i in 1..=3 {
    ///     q.put(i).unwrap();
    /// }
    /// assert_eq!([q.get(), q.get(), q.get()], [Ok(3), Ok(2), Ok(1)]);
    /// ```
    LifoQueue<T>, Vec<T>, "last in, first out", "1"
}

queue_face! {
    /// Python's `queue.PriorityQueue`: the smallest item first (heapq's order, by `Ord`),
    /// with the methods of [`Queue`]. Items that compare equal come out in no particular
    /// order (neither FIFO nor LIFO: a binary heap's, as with Python's heapq); to keep equal
    /// priorities in insertion order, put `(priority, sequence_number, item)` as Python
    /// programs do. Python's `(priority, item)` tuples are Rust tuples, which need every
    /// element to be `Ord`; an item that cannot be compared (a closure) goes in a
    /// [`Prioritized`]. For "largest first" use `std::cmp::Reverse`.
    ///
    /// ```
    /// let q = threading::PriorityQueue::new(0);
    /// q.put((2, "write")).unwrap();
    /// q.put((1, "read")).unwrap();
    /// q.put((3, "sleep")).unwrap();
    /// assert_eq!(q.get(), Ok((1, "read")));
    /// assert_eq!(q.get(), Ok((2, "write")));
    /// ```
    PriorityQueue<T: Ord>, BinaryHeap<Reverse<T>>, "smallest first", "1"
}

/// An item of a [`PriorityQueue`] ordered by its `priority` alone, so that the `item` need
/// not be `Ord`: a closure, a connection, anything that cannot be compared. Python's
/// `(priority, sequence_number, callable)` tuples exist for that reason; here the
/// priority is the whole key. Equal priorities come out in no particular order (a binary
/// heap's); to keep them in insertion order, make the priority `(priority, sequence)`.
///
/// ```
/// use threading::{Prioritized, PriorityQueue};
///
/// type Job = Box<dyn FnOnce() -> &'static str + Send>;
/// let jobs: PriorityQueue<Prioritized<u8, Job>> = PriorityQueue::new(0);
/// jobs.put(Prioritized::new(2, Box::new(|| "later"))).unwrap();
/// jobs.put(Prioritized::new(1, Box::new(|| "first"))).unwrap();
/// let job = jobs.get().unwrap();
/// assert_eq!((job.item)(), "first");
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Prioritized<P, T> {
    /// What orders the items: the smallest comes out first.
    pub priority: P,
    /// The payload, never compared.
    pub item: T,
}

impl<P, T> Prioritized<P, T> {
    /// `item` with `priority`.
    pub fn new(priority: P, item: T) -> Self {
        Prioritized { priority, item }
    }
}

impl<P: Ord, T> Ord for Prioritized<P, T> {
    fn cmp(&self, other: &Self) -> core::cmp::Ordering {
        self.priority.cmp(&other.priority)
    }
}

impl<P: Ord, T> PartialOrd for Prioritized<P, T> {
    fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// Equal when the priorities are: the order's equality (the items are not compared).
impl<P: Ord, T> PartialEq for Prioritized<P, T> {
    fn eq(&self, other: &Self) -> bool {
        self.priority == other.priority
    }
}

impl<P: Ord, T> Eq for Prioritized<P, T> {}

/// Python's `queue.SimpleQueue`: unbounded, first in, first out, without task tracking or
/// `shutdown`. A put never blocks and never fails; gets return `Err(GetError::Empty)` only
/// (never `ShutDown`).
///
/// ```
/// use std::time::Duration;
/// use threading::{GetError, SimpleQueue};
///
/// let q = SimpleQueue::new();
/// q.put("a");
/// q.put("b");
/// assert_eq!(q.qsize(), 2);
/// assert_eq!(q.get(), Ok("a"));
/// assert_eq!(q.get_nowait(), Ok("b"));
/// assert_eq!(q.get_timeout(Duration::from_millis(1)), Err(GetError::Empty));
/// ```
///
/// Under `--cfg loom` it runs on loom's atomics and futex model, so loom checks code that
/// uses it: see [Model-check your own code](crate#model-check-your-own-code).
pub struct SimpleQueue<T> {
    core: Core<VecDeque<T>>,
}

impl<T> SimpleQueue<T> {
    /// `queue.SimpleQueue()`: an empty, unbounded queue.
    pub fn new() -> Self {
        SimpleQueue { core: Core::new(0) }
    }

    /// `q.put(item)`: adds `item` at the back. Never blocks: the queue is unbounded.
    pub fn put(&self, item: T) {
        if self.core.put(item, Block::No).is_err() {
            unreachable!("a SimpleQueue is unbounded and never shut down");
        }
    }

    /// `q.put_nowait(item)`: the same as [`put`](Self::put), as in Python.
    pub fn put_nowait(&self, item: T) {
        self.put(item);
    }

    /// `q.get()`: removes and returns the oldest item, waiting for one while the queue is
    /// empty. Always `Ok`: a `SimpleQueue` is never shut down (the `Result` is the shape
    /// the other gets share).
    pub fn get(&self) -> Result<T, GetError> {
        self.core.get(Block::FOREVER)
    }

    /// `q.get(timeout=t)`: [`get`](Self::get), waiting at most `timeout`;
    /// `Err(GetError::Empty)` if no item came. `Duration::ZERO` tries once;
    /// `Duration::MAX` waits forever.
    pub fn get_timeout(&self, timeout: Duration) -> Result<T, GetError> {
        self.core.get(Block::timeout(timeout))
    }

    /// `q.get_nowait()`: `Err(GetError::Empty)` at once if there is no item.
    pub fn get_nowait(&self) -> Result<T, GetError> {
        self.core.get(Block::No)
    }

    /// `q.qsize()`: how many items the queue holds now.
    pub fn qsize(&self) -> usize {
        self.core.qsize()
    }

    /// `q.empty()`: whether `qsize() == 0` now.
    pub fn empty(&self) -> bool {
        self.qsize() == 0
    }
}

impl<T> Default for SimpleQueue<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// The size and how many threads wait in `get` (not the items, so that `T` need not be
/// `Debug`).
impl<T> fmt::Debug for SimpleQueue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimpleQueue")
            .field("qsize", &self.qsize())
            .field("getters_waiting", &self.core.not_empty.waiting())
            .finish()
    }
}
