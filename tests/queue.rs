//! `threading::Queue`, `LifoQueue`, `PriorityQueue` and `SimpleQueue` (Python 3.13's
//! `queue` module): every method and error, FIFO / LIFO / priority order, `Duration::ZERO`
//! and `Duration::MAX` timeouts, `shutdown` with and without `immediate` (blocked puts and
//! gets woken, gets draining first, dropped items counted done and dropped outside the
//! lock), `task_done` / `join`, many producers and consumers with exact counts, and a
//! proptest of random single-thread sequences against a `VecDeque` model.
//!
//! A thread "blocked" in `get`, `put` or `join` is observed through the queue's `Debug`
//! (`getters_waiting: 1`...), never assumed after a sleep.
#![cfg(not(loom))]

use proptest::prelude::*;
use std::collections::VecDeque;
use std::fmt::Debug;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, OnceLock, mpsc};
use std::thread;
use std::time::{Duration, Instant};
mod support;

use threading::{
    Event, GetError, LifoQueue, Prioritized, PriorityQueue, PutError, Queue, SimpleQueue,
    TaskDoneError,
};

/// Yields until the queue's `Debug` shows `what` (e.g. `"getters_waiting: 1"`).
fn until(queue: &impl Debug, what: &str) {
    while !format!("{queue:?}").contains(what) {
        thread::yield_now();
    }
}

#[test]
fn the_types_are_send_and_sync_for_send_items() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Queue<Box<u8>>>();
    send_sync::<LifoQueue<std::cell::Cell<u8>>>(); // Send but not Sync items: still Sync
    send_sync::<PriorityQueue<u8>>();
    send_sync::<SimpleQueue<String>>();
}

#[test]
fn fifo_lifo_and_priority_orders() {
    let fifo = Queue::new(0);
    let lifo = LifoQueue::new(0);
    let priority = PriorityQueue::new(0);
    for i in [3, 1, 4, 1, 5, 9, 2, 6] {
        fifo.put(i).unwrap();
        lifo.put(i).unwrap();
        priority.put(i).unwrap();
    }
    let drain = |get: &dyn Fn() -> Result<i32, GetError>| -> Vec<i32> {
        std::iter::from_fn(|| get().ok()).collect()
    };
    assert_eq!(drain(&|| fifo.get_nowait()), [3, 1, 4, 1, 5, 9, 2, 6]);
    assert_eq!(drain(&|| lifo.get_nowait()), [6, 2, 9, 5, 1, 4, 1, 3]);
    assert_eq!(drain(&|| priority.get_nowait()), [1, 1, 2, 3, 4, 5, 6, 9]);
}

#[test]
fn priority_tuples_sort_by_priority_first() {
    let q = PriorityQueue::new(0);
    q.put((2, "b")).unwrap();
    q.put((1, "z")).unwrap();
    q.put((2, "a")).unwrap();
    assert_eq!(q.get(), Ok((1, "z")));
    assert_eq!(q.get(), Ok((2, "a")));
    assert_eq!(q.get(), Ok((2, "b")));
}

/// Python's `(priority, seq, callable)`: the payload cannot be compared, and needs not be
/// in a `Prioritized`, which orders by the priority alone; `(priority, seq)` as the
/// priority keeps equal priorities in insertion order.
#[test]
fn prioritized_items_need_no_ord_payload() {
    type Job = Box<dyn FnOnce() -> &'static str + Send>;
    let jobs: PriorityQueue<Prioritized<(u8, u32), Job>> = PriorityQueue::new(0);
    let mut seq = 0;
    let mut put = |priority: u8, job: Job| {
        seq += 1;
        jobs.put(Prioritized::new((priority, seq), job)).unwrap();
    };
    put(2, Box::new(|| "write"));
    put(1, Box::new(|| "read one"));
    put(3, Box::new(|| "sleep"));
    put(1, Box::new(|| "read two"));
    let order: Vec<&str> =
        std::iter::from_fn(|| jobs.get_nowait().ok().map(|job| (job.item)())).collect();
    assert_eq!(order, ["read one", "read two", "write", "sleep"]);
    // Ordered and equal by the priority alone, whatever the items.
    assert_eq!(Prioritized::new(1, "a"), Prioritized::new(1, "b"));
    assert!(Prioritized::new(1, 9) < Prioritized::new(2, 0));
}

