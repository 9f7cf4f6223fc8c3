//! `RawRwLock`: a reader-writer lock in two 32-bit words, the primitive under the faces
//! [`RwLock<T>`](crate::RwLock) and [`RecursiveRwLock<T>`](crate::RecursiveRwLock)
//! (parking_lot 0.13's, `src/faces/rwlock.rs`), which it knows nothing of.
//!
//! # What it is
//!
//! Python's `threading` has no reader-writer lock; Rust code reaches for parking_lot's. Any
//! number of readers share the lock, or one writer holds it alone. An *upgradable* reader
//! shares the lock with plain readers but excludes writers and other upgradable readers, so
//! it may later become the writer without letting anyone in between ([`upgrade`]); a writer
//! may [`downgrade`] to a reader (or to an upgradable reader) and let readers in at once.
//!
//! [`RawRwLock`] (`RawRwLock<false>`) is **writer-preferring**, as parking_lot's: once a
//! writer waits for the readers to leave, new readers wait behind it, so writers never
//! starve. The price is parking_lot's too: a thread that takes a read lock it already holds
//! while a writer waits deadlocks ([`RwLock`](crate::RwLock) says more).
//! [`RawRwLockRecursive`](crate::RawRwLockRecursive) (`RawRwLock<true>`) lets a reader in
//! whenever other readers are inside, even past a waiting writer, so nested reads never
//! deadlock; a writer then waits until the readers happen to all leave at once, which under
//! a steady stream of overlapping readers may be never (writers can starve).
//!
//! # The state words
//!
//! `state`: a writer bit, an upgradable bit, three waiting flags and the readers count (the
//! table and its invariant are on `RawRwLock::state`). The *slot* is the right to be the
//! writer: one thread at a time is a writer or an upgradable reader. The flags only
//! describe a held slot, so a free lock is exactly `0` and the uncontended write lock is
//! one CAS `0 → WRITER`.
//!
//! `slot_wakes` is a counter that threads waiting for the slot sleep on; it changes on
//! every wake, so a wake sent after a waiter read it cannot be missed (std's
//! `writer_notify`).
//!
//! # The protocol
//!
//! * **read**: CAS `readers + 1` if readers may enter: `WRITER` is clear (for the recursive
//!   lock: or other readers are inside). Otherwise set `READERS_WAITING` and sleep on
//!   `state`. Whoever clears `WRITER` (an unlock, a downgrade, a writer giving up) clears
//!   `READERS_WAITING` in the same RMW and wakes *all* readers.
//! * **read unlock**: `fetch_sub(1 reader)`. The last reader out wakes all of `state` if
//!   `DRAIN_SLEEPER` is set (all: readers blocked behind the writer sleep on the same word,
//!   and one wake might reach one of them instead of the writer).
//! * **write**: CAS `0 → WRITER`. Otherwise take the slot: set `WRITER` when neither
//!   `WRITER` nor `UPGRADABLE` is set (readers may still be inside), or set `SLOT_WAITERS`,
//!   read `slot_wakes`, check the slot is still taken and sleep on `slot_wakes` (the
//!   Lock's protocol: a thread that slept takes the slot with `SLOT_WAITERS` set again,
//!   since it cannot know whether others still sleep). With the slot, *drain*: while
//!   readers remain, set `DRAIN_SLEEPER` and sleep on `state`; `WRITER` already keeps new
//!   readers out (recursive lock: only once the count reaches 0).
//! * **write unlock**: CAS `WRITER → 0` when nobody waits. Otherwise `fetch_and` clears
//!   `WRITER` and the three waiting flags in one RMW, then wakes all readers if
//!   `READERS_WAITING` was set and one slot waiter (bump `slot_wakes`, wake one) if
//!   `SLOT_WAITERS` was. Both are woken: readers and the next writer race, and the writer
//!   that gets the slot then drains the readers that won.
//! * **upgradable read**: take the slot as `UPGRADABLE` + one reader (no drain: an
//!   upgradable reader coexists with readers). **unlock**: drop both, release the slot.
//! * **upgrade**: one RMW turns `UPGRADABLE` + our reader into `WRITER`, then drain the other
//!   readers. The slot never leaves us, so no writer can come in between: the upgrade is
//!   atomic. A timed upgrade that gives up turns `WRITER` back into `UPGRADABLE` + reader.
//! * **downgrade** (write → read or → upgradable): one CAS clears `WRITER` (and the slot,
//!   unless we stay upgradable), adds our reader, and wakes the waiting readers.
//!   **upgradable → read**: clear `UPGRADABLE`, release the slot.
//! * **timeouts**: a reader or slot waiter that gives up leaves its flag set: a flag only
//!   ever costs a needless wake, and is cleared with the slot. A slot waiter whose wait ended
//!   by timeout first looks once more and takes the slot if it is free, so a wake that
//!   reached it (the futex contract's "A wake may reach nobody", `src/futex/mod.rs`) is
//!   used, not lost. A writer that gives up while draining clears `WRITER` exactly as an
//!   unlock does, waking the readers it held back and one slot waiter.
//! * **fair unlock and bump**: no handoff. `unlock_*_fair` is the plain unlock (it wakes the
//!   same waiters, and a thread arriving at that moment may still take the lock before them);
//!   shared unlocking is already fair to writers here, as in parking_lot. `bump_*` releases
//!   only when someone waits (a draining writer for a reader; waiting readers or slot waiters
//!   for a writer or an upgradable reader), yields the CPU, and locks again: the woken
//!   waiters usually get in first, without a guarantee.
//!
//! Orderings: every acquisition that can give access to the data (a reader's CAS, the CAS
//! or RMW that sets `WRITER` with no readers, the CAS that ends a drain) is `Acquire`, every
//! release of access (read unlock, write unlock, downgrade) is `Release`, so a writer's
//! data is seen by the next reader and a reader's reads happen before the next writer's
//! writes (all RMWs on `state`: each release heads a release sequence that a later acquire
//! reads from). Setting a waiting flag is `Relaxed`: the futex re-checks the word. Bumping
//! `slot_wakes` is `Release` and reading it before the re-check is `Acquire`, so a waiter
//! that sees the bump also sees the freed slot (std's order).
//!
//! [`upgrade`]: lock_api::RwLockUpgradableReadGuard::upgrade
//! [`downgrade`]: lock_api::RwLockWriteGuard::downgrade

