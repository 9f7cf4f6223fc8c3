//! Section 3 of the notebook, "Using Methods as Callbacks": the thread's target is an
//! object rather than a function. Python calls `m1("1")`, which runs `MyClass.__call__`.
//!
//! Where Rust differs from Python: stable Rust has no user-implementable `__call__`
//! (implementing the `Fn*` traits for your own type is unstable). The idiomatic answer is a
//! struct with a method, moved into the thread inside a closure: `move || m1.call("1")`.
//! Any closure *is* such a "callable object" — the compiler generates a struct holding the
//! captured variables and a call method for it. The struct must be `Send` to move to
//! another thread, which the compiler checks.

#[path = "common/mod.rs"]
mod common;

/// A callable class: the thread's target.
struct MyClass;

impl MyClass {
    fn new() -> MyClass {
        MyClass
    }

    /// Python's `__call__(self, name)`.
    fn call(&self, name: &str) {
        for _ in 1..50 {
            common::emit(name);
            common::random_pause(0.1);
        }
    }
}

pub fn main() {
    let m1 = MyClass::new();
    let m2 = MyClass::new();
    let m3 = MyClass::new();

    // The closures take ownership of the objects (`move`) and call them in the new thread.
    // A thread the OS refuses to start is reported (by `common`) and left out.
    let t1 = common::spawn_thread("thread 1 of 3", move || m1.call("1")).ok();
    let t2 = common::spawn_thread("thread 2 of 3", move || m2.call("2")).ok();
    let t3 = common::spawn_thread("thread 3 of 3", move || m3.call("3")).ok();

    for t in [t1, t2, t3].into_iter().flatten() {
        t.join().expect("thread panicked");
    }

    common::emit("\nEnd of main\n");
}