#[test]
fn sizes_and_bounds() {
    let q = Queue::new(2);
    assert_eq!(q.maxsize(), 2);
    assert!(q.empty() && !q.full());
    q.put(1).unwrap();
    assert_eq!(q.qsize(), 1);
    assert!(!q.empty() && !q.full());
    q.put(2).unwrap();
    assert!(q.full());
    let unbounded = Queue::default();
    assert_eq!(unbounded.maxsize(), 0);
    for i in 0..1000 {
        unbounded.put_nowait(i).unwrap();
    }
    assert!(!unbounded.full(), "an unbounded queue is never full");
    assert_eq!(unbounded.qsize(), 1000);
}

#[test]
fn errors_say_which_case_and_hand_the_item_back() {
    let q = Queue::new(1);
    assert_eq!(q.get_nowait(), Err(GetError::Empty));
    q.put_nowait(String::from("a")).unwrap();
    let full = q.put_nowait(String::from("b")).unwrap_err();
    assert!(full.is_full() && !full.is_shut_down());
    assert_eq!(full.to_string(), "queue is full");
    assert_eq!(format!("{full:?}"), "Full(..)");
    assert_eq!(full.into_inner(), "b");
    assert_eq!(GetError::Empty.to_string(), "queue is empty");
    assert_eq!(GetError::ShutDown.to_string(), "queue is shut down");
    q.shutdown(false);
    let shut = q.put_nowait(String::from("c")).unwrap_err();
    assert!(shut.is_shut_down() && !shut.is_full());
    assert_eq!(shut.to_string(), "queue is shut down");
    assert_eq!(shut, PutError::ShutDown(String::from("c")));
    let _: &dyn std::error::Error = &shut;
    let _: &dyn std::error::Error = &GetError::Empty;
    assert_eq!(TaskDoneError.to_string(), "task_done() called too many times");
}

/// A type that is not `Debug`: `unwrap()` on a failed put still compiles and panics.
#[test]
#[should_panic(expected = "Full(..)")]
fn a_put_error_unwraps_without_debug_items() {
    struct Opaque;
    let q = Queue::new(1);
    q.put(Opaque).unwrap();
    q.put_nowait(Opaque).unwrap();
}

#[test]
fn timeouts_expire_with_full_and_empty() {
    let q = Queue::new(1);
    let start = Instant::now();
    assert_eq!(q.get_timeout(Duration::from_millis(20)), Err(GetError::Empty));
    assert!(start.elapsed() >= Duration::from_millis(20));
    q.put(1).unwrap();
    let start = Instant::now();
    assert_eq!(q.put_timeout(2, Duration::from_millis(20)), Err(PutError::Full(2)));
    assert!(start.elapsed() >= Duration::from_millis(20));
    assert_eq!(q.get_timeout(Duration::from_millis(20)), Ok(1));
}

#[test]
fn a_zero_timeout_tries_once_and_max_waits_forever() {
    let q = Queue::new(1);
    assert_eq!(q.get_timeout(Duration::ZERO), Err(GetError::Empty));
    assert_eq!(q.put_timeout(1, Duration::ZERO), Ok(()));
    assert_eq!(q.put_timeout(2, Duration::ZERO), Err(PutError::Full(2)));
    assert_eq!(q.get_timeout(Duration::ZERO), Ok(1));
    thread::scope(|s| {
        let getter = s.spawn(|| q.get_timeout(Duration::MAX));
        until(&q, "getters_waiting: 1");
        q.put(7).unwrap();
        assert_eq!(getter.join().unwrap(), Ok(7));
        q.put(8).unwrap();
        let putter = s.spawn(|| q.put_timeout(9, Duration::MAX));
        until(&q, "putters_waiting: 1");
        assert_eq!(q.get(), Ok(8));
        assert_eq!(putter.join().unwrap(), Ok(()));
        assert_eq!(q.get(), Ok(9));
    });
}

