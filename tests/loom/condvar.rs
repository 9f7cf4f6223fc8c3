//! Loom check of the lock_api `Condvar`'s core (`threading::RawCondvar`) over a `Lock`,
//! paired with a cell, exactly what `Condvar::wait(&mut MutexGuard)` passes down. (Under
//! loom the faces themselves run over raw types built on first use, `src/mutex_model.rs`;
//! `tests/downstream` models them as a user would.)

use crate::check;
use loom::cell::UnsafeCell;
use loom::sync::Arc;
use loom::thread;
use threading::{Lock, RawCondvar};

/// `Mutex<Option<u32>>` + `Condvar`, spelled out.
struct Slot {
    mutex: Lock,
    ready: RawCondvar,
    data: UnsafeCell<Option<u32>>,
}

// SAFETY: `data` is only accessed while holding `mutex` (loom checks that).
unsafe impl Sync for Slot {}

/// The publisher writes the data under the mutex, unlocks, then notifies (the notify needs
/// no mutex). The consumer waits while the slot is empty: it never misses the notify (a
/// miss is a loom deadlock), reads the published value (loom flags a read the mutex does
/// not order after the write), and `notify_one` says true exactly when it woke it.
#[test]
fn condvar_publishes_the_data_and_never_misses_the_notify() {
    check(|| {
        let slot = Arc::new(Slot {
            mutex: Lock::new(),
            ready: RawCondvar::new(),
            data: UnsafeCell::new(None),
        });
        let consumer = thread::spawn({
            let slot = Arc::clone(&slot);
            move || {
                slot.mutex.acquire();
                let mut waits = 0;
                // SAFETY (each access): under `slot.mutex`.
                while slot.data.with(|d| unsafe { *d }).is_none() {
                    slot.ready.wait(&slot.mutex);
                    waits += 1;
                }
                let value = slot.data.with(|d| unsafe { *d });
                slot.mutex.release().unwrap();
                assert_eq!(value, Some(42));
                waits
            }
        });
        slot.mutex.acquire();
        // SAFETY: under `slot.mutex`.
        slot.data.with_mut(|d| unsafe { *d = Some(42) });
        slot.mutex.release().unwrap();
        let woke = slot.ready.notify_one();
        let waits = consumer.join().unwrap();
        assert!(waits <= 1, "no spurious wakeups: one notify, at most one wait");
        assert_eq!(usize::from(woke), waits);
    });
}
