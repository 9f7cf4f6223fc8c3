//! What `fork()` does to the primitives: each test sets up a situation in this process
//! (a timer pending, running or just fired; a lock held by another thread; an `RLock` owned
//! by this thread or another), forks, checks in the child what Python's `threading` does
//! after a fork, and checks the child's exit status here.
//!
//! Python re-initialises its threading state in a forked child (`threading._after_fork`):
//! the parent's other threads are gone and marked stopped, so a timer inherited from the
//! parent never fires in the child, `is_alive()` is false and `join()` returns at once,
//! while a timer started in the child works as in a fresh process; user locks are copied
//! as they were. The child is bounded: one that hangs is killed, and the test fails.
//!
//! The child shares the test harness's memory but none of its other threads, so it must
//! not take a lock one of them might have held at the fork (stdout, stderr capture, std's
//! `Mutex`): it reports a failed check with a raw `write(2)` and `_exit`, and never returns
//! into the harness.

#![cfg(all(unix, not(miri), not(loom)))]

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::Duration;
use threading::{Event, Lock, RLock, ReleaseError, Timer};

/// How long a child may take before it counts as hung: far beyond what any child here
/// needs, even on a loaded machine.
const CHILD_PATIENCE: Duration = Duration::from_secs(20);
/// How long a timer in the child may take to fire before the child gives up on it.
const PATIENCE: Duration = Duration::from_secs(10);
/// An interval that no test waits out.
const NEVER: Duration = Duration::from_secs(3600);

/// In the child: on a failed check, says which on stderr (a raw write, no lock) and exits 1.
fn check(ok: bool, what: &str) {
    if !ok {
        let line = format!("fork child: check failed: {what}\n");
        // SAFETY: writes a buffer we own to stderr; nothing else is touched.
        unsafe { libc::write(2, line.as_ptr().cast(), line.len()) };
        // SAFETY: ends the child at once, without returning into the test harness.
        unsafe { libc::_exit(1) };
    }
}

/// Forks; the child runs `child` (its checks exit 1 on failure; a panic exits 2) and exits
/// 0; the parent waits for it, kills it if it hangs, and fails the test unless it exited 0.
fn in_a_forked_child(what: &str, child: impl FnOnce()) {
    // SAFETY: the child only runs `child`, which avoids the locks other threads may have
    // held at the fork (see the module doc), and ends with `_exit`.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed: {}", std::io::Error::last_os_error());
    if pid == 0 {
        let code = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(child)) {
            Ok(()) => 0,
            Err(_) => 2,
        };
        // SAFETY: ends the child without returning into the test harness.
        unsafe { libc::_exit(code) };
    }
    let status = wait_for_child(pid, what);
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{what}: the child failed (wait status {status:#x}; 1 = a check failed, 2 = a panic)"
    );
}

/// Waits for child `pid` for at most [`CHILD_PATIENCE`]; a child still running then is
/// killed and the test fails. Returns the wait status.
fn wait_for_child(pid: libc::pid_t, what: &str) -> libc::c_int {
    let (tx, rx) = mpsc::channel();
    let waiter = thread::spawn(move || {
        let mut status = 0;
        // SAFETY: a valid pointer for the status; `pid` is our child.
        let waited = unsafe { libc::waitpid(pid, &mut status, 0) };
        let _ = tx.send((waited, status));
    });
    let outcome = rx.recv_timeout(CHILD_PATIENCE);
    if outcome.is_err() {
        // SAFETY: `pid` is our child, not yet waited for.
        unsafe { libc::kill(pid, libc::SIGKILL) };
    }
    waiter.join().unwrap();
    let (waited, status) = outcome.unwrap_or_else(|_| panic!("{what}: the child hung, killed"));
    assert_eq!(waited, pid, "waitpid: {}", std::io::Error::last_os_error());
    status
}

/// In the child: a new timer fires and is joined, as in a fresh process.
fn a_new_timer_fires() {
    let fired = Arc::new(Event::new());
    let timer = {
        let fired = Arc::clone(&fired);
        Timer::new(Duration::ZERO, move || fired.set())
    };
    check(timer.start().is_ok(), "a new timer starts");
    check(fired.wait_timeout(PATIENCE), "a new timer fires");
    check(timer.join_timeout(PATIENCE), "a new timer is joined");
    check(!timer.is_alive(), "a new timer is over after join");
}