#[test]
fn a_blocked_put_is_woken_by_a_get_and_a_blocked_get_by_a_put() {
    let q = Queue::new(1);
    q.put(1).unwrap();
    thread::scope(|s| {
        let putter = s.spawn(|| q.put(2));
        until(&q, "putters_waiting: 1");
        assert_eq!(q.get(), Ok(1));
        assert_eq!(putter.join().unwrap(), Ok(()));
        assert_eq!(q.get(), Ok(2));
        let getter = s.spawn(|| q.get());
        until(&q, "getters_waiting: 1");
        q.put(3).unwrap();
        assert_eq!(getter.join().unwrap(), Ok(3));
    });
}

#[test]
fn task_done_too_often_is_an_error_and_changes_nothing() {
    let q = Queue::new(0);
    assert_eq!(q.task_done(), Err(TaskDoneError));
    q.put(1).unwrap();
    assert_eq!(q.get(), Ok(1));
    assert_eq!(q.task_done(), Ok(()));
    assert_eq!(q.task_done(), Err(TaskDoneError));
    q.join(); // the count stayed at zero: returns at once
    q.put(2).unwrap();
    assert!(format!("{q:?}").contains("unfinished_tasks: 1"), "{q:?}");
}

#[test]
fn join_returns_only_after_the_last_task_done() {
    let q = Queue::new(0);
    for i in 0..3 {
        q.put(i).unwrap();
    }
    let done = AtomicUsize::new(0);
    let (joined_tx, joined_rx) = mpsc::channel();
    thread::scope(|s| {
        s.spawn(|| {
            q.join();
            joined_tx.send(done.load(Relaxed)).unwrap();
        });
        until(&q, "joiners_waiting: 1");
        for _ in 0..3 {
            q.get_nowait().unwrap();
            assert!(joined_rx.try_recv().is_err(), "join returned before the last task_done");
            done.fetch_add(1, Relaxed);
            q.task_done().unwrap();
        }
        assert_eq!(joined_rx.recv().unwrap(), 3, "join saw all three task_done calls");
    });
}

#[test]
fn shutdown_fails_puts_and_lets_gets_drain_first() {
    for immediate in [false, true] {
        let q = Queue::new(0);
        q.put(1).unwrap();
        q.put(2).unwrap();
        q.shutdown(immediate);
        assert_eq!(q.put(3), Err(PutError::ShutDown(3)));
        assert_eq!(q.put_nowait(4), Err(PutError::ShutDown(4)));
        assert_eq!(q.put_timeout(5, Duration::from_secs(60)), Err(PutError::ShutDown(5)));
        if !immediate {
            assert_eq!(q.get(), Ok(1), "a shut-down queue hands out what it holds");
            assert_eq!(q.get_nowait(), Ok(2));
        }
        assert_eq!(q.get(), Err(GetError::ShutDown));
        assert_eq!(q.get_nowait(), Err(GetError::ShutDown), "not Empty");
        assert_eq!(q.get_timeout(Duration::from_secs(60)), Err(GetError::ShutDown));
        assert!(q.empty());
        q.shutdown(false); // again: harmless
        assert_eq!(q.put(6), Err(PutError::ShutDown(6)));
    }
}

#[test]
fn shutdown_wakes_every_blocked_get_and_put() {
    for immediate in [false, true] {
        let empty: Queue<u32> = Queue::new(1);
        let full = LifoQueue::new(1);
        full.put(0).unwrap();
        thread::scope(|s| {
            let getters: Vec<_> = (0..2).map(|_| s.spawn(|| empty.get())).collect();
            let full_ref = &full;
            let putters: Vec<_> = (1..3).map(|i| s.spawn(move || full_ref.put(i))).collect();
            until(&empty, "getters_waiting: 2");
            until(&full, "putters_waiting: 2");
            empty.shutdown(immediate);
            full.shutdown(immediate);
            for getter in getters {
                assert_eq!(getter.join().unwrap(), Err(GetError::ShutDown));
            }
            let mut back: Vec<u32> = putters
                .into_iter()
                .map(|p| {
                    let error = p.join().unwrap().unwrap_err();
                    assert!(error.is_shut_down());
                    error.into_inner()
                })
                .collect();
            back.sort();
            assert_eq!(back, [1, 2], "each putter got its own item back");
        });
        let left = if immediate { Err(GetError::ShutDown) } else { Ok(0) };
        assert_eq!(full.get(), left);
    }
}

