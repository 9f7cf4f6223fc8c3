//! Behaviour of `Semaphore` and `BoundedSemaphore` (Python's `threading.Semaphore` and
//! `threading.BoundedSemaphore`), a proptest model, and stress tests.
#![cfg(not(loom))]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::{Duration, Instant};
use threading::diagnostics::futex_calls_on_this_thread;
use threading::{BoundedSemaphore, Event, ReleaseError, Semaphore};

mod support;

/// Long enough that a blocked thread's failure to wake is a failure, not a slow machine.
const PATIENCE: Duration = Duration::from_secs(10);

#[test]
fn new_value_default_and_static() {
    assert_eq!(Semaphore::new(0).value(), 0);
    assert_eq!(Semaphore::new(7).value(), 7);
    assert_eq!(Semaphore::new(u32::MAX).value(), u32::MAX);
    assert_eq!(Semaphore::default().value(), 1, "Python's Semaphore() starts at 1");
    static SEM: Semaphore = Semaphore::new(2);
    static BOUNDED: BoundedSemaphore = BoundedSemaphore::new(3);
    assert_eq!(SEM.value(), 2);
    assert_eq!((BOUNDED.value(), BOUNDED.bound()), (3, 3));
}

#[test]
fn acquire_and_release_count_permits() {
    let sem = Semaphore::new(2);
    sem.acquire();
    sem.acquire();
    assert_eq!(sem.value(), 0);
    sem.release().unwrap();
    assert_eq!(sem.value(), 1);
    sem.release().unwrap();
    sem.release().unwrap(); // an unbounded semaphore may grow past its start
    assert_eq!(sem.value(), 3);
}

#[test]
fn try_acquire_fails_only_at_zero() {
    let sem = Semaphore::new(2);
    assert!(sem.try_acquire());
    assert!(sem.try_acquire());
    assert!(!sem.try_acquire());
    assert_eq!(sem.value(), 0);
    let bounded = BoundedSemaphore::new(1);
    assert!(bounded.try_acquire());
    assert!(!bounded.try_acquire());
}

#[test]
fn zero_timeout_tries_once_without_sleeping() {
    let sem = Semaphore::new(1);
    let before = futex_calls_on_this_thread();
    assert!(sem.acquire_timeout(Duration::ZERO));
    assert!(!sem.acquire_timeout(Duration::ZERO));
    assert_eq!(futex_calls_on_this_thread(), before, "ZERO never sleeps");
    let bounded = BoundedSemaphore::new(1);
    assert!(bounded.acquire_timeout(Duration::ZERO));
    assert!(!bounded.acquire_timeout(Duration::ZERO));
}

#[test]
fn timeout_expires_after_at_least_the_timeout() {
    let sem = Semaphore::new(0);
    let start = Instant::now();
    assert!(!sem.acquire_timeout(Duration::from_millis(50)));
    let waited = start.elapsed();
    assert!(waited >= Duration::from_millis(50), "gave up after {waited:?}");
    assert!(waited < PATIENCE, "took {waited:?}");
    assert_eq!(sem.value(), 0);
    let bounded = BoundedSemaphore::new(0);
    assert!(!bounded.acquire_timeout(Duration::from_millis(10)));
}

#[test]
fn timeout_succeeds_when_released_in_time() {
    let sem = Arc::new(Semaphore::new(0));
    let acquirer = {
        let sem = Arc::clone(&sem);
        thread::spawn(move || sem.acquire_timeout(PATIENCE))
    };
    sem.release().unwrap();
    assert!(acquirer.join().unwrap());
    assert_eq!(sem.value(), 0);
}

#[test]
fn huge_timeout_waits_without_overflow() {
    let sem = Arc::new(Semaphore::new(0));
    let acquirer = {
        let sem = Arc::clone(&sem);
        thread::spawn(move || {
            sem.acquire_timeout(Duration::MAX)
                && sem.acquire_timeout(Duration::from_secs(u64::MAX / 2))
        })
    };
    sem.release_n(2).unwrap();
    assert!(acquirer.join().unwrap());
}

