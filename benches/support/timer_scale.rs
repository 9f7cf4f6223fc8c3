//! Timers at scale, measured: many pending timers (start all, cancel all, join all) and many
//! firing timers, with our `Timer` (one scheduler thread for all pending timers) beside the
//! thread-per-timer way (a thread that sleeps on an `Event` for the interval, which is what
//! `Timer` was, and what Python's `threading.Timer` is). Shared by `benches/timer.rs` and
//! `examples/timers_at_scale.rs` (included by `#[path]`), so that both measure the same way.
#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::thread;
use std::time::{Duration, Instant};
use threading::{Event, Timer};

/// Long enough that no pending timer of a measurement fires by itself.
pub const PENDING_INTERVAL: Duration = Duration::from_secs(3600);

/// This process, now, from `/proc/self/status`.
#[derive(Clone, Copy, Debug)]
pub struct Process {
    pub threads: i64,
    pub resident_kib: i64,
}

impl Process {
    pub fn now() -> Process {
        let status = std::fs::read_to_string("/proc/self/status").expect("read /proc/self/status");
        let field = |name: &str| -> i64 {
            status
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("no {name} in /proc/self/status"))
        };
        Process { threads: field("Threads:"), resident_kib: field("VmRSS:") }
    }
}

/// The two ways of running a timer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Way {
    /// `threading::Timer`: a heap entry while pending, a thread only to run the function.
    Scheduler,
    /// One thread per timer from start to end.
    ThreadPerTimer,
}

impl Way {
    pub fn name(self) -> &'static str {
        match self {
            Way::Scheduler => "scheduler",
            Way::ThreadPerTimer => "thread-per-timer",
        }
    }
}

/// A timer of either way, started.
enum Started {
    Ours(Timer),
    Thread { cancel: Arc<Event>, thread: thread::JoinHandle<()> },
}

/// Starts a timer of `way`; `None` if the OS refused the thread it needed (said on stdout:
/// the measurement goes on with the timers that started, and counts the others).
fn start(
    way: Way,
    interval: Duration,
    function: impl FnOnce() + Send + 'static,
) -> Option<Started> {
    let started = match way {
        Way::Scheduler => {
            let timer = Timer::new(interval, function);
            timer.start().map(|()| Started::Ours(timer)).map_err(|e| e.to_string())
        }
        Way::ThreadPerTimer => {
            let cancel = Arc::new(Event::new());
            let flag = Arc::clone(&cancel);
            thread::Builder::new()
                .spawn(move || {
                    if !flag.wait_timeout(interval) {
                        function();
                    }
                })
                .map(|thread| Started::Thread { cancel, thread })
                .map_err(|e| e.to_string())
        }
    };
    started.map_err(|e| println!("could not start a {} timer: {e}", way.name())).ok()
}

impl Started {
    fn cancel(&self) {
        match self {
            Started::Ours(timer) => timer.cancel(),
            Started::Thread { cancel, .. } => cancel.set(),
        }
    }

    fn join(self) {
        match self {
            Started::Ours(timer) => timer.join(),
            Started::Thread { thread, .. } => thread.join().expect("timer thread"),
        }
    }
}

/// What holding `timers` pending timers cost.
#[derive(Clone, Copy, Debug)]
pub struct Pending {
    pub timers: usize,
    /// Start all, cancel all, join all, divided by the timers.
    pub per_timer: Duration,
    /// Threads of the process while all were pending, beyond those before the first start.
    pub extra_threads: i64,
    /// Threads of the process, in all, while all were pending.
    pub threads: i64,
    /// Resident memory while all were pending, beyond that before the first start.
    pub extra_resident_kib: i64,
    /// Timers that could not be started (the OS refused a thread); the rest were measured.
    pub refused: usize,
}

/// Starts `timers` timers that would fire only after an hour, looks at the process while
/// they are all pending, then cancels and joins them all.
pub fn pending(way: Way, timers: usize) -> Pending {
    let before = Process::now();
    let begun = Instant::now();
    let started: Vec<Started> = (0..timers)
        .filter_map(|_| start(way, PENDING_INTERVAL, || panic!("a cancelled timer fired")))
        .collect();
    let refused = timers - started.len();
    let during = Process::now();
    for timer in &started {
        timer.cancel();
    }
    for timer in started {
        timer.join();
    }
    let per_timer = begun.elapsed() / timers as u32;
    Pending {
        timers,
        per_timer,
        extra_threads: during.threads - before.threads,
        threads: during.threads,
        extra_resident_kib: during.resident_kib - before.resident_kib,
        refused,
    }
}

