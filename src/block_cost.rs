//! What one sleep + wake costs on this machine, learned from the sleeps and wakes of the
//! handoffs: [`sleep`] and [`wake_one`] / [`wake_n`] / [`wake_all`] are the futex seam's
//! calls, and they measure as they go. [`nanos`] is the estimate, which
//! [`Spin::HANDOFF`](crate::spin::Spin::HANDOFF) spins for (`src/spin.rs` says why).
//!
//! The primitives whose waiters spin that long before they sleep ([`Event`],
//! [`Semaphore`], [`Barrier`] and the waiter queue under every `Condition` and `Condvar`)
//! sleep and wake through this file, so that their waits teach the estimate. The locks
//! ([`Lock`], [`Once`], [`RawRwLock`]) call the seam directly: their spin is a fixed budget
//! of yields, and a sample from them would teach nothing their waits use.
//!
//! [`Event`]: crate::Event
//! [`Semaphore`]: crate::Semaphore
//! [`Barrier`]: crate::Barrier
//! [`Lock`]: crate::Lock
//! [`Once`]: crate::Once
//! [`RawRwLock`]: crate::RawRwLock
//!
//! # The state
//!
//! * `WAKE_STAMPS`: when a wake was last sent for a word, one slot per word's address
//!   hash (`WAKE_STAMP_SLOTS` of them), in nanoseconds of the process's clock; 0 is never.
//! * `BLOCK_COST`: the estimate in nanoseconds, within [`MIN_BLOCK_NANOS`] ..=
//!   [`MAX_BLOCK_NANOS`]; it starts at the least.
//!
//! # The protocol
//!
//! * **wake**: stamp the word's slot with the time, then make the seam's wake call.
//! * **sleep**: read the clock, sleep, and once running again read it once more. If the
//!   sleep ended by a wake, take the slot's stamp (swap in 0, so that of the sleepers one
//!   `wake_all` woke only the first to run learns: the later ones also waited for a CPU
//!   behind it, which spinning would not have saved). A stamp between the two readings is
//!   one sample, *now minus the stamp*: the wake call, the wake-up and the way back onto a
//!   CPU, whatever the partner did before waking. A stamp outside them was another
//!   sleeper's wake, and this sleep ended by a signal or spuriously: no sample.
//! * **learn**: each sample, clamped first, moves the estimate an eighth of the way to it
//!   (glibc's adaptive mutex smooths its spin count alike).
//!
//! Two words share a slot only by a hash collision, which at worst makes a sample too
//! small (a later stamp). Once the spin lasts as long as a block costs, the handoffs stop
//! sleeping and the estimate stops moving: it only has to be right for the waits that do
//! sleep. Costs: one relaxed load per spinning wait (reading the estimate), three clock
//! readings per sleep + wake, beside its two system calls; nothing on an uncontended path.
//!
//! Orderings: every access here is `Relaxed`. The stamps and the estimate are tuning
//! hints, never correctness facts: a stale stamp falls outside the sleep and is left out,
//! and racing samples each count (the update is a compare-exchange loop).
//!
//! Under loom there is no clock: it reads 0, which is "never stamped", so nothing is
//! learned, while the same bodies make the seam's calls (and loom checks them).

use crate::futex::{self, Deadline, Wait};
use crate::sync::AtomicU32;
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// The least a sleep + wake is taken to cost: below what two system calls and a context
/// switch can take on any machine we know of (BENCHMARKS.md, "Constants in src/").
pub(crate) const MIN_BLOCK_NANOS: u32 = 2_000;

/// The most: about the slowest wake-up of an idle CPU (a deep C-state, a halted vCPU). A
/// longer sample measures a preemption or an overloaded machine, where spinning longer
/// would only take the CPU from the threads that need it.
pub(crate) const MAX_BLOCK_NANOS: u32 = 100_000;

/// [`futex::wait`], learning from the sleep if a wake ended it (module doc).
pub(crate) fn sleep(word: &AtomicU32, expected: u32, deadline: Deadline) -> Wait {
    let slept_at = clock::now();
    let wait = futex::wait(word, expected, deadline);
    if wait == Wait::Woken {
        let running_at = clock::now();
        let woken_at = wake_stamp(word).swap(0, Relaxed);
        if let Some(nanos) = block_sample(slept_at, woken_at, running_at) {
            BLOCK_COST.learn(nanos);
        }
    }
    wait
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

/// The process's estimate of one sleep + wake, in nanoseconds.
pub(crate) fn nanos() -> u32 {
    BLOCK_COST.nanos()
}

fn stamp_wake(word: &AtomicU32) {
    // Racing wakers of one slot may each win: any of them is recent.
    wake_stamp(word).store(clock::now(), Relaxed);
}

/// How many slots the wake stamps are spread over.
const WAKE_STAMP_SLOTS: usize = 64;

static WAKE_STAMPS: [AtomicU64; WAKE_STAMP_SLOTS] = [const { AtomicU64::new(0) }; WAKE_STAMP_SLOTS];

/// The stamp slot of `word`.
fn wake_stamp(word: &AtomicU32) -> &'static AtomicU64 {
    &WAKE_STAMPS[stamp_slot(core::ptr::from_ref(word) as usize)]
}

