//! Loom checks of `Semaphore` and `BoundedSemaphore` (one core, so most checks use the
//! unbounded face; the bound has its own race below).

use crate::check;
use loom::cell::UnsafeCell;
use loom::sync::Arc;
use loom::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use loom::thread;
use std::time::Duration;
use threading::{BoundedSemaphore, ReleaseError, Semaphore};

/// A value only touched by a permit holder of a `Semaphore::new(1)`-style semaphore: loom
/// flags any pair of accesses that the semaphore's orderings leave unordered.
struct Guarded {
    sem: Semaphore,
    value: UnsafeCell<u32>,
}

// SAFETY: `value` is only accessed while holding the semaphore's only permit (loom checks).
unsafe impl Sync for Guarded {}

impl Guarded {
    fn new(permits: u32) -> Arc<Self> {
        Arc::new(Guarded { sem: Semaphore::new(permits), value: UnsafeCell::new(0) })
    }

    fn increment(&self) {
        // SAFETY: the caller holds the only permit.
        self.value.with_mut(|v| unsafe { *v += 1 });
    }

    fn get(&self) -> u32 {
        // SAFETY: the caller holds the only permit, or all writers were joined.
        self.value.with(|v| unsafe { *v })
    }
}

/// A thread that sleeps in `acquire` on an empty semaphore is always woken by `release`
/// (a lost wake-up is a loom deadlock).
#[test]
fn sleeper_never_sleeps_through_release() {
    check(|| {
        let sem = Arc::new(Semaphore::new(0));
        let sleeper = {
            let sem = Arc::clone(&sem);
            thread::spawn(move || sem.acquire())
        };
        sem.release().unwrap();
        sleeper.join().unwrap();
        assert_eq!(sem.value(), 0);
    });
}

/// Two sleepers, two separate releases: both sleepers get a permit. Catches a release that
/// skips the wake because the value was already above zero (the first release's sleeper
/// may not have taken its permit yet).
#[test]
fn two_releases_wake_two_sleepers() {
    check(|| {
        let sem = Arc::new(Semaphore::new(0));
        let sleepers: Vec<_> = (0..2)
            .map(|_| {
                let sem = Arc::clone(&sem);
                thread::spawn(move || sem.acquire())
            })
            .collect();
        sem.release().unwrap();
        sem.release().unwrap();
        for sleeper in sleepers {
            sleeper.join().unwrap();
        }
        assert_eq!(sem.value(), 0);
    });
}

/// `release_n(2)` with two threads acquiring: both get through, so the one call woke as
/// many sleepers as it released permits (or they never slept).
#[test]
fn release_n_wakes_enough_sleepers() {
    check(|| {
        let sem = Arc::new(Semaphore::new(0));
        let sleepers: Vec<_> = (0..2)
            .map(|_| {
                let sem = Arc::clone(&sem);
                thread::spawn(move || sem.acquire())
            })
            .collect();
        sem.release_n(2).unwrap();
        for sleeper in sleepers {
            sleeper.join().unwrap();
        }
        assert_eq!(sem.value(), 0);
    });
}

/// With one permit, three threads increment a loom `UnsafeCell` under `permit()`: no two
/// holders overlap (loom would see the concurrent access), each sees the previous write
/// (a weak ordering is a "Causality violation"), and no one sleeps forever.
#[test]
fn one_permit_is_mutual_exclusion() {
    check(|| {
        let data = Guarded::new(1);
        let others: Vec<_> = (0..2)
            .map(|_| {
                let data = Arc::clone(&data);
                thread::spawn(move || {
                    let _p = data.sem.permit();
                    data.increment();
                })
            })
            .collect();
        {
            let _p = data.sem.permit();
            data.increment();
        }
        for other in others {
            other.join().unwrap();
        }
        assert_eq!(data.get(), 3);
        assert_eq!(data.sem.value(), 1);
    });
}

