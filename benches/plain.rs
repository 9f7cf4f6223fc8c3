//! Every scenario of the performance targets in a plain loop, without criterion: the second
//! harness the targets ask for, and the one that is easy to read and to trust.
//!
//! Each scenario (a row of the target table) runs ours next to its peers: parking_lot,
//! std and the `Mutex` + `Condvar` ports of `benches/support/ports.rs`, where each applies.
//! First every contender's size is found (operations doubled until one measurement lasts
//! `TARGET_MS`; this is also the warm-up), then `ROUNDS` rounds; in each round every
//! contender runs once, ours and the peers alternating, the order rotated from round to
//! round so that nobody always goes first. Reported per contender: the median over rounds
//! (with the range), and the median of the per-round ratios peer / ours (above 1: we are
//! faster), so that a burst of load from elsewhere moves one round, not the verdict. The
//! contended `Lock` also times every acquire in a second pass of a quarter as many
//! increments (p99 and p99.9 are medians over rounds, the maximum is over all rounds: a
//! starved waiter shows there) and counts owner changes (`benches/support/contended.rs`,
//! shared with `benches/lock_profile.rs`), in two layouts: counter in the lock's cache
//! line, and counter in a separate one.
//!
//! What one operation is: an acquire + release (uncontended), one increment under the lock
//! by any thread (contended: the number is 1 / throughput), a round trip (ping-pong and
//! semaphore round trip), one broadcast woken and acknowledged by all 8 waiters, one permit
//! passed from producer to consumer (stream), one crossing by all parties (Barrier), one
//! create + start + cancel + join (Timer), one item put and taken (Queue: 1 / throughput).
//! The Event and Condition ping-pongs also run their *spun floor*: the same protocol with
//! every wait a pure spin that never sleeps (`benches/support/spun.rs`), the least that
//! protocol costs here.
//!
//! After the table, the *partner-delay sweep* (`event_sweep`): an Event waiter whose
//! partner sets it 1, 5, 20, 100 µs or 1 ms after the wait began, for ours, the spun floor
//! and the std port: the latency from `set` to the waiter running again, and the waiter's
//! CPU time per wait, so that the spin-or-sleep trade-off of each shows (about 15 s by
//! default; skipped on one CPU).
//!
//! ```sh
//! cargo bench --bench plain                        # everything, 5 rounds: a few minutes
//! ROUNDS=9 ONLY=lock_contended cargo bench --bench plain
//! ONLY=ping_pong,event_sweep cargo bench --bench plain   # the handoffs, floors and sweep
//! taskset -c 0 cargo bench --bench plain           # everything on one CPU
//! QUICK=1 cargo bench --bench plain                # tiny sizes: checks that it runs
//! ```
//! Settings (environment): `ROUNDS` (default 5), `TARGET_MS` per measurement (default
//! 200), `ONLY` (comma-separated words; a scenario runs if its key contains one; the keys
//! are the table's first column), `QUICK=1` (2 rounds of ~2 ms: a smoke test, not a
//! measurement). The table goes to stdout (markdown), progress to stderr.

#[path = "support/common.rs"]
mod common;
#[path = "support/contended.rs"]
mod contended;
#[macro_use]
#[path = "support/ports.rs"]
mod ports;
#[path = "support/rwlock.rs"]
mod rwlock;
#[path = "support/spun.rs"]
mod spun;

use common::timed_threads;
use contended::{Contended, Layout, acquire_latencies, quantile, throughput};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, Instant};

/// What one run of a contender measured.
struct Measured {
    took: Duration,
    ops: u64,
    /// Contended Lock only: every acquire's latency in ns, sorted.
    latencies: Option<Vec<u64>>,
    /// Contended Lock only.
    owner_changes_per_1000: Option<f64>,
}

impl Measured {
    fn plain(took: Duration, ops: u64) -> Measured {
        Measured { took, ops, latencies: None, owner_changes_per_1000: None }
    }

    fn nanos_per_op(&self) -> f64 {
        self.took.as_nanos() as f64 / self.ops as f64
    }
}

/// Runs `ops` operations and says how long they took.
type Body = Box<dyn Fn(u64) -> Measured>;

struct Contender {
    name: &'static str,
    body: Body,
}

