//! The errors Python reports with exceptions, as values.
//!
//! Python raises `RuntimeError` for releasing a lock nobody holds, `ValueError` for
//! over-releasing a `BoundedSemaphore`, `BrokenBarrierError` from a broken barrier and
//! `RuntimeError` for starting a thread twice or when it can't start a new thread. Here each is an `Err` whose `Display` text
//! says what went wrong; the object that returned it stays usable.

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