#[test]
fn blocked_acquire_is_woken_by_release_from_another_thread() {
    let sem = Arc::new(Semaphore::new(0));
    let (tx, rx) = mpsc::channel();
    let acquirers: Vec<_> = (0..2)
        .map(|_| {
            let (sem, tx) = (Arc::clone(&sem), tx.clone());
            thread::spawn(move || {
                sem.acquire();
                tx.send(()).unwrap();
            })
        })
        .collect();
    // Only one permit: exactly one acquirer gets through, the other keeps waiting.
    sem.release().unwrap();
    rx.recv_timeout(PATIENCE).expect("a release wakes a blocked acquirer");
    assert!(rx.recv_timeout(Duration::from_millis(50)).is_err(), "one permit, one holder");
    sem.release().unwrap();
    rx.recv_timeout(PATIENCE).expect("the second release wakes the second acquirer");
    for acquirer in acquirers {
        acquirer.join().unwrap();
    }
    assert_eq!(sem.value(), 0);
}

#[test]
fn release_n_wakes_n_sleepers_and_no_more_take_permits() {
    let sem = Arc::new(Semaphore::new(0));
    let (tx, rx) = mpsc::channel();
    let acquirers: Vec<_> = (0..3)
        .map(|_| {
            let (sem, tx) = (Arc::clone(&sem), tx.clone());
            thread::spawn(move || {
                sem.acquire();
                tx.send(()).unwrap();
            })
        })
        .collect();
    sem.release_n(2).unwrap();
    for _ in 0..2 {
        rx.recv_timeout(PATIENCE).expect("release_n(2) lets two acquirers through");
    }
    assert!(rx.recv_timeout(Duration::from_millis(50)).is_err(), "only two permits");
    assert_eq!(sem.value(), 0);
    sem.release_n(5).unwrap(); // more permits than sleepers: the rest stay
    rx.recv_timeout(PATIENCE).unwrap();
    for acquirer in acquirers {
        acquirer.join().unwrap();
    }
    assert_eq!(sem.value(), 4);
}

#[test]
fn any_thread_may_release() {
    let sem = Arc::new(Semaphore::new(0));
    let releaser = Arc::clone(&sem);
    thread::spawn(move || releaser.release()).join().unwrap().unwrap();
    assert_eq!(sem.value(), 1);
    let bounded = Arc::new(BoundedSemaphore::new(1));
    bounded.acquire();
    let releaser = Arc::clone(&bounded);
    thread::spawn(move || releaser.release()).join().unwrap().unwrap();
    assert_eq!(bounded.value(), 1);
}

#[test]
fn release_hands_over_data_like_a_baton() {
    let go = Arc::new(Semaphore::new(0));
    let data = Arc::new(AtomicUsize::new(0));
    let waiter = {
        let (go, data) = (Arc::clone(&go), Arc::clone(&data));
        thread::spawn(move || {
            go.acquire();
            data.load(Ordering::Relaxed) // ordered by the semaphore, not by this load
        })
    };
    data.store(42, Ordering::Relaxed);
    go.release().unwrap();
    assert_eq!(waiter.join().unwrap(), 42);
}

#[test]
fn semaphore_overflow_is_an_error_and_changes_nothing() {
    let sem = Semaphore::new(u32::MAX - 2);
    assert_eq!(sem.release_n(3), Err(ReleaseError::Overflow));
    assert_eq!(sem.value(), u32::MAX - 2, "all or nothing");
    assert_eq!(sem.release_n(2), Ok(()));
    assert_eq!(sem.value(), u32::MAX);
    assert_eq!(sem.release(), Err(ReleaseError::Overflow));
    assert_eq!(sem.value(), u32::MAX);
    assert_eq!(ReleaseError::Overflow.to_string(), "semaphore value would overflow");
    // Still usable.
    assert!(sem.try_acquire());
    assert_eq!(sem.release(), Ok(()));
    assert_eq!(Semaphore::new(1).release_n(u32::MAX), Err(ReleaseError::Overflow));
}

