//! The crate's one spin policy: how long a thread busy-waits on a word before it sleeps.
//! Every budget is a [`Spin`] (`HANDOFF`, `LOCK`, [`Spin::barrier`]), and one loop,
//! [`Spinner::spin_remaining_while`], spends them all. Measured costs and how each budget
//! was chosen are in BENCHMARKS.md ("Spin budgets"); the rules are these:
//!
//! * **A handoff spins as long as a sleep costs** (the ski-rental rule: a waiter that spins
//!   for as long as one block costs, then sleeps, never pays more than twice what knowing
//!   the future would have cost; Karlin, Li, Manasse and Owicki, 1991). That cost differs
//!   tenfold between machines (a bare-metal wake-up against a halted VM's vCPU woken by an
//!   interrupt), so it is learned, not tuned: the waits that spin with it sleep and wake
//!   through [`sleep`] and [`wake_one`] / [`wake_n`] / [`wake_all`] here. A waker stamps
//!   the time beside the word (a slot of a small table hashed by its address) just before
//!   its wake call; a sleeper reads the clock before its sleep and again once it runs, and
//!   takes the stamp (the first sleeper of a `wake_all` to run, alone); if the stamp falls
//!   between its two readings, *now minus the stamp* is one sleep + wake on this machine
//!   (wake call, wake-up, back on a CPU), whatever the partner did before waking it. Each sample moves a process-wide estimate an eighth of the way (glibc's adaptive
//!   mutex smooths its spin count alike), clamped to [`MIN_BLOCK_NANOS`] ..=
//!   [`MAX_BLOCK_NANOS`]. Costs: nothing on an uncontended path, one relaxed load per
//!   spinning wait, three clock reads per sleep + wake (beside two system calls). Once the
//!   spin is long enough, waits stop sleeping and the estimate stops moving: it only has
//!   to be right for the waits that do sleep.
//! * **Budgets are time, not pause counts.** A spin is a run of pause instructions
//!   (`spin_loop()`) with a look at the word between them, then a few yields. A pause costs
//!   very different times on different CPUs, so each budget is in nanoseconds and
//!   [`Spin::start`] turns it into pauses of this CPU, measured once per process on the
//!   first spin (`pauses_per_nanosecond`: the fastest of a few timed runs, so that a
//!   preemption during the measurement cannot inflate it).
//! * **A long spin stops when its CPU is wanted.** More runnable threads than CPUs is not
//!   detected up front (knowing costs more than a spin), so a spin longer than
//!   [`YIELD_EVERY_NANOS`] yields once after [`MIN_BLOCK_NANOS`] of pauses, then once per
//!   `YIELD_EVERY_NANOS`, and times the yield: one with nothing else to run is a short
//!   system call; a slow one ([`SLOW_YIELD_NANOS`]) means another thread ran on this CPU,
//!   and the spin ends (its last yields and the sleep follow). Then an overloaded machine
//!   spins about as little as the fixed budget this rule replaced, and a quiet one as long
//!   as a sleep costs. (Two clock reads per such yield, beside its system call.)
//! * **A lock's waiters do not pause.** A handoff waits for a word only its partner writes,
//!   once: looking after every pause costs nobody anything. A contended lock's holder runs
//!   acquire, critical section and release again and again on the lock's cache line, and
//!   every look by a waiter pulls that line away from it. So [`Spin::LOCK`] only yields,
//!   looking between yields, whose system call spaces the looks far apart.
//! * **A notified waiter re-taking its lock looks after 1, 2, 4, ... pauses**
//!   ([`Spin::NOTIFIED`], then the lock's yields). Its notifier held the lock when it
//!   notified and most often lets it go within a few looks: a handoff, in which a yield
//!   only loses time. Where the lock is busy with a stream instead (a queue's producers
//!   and consumers), looks ever further apart seldom take its line from the threads using
//!   it. Exponential back-off is the classic answer to a waiter watching a lock word
//!   (parking_lot's `SpinWait` pauses 1, 2, then 4 times before its yields).
//! * **A barrier spins as a handoff only if all its parties can run at once** (no more
//!   parties than CPUs); otherwise the parties still to come need the CPUs, and its pauses
//!   stay short and fixed before its yields ([`Spin::barrier`]).
//! * **One CPU** (affinity mask or cgroup quota, as `available_parallelism` reads it): no
//!   pauses, only the yields, which let the thread we wait for run.
//! * **Under loom** nothing spins and nothing is learned: loom takes a spin hint or a yield
//!   as "run the other threads first", which would hide the schedules that matter (the
//!   waiter asleep before the release comes). A spin only loads, so leaving it out loses no
//!   behaviour, and the budget never changes what is proved.
//!
//! Tests: the unit tests below (fixed budgets convert to the tuned counts, the rate is
//! cached and clamped, a budget is spent pauses first, yielding between slices and ending
//! at a slow yield, then yields; doubling looks spend the same budget in fewer looks; the
//! estimator's clamp and smoothing, which samples it accepts, the stamp table's hashing, a
//! sleep taking its stamp, and a real sleep + wake through the wrappers).