use crate::futex::{self, Deadline, Wait};
use crate::spin::{Spin, spin_while};
use crate::sync::{AtomicU32, Ordering::*, const_fn_unless_loom};
use core::fmt;

const WRITER: u32 = 1;
const UPGRADABLE: u32 = 1 << 1;
const SLOT_WAITERS: u32 = 1 << 2;
const READERS_WAITING: u32 = 1 << 3;
const DRAIN_SLEEPER: u32 = 1 << 4;
const ONE_READER: u32 = 1 << 5;
const READERS: u32 = !(ONE_READER - 1);
/// Whoever owns the slot: a writer or an upgradable reader.
const SLOT: u32 = WRITER | UPGRADABLE;
/// What an upgradable reader adds to `state`.
const UPGRADABLE_READER: u32 = UPGRADABLE | ONE_READER;

/// The invariant of `RawRwLock::state`: at most one owner of the slot, and the flags only
/// describe a held slot (`READERS_WAITING` and `DRAIN_SLEEPER` imply `WRITER`,
/// `SLOT_WAITERS` implies `WRITER` or `UPGRADABLE`, `UPGRADABLE` implies a reader).
fn is_consistent(s: u32) -> bool {
    let implies = |flags: u32, needs: u32| s & flags == 0 || s & needs != 0;
    s & SLOT != SLOT
        && implies(READERS_WAITING | DRAIN_SLEEPER, WRITER)
        && implies(SLOT_WAITERS, SLOT)
        && implies(UPGRADABLE, READERS)
}