fn contender(name: &'static str, body: impl Fn(u64) -> Measured + 'static) -> Contender {
    Contender { name, body: Box::new(body) }
}

/// A row group of the table: ours first, then the peers.
struct Scenario {
    key: String,
    what: String,
    layout: &'static str,
    contenders: Vec<Contender>,
}

struct Settings {
    rounds: usize,
    target: Duration,
    only: Vec<String>,
}

impl Settings {
    fn from_env() -> Settings {
        let quick = std::env::var("QUICK").is_ok_and(|v| v == "1");
        let number = |name: &str, default: u64| {
            std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
        };
        Settings {
            rounds: number("ROUNDS", if quick { 2 } else { 5 }).max(1) as usize,
            target: Duration::from_millis(number("TARGET_MS", if quick { 2 } else { 200 })),
            only: std::env::var("ONLY")
                .unwrap_or_default()
                .split([',', ' '])
                .filter(|w| !w.is_empty())
                .map(str::to_owned)
                .collect(),
        }
    }

    fn wants(&self, key: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|w| key.contains(w.as_str()))
    }
}

/// Operations per measurement: doubled until one lasts `target` (at least `floor` ops).
fn size(body: &Body, floor: u64, target: Duration) -> u64 {
    let mut ops = floor.max(1);
    while (body)(ops).took < target && ops < 1 << 40 {
        ops *= 2;
    }
    ops
}

// ---------------------------------------------------------------------------------------
// The scenarios.

fn lock_uncontended() -> Vec<Scenario> {
    let guard = |name, lock_unlock: fn(u64)| {
        contender(name, move |ops| {
            let start = Instant::now();
            lock_unlock(ops);
            Measured::plain(start.elapsed(), ops)
        })
    };
    let ours_guard = || {
        guard("ours, guard", |ops| {
            let lock = threading::Lock::new();
            for _ in 0..ops {
                drop(black_box(black_box(&lock).lock()));
            }
        })
    };
    let ours_pair = || {
        guard("ours, acquire() + release().unwrap()", |ops| {
            let lock = threading::Lock::new();
            for _ in 0..ops {
                black_box(&lock).acquire();
                black_box(&lock).release().unwrap();
            }
        })
    };
    let std_guard = || {
        guard("std Mutex, guard", |ops| {
            let mutex = std::sync::Mutex::new(());
            for _ in 0..ops {
                drop(black_box(black_box(&mutex).lock().unwrap()));
            }
        })
    };
    let pl_guard = || {
        guard("parking_lot Mutex, guard", |ops| {
            let mutex = parking_lot::Mutex::new(());
            for _ in 0..ops {
                drop(black_box(black_box(&mutex).lock()));
            }
        })
    };
    let port = || {
        guard("port(std)", |ops| {
            let lock = ports::std_port::Lock::default();
            for _ in 0..ops {
                black_box(&lock).acquire();
                black_box(&lock).release();
            }
        })
    };
    vec![
        Scenario {
            key: "lock_uncontended_guard".into(),
            what: "Lock uncontended, guard pair (per acquire + release)".into(),
            layout: "one thread",
            contenders: vec![ours_guard(), pl_guard(), std_guard(), port()],
        },
        Scenario {
            key: "lock_uncontended_acquire_release".into(),
            what: "Lock uncontended, `acquire()` + `release().unwrap()`".into(),
            layout: "one thread",
            contenders: vec![ours_pair(), ours_guard(), pl_guard(), std_guard()],
        },
    ]
}

fn lock_contender<L: Contended + 'static>(threads: usize, layout: Layout) -> Contender {
    contender(L::NAME, move |ops| {
        let per_thread = (ops / threads as u64).max(1);
        let run = throughput::<L>(threads, per_thread, layout);
        let latencies = acquire_latencies::<L>(threads, (per_thread / 4).max(1), layout);
        Measured {
            took: run.took,
            ops: run.increments,
            latencies: Some(latencies),
            owner_changes_per_1000: Some(run.owner_changes_per_1000()),
        }
    })
}