/// A getter blocked on an empty queue while another thread puts and then shuts down takes
/// the item (it was queued before the shutdown), not the error.
#[test]
fn a_getter_gets_an_item_put_before_the_shutdown() {
    let q = Queue::new(0);
    thread::scope(|s| {
        let getter = s.spawn(|| q.get());
        until(&q, "getters_waiting: 1");
        // Whether the getter runs before or after the shutdown, the item is there for it.
        q.put(42).unwrap();
        q.shutdown(false);
        assert_eq!(getter.join().unwrap(), Ok(42));
    });
}

#[test]
fn shutdown_immediate_drops_the_items_counts_them_done_and_releases_join() {
    /// Counts its drops; dropping one takes the queue's lock (qsize), which must not be
    /// held by `shutdown` at that point.
    struct Item;
    static DROPPED: AtomicUsize = AtomicUsize::new(0);
    static QUEUE: OnceLock<Queue<Item>> = OnceLock::new();
    impl Drop for Item {
        fn drop(&mut self) {
            let _ = QUEUE.get().unwrap().qsize();
            DROPPED.fetch_add(1, Relaxed);
        }
    }
    let q = QUEUE.get_or_init(|| Queue::new(0));
    for _ in 0..3 {
        q.put(Item).unwrap();
    }
    let taken = q.get().unwrap(); // one taken, not done: join still waits for it
    let joined = Event::new();
    thread::scope(|s| {
        s.spawn(|| {
            q.join();
            joined.set();
        });
        until(&q, "joiners_waiting: 1");
        q.shutdown(true);
        assert_eq!(DROPPED.load(Relaxed), 2, "the two queued items were dropped");
        assert!(format!("{q:?}").contains("unfinished_tasks: 1"), "{q:?}");
        assert!(!joined.is_set(), "the taken item is not done yet");
        drop(taken);
        q.task_done().unwrap();
        joined.wait();
    });
    assert_eq!(q.task_done(), Err(TaskDoneError), "the dropped items counted as done");
}

#[test]
fn shutdown_immediate_alone_releases_a_join() {
    let q = Queue::new(0);
    q.put(1).unwrap();
    q.put(2).unwrap();
    thread::scope(|s| {
        let joiner = s.spawn(|| q.join());
        until(&q, "joiners_waiting: 1");
        q.shutdown(true);
        joiner.join().unwrap();
    });
}

#[test]
fn simple_queue_methods() {
    let q = SimpleQueue::default();
    assert!(q.empty());
    assert_eq!(q.get_nowait(), Err(GetError::Empty));
    assert_eq!(q.get_timeout(Duration::ZERO), Err(GetError::Empty));
    assert_eq!(q.get_timeout(Duration::from_millis(5)), Err(GetError::Empty));
    for i in 0..100 {
        q.put(i);
    }
    q.put_nowait(100);
    assert_eq!(q.qsize(), 101);
    assert!(!q.empty());
    assert!((0..=100).eq(std::iter::from_fn(|| q.get_nowait().ok())));
    thread::scope(|s| {
        let getter = s.spawn(|| q.get());
        until(&q, "getters_waiting: 1");
        q.put(7);
        assert_eq!(getter.join().unwrap(), Ok(7));
    });
    assert!(format!("{q:?}").starts_with("SimpleQueue"), "{q:?}");
}

/// The worker pool of the crate docs with exact counts: `producers` threads put `per`
/// items each, `consumers` threads take them until shutdown; every item arrives once.
fn producers_and_consumers(maxsize: usize, producers: usize, consumers: usize, per: usize) {
    let q = Queue::new(maxsize);
    let mut taken: Vec<usize> = thread::scope(|s| {
        let consumers: Vec<_> = (0..consumers)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    while let Ok(item) = q.get() {
                        mine.push(item);
                        q.task_done().unwrap();
                    }
                    mine
                })
            })
            .collect();
        let producers: Vec<_> = (0..producers)
            .map(|p| {
                let q = &q;
                s.spawn(move || (0..per).for_each(|i| q.put(p * per + i).unwrap()))
            })
            .collect();
        producers.into_iter().for_each(|p| p.join().unwrap());
        q.join();
        assert!(q.empty(), "join returned with items queued");
        q.shutdown(false);
        consumers.into_iter().flat_map(|c| c.join().unwrap()).collect()
    });
    assert_eq!(taken.len(), producers * per, "nothing lost, nothing duplicated in count");
    taken.sort_unstable();
    assert!(taken.iter().copied().eq(0..producers * per), "every item exactly once");
}