#[test]
fn bounded_over_release_is_an_error_and_changes_nothing() {
    let sem = BoundedSemaphore::new(3);
    assert_eq!(sem.release(), Err(ReleaseError::TooManyReleases));
    assert_eq!(sem.value(), 3);
    sem.acquire();
    sem.acquire();
    assert_eq!(sem.release_n(3), Err(ReleaseError::TooManyReleases));
    assert_eq!(sem.value(), 1, "all or nothing");
    assert_eq!(sem.release_n(u32::MAX), Err(ReleaseError::TooManyReleases));
    assert_eq!(sem.release_n(2), Ok(()));
    assert_eq!(sem.value(), 3);
    assert_eq!(sem.release(), Err(ReleaseError::TooManyReleases));
    assert_eq!(ReleaseError::TooManyReleases.to_string(), "semaphore released too many times");
    // Still usable, and the bound never moves.
    assert!(sem.try_acquire());
    assert_eq!(sem.release(), Ok(()));
    assert_eq!((sem.value(), sem.bound()), (3, 3));
    let zero = BoundedSemaphore::new(0);
    assert_eq!(zero.release(), Err(ReleaseError::TooManyReleases));
    let max = BoundedSemaphore::new(u32::MAX);
    assert_eq!(max.release(), Err(ReleaseError::TooManyReleases), "the bound, not overflow");
}

#[test]
fn release_n_zero_is_an_ok_no_op() {
    let sem = Semaphore::new(u32::MAX);
    assert_eq!(sem.release_n(0), Ok(()));
    assert_eq!(sem.value(), u32::MAX);
    let bounded = BoundedSemaphore::new(2);
    assert_eq!(bounded.release_n(0), Ok(()), "at its bound, releasing nothing is fine");
    assert_eq!(bounded.value(), 2);
}

#[test]
fn an_over_release_with_sleepers_wakes_nobody_and_loses_nothing() {
    let sem = Arc::new(BoundedSemaphore::new(1));
    sem.acquire();
    let (tx, rx) = mpsc::channel();
    let sleeper = {
        let sem = Arc::clone(&sem);
        thread::spawn(move || {
            sem.acquire();
            tx.send(()).unwrap();
        })
    };
    assert_eq!(sem.release_n(2), Err(ReleaseError::TooManyReleases));
    assert!(rx.recv_timeout(Duration::from_millis(50)).is_err(), "nothing was released");
    sem.release().unwrap();
    rx.recv_timeout(PATIENCE).unwrap();
    sleeper.join().unwrap();
    assert_eq!(sem.value(), 0);
}

#[test]
fn guards_release_on_drop_and_on_panic() {
    let sem = Arc::new(Semaphore::new(1));
    {
        let _permit = sem.permit();
        assert_eq!(sem.value(), 0);
        assert!(sem.try_permit().is_none());
        assert!(sem.permit_timeout(Duration::from_millis(1)).is_none());
    }
    assert_eq!(sem.value(), 1);
    drop(sem.try_permit().unwrap());
    drop(sem.permit_timeout(Duration::MAX).unwrap());
    assert_eq!(sem.value(), 1);
    let panicking = Arc::clone(&sem);
    let result = thread::spawn(move || {
        let _permit = panicking.permit();
        panic!("boom while holding a permit");
    })
    .join();
    assert!(result.is_err());
    assert_eq!(sem.value(), 1, "unwinding gave the permit back");

    let bounded = Arc::new(BoundedSemaphore::new(1));
    {
        let _permit = bounded.permit();
        assert_eq!(bounded.value(), 0);
        assert!(bounded.try_permit().is_none());
        assert!(bounded.permit_timeout(Duration::ZERO).is_none());
    }
    assert_eq!(bounded.value(), 1);
    let panicking = Arc::clone(&bounded);
    let result = thread::spawn(move || {
        let _permit = panicking.try_permit().unwrap();
        panic!("boom while holding a bounded permit");
    })
    .join();
    assert!(result.is_err());
    assert_eq!(bounded.value(), 1);
}

