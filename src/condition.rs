//! `Condition`: a condition variable with its own lock, Python's `threading.Condition`.
//!
//! # What it is
//!
//! [`Condition::lock`] takes the condition's lock and returns a [`ConditionGuard`]; while
//! holding it a thread may [`wait`](ConditionGuard::wait) (release the lock, sleep until
//! notified, take the lock back) or [`notify`](ConditionGuard::notify) waiters. As in
//! Python, and unlike `std::sync::Condvar`, there are **no spurious wakeups**: `wait`
//! returns only when this waiter was notified (or, for the timed forms, when its timeout
//! expired), and `notify(n)` wakes exactly `min(n, waiting)` waiters, oldest first, and
//! says how many.
//!
//! # The state
//!
//! | field | meaning |
//! |---|---|
//! | `lock: Lock` | the condition's lock: held by whoever holds a [`ConditionGuard`] |
//! | `queue: UnsafeCell<Queue>` | `head`/`tail` of a FIFO of waiter nodes; touched only under `lock` |
//!
//! Each waiter owns a `Node` on its own stack for the duration of one wait (no heap):
//!
//! | node field | meaning |
//! |---|---|
//! | `state: AtomicU32` | `WAITING` (queued), `SLEEPING` (queued, may sleep on this word), `NOTIFIED` (popped by a notify) |
//! | `links: UnsafeCell<Links>` | `prev`/`next` in the queue; touched only under `lock` |
//!
//! # The protocol
//!
//! * **wait** (lock held): push the node at the tail, release the lock, spin a little
//!   while the node is `WAITING`, then CAS it `WAITING → SLEEPING` and sleep on it while it
//!   stays `SLEEPING`. When it reads `NOTIFIED` (or the deadline passes) it takes the lock
//!   again before anything else.
//! * **notify(n)** (lock held): pop up to `n` nodes from the head; for each, swap in
//!   `NOTIFIED` and, only if the old value was `SLEEPING`, wake the node's word. A waiter
//!   that is still spinning costs no system call.
//! * **timeout**: a waiter whose deadline passed takes the lock and looks at its node
//!   again. If a notify flagged it meanwhile it returns true: the notification counted by
//!   `notify` is consumed, never lost. Otherwise it is still queued and unlinks itself;
//!   since unlinking happens under the lock, no notify can count it afterwards.
//!
//! ## Why no thread touches a node after it is freed
//!
//! A node lives in `wait_until`'s stack frame, which cannot return without holding the
//! lock (it re-acquires it unconditionally, and nothing between the push and that
//! re-acquisition can unwind). Every other thread touches a node only while holding the
//! lock: notify pops, flags and wakes it and only then (when its guard is dropped or it
//! waits) releases the lock. So a waiter that sees `NOTIFIED` early (while spinning, or by
//! a spurious futex return) still blocks on the lock until the notifier has finished with
//! its node, and a node is unlinked (by a pop or by its timed-out owner) before its frame
//! ends.
//!
//! Orderings: the node's `state` is accessed `Relaxed` everywhere. The lock orders
//! everything: notify writes `NOTIFIED` while holding it, and the waiter re-acquires it
//! (an `Acquire` that reads the notifier's `Release`) before acting on what it saw, and
//! the futex's atomic check-and-sleep (not memory ordering) is what keeps the wake from
//! being lost. The lock's own orderings are documented in `src/lock.rs`.
//!
//! # What the tests prove
//!
//! `tests/condition.rs`: Python's semantics (no spurious wakeups, exact and FIFO
//! `notify(n)`, `wait_for` checking first, one deadline for `wait_for_timeout`, ZERO and
//! MAX timeouts, guards released on panic, 24-byte size), a proptest model and
//! producer/consumer stress with exact counts. `tests/loom/condition.rs`: a wait never
//! misses a notify, a notify racing a timeout is consumed or passed on (never lost, never
//! counted twice), and data under the lock is accessed exclusively; `scripts/teeth/`
//! shows those tests catch a dropped wake and a forgotten flag check.

use crate::futex::{self, Deadline, Wait};
use crate::lock::Lock;
use crate::sync::{AtomicU32, Ordering::*, Spin, UnsafeCell, const_fn_unless_loom, spin_while};
use core::fmt;
use core::ptr;
use std::time::Duration;

const WAITING: u32 = 0;
const SLEEPING: u32 = 1;
const NOTIFIED: u32 = 2;

/// A waiter's entry in the queue; lives on the waiting thread's stack.
struct Node {
    state: AtomicU32,
    links: UnsafeCell<Links>,
}