/// An address, Fibonacci-hashed to a slot.
fn stamp_slot(address: usize) -> usize {
    let hash = (address as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (hash >> (64 - WAKE_STAMP_SLOTS.trailing_zeros())) as usize
}

/// One sample from a sleep that began at `slept_at` and was running again at
/// `running_at`, whose word's latest wake was stamped `woken_at` (0: never): the time from
/// that wake to running again, if the stamp falls within the sleep.
fn block_sample(slept_at: u64, woken_at: u64, running_at: u64) -> Option<u64> {
    (woken_at != 0 && slept_at <= woken_at && woken_at <= running_at).then(|| running_at - woken_at)
}

static BLOCK_COST: BlockCost = BlockCost::new();

/// A smoothed estimate of what one sleep + wake costs, in nanoseconds, within
/// [`MIN_BLOCK_NANOS`] ..= [`MAX_BLOCK_NANOS`]; it starts at the least.
struct BlockCost {
    nanos: core::sync::atomic::AtomicU32,
}

impl BlockCost {
    const fn new() -> BlockCost {
        BlockCost { nanos: core::sync::atomic::AtomicU32::new(MIN_BLOCK_NANOS) }
    }

    fn nanos(&self) -> u32 {
        self.nanos.load(Relaxed)
    }

    /// Moves the estimate an eighth of the way to `sample`, clamped first.
    fn learn(&self, sample: u64) {
        let sample = sample.clamp(u64::from(MIN_BLOCK_NANOS), u64::from(MAX_BLOCK_NANOS));
        let sample = i64::try_from(sample).unwrap_or(i64::MAX);
        let _ = self.nanos.fetch_update(Relaxed, Relaxed, |old| {
            let old = i64::from(old);
            u32::try_from(old + (sample - old) / 8).ok()
        });
    }
}

/// One clock for wakers and sleepers alike: nanoseconds since a process-wide epoch (the
/// first reading), from the monotonic clock (`Instant`); at least 1, so that 0 can mean
/// "never stamped". Under loom, which has no clock, always 0.
mod clock {
    #[cfg(loom)]
    pub(super) fn now() -> u64 {
        0
    }

    #[cfg(not(loom))]
    pub(super) fn now() -> u64 {
        u64::try_from(epoch::get().elapsed().as_nanos()).unwrap_or(u64::MAX).max(1)
    }

    /// The epoch, written once. Not the crate's `Once`: its first run touches a thread
    /// local, which a first sleep inside a thread-local destructor could not, and this needs
    /// neither poisoning nor sleeping (the one write is a clock reading).
    #[cfg(not(loom))]
    mod epoch {
        use core::cell::UnsafeCell;
        use core::mem::MaybeUninit;
        use core::sync::atomic::{AtomicU8, Ordering::*};
        use std::time::Instant;

        const UNSET: u8 = 0;
        const SETTING: u8 = 1;
        const SET: u8 = 2;

        struct Epoch {
            state: AtomicU8,
            at: UnsafeCell<MaybeUninit<Instant>>,
        }

        // SAFETY: `at` is written once, by the thread that moved `state` from UNSET to
        // SETTING, and read only after a load of SET that the writer's Release store of
        // SET ordered after the write.
        unsafe impl Sync for Epoch {}

        static EPOCH: Epoch =
            Epoch { state: AtomicU8::new(UNSET), at: UnsafeCell::new(MaybeUninit::uninit()) };

        pub(super) fn get() -> Instant {
            loop {
                // Acquire: SET must come with the write of `at`.
                match EPOCH.state.load(Acquire) {
                    // SAFETY: SET is stored (Release) only after `at` was written, never again.
                    SET => return unsafe { (*EPOCH.at.get()).assume_init() },
                    UNSET => {
                        // Relaxed: winning only makes this thread the writer; SET publishes.
                        if EPOCH.state.compare_exchange(UNSET, SETTING, Relaxed, Relaxed).is_ok() {
                            // SAFETY: only the thread that won the CAS above writes `at`,
                            // once, and nobody reads it before SET.
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
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::sync::Ordering;

    #[test]
    fn the_estimate_starts_at_its_least_and_moves_an_eighth_of_the_way() {
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
    fn the_estimate_stays_within_its_clamp_whatever_the_samples() {
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
        // Never stamped, also where there is no clock (loom: every reading is 0).
        assert_eq!(block_sample(100, 0, 190), None);
        assert_eq!(block_sample(0, 0, 0), None);
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
        assert_ne!(wake_stamp(&word).load(Relaxed), 0);
        // The word does not hold 1: the wait returns at once, and the stamp is taken (but
        // not learnt from: it came before the sleep).
        assert_eq!(sleep(&word, 1, Deadline::NEVER), Wait::Woken);
        assert_eq!(wake_stamp(&word).load(Relaxed), 0);

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
        assert!((MIN_BLOCK_NANOS..=MAX_BLOCK_NANOS).contains(&nanos()));
    }
}
