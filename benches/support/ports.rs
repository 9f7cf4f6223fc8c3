//! What a porter writes: Python's threading objects as a `Mutex` + `Condvar` pair, the way
//! CPython itself builds `Event`, `Semaphore` and `Barrier` on `Condition(Lock())`.
//!
//! One module per mutex flavour (`std::sync` and `parking_lot`), written out in full so that
//! each is exactly the straightforward code, with no abstraction layer in the measurement.
//! Shared by every bench file through `#[path = "support/ports.rs"] mod ports;`; not every
//! bench uses every port.
#![allow(dead_code)]

/// `rounds` round trips between two threads through two Python-style events made by
/// `$new` (A sets `ping` and waits for `pong`; B waits for `ping`, clears it and sets
/// `pong`), for ours and the ports alike: they share method names, not a trait. The wall
/// time of `timed_threads`, which the caller imports.
#[allow(unused_macros)]
macro_rules! event_round_trips {
    ($new:expr, $rounds:expr) => {{
        let (ping, pong) = ($new, $new);
        let rounds = $rounds;
        timed_threads(2, |side| {
            for _ in 0..rounds {
                if side == 0 {
                    ping.set();
                    pong.wait();
                    pong.clear();
                } else {
                    ping.wait();
                    ping.clear();
                    pong.set();
                }
            }
        })
    }};
}

/// `rounds` round trips of a permit between two threads through two semaphores made by
/// `$new` (at 0), released with `$release(&semaphore)`; as [`event_round_trips`].
#[allow(unused_macros)]
macro_rules! semaphore_round_trips {
    ($new:expr, $release:expr, $rounds:expr) => {{
        let (there, back) = ($new, $new);
        let rounds = $rounds;
        timed_threads(2, |side| {
            for _ in 0..rounds {
                if side == 0 {
                    $release(&there);
                    back.acquire();
                } else {
                    there.acquire();
                    $release(&back);
                }
            }
        })
    }};
}

/// `rounds` round trips of a turn between two threads through a condition variable: a
/// `turn` guarded by the condition's lock, each side waits for its turn, passes it and
/// notifies one. Ours (`threading::Condition`) and the two condition variables a porter
/// reaches for; their APIs differ, so one function each. The wall time of `timed_threads`.
pub mod condition_round_trips {
    use crate::common::{CacheLine, timed_threads};
    use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
    use std::time::Duration;

    pub fn ours(rounds: u64) -> Duration {
        // The condition and its turn in one line, as a porter's struct would have them
        // (the other two keep the turn inside their mutex).
        // Relaxed: the turn is only read and written holding the condition's lock.
        let line = CacheLine((threading::Condition::new(), AtomicUsize::new(0)));
        let (cond, turn) = (&line.0.0, &line.0.1);
        timed_threads(2, |side| {
            for _ in 0..rounds {
                let mut guard = cond.lock();
                while turn.load(Relaxed) != side {
                    guard.wait();
                }
                turn.store(1 - side, Relaxed);
                guard.notify(1);
            }
        })
    }

    pub fn std(rounds: u64) -> Duration {
        let (turn, cv) = (std::sync::Mutex::new(0usize), std::sync::Condvar::new());
        timed_threads(2, |side| {
            for _ in 0..rounds {
                let mut guard = turn.lock().unwrap();
                while *guard != side {
                    guard = cv.wait(guard).unwrap();
                }
                *guard = 1 - side;
                cv.notify_one();
            }
        })
    }

    pub fn parking_lot(rounds: u64) -> Duration {
        let (turn, cv) = (parking_lot::Mutex::new(0usize), parking_lot::Condvar::new());
        timed_threads(2, |side| {
            for _ in 0..rounds {
                let mut guard = turn.lock();
                while *guard != side {
                    cv.wait(&mut guard);
                }
                *guard = 1 - side;
                cv.notify_one();
            }
        })
    }
}

/// Ports on `std::sync::{Mutex, Condvar}`.
pub mod std_port {
    use std::sync::{Condvar, Mutex};
    use std::time::Duration;

    /// `threading.Lock`: a flag under a mutex, waiters sleep on a condvar.
    #[derive(Default)]
    pub struct Lock {
        locked: Mutex<bool>,
        cv: Condvar,
    }

    impl Lock {
        pub fn acquire(&self) {
            let mut locked = self.locked.lock().unwrap();
            while *locked {
                locked = self.cv.wait(locked).unwrap();
            }
            *locked = true;
        }

        pub fn release(&self) {
            *self.locked.lock().unwrap() = false;
            self.cv.notify_one();
        }
    }

    /// `threading.Event`.
    #[derive(Default)]
    pub struct Event {
        flag: Mutex<bool>,
        cv: Condvar,
    }

    impl Event {
        pub fn set(&self) {
            *self.flag.lock().unwrap() = true;
            self.cv.notify_all();
        }

        pub fn clear(&self) {
            *self.flag.lock().unwrap() = false;
        }

        pub fn is_set(&self) -> bool {
            *self.flag.lock().unwrap()
        }

        pub fn wait(&self) {
            let mut flag = self.flag.lock().unwrap();
            while !*flag {
                flag = self.cv.wait(flag).unwrap();
            }
        }
    }

