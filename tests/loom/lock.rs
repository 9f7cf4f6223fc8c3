//! Loom checks of `Lock`.

use crate::check;
use loom::cell::UnsafeCell;
use loom::sync::Arc;
use loom::sync::atomic::{AtomicBool, AtomicU32, Ordering::SeqCst};
use loom::thread;
use std::time::Duration;
use threading::Lock;
use threading::loom_shims::LockShims;

/// A counter that is only touched under `lock`: loom flags any access that the lock's
/// orderings do not order ("Causality violation").
pub struct Guarded {
    pub lock: Lock,
    pub value: UnsafeCell<u32>,
}

// SAFETY: `value` is only accessed while `lock` is held (which is what loom checks).
unsafe impl Sync for Guarded {}

impl Guarded {
    pub fn new() -> Arc<Self> {
        Arc::new(Guarded { lock: Lock::new(), value: UnsafeCell::new(0) })
    }

    /// Increments `value`; the caller holds `lock`.
    pub fn increment(&self) {
        // SAFETY: the caller holds the lock (loom verifies the exclusion).
        self.value.with_mut(|v| unsafe { *v += 1 });
    }

    pub fn get(&self) -> u32 {
        // SAFETY: the caller holds the lock or all writers have been joined.
        self.value.with(|v| unsafe { *v })
    }
}

/// Three threads increment under the lock: no two critical sections overlap, each sees the
/// previous one's write, and nobody sleeps forever.
#[test]
fn mutual_exclusion() {
    check(|| {
        let data = Guarded::new();
        let others: Vec<_> = (0..2)
            .map(|_| {
                let data = Arc::clone(&data);
                thread::spawn(move || {
                    let _g = data.lock.lock();
                    data.increment();
                })
            })
            .collect();
        {
            let _g = data.lock.lock();
            data.increment();
        }
        for other in others {
            other.join().unwrap();
        }
        assert_eq!(data.get(), 3);
    });
}

/// A thread blocked in `acquire` is always woken by the release (a lost wake-up would be
/// reported by loom as a deadlock).
#[test]
fn waiter_never_sleeps_through_release() {
    check(|| {
        let lock = Arc::new(Lock::new());
        lock.acquire();
        let waiter = {
            let lock = Arc::clone(&lock);
            thread::spawn(move || {
                lock.acquire();
                lock.release().unwrap();
            })
        };
        let second = {
            let lock = Arc::clone(&lock);
            thread::spawn(move || {
                lock.acquire();
                lock.release().unwrap();
            })
        };
        lock.release().unwrap();
        waiter.join().unwrap();
        second.join().unwrap();
        assert!(!lock.locked());
    });
}

/// `acquire_timeout` racing a release: either it gets the lock (and then sees the holder's
/// write) or it gives up; either way the lock ends up free and usable.
#[test]
fn acquire_timeout_racing_release() {
    check(|| {
        let data = Guarded::new();
        data.lock.acquire();
        let contender = {
            let data = Arc::clone(&data);
            thread::spawn(move || {
                if data.lock.acquire_timeout(Duration::from_secs(1)) {
                    let seen = data.get();
                    data.increment();
                    data.lock.release().unwrap();
                    Some(seen)
                } else {
                    None
                }
            })
        };
        data.increment();
        data.lock.release().unwrap();
        let outcome = contender.join().unwrap();
        assert!(matches!(outcome, None | Some(1)), "{outcome:?}");
        // The lock is free: a plain acquire must not hang.
        data.lock.acquire();
        assert_eq!(data.get(), if outcome.is_some() { 2 } else { 1 });
        data.lock.release().unwrap();
    });
}

/// A timed-out waiter leaves the sleepers' count: the next release must still wake the
/// blocked thread rather than lose its wake.
#[test]
fn timed_out_waiter_does_not_strand_a_blocked_one() {
    check(|| {
        let lock = Arc::new(Lock::new());
        lock.acquire();
        let timed = {
            let lock = Arc::clone(&lock);
            thread::spawn(move || {
                if lock.acquire_timeout(Duration::from_millis(1)) {
                    lock.release().unwrap();
                }
            })
        };
        let blocked = {
            let lock = Arc::clone(&lock);
            thread::spawn(move || {
                lock.acquire();
                lock.release().unwrap();
            })
        };
        lock.release().unwrap();
        timed.join().unwrap();
        blocked.join().unwrap();
    });
}

