//! The floors of the handoff rows and the partner-delay sweep.
//!
//! *Spun floors*: the Event and Condition ping-pongs' own protocols with every wait a pure
//! spin that never sleeps: for the Event, two flags set, waited for and cleared
//! ([`SpunEvent`] through `event_round_trips!`); for the Condition, a spin lock and a turn
//! variable ([`condition_round_trips`]), in one cache line and in two ([`Lines`]). What each protocol costs on this machine when
//! nobody ever sleeps: the handoff targets are ratios to these.
//!
//! *Sweep* ([`sweep_waits`]): a waiter waits for an event that its partner sets a fixed
//! delay after the wait began (1 µs to 1 ms), and reports the latency from the partner's
//! `set` to the waiter running again, and the waiter's own CPU time per wait (its thread
//! CPU clock), so that the spin-or-sleep trade-off shows on any machine: a spinner is fast
//! and burns the whole delay, a sleeper is slow and burns only its system calls.
//!
//! Shared by the bench files through `#[path = "support/spun.rs"] mod spun;`.
#![allow(dead_code)]

use crate::common::{CacheLine, timed_threads};
use std::hint::spin_loop;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::*};
use std::time::{Duration, Instant};

/// A flag waited for by spinning only: `set`, `wait`, `clear`, as `threading::Event`, so
/// that `event_round_trips!` runs the very same protocol on it.
#[derive(Default)]
pub struct SpunEvent {
    flag: AtomicBool,
}

impl SpunEvent {
    pub fn set(&self) {
        // Release: as Event::set, publishes what came before.
        self.flag.store(true, Release);
    }

    pub fn wait(&self) {
        // Acquire: as Event::wait.
        while !self.flag.load(Acquire) {
            spin_loop();
        }
    }

    pub fn clear(&self) {
        self.flag.store(false, Relaxed);
    }
}

/// Where the Condition floor keeps its spin lock and its turn variable.
#[derive(Clone, Copy, Debug)]
pub enum Lines {
    /// In one cache line: a waiter that sees the lock free has the turn in the same line,
    /// the floor's best layout.
    One,
    /// Each in a line of its own: one more line moves per handoff, as for a waiter that
    /// spins on a word of its own (ours spins on its queue node) before it takes the lock.
    Two,
}

/// `rounds` round trips of a turn through a spin lock and a turn variable: each side takes
/// the lock, and while it is not its turn releases it, spins and takes it again; then
/// passes the turn and releases. The Condition ping-pong without any sleep (and without the
/// notify, which a spinner does not need), with the two words laid out as `lines` says.
pub fn condition_round_trips(rounds: u64, lines: Lines) -> Duration {
    // Relaxed (the turn): only read and written holding the lock.
    let one = CacheLine((AtomicBool::new(false), AtomicUsize::new(0)));
    let two = (CacheLine(AtomicBool::new(false)), CacheLine(AtomicUsize::new(0)));
    let (locked, turn) = match lines {
        Lines::One => (&one.0.0, &one.0.1),
        Lines::Two => (&two.0.0, &two.1.0),
    };
    let lock = || {
        // Acquire: see what the last holder wrote under the lock.
        while locked.compare_exchange_weak(false, true, Acquire, Relaxed).is_err() {
            while locked.load(Relaxed) {
                spin_loop();
            }
        }
    };
    // Release: publish what was written under the lock.
    let unlock = || locked.store(false, Release);
    timed_threads(2, |side| {
        for _ in 0..rounds {
            lock();
            while turn.load(Relaxed) != side {
                unlock();
                spin_loop();
                lock();
            }
            turn.store(1 - side, Relaxed);
            unlock();
        }
    })
}

/// The delays after which the sweep's partner answers.
pub const SWEEP_DELAYS: [Duration; 5] = [
    Duration::from_micros(1),
    Duration::from_micros(5),
    Duration::from_micros(20),
    Duration::from_micros(100),
    Duration::from_millis(1),
];

/// What [`sweep_waits`] measured, per wait.
#[derive(Clone, Copy, Debug)]
pub struct SweepWait {
    /// From the partner's `set` call to the waiter running again (median over the waits).
    pub latency: Duration,
    /// The waiter thread's CPU time (mean over the waits), `None` where this OS has no
    /// thread CPU clock here.
    pub cpu: Option<Duration>,
}

/// `waits` waits for an event, given as its three operations, whose partner sets it
/// `delay` after the waiter began waiting: the waiter bumps a round number and waits; the
/// partner, spinning on the round number (its CPU is not measured), busy-waits `delay`,
/// stamps the time and sets the event; the waiter, running again, clears it.
pub fn sweep_waits(
    delay: Duration,
    waits: u64,
    set: impl Fn() + Sync,
    wait: impl Fn() + Sync,
    clear: impl Fn() + Sync,
) -> SweepWait {
    // Relaxed: the round is only a go signal; the event orders the rest.
    let round = AtomicU64::new(0);
    let origin = Instant::now();
    // Nanoseconds after `origin` at which the partner called `set` this round (its `set`
    // publishes it to the waiter).
    let set_at = AtomicU64::new(0);
    let latencies = std::sync::Mutex::new(Vec::with_capacity(waits as usize));
    let cpu = std::sync::Mutex::new(None);
    timed_threads(2, |side| {
        if side == 0 {
            let cpu_before = thread_cpu_time();
            let mut mine = Vec::with_capacity(waits as usize);
            for r in 1..=waits {
                round.store(r, Relaxed);
                wait();
                let running = origin.elapsed();
                let set = Duration::from_nanos(set_at.load(Relaxed));
                mine.push(running.saturating_sub(set));
                clear();
            }
            let cpu_after = thread_cpu_time();
            *cpu.lock().unwrap() = cpu_before.zip(cpu_after).map(|(b, a)| (a - b) / waits as u32);
            *latencies.lock().unwrap() = mine;
        } else {
            for r in 1..=waits {
                while round.load(Relaxed) < r {
                    spin_loop();
                }
                let go = Instant::now();
                while go.elapsed() < delay {
                    spin_loop();
                }
                set_at.store(origin.elapsed().as_nanos() as u64, Relaxed);
                set();
            }
        }
    });
    let mut latencies = latencies.into_inner().unwrap();
    latencies.sort();
    SweepWait { latency: latencies[latencies.len() / 2], cpu: cpu.into_inner().unwrap() }
}

/// This thread's CPU time so far (user + system), where the OS has a thread CPU clock.
pub fn thread_cpu_time() -> Option<Duration> {
    #[cfg(unix)]
    {
        let mut now = libc::timespec { tv_sec: 0, tv_nsec: 0 };
        // SAFETY: `now` is a valid, writable timespec.
        let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
        (rc == 0).then(|| Duration::new(now.tv_sec as u64, now.tv_nsec as u32))
    }
    #[cfg(not(unix))]
    {
        None
    }
}
