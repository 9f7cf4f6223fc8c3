//! loom models of this crate's own code over `threading`'s primitives. Run with
//! `RUSTFLAGS="--cfg loom" cargo test --release` (`LOOM_MAX_PREEMPTIONS=3` keeps it short).
#![cfg(loom)]

use downstream_loom::{BoundedBuffer, Cache, Tasks};
use loom::sync::Arc;
use loom::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use loom::thread;
use std::collections::VecDeque;
use std::time::Duration;
use threading::{Condition, Condvar, Event, Mutex, RwLock, Timer};

/// A producer puts 1, 2, 3 through a buffer of one item while the main thread takes them:
/// they arrive in order, and neither side ever sleeps through the other's notify (loom
/// reports a deadlock if one does, in any interleaving).
#[test]
fn buffer_hands_over_every_item_in_order() {
    loom::model(|| {
        let buffer = Arc::new(BoundedBuffer::new(1));
        let producer = {
            let buffer = Arc::clone(&buffer);
            thread::spawn(move || {
                for item in 1..=3 {
                    buffer.put(item);
                }
            })
        };
        let got: Vec<u32> = (0..3).map(|_| buffer.get()).collect();
        assert_eq!(got, [1, 2, 3]);
        producer.join().unwrap();
    });
}

/// `put` with the notify in the wrong place: before the item is in, in a critical section
/// of its own. A consumer that looks in between finds the buffer empty and waits for a
/// notify that has already been sent: loom finds that schedule and reports a deadlock.
#[test]
#[should_panic(expected = "deadlock")]
fn a_notify_before_the_item_is_in_is_lost() {
    struct Buggy {
        items: Mutex<VecDeque<u32>>,
        not_empty: Condvar,
    }
    loom::model(|| {
        // std's `Arc`: see `a_join_that_checks_outside_the_lock_loses_the_notification`.
        let buffer = std::sync::Arc::new(Buggy {
            items: Mutex::new(VecDeque::new()),
            not_empty: Condvar::new(),
        });
        let producer = {
            let buffer = std::sync::Arc::clone(&buffer);
            thread::spawn(move || {
                buffer.not_empty.notify_one(); // BUG: nothing to take yet
                buffer.items.lock().push_back(7);
            })
        };
        let mut items = buffer.items.lock();
        buffer.not_empty.wait_while(&mut items, |items| items.is_empty());
        assert_eq!(items.pop_front(), Some(7));
        drop(items);
        producer.join().unwrap();
    });
}

/// A plain `static` lock_api face outlives loom's executions: its second execution is
/// refused with a message that says what to write instead (`loom::lazy_static!`).
#[test]
#[should_panic(expected = "loom::lazy_static!")]
fn a_plain_static_mutex_is_refused_with_what_to_write_instead() {
    static HITS: Mutex<u32> = Mutex::new(0);
    loom::model(|| {
        let other = thread::spawn(|| *HITS.lock() += 1);
        *HITS.lock() += 1;
        other.join().unwrap();
    });
}

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
        // loom `Arc` then can panic again, which aborts the test binary.
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

/// A `Timer` in a model: under loom its interval may end at any moment after `start` (there
/// is no clock), so loom tries the timer firing before, during and after the `cancel`. The
/// function runs exactly when the cancel lost. The timer's threads are loom threads, and
/// the model waits for them last (loom tears down its statics when the model returns).
#[test]
fn a_timer_fires_unless_cancelled_first() {
    loom::model(|| {
        let fired = Arc::new(Event::new());
        let timer = {
            let fired = Arc::clone(&fired);
            Timer::new(Duration::from_secs(60), move || fired.set())
        };
        timer.start().unwrap();
        timer.cancel();
        timer.join();
        assert_eq!(fired.is_set(), !timer.is_cancelled());
        threading::diagnostics::join_timer_scheduler();
    });
}

/// Two threads ask the `Cache` (an `RwLock` with an upgradable read) for the same missing
/// key at once: whatever the interleaving, the value is computed once and both get it.
#[test]
fn a_cache_computes_each_value_once() {
    loom::model(|| {
        let cache = Arc::new(Cache::new());
        let computed = Arc::new(AtomicUsize::new(0));
        let ask = {
            let (cache, computed) = (Arc::clone(&cache), Arc::clone(&computed));
            move || {
                cache.get_or_compute("answer", || {
                    computed.fetch_add(1, Relaxed);
                    42
                })
            }
        };
        let other = thread::spawn(ask.clone());
        assert_eq!(ask(), 42);
        assert_eq!(other.join().unwrap(), 42);
        assert_eq!(computed.load(Relaxed), 1, "computed twice");
        assert_eq!(cache.get(&"answer"), Some(42));
    });
}

/// The same cache with the classic bug: it looks with a read lock, and on a miss computes
/// and inserts under a write lock without looking again. Two threads that both miss both
/// compute: loom finds that interleaving.
#[test]
#[should_panic(expected = "computed twice")]
fn a_cache_that_does_not_look_again_under_the_write_lock_computes_twice() {
    loom::model(|| {
        // std's `Arc`: see `a_join_that_checks_outside_the_lock_loses_the_notification`.
        let values = std::sync::Arc::new(RwLock::new(None));
        let computed = std::sync::Arc::new(AtomicUsize::new(0));
        let ask = {
            let (values, computed) = (values.clone(), computed.clone());
            move || {
                if let Some(value) = *values.read() {
                    return value;
                }
                computed.fetch_add(1, Relaxed); // BUG: another thread may be computing too
                *values.write() = Some(42);
                42
            }
        };
        let other = thread::spawn(ask.clone());
        ask();
        other.join().unwrap();
        assert_eq!(computed.load(Relaxed), 1, "computed twice");
    });
}