use crate::futex::{self, Deadline, Wait};
use crate::sync::{AtomicU32, Ordering};

/// The least a sleep + wake is taken to cost: 2 µs, about the fixed handoff budget this
/// rule replaced (2.44 µs), and below what two system calls and a context switch can take.
#[cfg_attr(loom, allow(dead_code))] // Loom learns nothing.
pub(crate) const MIN_BLOCK_NANOS: u32 = 2_000;

/// The most: 100 µs, about the slowest wake-up of an idle CPU (a deep C-state, a halted
/// vCPU); a longer sample measures a preemption or an overloaded machine, where spinning
/// longer would only take the CPU from the threads that need it.
#[cfg_attr(loom, allow(dead_code))] // Loom learns nothing.
pub(crate) const MAX_BLOCK_NANOS: u32 = 100_000;

/// A yield that takes longer than this let another thread run: 5 µs, above one
/// `sched_yield` with nothing else to run on any machine we know of (0.6 µs on the tuning
/// machine), below a turn of another thread on the CPU.
pub(crate) const SLOW_YIELD_NANOS: u32 = 5_000;

/// A spin longer than this yields, and looks whether its CPU is wanted, once per this much
/// pausing (module doc).
pub(crate) const YIELD_EVERY_NANOS: u32 = 10_000;

/// How long a thread busy-waits on a word before it goes to sleep: time spent pausing, then
/// yields (the module doc says why the budgets are time and where a spin is skipped).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Spin {
    /// How long to pause in all, before the yields.
    pauses: Pauses,
    /// Then give up the time slice this many times, looking after each: with more threads
    /// than cores, the thread we wait for may need this very CPU.
    yields: u32,
    /// How far apart the looks between the pauses are.
    looks: Looks,
}

/// How often a [`Spin`] looks at the word while it pauses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Looks {
    /// After every pause: the change is seen as soon as it happens.
    EveryPause,
    /// After 1, 2, 4, ... pauses: soon if the change comes soon, and then rarely, so that
    /// the looks take the line from the threads using it less and less often.
    Doubling,
}

/// How long a [`Spin`] pauses before its yields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pauses {
    /// Not at all: look only between yields.
    None,
    /// This many nanoseconds.
    For(u32),
    /// As long as one sleep + wake costs on this machine, as learned so far (module doc).
    AsLongAsABlock,
}

impl Spin {
    /// For a handoff (an event, a notify, a permit): pauses for as long as a sleep + wake
    /// costs here, looking after every one so that the change is seen as soon as it
    /// happens, then 3 yields, so that a partner sharing our CPU can make it (BENCHMARKS.md,
    /// "Event ping-pong >= 10x the port", "Spinning when the partner shares our CPU" and
    /// "Spin budgets").
    pub(crate) const HANDOFF: Spin =
        Spin { pauses: Pauses::AsLongAsABlock, yields: 3, looks: Looks::EveryPause };

    /// For a contended [`Lock`](crate::Lock): no pauses, 7 yields with a look after each (the
    /// module doc says why; parking_lot's count of yields). One budget covers the whole
    /// wait, lost races included.
    pub(crate) const LOCK: Spin =
        Spin { pauses: Pauses::None, yields: 7, looks: Looks::EveryPause };

    /// For a `Condition` or `Condvar` wait re-taking its lock: pauses for
    /// [`MIN_BLOCK_NANOS`], looking after 1, 2, 4, ... of them, then [`Spin::LOCK`]'s
    /// yields (the module doc says why).
    pub(crate) const NOTIFIED: Spin =
        Spin { pauses: Pauses::For(MIN_BLOCK_NANOS), yields: 7, looks: Looks::Doubling };

    /// For a [`Barrier`](crate::Barrier) of more parties than CPUs: 2.44 µs of pauses (100
    /// on the tuning machine), then up to 16 yields, because the parties still to arrive
    /// may need this very CPU (BENCHMARKS.md, "Barrier with 4 threads >= 3x std").
    const BARRIER_CROWDED: Spin =
        Spin { pauses: Pauses::For(2_440), yields: 16, looks: Looks::EveryPause };

