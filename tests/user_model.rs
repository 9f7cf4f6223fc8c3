#![cfg(loom)]

use loom::sync::Arc;
use loom::thread;
use threading::{Condvar, Mutex};

/// A handoff that notifies after unlocking (correct, and common): the waiter still never
/// misses it, and sees the value.
#[test]
fn a_notify_after_the_unlock_is_not_lost() {
    loom::model(|| {
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
