//! Loom checks of `Once`: exactly one run, whose write every caller and waiter sees when
//! it returns; a panicking run poisons, wakes whoever waits, and a forced run completes it.

use crate::check;
use loom::cell::UnsafeCell;
use loom::sync::Arc;
use loom::sync::atomic::{AtomicBool, Ordering::SeqCst};
use loom::thread;
use std::panic::{AssertUnwindSafe, catch_unwind};
use threading::{Once, OnceState};

/// A value written only inside a run of `once`, read only after a call or wait returned:
/// loom flags a read the `Once`'s orderings do not order ("Causality violation").
struct Initialised {
    once: Once,
    value: UnsafeCell<u32>,
}

// SAFETY: `value` is written only by the one run and read only after `once` completed
// (which is what loom checks).
unsafe impl Sync for Initialised {}
unsafe impl Send for Initialised {}

impl Initialised {
    fn new() -> Arc<Self> {
        Arc::new(Initialised { once: Once::new(), value: UnsafeCell::new(0) })
    }

    fn run(&self) {
        // SAFETY: inside the one run.
        self.value.with_mut(|v| unsafe { *v += 1 });
    }

    fn get(&self) -> u32 {
        // SAFETY: after the run completed.
        self.value.with(|v| unsafe { *v })
    }
}

/// Three threads call at once: exactly one closure runs, and every caller returns only
/// after it, seeing its write.
#[test]
fn exactly_one_run_and_every_caller_sees_it() {
    check(|| {
        let data = Initialised::new();
        let others: Vec<_> = (0..2)
            .map(|_| {
                let data = Arc::clone(&data);
                thread::spawn(move || {
                    data.once.call_once(|| data.run());
                    assert_eq!(data.get(), 1);
                })
            })
            .collect();
        data.once.call_once(|| data.run());
        assert_eq!(data.get(), 1);
        for other in others {
            other.join().unwrap();
        }
        assert_eq!(data.once.state(), OnceState::Done);
    });
}

/// A thread in `wait` returns only after the run, seeing its write; a sleeping waiter is
/// always woken (a lost wake-up would be a loom deadlock).
#[test]
fn a_waiter_returns_after_the_run_and_sees_it() {
    check(|| {
        let data = Initialised::new();
        let waiter = {
            let data = Arc::clone(&data);
            thread::spawn(move || {
                data.once.wait();
                assert_eq!(data.get(), 1);
            })
        };
        data.once.call_once(|| data.run());
        waiter.join().unwrap();
    });
}

/// One thread's run panics while another forces a run and a third waits ignoring poison.
/// The forced closure runs exactly once, is told `Poisoned` exactly when the panicking run
/// came first, and completes the `Once`; the waiter is woken through the poisoning and
/// sees the forced run's write.
#[test]
fn a_panicking_run_poisons_and_a_forced_run_completes_for_the_waiters() {
    quiet_expected_panics();
    check(|| {
        let data = Initialised::new();
        let panicked_first = Arc::new(AtomicBool::new(false));
        let forced = {
            let (data, panicked_first) = (Arc::clone(&data), Arc::clone(&panicked_first));
            thread::spawn(move || {
                let mut told = None;
                data.once.call_once_force(|state| {
                    told = Some(state);
                    data.run();
                });
                let expected =
                    if panicked_first.load(SeqCst) { OnceState::Poisoned } else { OnceState::New };
                assert_eq!(told, Some(expected));
            })
        };
        let waiter = {
            let data = Arc::clone(&data);
            thread::spawn(move || {
                data.once.wait_force();
                assert_eq!(data.get(), 1);
            })
        };
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            data.once.call_once(|| {
                panicked_first.store(true, SeqCst);
                panic!("the run fails");
            })
        }));
        // Either our closure ran and panicked, or the forced run had completed first.
        assert_eq!(outcome.is_err(), panicked_first.load(SeqCst));
        forced.join().unwrap();
        waiter.join().unwrap();
        assert_eq!(data.once.state(), OnceState::Done);
        assert_eq!(data.get(), 1);
    });
}

/// The model panics on purpose in most of its executions: keep those panics out of the
/// output (printing each, with a backtrace, would take most of the run), and report every
/// other panic as before.
fn quiet_expected_panics() {
    static QUIET: std::sync::Once = std::sync::Once::new();
    QUIET.call_once(|| {
        let report = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if info.payload().downcast_ref::<&str>() != Some(&"the run fails") {
                report(info);
            }
        }));
    });
}