    /// For a [`Barrier`](crate::Barrier) party waiting for the rest: with no more `parties`
    /// than CPUs, the handoff's pauses (the last party to arrive is running, somewhere);
    /// with more, [`Spin::BARRIER_CROWDED`]'s. Either way then 16 yields.
    pub(crate) fn barrier(parties: usize) -> Spin {
        if parties <= available_cpus() {
            Spin { pauses: Pauses::AsLongAsABlock, ..Spin::BARRIER_CROWDED }
        } else {
            Spin::BARRIER_CROWDED
        }
    }

    /// A fresh budget of this policy: its time as pauses of this CPU, none when this
    /// process can run on one CPU only, and nothing at all under loom (see the module doc).
    pub(crate) fn start(self) -> Spinner {
        if cfg!(loom) {
            return Spinner::new(0, 0, 0, 0);
        }
        if available_cpus() <= 1 {
            return Spinner::new(0, self.yields, 0, 0);
        }
        let nanos = match self.pauses {
            Pauses::None => 0,
            Pauses::For(nanos) => nanos,
            Pauses::AsLongAsABlock => block_cost_nanos(),
        };
        let pauses = pauses_in(nanos);
        // No pauses, no slices: a budget without pauses never measures the pause rate.
        let slice = if pauses == 0 { 0 } else { pauses_in(YIELD_EVERY_NANOS) };
        if pauses > slice {
            // A long spin: a first look at whether this CPU is wanted after the least block
            // cost, then one per slice (the module doc).
            Spinner::new(pauses, self.yields, pauses_in(MIN_BLOCK_NANOS), slice)
        } else {
            Spinner::new(pauses, self.yields, 0, 0)
        }
        .with_looks(self.looks)
    }
}

/// How many CPUs this process may use (its affinity mask or cgroup quota, as
/// `available_parallelism` reads them; many if it cannot tell). Asked once, on the first
/// spin; a process that changes its own affinity afterwards keeps the first answer (it
/// only tunes the spin, never correctness).
#[cfg(not(loom))]
fn available_cpus() -> usize {
    use core::sync::atomic::{AtomicUsize, Ordering::Relaxed};
    // 0: not asked yet. Relaxed: a cache of a fact every thread computes the same way.
    static CPUS: AtomicUsize = AtomicUsize::new(0);
    match CPUS.load(Relaxed) {
        0 => {
            // Unknown counts as many: a spin that cannot help costs a little time, a spin
            // skipped where it would help costs a sleep per handoff.
            let cpus = std::thread::available_parallelism().map_or(usize::MAX, |n| n.get());
            CPUS.store(cpus, Relaxed);
            cpus
        }
        known => known,
    }
}

#[cfg(loom)]
fn available_cpus() -> usize {
    1 // Never asked for a spin: loom spins not at all.
}

/// How many pauses of this CPU last about `nanos` (rounded to the nearest). No time needs
/// no rate: a budget without pauses ([`Spin::LOCK`]) never pays for the measurement.
#[cfg(not(loom))]
fn pauses_in(nanos: u32) -> u32 {
    if nanos == 0 {
        return 0;
    }
    pauses_at_rate(nanos, pauses_per_nanosecond())
}

#[cfg(loom)]
fn pauses_in(_nanos: u32) -> u32 {
    0 // Never asked: loom spins not at all.
}

/// `nanos` times a rate in pauses per nanosecond, the rate in 16.16 fixed point.
#[cfg_attr(loom, allow(dead_code))] // Loom spins not at all.
fn pauses_at_rate(nanos: u32, pauses_per_nanosecond_16_16: u32) -> u32 {
    let pauses = (u64::from(nanos) * u64::from(pauses_per_nanosecond_16_16) + (1 << 15)) >> 16;
    u32::try_from(pauses).unwrap_or(u32::MAX)
}

/// How many pauses this CPU makes per nanosecond, in 16.16 fixed point (24.4 ns a pause is
/// 2 686; 1 ns is 65 536). Measured once, on the first spin that has pauses to make, then
/// cached; racing first spins each measure, and any of their answers will do.
#[cfg(not(loom))]
fn pauses_per_nanosecond() -> u32 {
    use core::sync::atomic::{AtomicU32, Ordering::Relaxed};
    // 0: not measured yet. Relaxed: a cache of a fact every thread measures alike.
    static RATE: AtomicU32 = AtomicU32::new(0);
    match RATE.load(Relaxed) {
        0 => {
            let rate = measure_pauses_per_nanosecond();
            RATE.store(rate, Relaxed);
            rate
        }
        known => known,
    }
}