#[test]
fn a_guard_whose_release_is_refused_changes_nothing() {
    let bounded = BoundedSemaphore::new(1);
    let permit = bounded.permit();
    bounded.release().unwrap(); // someone else's unmatched release fills it up
    drop(permit); // refused quietly: the bound holds
    assert_eq!(bounded.value(), 1);
    let sem = Semaphore::new(1);
    let permit = sem.permit();
    sem.release_n(u32::MAX).unwrap();
    drop(permit);
    assert_eq!(sem.value(), u32::MAX);
}

#[test]
fn debug_shows_the_state() {
    let sem = Semaphore::new(2);
    assert_eq!(format!("{sem:?}"), "Semaphore { value: 2 }");
    let permit = sem.permit();
    assert_eq!(format!("{permit:?}"), "SemaphoreGuard { semaphore: Semaphore { value: 1 } }");
    let bounded = BoundedSemaphore::new(2);
    let permit = bounded.permit();
    assert_eq!(format!("{bounded:?}"), "BoundedSemaphore { value: 1, bound: 2 }");
    assert!(format!("{permit:?}").starts_with("BoundedSemaphoreGuard"));
}

#[test]
fn types_are_send_sync_and_small() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Semaphore>();
    assert_send_sync::<BoundedSemaphore>();
    assert_send_sync::<threading::SemaphoreGuard<'_>>();
    assert_send_sync::<threading::BoundedSemaphoreGuard<'_>>();
    assert!(std::mem::size_of::<Semaphore>() <= 8);
    assert!(std::mem::size_of::<BoundedSemaphore>() <= 12);
}

#[test]
fn uncontended_paths_make_no_system_call() {
    let sem = Semaphore::new(1);
    let bounded = BoundedSemaphore::new(1);
    let before = futex_calls_on_this_thread();
    for _ in 0..1000 {
        sem.acquire();
        sem.release().unwrap();
        drop(bounded.permit());
        assert!(sem.acquire_timeout(Duration::MAX));
        sem.release_n(3).unwrap();
        assert!(sem.try_acquire() && sem.try_acquire() && sem.try_acquire());
        sem.release().unwrap();
        assert_eq!(bounded.release(), Err(ReleaseError::TooManyReleases));
    }
    assert_eq!(futex_calls_on_this_thread(), before, "a release with no sleeper is free");
}

#[test]
fn a_release_that_must_wake_does_make_a_system_call() {
    // The counterpart of the test above, so that its "zero" means something. Whether the
    // other thread is asleep yet when we release is up to the scheduler (a release that
    // comes early is fine: the acquirer then takes the permit without sleeping), so try a
    // few times; the sleep only makes "asleep by then" likely, it orders nothing.
    let woke = (0..50).any(|_| {
        let sem = Arc::new(Semaphore::new(0));
        let about_to_block = Arc::new(Event::new());
        let sleeper = {
            let (sem, about_to_block) = (Arc::clone(&sem), Arc::clone(&about_to_block));
            thread::spawn(move || {
                about_to_block.set();
                sem.acquire();
            })
        };
        about_to_block.wait();
        thread::sleep(Duration::from_millis(20));
        let before = futex_calls_on_this_thread();
        sem.release().unwrap();
        let calls = futex_calls_on_this_thread() - before;
        sleeper.join().unwrap();
        calls == 1
    });
    assert!(woke, "releasing to a sleeping thread wakes it with one system call");
}