/// Lock is not owned: a release from another thread publishes that thread's writes to the
/// next acquirer.
#[test]
fn release_by_another_thread_hands_over_data() {
    check(|| {
        let data = Guarded::new();
        data.lock.acquire();
        let releaser = {
            let data = Arc::clone(&data);
            thread::spawn(move || {
                data.increment(); // still under the lock main acquired
                data.lock.release().unwrap();
            })
        };
        data.lock.acquire();
        assert_eq!(data.get(), 1);
        data.lock.release().unwrap();
        releaser.join().unwrap();
    });
}

/// Waits (yielding to loom) until a thread is counted in `lock`'s sleep phase, or `gone`
/// says the thread that would be is finished.
fn until_a_sleeper_is_counted(lock: &Lock, gone: &AtomicBool) {
    while threading::diagnostics::lock_sleepers(lock) == 0 && !gone.load(SeqCst) {
        thread::yield_now();
    }
}

/// A fair release with a thread asleep hands the lock to that thread: the lock stays held
/// (a `try_acquire` right after fails unless the sleeper is already through), the sleeper sees the releaser's write, and a
/// newcomer that arrives after the handoff gets the lock only after the sleeper.
#[test]
fn fair_release_hands_the_lock_to_the_sleeper_not_a_newcomer() {
    check(|| {
        let data = Guarded::new();
        let turns = Arc::new(AtomicU32::new(0));
        data.lock.acquire();
        let sleeper = {
            let (data, turns) = (Arc::clone(&data), Arc::clone(&turns));
            thread::spawn(move || {
                data.lock.acquire();
                let seen = data.get();
                data.increment();
                let turn = turns.fetch_add(1, SeqCst);
                data.lock.release().unwrap();
                (seen, turn)
            })
        };
        until_a_sleeper_is_counted(&data.lock, &AtomicBool::new(false));
        data.increment();
        data.lock.loom_release_fair().unwrap();
        if data.lock.try_acquire() {
            // Only once the sleeper has had the lock and released it.
            assert_eq!(turns.load(SeqCst), 1, "a fair release with a sleeper left the lock free");
            data.lock.release().unwrap();
        }
        let newcomer = {
            let (data, turns) = (Arc::clone(&data), Arc::clone(&turns));
            thread::spawn(move || {
                data.lock.acquire();
                data.increment();
                let turn = turns.fetch_add(1, SeqCst);
                data.lock.release().unwrap();
                turn
            })
        };
        assert_eq!(sleeper.join().unwrap(), (1, 0), "the sleeper went first, after the releaser");
        assert_eq!(newcomer.join().unwrap(), 1);
        data.lock.acquire();
        assert_eq!(data.get(), 3);
        data.lock.release().unwrap();
    });
}

/// Fair releases in a row, a second waiter arriving during the first handoff and the
/// first releaser during the second: each handoff reaches a thread that may claim it, all
/// three get the lock, nobody sleeps for ever. (The second handoff can leave the word at the
/// very value the second waiter saw when it counted itself: a rule that made it wait once
/// before claiming slept through the handoff it was owed.)
#[test]
fn fair_releases_in_a_row_strand_nobody() {
    check(|| {
        let data = Guarded::new();
        let spawn_fair_incrementer = |data: &Arc<Guarded>| {
            let data = Arc::clone(data);
            thread::spawn(move || {
                data.lock.acquire();
                data.increment();
                data.lock.loom_release_fair().unwrap();
            })
        };
        data.lock.acquire();
        let first = spawn_fair_incrementer(&data);
        until_a_sleeper_is_counted(&data.lock, &AtomicBool::new(false));
        let second = spawn_fair_incrementer(&data);
        data.lock.loom_release_fair().unwrap();
        data.lock.acquire();
        data.increment();
        data.lock.loom_release_fair().unwrap();
        first.join().unwrap();
        second.join().unwrap();
        data.lock.acquire();
        assert_eq!(data.get(), 3);
        data.lock.release().unwrap();
    });
}

