//! Loom checks of `Barrier`: crossing publishes every party's writes and never loses a
//! wake-up across generations; the last arrival racing a timeout, and reset and abort
//! racing waiters, leave every party with a consistent answer.

use crate::check;
use loom::cell::UnsafeCell;
use loom::sync::Arc;
use loom::thread;
use std::time::Duration;
use threading::Barrier;

/// One slot per party, written before `wait` and read after it by the other party.
struct Shared {
    barrier: Barrier,
    slots: [UnsafeCell<usize>; 2],
}

// SAFETY: each slot is written by its owner before a crossing and read by the others after
// it; loom checks that the barrier orders those accesses.
unsafe impl Sync for Shared {}

impl Shared {
    fn new(barrier: Barrier) -> Arc<Self> {
        Arc::new(Shared { barrier, slots: [UnsafeCell::new(0), UnsafeCell::new(0)] })
    }

    fn write(&self, slot: usize, value: usize) {
        // SAFETY: see the `Sync` impl.
        self.slots[slot].with_mut(|v| unsafe { *v = value });
    }

    fn read(&self, slot: usize) -> usize {
        // SAFETY: see the `Sync` impl.
        self.slots[slot].with(|v| unsafe { *v })
    }
}

/// Two parties cross twice. Each generation's indices are {0, 1}; what each party wrote
/// before a crossing is visible to the other after it (loom reports a causality violation
/// otherwise); a party of generation 2 racing ahead never confuses the other, still
/// waking from generation 1; a lost wake-up is a deadlock.
#[test]
fn crossing_publishes_writes_across_two_generations() {
    check(|| {
        let shared = Shared::new(Barrier::new(2));
        let other = thread::spawn({
            let shared = Arc::clone(&shared);
            move || {
                let mut indices = [0; 2];
                for (round, index) in indices.iter_mut().enumerate() {
                    shared.write(1, round + 1);
                    *index = shared.barrier.wait().unwrap();
                    assert_eq!(shared.read(0), round + 1);
                    // Nobody writes slot 0 again before this second crossing.
                    shared.barrier.wait().unwrap();
                }
                indices
            }
        });
        let mut indices = [0; 2];
        for (round, index) in indices.iter_mut().enumerate() {
            shared.write(0, round + 1);
            *index = shared.barrier.wait().unwrap();
            assert_eq!(shared.read(1), round + 1);
            shared.barrier.wait().unwrap();
        }
        let theirs = other.join().unwrap();
        for (mine, theirs) in indices.iter().zip(theirs) {
            assert_eq!(mine + theirs, 1, "indices 0 and 1 in each generation");
        }
    });
}

/// Three parties, one generation, plus the action: the last arrival runs it once, every
/// party sees its effect, and all three are released.
#[test]
fn three_parties_and_action() {
    check(|| {
        let ran = Arc::new(loom::sync::atomic::AtomicUsize::new(0));
        let barrier = Arc::new(Barrier::new(3).with_action({
            let ran = Arc::clone(&ran);
            move || {
                ran.fetch_add(1, loom::sync::atomic::Ordering::Relaxed);
            }
        }));
        let others: Vec<_> = (0..2)
            .map(|_| {
                let (barrier, ran) = (Arc::clone(&barrier), Arc::clone(&ran));
                thread::spawn(move || {
                    let index = barrier.wait().unwrap();
                    // Relaxed is enough: the barrier itself must order the action before us.
                    assert_eq!(ran.load(loom::sync::atomic::Ordering::Relaxed), 1);
                    index
                })
            })
            .collect();
        let mine = barrier.wait().unwrap();
        let mut indices: Vec<usize> = others.into_iter().map(|t| t.join().unwrap()).collect();
        indices.push(mine);
        indices.sort_unstable();
        assert_eq!(indices, [0, 1, 2]);
    });
}