/// How late `timers` timers fired whose intervals are spread evenly over `spread`.
#[derive(Clone, Copy, Debug)]
pub struct Firing {
    pub timers: usize,
    pub spread: Duration,
    /// How many functions ran (all of them, unless something is broken).
    pub ran: usize,
    /// The latest any function began after its interval, from just before its `start`.
    pub max_lateness: Duration,
    /// How many began more than 50 ms late.
    pub later_than_50ms: usize,
    /// How many began before their interval had passed (a bug, so always 0).
    pub early: usize,
    /// The most threads the process had while they fired (sampled every millisecond).
    pub peak_threads: i64,
    /// Timers that could not be started (the OS refused a thread); the rest were measured.
    pub refused: usize,
}

/// Starts `timers` timers with intervals spread evenly over `spread`, lets them all fire,
/// and reports when each function began against its interval.
pub fn firing(way: Way, timers: usize, spread: Duration) -> Firing {
    let base = Instant::now();
    let began_at: Arc<Vec<AtomicU64>> = Arc::new((0..timers).map(|_| AtomicU64::new(0)).collect());
    let ran = Arc::new(AtomicUsize::new(0));
    let mut due = Vec::with_capacity(timers);
    let mut started = Vec::with_capacity(timers);
    for i in 0..timers {
        let interval = spread.mul_f64(i as f64 / timers as f64);
        let (began_at, ran) = (Arc::clone(&began_at), Arc::clone(&ran));
        due.push(Some(base.elapsed() + interval));
        let timer = start(way, interval, move || {
            began_at[i].store(base.elapsed().as_nanos() as u64, Relaxed);
            ran.fetch_add(1, Relaxed);
        });
        match timer {
            Some(timer) => started.push(timer),
            None => due[i] = None, // Never started: not measured.
        }
    }
    let refused = timers - started.len();
    let timers_started = started.len();
    let mut peak_threads = Process::now().threads;
    let give_up = Instant::now() + spread + Duration::from_secs(60);
    while ran.load(Relaxed) < timers_started && Instant::now() < give_up {
        thread::sleep(Duration::from_millis(1));
        peak_threads = peak_threads.max(Process::now().threads);
    }
    for timer in started {
        timer.join();
    }
    let (mut max_lateness, mut later_than_50ms, mut early) = (Duration::ZERO, 0, 0);
    for (i, due) in due.iter().enumerate() {
        let Some(due) = due else { continue };
        let began = Duration::from_nanos(began_at[i].load(Relaxed));
        match began.checked_sub(*due) {
            Some(lateness) => {
                max_lateness = max_lateness.max(lateness);
                later_than_50ms += usize::from(lateness > Duration::from_millis(50));
            }
            None => early += 1,
        }
    }
    Firing {
        timers,
        spread,
        ran: ran.load(Relaxed),
        max_lateness,
        later_than_50ms,
        early,
        peak_threads,
        refused,
    }
}

/// Why the thread-per-timer way is not tried with `timers` timers, if it should not be: it
/// needs a thread per pending timer, and this system's limits (read now) leave too little
/// room. Each thread takes at least two memory mappings (its stack and the guard page
/// below it), so `vm.max_map_count` bounds threads as much as `kernel.threads-max` does;
/// we stay under half of the tighter bound so that the rest of the machine keeps room.
pub fn too_many_threads(timers: usize) -> Option<String> {
    let read = |path: &str| {
        std::fs::read_to_string(path).ok().and_then(|s| s.trim().parse::<usize>().ok())
    };
    let threads_max = read("/proc/sys/kernel/threads-max");
    let map_count = read("/proc/sys/vm/max_map_count");
    let bound = [threads_max, map_count.map(|maps| maps / 2)].into_iter().flatten().min();
    let show = |n: Option<usize>| n.map_or("unknown".to_owned(), |n| n.to_string());
    match bound {
        Some(bound) if timers <= bound / 2 => None,
        _ => Some(format!(
            "not attempted: it needs {timers} threads at once; this system allows at most {} \
             (kernel.threads-max {}, vm.max_map_count {} at 2 mappings per thread)",
            show(bound),
            show(threads_max),
            show(map_count),
        )),
    }
}
