//! Size targets from ARCHITECTURE.md ("Performance targets"): `Lock` and `Event` are one 32-bit word each, `Semaphore`
//! fits in 8 bytes and `Condition` (its lock plus its waiter queue) in 24; the data-owning
//! `Mutex<()>` and `FairMutex<()>` are their `Lock` alone, 4 bytes; `Once` is one word.
//!
//! Sizes of the types without a target, as measured on x86_64 Linux (see
//! `sizes_for_the_record`, which prints them with `--nocapture`):
//! `RLock` 16 bytes (a 4-byte `Lock`, a 4-byte depth and an 8-byte owner id),
//! `BoundedSemaphore` 12 bytes (the 8-byte permit counter plus its 4-byte bound),
//! `Condvar` 24 bytes (the 16-byte waiter queue plus the address of its current mutex),
//! `Condition<&Lock>` 24 bytes (a pointer to the shared lock plus the waiter queue).
#![cfg(not(loom))]

use std::mem::size_of;
use threading::{BoundedSemaphore, Condition, Event, Lock, RLock, Semaphore};

#[test]
fn lock_is_one_word() {
    assert_eq!(size_of::<Lock>(), 4);
}

#[test]
fn event_is_one_word() {
    assert_eq!(size_of::<Event>(), 4);
}

#[test]
fn semaphore_fits_in_8_bytes() {
    assert!(size_of::<Semaphore>() <= 8, "Semaphore is {} bytes", size_of::<Semaphore>());
}

#[test]
fn condition_fits_in_24_bytes() {
    assert!(size_of::<Condition>() <= 24, "Condition is {} bytes", size_of::<Condition>());
}

#[test]
fn mutex_of_unit_is_one_word() {
    assert_eq!(size_of::<threading::Mutex<()>>(), 4);
    assert_eq!(size_of::<threading::Mutex<u32>>(), 8);
}

#[test]
fn fair_mutex_of_unit_and_once_are_one_word() {
    assert_eq!(size_of::<threading::FairMutex<()>>(), 4);
    assert_eq!(size_of::<threading::Once>(), 4);
}

#[test]
fn guards_are_one_pointer() {
    // A guard only needs to know what to release.
    assert_eq!(size_of::<threading::LockGuard<'_>>(), size_of::<usize>());
    assert_eq!(size_of::<Option<threading::LockGuard<'_>>>(), size_of::<usize>());
}

#[test]
fn sizes_for_the_record() {
    for (name, size) in [
        ("Lock", size_of::<Lock>()),
        ("RLock", size_of::<RLock>()),
        ("Event", size_of::<Event>()),
        ("Semaphore", size_of::<Semaphore>()),
        ("BoundedSemaphore", size_of::<BoundedSemaphore>()),
        ("Condition", size_of::<Condition>()),
        ("Condition<&Lock>", size_of::<Condition<&Lock>>()),
        ("Condvar", size_of::<threading::Condvar>()),
        ("Mutex<()>", size_of::<threading::Mutex<()>>()),
    ] {
        println!("size_of::<{name}>() = {size}");
    }
}
