//! Python's `queue.Queue` built on one `Lock` and three `Condition`s (the example's own
//! code, `examples/common/queue.rs`, included here): no item lost or duplicated under
//! 4 producers x 4 consumers, `join` returns only after every `task_done`, `task_done`
//! too often is an `Err`, and the non-blocking and timed forms report `Full` / `Empty`.

#[path = "../examples/common/queue.rs"]
mod queue;

use queue::{Empty, Full, Queue, TaskDoneError};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

#[test]
fn four_producers_four_consumers_lose_and_duplicate_nothing() {
    // Fewer under Miri, which interprets every step: the same paths, fewer times.
    const PER_PRODUCER: usize = if cfg!(miri) { 50 } else { 5_000 };
    let queue: Queue<Option<usize>> = Queue::new(4);
    let mut taken: Vec<usize> = thread::scope(|s| {
        let consumers: Vec<_> = (0..4)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    while let Some(item) = queue.get(true, None).unwrap() {
                        mine.push(item);
                        queue.task_done().unwrap();
                    }
                    queue.task_done().unwrap(); // the sentinel
                    mine
                })
            })
            .collect();
        let producers: Vec<_> = (0..4)
            .map(|p| {
                let queue = &queue;
                s.spawn(move || {
                    for i in 0..PER_PRODUCER {
                        queue.put(Some(p * PER_PRODUCER + i), true, None).unwrap();
                    }
                })
            })
            .collect();
        producers.into_iter().for_each(|p| p.join().unwrap());
        queue.join();
        for _ in 0..4 {
            queue.put(None, true, None).unwrap();
        }
        consumers.into_iter().flat_map(|c| c.join().unwrap()).collect()
    });
    assert_eq!(taken.len(), 4 * PER_PRODUCER, "nothing lost, nothing duplicated in count");
    taken.sort_unstable();
    assert!(taken.iter().copied().eq(0..4 * PER_PRODUCER), "every item exactly once");
    assert!(queue.empty());
}

#[test]
fn join_returns_only_after_every_task_done() {
    let queue: Queue<u32> = Queue::new(0);
    for i in 0..3 {
        queue.put(i, false, None).unwrap();
    }
    let done = AtomicUsize::new(0);
    let (joined_tx, joined_rx) = mpsc::channel();
    thread::scope(|s| {
        s.spawn(|| {
            queue.join();
            joined_tx.send(done.load(Relaxed)).unwrap();
        });
        for _ in 0..3 {
            queue.get_nowait().unwrap();
            // Items taken but not yet done: join must still be waiting.
            assert!(joined_rx.recv_timeout(Duration::from_millis(10)).is_err());
            done.fetch_add(1, Relaxed);
            queue.task_done().unwrap();
        }
        assert_eq!(joined_rx.recv().unwrap(), 3, "join saw all three task_done calls");
    });
    queue.join(); // nothing unfinished: returns at once
}

#[test]
fn task_done_too_often_is_an_error_and_changes_nothing() {
    let queue: Queue<u32> = Queue::new(0);
    assert_eq!(queue.task_done(), Err(TaskDoneError));
    assert_eq!(TaskDoneError.to_string(), "task_done() called too many times");
    queue.put(1, true, None).unwrap();
    assert_eq!(queue.get(true, None), Ok(1));
    assert_eq!(queue.task_done(), Ok(()));
    assert_eq!(queue.task_done(), Err(TaskDoneError));
    queue.join(); // the count stayed at zero
}

#[test]
fn full_and_empty_without_blocking_and_with_timeouts() {
    let queue: Queue<&str> = Queue::new(1);
    assert_eq!(queue.get_nowait(), Err(Empty));
    queue.put_nowait("a").unwrap();
    assert!(queue.full());
    assert_eq!(queue.put_nowait("b"), Err(Full("b")), "the item comes back");
    let start = Instant::now();
    assert_eq!(queue.put("c", true, Some(Duration::from_millis(20))), Err(Full("c")));
    assert!(start.elapsed() >= Duration::from_millis(20));
    assert_eq!(queue.get(true, Some(Duration::from_millis(20))), Ok("a"));
    let start = Instant::now();
    assert_eq!(queue.get(true, Some(Duration::from_millis(20))), Err(Empty));
    assert!(start.elapsed() >= Duration::from_millis(20));
    assert_eq!(queue.qsize(), 0);
}

#[test]
fn a_blocked_put_is_woken_by_a_get_and_a_blocked_get_by_a_put() {
    let queue: Queue<u32> = Queue::new(1);
    queue.put(1, true, None).unwrap();
    thread::scope(|s| {
        let putter = s.spawn(|| queue.put(2, true, Some(Duration::from_secs(60))));
        // The putter waits on not_full until this get makes room.
        assert_eq!(queue.get(true, None), Ok(1));
        assert_eq!(putter.join().unwrap(), Ok(()));
        assert_eq!(queue.get(true, None), Ok(2));
        let getter = s.spawn(|| queue.get(true, Some(Duration::from_secs(60))));
        queue.put(3, true, None).unwrap();
        assert_eq!(getter.join().unwrap(), Ok(3));
    });
}
