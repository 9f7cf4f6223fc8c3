//! `Semaphore` and `BoundedSemaphore`: a counter of permits in two 32-bit words, Python's
//! `threading.Semaphore` and `threading.BoundedSemaphore`.
//!
//! # What it is
//!
//! A semaphore holds a number of permits. [`Semaphore::acquire`] takes one, waiting while
//! there are none; [`Semaphore::release`] gives one back (any thread may, whether or not it
//! acquired one), and [`Semaphore::release_n`] gives back several at once and wakes as many
//! sleepers. A [`BoundedSemaphore`] is the same thing with a ceiling, its initial value:
//! releasing past it is refused (Python's `ValueError`).
//!
//! Both are one private `PermitCounter` (two words, `permits` and `sleepers`: the table
//! and its invariant are on its fields) under one face written once by `semaphore_face!`.
//! The two types differ only in the most permits a release may leave (`u32::MAX`, or the
//! bound) and the error they report past it, and share one guard type, [`SemaphoreGuard`].
//!
//! # The protocol
//!
//! * **acquire**: CAS `v → v - 1` while `v > 0`. Finding `0`, spin, as a release is often
//!   just about to come: a permit is handed over like an event, so this is the handoff
//!   spin, `Spin::HANDOFF` (BENCHMARKS.md, "Constants in src/"). Still `0`: count ourselves
//!   in `sleepers`, then *check in* with a CAS `0 → 0` on `permits` and sleep on the word
//!   while it is `0`. On waking, loop (try again, maybe sleep again). A timed acquire whose
//!   wait reports the deadline tries one last time, then leaves and uncounts itself.
//! * **release_n(k)**: CAS `v → v + k` unless that passes the limit (then nothing changes
//!   and the error is returned). Then read `sleepers`: if not `0`, wake `min(k, sleepers)`
//!   threads with one system call. With no sleeper, no system call.
//!
//! Why the check-in CAS: the releaser writes `permits` then reads `sleepers`; a sleeper
//! writes `sleepers` then reads `permits`. With plain loads both could read the old value
//! (the store-buffer pattern) and the sleeper would sleep through the release. Making the
//! sleeper's read of `permits` a read-modify-write puts it in `permits`' single modification
//! order with every release: if the check-in comes first, the release's `Acquire` RMW
//! synchronises with it (a release sequence: every write to `permits` is an RMW) and so sees
//! the raised `sleepers`; if the release comes first, the check-in fails on a non-zero value
//! and the sleeper does not sleep. The futex then makes "still `0`, so sleep" atomic with
//! respect to the releaser's wake. This costs the sleeper one CAS and the fast paths nothing
//! (a `SeqCst` fence pair would cost every release a full fence).
//!
//! A woken thread always tries to take a permit before it considers its deadline, so a wake
//! is only ever "wasted" on a thread that finds the permit already taken by someone else.
//!
//! Orderings: a release's `Release` pairs with the `Acquire` of the CAS that takes its
//! permit; the check-in's `Release` pairs with the next release's `Acquire` (above).
//! Everything else is `Relaxed` (each site says why).

use crate::block_cost;
use crate::error::ReleaseError;
use crate::futex::{Deadline, Wait};
use crate::spin::{Spin, spin_while};
use crate::sync::{AtomicU32, Ordering::*, const_fn_unless_loom};
use core::fmt;
use std::time::Duration;

/// The counter of permits that both semaphores are: the whole protocol of the module doc.
/// The faces only choose the most permits a release may leave.
struct PermitCounter {
    /// | field | range | meaning |
    /// |---|---|---|
    /// | `permits` | `0..=max` | the permits available now; the futex word, slept on while `0` |
    /// | `sleepers` | `0..=` threads in `acquire_slow` | threads counted as (about to be) asleep on `permits` |
    ///
    /// `max` is the face's limit (`u32::MAX`, or the bound). Invariant: `sleepers` only
    /// over-counts (a thread stays counted from just before its first sleep until it leaves
    /// `acquire`), which costs at most a needless wake, never a lost one; it never goes
    /// below `0`.
    permits: AtomicU32,
    sleepers: AtomicU32,
}

impl PermitCounter {
    const_fn_unless_loom! {
        fn new(value: u32) -> PermitCounter {
            PermitCounter { permits: AtomicU32::new(value), sleepers: AtomicU32::new(0) }
        }
    }

