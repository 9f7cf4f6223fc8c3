//! `Once` and `OnceState`: the behaviour of parking_lot 0.13's own Once tests, ported as
//! our own code, plus the re-entry panic and `OnceState`'s methods. Waiters are known to
//! be waiting by the `Once`'s own state or by channels, never by fixed sleeps.
#![cfg(not(loom))]

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Barrier, mpsc};
use std::thread;
use threading::{Once, OnceState};

fn panics(f: impl FnOnce()) -> String {
    let payload = catch_unwind(AssertUnwindSafe(f)).expect_err("expected a panic");
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}

#[test]
fn runs_once_and_later_calls_do_nothing() {
    static ONCE: Once = Once::new();
    let mut runs = 0;
    assert_eq!(ONCE.state(), OnceState::New);
    ONCE.call_once(|| runs += 1);
    ONCE.call_once(|| runs += 1);
    ONCE.call_once_force(|_| runs += 1);
    assert_eq!(runs, 1);
    assert!(ONCE.is_completed());
    ONCE.wait();
    ONCE.wait_force();
}

#[test]
fn a_stampede_runs_the_closure_exactly_once_and_all_see_it() {
    let once = Once::new();
    let runs = AtomicUsize::new(0);
    let start = Barrier::new(10);
    thread::scope(|s| {
        for _ in 0..10 {
            s.spawn(|| {
                start.wait();
                once.call_once(|| {
                    thread::yield_now(); // give the others time to pile up
                    runs.fetch_add(1, SeqCst);
                });
                assert_eq!(runs.load(SeqCst), 1, "returned before the run ended");
            });
        }
    });
    assert_eq!(runs.load(SeqCst), 1);
}

#[test]
fn wait_returns_once_another_thread_completes_it() {
    let once = Arc::new(Once::new());
    let value = Arc::new(AtomicUsize::new(0));
    let (started, started_rx) = mpsc::channel();
    let waiter = {
        let (once, value) = (Arc::clone(&once), Arc::clone(&value));
        thread::spawn(move || {
            started.send(()).unwrap();
            once.wait();
            value.load(SeqCst)
        })
    };
    started_rx.recv().unwrap();
    once.call_once(|| value.store(1, SeqCst));
    assert_eq!(waiter.join().unwrap(), 1);
}

#[test]
fn a_panicking_run_poisons_and_call_once_then_panics() {
    let once = Once::new();
    assert_eq!(panics(|| once.call_once(|| panic!("boom"))), "boom");
    assert_eq!(once.state(), OnceState::Poisoned);
    assert!(once.state().poisoned() && once.state().is_poisoned());
    assert_eq!(panics(|| once.call_once(|| {})), "Once instance has previously been poisoned");
    assert_eq!(panics(|| once.wait()), "Once instance has previously been poisoned");
    // Forcing runs, is told the state, and clears the poison for good.
    let mut told = None;
    once.call_once_force(|state| told = Some(state));
    assert_eq!(told, Some(OnceState::Poisoned));
    assert_eq!(once.state(), OnceState::Done);
    once.call_once(|| panic!("not run again"));
    once.wait();
}

#[test]
fn a_forced_run_that_panics_poisons_again() {
    let once = Once::new();
    let mut told = None;
    let _ = panics(|| {
        once.call_once_force(|state| {
            told = Some(state);
            panic!("first");
        })
    });
    assert_eq!(told, Some(OnceState::New));
    let _ = panics(|| {
        once.call_once_force(|state| {
            assert!(state.is_poisoned());
            panic!("second");
        })
    });
    assert!(once.state().is_poisoned());
}

#[test]
fn wait_force_waits_through_poison_until_a_forced_run_completes() {
    let once = Arc::new(Once::new());
    let _ = panics(|| once.call_once(|| panic!("boom")));
    let (started, started_rx) = mpsc::channel();
    let waiter = {
        let once = Arc::clone(&once);
        thread::spawn(move || {
            started.send(()).unwrap();
            once.wait_force();
            once.state()
        })
    };
    started_rx.recv().unwrap();
    once.call_once_force(|state| assert!(state.is_poisoned()));
    assert_eq!(waiter.join().unwrap(), OnceState::Done);
}

#[test]
fn callers_wait_for_a_forced_run_in_progress_and_do_not_run() {
    let once = Arc::new(Once::new());
    let _ = panics(|| once.call_once(|| panic!("boom")));
    let (inside, inside_rx) = mpsc::channel();
    let (finish, finish_rx) = mpsc::channel::<()>();
    let forced = {
        let once = Arc::clone(&once);
        thread::spawn(move || {
            once.call_once_force(|state| {
                assert!(state.is_poisoned());
                inside.send(()).unwrap();
                finish_rx.recv().unwrap();
            })
        })
    };
    inside_rx.recv().unwrap();
    assert_eq!(once.state(), OnceState::InProgress); // poison cleared while it runs
    let other = {
        let once = Arc::clone(&once);
        thread::spawn(move || {
            let mut ran = false;
            once.call_once(|| ran = true);
            ran
        })
    };
    finish.send(()).unwrap();
    forced.join().unwrap();
    assert!(!other.join().unwrap(), "a second closure ran");
    assert!(once.is_completed());
}

