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

/// How long a thread busy-waits on a word before it goes to sleep: one policy per primitive,
/// one loop ([`Spinner::spin_remaining_while`]) for all of them. Each policy's numbers were
/// measured against the alternatives: BENCHMARKS.md, "How each target was met".
///
/// Under loom there is no busy-waiting at all, whatever the policy: loom takes a spin hint
/// or a yield as "run the other threads first", which would hide exactly the schedules that
/// matter (the waiter going to sleep before the release comes). Busy-waiting only loads, so
/// leaving it out loses no behaviour worth checking.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Spin {
    /// Pause instructions in all, before any yield.
    pub(crate) pauses: u32,
    /// Double the pauses between two looks (2, 4, 8, ... 32) instead of looking after
    /// each one. For a lock: every look pulls the cache line away from the holder, who
    /// needs it to release, so fewer looks let the critical section end sooner.
    pub(crate) exponential_backoff: bool,
    /// Then give up the time slice this many times, looking after each: with more threads
    /// than cores, the thread we wait for may need this very CPU.
    pub(crate) yields: u32,
}

impl Spin {
    /// The usual number of pauses: 100, which std found to be where spinning stops paying
    /// for itself on typical x86 and ARM parts.
    pub(crate) const PAUSES: u32 = 100;

    /// For a handoff (an event, a notify, a permit): look after every pause, so that the
    /// change is seen as soon as it happens, then 3 yields, so that a partner sharing our
    /// CPU can make it (BENCHMARKS.md, "How each target was met", 4).
    pub(crate) const HANDOFF: Spin =
        Spin { pauses: Spin::PAUSES, exponential_backoff: false, yields: 3 };

    /// A fresh budget of this policy: without the pauses when this process can run on one
    /// CPU only (spinning waits for another thread to act, which it cannot do while we hold
    /// the only CPU; yielding lets it), and empty under loom.
    pub(crate) fn start(self) -> Spinner {
        let (pauses, yields) = if cfg!(loom) {
            (0, 0)
        } else if !other_threads_can_run_meanwhile() {
            (0, self.yields)
        } else {
            (self.pauses, self.yields)
        };
        let pauses_per_look = if self.exponential_backoff { 2 } else { 1 };
        Spinner { pauses, yields, pauses_per_look, exponential_backoff: self.exponential_backoff }
    }
}

/// Whether another thread can run while this one spins: false if this process may use
/// only one CPU (its affinity mask or cgroup quota, as `available_parallelism` reads them).
/// Asked once, on the first spin; a process that changes its own affinity afterwards keeps
/// the first answer (it only tunes the spin, never correctness).
#[cfg(not(loom))]
fn other_threads_can_run_meanwhile() -> bool {
    use core::sync::atomic::{AtomicU8, Ordering::Relaxed};
    const UNKNOWN: u8 = 0;
    const ONE_CPU: u8 = 1;
    const MANY_CPUS: u8 = 2;
    // Relaxed: a cache of a fact every thread computes the same way; racing fills agree.
    static CPUS: AtomicU8 = AtomicU8::new(UNKNOWN);
    let cpus = match CPUS.load(Relaxed) {
        UNKNOWN => {
            let many = std::thread::available_parallelism().map_or(true, |n| n.get() > 1);
            let cpus = if many { MANY_CPUS } else { ONE_CPU };
            CPUS.store(cpus, Relaxed);
            cpus
        }
        known => known,
    };
    cpus == MANY_CPUS
}

#[cfg(loom)]
fn other_threads_can_run_meanwhile() -> bool {
    false // Never asked: loom spins not at all.
}

/// What is left of one [`Spin`] budget. A caller that can lose a race after its spin (a
/// lock seen free and taken by someone else first) keeps spinning on the same budget
/// instead of either sleeping at once or starting over.
#[derive(Debug)]
pub(crate) struct Spinner {
    pauses: u32,
    yields: u32,
    pauses_per_look: u32,
    exponential_backoff: bool,
}

impl Spinner {
    /// Re-reads `word` while `busy(value)` holds and what remains of this budget lasts, and
    /// returns the last value seen; a later call goes on with what is left. It only ever
    /// *loads*: a CAS in a spin loop would fight the owner for the cache line it is about to
    /// release.
    #[inline]
    pub(crate) fn spin_remaining_while(
        &mut self,
        word: &AtomicU32,
        busy: impl Fn(u32) -> bool,
    ) -> u32 {
        loop {
            // Relaxed: the value is only a hint; the caller's CAS, swap or Acquire load orders.
            let value = word.load(Ordering::Relaxed);
            if !busy(value) || !self.back_off() {
                return value;
            }
        }
    }

    /// Pauses (or yields) once, spending budget; false if none was left.
    pub(crate) fn back_off(&mut self) -> bool {
        if self.pauses > 0 {
            let now = self.pauses_per_look.min(self.pauses);
            for _ in 0..now {
                core::hint::spin_loop();
            }
            self.pauses -= now;
            if self.exponential_backoff {
                self.pauses_per_look = (self.pauses_per_look * 2).min(32);
            }
            true
        } else if self.yields > 0 {
            std::thread::yield_now();
            self.yields -= 1;
            true
        } else {
            false
        }
    }
}

/// A fresh, whole budget of `spin`, spent re-reading `word` while `busy(value)` holds: the
/// common case of [`Spinner::spin_remaining_while`], for a caller that never resumes a
/// spin.
#[inline]
pub(crate) fn spin_while(word: &AtomicU32, spin: Spin, busy: impl Fn(u32) -> bool) -> u32 {
    spin.start().spin_remaining_while(word, busy)
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