fn lock_contended() -> Vec<Scenario> {
    let mut scenarios = Vec::new();
    for layout in [Layout::SameLine, Layout::SeparateLines] {
        for threads in [2usize, 4, 8] {
            let layout_key = match layout {
                Layout::SameLine => "same_line",
                Layout::SeparateLines => "separate_lines",
            };
            scenarios.push(Scenario {
                key: format!("lock_contended_{threads}_{layout_key}"),
                what: format!("Lock contended, {threads} threads (per increment)"),
                layout: layout.describe(),
                contenders: vec![
                    lock_contender::<threading::Lock>(threads, layout),
                    lock_contender::<parking_lot::Mutex<()>>(threads, layout),
                    lock_contender::<std::sync::Mutex<()>>(threads, layout),
                    lock_contender::<ports::std_port::Lock>(threads, layout),
                ],
            });
        }
    }
    scenarios
}

/// RwLock<u64> uncontended and mixed (benches/support/rwlock.rs).
fn rwlock() -> Vec<Scenario> {
    use rwlock::BenchRwLock;
    type Ours = threading::RwLock<u64>;
    type ParkingLot = parking_lot::RwLock<u64>;
    type Std = std::sync::RwLock<u64>;
    #[derive(Clone, Copy)]
    enum Work {
        Reads,
        Writes,
        Mix { reads: u64, writes: u64 },
    }
    fn each<L: BenchRwLock>(work: Work) -> Contender {
        contender(L::NAME, move |ops| {
            let took = match work {
                Work::Reads => rwlock::uncontended_reads::<L>(ops),
                Work::Writes => rwlock::uncontended_writes::<L>(ops),
                Work::Mix { reads, writes } => {
                    rwlock::mixed::<L>(rwlock::MIX_THREADS, ops, reads, writes)
                }
            };
            Measured::plain(took, ops)
        })
    }
    let all = |work| vec![each::<Ours>(work), each::<ParkingLot>(work), each::<Std>(work)];
    let mut scenarios = vec![
        Scenario {
            key: "rwlock_uncontended_read".into(),
            what: "RwLock<u64> uncontended read lock + unlock".into(),
            layout: "one thread",
            contenders: all(Work::Reads),
        },
        Scenario {
            key: "rwlock_uncontended_write".into(),
            what: "RwLock<u64> uncontended write lock + unlock".into(),
            layout: "one thread",
            contenders: all(Work::Writes),
        },
    ];
    for (key, what, reads, writes) in rwlock::MIXES {
        scenarios.push(Scenario {
            key: format!("rwlock_{key}_{}", rwlock::MIX_THREADS),
            what: format!("RwLock<u64> {what}, {} threads (per section)", rwlock::MIX_THREADS),
            layout: "lock in its own line",
            contenders: all(Work::Mix { reads, writes }),
        });
    }
    scenarios
}

/// `FairMutex` contended: every unlock hands the lock to a sleeper when there is one, so
/// this measures handoffs (a wake-up each), ours against parking_lot 0.13's.
fn fair_mutex_contended() -> Vec<Scenario> {
    [2usize, 4, 8]
        .into_iter()
        .map(|threads| Scenario {
            key: format!("fair_mutex_contended_{threads}"),
            what: format!("FairMutex contended, {threads} threads (per increment)"),
            layout: Layout::SameLine.describe(),
            contenders: vec![
                lock_contender::<threading::FairMutex<()>>(threads, Layout::SameLine),
                lock_contender::<parking_lot::FairMutex<()>>(threads, Layout::SameLine),
            ],
        })
        .collect()
}

/// Ping-pong through two events: `event_round_trips!` (benches/support/ports.rs).
macro_rules! event_ping_pong {
    ($name:expr, $new:expr) => {
        contender($name, |ops| Measured::plain(event_round_trips!($new, ops), ops))
    };
}

fn event() -> Vec<Scenario> {
    vec![Scenario {
        key: "event_ping_pong".into(),
        what: "Event ping-pong (per round trip)".into(),
        layout: "2 threads",
        contenders: vec![
            event_ping_pong!("ours", threading::Event::new()),
            event_ping_pong!("spun floor (two flags, never sleeping)", spun::SpunEvent::default()),
            event_ping_pong!("port(std)", ports::std_port::Event::default()),
            event_ping_pong!("port(parking_lot)", ports::pl_port::Event::default()),
        ],
    }]
}