/// The raw reader-writer lock under [`RwLock`](crate::RwLock) (`RECURSIVE = false`,
/// writer-preferring) and [`RecursiveRwLock`](crate::RecursiveRwLock) (`RECURSIVE = true`,
/// [`RawRwLockRecursive`](crate::RawRwLockRecursive)): two `AtomicU32` words,
/// implementing every lock_api 0.5 reader-writer trait parking_lot's `RawRwLock` does. The
/// module documentation has the protocol.
pub struct RawRwLock<const RECURSIVE: bool = false> {
    /// | bits | name | meaning |
    /// |---|---|---|
    /// | 0 | `WRITER` | a writer owns the slot; with no readers it holds the lock, with readers it waits for them to leave (it is *draining*) |
    /// | 1 | `UPGRADABLE` | an upgradable reader owns the slot (and is counted among the readers) |
    /// | 2 | `SLOT_WAITERS` | threads may sleep on `slot_wakes` waiting for the slot |
    /// | 3 | `READERS_WAITING` | readers may sleep on `state` until `WRITER` is cleared |
    /// | 4 | `DRAIN_SLEEPER` | the draining writer may sleep on `state` until the readers are gone |
    /// | 5.. | readers | how many readers (the upgradable one included) hold the lock |
    ///
    /// Invariant: `WRITER` and `UPGRADABLE` are never both set, and the flags only describe
    /// a held slot ([`is_consistent`]).
    state: AtomicU32,
    /// The counter slot waiters sleep on (module doc).
    slot_wakes: AtomicU32,
}

/// What a drain that gives up turns `WRITER` back into.
#[derive(Clone, Copy)]
enum GiveUp {
    /// Nothing: a writer that never got in.
    Nothing,
    /// The upgradable reader an upgrade started from.
    Upgradable,
}

impl<const RECURSIVE: bool> RawRwLock<RECURSIVE> {
    const_fn_unless_loom! {
        /// A new, unlocked lock (lock_api's `INIT`).
        pub fn new() -> Self {
            RawRwLock { state: AtomicU32::new(0), slot_wakes: AtomicU32::new(0) }
        }
    }

    /// Whether a writer (or an upgrading reader) owns the writer's slot and waits for the
    /// readers inside to leave: a snapshot, for tests and diagnostics. While it is true, new
    /// readers of the writer-preferring lock wait; those of the recursive lock do not.
    #[cfg_attr(loom, allow(dead_code))] // A diagnostic of real runs (src/lib.rs).
    pub(crate) fn writer_waits_for_readers(&self) -> bool {
        // Relaxed: a snapshot that may be stale as soon as it is returned anyway.
        let state = self.state.load(Relaxed);
        state & WRITER != 0 && state & READERS != 0
    }

    /// Whether a reader may enter now.
    #[inline]
    fn readers_may_enter(state: u32) -> bool {
        state & WRITER == 0 || (RECURSIVE && state & READERS != 0)
    }

    /// `state` with one more reader, or a panic that says what happened.
    #[inline]
    fn plus_reader(state: u32) -> u32 {
        state.checked_add(ONE_READER).expect("RwLock reader count overflow")
    }

    // --- shared ---

    #[inline]
    pub(crate) fn try_read(&self) -> bool {
        // Relaxed: only a guess for the CAS, which orders.
        let mut state = self.state.load(Relaxed);
        while Self::readers_may_enter(state) {
            // Acquire: see what the last writer wrote.
            match self.state.compare_exchange_weak(
                state,
                Self::plus_reader(state),
                Acquire,
                Relaxed,
            ) {
                Ok(_) => return true,
                Err(now) => state = now,
            }
        }
        false
    }

    #[inline]
    pub(crate) fn read(&self) {
        if !self.try_read() {
            let entered = self.read_slow(Deadline::NEVER);
            debug_assert!(entered);
        }
    }

    /// Waits until readers may enter, then enters; false if `deadline` passed first.
    #[cold]
    fn read_slow(&self, deadline: Deadline) -> bool {
        let state = spin_while(&self.state, Spin::LOCK, |s| !Self::readers_may_enter(s));
        // A reader that gives up leaves READERS_WAITING set: it is cleared with WRITER and
        // costs at most a needless wake.
        self.sleep_then_take(
            state,
            READERS_WAITING,
            deadline,
            Self::readers_may_enter,
            Self::plus_reader,
        )
    }