#[test]
fn many_waiters_many_releasers_lose_no_permit() {
    const WAITERS: usize = 6;
    let sem = Arc::new(Semaphore::new(0));
    let done = Arc::new(AtomicUsize::new(0));
    let waiters: Vec<_> = (0..WAITERS)
        .map(|i| {
            let (sem, done) = (Arc::clone(&sem), Arc::clone(&done));
            thread::spawn(move || {
                if i % 2 == 0 {
                    sem.acquire();
                } else {
                    while !sem.acquire_timeout(Duration::from_micros(100)) {}
                }
                done.fetch_add(1, Ordering::Relaxed);
            })
        })
        .collect();
    let releasers: Vec<_> = (0..2)
        .map(|i| {
            let sem = Arc::clone(&sem);
            thread::spawn(move || {
                if i == 0 {
                    sem.release_n(3).unwrap();
                } else {
                    for _ in 0..3 {
                        sem.release().unwrap();
                    }
                }
            })
        })
        .collect();
    for thread in releasers.into_iter().chain(waiters) {
        thread.join().unwrap();
    }
    assert_eq!(done.load(Ordering::Relaxed), WAITERS);
    assert_eq!(sem.value(), 0);
}

mod model {
    //! Random operation sequences against a sequential model (a number, and a bound), and
    //! random concurrent mixes checked against invariants.
    use proptest::prelude::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::thread;
    use std::time::Duration;
    use threading::{BoundedSemaphore, ReleaseError, Semaphore};