fn condition() -> Vec<Scenario> {
    use ports::condition_round_trips as round_trips;
    let ours = contender("ours", |ops| Measured::plain(round_trips::ours(ops), ops));
    let std = contender("std Condvar", |ops| Measured::plain(round_trips::std(ops), ops));
    let pl =
        contender("parking_lot Condvar", |ops| Measured::plain(round_trips::parking_lot(ops), ops));
    let floor = contender("spun floor (spin lock + turn in one line, never sleeping)", |ops| {
        Measured::plain(spun::condition_round_trips(ops, spun::Lines::One), ops)
    });
    let floor_apart = contender("spun floor (spin lock, turn: two lines)", |ops| {
        Measured::plain(spun::condition_round_trips(ops, spun::Lines::Two), ops)
    });
    vec![Scenario {
        key: "condition_ping_pong".into(),
        what: "Condition ping-pong (per round trip)".into(),
        layout: "2 threads",
        contenders: vec![ours, floor, floor_apart, std, pl],
    }]
}

/// Waiters on `notify_all`, and thread 0 is the notifier: 9 threads in all.
const WAITERS: usize = 8;

fn notify_all() -> Vec<Scenario> {
    // Thread 0 bumps `round` under `go` and notifies all; each waiter, woken, counts itself
    // in `acks` under `done`, and the last one notifies thread 0, which resets `acks`. Two
    // conditions, so that an acknowledgement never wakes a waiter and a broadcast never
    // wakes the notifier.
    let ours = contender("ours", |ops| {
        let (go, done) = (threading::Condition::new(), threading::Condition::new());
        // Relaxed: each only touched holding its condition's lock.
        let (round, acks) = (AtomicUsize::new(0), AtomicUsize::new(0));
        let took = timed_threads(WAITERS + 1, |index| {
            if index == 0 {
                for _ in 0..ops {
                    let guard = go.lock();
                    round.store(round.load(Relaxed) + 1, Relaxed);
                    guard.notify_all();
                    drop(guard);
                    let mut guard = done.lock();
                    while acks.load(Relaxed) < WAITERS {
                        guard.wait();
                    }
                    acks.store(0, Relaxed);
                }
            } else {
                for seen in 0..ops as usize {
                    let mut guard = go.lock();
                    while round.load(Relaxed) == seen {
                        guard.wait();
                    }
                    drop(guard);
                    let guard = done.lock();
                    acks.store(acks.load(Relaxed) + 1, Relaxed);
                    if acks.load(Relaxed) == WAITERS {
                        guard.notify(1);
                    }
                }
            }
        });
        Measured::plain(took, ops)
    });
    macro_rules! peer {
        ($name:expr, $mutex:ty, $condvar:ty, $lock:ident, $wait:ident) => {
            contender($name, |ops| {
                let (round, go) = (<$mutex>::new(0), <$condvar>::new());
                let (acks, done) = (<$mutex>::new(0), <$condvar>::new());
                let took = timed_threads(WAITERS + 1, |index| {
                    if index == 0 {
                        for _ in 0..ops {
                            *$lock!(round) += 1;
                            go.notify_all();
                            let mut count = $lock!(acks);
                            while *count < WAITERS {
                                $wait!(done, count);
                            }
                            *count = 0;
                        }
                    } else {
                        for seen in 0..ops as usize {
                            let mut now = $lock!(round);
                            while *now == seen {
                                $wait!(go, now);
                            }
                            drop(now);
                            let mut count = $lock!(acks);
                            *count += 1;
                            if *count == WAITERS {
                                done.notify_one();
                            }
                        }
                    }
                });
                Measured::plain(took, ops)
            })
        };
    }
    macro_rules! std_lock {
        ($m:expr) => {
            $m.lock().unwrap()
        };
    }
    macro_rules! std_wait {
        ($cv:expr, $guard:ident) => {
            $guard = $cv.wait($guard).unwrap()
        };
    }
    macro_rules! pl_lock {
        ($m:expr) => {
            $m.lock()
        };
    }
    macro_rules! pl_wait {
        ($cv:expr, $guard:ident) => {
            $cv.wait(&mut $guard)
        };
    }
    let std = peer!("std Condvar", std::sync::Mutex<usize>, std::sync::Condvar, std_lock, std_wait);
    let pl = peer!(
        "parking_lot Condvar",
        parking_lot::Mutex<usize>,
        parking_lot::Condvar,
        pl_lock,
        pl_wait
    );
    vec![Scenario {
        key: "condition_notify_all_8".into(),
        what: format!(
            "Condition notify_all to {WAITERS} waiters (per broadcast, all acknowledged)"
        ),
        layout: "9 threads",
        contenders: vec![ours, std, pl],
    }]
}

