//! loom models of this crate's own code over `threading`'s primitives. Run with
//! `RUSTFLAGS="--cfg loom" cargo test --release` (`LOOM_MAX_PREEMPTIONS=3` keeps it short).
#![cfg(loom)]

use downstream_loom::Tasks;
use loom::sync::Arc;
use loom::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use loom::thread;
use threading::Condition;

// README.md, "Model-check your own code", shows this test as it is.
/// Two workers each finish one task; `join` returns only once both are done, and sees
/// what they did before `task_done`.
#[test]
fn join_returns_after_every_task_done() {
    loom::model(|| {
        let tasks = Arc::new(Tasks::new());
        let work = Arc::new(AtomicUsize::new(0));
        tasks.add(2);
        let workers: Vec<_> = (0..2)
            .map(|_| {
                let (tasks, work) = (Arc::clone(&tasks), Arc::clone(&work));
                thread::spawn(move || {
                    work.fetch_add(1, Relaxed);
                    tasks.task_done();
                })
            })
            .collect();
        tasks.join();
        assert_eq!(work.load(Relaxed), 2);
        for worker in workers {
            worker.join().unwrap();
        }
    });
}

/// `Tasks::join` as it is easy to get wrong: look at the count before taking the lock,
/// then wait without looking again. The last `task_done` can notify between the look and
/// the wait, and the join then sleeps forever: loom finds that schedule and reports it.
#[test]
#[should_panic(expected = "deadlock")]
fn a_join_that_checks_outside_the_lock_loses_the_notification() {
    struct Buggy {
        all_done: Condition,
        unfinished: AtomicUsize,
    }
    loom::model(|| {
        // std's `Arc`, not loom's: loom 0.7 unwinds the deadlocked thread, and dropping a
        // loom `Arc` then panics again, which aborts the test instead of failing the model.
        let tasks = std::sync::Arc::new(Buggy {
            all_done: Condition::new(),
            unfinished: AtomicUsize::new(1),
        });
        let worker = {
            let tasks = std::sync::Arc::clone(&tasks);
            thread::spawn(move || {
                let guard = tasks.all_done.lock();
                tasks.unfinished.store(0, Relaxed);
                guard.notify_all();
            })
        };
        if tasks.unfinished.load(Relaxed) > 0 {
            let mut guard = tasks.all_done.lock(); // too late: the notify may be gone
            guard.wait();
        }
        worker.join().unwrap();
    });
}

/// A `static` of the crate's types (`downstream_loom::SHUTDOWN`, a `loom::lazy_static!`
/// under loom): fresh in every execution, so a waiter always needs this execution's
/// `shut_down`, and always gets it.
#[test]
fn a_static_event_wakes_its_waiter_in_every_execution() {
    loom::model(|| {
        let waiter = thread::spawn(downstream_loom::wait_for_shutdown);
        downstream_loom::shut_down();
        waiter.join().unwrap();
    });
}
