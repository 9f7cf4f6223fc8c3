//! Loom checks of what exists for users' own models (README, "Model-check your own code"):
//! the lock_api faces under loom (`src/mutex_model.rs`: raw types built on first use in each
//! execution), and guards that do nothing while a failed model unwinds.

use crate::check;
use loom::sync::Arc;
use loom::thread;
use threading::{Condition, Condvar, Mutex};

/// A `Mutex` + `Condvar` handoff that notifies after unlocking, with the faces built by
/// whichever thread uses them first: the waiter never misses the notify (a miss is a loom
/// deadlock) and sees the value, and no thread's use races the build of the faces' loom
/// atomics and cells (loom would report a causality violation).
#[test]
fn faces_built_on_first_use_hand_over_after_the_unlock() {
    check(|| {
        let slot = Arc::new((Mutex::new(None), Condvar::new()));
        let sender = {
            let slot = Arc::clone(&slot);
            thread::spawn(move || {
                *slot.0.lock() = Some(7);
                slot.1.notify_one();
            })
        };
        let mut value = slot.0.lock();
        slot.1.wait_while(&mut value, |value| value.is_none());
        assert_eq!(*value, Some(7));
        drop(value);
        sender.join().unwrap();
    });
}

/// A model whose main thread waits forever (nobody notifies) while holding a
/// `ConditionGuard` fails with loom's "deadlock", as a user's `should_panic` model expects:
/// when loom unwinds the sleeping thread, the guard's drop does nothing instead of touching
/// loom's atomics, which would panic again and abort the test binary.
#[test]
#[should_panic(expected = "deadlock")]
fn a_deadlocked_model_fails_instead_of_aborting() {
    check(|| {
        // std's `Arc`: dropping a loom `Arc` while loom unwinds can abort too.
        let cond = std::sync::Arc::new(Condition::new());
        let mut guard = cond.lock();
        guard.wait();
    });
}