/// The last arrival races a waiter's timeout (under loom a timed wait may give up at any
/// moment). Either both parties cross, or the timeout broke the barrier and both fail;
/// never one of each. Then a second generation with untimed waits: after a successful
/// first one both cross again (a fast party of generation 2 must not confuse the other);
/// after a broken one both fail at once.
#[test]
fn last_arrival_vs_timeout_across_two_generations() {
    check(|| {
        let barrier = Arc::new(Barrier::new(2));
        let timed = thread::spawn({
            let barrier = Arc::clone(&barrier);
            move || {
                let first = barrier.wait_timeout(Duration::from_secs(1));
                (first, barrier.wait())
            }
        });
        // Loom runs a spinning (yielding) thread only when the others cannot go on; this
        // yield lets the timed waiter spin, sleep and time out before we arrive.
        thread::yield_now();
        let first = barrier.wait();
        let second = barrier.wait();
        let (their_first, their_second) = timed.join().unwrap();
        assert_eq!(first.is_ok(), their_first.is_ok());
        match (first, their_first) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a + b, 1);
                assert_eq!(second.unwrap() + their_second.unwrap(), 1);
            }
            _ => {
                assert!(second.is_err() && their_second.is_err());
                assert!(barrier.broken());
            }
        }
    });
}

/// `abort` racing a waiter, then `reset` and a new generation: the waiter fails (it
/// waited in the aborted generation, or arrived while broken) until the reset, and then
/// crosses with the main thread; main's wait after the reset never fails. A waiter left
/// asleep by abort, or a reset that never completes, is a deadlock.
#[test]
fn abort_then_reset_vs_waiter() {
    check(|| {
        let barrier = Arc::new(Barrier::new(2));
        let waiter = thread::spawn({
            let barrier = Arc::clone(&barrier);
            move || {
                loop {
                    match barrier.wait() {
                        Ok(index) => return index,
                        Err(_) => thread::yield_now(),
                    }
                }
            }
        });
        thread::yield_now(); // lets the waiter go to sleep first (see above)
        barrier.abort();
        barrier.reset();
        let mine = barrier.wait().unwrap();
        assert_eq!(mine + waiter.join().unwrap(), 1);
        assert!(!barrier.broken());
    });
}

/// `reset` racing a waiter: a waiter in the old generation gets `Err` and the barrier is
/// usable again (not broken) for the next generation, which both parties cross.
#[test]
fn reset_vs_waiter() {
    check(|| {
        let barrier = Arc::new(Barrier::new(2));
        let waiter = thread::spawn({
            let barrier = Arc::clone(&barrier);
            move || {
                let mut failures = 0;
                loop {
                    match barrier.wait() {
                        Ok(index) => return (index, failures),
                        Err(_) => failures += 1,
                    }
                }
            }
        });
        thread::yield_now(); // lets the waiter go to sleep first (see above)
        barrier.reset();
        let mine = barrier.wait().unwrap();
        let (theirs, failures) = waiter.join().unwrap();
        assert_eq!(mine + theirs, 1);
        assert!(failures <= 1, "only the generation that was reset fails");
        assert!(!barrier.broken());
    });
}

/// A waiter's timeout racing `reset`: the waiter fails (nobody else comes), nothing hangs,
/// and whatever the order (reset before it arrived, while it waited, or after it broke the
/// barrier), one more reset leaves a barrier that two parties cross.
#[test]
fn timeout_vs_reset() {
    check(|| {
        let barrier = Arc::new(Barrier::new(2));
        let timed = thread::spawn({
            let barrier = Arc::clone(&barrier);
            move || barrier.wait_timeout(Duration::from_secs(1))
        });
        thread::yield_now(); // lets the waiter sleep and time out first
        barrier.reset();
        assert!(timed.join().unwrap().is_err());
        barrier.reset();
        assert!(!barrier.broken());
        assert_eq!(barrier.n_waiting(), 0);
        let other = thread::spawn({
            let barrier = Arc::clone(&barrier);
            move || barrier.wait().unwrap()
        });
        assert_eq!(barrier.wait().unwrap() + other.join().unwrap(), 1);
    });
}

/// The last arrival aborts right after its own crossing: in every interleaving the other
/// party, released by that crossing, still returns `Ok` however late it runs, and its next
/// wait fails.
#[test]
fn a_party_released_before_an_abort_keeps_its_ok() {
    check(|| {
        let shared = Shared::new(Barrier::new(2));
        let waiter = thread::spawn({
            let shared = Arc::clone(&shared);
            move || (shared.barrier.wait(), shared.barrier.wait())
        });
        assert!(shared.barrier.wait().is_ok());
        shared.barrier.abort();
        let (released, next) = waiter.join().unwrap();
        assert!(released.is_ok());
        assert!(next.is_err());
    });
}