/// Times runs of pauses: first doubles the run until it lasts at least a microsecond (so
/// that reading the clock is a small part of it; a few microseconds in all), then keeps the
/// fastest of 5 runs of that length, since a preemption can only make a run slower. The
/// rate is clamped to between one pause per 65 µs and 4 pauses per ns (a CPU whose
/// `spin_loop()` does nothing still makes its spin last about the intended time).
#[cfg(not(loom))]
fn measure_pauses_per_nanosecond() -> u32 {
    use std::time::{Duration, Instant};
    let time = |pauses: u32| {
        let start = Instant::now();
        for _ in 0..pauses {
            core::hint::spin_loop();
        }
        start.elapsed()
    };
    let mut run = 16u32;
    while run < 1 << 16 && time(run) < Duration::from_micros(1) {
        run *= 2;
    }
    let fastest = (0..5).map(|_| time(run)).min().unwrap_or(Duration::from_micros(1));
    let nanos = u64::try_from(fastest.as_nanos()).unwrap_or(u64::MAX).max(1);
    let rate = (u64::from(run) << 16) / nanos;
    u32::try_from(rate.clamp(1, 4 << 16)).unwrap_or(4 << 16)
}

/// What is left of one [`Spin`] budget. A caller that can lose a race after its spin (a
/// lock seen free and taken by someone else first) keeps spinning on the same budget
/// instead of either sleeping at once or starting over.
#[derive(Debug)]
pub(crate) struct Spinner {
    pauses: u32,
    yields: u32,
    /// Pauses between two yields of a long spin; 0: never.
    slice: u32,
    /// Pauses left before the next of those yields.
    until_yield: u32,
    /// Pauses before the next look: 1, doubled after each look if `looks` says so.
    gap: u32,
    /// How the looks are spaced (the budget's [`Spin::looks`]).
    looks: Looks,
}

impl Spinner {
    /// `pauses`, the first `first` of them, then every `slice`, a yield that ends the
    /// pauses if it was slow (0: none); then `yields`.
    fn new(pauses: u32, yields: u32, first: u32, slice: u32) -> Spinner {
        Spinner { pauses, yields, slice, until_yield: first, gap: 1, looks: Looks::EveryPause }
    }

    /// The same budget, its looks spaced as `looks` says.
    fn with_looks(self, looks: Looks) -> Spinner {
        Spinner { looks, ..self }
    }

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

    /// Pauses until the next look (or yields once), spending budget; false if none was
    /// left.
    fn back_off(&mut self) -> bool {
        self.back_off_with(yield_was_quick)
    }