/// A lock handed to a sleeper may be released by another thread before the sleeper claims
/// it (a `Lock` has no owner). That release ends the handoff, so it must also wake the
/// threads that arrived meanwhile and sleep, uncounted, waiting it out: nothing else
/// will (the sleeper takes the freed lock without a claim, and its release sees nobody
/// counted). Everyone gets the lock, and the newcomer sees what the holder wrote before
/// the handoff.
///
/// Without that wake the newcomer sleeps for ever where it waits the handoff out, main's
/// release frees the word, and the sleeper takes it before main's release looks for a
/// sleeper to wake (two preemptions of main). Where the sleeper claims the handoff first,
/// main's release ends the sleeper's hold instead, and the sleeper's own release then finds
/// the lock free or ends the newcomer's hold (legal for an unowned lock; both threads
/// ignore the `Err(Unlocked)` this may leave them). So the sleeper touches no data, and
/// nobody takes the lock after the newcomer until main has joined it.
#[test]
fn a_handoff_released_by_another_thread_wakes_those_waiting_it_out() {
    check(|| {
        let data = Guarded::new();
        let released = Arc::new(AtomicBool::new(false));
        data.lock.acquire();
        data.increment();
        let sleeper = {
            let (data, released) = (Arc::clone(&data), Arc::clone(&released));
            thread::spawn(move || {
                data.lock.acquire(); // claimed, or taken free after main's release
                // Ours waits for main's, so that main's always finds the lock held (for us
                // or by us). Ours then ends our hold if we took the lock free; if we claimed
                // the handoff, main's ended our hold, and ours finds the lock free or the
                // newcomer's.
                while !released.load(SeqCst) {
                    thread::yield_now();
                }
                let _ = data.lock.release();
            })
        };
        until_a_sleeper_is_counted(&data.lock, &AtomicBool::new(false));
        data.lock.loom_release_fair().unwrap();
        let newcomer = {
            let data = Arc::clone(&data);
            thread::spawn(move || {
                data.lock.acquire(); // waits the handoff out if it is still pending
                let seen = data.get();
                data.increment();
                let _ = data.lock.release(); // Err if the sleeper's release ended our hold
                seen
            })
        };
        // Not the sleeper's release: it ends the handoff (or the hold of the sleeper that
        // claimed it).
        data.lock.release().unwrap();
        released.store(true, SeqCst);
        sleeper.join().unwrap();
        assert_eq!(newcomer.join().unwrap(), 1, "the newcomer saw the holder's write");
        data.lock.acquire();
        assert_eq!(data.get(), 2);
        data.lock.release().unwrap();
    });
}

/// A fair release racing a waiter's timeout: the waiter either gave up before the handoff
/// (which is then a plain release) or takes the lock handed to it on its way out. Either
/// way the lock is never left handed to nobody: a plain acquire afterwards must not hang.
#[test]
fn fair_release_racing_a_timeout_never_strands_the_lock() {
    check(|| {
        let data = Guarded::new();
        let gone = Arc::new(AtomicBool::new(false));
        data.lock.acquire();
        let timed = {
            let (data, gone) = (Arc::clone(&data), Arc::clone(&gone));
            thread::spawn(move || {
                let seen = data.lock.acquire_timeout(Duration::from_millis(1)).then(|| {
                    let seen = data.get();
                    data.increment();
                    data.lock.release().unwrap();
                    seen
                });
                gone.store(true, SeqCst);
                seen
            })
        };
        until_a_sleeper_is_counted(&data.lock, &gone);
        data.increment();
        data.lock.loom_release_fair().unwrap();
        data.lock.acquire();
        let expected = if data.get() == 2 { Some(1) } else { None };
        data.lock.release().unwrap();
        assert_eq!(timed.join().unwrap(), expected);
    });
}

/// `bump` with a sleeper lets it run before the bumping thread holds the lock again.
#[test]
fn bump_lets_the_sleeper_in_first() {
    check(|| {
        let data = Guarded::new();
        data.lock.acquire();
        let sleeper = {
            let data = Arc::clone(&data);
            thread::spawn(move || {
                data.lock.acquire();
                data.increment();
                data.lock.release().unwrap();
            })
        };
        until_a_sleeper_is_counted(&data.lock, &AtomicBool::new(false));
        data.lock.loom_bump();
        assert_eq!(data.get(), 1, "bump took the lock back before the sleeper ran");
        data.lock.release().unwrap();
        sleeper.join().unwrap();
    });
}