    /// The one sleeping loop on `state` (a reader waiting to enter, a writer draining the
    /// readers): once `ready(state)`, CAS it to `take(state)` and return true; until then set
    /// `flag` (whoever makes the state ready wakes the sleepers it flags) and sleep. False if
    /// `deadline` passed first, with `flag` left set.
    fn sleep_then_take(
        &self,
        mut state: u32,
        flag: u32,
        deadline: Deadline,
        ready: impl Fn(u32) -> bool,
        take: impl Fn(u32) -> u32,
    ) -> bool {
        loop {
            if ready(state) {
                // Acquire: what the take grants (a read; the write once the last reader
                // left) sees the last release of access, whose RMW heads the release
                // sequence this CAS reads from.
                match self.state.compare_exchange_weak(state, take(state), Acquire, Relaxed) {
                    Ok(_) => return true,
                    Err(now) => state = now,
                }
                continue;
            }
            if state & flag == 0 {
                // Relaxed: the futex re-checks the word; only the flag's clearer reads it.
                if let Err(now) = self.state.compare_exchange(state, state | flag, Relaxed, Relaxed)
                {
                    state = now;
                    continue;
                }
                state |= flag;
            }
            if futex::wait(&self.state, state, deadline) == Wait::TimedOut {
                return false;
            }
            // Relaxed: a guess for the CAS, which orders.
            state = self.state.load(Relaxed);
        }
    }

    pub(crate) fn read_until(&self, deadline: Deadline) -> bool {
        self.try_read() || self.read_slow(deadline)
    }

    #[inline]
    pub(crate) fn unlock_read(&self) {
        // Release: our reads happen before the next writer's writes.
        let was = self.state.fetch_sub(ONE_READER, Release);
        debug_assert!(was & READERS != 0, "read unlock of a lock no reader holds");
        debug_assert!(is_consistent(was), "RwLock state {was:#x}");
        if was & (READERS | DRAIN_SLEEPER) == ONE_READER | DRAIN_SLEEPER {
            // The last reader out, and the draining writer may sleep (module doc: why all).
            futex::wake_all(&self.state);
        }
    }

    // --- the slot, exclusive ---

    #[inline]
    pub(crate) fn try_write(&self) -> bool {
        // Acquire: see what the last holder wrote (a free lock is exactly 0).
        self.state.compare_exchange(0, WRITER, Acquire, Relaxed).is_ok()
    }

    #[inline]
    pub(crate) fn write(&self) {
        if !self.try_write() {
            let entered = self.write_slow(Deadline::NEVER);
            debug_assert!(entered);
        }
    }

    #[cold]
    fn write_slow(&self, deadline: Deadline) -> bool {
        self.take_slot(WRITER, deadline) && self.drain(deadline, GiveUp::Nothing)
    }

    pub(crate) fn write_until(&self, deadline: Deadline) -> bool {
        self.try_write() || self.write_slow(deadline)
    }