    #[inline]
    fn try_acquire(&self) -> bool {
        // Relaxed: only a guess for the CAS, which does the ordering.
        let mut value = self.permits.load(Relaxed);
        while value != 0 {
            // Acquire: see what the releaser of this permit wrote before releasing it.
            match self.permits.compare_exchange_weak(value, value - 1, Acquire, Relaxed) {
                Ok(_) => return true,
                Err(now) => value = now,
            }
        }
        false
    }

    #[inline]
    fn acquire(&self) {
        if !self.try_acquire() {
            let acquired = self.acquire_slow(Deadline::NEVER);
            debug_assert!(acquired);
        }
    }

    #[inline]
    fn acquire_timeout(&self, timeout: Duration) -> bool {
        self.try_acquire() || (!timeout.is_zero() && self.acquire_slow(Deadline::after(timeout)))
    }

    #[cold]
    fn acquire_slow(&self, deadline: Deadline) -> bool {
        let mut counted = false;
        let acquired = loop {
            if spin_while(&self.permits, Spin::HANDOFF, |permits| permits == 0) != 0
                && self.try_acquire()
            {
                break true;
            }
            if !counted {
                // Relaxed: published by the Release check-in below.
                self.sleepers.fetch_add(1, Relaxed);
                counted = true;
            }
            // The check-in. Release: a release after it in `permits`' order must see our
            // `sleepers` count. Relaxed on failure: a permit showed up; taking it is Acquire.
            if self.permits.compare_exchange(0, 0, Release, Relaxed).is_err() {
                // Others taking each permit first could loop us forever: check the deadline.
                if deadline.has_passed() {
                    break self.try_acquire();
                }
                continue;
            }
            if block_cost::sleep(&self.permits, 0, deadline) == Wait::TimedOut {
                // A permit released as we gave up is ours: its wake may have reached nobody.
                break self.try_acquire();
            }
        };
        if counted {
            // Relaxed: an uncount that is seen late only costs a needless wake.
            let counted_before = self.sleepers.fetch_sub(1, Relaxed);
            debug_assert!(counted_before != 0, "Semaphore uncounted a sleeper it never counted");
        }
        acquired
    }

    /// Adds `n` permits unless that would leave more than `max`, in which case it returns
    /// `too_many` and changes nothing.
    #[inline]
    fn release_n(&self, n: u32, max: u32, too_many: ReleaseError) -> Result<(), ReleaseError> {
        if n == 0 {
            return Ok(());
        }
        // Relaxed: only a guess for the CAS.
        let mut value = self.permits.load(Relaxed);
        loop {
            debug_assert!(value <= max, "Semaphore holds {value} permits, past its limit {max}");
            let new = match value.checked_add(n) {
                Some(new) if new <= max => new,
                _ => return Err(too_many),
            };
            // Release: publish what was written before this release to its acquirers.
            // Acquire: see `sleepers` as counted by every sleeper that checked in before us.
            match self.permits.compare_exchange_weak(value, new, AcqRel, Relaxed) {
                Ok(_) => break,
                Err(now) => value = now,
            }
        }
        // Relaxed: the AcqRel CAS above ordered this after every earlier check-in.
        let sleepers = self.sleepers.load(Relaxed);
        if sleepers != 0 {
            self.wake(n.min(sleepers));
        }
        Ok(())
    }

    #[cold]
    fn wake(&self, n: u32) {
        if n == 1 {
            block_cost::wake_one(&self.permits);
        } else {
            block_cost::wake_n(&self.permits, n);
        }
    }

    #[inline]
    fn value(&self) -> u32 {
        // Relaxed: a snapshot that may be stale as soon as it is returned anyway.
        self.permits.load(Relaxed)
    }
}

/// The little that tells the two semaphores apart, for the guard that serves both.
mod sealed {
    use crate::error::ReleaseError;

    /// Implemented by [`Semaphore`](super::Semaphore) and
    /// [`BoundedSemaphore`](super::BoundedSemaphore) only (sealed: the module is private),
    /// so that one [`SemaphoreGuard`](super::SemaphoreGuard) serves both.
    pub trait AnySemaphore: core::fmt::Debug {
        /// The guard's name in `Debug` output.
        const GUARD_NAME: &'static str;

        /// Gives back `n` permits unless that would pass this semaphore's limit (`u32::MAX`,
        /// or the bound), in which case it changes nothing and returns the semaphore's error
        /// (`Overflow`, or `TooManyReleases`).
        fn give_back(&self, n: u32) -> Result<(), ReleaseError>;
    }
}
use sealed::AnySemaphore;