#[derive(Clone, Copy)]
struct Links {
    prev: *const Node,
    next: *const Node,
}

struct Queue {
    head: *const Node,
    tail: *const Node,
}

/// A condition variable with its own lock: Python's `threading.Condition()`.
///
/// ```
/// use threading::Condition;
/// use std::{sync::Arc, thread};
///
/// let cond = Arc::new(Condition::new());
/// let ready = Arc::new(std::sync::atomic::AtomicBool::new(false));
/// let waiter = thread::spawn({
///     let (cond, ready) = (Arc::clone(&cond), Arc::clone(&ready));
///     move || {
///         let mut guard = cond.lock(); // `with cond:`
///         guard.wait_for(|| ready.load(std::sync::atomic::Ordering::Relaxed));
///     }
/// });
/// {
///     let guard = cond.lock();
///     ready.store(true, std::sync::atomic::Ordering::Relaxed);
///     guard.notify_all();
/// }
/// waiter.join().unwrap();
/// ```
pub struct Condition {
    lock: Lock,
    queue: UnsafeCell<Queue>,
}

// SAFETY: the raw pointers in `queue` point to nodes owned by threads blocked in `wait`;
// they and the nodes' links are only read or written while holding `lock`, so sharing or
// sending a `Condition` never lets two threads touch them at once.
unsafe impl Send for Condition {}
// SAFETY: as for `Send`.
unsafe impl Sync for Condition {}

impl Condition {
    const_fn_unless_loom! {
        /// A new condition with its own unlocked lock and no waiters.
        ///
        /// ```
        /// static COND: threading::Condition = threading::Condition::new();
        /// assert_eq!(COND.lock().notify_all(), 0);
        /// ```
        pub fn new() -> Condition {
            Condition {
                lock: Lock::new(),
                queue: UnsafeCell::new(Queue { head: ptr::null(), tail: ptr::null() }),
            }
        }
    }

    /// Takes the condition's lock (`with cond:`); the guard releases it on drop.
    ///
    /// ```
    /// let cond = threading::Condition::new();
    /// let guard = cond.lock();
    /// assert!(cond.try_lock().is_none()); // held until `guard` is dropped
    /// drop(guard);
    /// assert!(cond.try_lock().is_some());
    /// ```
    #[inline]
    pub fn lock(&self) -> ConditionGuard<'_> {
        self.lock.acquire();
        ConditionGuard { condition: self }
    }

    /// Takes the lock if it is free, without waiting (`cond.acquire(blocking=False)`).
    ///
    /// ```
    /// let cond = threading::Condition::new();
    /// let _guard = cond.try_lock().expect("free");
    /// assert!(cond.try_lock().is_none());
    /// ```
    #[inline]
    pub fn try_lock(&self) -> Option<ConditionGuard<'_>> {
        self.lock.try_acquire().then(|| ConditionGuard { condition: self })
    }

    /// Waits at most `timeout` for the lock (`cond.acquire(timeout=t)`).
    /// `Duration::ZERO` tries once; a timeout too large for the clock waits forever.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let cond = threading::Condition::new();
    /// let _guard = cond.lock();
    /// assert!(cond.lock_timeout(Duration::from_millis(1)).is_none());
    /// ```
    pub fn lock_timeout(&self, timeout: Duration) -> Option<ConditionGuard<'_>> {
        self.lock.acquire_timeout(timeout).then(|| ConditionGuard { condition: self })
    }

    /// Appends `node` to the queue.
    ///
    /// # Safety
    /// The caller holds `self.lock`, and `node` stays alive and unmoved until it has been
    /// popped by a notify or unlinked by [`unlink`](Self::unlink), both under the lock.
    unsafe fn push(&self, node: &Node) {
        let node_ptr: *const Node = node;
        self.queue.with_mut(|queue| {
            // SAFETY: the caller holds the lock, which guards the queue and every queued
            // node's links; the tail (if any) is a live queued node.
            unsafe {
                let tail = (*queue).tail;
                node.links.with_mut(|links| *links = Links { prev: tail, next: ptr::null() });
                if tail.is_null() {
                    (*queue).head = node_ptr;
                } else {
                    (*tail).links.with_mut(|links| (*links).next = node_ptr);
                }
                (*queue).tail = node_ptr;
            }
        });
    }

    /// Removes and returns the oldest node, if any.
    ///
    /// # Safety
    /// The caller holds `self.lock`.
    unsafe fn pop(&self) -> Option<*const Node> {
        self.queue.with_mut(|queue| {
            // SAFETY: the caller holds the lock; queued nodes are alive because their
            // owners cannot leave `wait_until` without this lock (see the module docs).
            unsafe {
                let head = (*queue).head;
                if head.is_null() {
                    return None;
                }
                let next = (*head).links.with(|links| (*links).next);
                (*queue).head = next;
                if next.is_null() {
                    (*queue).tail = ptr::null();
                } else {
                    (*next).links.with_mut(|links| (*links).prev = ptr::null());
                }
                Some(head)
            }
        })
    }

    /// Removes `node` from the middle of the queue (a waiter whose timeout expired).
    ///
    /// # Safety
    /// The caller holds `self.lock` and `node` is queued (not yet popped).
    unsafe fn unlink(&self, node: &Node) {
        let Links { prev, next } = node.links.with(|links| {
            // SAFETY: the caller holds the lock, which guards every queued node's links.
            unsafe { *links }
        });
        self.queue.with_mut(|queue| {
            // SAFETY: the caller holds the lock; `prev` and `next`, when not null, are
            // live queued nodes (their owners are blocked as for `pop`).
            unsafe {
                if prev.is_null() {
                    (*queue).head = next;
                } else {
                    (*prev).links.with_mut(|links| (*links).next = next);
                }
                if next.is_null() {
                    (*queue).tail = prev;
                } else {
                    (*next).links.with_mut(|links| (*links).prev = prev);
                }
            }
        });
    }
}