    /// [`back_off`](Self::back_off), with the slice's yield as `yield_once`, which says
    /// whether this CPU was free (a test's stand-in for [`yield_was_quick`]).
    fn back_off_with(&mut self, mut yield_once: impl FnMut() -> bool) -> bool {
        if self.pauses > 0 {
            for _ in 0..self.gap {
                if self.pauses == 0 {
                    break;
                }
                self.pause_once(&mut yield_once);
            }
            if self.looks == Looks::Doubling {
                self.gap = self.gap.saturating_mul(2);
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

    /// One pause of the budget, or the slice's yield in its place (the module doc).
    fn pause_once(&mut self, yield_once: &mut impl FnMut() -> bool) {
        self.pauses -= 1;
        if self.until_yield == 1 {
            self.until_yield = self.slice;
            if !yield_once() {
                // Another thread was waiting for this CPU: spinning on would take it from
                // such threads again, so on to the last yields and the sleep.
                self.pauses = 0;
            }
        } else {
            self.until_yield = self.until_yield.saturating_sub(1);
            core::hint::spin_loop();
        }
    }
}

/// Yields once, and says whether that was quick (under [`SLOW_YIELD_NANOS`]): a yield
/// with no other thread ready on this CPU is one short system call; a slow one means that
/// another thread ran here meanwhile, so that this CPU is wanted.
fn yield_was_quick() -> bool {
    let start = std::time::Instant::now();
    std::thread::yield_now();
    start.elapsed() < std::time::Duration::from_nanos(u64::from(SLOW_YIELD_NANOS))
}

/// A fresh, whole budget of `spin`, spent re-reading `word` while `busy(value)` holds: the
/// common case of [`Spinner::spin_remaining_while`], for a caller that never resumes a
/// spin.
#[inline]
pub(crate) fn spin_while(word: &AtomicU32, spin: Spin, busy: impl Fn(u32) -> bool) -> u32 {
    spin.start().spin_remaining_while(word, busy)
}

// ---------------------------------------------------------------------------------------
// Learning what a sleep + wake costs (the module doc's first rule).

/// [`futex::wait`] for a wait that spun with a learned budget: if a wake ended the sleep,
/// what it cost is one more sample of the block cost (the module doc says how).
#[cfg(not(loom))]
pub(crate) fn sleep(word: &AtomicU32, expected: u32, deadline: Deadline) -> Wait {
    let slept_at = clock::now();
    let wait = futex::wait(word, expected, deadline);
    if wait == Wait::Woken {
        let running_at = clock::now();
        // Taken, so that of the sleepers one wake_all woke only the first to run learns:
        // the later ones also waited for a CPU behind it, which spinning would not have
        // saved. Relaxed: a hint; a stale stamp falls outside the sleep and is left out.
        let woken_at = wake_stamp(word).swap(0, core::sync::atomic::Ordering::Relaxed);
        if let Some(nanos) = block_sample(slept_at, woken_at, running_at) {
            BLOCK_COST.learn(nanos);
        }
    }
    wait
}

/// [`futex::wait`]: loom learns nothing (there is no clock).
#[cfg(loom)]
pub(crate) fn sleep(word: &AtomicU32, expected: u32, deadline: Deadline) -> Wait {
    futex::wait(word, expected, deadline)
}

/// [`futex::wake_one`], stamped for the sleeper's [`sleep`] to learn from.
pub(crate) fn wake_one(word: &AtomicU32) {
    stamp_wake(word);
    futex::wake_one(word);
}

/// [`futex::wake_n`], stamped for the sleepers' [`sleep`] to learn from.
pub(crate) fn wake_n(word: &AtomicU32, n: u32) {
    stamp_wake(word);
    futex::wake_n(word, n);
}

/// [`futex::wake_all`], stamped for the sleepers' [`sleep`] to learn from.
pub(crate) fn wake_all(word: &AtomicU32) {
    stamp_wake(word);
    futex::wake_all(word);
}

#[cfg(not(loom))]
fn stamp_wake(word: &AtomicU32) {
    // Relaxed: a hint; racing wakers of one slot may each win, any of them is recent.
    wake_stamp(word).store(clock::now(), core::sync::atomic::Ordering::Relaxed);
}

#[cfg(loom)]
fn stamp_wake(_word: &AtomicU32) {}

/// How many slots the wake stamps are spread over: two unrelated words share one only by
/// a hash collision, which at worst makes a sample too small (a later stamp).
#[cfg(not(loom))]
const WAKE_STAMP_SLOTS: usize = 64;

/// When a wake was last sent for a word hashing to each slot, in [`clock::now`]'s
/// nanoseconds (0: never).
#[cfg(not(loom))]
static WAKE_STAMPS: [core::sync::atomic::AtomicU64; WAKE_STAMP_SLOTS] =
    [const { core::sync::atomic::AtomicU64::new(0) }; WAKE_STAMP_SLOTS];

/// The stamp slot of `word`: its address, Fibonacci-hashed.
#[cfg(not(loom))]
fn wake_stamp(word: &AtomicU32) -> &'static core::sync::atomic::AtomicU64 {
    &WAKE_STAMPS[stamp_slot(core::ptr::from_ref(word) as usize)]
}

#[cfg(not(loom))]
fn stamp_slot(address: usize) -> usize {
    let hash = (address as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (hash >> (64 - WAKE_STAMP_SLOTS.trailing_zeros())) as usize
}

/// One sample of the block cost from a sleep that began at `slept_at` and was running again
/// at `running_at`, whose word's latest wake was stamped `woken_at`: the time from that
/// wake to running again, if the stamp falls within the sleep (else the wake was an
/// earlier one, for another sleeper, and this sleep ended by a signal or spuriously).
#[cfg_attr(loom, allow(dead_code))] // Loom learns nothing.
fn block_sample(slept_at: u64, woken_at: u64, running_at: u64) -> Option<u64> {
    (slept_at <= woken_at && woken_at <= running_at).then(|| running_at - woken_at)
}

/// The process's estimate of one sleep + wake, in nanoseconds: what [`Spin::HANDOFF`]
/// pauses for.
#[cfg(not(loom))]
fn block_cost_nanos() -> u32 {
    BLOCK_COST.nanos()
}

#[cfg(loom)]
fn block_cost_nanos() -> u32 {
    0 // Never asked: loom spins not at all.
}

#[cfg(not(loom))]
static BLOCK_COST: BlockCost = BlockCost::new();

/// A smoothed estimate of what one sleep + wake costs, in nanoseconds, within
/// [`MIN_BLOCK_NANOS`] ..= [`MAX_BLOCK_NANOS`]; it starts at the least.
#[cfg(not(loom))]
struct BlockCost {
    nanos: core::sync::atomic::AtomicU32,
}

#[cfg(not(loom))]
impl BlockCost {
    const fn new() -> BlockCost {
        BlockCost { nanos: core::sync::atomic::AtomicU32::new(MIN_BLOCK_NANOS) }
    }

    fn nanos(&self) -> u32 {
        // Relaxed: a tuning hint, never a correctness fact.
        self.nanos.load(core::sync::atomic::Ordering::Relaxed)
    }

    /// Moves the estimate an eighth of the way to `sample`, clamped first.
    fn learn(&self, sample: u64) {
        use core::sync::atomic::Ordering::Relaxed;
        let sample = sample.clamp(u64::from(MIN_BLOCK_NANOS), u64::from(MAX_BLOCK_NANOS));
        let sample = i64::try_from(sample).unwrap_or(i64::MAX);
        // Relaxed: a tuning hint; the update is a CAS loop only so that racing sleepers
        // each count.
        let _ = self.nanos.fetch_update(Relaxed, Relaxed, |old| {
            let old = i64::from(old);
            u32::try_from(old + (sample - old) / 8).ok()
        });
    }
}

/// One clock for wakers and sleepers alike: nanoseconds since a process-wide epoch (the
/// first reading), from the monotonic clock (`Instant`).
#[cfg(not(loom))]
mod clock {
    use core::cell::UnsafeCell;
    use core::mem::MaybeUninit;
    use core::sync::atomic::{AtomicU8, Ordering::*};
    use std::time::Instant;

    const UNSET: u8 = 0;
    const SETTING: u8 = 1;
    const SET: u8 = 2;

    /// The epoch, written once. Not the crate's `Once`: its first run touches a thread
    /// local, which a first sleep inside a thread-local destructor could not, and this needs
    /// neither poisoning nor sleeping (the one write is a clock read).
    struct Epoch {
        state: AtomicU8,
        at: UnsafeCell<MaybeUninit<Instant>>,
    }

    // SAFETY: `at` is written once, by the thread that moved `state` from UNSET to
    // SETTING, and read only after a load of SET that the writer's Release store of SET
    // ordered after the write.
    unsafe impl Sync for Epoch {}

    static EPOCH: Epoch =
        Epoch { state: AtomicU8::new(UNSET), at: UnsafeCell::new(MaybeUninit::uninit()) };

    fn epoch() -> Instant {
        loop {
            // Acquire: SET must come with the write of `at`.
            match EPOCH.state.load(Acquire) {
                // SAFETY: SET is stored (Release) only after `at` was written, never again.
                SET => return unsafe { (*EPOCH.at.get()).assume_init() },
                UNSET => {
                    // Relaxed: winning only makes this thread the writer; SET publishes.
                    if EPOCH.state.compare_exchange(UNSET, SETTING, Relaxed, Relaxed).is_ok() {
                        // SAFETY: only the thread that won the CAS above writes `at`, once,
                        // and nobody reads it before SET.
                        unsafe { (*EPOCH.at.get()).write(Instant::now()) };
                        // Release: publish the write of `at` with SET.
                        EPOCH.state.store(SET, Release);
                    }
                }
                // Another thread is reading the clock for the epoch: a moment.
                _ => std::thread::yield_now(),
            }
        }
    }

    /// Nanoseconds since the epoch; at least 1, so that 0 can mean "never stamped".
    pub(super) fn now() -> u64 {
        u64::try_from(epoch().elapsed().as_nanos()).unwrap_or(u64::MAX).max(1)
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn fixed_budgets_in_pauses_of_the_tuning_machine_are_the_tuned_counts() {
        // 24.4 ns a pause, the machine the counts were measured on.
        let rate = ((1u64 << 16) * 10 / 244) as u32;
        assert_eq!(Spin::BARRIER_CROWDED.pauses, Pauses::For(2_440));
        assert_eq!(pauses_at_rate(2_440, rate), 100);
        assert_eq!(Spin::LOCK.pauses, Pauses::None);
        assert_eq!(Spin::HANDOFF.pauses, Pauses::AsLongAsABlock);
        // The least block cost is a little less than the old handoff budget; the most, 41x.
        assert_eq!(pauses_at_rate(MIN_BLOCK_NANOS, rate), 82);
        assert_eq!(pauses_at_rate(MAX_BLOCK_NANOS, rate), 4_097);
        // A CPU whose pause is 8.6 ns gets ~2.8x as many, for the same time.
        let rate = ((1u64 << 16) * 10 / 86) as u32;
        assert_eq!(pauses_at_rate(2_440, rate), 284);
        assert_eq!(pauses_at_rate(u32::MAX, u32::MAX), u32::MAX);
    }

    #[test]
    fn the_measured_pause_rate_is_cached_and_within_its_clamp() {
        let rate = pauses_per_nanosecond();
        assert!((1..=4 << 16).contains(&rate), "{rate}");
        assert_eq!(pauses_per_nanosecond(), rate);
    }

    #[test]
    fn a_budget_is_spent_pauses_first_then_yields() {
        let mut spinner = Spin::HANDOFF.start();
        let mut steps = 0;
        while spinner.back_off() {
            steps += 1;
            assert!(steps < 1_000_000, "the budget never ran out");
        }
        assert_eq!(spinner.pauses, 0);
        assert_eq!(spinner.yields, 0);
        // A lock's budget: yields only, no slices (nor a pause rate to convert them with).
        let spinner = Spin::LOCK.start();
        assert_eq!((spinner.pauses, spinner.slice), (0, 0));
        if available_cpus() > 1 {
            assert_eq!(spinner.yields, 7);
        }
    }

    #[test]
    fn doubling_looks_spend_the_same_budget_in_fewer_looks() {
        assert_eq!(Spin::NOTIFIED.pauses, Pauses::For(MIN_BLOCK_NANOS));
        assert_eq!((Spin::NOTIFIED.yields, Spin::NOTIFIED.looks), (7, Looks::Doubling));
        // 20 pauses: looks after 1, 2, 4, 8 more, then the last 5; then the one yield.
        let mut spinner = Spinner::new(20, 1, 0, 0).with_looks(Looks::Doubling);
        let mut left = Vec::new();
        while spinner.back_off_with(|| unreachable!("no slices")) {
            left.push((spinner.pauses, spinner.yields));
        }
        assert_eq!(left, [(19, 1), (17, 1), (13, 1), (5, 1), (0, 1), (0, 0)]);
        // Looks after every pause: one pause per look.
        let mut spinner = Spinner::new(3, 0, 0, 0);
        assert!(spinner.back_off_with(|| unreachable!("no slices")));
        assert_eq!(spinner.pauses, 2);
    }

    #[test]
    fn a_long_spin_yields_after_its_first_slice_then_once_per_slice() {
        // 10 pauses; a yield in place of the 2nd, then of every 4th (6th, 10th); then 2 yields.
        let mut spinner = Spinner::new(10, 2, 2, 4);
        let mut yielded_at = Vec::new();
        let mut steps = 0;
        while spinner.back_off_with(|| {
            yielded_at.push(steps + 1);
            true
        }) {
            steps += 1;
        }
        assert_eq!(yielded_at, [2, 6, 10]);
        assert_eq!(steps, 12);
        // No slice: never a yield among the pauses.
        let mut spinner = Spinner::new(5, 0, 0, 0);
        while spinner.back_off_with(|| unreachable!("a yield among the pauses")) {}
    }

    #[test]
    fn a_slow_slice_yield_ends_the_pauses_but_not_the_last_yields() {
        let mut spinner = Spinner::new(1_000, 3, 2, 4);
        assert!(spinner.back_off_with(|| unreachable!("not yet")));
        assert!(spinner.back_off_with(|| false)); // Slow: this CPU is wanted.
        assert_eq!((spinner.pauses, spinner.yields), (0, 3));
        let mut steps = 0;
        while spinner.back_off_with(|| unreachable!("the pauses are over")) {
            steps += 1;
        }
        assert_eq!(steps, 3);
    }

    #[test]
    fn only_a_spin_longer_than_a_slice_is_sliced() {
        let rate = pauses_per_nanosecond();
        let long = Spin { pauses: Pauses::For(4 * YIELD_EVERY_NANOS), ..Spin::HANDOFF }.start();
        let short = Spin { pauses: Pauses::For(YIELD_EVERY_NANOS / 2), ..Spin::HANDOFF }.start();
        if available_cpus() > 1 {
            assert_eq!(long.slice, pauses_at_rate(YIELD_EVERY_NANOS, rate));
            assert_eq!(long.until_yield, pauses_at_rate(MIN_BLOCK_NANOS, rate));
        }
        assert_eq!((short.slice, short.until_yield), (0, 0));
    }

    #[test]
    fn a_barrier_spins_as_a_handoff_only_when_every_party_has_a_cpu() {
        assert_eq!(Spin::barrier(1).pauses, Pauses::AsLongAsABlock);
        assert_eq!(Spin::barrier(usize::MAX).pauses, Pauses::For(2_440));
        assert_eq!(Spin::barrier(usize::MAX).yields, 16);
        let cpus = available_cpus();
        assert_eq!(Spin::barrier(cpus).pauses, Pauses::AsLongAsABlock);
    }

    #[test]
    fn the_block_cost_starts_at_its_least_and_moves_an_eighth_of_the_way() {
        let cost = BlockCost::new();
        assert_eq!(cost.nanos(), MIN_BLOCK_NANOS);
        cost.learn(50_000);
        assert_eq!(cost.nanos(), 2_000 + 48_000 / 8);
        cost.learn(50_000);
        assert_eq!(cost.nanos(), 8_000 + 42_000 / 8);
        // Samples of one cost converge on it...
        for _ in 0..200 {
            cost.learn(50_000);
        }
        assert!((49_900..=50_000).contains(&cost.nanos()), "{}", cost.nanos());
        // ...and downwards too.
        for _ in 0..200 {
            cost.learn(10_000);
        }
        assert!((10_000..=10_100).contains(&cost.nanos()), "{}", cost.nanos());
    }

    #[test]
    fn the_block_cost_stays_within_its_clamp_whatever_the_samples() {
        let cost = BlockCost::new();
        // A sample far too large (a preemption) counts as the most, once.
        cost.learn(u64::MAX);
        assert_eq!(cost.nanos(), 2_000 + 98_000 / 8);
        for _ in 0..1_000 {
            cost.learn(10_000_000);
        }
        assert_eq!(cost.nanos(), MAX_BLOCK_NANOS - 7); // Within an eighth's rounding.
        for _ in 0..1_000 {
            cost.learn(0);
        }
        assert!((MIN_BLOCK_NANOS..MIN_BLOCK_NANOS + 8).contains(&cost.nanos()));
    }

    #[test]
    fn a_sample_counts_only_if_the_wake_was_stamped_during_the_sleep() {
        assert_eq!(block_sample(100, 150, 190), Some(40));
        assert_eq!(block_sample(100, 100, 100), Some(0));
        // Stamped before the sleep began: an earlier wake, for someone else.
        assert_eq!(block_sample(100, 99, 190), None);
        // Never stamped.
        assert_eq!(block_sample(100, 0, 190), None);
        // Stamped after we ran again: a wake for the next sleeper.
        assert_eq!(block_sample(100, 191, 190), None);
    }

    #[test]
    fn wake_stamps_spread_neighbouring_words_over_the_slots() {
        let words: Vec<AtomicU32> = (0..256).map(AtomicU32::new).collect();
        let mut used = [false; WAKE_STAMP_SLOTS];
        for word in &words {
            let slot = stamp_slot(core::ptr::from_ref(word) as usize);
            assert!(slot < WAKE_STAMP_SLOTS);
            used[slot] = true;
        }
        assert!(used.iter().filter(|&&u| u).count() >= WAKE_STAMP_SLOTS / 2, "{used:?}");
        // Each word keeps its slot.
        assert!(core::ptr::eq(wake_stamp(&words[3]), wake_stamp(&words[3])));
    }

    #[test]
    fn the_clock_never_reads_zero_and_never_goes_back() {
        let first = clock::now();
        let second = clock::now();
        assert!(first >= 1 && second >= first);
    }

    /// One test for everything that stamps or sleeps, so that no other unit test's stamp
    /// can land in the same slot meanwhile.
    #[test]
    fn a_sleep_takes_its_word_s_stamp_and_a_real_sleep_keeps_the_clamp() {
        let word = AtomicU32::new(0);
        stamp_wake(&word);
        assert_ne!(wake_stamp(&word).load(core::sync::atomic::Ordering::Relaxed), 0);
        // The word does not hold 1: the wait returns at once, and the stamp is taken (but
        // not learnt from: it came before the sleep).
        assert_eq!(sleep(&word, 1, Deadline::NEVER), Wait::Woken);
        assert_eq!(wake_stamp(&word).load(core::sync::atomic::Ordering::Relaxed), 0);

        // A real sleep and wake through the learning wrappers. The process-wide estimate may
        // move, by how much depends on this machine: only the clamp is asserted, no time.
        std::thread::scope(|scope| {
            scope.spawn(|| {
                while word.load(Ordering::Acquire) == 0 {
                    let _ = sleep(&word, 0, Deadline::NEVER);
                }
            });
            word.store(1, Ordering::Release);
            wake_all(&word);
        });
        assert!((MIN_BLOCK_NANOS..=MAX_BLOCK_NANOS).contains(&block_cost_nanos()));
    }
}