    #[derive(Debug, Clone)]
    enum Op {
        Acquire,
        TryAcquire,
        AcquireTimeout(u8),
        Release,
        ReleaseN(u32),
        PermitScope,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            Just(Op::Acquire),
            Just(Op::TryAcquire),
            (0u8..2).prop_map(Op::AcquireTimeout),
            Just(Op::Release),
            prop_oneof![0u32..5, Just(u32::MAX)].prop_map(Op::ReleaseN),
            Just(Op::PermitScope),
        ]
    }

    /// Either face of the semaphore, for one model loop.
    trait Face {
        fn acquire(&self);
        fn try_acquire(&self) -> bool;
        fn acquire_timeout(&self, timeout: Duration) -> bool;
        fn release_n(&self, n: u32) -> Result<(), ReleaseError>;
        fn release(&self) -> Result<(), ReleaseError>;
        fn value(&self) -> u32;
        fn permit_scope(&self);
    }

    macro_rules! face {
        ($t:ty) => {
            impl Face for $t {
                fn acquire(&self) {
                    self.acquire()
                }
                fn try_acquire(&self) -> bool {
                    self.try_acquire()
                }
                fn acquire_timeout(&self, timeout: Duration) -> bool {
                    self.acquire_timeout(timeout)
                }
                fn release_n(&self, n: u32) -> Result<(), ReleaseError> {
                    self.release_n(n)
                }
                fn release(&self) -> Result<(), ReleaseError> {
                    self.release()
                }
                fn value(&self) -> u32 {
                    self.value()
                }
                fn permit_scope(&self) {
                    drop(self.permit())
                }
            }
        };
    }
    face!(Semaphore);
    face!(BoundedSemaphore);

    /// Runs `ops` on `sem` and on the model (`value` permits, at most `max`, `error` past
    /// it). Blocking operations are only issued when the model says they will not block.
    fn run(
        sem: &dyn Face,
        mut value: u64,
        max: u64,
        error: ReleaseError,
        ops: Vec<Op>,
    ) -> Result<(), TestCaseError> {
        for op in ops {
            match op {
                Op::Acquire | Op::PermitScope if value == 0 => {}
                Op::Acquire => {
                    sem.acquire();
                    value -= 1;
                }
                Op::PermitScope => sem.permit_scope(),
                Op::TryAcquire => {
                    prop_assert_eq!(sem.try_acquire(), value > 0);
                    value = value.saturating_sub(1);
                }
                Op::AcquireTimeout(ms) => {
                    let got = sem.acquire_timeout(Duration::from_millis(ms.into()));
                    prop_assert_eq!(got, value > 0);
                    value = value.saturating_sub(1);
                }
                Op::Release | Op::ReleaseN(_) => {
                    let (n, result) = match op {
                        Op::ReleaseN(n) => (n, sem.release_n(n)),
                        _ => (1, sem.release()),
                    };
                    if value + u64::from(n) <= max {
                        prop_assert_eq!(result, Ok(()));
                        value += u64::from(n);
                    } else {
                        prop_assert_eq!(result, Err(error));
                    }
                }
            }
            prop_assert_eq!(u64::from(sem.value()), value);
        }
        Ok(())
    }

    fn start() -> impl Strategy<Value = u32> {
        prop_oneof![0u32..4, (u32::MAX - 3)..=u32::MAX]
    }

    proptest! {
        #![proptest_config(crate::support::proptest_config(ProptestConfig::default()))]
        #[test]
        fn semaphore_behaves_like_a_counter(
            initial in start(),
            ops in proptest::collection::vec(op(), 1..48),
        ) {
            let sem = Semaphore::new(initial);
            run(&sem, initial.into(), u32::MAX.into(), ReleaseError::Overflow, ops)?;
        }

        #[test]
        fn bounded_semaphore_behaves_like_a_bounded_counter(
            initial in start(),
            taken in 0u32..4,
            ops in proptest::collection::vec(op(), 1..48),
        ) {
            let sem = BoundedSemaphore::new(initial);
            let taken = taken.min(initial);
            for _ in 0..taken {
                prop_assert!(sem.try_acquire());
            }
            prop_assert_eq!(sem.bound(), initial);
            run(
                &sem,
                (initial - taken).into(),
                initial.into(),
                ReleaseError::TooManyReleases,
                ops,
            )?;
        }
    }

    #[derive(Debug, Clone, Copy)]
    enum Take {
        Blocking,
        Try,
        Timeout,
    }

    fn take() -> impl Strategy<Value = Take> {
        prop_oneof![Just(Take::Blocking), Just(Take::Try), Just(Take::Timeout)]
    }

    proptest! {
        #![proptest_config(crate::support::proptest_config(ProptestConfig::with_cases(24)))]

        /// Threads take and give back permits in random ways: never more holders than
        /// permits, and every permit comes back.
        #[test]
        fn concurrent_mix_keeps_the_invariants(
            permits in 1u32..4,
            bounded in any::<bool>(),
            plans in proptest::collection::vec(
                proptest::collection::vec(take(), 1..if cfg!(miri) { 20 } else { 200 }),
                2..5,
            ),
        ) {
            let unbounded = Arc::new(Semaphore::new(permits));
            let bounded_sem = Arc::new(BoundedSemaphore::new(permits));
            let holders = Arc::new(AtomicUsize::new(0));
            let threads: Vec<_> = plans
                .into_iter()
                .map(|plan| {
                    let (unbounded, bounded_sem, holders) =
                        (Arc::clone(&unbounded), Arc::clone(&bounded_sem), Arc::clone(&holders));
                    thread::spawn(move || {
                        let sem: &dyn Face = if bounded { &*bounded_sem } else { &*unbounded };
                        for step in plan {
                            let got = match step {
                                Take::Blocking => {
                                    sem.acquire();
                                    true
                                }
                                Take::Try => sem.try_acquire(),
                                Take::Timeout => sem.acquire_timeout(Duration::from_micros(200)),
                            };
                            if got {
                                let now = holders.fetch_add(1, Ordering::SeqCst) + 1;
                                assert!(now <= permits as usize, "{now} holders of {permits}");
                                holders.fetch_sub(1, Ordering::SeqCst);
                                sem.release().unwrap();
                            }
                        }
                    })
                })
                .collect();
            for thread in threads {
                thread.join().unwrap();
            }
            let value = if bounded { bounded_sem.value() } else { unbounded.value() };
            prop_assert_eq!(value, permits, "no permit lost or made up");
        }
    }
}

mod stress {
    //! Hundreds of thousands of contended acquire/release pairs with exact counts.
    use std::cell::UnsafeCell;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::thread;
    use std::time::Duration;
    use threading::{BoundedSemaphore, Semaphore};

