//! Section 10 of the notebook, "Events": three threads wait on one `Event`; main sleeps
//! 15 s and then sets it, which releases all three at once.
//!
//! Where Rust differs from Python:
//! - The notebook's global `event` is a `static`: `Event::new` is a `const fn`, so
//!   `static EVENT: Event = Event::new();` needs no lazy initialisation and no `Arc`.
//! - An `Event` remembers that it was set, so unlike a bare condition `wait()` (section 10,
//!   "Condition Variables") a thread that starts waiting late still proceeds.
//! - The notebook prints "... main clearing event flag" right before `event.set()`; it
//!   sets the flag, so this example says "setting".

#[path = "common/mod.rs"]
mod common;

use threading::Event;

static EVENT: Event = Event::new();

struct MyClass;

impl MyClass {
    fn call(&self, name: &str) {
        println!("{name} waiting for event");
        EVENT.wait();
        println!("\t{name} proceeding after event");
    }
}

pub fn main() {
    let m1 = MyClass;
    let m2 = MyClass;
    let m3 = MyClass;

    // A thread the OS refuses to start is reported (by `common`) and left out.
    let t1 = common::spawn_thread("thread 1 of 3", move || m1.call("1")).ok();
    let t2 = common::spawn_thread("thread 2 of 3", move || m2.call("2")).ok();
    let t3 = common::spawn_thread("thread 3 of 3", move || m3.call("3")).ok();

    println!("... main waiting for {} seconds", common::seconds_text(15.0));
    common::sleep(15.0);
    println!("... main setting event flag");
    EVENT.set();

    for t in [t1, t2, t3].into_iter().flatten() {
        t.join().expect("thread panicked");
    }

    println!("\nEnd of main");
}