// Fewer under Miri, which interprets every step: the same paths, fewer times.
const PER_PRODUCER: usize = if cfg!(miri) { 30 } else { 5_000 };

#[test]
fn four_producers_four_consumers_bounded_lose_and_duplicate_nothing() {
    producers_and_consumers(4, 4, 4, PER_PRODUCER);
}

#[test]
fn one_producer_three_consumers_unbounded_lose_and_duplicate_nothing() {
    producers_and_consumers(0, 1, 3, PER_PRODUCER);
}

#[test]
fn three_producers_one_consumer_capacity_one_lose_and_duplicate_nothing() {
    producers_and_consumers(1, 3, 1, PER_PRODUCER);
}

/// A model of one queue in one thread: what every operation must return.
mod model {
    use super::*;

    #[derive(Debug, Clone)]
    enum Op {
        Put(u8),
        PutTimeoutZero(u8),
        Get,
        GetTimeoutZero,
        TaskDone,
        Shutdown(bool),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => any::<u8>().prop_map(Op::Put),
            2 => any::<u8>().prop_map(Op::PutTimeoutZero),
            4 => Just(Op::Get),
            2 => Just(Op::GetTimeoutZero),
            2 => Just(Op::TaskDone),
            1 => any::<bool>().prop_map(Op::Shutdown),
        ]
    }

    #[derive(Debug, Clone, Copy)]
    enum Kind {
        Fifo,
        Lifo,
        Priority,
    }

    /// The three kinds behind one interface, for the model.
    enum AnyQueue {
        Fifo(Queue<u8>),
        Lifo(LifoQueue<u8>),
        Priority(PriorityQueue<u8>),
    }

    macro_rules! each {
        ($q:expr, $bind:ident => $body:expr) => {
            match $q {
                AnyQueue::Fifo($bind) => $body,
                AnyQueue::Lifo($bind) => $body,
                AnyQueue::Priority($bind) => $body,
            }
        };
    }

    struct Model {
        kind: Kind,
        maxsize: usize,
        items: VecDeque<u8>,
        unfinished: usize,
        shut_down: bool,
    }

    impl Model {
        fn put(&mut self, item: u8) -> Result<(), PutError<u8>> {
            if self.shut_down {
                Err(PutError::ShutDown(item))
            } else if self.maxsize != 0 && self.items.len() >= self.maxsize {
                Err(PutError::Full(item))
            } else {
                self.items.push_back(item);
                self.unfinished += 1;
                Ok(())
            }
        }

        fn get(&mut self) -> Result<u8, GetError> {
            let taken = match self.kind {
                Kind::Fifo => self.items.pop_front(),
                Kind::Lifo => self.items.pop_back(),
                Kind::Priority => {
                    let smallest = (0..self.items.len()).min_by_key(|&i| self.items[i]);
                    smallest.and_then(|i| self.items.remove(i))
                }
            };
            match taken {
                Some(item) => Ok(item),
                None if self.shut_down => Err(GetError::ShutDown),
                None => Err(GetError::Empty),
            }
        }
    }

    proptest! {
        #![proptest_config(crate::support::proptest_config(ProptestConfig::default()))]

        #[test]
        fn random_sequences_match_the_model(
            kind in prop_oneof![Just(Kind::Fifo), Just(Kind::Lifo), Just(Kind::Priority)],
            maxsize in 0usize..4,
            ops in proptest::collection::vec(op(), 0..60),
        ) {
            let queue = match kind {
                Kind::Fifo => AnyQueue::Fifo(Queue::new(maxsize)),
                Kind::Lifo => AnyQueue::Lifo(LifoQueue::new(maxsize)),
                Kind::Priority => AnyQueue::Priority(PriorityQueue::new(maxsize)),
            };
            let mut model =
                Model { kind, maxsize, items: VecDeque::new(), unfinished: 0, shut_down: false };
            for op in ops {
                match op {
                    // A blocking put only when it cannot block (room, or shut down).
                    Op::Put(item) => {
                        let expected = model.put(item);
                        if expected.as_ref().is_err_and(PutError::is_full) {
                            prop_assert_eq!(each!(&queue, q => q.put_nowait(item)), expected);
                        } else {
                            prop_assert_eq!(each!(&queue, q => q.put(item)), expected);
                        }
                    }
                    Op::PutTimeoutZero(item) => prop_assert_eq!(
                        each!(&queue, q => q.put_timeout(item, Duration::ZERO)),
                        model.put(item)
                    ),
                    // A blocking get only when it cannot block (an item, or shut down).
                    Op::Get => {
                        let expected = model.get();
                        if expected == Err(GetError::Empty) {
                            prop_assert_eq!(each!(&queue, q => q.get_nowait()), expected);
                        } else {
                            prop_assert_eq!(each!(&queue, q => q.get()), expected);
                        }
                    }
                    Op::GetTimeoutZero => prop_assert_eq!(
                        each!(&queue, q => q.get_timeout(Duration::ZERO)),
                        model.get()
                    ),
                    Op::TaskDone => {
                        let expected = match model.unfinished.checked_sub(1) {
                            Some(left) => { model.unfinished = left; Ok(()) }
                            None => Err(TaskDoneError),
                        };
                        prop_assert_eq!(each!(&queue, q => q.task_done()), expected);
                    }
                    Op::Shutdown(immediate) => {
                        model.shut_down = true;
                        if immediate {
                            model.unfinished = model.unfinished.saturating_sub(model.items.len());
                            model.items.clear();
                        }
                        each!(&queue, q => q.shutdown(immediate));
                    }
                }
                prop_assert_eq!(each!(&queue, q => q.qsize()), model.items.len());
                prop_assert_eq!(each!(&queue, q => q.empty()), model.items.is_empty());
                prop_assert_eq!(
                    each!(&queue, q => q.full()),
                    maxsize != 0 && model.items.len() >= maxsize
                );
                if model.unfinished == 0 {
                    each!(&queue, q => q.join()); // must return at once
                }
            }
        }

        /// `SimpleQueue`: unbounded FIFO, no tasks, no shutdown; a get on an empty queue
        /// only in its non-blocking forms.
        #[test]
        fn random_simple_queue_sequences_match_the_model(
            ops in proptest::collection::vec(op(), 0..60),
        ) {
            let queue = SimpleQueue::new();
            let mut model = VecDeque::new();
            for op in ops {
                match op {
                    Op::Put(item) => {
                        model.push_back(item);
                        queue.put(item);
                    }
                    Op::PutTimeoutZero(item) => {
                        model.push_back(item);
                        queue.put_nowait(item);
                    }
                    Op::Get if !model.is_empty() => {
                        prop_assert_eq!(queue.get(), Ok(model.pop_front().unwrap()));
                    }
                    Op::GetTimeoutZero => prop_assert_eq!(
                        queue.get_timeout(Duration::ZERO),
                        model.pop_front().ok_or(GetError::Empty)
                    ),
                    Op::Get | Op::TaskDone | Op::Shutdown(_) => prop_assert_eq!(
                        queue.get_nowait(),
                        model.pop_front().ok_or(GetError::Empty)
                    ),
                }
                prop_assert_eq!(queue.qsize(), model.len());
                prop_assert_eq!(queue.empty(), model.is_empty());
            }
        }
    }
}

/// `Queue<T>` works behind an `Arc` with `'static` threads, as the crate docs' worker pool.
#[test]
fn a_queue_in_an_arc_with_detached_workers() {
    let q = Arc::new(Queue::new(0));
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let q = Arc::clone(&q);
            thread::spawn(move || {
                let mut n = 0;
                while q.get().is_ok() {
                    n += 1;
                    q.task_done().unwrap();
                }
                n
            })
        })
        .collect();
    for i in 0..30 {
        q.put(i).unwrap();
    }
    q.join();
    q.shutdown(false);
    assert_eq!(workers.into_iter().map(|w| w.join().unwrap()).sum::<i32>(), 30);
}