fn semaphore() -> Vec<Scenario> {
    // Stream: thread 0 releases `ops` permits, thread 1 acquires them.
    macro_rules! stream {
        ($name:expr, $new:expr, $release:expr) => {
            contender($name, move |ops| {
                let semaphore = $new;
                let took = timed_threads(2, |side| {
                    for _ in 0..ops {
                        if side == 0 {
                            $release(&semaphore);
                        } else {
                            semaphore.acquire();
                        }
                    }
                });
                Measured::plain(took, ops)
            })
        };
    }
    // Round trip: two semaphores at 0, release one, acquire the other.
    macro_rules! round_trip {
        ($name:expr, $new:expr, $release:expr) => {
            contender($name, move |ops| {
                Measured::plain(semaphore_round_trips!($new, $release, ops), ops)
            })
        };
    }
    let ours_release = |s: &threading::Semaphore| s.release().unwrap();
    let std_release = |s: &ports::std_port::Semaphore| s.release();
    let pl_release = |s: &ports::pl_port::Semaphore| s.release();
    macro_rules! uncontended {
        ($name:expr, $new:expr, $acquire_release:expr) => {
            contender($name, move |ops| {
                let semaphore = $new;
                let start = Instant::now();
                for _ in 0..ops {
                    $acquire_release(black_box(&semaphore));
                }
                Measured::plain(start.elapsed(), ops)
            })
        };
    }
    vec![
        Scenario {
            key: "semaphore_handoff_stream".into(),
            what: "Semaphore handoff stream (per permit, producer to consumer)".into(),
            layout: "2 threads",
            contenders: vec![
                stream!("ours", threading::Semaphore::new(0), ours_release),
                stream!("port(std)", ports::std_port::Semaphore::new(0), std_release),
                stream!("port(parking_lot)", ports::pl_port::Semaphore::new(0), pl_release),
            ],
        },
        Scenario {
            key: "semaphore_handoff_round_trip".into(),
            what: "Semaphore handoff (per round trip)".into(),
            layout: "2 threads",
            contenders: vec![
                round_trip!("ours", threading::Semaphore::new(0), ours_release),
                round_trip!("port(std)", ports::std_port::Semaphore::new(0), std_release),
                round_trip!("port(parking_lot)", ports::pl_port::Semaphore::new(0), pl_release),
            ],
        },
        Scenario {
            key: "semaphore_uncontended".into(),
            what: "Semaphore uncontended acquire + release".into(),
            layout: "one thread",
            contenders: vec![
                uncontended!("ours", threading::Semaphore::new(1), |s: &threading::Semaphore| {
                    drop(black_box(s.permit()))
                }),
                uncontended!(
                    "port(std)",
                    ports::std_port::Semaphore::new(1),
                    |s: &ports::std_port::Semaphore| {
                        s.acquire();
                        s.release();
                    }
                ),
                uncontended!(
                    "port(parking_lot)",
                    ports::pl_port::Semaphore::new(1),
                    |s: &ports::pl_port::Semaphore| {
                        s.acquire();
                        s.release();
                    }
                ),
            ],
        },
    ]
}

fn queue() -> Vec<Scenario> {
    use ports::queue_stream::{self, CAPACITY, Crossbeam, PAIRS, ParkingLotQueue, StdQueue};
    macro_rules! items {
        ($name:expr, $queue:ty, $pairs:expr) => {{
            let pairs = $pairs;
            contender($name, move |ops| {
                Measured::plain(queue_stream::items::<$queue>(CAPACITY, pairs, ops), ops)
            })
        }};
    }
    PAIRS
        .into_iter()
        .map(|pairs| Scenario {
            key: format!("queue_cap{CAPACITY}_{pairs}p{pairs}c"),
            what: format!(
                "Queue, capacity {CAPACITY}, {pairs} producers / {pairs} consumers (per item)"
            ),
            layout: ["2 threads", "4 threads", "8 threads"][pairs.trailing_zeros() as usize],
            contenders: vec![
                items!("ours", threading::Queue<u64>, pairs),
                items!("port(std)", StdQueue, pairs),
                items!("port(parking_lot)", ParkingLotQueue, pairs),
                items!("crossbeam-channel", Crossbeam, pairs),
            ],
        })
        .collect()
}

