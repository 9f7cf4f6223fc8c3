//! Behaviour of `Barrier`: Python's semantics (arrival indices, the action run by the last
//! arrival, timeouts breaking the barrier, reset, abort, a panicking action), a proptest
//! model, and stress across ~100k generations.
//!
//! Threads are ordered with `n_waiting()` polls, channels and the barrier itself, never
//! with sleeps. Where timing is the point, bounds are generous.
#![cfg(not(loom))]

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};
use threading::{Barrier, BrokenBarrierError};

mod support;

/// Yields until `n` threads wait at `barrier`.
fn until_waiting(barrier: &Barrier, n: usize) {
    while barrier.n_waiting() != n {
        thread::yield_now();
    }
}

/// Spawns a thread that waits once at `barrier` and returns the result.
fn spawn_wait(barrier: &Arc<Barrier>) -> thread::JoinHandle<Result<usize, BrokenBarrierError>> {
    let barrier = Arc::clone(barrier);
    thread::spawn(move || barrier.wait())
}

#[test]
#[should_panic(expected = "at least one party")]
fn zero_parties_panics_with_a_clear_message() {
    let _ = Barrier::new(0);
}

#[test]
fn accessors_debug_send_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Barrier>();
    let barrier = Barrier::new(3);
    assert_eq!(barrier.parties(), 3);
    assert_eq!(barrier.n_waiting(), 0);
    assert!(!barrier.broken());
    let text = format!("{barrier:?}");
    assert!(text.contains("parties: 3") && text.contains("broken: false"), "{text}");
    assert_eq!(BrokenBarrierError.to_string(), "barrier is broken");
}

#[test]
fn one_party_never_waits() {
    let barrier = Barrier::new(1);
    for _ in 0..10 {
        assert_eq!(barrier.wait(), Ok(0));
        assert_eq!(barrier.wait_timeout(Duration::ZERO), Ok(0));
    }
    assert!(!barrier.broken());
}

#[test]
fn indices_are_arrival_order_and_the_last_runs_the_action() {
    let ran_by = Arc::new(Mutex::new(Vec::new()));
    let barrier = Arc::new(Barrier::new(3).with_action({
        let ran_by = Arc::clone(&ran_by);
        move || ran_by.lock().unwrap().push(thread::current().id())
    }));
    for _generation in 0..3 {
        let first = spawn_wait(&barrier);
        until_waiting(&barrier, 1);
        let second = spawn_wait(&barrier);
        until_waiting(&barrier, 2);
        assert_eq!(barrier.wait(), Ok(2), "the last arrival gets parties - 1");
        assert_eq!(first.join().unwrap(), Ok(0));
        assert_eq!(second.join().unwrap(), Ok(1));
        assert_eq!(barrier.n_waiting(), 0);
    }
    let ran_by = ran_by.lock().unwrap();
    assert_eq!(ran_by.len(), 3, "once per generation");
    assert!(ran_by.iter().all(|id| *id == thread::current().id()), "by the last arrival");
}

#[test]
fn the_action_runs_before_anyone_is_released() {
    let value = Arc::new(AtomicUsize::new(0));
    let barrier = Arc::new(Barrier::new(4).with_action({
        let value = Arc::clone(&value);
        move || {
            value.fetch_add(1, Relaxed);
        }
    }));
    for generation in 1..=50 {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let (barrier, value) = (Arc::clone(&barrier), Arc::clone(&value));
                thread::spawn(move || {
                    barrier.wait().unwrap();
                    // Relaxed suffices: the barrier orders the action before every return.
                    value.load(Relaxed)
                })
            })
            .collect();
        for handle in handles {
            assert_eq!(handle.join().unwrap(), generation);
        }
    }
}