    /// Takes the slot, adding `claim` (`WRITER`, or `UPGRADABLE_READER`) to `state`; false
    /// if `deadline` passed first.
    fn take_slot(&self, claim: u32, deadline: Deadline) -> bool {
        let mut slept = false;
        let mut state = spin_while(&self.state, Spin::LOCK, |s| s & SLOT != 0);
        loop {
            if state & SLOT == 0 {
                // After sleeping, SLOT_WAITERS again: others may still sleep (the Lock's "2").
                let flag = if slept { SLOT_WAITERS } else { 0 };
                let new = state.checked_add(claim).expect("RwLock reader count overflow") | flag;
                // Acquire: with no readers inside this is the lock itself.
                match self.state.compare_exchange_weak(state, new, Acquire, Relaxed) {
                    Ok(_) => return true,
                    Err(now) => state = now,
                }
                continue;
            }
            if state & SLOT_WAITERS == 0 {
                // Relaxed: the re-check below and the futex order it.
                if let Err(now) =
                    self.state.compare_exchange(state, state | SLOT_WAITERS, Relaxed, Relaxed)
                {
                    state = now;
                    continue;
                }
            }
            // Acquire, then re-check: a release that bumped the counter we read is seen here
            // as a free slot (module doc, orderings).
            let wakes = self.slot_wakes.load(Acquire);
            state = self.state.load(Relaxed);
            if state & SLOT == 0 || state & SLOT_WAITERS == 0 {
                continue;
            }
            if futex::wait(&self.slot_wakes, wakes, deadline) == Wait::TimedOut {
                // One last look: a wake that reached us must not be wasted (module doc).
                return self.take_free_slot(claim);
            }
            slept = true;
            state = spin_while(&self.state, Spin::LOCK, |s| s & SLOT != 0);
        }
    }

    /// Takes the slot if it is free now (after a timed-out wait, which slept).
    fn take_free_slot(&self, claim: u32) -> bool {
        // Relaxed: a guess for the CAS.
        let mut state = self.state.load(Relaxed);
        while state & SLOT == 0 {
            let new = state.checked_add(claim).expect("RwLock reader count overflow");
            // Acquire: as in take_slot.
            match self.state.compare_exchange_weak(state, new | SLOT_WAITERS, Acquire, Relaxed) {
                Ok(_) => return true,
                Err(now) => state = now,
            }
        }
        false
    }

    /// Wakes one thread waiting for the slot; the caller has just cleared `SLOT_WAITERS`.
    #[cold]
    fn wake_slot_waiter(&self) {
        // Release: a waiter that reads the new count sees the freed slot.
        self.slot_wakes.fetch_add(1, Release);
        futex::wake_one(&self.slot_wakes);
    }

    /// With `WRITER` set, waits until no reader is inside. If `deadline` passes first, gives
    /// the slot back as `give_up` says and returns false.
    fn drain(&self, deadline: Deadline, give_up: GiveUp) -> bool {
        let state = spin_while(&self.state, Spin::LOCK, |s| s & READERS != 0);
        let no_readers = |s: u32| s & READERS == 0;
        self.sleep_then_take(state, DRAIN_SLEEPER, deadline, no_readers, |s| s & !DRAIN_SLEEPER)
            || self.give_up_drain(give_up)
    }

    /// A drain timed out: true if the readers left meanwhile (we hold the lock after all),
    /// else `WRITER` is cleared as `give_up` says and false.
    #[cold]
    fn give_up_drain(&self, give_up: GiveUp) -> bool {
        // Relaxed: a guess for the CAS.
        let mut state = self.state.load(Relaxed);
        loop {
            if state & READERS == 0 {
                // Acquire: as in sleep_then_take.
                match self.state.compare_exchange_weak(
                    state,
                    state & !DRAIN_SLEEPER,
                    Acquire,
                    Relaxed,
                ) {
                    Ok(_) => return true,
                    Err(now) => state = now,
                }
                continue;
            }
            let becomes = match give_up {
                GiveUp::Nothing => 0,
                GiveUp::Upgradable => UPGRADABLE_READER,
            };
            if self.end_writer_from(state, becomes).is_ok() {
                return false;
            }
            state = self.state.load(Relaxed);
        }
    }

    /// Clears `WRITER` in one CAS from `state`, adding `becomes` (nothing, a reader, or an
    /// upgradable reader); clears `READERS_WAITING`, `DRAIN_SLEEPER`, and `SLOT_WAITERS`
    /// unless we keep the slot, and wakes whom they name. `Err(now)` if `state` was stale.
    fn end_writer_from(&self, state: u32, becomes: u32) -> Result<(), u32> {
        let keeps_slot = becomes & UPGRADABLE != 0;
        let clear =
            WRITER | READERS_WAITING | DRAIN_SLEEPER | if keeps_slot { 0 } else { SLOT_WAITERS };
        let new = (state & !clear) + becomes;
        debug_assert!(is_consistent(new), "RwLock state {new:#x} after a writer");
        // Release: what the writer wrote is seen by whoever enters next.
        self.state.compare_exchange_weak(state, new, Release, Relaxed)?;
        self.wake_after_writer(state, keeps_slot);
        Ok(())
    }