/// The methods the two semaphores share, written once: each doctest runs for both types.
///
/// Each face names the most permits a release may leave (`limit`, a function of the
/// semaphore) and the error past it; `release` and `release_n` come with their own docs,
/// which say so, and share their bodies.
macro_rules! semaphore_face {
    (
        $Semaphore:ident,
        guard: $guard_name:literal,
        limit: |$semaphore:pat_param| $limit:expr,
        past_limit: $past_limit:expr,
        $(#[$release_doc:meta])* release,
        $(#[$release_n_doc:meta])* release_n $(,)?
    ) => {
        impl AnySemaphore for $Semaphore {
            const GUARD_NAME: &'static str = $guard_name;

            #[inline]
            fn give_back(&self, n: u32) -> Result<(), ReleaseError> {
                let $semaphore = self;
                self.counter.release_n(n, $limit, $past_limit)
            }
        }

        impl $Semaphore {
            $(#[$release_doc])*
            #[inline]
            pub fn release(&self) -> Result<(), ReleaseError> {
                self.give_back(1)
            }

            $(#[$release_n_doc])*
            #[inline]
            pub fn release_n(&self, n: u32) -> Result<(), ReleaseError> {
                self.give_back(n)
            }

            /// Takes a permit, waiting as long as it takes for one (`sem.acquire()`).
            ///
            /// ```
            #[doc = concat!("let sem = threading::", stringify!($Semaphore), "::new(1);")]
            /// sem.acquire();
            /// assert_eq!(sem.value(), 0);
            /// ```
            #[inline]
            pub fn acquire(&self) {
                self.counter.acquire();
            }

            /// Takes a permit if one is available now, without waiting
            /// (`sem.acquire(blocking=False)`). It fails only when the value is `0`.
            ///
            /// ```
            #[doc = concat!("let sem = threading::", stringify!($Semaphore), "::new(1);")]
            /// assert!(sem.try_acquire());
            /// assert!(!sem.try_acquire());
            /// ```
            #[inline]
            #[must_use = "a permit was only taken if this returned true"]
            pub fn try_acquire(&self) -> bool {
                self.counter.try_acquire()
            }

            /// Waits at most `timeout` for a permit; true if one was taken
            /// (`sem.acquire(timeout=t)`). `Duration::ZERO` tries once; a timeout too large
            /// for the clock waits forever.
            ///
            /// ```
            /// use std::time::Duration;
            #[doc = concat!("let sem = threading::", stringify!($Semaphore), "::new(1);")]
            /// assert!(sem.acquire_timeout(Duration::ZERO));
            /// assert!(!sem.acquire_timeout(Duration::from_millis(1)));
            /// sem.release().unwrap();
            /// assert!(sem.acquire_timeout(Duration::MAX));
            /// ```
            #[must_use = "a permit was only taken if this returned true"]
            pub fn acquire_timeout(&self, timeout: Duration) -> bool {
                self.counter.acquire_timeout(timeout)
            }

            /// The number of permits available now (Python's `sem._value`). A snapshot:
            /// other threads may change it at any moment.
            ///
            /// ```
            #[doc = concat!("assert_eq!(threading::", stringify!($Semaphore), "::new(4).value(), 4);")]
            /// ```
            #[inline]
            pub fn value(&self) -> u32 {
                self.counter.value()
            }

            /// Takes a permit and returns a guard that gives it back on drop (`with sem:`),
            /// also when the drop comes from a panic's unwinding.
            ///
            /// ```
            #[doc = concat!("let sem = threading::", stringify!($Semaphore), "::new(1);")]
            /// {
            ///     let _permit = sem.permit();
            ///     assert_eq!(sem.value(), 0);
            /// }
            /// assert_eq!(sem.value(), 1);
            /// ```
            #[inline]
            pub fn permit(&self) -> SemaphoreGuard<'_, Self> {
                self.acquire();
                SemaphoreGuard { semaphore: self }
            }

            /// [`try_acquire`](Self::try_acquire) with a guard.
            ///
            /// ```
            #[doc = concat!("let sem = threading::", stringify!($Semaphore), "::new(1);")]
            /// let held = sem.try_permit().unwrap();
            /// assert!(sem.try_permit().is_none());
            /// drop(held);
            /// ```
            #[inline]
            pub fn try_permit(&self) -> Option<SemaphoreGuard<'_, Self>> {
                self.try_acquire().then(|| SemaphoreGuard { semaphore: self })
            }

            /// [`acquire_timeout`](Self::acquire_timeout) with a guard.
            ///
            /// ```
            /// use std::time::Duration;
            #[doc = concat!("let sem = threading::", stringify!($Semaphore), "::new(0);")]
            /// assert!(sem.permit_timeout(Duration::from_millis(1)).is_none());
            /// ```
            pub fn permit_timeout(&self, timeout: Duration) -> Option<SemaphoreGuard<'_, Self>> {
                self.acquire_timeout(timeout).then(|| SemaphoreGuard { semaphore: self })
            }
        }
    };
}

/// A counter of permits: Python's `threading.Semaphore`.
///
/// Under `--cfg loom` it runs on loom's atomics and futex model, so loom checks code that
/// uses it: see [Model-check your own code](crate#model-check-your-own-code).
///
/// [`acquire`](Self::acquire) takes a permit, waiting while there is none;
/// [`release`](Self::release) gives one back. Any thread may release, whether or not it
/// acquired; there is no upper limit short of `u32::MAX` (see [`BoundedSemaphore`] for one).
/// Eight bytes, no allocation, and no system call unless a thread has to sleep.
///
/// ```
/// use threading::Semaphore;
/// use std::time::Duration;
///
/// static POOL: Semaphore = Semaphore::new(2);
///
/// let first = POOL.permit(); // `with sem:`
/// POOL.acquire();
/// assert_eq!(POOL.value(), 0);
/// assert!(!POOL.try_acquire());
/// assert!(!POOL.acquire_timeout(Duration::from_millis(1)));
/// drop(first);
/// POOL.release().unwrap();
/// assert_eq!(POOL.value(), 2);
/// POOL.release_n(3).unwrap(); // no bound: the value may grow past its start
/// assert_eq!(POOL.value(), 5);
/// ```
pub struct Semaphore {
    counter: PermitCounter,
}

impl Semaphore {
    const_fn_unless_loom! {
        /// A semaphore holding `value` permits (`threading.Semaphore(value)`).
        ///
        /// ```
        /// static SEM: threading::Semaphore = threading::Semaphore::new(3);
        /// assert_eq!(SEM.value(), 3);
        /// ```
        pub fn new(value: u32) -> Semaphore {
            Semaphore { counter: PermitCounter::new(value) }
        }
    }
}

semaphore_face! {
    Semaphore,
    guard: "SemaphoreGuard",
    limit: |_| u32::MAX,
    past_limit: ReleaseError::Overflow,
    /// Gives back one permit and wakes one waiting thread, if any (`sem.release()`).
    ///
    /// Returns `Err(ReleaseError::Overflow)`, changing nothing, if the value would pass
    /// `u32::MAX` (Python's value is unbounded).
    ///
    /// ```
    /// use threading::{ReleaseError, Semaphore};
    /// let sem = Semaphore::new(u32::MAX - 1);
    /// assert_eq!(sem.release(), Ok(()));
    /// assert_eq!(sem.release(), Err(ReleaseError::Overflow));
    /// assert_eq!(sem.value(), u32::MAX);
    /// ```
    release,
    /// Gives back `n` permits at once and wakes up to `n` waiting threads (`sem.release(n)`).
    ///
    /// All or nothing: if the value would pass `u32::MAX`, nothing changes and
    /// `Err(ReleaseError::Overflow)` is returned. `release_n(0)` is an `Ok` no-op (Python
    /// raises `ValueError` for `n < 1`; with an unsigned count the only such case is
    /// harmless, so it is not an error here).
    ///
    /// ```
    /// use threading::{ReleaseError, Semaphore};
    /// let sem = Semaphore::new(0);
    /// sem.release_n(3).unwrap();
    /// assert_eq!(sem.value(), 3);
    /// assert_eq!(sem.release_n(u32::MAX), Err(ReleaseError::Overflow));
    /// assert_eq!(sem.value(), 3); // unchanged
    /// assert_eq!(sem.release_n(0), Ok(()));
    /// ```
    release_n,
}

/// `Semaphore::new(1)`, as Python's `threading.Semaphore()` starts with value 1.
///
/// ```
/// assert_eq!(threading::Semaphore::default().value(), 1);
/// ```
impl Default for Semaphore {
    fn default() -> Self {
        Self::new(1)
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Semaphore").field("value", &self.value()).finish()
    }
}

/// A semaphore that refuses to be released past its initial value: Python's
/// `threading.BoundedSemaphore`.
///
/// Under `--cfg loom` it runs on loom's atomics and futex model, so loom checks code that
/// uses it: see [Model-check your own code](crate#model-check-your-own-code).
///
/// The same implementation as [`Semaphore`]; a release that would lift the value above
/// [`bound`](Self::bound) returns `Err(ReleaseError::TooManyReleases)` (Python's
/// `ValueError`) and changes nothing, which catches a release without a matching acquire.
///
/// ```
/// use threading::{BoundedSemaphore, ReleaseError};
///
/// static SLOTS: BoundedSemaphore = BoundedSemaphore::new(2);
///
/// let slot = SLOTS.permit();
/// assert_eq!(SLOTS.value(), 1);
/// drop(slot);
/// assert_eq!(SLOTS.release(), Err(ReleaseError::TooManyReleases));
/// assert_eq!((SLOTS.value(), SLOTS.bound()), (2, 2));
/// ```
pub struct BoundedSemaphore {
    counter: PermitCounter,
    /// The initial value: the most permits a release may leave.
    bound: u32,
}

impl BoundedSemaphore {
    const_fn_unless_loom! {
        /// A semaphore holding `value` permits that may never hold more
        /// (`threading.BoundedSemaphore(value)`).
        ///
        /// ```
        /// let sem = threading::BoundedSemaphore::new(3);
        /// assert_eq!((sem.value(), sem.bound()), (3, 3));
        /// ```
        pub fn new(value: u32) -> BoundedSemaphore {
            BoundedSemaphore { counter: PermitCounter::new(value), bound: value }
        }
    }

    /// The initial value, which the value may never exceed.
    ///
    /// ```
    /// let sem = threading::BoundedSemaphore::new(4);
    /// sem.acquire();
    /// assert_eq!((sem.value(), sem.bound()), (3, 4));
    /// ```
    #[inline]
    pub fn bound(&self) -> u32 {
        self.bound
    }
}

semaphore_face! {
    BoundedSemaphore,
    guard: "BoundedSemaphoreGuard",
    limit: |semaphore| semaphore.bound,
    past_limit: ReleaseError::TooManyReleases,
    /// Gives back one permit and wakes one waiting thread, if any (`sem.release()`).
    ///
    /// Returns `Err(ReleaseError::TooManyReleases)`, changing nothing, if the value would
    /// pass [`bound`](Self::bound).
    ///
    /// ```
    /// use threading::{BoundedSemaphore, ReleaseError};
    /// let sem = BoundedSemaphore::new(1);
    /// sem.acquire();
    /// assert_eq!(sem.release(), Ok(()));
    /// assert_eq!(sem.release(), Err(ReleaseError::TooManyReleases));
    /// ```
    release,
    /// Gives back `n` permits at once and wakes up to `n` waiting threads (`sem.release(n)`).
    ///
    /// All or nothing: if the value would pass [`bound`](Self::bound), nothing changes and
    /// `Err(ReleaseError::TooManyReleases)` is returned. `release_n(0)` is an `Ok` no-op (see
    /// [`Semaphore::release_n`]).
    ///
    /// ```
    /// use threading::{BoundedSemaphore, ReleaseError};
    /// let sem = BoundedSemaphore::new(3);
    /// assert!(sem.try_acquire() && sem.try_acquire());
    /// assert_eq!(sem.release_n(3), Err(ReleaseError::TooManyReleases));
    /// assert_eq!(sem.value(), 1); // unchanged
    /// assert_eq!(sem.release_n(2), Ok(()));
    /// ```
    release_n,
}

impl fmt::Debug for BoundedSemaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BoundedSemaphore")
            .field("value", &self.value())
            .field("bound", &self.bound)
            .finish()
    }
}

