//! The switch between real atomics and loom's model-checked ones.
//!
//! Every primitive imports its atomics, its `UnsafeCell`, its spin hint and its
//! `thread_local!` from here, never from `core` or `std` directly. A normal build gets
//! the real things; a build with `RUSTFLAGS="--cfg loom"` gets loom's instrumented
//! versions, so that `tests/loom/` explores every interleaving and every weak-memory
//! outcome the orderings allow. Nothing else in the crate needs to know which is which.

#[cfg(not(loom))]
pub(crate) use core::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

#[cfg(loom)]
pub(crate) use loom::thread_local;
#[cfg(not(loom))]
pub(crate) use std::thread_local;

// Timer owns a thread and shares its state with it: under loom both must be loom's, so
// that the model schedules the timer's thread and tracks the shared state's lifetime.
#[cfg(loom)]
pub(crate) use loom::{sync::Arc, thread};
#[cfg(not(loom))]
pub(crate) use std::{sync::Arc, thread};

/// How many times a thread re-reads a busy word before it goes to sleep.
///
/// std measured 100 relaxed loads as the point where spinning stops paying for itself on
/// typical x86 and ARM parts; we keep that number. Under loom there is no spinning at all:
/// loom takes a spin hint as "run the other threads first", which would hide exactly the
/// schedules that matter (the waiter going to sleep before the release comes). Spinning
/// only loads, so leaving it out loses no behaviour worth checking.
pub(crate) const SPIN_LIMIT: u32 = if cfg!(loom) { 0 } else { 100 };

/// After spinning, how many times a lock waiter gives up its time slice before sleeping
/// (parking_lot's recipe). None under loom, for the reason given for [`SPIN_LIMIT`].
pub(crate) const YIELD_LIMIT: u32 = if cfg!(loom) { 0 } else { 4 };

/// Tells the CPU (or loom's scheduler) that we are busy-waiting.
#[inline]
pub(crate) fn spin_hint() {
    #[cfg(not(loom))]
    core::hint::spin_loop();
    #[cfg(loom)]
    loom::hint::spin_loop();
}

/// Re-reads `word` while `busy(value)` holds, at most [`SPIN_LIMIT`] times, and returns the
/// last value seen. Spinning only ever *loads*: a CAS in a spin loop would fight the owner
/// for the cache line it is about to release.
#[inline]
pub(crate) fn spin_while(word: &AtomicU32, busy: impl Fn(u32) -> bool) -> u32 {
    let mut spins = SPIN_LIMIT;
    loop {
        // Relaxed: the value is only a hint; the caller's CAS or swap does the ordering.
        let value = word.load(Ordering::Relaxed);
        if !busy(value) || spins == 0 {
            return value;
        }
        spin_hint();
        spins -= 1;
    }
}

/// Like [`spin_while`], with the same budget of [`SPIN_LIMIT`] pauses, but the pauses
/// between two looks double (1, 2, 4, ... 32), and then up to [`YIELD_LIMIT`] looks
/// each after giving up the time slice. For a lock: every look pulls the cache line away
/// from the holder, who needs it to release, so fewer looks let the critical section end
/// sooner; and with more threads than cores the holder may be descheduled, so yielding
/// lets it run. Measured on 2 cores, 2/4/8 threads: 23/25/28 ns per contended increment
/// with plain spinning, 17/18/19 ns with backoff, 16/16/18 ns with backoff and yields
/// (std 24, parking_lot 15-16). Handoffs (events, semaphores) keep [`spin_while`]: there
/// the waiter must see the change as soon as it happens.
#[inline]
pub(crate) fn spin_while_backing_off(word: &AtomicU32, busy: impl Fn(u32) -> bool) -> u32 {
    let mut budget = SPIN_LIMIT;
    let mut pauses = 1;
    loop {
        // Relaxed: the value is only a hint; the caller's CAS or swap does the ordering.
        let value = word.load(Ordering::Relaxed);
        if !busy(value) {
            return value;
        }
        if budget == 0 {
            for _ in 0..YIELD_LIMIT {
                std::thread::yield_now();
                let value = word.load(Ordering::Relaxed);
                if !busy(value) {
                    return value;
                }
            }
            return word.load(Ordering::Relaxed);
        }
        let now = pauses.min(budget);
        for _ in 0..now {
            spin_hint();
        }
        budget -= now;
        pauses = (pauses * 2).min(32);
    }
}

/// `core::cell::UnsafeCell` with loom's closure-based interface, so that code written
/// against it is checked by loom for unsynchronised access and compiles unchanged without it.
#[cfg(not(loom))]
#[derive(Debug, Default)]
pub(crate) struct UnsafeCell<T>(core::cell::UnsafeCell<T>);

#[cfg(not(loom))]
#[allow(dead_code)] // Used by the primitives that keep data behind their own lock.
impl<T> UnsafeCell<T> {
    pub(crate) const fn new(value: T) -> Self {
        Self(core::cell::UnsafeCell::new(value))
    }

    pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        f(self.0.get())
    }

    pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        f(self.0.get())
    }
}

#[cfg(loom)]
#[allow(unused_imports)] // Used by the primitives that keep data behind their own lock.
pub(crate) use loom::cell::UnsafeCell;

/// Declares a constructor that is a `const fn` in normal builds (so `static L: Lock =
/// Lock::new();` works) and a plain `fn` under loom, whose atomics cannot be built in
/// const context. One body, two signatures.
macro_rules! const_fn_unless_loom {
    ($(#[$attr:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty),*) -> $ret:ty $body:block) => {
        #[cfg(not(loom))]
        $(#[$attr])*
        $vis const fn $name($($arg: $ty),*) -> $ret $body

        #[cfg(loom)]
        $(#[$attr])*
        $vis fn $name($($arg: $ty),*) -> $ret $body
    };
}
pub(crate) use const_fn_unless_loom;