    /// The wakes owed once `WRITER` was cleared from `was`.
    #[inline]
    fn wake_after_writer(&self, was: u32, keeps_slot: bool) {
        if was & READERS_WAITING != 0 {
            futex::wake_all(&self.state);
        }
        if !keeps_slot && was & SLOT_WAITERS != 0 {
            self.wake_slot_waiter();
        }
    }

    /// Clears `WRITER` (held, no readers inside), adding `becomes`.
    fn end_writer(&self, becomes: u32) {
        // Relaxed: a guess for the CAS, which orders.
        let mut state = self.state.load(Relaxed);
        while let Err(now) = self.end_writer_from(state, becomes) {
            state = now;
        }
    }

    #[inline]
    pub(crate) fn unlock_write(&self) {
        // Release: publish the critical section. The CAS first: x86 has no fetch_and that
        // returns the old value, so the fetch_and below is a load and a CAS loop.
        if self.state.compare_exchange(WRITER, 0, Release, Relaxed).is_ok() {
            return;
        }
        self.unlock_write_contended();
    }

    /// The write unlock when someone waits: the waiting flags go with `WRITER` (module doc).
    #[cold]
    fn unlock_write_contended(&self) {
        // Release: as in unlock_write.
        let was = self
            .state
            .fetch_and(!(WRITER | READERS_WAITING | SLOT_WAITERS | DRAIN_SLEEPER), Release);
        debug_assert!(was & WRITER != 0 && was & READERS == 0, "write unlock of an unheld lock");
        debug_assert!(is_consistent(was), "RwLock state {was:#x}");
        if was & (READERS_WAITING | SLOT_WAITERS) != 0 {
            self.wake_after_writer(was, false);
        }
    }

    // --- upgradable ---

    #[inline]
    pub(crate) fn try_upgradable(&self) -> bool {
        // Relaxed: a guess for the CAS.
        let mut state = self.state.load(Relaxed);
        while state & SLOT == 0 {
            let new = state.checked_add(UPGRADABLE_READER).expect("RwLock reader count overflow");
            // Acquire: see what the last writer wrote.
            match self.state.compare_exchange_weak(state, new, Acquire, Relaxed) {
                Ok(_) => return true,
                Err(now) => state = now,
            }
        }
        false
    }

    pub(crate) fn upgradable_until(&self, deadline: Deadline) -> bool {
        self.try_upgradable() || self.take_slot(UPGRADABLE_READER, deadline)
    }

    /// Drops `UPGRADABLE` and our reader (`drop_reader`) or only `UPGRADABLE`, releasing the
    /// slot.
    fn end_upgradable(&self, drop_reader: bool) {
        let minus = if drop_reader { UPGRADABLE_READER } else { UPGRADABLE };
        // Relaxed: a guess for the CAS.
        let mut state = self.state.load(Relaxed);
        loop {
            debug_assert!(state & UPGRADABLE != 0, "upgradable unlock without the lock");
            let new = (state - minus) & !SLOT_WAITERS;
            // Release: our reads happen before the next writer's writes.
            match self.state.compare_exchange_weak(state, new, Release, Relaxed) {
                Ok(_) => break,
                Err(now) => state = now,
            }
        }
        if state & SLOT_WAITERS != 0 {
            self.wake_slot_waiter();
        }
    }

    /// Turns our upgradable read into `WRITER`; true if no other reader is inside.
    fn start_upgrade(&self) -> bool {
        // Acquire: with no reader left, this is the lock itself. `UPGRADABLE` + our reader
        // become `WRITER` in one step (the subtraction borrows nothing: both are set, WRITER
        // is clear), so the slot never leaves us.
        let was = self.state.fetch_sub(UPGRADABLE_READER - WRITER, Acquire);
        debug_assert!(was & UPGRADABLE != 0, "upgrade without an upgradable lock");
        debug_assert!(is_consistent(was), "RwLock state {was:#x}");
        was & READERS == ONE_READER
    }

