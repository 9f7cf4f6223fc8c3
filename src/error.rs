//! The errors Python reports with exceptions, as values.
//!
//! Python raises `RuntimeError` for releasing a lock nobody holds, `ValueError` for
//! over-releasing a `BoundedSemaphore`, `BrokenBarrierError` from a broken barrier and
//! `RuntimeError` for starting a thread twice or when it can't start a new thread; the `queue`
//! module raises `queue.Full`, `queue.Empty`, `queue.ShutDown` and `ValueError` (from
//! `task_done`). Here each is an `Err` whose `Display` text says what went wrong; the
//! object that returned it stays usable, and a failed put hands its item back.

use core::fmt;

/// Why a `release` was refused. Nothing changed when it is returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReleaseError {
    /// [`Lock::release`](crate::Lock::release) on a lock that is not locked.
    Unlocked,
    /// [`RLock::release`](crate::RLock::release) by a thread that does not hold it.
    NotOwner,
    /// A [`BoundedSemaphore`](crate::BoundedSemaphore) released past its initial value.
    TooManyReleases,
    /// A [`Semaphore`](crate::Semaphore) whose value would pass `u32::MAX`.
    Overflow,
}

impl fmt::Display for ReleaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ReleaseError::Unlocked => "release unlocked lock",
            ReleaseError::NotOwner => "cannot release un-acquired lock",
            ReleaseError::TooManyReleases => "semaphore released too many times",
            ReleaseError::Overflow => "semaphore value would overflow",
        })
    }
}

impl std::error::Error for ReleaseError {}

/// A [`Barrier`](crate::Barrier) wait that ended because the barrier is (or became) broken:
/// it was aborted, reset while this thread waited, a wait timed out, or the action panicked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct BrokenBarrierError;

impl fmt::Display for BrokenBarrierError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("barrier is broken")
    }
}

impl std::error::Error for BrokenBarrierError {}

/// Why [`Timer::start`](crate::Timer::start) was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimerError {
    /// `start` was called before on this timer.
    AlreadyStarted,
    /// The operating system refused the thread the timer needed (Python's
    /// `RuntimeError: can't start new thread`); the timer stays not started.
    SpawnFailed,
}

impl fmt::Display for TimerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimerError::AlreadyStarted => "timer can only be started once",
            TimerError::SpawnFailed => "can't start new thread",
        })
    }
}

impl std::error::Error for TimerError {}

/// Why a `put` on a [`Queue`](crate::Queue) (or [`LifoQueue`](crate::LifoQueue),
/// [`PriorityQueue`](crate::PriorityQueue)) failed. The item was not added, and comes back
/// inside: [`into_inner`](Self::into_inner) (the shape of std's `TrySendError`).
///
/// ```
/// use threading::{PutError, Queue};
///
/// let queue = Queue::new(1);
/// queue.put_nowait("a").unwrap();
/// let error = queue.put_nowait("b").unwrap_err();
/// assert_eq!(error, PutError::Full("b"));
/// assert_eq!(error.to_string(), "queue is full");
/// assert_eq!(error.into_inner(), "b"); // nothing is lost
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum PutError<T> {
    /// Python's `queue.Full`: the queue is bounded and stayed full: at once for
    /// `put_nowait`, until the timeout for `put_timeout`.
    Full(T),
    /// Python's `queue.ShutDown`: the queue was shut down, before this put or while it
    /// waited for room.
    ShutDown(T),
}

impl<T> PutError<T> {
    /// The item that could not be put.
    pub fn into_inner(self) -> T {
        match self {
            PutError::Full(item) | PutError::ShutDown(item) => item,
        }
    }

    /// Whether the queue was full (Python's `queue.Full`).
    pub fn is_full(&self) -> bool {
        matches!(self, PutError::Full(_))
    }

    /// Whether the queue was shut down (Python's `queue.ShutDown`).
    pub fn is_shut_down(&self) -> bool {
        matches!(self, PutError::ShutDown(_))
    }
}

/// Without the item, as std's `SendError`: so that `unwrap()` works for any `T`.
impl<T> fmt::Debug for PutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PutError::Full(_) => "Full(..)",
            PutError::ShutDown(_) => "ShutDown(..)",
        })
    }
}

impl<T> fmt::Display for PutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PutError::Full(_) => "queue is full",
            PutError::ShutDown(_) => "queue is shut down",
        })
    }
}

impl<T> std::error::Error for PutError<T> {}

/// Why a `get` on a queue returned no item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GetError {
    /// Python's `queue.Empty`: there was no item: at once for `get_nowait`, until the
    /// timeout for `get_timeout`.
    Empty,
    /// Python's `queue.ShutDown`: the queue was shut down and holds no more items (a
    /// shut-down queue still hands out what it holds, unless shut down `immediate`ly).
    /// Never from a [`SimpleQueue`](crate::SimpleQueue), which has no `shutdown`.
    ShutDown,
}

impl fmt::Display for GetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            GetError::Empty => "queue is empty",
            GetError::ShutDown => "queue is shut down",
        })
    }
}

impl std::error::Error for GetError {}

/// `task_done` was called more times than items were put (Python's
/// `ValueError: task_done() called too many times`). The count of unfinished tasks stays
/// at zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TaskDoneError;

impl fmt::Display for TaskDoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("task_done() called too many times")
    }
}

impl std::error::Error for TaskDoneError {}
