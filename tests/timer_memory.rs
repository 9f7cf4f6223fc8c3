//! The timer scheduler gives its memory back as soon as its queue empties, not only when its
//! thread ends (an idle while later): measured in live bytes, by a counting global allocator
//! that this test binary alone installs (so it has a single test: another running beside it
//! would move the count).
#![cfg(not(loom))]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Duration;
use threading::Timer;

/// The system allocator, counting the bytes it has handed out and not yet got back.
struct Counting;

static LIVE_BYTES: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed to the system allocator unchanged; only a counter is added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        let block = unsafe { System.alloc(layout) };
        if !block.is_null() {
            // Relaxed: a counter that orders nothing.
            LIVE_BYTES.fetch_add(layout.size(), Ordering::Relaxed);
        }
        block
    }

    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract, passed on.
        unsafe { System.dealloc(block, layout) };
        LIVE_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        let moved = unsafe { System.realloc(block, layout, new_size) };
        if !moved.is_null() {
            LIVE_BYTES.fetch_add(new_size, Ordering::Relaxed);
            LIVE_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        moved
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn live_bytes() -> usize {
    LIVE_BYTES.load(Ordering::Relaxed)
}

const TIMERS: usize = if cfg!(miri) { 2_000 } else { 100_000 };
/// Long enough that a timer that does not fire within it is broken, not slow.
const PATIENCE: Duration = Duration::from_secs(30);
/// What may stay allocated after the churn, for reasons other than the queue (a thread
/// that ran a function still on its way out, say): far less than the queue of `TIMERS`
/// entries held (32 bytes each, the capacity rounded up to a power of two: 4 MiB).
const SLACK: usize = 256 * 1024;

#[test]
fn the_queue_gives_its_memory_back_once_it_empties() {
    // A first timer starts the scheduler thread, whose own allocations stay.
    let warm_up = Timer::new(Duration::ZERO, || {});
    warm_up.start().unwrap();
    assert!(warm_up.join_timeout(PATIENCE));
    drop(warm_up);
    let before = live_bytes();

    // Many pending timers, all cancelled: the queue holds an entry for each until it finds
    // them on top.
    let timers: Vec<Timer> = (0..TIMERS)
        .map(|i| Timer::new(Duration::from_secs(3600) + Duration::from_micros(i as u64), || {}))
        .collect();
    for timer in &timers {
        timer.start().unwrap();
    }
    let peak = live_bytes();
    for timer in &timers {
        timer.cancel();
    }
    drop(timers);

    // One more, due at once: the scheduler's pass that takes it also drops every cancelled
    // entry (they come to the top behind it), so the queue is empty before its function runs.
    let (fired_tx, fired) = mpsc::channel();
    let last = Arc::new(Timer::new(Duration::ZERO, move || fired_tx.send(()).unwrap()));
    last.start().unwrap();
    fired.recv_timeout(PATIENCE).expect("the last timer fired");
    assert!(last.join_timeout(PATIENCE));
    drop(last);
    drop(fired);
    let after = live_bytes();

    println!("live bytes: {before} before, {peak} with {TIMERS} timers pending, {after} after");
    assert!(peak > before + TIMERS * 32, "the queue held an entry per timer");
    assert!(
        after <= before + SLACK,
        "the emptied queue kept {} bytes ({before} before, {peak} at the peak, {after} after)",
        after.saturating_sub(before)
    );
}