    pub(crate) fn upgrade(&self) {
        if !self.start_upgrade() {
            let upgraded = self.drain(Deadline::NEVER, GiveUp::Upgradable);
            debug_assert!(upgraded);
        }
    }

    pub(crate) fn try_upgrade(&self) -> bool {
        // Relaxed: a guess for the CAS.
        let mut state = self.state.load(Relaxed);
        while state & READERS == ONE_READER {
            // Acquire: as in start_upgrade.
            match self.state.compare_exchange_weak(
                state,
                state - (UPGRADABLE_READER - WRITER),
                Acquire,
                Relaxed,
            ) {
                Ok(_) => return true,
                Err(now) => state = now,
            }
        }
        false
    }

    pub(crate) fn upgrade_until(&self, deadline: Deadline) -> bool {
        self.try_upgrade() || self.start_upgrade() || self.drain(deadline, GiveUp::Upgradable)
    }

    /// Takes the upgradable read, waiting as long as it takes.
    pub(crate) fn upgradable(&self) {
        let taken = self.upgradable_until(Deadline::NEVER);
        debug_assert!(taken);
    }

    /// Leaves the upgradable read (the reader and the slot).
    pub(crate) fn unlock_upgradable(&self) {
        self.end_upgradable(true);
    }

    /// The upgradable read becomes a plain read (the slot is released).
    pub(crate) fn downgrade_upgradable(&self) {
        self.end_upgradable(false);
    }

    /// The write lock becomes a read lock, with no writer in between.
    pub(crate) fn downgrade(&self) {
        self.end_writer(ONE_READER);
    }

    /// The write lock becomes the upgradable read, with no writer in between.
    pub(crate) fn downgrade_to_upgradable(&self) {
        self.end_writer(UPGRADABLE_READER);
    }

    // --- fairness: no handoff (module doc) ---

    pub(crate) fn bump_read(&self) {
        // Relaxed: a hint; a missed writer only means no bump this time.
        let state = self.state.load(Relaxed);
        if state & WRITER != 0 && (!RECURSIVE || state & READERS == ONE_READER) {
            self.unlock_read();
            self.read();
        }
    }

    pub(crate) fn bump_write(&self) {
        // Relaxed: a hint, as in bump_read.
        if self.state.load(Relaxed) & (READERS_WAITING | SLOT_WAITERS) != 0 {
            self.unlock_write();
            crate::sync::thread::yield_now();
            self.write();
        }
    }

    pub(crate) fn bump_upgradable(&self) {
        // Relaxed: a hint, as in bump_read.
        if self.state.load(Relaxed) & SLOT_WAITERS != 0 {
            self.end_upgradable(true);
            crate::sync::thread::yield_now();
            let relocked = self.take_slot(UPGRADABLE_READER, Deadline::NEVER);
            debug_assert!(relocked);
        }
    }

    pub(crate) fn is_locked(&self) -> bool {
        // Relaxed: a snapshot.
        self.state.load(Relaxed) & (WRITER | READERS) != 0
    }

    pub(crate) fn is_locked_exclusive(&self) -> bool {
        // Relaxed: a snapshot. WRITER with readers inside is a writer still draining.
        self.state.load(Relaxed) & (WRITER | READERS) == WRITER
    }
}

impl<const RECURSIVE: bool> Default for RawRwLock<RECURSIVE> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const RECURSIVE: bool> fmt::Debug for RawRwLock<RECURSIVE> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Relaxed: a snapshot.
        let state = self.state.load(Relaxed);
        f.debug_struct("RawRwLock")
            .field("recursive", &RECURSIVE)
            .field("readers", &(state >> ONE_READER.trailing_zeros()))
            .field("writer", &(state & WRITER != 0))
            .field("upgradable", &(state & UPGRADABLE != 0))
            .finish()
    }
}
