//! Loom checks of what exists for users' own models (README, "Model-check your own code"):
//! the lock_api faces under loom (`src/mutex_model.rs`: raw types built on first use in each
//! execution), and guards that do nothing while a failed model unwinds.

use crate::check;
use loom::sync::Arc;
use loom::thread;
use std::collections::VecDeque;
use threading::{Condition, Condvar, Mutex};

/// Two values handed over through `Mutex` + `Condvar`, each notified after the unlock, with
/// the faces built by whichever thread uses them first: the receiver never misses a notify
/// (a miss is a loom deadlock) and gets both values, in order.
#[test]
fn faces_built_on_first_use_hand_over_after_the_unlock() {
    check(|| {
        let slot = Arc::new((Mutex::new(VecDeque::new()), Condvar::new()));
        let sender = {
            let slot = Arc::clone(&slot);
            thread::spawn(move || {
                for value in 1..=2 {
                    slot.0.lock().push_back(value);
                    slot.1.notify_one();
                }
            })
        };
        for expected in 1..=2 {
            let mut values = slot.0.lock();
            slot.1.wait_while(&mut values, |values| values.is_empty());
            assert_eq!(values.pop_front(), Some(expected));
        }
        sender.join().unwrap();
    });
}

/// A `Condvar` whose first use is a notify that comes before anything else (nobody waits
/// yet: harmless, and correct code). The receiver's wait is then its first use, and nothing
/// in the user's code orders it after the sender's build of the `Condvar`: the faces' own
/// first-use ordering must, or loom reports the build racing the wait as a causality
/// violation in correct code.
#[test]
fn a_face_first_used_by_another_thread_does_not_race_its_build() {
    check(|| {
        let slot = Arc::new((Mutex::new(None), Condvar::new()));
        let sender = {
            let slot = Arc::clone(&slot);
            thread::spawn(move || {
                slot.1.notify_one(); // nobody to wake yet
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
