//! The reader-writer lock workloads, written once for both harnesses (benches/rwlock.rs and
//! benches/plain.rs) and for every contender: ours (`threading::RwLock`), parking_lot 0.13's
//! and std's, each a `RwLock<u64>` in a cache line of its own.
//!
//! * uncontended: one thread, a read (or a write) lock + unlock per operation;
//! * mixed: `threads` threads, each running its share of the operations in a fixed pattern
//!   of `reads` read sections then `writes` write sections (a write adds 1, a read loads the
//!   value); the final value is asserted exactly, so a lost update shows a broken lock.
#![allow(dead_code)]

use crate::common::{CacheLine, share, timed_threads};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// A `RwLock<u64>` the workloads can drive.
pub trait BenchRwLock: Sync + Default {
    /// The contender's name in reports.
    const NAME: &'static str;
    /// Read-locks, loads the value, unlocks.
    fn read_value(&self) -> u64;
    /// Write-locks, adds `n`, unlocks.
    fn add(&self, n: u64);
}

impl BenchRwLock for threading::RwLock<u64> {
    const NAME: &'static str = "ours";
    #[inline]
    fn read_value(&self) -> u64 {
        *self.read()
    }
    #[inline]
    fn add(&self, n: u64) {
        *self.write() += n;
    }
}

impl BenchRwLock for parking_lot::RwLock<u64> {
    const NAME: &'static str = "parking_lot";
    #[inline]
    fn read_value(&self) -> u64 {
        *self.read()
    }
    #[inline]
    fn add(&self, n: u64) {
        *self.write() += n;
    }
}

impl BenchRwLock for std::sync::RwLock<u64> {
    const NAME: &'static str = "std";
    #[inline]
    fn read_value(&self) -> u64 {
        *self.read().unwrap()
    }
    #[inline]
    fn add(&self, n: u64) {
        *self.write().unwrap() += n;
    }
}

/// `ops` uncontended read lock + unlock pairs.
pub fn uncontended_reads<L: BenchRwLock>(ops: u64) -> Duration {
    let line = CacheLine(L::default());
    let start = Instant::now();
    for _ in 0..ops {
        black_box(black_box(&line.0).read_value());
    }
    start.elapsed()
}

/// `ops` uncontended write lock + unlock pairs.
pub fn uncontended_writes<L: BenchRwLock>(ops: u64) -> Duration {
    let line = CacheLine(L::default());
    let start = Instant::now();
    for _ in 0..ops {
        black_box(&line.0).add(1);
    }
    let took = start.elapsed();
    assert_eq!(line.0.read_value(), ops);
    took
}

/// `ops` lock sections in all, shared by `threads` threads, each in the pattern `reads`
/// reads then `writes` writes; the wall time of the whole run.
pub fn mixed<L: BenchRwLock>(threads: usize, ops: u64, reads: u64, writes: u64) -> Duration {
    let line = CacheLine(L::default());
    let lock = &line.0;
    let period = reads + writes;
    let writes_in = |n: u64| n / period * writes + (n % period).saturating_sub(reads);
    let took = timed_threads(threads, |index| {
        for op in 0..share(ops, threads, index) {
            if op % period < reads {
                black_box(lock.read_value());
            } else {
                lock.add(1);
            }
        }
    });
    let expected: u64 = (0..threads).map(|index| writes_in(share(ops, threads, index))).sum();
    assert_eq!(lock.read_value(), expected);
    took
}

/// The mixes measured: (key, description, reads, writes), all with 4 threads.
pub const MIXES: [(&str, &str, u64, u64); 2] =
    [("read_mostly", "8 reads : 1 write", 8, 1), ("write_heavy", "1 read : 4 writes", 1, 4)];

/// Threads in the mixed workloads.
pub const MIX_THREADS: usize = 4;