fn barrier() -> Vec<Scenario> {
    let mut scenarios = Vec::new();
    for parties in [2usize, 4] {
        let ours = contender("ours", move |ops| {
            let barrier = threading::Barrier::new(parties);
            let took = timed_threads(parties, |_| {
                for _ in 0..ops {
                    barrier.wait().unwrap();
                }
            });
            Measured::plain(took, ops)
        });
        let std = contender("std Barrier", move |ops| {
            let barrier = std::sync::Barrier::new(parties);
            let took = timed_threads(parties, |_| {
                for _ in 0..ops {
                    barrier.wait();
                }
            });
            Measured::plain(took, ops)
        });
        let port = contender("port(parking_lot)", move |ops| {
            let barrier = ports::pl_port::Barrier::new(parties);
            let took = timed_threads(parties, |_| {
                for _ in 0..ops {
                    barrier.wait();
                }
            });
            Measured::plain(took, ops)
        });
        scenarios.push(Scenario {
            key: format!("barrier_{parties}"),
            what: format!("Barrier, {parties} threads (per crossing)"),
            layout: if parties == 2 { "2 threads" } else { "4 threads" },
            contenders: vec![ours, std, port],
        });
    }
    scenarios
}

fn timer() -> Vec<Scenario> {
    const LONG: Duration = Duration::from_secs(60);
    let ours = contender("ours", |ops| {
        let start = Instant::now();
        for _ in 0..ops {
            let timer = threading::Timer::new(LONG, || unreachable!("cancelled timer fired"));
            timer.start().unwrap();
            timer.cancel();
            timer.join();
        }
        Measured::plain(start.elapsed(), ops)
    });
    let port = contender("port(std)", |ops| {
        let start = Instant::now();
        for _ in 0..ops {
            let mut timer =
                ports::std_port::Timer::start(LONG, || unreachable!("cancelled timer fired"));
            timer.cancel();
            timer.join();
        }
        Measured::plain(start.elapsed(), ops)
    });
    let floor = contender("thread spawn + join (floor)", |ops| {
        let start = Instant::now();
        for _ in 0..ops {
            std::thread::spawn(|| {}).join().unwrap();
        }
        Measured::plain(start.elapsed(), ops)
    });
    vec![Scenario {
        key: "timer_start_cancel_join".into(),
        what: "Timer create + start + cancel + join".into(),
        layout: "1 thread + the timer's",
        contenders: vec![ours, port, floor],
    }]
}

// ---------------------------------------------------------------------------------------
// The partner-delay sweep (benches/support/spun.rs): its own table, two numbers per wait.

/// The sweep's key for `ONLY`.
const SWEEP_KEY: &str = "event_sweep";

/// A sweep contender: `waits` waits whose partner answers after `delay`.
type SweepBody = Box<dyn Fn(Duration, u64) -> spun::SweepWait>;

fn sweep_contenders() -> Vec<(&'static str, SweepBody)> {
    fn of<E: Sync + 'static>(
        new: fn() -> E,
        set: fn(&E),
        wait: fn(&E),
        clear: fn(&E),
    ) -> SweepBody {
        Box::new(move |delay, waits| {
            let event = new();
            spun::sweep_waits(delay, waits, || set(&event), || wait(&event), || clear(&event))
        })
    }
    vec![
        ("ours", of(threading::Event::new, |e| e.set(), |e| e.wait(), |e| e.clear())),
        (
            "spun floor (never sleeping)",
            of(spun::SpunEvent::default, |e| e.set(), |e| e.wait(), |e| e.clear()),
        ),
        (
            "port(std)",
            of(ports::std_port::Event::default, |e| e.set(), |e| e.wait(), |e| e.clear()),
        ),
    ]
}

