//! Section 7 of the notebook, "Data Corruption", with the story of its section 8 made
//! exact. `x += 1` is three steps: load `x`, add 1 in a register, store the register back.
//! A thread loads `x = 700` and computes 701 in its register; then the kernel suspends it.
//! The other threads increment `x` many times, up to 3287. The first thread resumes and
//! stores its stale 701, overwriting 3287: 2587 increments are lost.
//!
//! The example prints, in order:
//! 1. The notebook's cell `dis.dis("x += 1")`, run by `python3` when there is one: CPython's
//!    bytecode for `x += 1`, several instructions.
//! 2. Rust's `dis`: the machine code of `x += 1` on a shared counter as this binary runs it,
//!    decoded at run time from the function itself (`plus_equals_one`, and the variant of
//!    sections 6 and 8 that yields between the load and the store). On x86-64 the plain one
//!    is typically a single `inc` on memory *without* a lock prefix: one instruction, yet the
//!    CPU reads, adds and writes as separate steps, and another core may write in between.
//!    The note under each listing is computed from the decoded instructions.
//! 3. The lost update of the notebook's story, forced: two `Event`s stage it. Thread A sets
//!    `loaded` after its load and then waits for `resume`, which main sets only after threads
//!    B and C have brought `x` to 3287. So the staged run always ends with `x = 701`; the
//!    output says that the Events, not the scheduler, made it happen.
//! 4. The same three threads without the Events, run many times: what the scheduler alone
//!    does with them (A's single increment rarely straddles the others', so usually nothing
//!    is lost; the count of runs that lost updates is measured, not assumed).
//!
//! Where Rust differs from Python: a plain `x += 1` on an integer shared between threads
//! does not compile in Rust (a data race is undefined behaviour); the counter is an
//! `AtomicU64` with a separate load and store, each indivisible, the pair not.

#[path = "common/mod.rs"]
mod common;

use common::counters::{plus_equals_one, plus_equals_one_yielding};
use common::disasm;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::thread;
use threading::{Event, Lock};

/// The notebook's cell for this section.
const PYTHON_DIS: &str = "import dis\ndis.dis(\"x += 1\")\n";

/// The value of `x` before the story starts, and B's and C's increments (to 3287).
const START: u64 = 700;
const B_TIMES: u64 = 1293;
const C_TIMES: u64 = 1294;

/// The two Events that stage the bad interleaving.
struct Staging {
    /// Thread A has done steps 1 and 2 (load, add).
    loaded: Event,
    /// The "kernel" lets thread A run again.
    resume: Event,
}

/// Threads A, B and C on `x` (which holds `START`): A increments once with separate load and
/// store, B and C increment `B_TIMES` and `C_TIMES` times under a lock. With `staging`, the
/// Events force A's stale store after B and C, and every step is printed. Returns final x
/// and the correct value for the threads that started (the OS may refuse one: `common`
/// says so, and it adds nothing).
fn run_threads(staging: Option<&Staging>) -> (u64, u64) {
    let x = AtomicU64::new(START);
    let lock = Lock::new(); // B and C increment correctly among themselves
    thread::scope(|s| {
        let a = common::spawn_scoped(s, "thread A", || {
            let register = x.load(Relaxed); // step 1
            let register = register + 1; // step 2
            if let Some(staging) = staging {
                println!(
                    "thread A: loaded x = {}, computed {register} in a register ... suspended (waits for the Event `resume`)",
                    register - 1
                );
                staging.loaded.set();
                staging.resume.wait();
            }
            x.store(register, Relaxed); // step 3, with a value that may be stale
            if staging.is_some() {
                println!("thread A: resumed, stored {register} into x");
            }
        })
        .ok();
        if let (None, Some(staging)) = (&a, staging) {
            staging.loaded.set(); // No thread A to wait for: B and C go on.
        }
        let increment = |name: &str, times: u64| {
            if let Some(staging) = staging {
                staging.loaded.wait(); // start only once A holds its stale value
            }
            for _ in 0..times {
                let _guard = lock.lock();
                plus_equals_one(&x);
            }
            if staging.is_some() {
                println!("thread {name}: incremented x {times} times");
            }
        };
        let b = common::spawn_scoped(s, "thread B", move || increment("B", B_TIMES)).ok();
        let c = common::spawn_scoped(s, "thread C", move || increment("C", C_TIMES)).ok();
        let correct = START
            + u64::from(a.is_some())
            + if b.is_some() { B_TIMES } else { 0 }
            + if c.is_some() { C_TIMES } else { 0 };
        for t in [b, c].into_iter().flatten() {
            t.join().expect("B or C panicked");
        }
        if let Some(staging) = staging {
            println!("threads B and C are done: x = {}", x.load(Relaxed));
            println!("main: sets the Event `resume`, letting thread A continue");
            staging.resume.set();
        }
        if let Some(a) = a {
            a.join().expect("A panicked");
        }
        (x.load(Relaxed), correct)
    })
}

pub fn main() {
    println!("The notebook's cell: dis.dis(\"x += 1\")");
    common::show_python("CPython's bytecode, from python3 on this machine:", PYTHON_DIS);

    println!();
    println!("Rust's dis: `x += 1` on a shared AtomicU64 (relaxed load, + 1, relaxed store):");
    let plain = disasm::show("plus_equals_one", plus_equals_one as *const u8, &[], usize::MAX);
    println!("  -> {}", disasm::verdict(&plain));
    let yield_now = thread::yield_now as fn() as usize;
    let yielding = disasm::show(
        "plus_equals_one_yielding (sections 6 and 8: may yield between load and store)",
        plus_equals_one_yielding as *const u8,
        &[("std::thread::yield_now", yield_now)],
        usize::MAX,
    );
    println!("  -> {}", disasm::verdict(&yielding));

    println!();
    println!(
        "The notebook's story, forced by two Events (`loaded`, `resume`), not left to the scheduler:"
    );
    let staging = Staging { loaded: Event::new(), resume: Event::new() };
    let (end, correct) = run_threads(Some(&staging));
    println!(
        "final x: {end} (expected for the threads that ran: {correct}, {START} + 1 + {} with all three; {} increments lost)",
        B_TIMES + C_TIMES,
        correct - end
    );

    let runs = common::scaled_count(1000).max(20);
    let results: Vec<(u64, u64)> = (0..runs).map(|_| run_threads(None)).collect();
    let lossy = results.iter().filter(|&&(x, correct)| x != correct).count();
    let lowest = results.iter().copied().min().expect("at least one run");
    let (lowest, correct) = lowest;
    println!();
    println!("The same threads without the Events, {runs} runs (the scheduler alone):");
    println!(
        "without Events: {lossy} of {runs} runs lost updates (lowest final x {lowest}, correct {correct})"
    );
}