/// In the child: a timer started in the parent is over here, at once.
fn inherited_timer_is_over(timer: &Timer, what: &str) {
    check(!timer.is_alive(), what);
    check(timer.join_timeout(Duration::ZERO), what);
    timer.join(); // returns at once; a hang here is killed by the parent
    timer.cancel(); // changes nothing: the timer is over in this process
    check(!timer.is_cancelled(), what);
}

#[test]
fn a_timer_pending_in_the_parent_never_fires_in_the_child() {
    let ran = Arc::new(AtomicUsize::new(0));
    let pending = {
        let ran = Arc::clone(&ran);
        Timer::new(Duration::from_millis(200), move || {
            ran.fetch_add(1, Ordering::Relaxed);
        })
    };
    let never = Timer::new(NEVER, || {});
    let beyond_the_clock = Timer::new(Duration::MAX, || {});
    let not_started = Arc::new(Event::new());
    let started_in_child = {
        let not_started = Arc::clone(&not_started);
        Timer::new(Duration::ZERO, move || not_started.set())
    };
    for timer in [&pending, &never, &beyond_the_clock] {
        timer.start().unwrap();
    }
    in_a_forked_child("pending timers", || {
        // What the parent's timer had done by the fork (it may have fired on a slow machine).
        let ran_at_fork = ran.load(Ordering::Relaxed);
        inherited_timer_is_over(&pending, "a pending timer");
        inherited_timer_is_over(&never, "a timer pending for an hour");
        inherited_timer_is_over(&beyond_the_clock, "a timer that never fires");
        check(pending.start().is_err(), "an inherited timer was started already");
        // A timer created in the parent but started here works as a new one.
        check(started_in_child.start().is_ok(), "a parent's unstarted timer starts");
        check(not_started.wait_timeout(PATIENCE), "a parent's unstarted timer fires");
        check(started_in_child.join_timeout(PATIENCE), "and is joined");
        // A child's timer due after the inherited one: once it has fired, the inherited one
        // would have fired too, if it ever did.
        let later = Timer::new(Duration::from_millis(400), || {});
        check(later.start().is_ok(), "a later timer starts");
        check(later.join_timeout(PATIENCE), "a later timer fires");
        check(ran.load(Ordering::Relaxed) == ran_at_fork, "the inherited timer never fired here");
        a_new_timer_fires();
    });
    // In the parent, nothing changed.
    pending.join();
    assert_eq!(ran.load(Ordering::Relaxed), 1);
    assert!(never.is_alive() && beyond_the_clock.is_alive());
    never.cancel();
    beyond_the_clock.cancel();
    never.join();
    beyond_the_clock.join();
}

#[test]
fn a_fork_while_the_scheduler_thread_lingers() {
    // A timer fired a moment ago: the parent's scheduler thread is alive and idle.
    let fired = Timer::new(Duration::ZERO, || {});
    fired.start().unwrap();
    fired.join();
    in_a_forked_child("scheduler lingering", || {
        inherited_timer_is_over(&fired, "a timer that fired in the parent");
        a_new_timer_fires();
        a_new_timer_fires();
    });
}

#[test]
fn a_timer_whose_function_runs_at_the_fork_is_over_in_the_child() {
    let began = Arc::new(Event::new());
    let go_on = Arc::new(Event::new());
    let running = {
        let (began, go_on) = (Arc::clone(&began), Arc::clone(&go_on));
        Timer::new(Duration::ZERO, move || {
            began.set();
            go_on.wait();
        })
    };
    running.start().unwrap();
    assert!(began.wait_timeout(PATIENCE));
    in_a_forked_child("function running", || {
        inherited_timer_is_over(&running, "a timer whose function ran at the fork");
        a_new_timer_fires();
    });
    assert!(running.is_alive(), "in the parent it still runs");
    go_on.set();
    assert!(running.join_timeout(PATIENCE));
}