#[test]
fn a_run_that_panics_wakes_its_waiters_who_then_see_the_poison() {
    let once = Arc::new(Once::new());
    let (inside, inside_rx) = mpsc::channel();
    let (finish, finish_rx) = mpsc::channel::<()>();
    let runner = {
        let once = Arc::clone(&once);
        thread::spawn(move || {
            let _ = panics(|| {
                once.call_once(|| {
                    inside.send(()).unwrap();
                    finish_rx.recv().unwrap();
                    panic!("boom");
                })
            });
        })
    };
    inside_rx.recv().unwrap();
    let waiters: Vec<_> = (0..2)
        .map(|_| {
            let once = Arc::clone(&once);
            thread::spawn(move || panics(|| once.call_once(|| {})))
        })
        .collect();
    finish.send(()).unwrap();
    runner.join().unwrap();
    for waiter in waiters {
        assert_eq!(waiter.join().unwrap(), "Once instance has previously been poisoned");
    }
}

#[test]
fn new_completed_is_done_and_never_runs() {
    static ONCE: Once = Once::new_completed();
    assert_eq!(ONCE.state(), OnceState::Done);
    assert!(ONCE.state().done() && ONCE.state().is_completed() && !ONCE.state().poisoned());
    ONCE.call_once(|| panic!("ran"));
    ONCE.wait();
}

#[test]
fn debug_shows_the_state() {
    let once = Once::default();
    assert_eq!(format!("{once:?}"), "Once { state: New }");
    once.call_once(|| assert_eq!(format!("{once:?}"), "Once { state: InProgress }"));
    assert_eq!(format!("{once:?}"), "Once { state: Done }");
}

#[test]
fn once_state_methods() {
    use OnceState::*;
    for (state, poisoned, done) in [
        (New, false, false),
        (Poisoned, true, false),
        (InProgress, false, false),
        (Done, false, true),
    ] {
        assert_eq!((state.poisoned(), state.is_poisoned()), (poisoned, poisoned));
        assert_eq!((state.done(), state.is_completed()), (done, done));
        let copy = state;
        assert_eq!(copy, state);
    }
}

#[test]
fn calling_its_own_once_from_inside_the_run_panics_instead_of_hanging() {
    let once = Once::new();
    let message = panics(|| once.call_once(|| once.call_once(|| {})));
    assert!(message.contains("from inside its own closure"), "{message}");
    assert!(once.state().is_poisoned(), "the outer run unwound");
    let message = panics(|| once.call_once_force(|_| once.wait()));
    assert!(message.contains("from inside its own closure"), "{message}");
    // Nested runs of different Onces are fine.
    let inner = Once::new();
    once.call_once_force(|_| inner.call_once(|| {}));
    assert!(inner.is_completed() && once.is_completed());
}

/// A `Once` used by a thread-local's destructor at thread exit, after the thread used a
/// `Once` before (its own bookkeeping of runs already set up), in either order of the two
/// thread-locals' setup: every call, wait and nested run works there, as parking_lot's do.
#[test]
fn works_in_a_thread_local_destructor_at_thread_exit() {
    struct AtExit(Arc<AtomicUsize>);
    impl Drop for AtExit {
        fn drop(&mut self) {
            let outer = Once::new();
            let inner = Once::new();
            outer.call_once(|| {
                inner.call_once(|| {
                    self.0.fetch_add(1, SeqCst);
                })
            });
            outer.wait();
            inner.wait_force();
            let poisoned = Once::new();
            let _ = catch_unwind(AssertUnwindSafe(|| poisoned.call_once(|| panic!("poison"))));
            poisoned.call_once_force(|state| {
                assert!(state.poisoned());
                self.0.fetch_add(1, SeqCst);
            });
        }
    }
    thread_local! {
        static AT_EXIT: std::cell::RefCell<Option<AtExit>> = const { std::cell::RefCell::new(None) };
    }
    for once_first in [true, false] {
        let ran = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&ran);
        thread::spawn(move || {
            if once_first {
                Once::new().call_once(|| {});
            }
            AT_EXIT.with(|slot| *slot.borrow_mut() = Some(AtExit(counter)));
            if !once_first {
                Once::new().call_once(|| {});
            }
        })
        .join()
        .expect("the thread exits cleanly");
        assert_eq!(
            ran.load(SeqCst),
            2,
            "both runs in the destructor (Once used first: {once_first})"
        );
    }
}

mod stress {
    //! Many `Once`s, each raced by several threads: run by ThreadSanitizer and by Miri over
    //! several seeds (the `stress` filter), so that a caller that returns before the winner's
    //! writes are visible is a reported race.
    use std::cell::UnsafeCell;
    use std::sync::Arc;
    use std::thread;
    use threading::Once;

    /// A value written once, by the closure that `once` runs.
    struct Cell {
        once: Once,
        value: UnsafeCell<usize>,
    }
    // SAFETY: `value` is written only inside `once`'s closure and read only after
    // `call_once` returned, which orders it after that write.
    unsafe impl Sync for Cell {}

    #[test]
    fn racing_callers_run_each_once_once_and_all_see_its_value() {
        const THREADS: usize = 4;
        const ONCES: usize = if cfg!(miri) { 4 } else { 2_000 };
        let cells: Arc<Vec<Cell>> = Arc::new(
            (0..ONCES).map(|_| Cell { once: Once::new(), value: UnsafeCell::new(0) }).collect(),
        );
        let handles: Vec<_> = (0..THREADS)
            .map(|thread| {
                let cells = Arc::clone(&cells);
                thread::spawn(move || {
                    let mut ran = 0;
                    for (index, cell) in cells.iter().enumerate() {
                        cell.once.call_once(|| {
                            // SAFETY: the only write, inside the one run.
                            unsafe { *cell.value.get() = index + 1 };
                            ran += 1;
                        });
                        // SAFETY: call_once returned: the run's write happened before.
                        assert_eq!(unsafe { *cell.value.get() }, index + 1, "thread {thread}");
                    }
                    ran
                })
            })
            .collect();
        let runs: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
        assert_eq!(runs, ONCES);
    }
}