impl Default for Condition {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The queue is only readable under the lock, which Debug must not wait for.
        f.debug_struct("Condition").field("locked", &self.lock.locked()).finish_non_exhaustive()
    }
}

/// Holds a [`Condition`]'s lock until dropped (also by a panic's unwinding); waits and
/// notifies through it.
#[must_use = "the condition's lock is released as soon as the guard is dropped"]
pub struct ConditionGuard<'a> {
    condition: &'a Condition,
}

impl ConditionGuard<'_> {
    /// Releases the lock, sleeps until notified, and takes the lock back (`cond.wait()`).
    /// Returns only after a [`notify`](Self::notify) chose this waiter: never spuriously.
    ///
    /// ```
    /// use threading::Condition;
    /// use std::sync::{Arc, atomic::{AtomicBool, Ordering::Relaxed}};
    ///
    /// let pair = Arc::new((Condition::new(), AtomicBool::new(false)));
    /// let other = Arc::clone(&pair);
    /// let mut guard = pair.0.lock();
    /// std::thread::spawn(move || {
    ///     let guard = other.0.lock(); // gets the lock once `wait` released it
    ///     other.1.store(true, Relaxed);
    ///     assert_eq!(guard.notify(1), 1);
    /// });
    /// guard.wait();
    /// assert!(pair.1.load(Relaxed)); // no spurious wakeups: only the notify ends `wait`
    /// ```
    pub fn wait(&mut self) {
        let notified = self.wait_until(Deadline::NEVER);
        debug_assert!(notified);
    }

    /// [`wait`](Self::wait) for at most `timeout` (`cond.wait(timeout=t)`): true if
    /// notified, false if the timeout expired. A waiter notified just as its timeout
    /// expires returns true (the notification counted by `notify` is never lost).
    /// `Duration::ZERO` still releases and re-takes the lock, but does not sleep; a
    /// timeout too large for the clock waits forever.
    ///
    /// ```
    /// use threading::Condition;
    /// use std::time::Duration;
    ///
    /// let cond = Condition::new();
    /// let mut guard = cond.lock();
    /// assert!(!guard.wait_timeout(Duration::from_millis(10))); // nobody notified
    /// ```
    pub fn wait_timeout(&mut self, timeout: Duration) -> bool {
        self.wait_until(Deadline::after(timeout))
    }

    /// Waits until `predicate` returns true, checking it first (`cond.wait_for(pred)`).
    /// The predicate runs with the lock held.
    ///
    /// ```
    /// use threading::Condition;
    ///
    /// let cond = Condition::new();
    /// let mut guard = cond.lock();
    /// guard.wait_for(|| true); // true at once: no wait
    /// ```
    pub fn wait_for(&mut self, mut predicate: impl FnMut() -> bool) {
        while !predicate() {
            self.wait();
        }
    }

    /// Waits until `predicate` returns true or `timeout` passes, and returns the last
    /// value of the predicate (`cond.wait_for(pred, timeout=t)`). `timeout` is the total
    /// time allowed, however many waits that takes; the predicate is checked first and once
    /// more after the time is up.
    ///
    /// ```
    /// use threading::Condition;
    /// use std::time::Duration;
    ///
    /// let cond = Condition::new();
    /// let mut guard = cond.lock();
    /// assert!(!guard.wait_for_timeout(|| false, Duration::from_millis(10)));
    /// ```
    pub fn wait_for_timeout(
        &mut self,
        mut predicate: impl FnMut() -> bool,
        timeout: Duration,
    ) -> bool {
        let deadline = Deadline::after(timeout);
        loop {
            if predicate() {
                return true;
            }
            // Each wait may end in a notify before it ever sleeps (a busy notifier, a waiter
            // that shares its CPU), so the clock is read here as well as by the waits, as
            // Python's wait_for does: otherwise such a loop would never time out.
            if deadline.has_passed() {
                return false;
            }
            if !self.wait_until(deadline) {
                return predicate();
            }
        }
    }

    /// Wakes the `n` oldest waiters, or all of them if fewer wait, and returns how many
    /// were woken (`cond.notify(n)`). Each woken waiter returns from its wait once it gets
    /// the lock back, after this guard is dropped or waits.
    ///
    /// ```
    /// use threading::Condition;
    ///
    /// let cond = Condition::new();
    /// assert_eq!(cond.lock().notify(3), 0); // nobody waits
    /// ```
    pub fn notify(&self, n: usize) -> usize {
        let mut woken = 0;
        while woken < n {
            // SAFETY: we hold the lock (this guard exists).
            let Some(node) = (unsafe { self.condition.pop() }) else {
                break;
            };
            // SAFETY: the node's owner is blocked in `wait_until` until it re-takes the lock,
            // which we hold until after this last touch of the node (module docs).
            let state = unsafe { &(*node).state };
            // Relaxed: the waiter acts on NOTIFIED only after re-taking the lock we hold.
            if state.swap(NOTIFIED, Relaxed) == SLEEPING {
                futex::wake_one(state);
            }
            woken += 1;
        }
        woken
    }

    /// Wakes every waiter and returns how many there were (`cond.notify_all()`).
    ///
    /// ```
    /// use threading::Condition;
    ///
    /// let cond = Condition::new();
    /// assert_eq!(cond.lock().notify_all(), 0);
    /// ```
    pub fn notify_all(&self) -> usize {
        self.notify(usize::MAX)
    }

    /// The whole wait: true if notified, false if `deadline` passed first.
    fn wait_until(&mut self, deadline: Deadline) -> bool {
        let condition = self.condition;
        let node = Node {
            state: AtomicU32::new(WAITING),
            links: UnsafeCell::new(Links { prev: ptr::null(), next: ptr::null() }),
        };
        // SAFETY: we hold the lock. `node` is not moved, and this function does not return
        // (nor unwind: nothing below can panic) before the node is popped or unlinked.
        unsafe { condition.push(&node) };
        let released = condition.lock.release();
        debug_assert!(released.is_ok(), "a ConditionGuard holds the lock");

        let mut state = spin_while(&node.state, Spin::HANDOFF, |s| s == WAITING);
        let notified = loop {
            if state == NOTIFIED {
                break true;
            }
            if state == WAITING {
                // Relaxed: only the futex's atomic check orders this against notify's swap.
                if let Err(now) = node.state.compare_exchange(WAITING, SLEEPING, Relaxed, Relaxed) {
                    state = now;
                    continue;
                }
            }
            if futex::wait(&node.state, SLEEPING, deadline) == Wait::TimedOut {
                break false;
            }
            // Relaxed: see the module docs; the lock re-acquisition below orders everything.
            state = node.state.load(Relaxed);
        };

        condition.lock.acquire();
        // Relaxed: under the lock, which notify held when it wrote NOTIFIED.
        if notified || node.state.load(Relaxed) == NOTIFIED {
            // Popped by a notify, which counted us: consume it even if our time ran out.
            return true;
        }
        // SAFETY: we hold the lock and the node was not popped, so it is still queued.
        unsafe { condition.unlink(&node) };
        false
    }

    /// How many threads wait on the condition right now.
    fn waiters(&self) -> usize {
        self.condition.queue.with(|queue| {
            let mut count = 0;
            // SAFETY: we hold the lock, which guards the queue and the queued nodes' links;
            // queued nodes are alive (module docs).
            unsafe {
                let mut node = (*queue).head;
                while !node.is_null() {
                    count += 1;
                    node = (*node).links.with(|links| (*links).next);
                }
            }
            count
        })
    }
}

impl Drop for ConditionGuard<'_> {
    #[inline]
    fn drop(&mut self) {
        let released = self.condition.lock.release();
        debug_assert!(released.is_ok(), "a ConditionGuard holds the lock");
    }
}

impl fmt::Debug for ConditionGuard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConditionGuard").field("waiters", &self.waiters()).finish()
    }
}
