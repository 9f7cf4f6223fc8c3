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

use std::thread;
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

    let t1 = thread::spawn(move || m1.call("1"));
    let t2 = thread::spawn(move || m2.call("2"));
    let t3 = thread::spawn(move || m3.call("3"));

    println!("... main waiting for {} seconds", common::seconds_text(15.0));
    common::sleep(15.0);
    println!("... main setting event flag");
    EVENT.set();

    t1.join().expect("t1 panicked");
    t2.join().expect("t2 panicked");
    t3.join().expect("t3 panicked");

    println!("\nEnd of main");
}
