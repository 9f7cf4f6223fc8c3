//! The contended-Lock loop, written once for the plain harness (`benches/plain.rs`) and the
//! owner-change profile (`benches/lock_profile.rs`): N threads each doing `lock; counter =
//! counter + 1; unlock`, for every lock behind one trait (the `FairMutex`es too), in either
//! memory layout.
//!
//! Needs `common` and `ports` declared next to it (`#[path = "support/..."] mod ...;`).
#![allow(dead_code)]

use crate::common::{self, CacheLine, Guarded};
use crate::ports;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

/// Every lock behind one interface, so that all run the same loop.
pub trait Contended: Default + Sync {
    /// How tables name it.
    const NAME: &'static str;
    /// Runs `critical_section` holding the lock.
    fn with_lock(&self, critical_section: impl FnOnce());
}

impl Contended for threading::Lock {
    const NAME: &'static str = "ours";
    #[inline]
    fn with_lock(&self, critical_section: impl FnOnce()) {
        let _guard = self.lock();
        critical_section();
    }
}

impl Contended for parking_lot::Mutex<()> {
    const NAME: &'static str = "parking_lot";
    #[inline]
    fn with_lock(&self, critical_section: impl FnOnce()) {
        let _guard = self.lock();
        critical_section();
    }
}

impl Contended for threading::FairMutex<()> {
    const NAME: &'static str = "ours";
    #[inline]
    fn with_lock(&self, critical_section: impl FnOnce()) {
        let _guard = self.lock();
        critical_section();
    }
}

impl Contended for parking_lot::FairMutex<()> {
    const NAME: &'static str = "parking_lot";
    #[inline]
    fn with_lock(&self, critical_section: impl FnOnce()) {
        let _guard = self.lock();
        critical_section();
    }
}

impl Contended for std::sync::Mutex<()> {
    const NAME: &'static str = "std";
    #[inline]
    fn with_lock(&self, critical_section: impl FnOnce()) {
        let _guard = self.lock().unwrap();
        critical_section();
    }
}

impl Contended for ports::std_port::Lock {
    const NAME: &'static str = "port(std)";
    #[inline]
    fn with_lock(&self, critical_section: impl FnOnce()) {
        self.acquire();
        critical_section();
        self.release();
    }
}

/// Where the counter lives relative to the lock word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// Lock and counter in one 64-byte-aligned line ([`Guarded`] in a [`CacheLine`]), as
    /// `Mutex<u64>` keeps its value: the holder's increment hits the line it just took.
    SameLine,
    /// Counter in its own line, 128 bytes from the lock's (beyond the adjacent-line
    /// prefetcher's pairs): every owner change moves two lines.
    SeparateLines,
}

impl Layout {
    /// For tables.
    pub fn describe(self) -> &'static str {
        match self {
            Layout::SameLine => "lock + counter in one 64-byte line",
            Layout::SeparateLines => "counter in a separate line (128 B apart)",
        }
    }
}

/// 128-byte aligned: two of these never share a line or an adjacent-line pair.
#[repr(C, align(128))]
#[derive(Default)]
struct Apart<T>(T);

#[derive(Default)]
#[repr(C)]
struct Separate<L> {
    lock: Apart<L>,
    counter: Apart<AtomicU64>,
}

/// Runs `body(lock, counter)` on a fresh lock and a zero counter laid out as `layout`.
pub fn with_layout<L: Contended, R>(layout: Layout, body: impl FnOnce(&L, &AtomicU64) -> R) -> R {
    match layout {
        Layout::SameLine => {
            let line = CacheLine(Guarded::<L>::default());
            body(&line.0.lock, &line.0.counter)
        }
        Layout::SeparateLines => {
            let apart = Box::new(Separate::<L>::default());
            body(&apart.lock.0, &apart.counter.0)
        }
    }
}

/// One run of the throughput loop.
pub struct Run {
    /// From the first thread's start to the last one's end.
    pub took: Duration,
    /// Increments in all.
    pub increments: u64,
    /// Runs of increments by one thread, counted by each thread from the counter values it
    /// finds (so the critical section stays a load and a store): each moved the line.
    pub owner_changes: u64,
    /// Our futex system calls (`threading::diagnostics`; the peers' are not seen).
    pub futex_calls: u64,
}

impl Run {
    pub fn nanos_per_increment(&self) -> f64 {
        self.took.as_nanos() as f64 / self.increments as f64
    }

    pub fn owner_changes_per_1000(&self) -> f64 {
        self.owner_changes as f64 * 1000.0 / self.increments as f64
    }
}

/// `threads` threads each do `per_thread` increments under the lock; the count is checked.
pub fn throughput<L: Contended>(threads: usize, per_thread: u64, layout: Layout) -> Run {
    with_layout::<L, _>(layout, |lock, counter| {
        let (futex_calls, owner_changes) = (AtomicU64::new(0), AtomicU64::new(0));
        let took = common::timed_threads(threads, |_| {
            let before = threading::diagnostics::futex_calls_on_this_thread();
            // A thread's run of increments ended whenever the counter it finds is not the
            // one it left: counted in registers.
            let (mut left, mut runs) = (u64::MAX, 0u64);
            for _ in 0..per_thread {
                lock.with_lock(|| {
                    // Load + store, not fetch_add: a broken lock would lose updates.
                    let found = counter.load(Relaxed);
                    counter.store(found + 1, Relaxed);
                    runs += u64::from(found != left);
                    left = found + 1;
                });
            }
            owner_changes.fetch_add(runs, Relaxed);
            let after = threading::diagnostics::futex_calls_on_this_thread();
            futex_calls.fetch_add(after - before, Relaxed);
        });
        let increments = per_thread * threads as u64;
        assert_eq!(counter.load(Relaxed), increments, "{} lost increments", L::NAME);
        Run {
            took,
            increments,
            owner_changes: owner_changes.load(Relaxed),
            futex_calls: futex_calls.load(Relaxed),
        }
    })
}

/// Every acquire's latency (`Instant` before `lock`, read inside), in nanoseconds, sorted.
pub fn acquire_latencies<L: Contended>(
    threads: usize,
    per_thread: u64,
    layout: Layout,
) -> Vec<u64> {
    with_layout::<L, _>(layout, |lock, counter| {
        let per_thread_latencies = std::sync::Mutex::new(Vec::new());
        common::timed_threads(threads, |_| {
            let mut latencies = Vec::with_capacity(per_thread as usize);
            for _ in 0..per_thread {
                let asked = Instant::now();
                lock.with_lock(|| {
                    latencies.push(asked.elapsed().as_nanos() as u64);
                    counter.store(counter.load(Relaxed) + 1, Relaxed);
                });
            }
            per_thread_latencies.lock().unwrap().push(latencies);
        });
        let mut all: Vec<u64> = per_thread_latencies.into_inner().unwrap().concat();
        all.sort_unstable();
        all
    })
}

/// The latency at quantile `q` (0..=1) of a sorted, non-empty list.
pub fn quantile(sorted: &[u64], q: f64) -> Duration {
    Duration::from_nanos(sorted[((sorted.len() - 1) as f64 * q) as usize])
}