/// Holds a permit of a [`Semaphore`] (or, as [`BoundedSemaphoreGuard`], of a
/// [`BoundedSemaphore`]) until dropped, also when dropped by a panic's unwinding.
///
/// The drop is a plain `release`. In the one case where that fails it changes nothing:
/// other threads released the value up to `u32::MAX` meanwhile, or, bounded, another
/// thread's unmatched release already filled the semaphore to its bound.
#[must_use = "the permit is released as soon as the guard is dropped"]
pub struct SemaphoreGuard<'a, S: AnySemaphore = Semaphore> {
    semaphore: &'a S,
}

/// Holds a permit of a [`BoundedSemaphore`] until dropped: the one guard type, named for
/// its semaphore.
pub type BoundedSemaphoreGuard<'a> = SemaphoreGuard<'a, BoundedSemaphore>;

impl<S: AnySemaphore> Drop for SemaphoreGuard<'_, S> {
    #[inline]
    fn drop(&mut self) {
        if crate::sync::model_is_unwinding() {
            return;
        }
        // Err: others filled the semaphore meanwhile (see the type's doc); nothing to give.
        let _ = self.semaphore.give_back(1);
    }
}

impl<S: AnySemaphore> fmt::Debug for SemaphoreGuard<'_, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(S::GUARD_NAME).field("semaphore", self.semaphore).finish()
    }
}