    /// `threading.Semaphore`.
    pub struct Semaphore {
        value: Mutex<u32>,
        cv: Condvar,
    }

    impl Semaphore {
        pub fn new(value: u32) -> Self {
            Self { value: Mutex::new(value), cv: Condvar::new() }
        }

        pub fn acquire(&self) {
            let mut value = self.value.lock().unwrap();
            while *value == 0 {
                value = self.cv.wait(value).unwrap();
            }
            *value -= 1;
        }

        pub fn release(&self) {
            *self.value.lock().unwrap() += 1;
            self.cv.notify_one();
        }
    }

    /// `threading.Barrier` (without timeout/abort: what the benchmark needs).
    pub struct Barrier {
        state: Mutex<(usize, u64)>, // (arrived, generation)
        cv: Condvar,
        parties: usize,
    }

    impl Barrier {
        pub fn new(parties: usize) -> Self {
            Self { state: Mutex::new((0, 0)), cv: Condvar::new(), parties }
        }

        pub fn wait(&self) -> usize {
            let mut state = self.state.lock().unwrap();
            let index = state.0;
            state.0 += 1;
            if state.0 == self.parties {
                *state = (0, state.1.wrapping_add(1));
                self.cv.notify_all();
            } else {
                let generation = state.1;
                while state.1 == generation {
                    state = self.cv.wait(state).unwrap();
                }
            }
            index
        }
    }

    /// `threading.Timer`: a thread that waits on a cancellable flag, then runs the function.
    pub struct Timer {
        cancelled: std::sync::Arc<(Mutex<bool>, Condvar)>,
        thread: Option<std::thread::JoinHandle<()>>,
    }

    impl Timer {
        pub fn start(interval: Duration, function: impl FnOnce() + Send + 'static) -> Self {
            let cancelled = std::sync::Arc::new((Mutex::new(false), Condvar::new()));
            let flag = std::sync::Arc::clone(&cancelled);
            let thread = std::thread::spawn(move || {
                let (lock, cv) = &*flag;
                let (guard, _) =
                    cv.wait_timeout_while(lock.lock().unwrap(), interval, |c| !*c).unwrap();
                if !*guard {
                    drop(guard);
                    function();
                }
            });
            Self { cancelled, thread: Some(thread) }
        }

        pub fn cancel(&self) {
            *self.cancelled.0.lock().unwrap() = true;
            self.cancelled.1.notify_all();
        }

        pub fn join(&mut self) {
            if let Some(thread) = self.thread.take() {
                thread.join().unwrap();
            }
        }
    }
}

/// The same ports on `parking_lot::{Mutex, Condvar}`.
pub mod pl_port {
    use parking_lot::{Condvar, Mutex};

    /// `threading.Lock`.
    #[derive(Default)]
    pub struct Lock {
        locked: Mutex<bool>,
        cv: Condvar,
    }

    impl Lock {
        pub fn acquire(&self) {
            let mut locked = self.locked.lock();
            while *locked {
                self.cv.wait(&mut locked);
            }
            *locked = true;
        }

        pub fn release(&self) {
            *self.locked.lock() = false;
            self.cv.notify_one();
        }
    }

    /// `threading.Event`.
    #[derive(Default)]
    pub struct Event {
        flag: Mutex<bool>,
        cv: Condvar,
    }

    impl Event {
        pub fn set(&self) {
            *self.flag.lock() = true;
            self.cv.notify_all();
        }

        pub fn clear(&self) {
            *self.flag.lock() = false;
        }

        pub fn is_set(&self) -> bool {
            *self.flag.lock()
        }

        pub fn wait(&self) {
            let mut flag = self.flag.lock();
            while !*flag {
                self.cv.wait(&mut flag);
            }
        }
    }

    /// `threading.Semaphore`.
    pub struct Semaphore {
        value: Mutex<u32>,
        cv: Condvar,
    }

    impl Semaphore {
        pub fn new(value: u32) -> Self {
            Self { value: Mutex::new(value), cv: Condvar::new() }
        }

        pub fn acquire(&self) {
            let mut value = self.value.lock();
            while *value == 0 {
                self.cv.wait(&mut value);
            }
            *value -= 1;
        }

        pub fn release(&self) {
            *self.value.lock() += 1;
            self.cv.notify_one();
        }
    }

    /// `threading.Barrier` (without timeout/abort).
    pub struct Barrier {
        state: Mutex<(usize, u64)>,
        cv: Condvar,
        parties: usize,
    }

    impl Barrier {
        pub fn new(parties: usize) -> Self {
            Self { state: Mutex::new((0, 0)), cv: Condvar::new(), parties }
        }

        pub fn wait(&self) -> usize {
            let mut state = self.state.lock();
            let index = state.0;
            state.0 += 1;
            if state.0 == self.parties {
                *state = (0, state.1.wrapping_add(1));
                self.cv.notify_all();
            } else {
                let generation = state.1;
                while state.1 == generation {
                    self.cv.wait(&mut state);
                }
            }
            index
        }
    }
}