#[test]
fn default_timeout_breaks_the_barrier() {
    let barrier = Barrier::new(2).with_timeout(Duration::from_millis(50));
    let start = Instant::now();
    assert_eq!(barrier.wait(), Err(BrokenBarrierError));
    let elapsed = start.elapsed();
    assert!(elapsed >= Duration::from_millis(50), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    assert!(barrier.broken());
    assert_eq!(barrier.n_waiting(), 0);
    let start = Instant::now();
    assert_eq!(barrier.wait(), Err(BrokenBarrierError), "broken: fails at once");
    assert!(start.elapsed() < Duration::from_millis(50));
    barrier.reset();
    assert!(!barrier.broken());
}

#[test]
fn a_timeout_breaks_the_barrier_for_everyone() {
    let barrier = Arc::new(Barrier::new(3));
    let untimed = spawn_wait(&barrier);
    until_waiting(&barrier, 1);
    let start = Instant::now();
    assert_eq!(barrier.wait_timeout(Duration::from_millis(50)), Err(BrokenBarrierError));
    assert!(start.elapsed() >= Duration::from_millis(50));
    assert_eq!(untimed.join().unwrap(), Err(BrokenBarrierError));
    assert!(barrier.broken());
    assert_eq!(barrier.wait_timeout(Duration::MAX), Err(BrokenBarrierError));
}

#[test]
fn zero_timeout_breaks_unless_last() {
    let barrier = Arc::new(Barrier::new(2));
    let waiter = spawn_wait(&barrier);
    until_waiting(&barrier, 1);
    assert_eq!(barrier.wait_timeout(Duration::ZERO), Ok(1), "the last arrival does not wait");
    assert_eq!(waiter.join().unwrap(), Ok(0));
    assert_eq!(barrier.wait_timeout(Duration::ZERO), Err(BrokenBarrierError));
    assert!(barrier.broken());
}

#[test]
fn wait_timeout_max_waits_like_wait() {
    let barrier = Arc::new(Barrier::new(2));
    let other = Arc::clone(&barrier);
    let waiter = thread::spawn(move || other.wait_timeout(Duration::MAX));
    until_waiting(&barrier, 1);
    assert_eq!(barrier.wait(), Ok(1));
    assert_eq!(waiter.join().unwrap(), Ok(0));
}

#[test]
fn reset_fails_waiters_and_leaves_an_empty_unbroken_barrier() {
    let barrier = Arc::new(Barrier::new(3));
    let waiters: Vec<_> = (0..2).map(|_| spawn_wait(&barrier)).collect();
    until_waiting(&barrier, 2);
    barrier.reset();
    for waiter in waiters {
        assert_eq!(waiter.join().unwrap(), Err(BrokenBarrierError));
    }
    assert!(!barrier.broken());
    assert_eq!(barrier.n_waiting(), 0);
    // A full generation crosses afterwards, indices from 0 again.
    let waiters: Vec<_> = (0..2).map(|_| spawn_wait(&barrier)).collect();
    until_waiting(&barrier, 2);
    assert_eq!(barrier.wait(), Ok(2));
    let mut indices: Vec<usize> = waiters.into_iter().map(|w| w.join().unwrap().unwrap()).collect();
    indices.sort_unstable();
    assert_eq!(indices, [0, 1]);
}

#[test]
fn reset_with_nobody_waiting_changes_nothing() {
    let barrier = Arc::new(Barrier::new(2));
    barrier.reset();
    assert!(!barrier.broken());
    let waiter = spawn_wait(&barrier);
    until_waiting(&barrier, 1);
    assert_eq!(barrier.wait(), Ok(1));
    assert_eq!(waiter.join().unwrap(), Ok(0));
}

#[test]
fn abort_breaks_until_reset() {
    let barrier = Arc::new(Barrier::new(3));
    let waiter = spawn_wait(&barrier);
    until_waiting(&barrier, 1);
    barrier.abort();
    assert_eq!(waiter.join().unwrap(), Err(BrokenBarrierError));
    assert!(barrier.broken());
    assert_eq!(barrier.n_waiting(), 0);
    for _ in 0..3 {
        assert_eq!(barrier.wait(), Err(BrokenBarrierError));
    }
    barrier.abort(); // twice is fine
    barrier.reset();
    assert!(!barrier.broken());
    let waiters: Vec<_> = (0..2).map(|_| spawn_wait(&barrier)).collect();
    until_waiting(&barrier, 2);
    assert_eq!(barrier.wait(), Ok(2));
    waiters.into_iter().for_each(|w| assert!(w.join().unwrap().is_ok()));
}

/// The last arrival releases the phase, then aborts at once, many times over: the party it
/// released keeps its `Ok` however late it runs (CPython may raise `BrokenBarrierError`
/// there), and its next wait fails.
#[test]
fn a_party_released_before_an_abort_keeps_its_ok() {
    for _ in 0..200 {
        let barrier = Arc::new(Barrier::new(2));
        let waiter = thread::spawn({
            let barrier = Arc::clone(&barrier);
            move || (barrier.wait(), barrier.wait())
        });
        assert!(barrier.wait().is_ok());
        barrier.abort();
        let (released, next) = waiter.join().unwrap();
        assert!(released.is_ok(), "a party released before the abort got {released:?}");
        assert_eq!(next, Err(BrokenBarrierError));
    }
}

#[test]
fn a_panicking_action_breaks_the_barrier_and_keeps_unwinding() {
    let panics = Arc::new(AtomicUsize::new(1));
    let barrier = Arc::new(Barrier::new(2).with_action({
        let panics = Arc::clone(&panics);
        move || {
            if panics.load(Relaxed) > 0 {
                panics.fetch_sub(1, Relaxed);
                panic!("action failed");
            }
        }
    }));
    let waiter = spawn_wait(&barrier);
    until_waiting(&barrier, 1);
    let caught = catch_unwind(AssertUnwindSafe(|| barrier.wait())).unwrap_err();
    assert_eq!(caught.downcast_ref::<&str>(), Some(&"action failed"));
    assert_eq!(waiter.join().unwrap(), Err(BrokenBarrierError));
    assert!(barrier.broken());
    assert_eq!(barrier.wait(), Err(BrokenBarrierError), "broken until reset: arrivals fail");
    barrier.reset();
    let waiter = spawn_wait(&barrier);
    until_waiting(&barrier, 1);
    assert_eq!(barrier.wait(), Ok(1), "usable again after reset");
    assert_eq!(waiter.join().unwrap(), Ok(0));
}

#[test]
fn arrivals_during_the_action_join_the_next_generation() {
    // Three threads, two parties: while the action of generation 1 runs, the third thread
    // arrives; it must not be counted in generation 1.
    let (entered_tx, entered_rx) = std::sync::mpsc::channel::<()>();
    let (go_tx, go_rx) = std::sync::mpsc::channel::<()>();
    let go_rx = Mutex::new(go_rx);
    let entered_tx = Mutex::new(entered_tx);
    let first_action = AtomicUsize::new(0);
    let barrier = Arc::new(Barrier::new(2).with_action(move || {
        if first_action.fetch_add(1, Relaxed) == 0 {
            entered_tx.lock().unwrap().send(()).unwrap();
            go_rx.lock().unwrap().recv().unwrap();
        }
    }));
    let first = spawn_wait(&barrier);
    until_waiting(&barrier, 1);
    let last = spawn_wait(&barrier);
    entered_rx.recv().unwrap(); // the action of generation 1 is running
    let late = spawn_wait(&barrier);
    thread::yield_now();
    go_tx.send(()).unwrap();
    assert_eq!(first.join().unwrap(), Ok(0));
    assert_eq!(last.join().unwrap(), Ok(1));
    until_waiting(&barrier, 1); // the late thread, alone in generation 2
    assert_eq!(barrier.wait(), Ok(1));
    assert_eq!(late.join().unwrap(), Ok(0));
}

/// Python's `n_waiting` inside the action is `parties`: every party is waiting while the
/// last arrival runs it (read by the action itself, in two generations), and 0 once the
/// generation is released.
#[test]
fn n_waiting_inside_the_action_counts_every_party() {
    const PARTIES: usize = 3;
    let seen = Arc::new(Mutex::new(Vec::new()));
    // The action reaches its own barrier through a weak link (no Arc cycle to leak).
    let barrier = Arc::new_cyclic(|this: &std::sync::Weak<Barrier>| {
        let (this, seen) = (this.clone(), Arc::clone(&seen));
        Barrier::new(PARTIES).with_action(move || {
            let n_waiting = this.upgrade().expect("the barrier outlives its waits").n_waiting();
            seen.lock().unwrap().push(n_waiting);
        })
    });
    for _generation in 0..2 {
        let others: Vec<_> = (1..PARTIES).map(|_| spawn_wait(&barrier)).collect();
        until_waiting(&barrier, PARTIES - 1);
        barrier.wait().unwrap();
        for other in others {
            other.join().unwrap().unwrap();
        }
        assert_eq!(barrier.n_waiting(), 0, "released");
    }
    assert_eq!(*seen.lock().unwrap(), [PARTIES, PARTIES]);
}

/// A sequential model: one thread alone with `Duration::ZERO` waits.
mod model {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    enum Op {
        WaitZero,
        Abort,
        Reset,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![Just(Op::WaitZero), Just(Op::Abort), Just(Op::Reset)]
    }

    proptest! {
        #![proptest_config(crate::support::proptest_config(ProptestConfig::with_cases(64)))]

        #[test]
        fn single_thread_matches_the_model(
            parties in 1usize..4,
            ops in proptest::collection::vec(op(), 1..40),
        ) {
            let barrier = Barrier::new(parties);
            let mut broken = false;
            for op in ops {
                match op {
                    Op::WaitZero => {
                        let expected = if broken {
                            Err(BrokenBarrierError)
                        } else if parties == 1 {
                            Ok(0)
                        } else {
                            broken = true; // a wait that times out breaks the barrier
                            Err(BrokenBarrierError)
                        };
                        prop_assert_eq!(barrier.wait_timeout(Duration::ZERO), expected);
                    }
                    Op::Abort => {
                        barrier.abort();
                        broken = true;
                    }
                    Op::Reset => {
                        barrier.reset();
                        broken = false;
                    }
                }
                prop_assert_eq!(barrier.broken(), broken);
                prop_assert_eq!(barrier.n_waiting(), 0);
                prop_assert_eq!(barrier.parties(), parties);
            }
        }

        /// `parties` threads cross `generations` times: in every generation the indices
        /// are a permutation of 0..parties, and the action ran once per generation, by the
        /// thread that got `parties - 1`.
        #[test]
        fn indices_are_a_permutation_every_generation(
            parties in 1usize..5,
            generations in 1usize..40,
        ) {
            let runs = Arc::new(Mutex::new(Vec::new()));
            let barrier = Arc::new(Barrier::new(parties).with_action({
                let runs = Arc::clone(&runs);
                move || runs.lock().unwrap().push(thread::current().id())
            }));
            let handles: Vec<_> = (0..parties)
                .map(|_| {
                    let barrier = Arc::clone(&barrier);
                    thread::spawn(move || {
                        let indices: Vec<usize> =
                            (0..generations).map(|_| barrier.wait().unwrap()).collect();
                        (thread::current().id(), indices)
                    })
                })
                .collect();
            let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
            let runs = runs.lock().unwrap();
            prop_assert_eq!(runs.len(), generations);
            for generation in 0..generations {
                let mut indices: Vec<usize> =
                    results.iter().map(|(_, indices)| indices[generation]).collect();
                indices.sort_unstable();
                prop_assert_eq!(indices, (0..parties).collect::<Vec<_>>());
                let last = results.iter().find(|(_, i)| i[generation] == parties - 1).unwrap();
                prop_assert_eq!(last.0, runs[generation]);
            }
        }
    }
}

mod stress {
    use super::*;
    use std::sync::atomic::AtomicU8;

    fn permutation_every_generation(threads: usize, generations: usize) {
        let barrier = Arc::new(Barrier::new(threads));
        let record: Arc<Vec<AtomicU8>> =
            Arc::new((0..threads * generations).map(|_| AtomicU8::new(u8::MAX)).collect());
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (barrier, record) = (Arc::clone(&barrier), Arc::clone(&record));
                thread::spawn(move || {
                    for generation in 0..generations {
                        let index = barrier.wait().unwrap();
                        record[generation * threads + t].store(index as u8, Relaxed);
                    }
                })
            })
            .collect();
        handles.into_iter().for_each(|h| h.join().unwrap());
        for generation in 0..generations {
            let mut seen: Vec<u8> =
                (0..threads).map(|t| record[generation * threads + t].load(Relaxed)).collect();
            seen.sort_unstable();
            assert_eq!(seen, (0..threads as u8).collect::<Vec<_>>(), "generation {generation}");
        }
        assert!(!barrier.broken());
    }

    #[test]
    fn four_threads_100k_generations() {
        permutation_every_generation(4, if cfg!(miri) { 50 } else { 100_000 });
    }

    #[test]
    fn two_threads_100k_generations() {
        permutation_every_generation(2, if cfg!(miri) { 50 } else { 100_000 });
    }

    /// More threads than parties: generations fill from whoever comes, so a thread of
    /// generation g + 1 often arrives while the other party of g is still waking up. Every
    /// released generation hands out index 0 once and index 1 once. (The run ends with an
    /// abort, which frees the thread that may be left without a partner.)
    #[test]
    fn more_threads_than_parties() {
        const GENERATIONS: usize = if cfg!(miri) { 50 } else { 20_000 };
        let barrier = Arc::new(Barrier::new(2));
        let counts = Arc::new([AtomicUsize::new(0), AtomicUsize::new(0)]);
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let (barrier, counts) = (Arc::clone(&barrier), Arc::clone(&counts));
                thread::spawn(move || {
                    while let Ok(index) = barrier.wait() {
                        if counts[index].fetch_add(1, Relaxed) + 1 >= GENERATIONS {
                            barrier.abort();
                        }
                    }
                })
            })
            .collect();
        handles.into_iter().for_each(|h| h.join().unwrap());
        assert!(barrier.broken());
        assert_eq!(counts[0].load(Relaxed), counts[1].load(Relaxed));
        assert!(counts[0].load(Relaxed) >= GENERATIONS);
    }

    /// Timeouts and resets racing crossings: nothing hangs, every wait ends with Ok or
    /// Err, and the barrier always recovers after a reset.
    #[test]
    fn timeouts_and_resets_never_hang() {
        let barrier = Arc::new(Barrier::new(3));
        let handles: Vec<_> = (0..3)
            .map(|t| {
                let barrier = Arc::clone(&barrier);
                thread::spawn(move || {
                    let mut ok = 0;
                    for round in 0..if cfg!(miri) { 30 } else { 3_000u64 } {
                        let timeout = Duration::from_micros((round * (t + 1)) % 200);
                        match barrier.wait_timeout(timeout) {
                            Ok(index) => {
                                assert!(index < 3);
                                ok += 1;
                            }
                            Err(_) => barrier.reset(),
                        }
                    }
                    ok
                })
            })
            .collect();
        for handle in handles {
            handle.join().unwrap();
        }
        barrier.reset();
        assert!(!barrier.broken());
        assert_eq!(barrier.n_waiting(), 0);
    }
}
