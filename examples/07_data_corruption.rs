//! Section 7 of the notebook, "Data Corruption", with the story of its section 8 made
//! exact. `x += 1` is three steps: load `x`, add 1 in a register, store the register back.
//! A thread loads `x = 700` and computes 701 in its register; then the kernel suspends it.
//! The other threads increment `x` many times, up to 3287. The first thread resumes and
//! stores its stale 701, overwriting 3287: 2587 increments are lost.
//!
//! Where Rust differs from Python:
//! - The notebook hopes the scheduler produces this interleaving and shows the bytecode with
//!   `dis.dis("x += 1")`. Here two `Event`s force it deterministically: thread A sets
//!   `loaded` after its load and then waits for `resume`, which main sets only after
//!   threads B and C have brought `x` to 3287. So the run always ends with `x = 701`.
//! - Instead of a disassembly, the example prints the three steps it performs. Rust would
//!   not compile a plain `x += 1` on a shared integer (a data race); the load and the store
//!   are separate atomic operations, each indivisible, the pair not.

#[path = "common/mod.rs"]
mod common;

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::thread;
use threading::{Event, Lock};

pub fn main() {
    println!(
        "x += 1 runs as three steps (CPython: LOAD_NAME x, LOAD_CONST 1, INPLACE_ADD, STORE_NAME x):"
    );
    println!("  1. load  x into a register");
    println!("  2. add   1 to the register");
    println!("  3. store the register into x");

    let x = AtomicU64::new(0);
    for _ in 0..700 {
        x.store(x.load(Relaxed) + 1, Relaxed); // some earlier work: x is now 700
    }
    let loaded = Event::new(); // thread A has done steps 1 and 2
    let resume = Event::new(); // the kernel lets thread A run again
    let lock = Lock::new(); // B and C increment correctly among themselves

    thread::scope(|s| {
        let a = s.spawn(|| {
            let register = x.load(Relaxed); // step 1
            let register = register + 1; // step 2
            println!(
                "thread A: loaded x = {}, computed {register} in a register ... suspended",
                register - 1
            );
            loaded.set();
            resume.wait();
            x.store(register, Relaxed); // step 3, with the stale value
            println!("thread A: resumed, stored {register} into x");
        });
        let increment_to = |name: &str, times: u64| {
            loaded.wait();
            for _ in 0..times {
                let _guard = lock.lock();
                x.store(x.load(Relaxed) + 1, Relaxed);
            }
            println!("thread {name}: incremented x {times} times");
        };
        let b = s.spawn(move || increment_to("B", 1293));
        let c = s.spawn(move || increment_to("C", 1294));
        b.join().expect("B panicked");
        c.join().expect("C panicked");
        println!("threads B and C are done: x = {}", x.load(Relaxed));
        resume.set();
        a.join().expect("A panicked");
    });

    let end = x.load(Relaxed);
    println!("final x: {end} (expected 700 + 1 + 2587 = 3288; {} increments lost)", 3288 - end);
}
