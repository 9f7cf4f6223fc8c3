//! parking_lot's cargo features, where this crate has them: run with
//! `cargo test --test features --features arc_lock,send_guard` (without features only the
//! defaults are checked). `serde`, `owning_ref` and `nightly` are checked to build (and lint
//! clean) by `cargo clippy --all-targets --all-features`; `.ci/run` runs both.
#![cfg(not(loom))]

#[cfg(feature = "arc_lock")]
use std::sync::Arc;
use threading::{FairMutex, Mutex};
#[cfg(feature = "send_guard")]
use threading::{RecursiveRwLock, RwLock};

/// Without `send_guard`, guards stay on their thread, as parking_lot's: that is checked by
/// the type system only (a `Send` bound on a guard would not compile).
#[test]
fn guards_lock_and_unlock() {
    let mutex = Mutex::new(1);
    *mutex.lock() += 1;
    assert_eq!(*FairMutex::new(2).lock(), 2);
    assert_eq!(*mutex.lock(), 2);
}

#[cfg(feature = "send_guard")]
#[test]
fn send_guard_makes_guards_send_and_another_thread_may_unlock() {
    fn assert_send<T: Send>(_: &T) {}
    let mutex = Mutex::new(0);
    let mut guard = mutex.lock();
    assert_send(&guard);
    *guard = 7;
    // Unlocked on another thread: sound, a Lock may be released by any thread.
    std::thread::scope(|s| s.spawn(move || drop(guard)).join().unwrap());
    assert_eq!(*mutex.lock(), 7);
    let fair = FairMutex::new(());
    assert_send(&fair.lock());
    assert_send(&threading::MutexGuard::map(mutex.lock(), |v| v));
    // The rwlocks' guards too, as parking_lot's: a reader released on another thread.
    let rwlock = RwLock::new(1);
    let reader = rwlock.read();
    assert_send(&reader);
    std::thread::scope(|s| s.spawn(move || assert_eq!(*reader, 1)).join().unwrap());
    assert_send(&rwlock.write());
    assert_send(&rwlock.upgradable_read());
    let recursive = RecursiveRwLock::new(());
    assert_send(&recursive.read());
    *rwlock.write() = 2;
    assert_eq!(*rwlock.read(), 2);
}

#[cfg(feature = "arc_lock")]
#[test]
fn arc_lock_guards_keep_the_mutex_alive() {
    let mutex = Arc::new(Mutex::new(vec![1]));
    let mut guard: threading::ArcMutexGuard<threading::RawMutex, Vec<i32>> = mutex.lock_arc();
    guard.push(2);
    drop(guard);
    assert_eq!(*mutex.lock(), [1, 2]);
    assert!(Mutex::try_lock_arc(&mutex).is_some());
}