/// Every delay of [`spun::SWEEP_DELAYS`], every contender, `settings.rounds` interleaved
/// rounds of about `settings.target` each (at least 20 waits): about 15 s by default.
fn sweep(settings: &Settings) {
    if std::thread::available_parallelism().map_or(true, |n| n.get() < 2) {
        // The partner busy-waits its delay: on one CPU it would take the waiter's CPU away
        // for whole time slices, and the spun floor could not end a wait before a slice did.
        println!("\n(`{SWEEP_KEY}` skipped: it needs two CPUs, this process may use one.)");
        return;
    }
    let contenders = sweep_contenders();
    println!(
        "\n### Event wait, partner answers after a delay (`{SWEEP_KEY}`)\n\n\
         The waiter bumps a round and waits; its partner busy-waits the delay, then sets. \
         Latency: from the partner's `set` to the waiter running again (median of the waits; \
         median over rounds, range). CPU: the waiter thread's CPU time per wait (mean of the \
         waits; median over rounds, range), spinning and system calls included.\n"
    );
    println!("| partner answers after | contender | latency | range | CPU per wait | range |");
    println!("|---|---|---|---|---|---|");
    for delay in spun::SWEEP_DELAYS {
        eprint!("{SWEEP_KEY} {}", duration(delay));
        let per_wait = delay + Duration::from_micros(30);
        let waits = (settings.target.as_nanos() / per_wait.as_nanos()).max(20) as u64;
        let n = contenders.len();
        let mut latencies = vec![Vec::new(); n];
        let mut cpus = vec![Vec::new(); n];
        for round in 0..settings.rounds {
            eprint!(" {}", round + 1);
            for turn in 0..n {
                let index = (turn + round) % n;
                let measured = (contenders[index].1)(delay, waits);
                latencies[index].push(measured.latency.as_nanos() as f64);
                cpus[index].extend(measured.cpu.map(|cpu| cpu.as_nanos() as f64));
            }
        }
        eprintln!();
        let summary = |values: &[f64]| {
            if values.is_empty() {
                return ("–".to_owned(), "–".to_owned());
            }
            let low = values.iter().copied().fold(f64::INFINITY, f64::min);
            let high = values.iter().copied().fold(0.0, f64::max);
            (time(median(values)), format!("{} – {}", time(low), time(high)))
        };
        for (index, (name, _)) in contenders.iter().enumerate() {
            let (latency, latency_range) = summary(&latencies[index]);
            let (cpu, cpu_range) = summary(&cpus[index]);
            println!(
                "| {} | {name} | {latency} | {latency_range} | {cpu} | {cpu_range} |",
                duration(delay)
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// Running and reporting.

/// A contender's results over the rounds.
struct Results {
    name: &'static str,
    nanos: Vec<f64>,
    p99: Vec<Duration>,
    p999: Vec<Duration>,
    max: Duration,
    owner_changes: Vec<f64>,
}

fn run(scenario: &Scenario, settings: &Settings) -> Vec<Results> {
    let floors: Vec<u64> = scenario
        .contenders
        .iter()
        .map(|c| {
            eprint!(".");
            size(&c.body, 16, settings.target)
        })
        .collect();
    let mut results: Vec<Results> = scenario
        .contenders
        .iter()
        .map(|c| Results {
            name: c.name,
            nanos: Vec::new(),
            p99: Vec::new(),
            p999: Vec::new(),
            max: Duration::ZERO,
            owner_changes: Vec::new(),
        })
        .collect();
    let n = scenario.contenders.len();
    for round in 0..settings.rounds {
        eprint!(" {}", round + 1);
        for turn in 0..n {
            let index = (turn + round) % n;
            let measured = (scenario.contenders[index].body)(floors[index]);
            let result = &mut results[index];
            result.nanos.push(measured.nanos_per_op());
            if let Some(latencies) = &measured.latencies {
                result.p99.push(quantile(latencies, 0.99));
                result.p999.push(quantile(latencies, 0.999));
                result.max = result.max.max(quantile(latencies, 1.0));
            }
            result.owner_changes.extend(measured.owner_changes_per_1000);
        }
    }
    eprintln!();
    results
}

fn median<T: Copy + PartialOrd>(values: &[T]) -> T {
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| a.partial_cmp(b).unwrap());
    sorted[sorted.len() / 2]
}

fn time(nanos: f64) -> String {
    if nanos < 1_000.0 {
        format!("{nanos:.1} ns")
    } else if nanos < 1_000_000.0 {
        format!("{:.2} µs", nanos / 1e3)
    } else {
        format!("{:.2} ms", nanos / 1e6)
    }
}

fn duration(d: Duration) -> String {
    time(d.as_nanos() as f64)
}

fn row(scenario: &Scenario, results: &[Results]) -> Vec<String> {
    let ours = &results[0];
    results
        .iter()
        .enumerate()
        .map(|(index, result)| {
            let (low, high) = (
                result.nanos.iter().copied().fold(f64::INFINITY, f64::min),
                result.nanos.iter().copied().fold(0.0, f64::max),
            );
            let ratio = if index == 0 {
                "–".to_owned()
            } else {
                let ratios: Vec<f64> =
                    result.nanos.iter().zip(&ours.nanos).map(|(peer, ours)| peer / ours).collect();
                let (low, high) = (
                    ratios.iter().copied().fold(f64::INFINITY, f64::min),
                    ratios.iter().copied().fold(0.0, f64::max),
                );
                format!("{:.2}x ({low:.2}–{high:.2})", median(&ratios))
            };
            let tail = if result.p99.is_empty() {
                "–".to_owned()
            } else {
                format!(
                    "{} / {} / {}",
                    duration(median(&result.p99)),
                    duration(median(&result.p999)),
                    duration(result.max)
                )
            };
            let owners = if result.owner_changes.is_empty() {
                "–".to_owned()
            } else {
                format!("{:.1}", median(&result.owner_changes))
            };
            format!(
                "| `{}` | {} | {} | plain | {} | {} | {} – {} | {} | {} | {} |",
                scenario.key,
                scenario.what,
                scenario.layout,
                result.name,
                time(median(&result.nanos)),
                time(low),
                time(high),
                ratio,
                tail,
                owners
            )
        })
        .collect()
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, model)| model.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown (no \"model name\" in /proc/cpuinfo)".to_owned())
}

/// The fastest of 5 timed runs of 10 000 `spin_loop()`: what one pause costs here, which
/// is what the crate's spin budgets are converted with (src/spin.rs).
fn nanos_per_pause() -> f64 {
    (0..5)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..10_000 {
                std::hint::spin_loop();
            }
            start.elapsed().as_nanos() as f64 / 10_000.0
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    let settings = Settings::from_env();
    let all: Vec<Scenario> = [
        lock_uncontended(),
        lock_contended(),
        fair_mutex_contended(),
        event(),
        condition(),
        notify_all(),
        semaphore(),
        barrier(),
        timer(),
        queue(),
        rwlock(),
    ]
    .into_iter()
    .flatten()
    .collect();
    let chosen: Vec<&Scenario> = all.iter().filter(|s| settings.wants(&s.key)).collect();
    let sweeping = settings.wants(SWEEP_KEY);
    if chosen.is_empty() && !sweeping {
        eprintln!("ONLY={:?} matches no scenario; the keys are:", settings.only);
        for scenario in &all {
            eprintln!("  {}", scenario.key);
        }
        eprintln!("  {SWEEP_KEY}");
        std::process::exit(2);
    }
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!("## Plain-loop harness (`benches/plain.rs`)\n");
    println!(
        "CPU: {} · CPUs this process may use: {cpus} · one pause (`spin_loop`): {:.1} ns · \
         {} interleaved rounds, ~{} ms per measurement{}\n",
        cpu_model(),
        nanos_per_pause(),
        settings.rounds,
        settings.target.as_millis(),
        if std::env::var("QUICK").is_ok_and(|v| v == "1") {
            " · QUICK: a smoke test, not a measurement"
        } else {
            ""
        }
    );
    if !chosen.is_empty() {
        println!(
            "Median over rounds (range); ratio = peer / ours per round, median (range): above \
             1, ours is faster. Tail: acquire latency p99 / p99.9 (medians over rounds) / \
             maximum (over all rounds).\n"
        );
        println!(
            "| key | scenario | layout | harness | contender | median | range | peer / ours | \
             tail p99 / p99.9 / max | owner changes / 1000 |"
        );
        println!("|---|---|---|---|---|---|---|---|---|---|");
    }
    for scenario in chosen {
        eprint!("{}", scenario.key);
        let results = run(scenario, &settings);
        for line in row(scenario, &results) {
            println!("{line}");
        }
    }
    if sweeping {
        sweep(&settings);
    }
}