#[test]
fn forks_while_another_thread_starts_and_cancels_timers() {
    let stop = Arc::new(AtomicBool::new(false));
    let churn = {
        let stop = Arc::clone(&stop);
        thread::spawn(move || {
            let mut rounds = 0_u64;
            // Every start takes the scheduler's lock (and now and then compacts the heap
            // under it); cancelled before they fire, the timers cost no thread each.
            while !stop.load(Ordering::Relaxed) {
                let timer = Timer::new(NEVER + Duration::from_millis(rounds % 50), || {});
                timer.start().unwrap();
                timer.cancel();
                rounds += 1;
            }
            rounds
        })
    };
    for fork in 0..50 {
        in_a_forked_child(&format!("fork {fork} during start/cancel churn"), || {
            a_new_timer_fires();
            let pending = Timer::new(NEVER, || {});
            check(pending.start().is_ok(), "a pending timer starts");
            pending.cancel();
            check(pending.join_timeout(PATIENCE), "a cancelled timer is joined");
        });
    }
    stop.store(true, Ordering::Relaxed);
    assert!(churn.join().unwrap() > 0);
}

#[test]
fn a_lock_held_by_another_thread_stays_locked_in_the_child() {
    let lock = Arc::new(Lock::new());
    let held = Arc::new(Event::new());
    let give_back = Arc::new(Event::new());
    let holder = {
        let (lock, held, give_back) =
            (Arc::clone(&lock), Arc::clone(&held), Arc::clone(&give_back));
        thread::spawn(move || {
            lock.acquire();
            held.set();
            give_back.wait();
            lock.release().unwrap();
        })
    };
    assert!(held.wait_timeout(PATIENCE));
    in_a_forked_child("lock held by another thread", || {
        check(lock.locked(), "the lock is still held");
        check(!lock.try_acquire(), "try_acquire fails");
        check(!lock.acquire_timeout(Duration::from_millis(10)), "a timed acquire fails");
        // As in Python, any thread may release a Lock: the child can free it itself.
        check(lock.release().is_ok(), "the child may release it");
        check(lock.try_acquire(), "and take it then");
    });
    give_back.set();
    holder.join().unwrap();
    assert!(!lock.locked());
}

#[test]
fn an_rlock_owned_by_the_forking_thread_stays_its_own() {
    let rlock = RLock::new();
    rlock.acquire();
    rlock.acquire();
    in_a_forked_child("rlock owned by the forking thread", || {
        check(rlock.is_owned(), "the forking thread still owns it");
        check(rlock.release().is_ok(), "release once");
        check(rlock.release().is_ok(), "release twice");
        check(rlock.release() == Err(ReleaseError::NotOwner), "free now");
        check(rlock.try_acquire(), "it can be taken again");
        check(rlock.release().is_ok(), "and released");
    });
    rlock.release().unwrap();
    rlock.release().unwrap();
}

#[test]
fn an_rlock_owned_by_another_thread_stays_held_in_the_child() {
    let rlock = Arc::new(RLock::new());
    let owned = Arc::new(Event::new());
    let give_back = Arc::new(Event::new());
    let owner = {
        let (rlock, owned, give_back) =
            (Arc::clone(&rlock), Arc::clone(&owned), Arc::clone(&give_back));
        thread::spawn(move || {
            rlock.acquire();
            owned.set();
            give_back.wait();
            rlock.release().unwrap();
        })
    };
    assert!(owned.wait_timeout(PATIENCE));
    in_a_forked_child("rlock owned by another thread", || {
        check(!rlock.is_owned(), "not owned by the forking thread");
        check(rlock.release() == Err(ReleaseError::NotOwner), "release: NotOwner");
        check(!rlock.try_acquire(), "still held");
        // Threads started in the child get ids of their own, not the parent's owner's.
        let from_a_new_thread = thread::spawn({
            let rlock = Arc::clone(&rlock);
            move || rlock.release() == Err(ReleaseError::NotOwner) && !rlock.is_owned()
        });
        check(from_a_new_thread.join().unwrap_or(false), "a child's thread is no owner either");
    });
    give_back.set();
    owner.join().unwrap();
}