/// `queue.Queue(maxsize)` for the queue benchmarks: ours ([`threading::Queue`]), the
/// straightforward ports a porter writes (`Mutex<VecDeque>` + `not_empty` / `not_full`
/// condition variables, for std and parking_lot), and crossbeam-channel's bounded channel.
/// Each is a [`queue_stream::Bounded`]; [`queue_stream::items`] drives any of them.
pub mod queue_stream {
    use crate::common::{share, timed_threads};
    use std::collections::VecDeque;
    use std::time::Duration;

    /// A bounded FIFO of `u64`s: put waits while full, get while empty.
    pub trait Bounded: Sync {
        fn with_capacity(capacity: usize) -> Self;
        fn put(&self, item: u64);
        fn get(&self) -> u64;
    }

    impl Bounded for threading::Queue<u64> {
        fn with_capacity(capacity: usize) -> Self {
            threading::Queue::new(capacity)
        }
        fn put(&self, item: u64) {
            threading::Queue::put(self, item).unwrap();
        }
        fn get(&self) -> u64 {
            threading::Queue::get(self).unwrap()
        }
    }

    /// The port on `std::sync`: CPython's shape with the data in the mutex.
    pub struct StdQueue {
        items: std::sync::Mutex<VecDeque<u64>>,
        not_empty: std::sync::Condvar,
        not_full: std::sync::Condvar,
        capacity: usize,
    }

    impl Bounded for StdQueue {
        fn with_capacity(capacity: usize) -> Self {
            StdQueue {
                items: std::sync::Mutex::new(VecDeque::new()),
                not_empty: std::sync::Condvar::new(),
                not_full: std::sync::Condvar::new(),
                capacity,
            }
        }
        fn put(&self, item: u64) {
            let mut items = self.items.lock().unwrap();
            while items.len() >= self.capacity {
                items = self.not_full.wait(items).unwrap();
            }
            items.push_back(item);
            self.not_empty.notify_one();
        }
        fn get(&self) -> u64 {
            let mut items = self.items.lock().unwrap();
            loop {
                if let Some(item) = items.pop_front() {
                    self.not_full.notify_one();
                    return item;
                }
                items = self.not_empty.wait(items).unwrap();
            }
        }
    }

    /// The same port on parking_lot 0.13.
    pub struct ParkingLotQueue {
        items: parking_lot::Mutex<VecDeque<u64>>,
        not_empty: parking_lot::Condvar,
        not_full: parking_lot::Condvar,
        capacity: usize,
    }

    impl Bounded for ParkingLotQueue {
        fn with_capacity(capacity: usize) -> Self {
            ParkingLotQueue {
                items: parking_lot::Mutex::new(VecDeque::new()),
                not_empty: parking_lot::Condvar::new(),
                not_full: parking_lot::Condvar::new(),
                capacity,
            }
        }
        fn put(&self, item: u64) {
            let mut items = self.items.lock();
            while items.len() >= self.capacity {
                self.not_full.wait(&mut items);
            }
            items.push_back(item);
            self.not_empty.notify_one();
        }
        fn get(&self) -> u64 {
            let mut items = self.items.lock();
            loop {
                if let Some(item) = items.pop_front() {
                    self.not_full.notify_one();
                    return item;
                }
                self.not_empty.wait(&mut items);
            }
        }
    }

    /// crossbeam-channel's bounded channel: both ends kept, so it never disconnects.
    pub struct Crossbeam(crossbeam_channel::Sender<u64>, crossbeam_channel::Receiver<u64>);

    impl Bounded for Crossbeam {
        fn with_capacity(capacity: usize) -> Self {
            let (sender, receiver) = crossbeam_channel::bounded(capacity);
            Crossbeam(sender, receiver)
        }
        fn put(&self, item: u64) {
            self.0.send(item).unwrap();
        }
        fn get(&self) -> u64 {
            self.1.recv().unwrap()
        }
    }

    /// `items` items through a new `Q` of `capacity`, by `pairs` producers and `pairs`
    /// consumers (each its share); the wall time of `timed_threads`. Panics if the items
    /// taken are not the items put (by their sum).
    pub fn items<Q: Bounded>(capacity: usize, pairs: usize, items: u64) -> Duration {
        let queue = Q::with_capacity(capacity);
        let taken = std::sync::atomic::AtomicU64::new(0);
        let took = timed_threads(2 * pairs, |index| {
            if index < pairs {
                for item in 0..share(items, pairs, index) {
                    queue.put(item);
                }
            } else {
                let sum = (0..share(items, pairs, index - pairs)).map(|_| queue.get()).sum();
                taken.fetch_add(sum, std::sync::atomic::Ordering::Relaxed);
            }
        });
        let expected: u64 = (0..pairs).map(|p| (0..share(items, pairs, p)).sum::<u64>()).sum();
        assert_eq!(taken.into_inner(), expected, "an item was lost or duplicated");
        took
    }

    /// The capacity of every queue benchmark (the "cap 64").
    pub const CAPACITY: usize = 64;
    /// Producer/consumer pairs measured: 1/1, 2/2, 4/4.
    pub const PAIRS: [usize; 3] = [1, 2, 4];
}
