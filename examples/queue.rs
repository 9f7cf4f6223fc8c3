//! Python's `queue.Queue` ([`threading::Queue`], built from one `Lock` and three
//! `Condition`s as the standard library builds it), run by 4 producers and 4 consumers
//! through a small bounded queue. Not a notebook section: it shows the library type at work.
//!
//! Each producer tries `put_nowait` first and falls back to a blocking `put` when the queue
//! is full; each consumer tries `get_nowait` first and falls back to `get_timeout` when it
//! is empty; every item taken is marked with `task_done`, and the main thread's `join`
//! returns once all are. Then `shutdown(false)` ends the consumers: their `get` fails once
//! the queue is drained (Python 3.13's `queue.ShutDown`), so no sentinel items are needed.
//! The summary counts what happened in this run: items, how often each side found the
//! queue full or empty, and the time taken. The number of items scales with
//! `THREADING_TIME_SCALE`.
//!
//! Where Rust differs from Python:
//! - `queue.Full` / `queue.ShutDown` from a put hand the item back:
//!   `Err(PutError::Full(item))`, `Err(PutError::ShutDown(item))`.
//! - `queue.Empty` / `queue.ShutDown` from a get are `Err(GetError::Empty)`,
//!   `Err(GetError::ShutDown)`.

#[path = "common/mod.rs"]
mod common;

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::thread;
use std::time::{Duration, Instant};
use threading::{GetError, PutError, Queue};

const PRODUCERS: u64 = 4;
const CONSUMERS: u64 = 4;
const MAXSIZE: usize = 8;

pub fn main() {
    let per_producer = common::scaled_count(20_000);
    let queue: Queue<u64> = Queue::new(MAXSIZE);
    let found_full = AtomicU64::new(0);
    let found_empty = AtomicU64::new(0);
    let start = Instant::now();

    // A thread the OS refuses to start is reported (by `common`) and left out; the counts
    // below are those of the threads that ran.
    let (taken, producers_started): (Vec<Vec<u64>>, u64) = thread::scope(|s| {
        let consumers: Vec<_> = (0..CONSUMERS)
            .filter_map(|c| {
                let what = format!("consumer thread {} of {CONSUMERS}", c + 1);
                common::spawn_scoped(s, what, || {
                    let mut mine = Vec::new();
                    loop {
                        let item = match queue.get_nowait() {
                            Ok(item) => item,
                            Err(GetError::Empty) => {
                                found_empty.fetch_add(1, Relaxed);
                                match queue.get_timeout(Duration::from_secs(60)) {
                                    Ok(item) => item,
                                    Err(GetError::ShutDown) => return mine,
                                    Err(GetError::Empty) => panic!("no item for 60 s"),
                                }
                            }
                            Err(GetError::ShutDown) => return mine,
                        };
                        mine.push(item);
                        queue.task_done().expect("one task_done per get");
                    }
                })
                .ok()
            })
            .collect();
        // With no consumer a producer would wait for room for ever: then none is started.
        let producer_count = if consumers.is_empty() { 0 } else { PRODUCERS };
        if consumers.is_empty() {
            println!("no consumer thread started, so no producer is started either");
        }
        let producers: Vec<_> = (0..producer_count)
            .filter_map(|p| {
                let (queue, found_full) = (&queue, &found_full);
                let what = format!("producer thread {} of {PRODUCERS}", p + 1);
                common::spawn_scoped(s, what, move || {
                    for i in 0..per_producer {
                        let item = p * per_producer + i;
                        if let Err(PutError::Full(item)) = queue.put_nowait(item) {
                            found_full.fetch_add(1, Relaxed);
                            queue.put(item).expect("the queue is not shut down yet");
                        }
                    }
                })
                .ok()
            })
            .collect();
        let producers_started = producers.len() as u64;
        println!(
            "{PRODUCERS} producers x {per_producer} items, {CONSUMERS} consumers, maxsize {MAXSIZE}"
        );
        for producer in producers {
            producer.join().expect("producer panicked");
        }
        queue.join(); // every item put has been taken and marked done
        println!("join() returned with {} items left in the queue", queue.qsize());
        queue.shutdown(false); // the consumers' next get fails: they return what they took
        let taken = consumers.into_iter().map(|c| c.join().expect("consumer panicked")).collect();
        (taken, producers_started)
    });
    let elapsed = start.elapsed();

    let produced = producers_started * per_producer;
    let mut all: Vec<u64> = taken.iter().flatten().copied().collect();
    let consumed = all.len() as u64;
    all.sort_unstable();
    all.dedup();
    let distinct = all.len() as u64;
    println!("produced {produced} items, consumed {consumed}, distinct {distinct}");
    println!("lost {}, duplicated {}", produced.saturating_sub(distinct), consumed - distinct);
    for (c, items) in taken.iter().enumerate() {
        println!("consumer {c} took {} items", items.len());
    }
    println!(
        "put_nowait found the queue full {} times, get_nowait found it empty {} times",
        found_full.load(Relaxed),
        found_empty.load(Relaxed)
    );
    println!(
        "{} items through the queue in {:.1} ms ({:.2} us per item)",
        produced,
        elapsed.as_secs_f64() * 1e3,
        elapsed.as_secs_f64() * 1e6 / produced.max(1) as f64
    );
    match queue.task_done() {
        Err(e) => println!("one task_done too many: Err({e})"),
        Ok(()) => println!("one task_done too many was accepted (a bug)"),
    }
}
