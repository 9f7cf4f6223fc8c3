//! Loom checks of `Event`.

use crate::check;
use loom::cell::UnsafeCell;
use loom::sync::Arc;
use loom::thread;
use std::time::Duration;
use threading::Event;

struct Mailbox {
    ready: Event,
    letter: UnsafeCell<u32>,
}

// SAFETY: `letter` is written before `ready.set()` and read after `ready` is seen set.
unsafe impl Sync for Mailbox {}

/// A waiter never sleeps through `set()`, and sees what the setter wrote before it.
#[test]
fn wait_sees_set_and_its_data() {
    check(|| {
        let mailbox = Arc::new(Mailbox { ready: Event::new(), letter: UnsafeCell::new(0) });
        let readers: Vec<_> = (0..2)
            .map(|_| {
                let mailbox = Arc::clone(&mailbox);
                thread::spawn(move || {
                    mailbox.ready.wait();
                    // SAFETY: written before set(), which wait() returning has ordered before us.
                    mailbox.letter.with(|v| unsafe { *v })
                })
            })
            .collect();
        // SAFETY: no reader looks before set().
        mailbox.letter.with_mut(|v| unsafe { *v = 7 });
        mailbox.ready.set();
        for reader in readers {
            assert_eq!(reader.join().unwrap(), 7);
        }
    });
}

/// set / clear / set racing a waiter: the waiter always returns (the final state is set).
#[test]
fn set_clear_set_never_strands_a_waiter() {
    check(|| {
        let event = Arc::new(Event::new());
        let waiter = {
            let event = Arc::clone(&event);
            thread::spawn(move || event.wait())
        };
        event.set();
        event.clear();
        event.set();
        waiter.join().unwrap();
        assert!(event.is_set());
    });
}

/// A timed wait racing `set()`: a true result comes with the setter's data; a false one
/// means the flag was not yet visible. Afterwards the event is set either way.
#[test]
fn wait_timeout_racing_set() {
    check(|| {
        let mailbox = Arc::new(Mailbox { ready: Event::new(), letter: UnsafeCell::new(0) });
        let reader = {
            let mailbox = Arc::clone(&mailbox);
            thread::spawn(move || {
                mailbox.ready.wait_timeout(Duration::from_secs(1)).then(|| {
                    // SAFETY: the flag was seen, so set() (and the write before it) happened before.
                    mailbox.letter.with(|v| unsafe { *v })
                })
            })
        };
        // SAFETY: no reader looks before set().
        mailbox.letter.with_mut(|v| unsafe { *v = 7 });
        mailbox.ready.set();
        let seen = reader.join().unwrap();
        assert!(matches!(seen, None | Some(7)), "{seen:?}");
        assert!(mailbox.ready.is_set());
    });
}

/// A pulse (`set(); clear()`) racing a timed waiter never hangs it and leaves the flag down.
/// (That a thread already asleep returns true from a pulse is tested with real threads in
/// `tests/event.rs`: loom cannot make a waiter be asleep before the pulse.)
#[test]
fn pulse_racing_a_timed_wait() {
    check(|| {
        let event = Arc::new(Event::new());
        let waiter = {
            let event = Arc::clone(&event);
            thread::spawn(move || event.wait_timeout(Duration::from_secs(1)))
        };
        event.set();
        event.clear();
        // Timed out before the pulse (false) or saw it (true); never hangs.
        let _ = waiter.join().unwrap();
        assert!(!event.is_set());
    });
}
