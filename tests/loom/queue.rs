//! Loom checks of `Queue` (one lock, three conditions): a put and a get never lose or
//! duplicate an item, a `get` or `put` blocked when `shutdown` comes always wakes and
//! fails, and `join` returns exactly when the last item is marked done, in every
//! interleaving (the `scripts/teeth/queue_*.toml` bugs make these tests fail).

use crate::check;
use loom::sync::Arc;
use loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use loom::thread;
use threading::{GetError, PutError, Queue};

/// A producer puts two items into a queue of capacity one (so its second put may wait for
/// room); the main thread gets twice. Both items arrive, once each, in order: the second
/// put waits for the first get, the second get for the second put.
#[test]
fn put_and_get_never_lose_or_duplicate_an_item() {
    check(|| {
        let queue = Arc::new(Queue::new(1));
        let producer = thread::spawn({
            let queue = Arc::clone(&queue);
            move || {
                queue.put(1).unwrap();
                queue.put(2).unwrap();
            }
        });
        assert_eq!(queue.get(), Ok(1));
        assert_eq!(queue.get(), Ok(2));
        producer.join().unwrap();
        assert!(queue.empty());
    });
}

/// A getter on an empty queue, racing `shutdown`: whether it comes before, after or while
/// the getter sleeps, the get ends with `ShutDown` (a lost wake-up is a loom deadlock).
#[test]
fn a_blocked_get_always_wakes_on_shutdown() {
    check(|| {
        let queue: Arc<Queue<u32>> = Arc::new(Queue::new(1));
        let getter = thread::spawn({
            let queue = Arc::clone(&queue);
            move || queue.get()
        });
        queue.shutdown(false);
        assert_eq!(getter.join().unwrap(), Err(GetError::ShutDown));
    });
}

/// A putter on a full queue, racing `shutdown`: the put ends with `ShutDown` and hands its
/// item back, whenever the shutdown comes.
#[test]
fn a_blocked_put_always_wakes_on_shutdown() {
    check(|| {
        let queue = Arc::new(Queue::new(1));
        queue.put(1).unwrap();
        let putter = thread::spawn({
            let queue = Arc::clone(&queue);
            move || queue.put(2)
        });
        queue.shutdown(false);
        assert_eq!(putter.join().unwrap(), Err(PutError::ShutDown(2)));
        assert_eq!(queue.get(), Ok(1), "a shut-down queue still hands out what it holds");
    });
}

/// Two items queued; a worker takes each, counts it, and marks it done. The main thread's
/// `join` returns only after both were counted (never early), and always returns (the last
/// `task_done` wakes it however the two interleave).
#[test]
fn join_returns_exactly_when_the_last_item_is_done() {
    check(|| {
        let queue = Arc::new(Queue::new(0));
        queue.put(1).unwrap();
        queue.put(2).unwrap();
        let done = Arc::new(AtomicUsize::new(0));
        let worker = thread::spawn({
            let (queue, done) = (Arc::clone(&queue), Arc::clone(&done));
            move || {
                for _ in 0..2 {
                    queue.get().unwrap();
                    done.fetch_add(1, SeqCst);
                    queue.task_done().unwrap();
                }
            }
        });
        queue.join();
        assert_eq!(done.load(SeqCst), 2, "join returned before the last task_done");
        worker.join().unwrap();
    });
}
