//! Behaviour of `Event` (Python's `threading.Event`), a proptest model, and a stress test.
#![cfg(not(loom))]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};
use threading::Event;

mod support;

#[test]
fn set_clear_is_set() {
    let event = Event::new();
    assert!(!event.is_set());
    event.set();
    assert!(event.is_set());
    event.set(); // setting twice is fine
    assert!(event.is_set());
    event.clear();
    assert!(!event.is_set());
    event.clear();
    assert!(!event.is_set());
    assert!(!Event::default().is_set());
    static STATIC_EVENT: Event = Event::new();
    assert!(!STATIC_EVENT.is_set());
}

#[test]
fn wait_returns_at_once_when_set() {
    let event = Event::new();
    event.set();
    event.wait();
    assert!(event.wait_timeout(Duration::ZERO));
    assert!(event.wait_timeout(Duration::from_secs(60)));
}

#[test]
fn wait_timeout_returns_the_flag() {
    let event = Event::new();
    assert!(!event.wait_timeout(Duration::ZERO));
    let start = Instant::now();
    assert!(!event.wait_timeout(Duration::from_millis(50)));
    let waited = start.elapsed();
    assert!(waited >= Duration::from_millis(50), "gave up early: {waited:?}");
    assert!(waited < Duration::from_secs(10), "took far too long: {waited:?}");
}

#[test]
fn set_wakes_every_waiter() {
    let event = Arc::new(Event::new());
    let started = Arc::new(AtomicU64::new(0));
    let waiters: Vec<_> = (0..4)
        .map(|i| {
            let (event, started) = (Arc::clone(&event), Arc::clone(&started));
            thread::spawn(move || {
                started.fetch_add(1, Ordering::Relaxed);
                if i % 2 == 0 {
                    event.wait_timeout(Duration::MAX)
                } else {
                    event.wait();
                    true
                }
            })
        })
        .collect();
    while started.load(Ordering::Relaxed) < 4 {
        thread::yield_now();
    }
    event.set();
    for waiter in waiters {
        assert!(waiter.join().unwrap());
    }
}

#[test]
fn set_publishes_what_was_written_before_it() {
    for _ in 0..if cfg!(miri) { 10 } else { 200 } {
        let event = Arc::new(Event::new());
        let data = Arc::new(AtomicU64::new(0));
        let reader = {
            let (event, data) = (Arc::clone(&event), Arc::clone(&data));
            thread::spawn(move || {
                event.wait();
                data.load(Ordering::Relaxed)
            })
        };
        data.store(42, Ordering::Relaxed);
        event.set();
        assert_eq!(reader.join().unwrap(), 42);
    }
}

#[test]
fn a_set_clear_pulse_releases_threads_already_waiting() {
    // Python: wait() returns True for a thread that was waiting when set() happened, even
    // if clear() follows immediately. We check it with a waiter that is surely asleep.
    let event = Arc::new(Event::new());
    let waiter = {
        let event = Arc::clone(&event);
        thread::spawn(move || event.wait_timeout(Duration::from_secs(60)))
    };
    thread::sleep(Duration::from_millis(50)); // let it fall asleep (timing only)
    event.set();
    event.clear();
    assert!(waiter.join().unwrap(), "the pulse was seen");
    assert!(!event.is_set());
}

#[test]
fn clear_then_wait_blocks_again() {
    let event = Arc::new(Event::new());
    event.set();
    event.clear();
    assert!(!event.wait_timeout(Duration::from_millis(20)));
    let waiter = {
        let event = Arc::clone(&event);
        thread::spawn(move || {
            event.wait();
            event.is_set()
        })
    };
    event.set();
    assert!(waiter.join().unwrap());
}

#[test]
fn debug_send_sync() {
    let event = Event::new();
    assert_eq!(format!("{event:?}"), "Event { is_set: false }");
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Event>();
}

mod model {
    //! Random single-threaded sequences against a model: a bool.
    use proptest::prelude::*;
    use std::time::Duration;
    use threading::Event;

    proptest! {
        #![proptest_config(crate::support::proptest_config(ProptestConfig::default()))]
        #[test]
        fn behaves_like_a_flag(ops in proptest::collection::vec(0u8..4, 1..64)) {
            let event = Event::new();
            let mut flag = false;
            for op in ops {
                match op {
                    0 => { event.set(); flag = true; }
                    1 => { event.clear(); flag = false; }
                    2 => prop_assert_eq!(event.wait_timeout(Duration::ZERO), flag),
                    _ => prop_assert_eq!(event.wait_timeout(Duration::from_micros(100)), flag),
                }
                prop_assert_eq!(event.is_set(), flag);
            }
        }
    }
}

#[test]
fn stress_ping_pong_exact_rounds() {
    // Two events used as a ping-pong: every round each side waits, clears, and sets the other.
    const ROUNDS: u64 = if cfg!(miri) { 200 } else { 100_000 };
    let ping = Arc::new(Event::new());
    let pong = Arc::new(Event::new());
    let counter = Arc::new(AtomicU64::new(0));
    let other = {
        let (ping, pong, counter) = (ping.clone(), pong.clone(), counter.clone());
        thread::spawn(move || {
            for _ in 0..ROUNDS {
                ping.wait();
                ping.clear();
                counter.fetch_add(1, Ordering::Relaxed);
                pong.set();
            }
        })
    };
    for round in 0..ROUNDS {
        ping.set();
        pong.wait();
        pong.clear();
        assert_eq!(counter.load(Ordering::Relaxed), round + 1);
    }
    other.join().unwrap();
}
