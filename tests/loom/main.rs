//! Model checks of every primitive with loom: run with
//! `RUSTFLAGS="--cfg loom" cargo test --release --test loom`.
//!
//! Under `cfg(loom)` the crate's atomics are loom's and its futex seam is a model in which a
//! lost wake-up leaves a thread asleep forever (loom reports a deadlock) and a timed wait
//! may give up at any point (loom explores the timeout racing every wake). Each test
//! states the property it checks; `scripts/loom-teeth.py` shows that breaking the protocol
//! makes these tests fail.
#![cfg(loom)]

mod barrier;
mod condition;
mod condvar;
mod event;
mod faces;
mod lock;
mod once;
mod queue;
mod rlock;
mod rwlock;
mod semaphore;
mod shared_lock;
mod timer;

/// Explores `body` under loom with the preemption bound from `LOOM_MAX_PREEMPTIONS`, or 3.
pub fn check(body: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    if builder.preemption_bound.is_none() {
        builder.preemption_bound = Some(3);
    }
    builder.check(body);
}