    #[test]
    fn four_threads_200k_pairs_never_exceed_two_holders() {
        const THREADS: usize = 4;
        const PER_THREAD: usize = if cfg!(miri) { 200 } else { 200_000 };
        let sem = Arc::new(Semaphore::new(2));
        let holders = Arc::new(AtomicUsize::new(0));
        let passes = Arc::new(AtomicUsize::new(0));
        let handles: Vec<_> = (0..THREADS)
            .map(|_| {
                let (sem, holders, passes) =
                    (Arc::clone(&sem), Arc::clone(&holders), Arc::clone(&passes));
                thread::spawn(move || {
                    for _ in 0..PER_THREAD {
                        let _permit = sem.permit();
                        let now = holders.fetch_add(1, Ordering::Relaxed) + 1;
                        assert!(now <= 2, "{now} holders of 2 permits");
                        passes.fetch_add(1, Ordering::Relaxed);
                        holders.fetch_sub(1, Ordering::Relaxed);
                    }
                })
            })
            .collect();
        for handle in handles {
            handle.join().unwrap();
        }
        assert_eq!(passes.load(Ordering::Relaxed), THREADS * PER_THREAD);
        assert_eq!(sem.value(), 2);
    }

    struct Counter {
        sem: BoundedSemaphore,
        value: UnsafeCell<u64>,
    }
    // SAFETY: `value` is only touched while holding the semaphore's only permit.
    unsafe impl Sync for Counter {}

    #[test]
    fn one_permit_bounded_semaphore_is_a_lock_exact_count() {
        const THREADS: u64 = 4;
        const PER_THREAD: u64 = if cfg!(miri) { 200 } else { 100_000 };
        let counter =
            Arc::new(Counter { sem: BoundedSemaphore::new(1), value: UnsafeCell::new(0) });
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let counter = Arc::clone(&counter);
                thread::spawn(move || {
                    let mut done = 0;
                    while done < PER_THREAD {
                        let got = if t % 2 == 0 {
                            counter.sem.acquire();
                            true
                        } else {
                            counter.sem.acquire_timeout(Duration::from_micros(50))
                        };
                        if got {
                            // SAFETY: we hold the only permit.
                            unsafe { *counter.value.get() += 1 };
                            counter.sem.release().unwrap();
                            done += 1;
                        }
                    }
                })
            })
            .collect();
        for handle in handles {
            handle.join().unwrap();
        }
        assert_eq!(counter.sem.value(), 1);
        // SAFETY: every other thread has finished.
        assert_eq!(unsafe { *counter.value.get() }, THREADS * PER_THREAD);
    }

    #[test]
    fn batched_producer_and_consumers_exact_count() {
        // One producer hands out permits with release_n in batches of 1..=4; three
        // consumers take them one by one. Every permit is taken exactly once.
        const CONSUMERS: usize = 3;
        const PER_CONSUMER: usize = if cfg!(miri) { 100 } else { 50_000 };
        let sem = Arc::new(Semaphore::new(0));
        let taken = Arc::new(AtomicUsize::new(0));
        let consumers: Vec<_> = (0..CONSUMERS)
            .map(|_| {
                let (sem, taken) = (Arc::clone(&sem), Arc::clone(&taken));
                thread::spawn(move || {
                    for _ in 0..PER_CONSUMER {
                        sem.acquire();
                        taken.fetch_add(1, Ordering::Relaxed);
                    }
                })
            })
            .collect();
        let mut left = CONSUMERS * PER_CONSUMER;
        let mut batch = 0;
        while left > 0 {
            batch = batch % 4 + 1;
            let n = batch.min(left);
            sem.release_n(n as u32).unwrap();
            left -= n;
        }
        for consumer in consumers {
            consumer.join().unwrap();
        }
        assert_eq!(taken.load(Ordering::Relaxed), CONSUMERS * PER_CONSUMER);
        assert_eq!(sem.value(), 0);
    }
}