/// Two permits, three threads taking one each: never more than two holders at once, and
/// every permit comes back.
#[test]
fn holders_never_exceed_permits() {
    check(|| {
        let sem = Arc::new(Semaphore::new(2));
        let holders = Arc::new(AtomicUsize::new(0));
        let hold = {
            let (sem, holders) = (Arc::clone(&sem), Arc::clone(&holders));
            move || {
                let _p = sem.permit();
                let now = holders.fetch_add(1, Relaxed) + 1;
                assert!(now <= 2, "{now} holders of 2 permits");
                holders.fetch_sub(1, Relaxed);
            }
        };
        let threads: Vec<_> = (0..2).map(|_| thread::spawn(hold.clone())).collect();
        hold();
        for thread in threads {
            thread.join().unwrap();
        }
        assert_eq!(sem.value(), 2);
    });
}

/// What a releaser wrote before `release` is visible to the thread whose `acquire` took
/// that permit, also when the releaser is not the thread that acquired.
#[test]
fn release_publishes_to_the_acquirer() {
    check(|| {
        let data = Guarded::new(0);
        let writer = {
            let data = Arc::clone(&data);
            thread::spawn(move || {
                data.increment(); // nobody holds a permit: we are the only one touching it
                data.sem.release().unwrap();
            })
        };
        data.sem.acquire();
        assert_eq!(data.get(), 1);
        writer.join().unwrap();
    });
}

/// `acquire_timeout` racing a release: it gets the permit or gives up, and either way the
/// permit is not lost (value + taken == released).
#[test]
fn acquire_timeout_racing_release_loses_no_permit() {
    check(|| {
        let sem = Arc::new(Semaphore::new(0));
        let timed = {
            let sem = Arc::clone(&sem);
            thread::spawn(move || sem.acquire_timeout(Duration::from_secs(1)))
        };
        sem.release().unwrap();
        let took = timed.join().unwrap();
        assert_eq!(sem.value() + u32::from(took), 1);
    });
}

/// A timed-out acquirer and a blocked one, one release: if the timed one gave up, the
/// blocked one must still be woken (the timed one may have "eaten" the wake); if the timed
/// one took the permit, a second release serves the blocked one.
#[test]
fn timed_out_waiter_does_not_strand_a_blocked_one() {
    check(|| {
        let sem = Arc::new(Semaphore::new(0));
        let timed = {
            let sem = Arc::clone(&sem);
            thread::spawn(move || sem.acquire_timeout(Duration::from_millis(1)))
        };
        let blocked = {
            let sem = Arc::clone(&sem);
            thread::spawn(move || sem.acquire())
        };
        sem.release().unwrap();
        if timed.join().unwrap() {
            sem.release().unwrap();
        }
        blocked.join().unwrap();
        assert_eq!(sem.value(), 0);
    });
}

/// Two threads each give back a permit to a `BoundedSemaphore::new(2)` from which only one
/// was taken: exactly one release succeeds, the other is refused and changes nothing.
#[test]
fn bounded_over_release_race_is_all_or_nothing() {
    check(|| {
        let sem = Arc::new(BoundedSemaphore::new(2));
        sem.acquire();
        let other = {
            let sem = Arc::clone(&sem);
            thread::spawn(move || sem.release())
        };
        let mine = sem.release();
        let theirs = other.join().unwrap();
        let mut outcomes = [mine, theirs];
        outcomes.sort_by_key(|r| r.is_err());
        assert_eq!(outcomes, [Ok(()), Err(ReleaseError::TooManyReleases)]);
        assert_eq!(sem.value(), 2);
    });
}

/// A blocked acquirer of a bounded semaphore is woken whichever of two racing releases
/// (a `release_n` and a plain one from another thread) comes first; neither is refused.
#[test]
fn bounded_release_n_wakes_sleepers() {
    check(|| {
        let sem = Arc::new(BoundedSemaphore::new(3));
        assert!(sem.try_acquire() && sem.try_acquire() && sem.try_acquire());
        let sleeper = {
            let sem = Arc::clone(&sem);
            thread::spawn(move || sem.acquire())
        };
        let releaser = {
            let sem = Arc::clone(&sem);
            thread::spawn(move || sem.release().unwrap())
        };
        sem.release_n(2).unwrap();
        releaser.join().unwrap();
        sleeper.join().unwrap();
        assert_eq!(sem.value(), 2);
    });
}
