//! Loom checks of `RLock`.

use crate::check;
use loom::cell::UnsafeCell;
use loom::sync::Arc;
use loom::thread;
use threading::{RLock, ReleaseError};

struct Shared {
    rlock: RLock,
    value: UnsafeCell<u32>,
}

// SAFETY: `value` is only accessed while `rlock` is held (which is what loom checks).
unsafe impl Sync for Shared {}

/// Two threads each re-enter twice and increment in between: mutual exclusion holds
/// across re-entry, ownership is per thread, and the last release frees the lock.
#[test]
fn reentry_across_threads() {
    check(|| {
        let shared = Arc::new(Shared { rlock: RLock::new(), value: UnsafeCell::new(0) });
        let other = {
            let shared = Arc::clone(&shared);
            thread::spawn(move || {
                let _outer = shared.rlock.lock();
                // SAFETY: we hold the lock.
                shared.value.with_mut(|v| unsafe { *v += 1 });
                let _inner = shared.rlock.lock();
                assert!(shared.rlock.is_owned());
                // SAFETY: we hold the lock.
                shared.value.with_mut(|v| unsafe { *v += 1 });
            })
        };
        shared.rlock.acquire();
        shared.rlock.acquire();
        // SAFETY: we hold the lock.
        shared.value.with_mut(|v| unsafe { *v += 10 });
        shared.rlock.release().unwrap();
        assert!(shared.rlock.is_owned());
        shared.rlock.release().unwrap();
        assert!(!shared.rlock.is_owned());
        assert_eq!(shared.rlock.release(), Err(ReleaseError::NotOwner));
        other.join().unwrap();
        let _g = shared.rlock.lock();
        // SAFETY: we hold the lock.
        assert_eq!(shared.value.with(|v| unsafe { *v }), 12);
    });
}

/// A non-owner's release is refused whatever the holder is doing at that moment.
#[test]
fn non_owner_release_is_refused_concurrently() {
    check(|| {
        let rlock = Arc::new(RLock::new());
        let holder = {
            let rlock = Arc::clone(&rlock);
            thread::spawn(move || {
                let _g = rlock.lock();
                let _g2 = rlock.lock();
            })
        };
        assert_eq!(rlock.release(), Err(ReleaseError::NotOwner));
        holder.join().unwrap();
        assert!(rlock.try_acquire());
        rlock.release().unwrap();
    });
}
