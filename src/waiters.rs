//! `WaitQueue`: the one condition-variable core, a FIFO of sleeping threads that both
//! [`Condition`](crate::Condition) and the lock_api [`Condvar`](crate::Condvar) wait in.
//!
//! # What it is
//!
//! Python's `Condition` keeps a deque of waiter locks; this is the same idea without the
//! heap: each waiting thread links a `Node` that lives on its own stack into a queue, and a
//! notify pops nodes oldest first and flags them. It gives both users their semantics:
//! **no spurious wakeups** (a wait returns only when its node was flagged, or its deadline
//! passed), **exact counts** (`notify(n)` flags exactly `min(n, queued)` nodes and says
//! so), and **no notification lost to a timeout** (a timed-out waiter that was flagged
//! meanwhile reports "notified").
//!
//! The queue knows nothing of the caller's lock. A wait gets two closures, `unlock` and
//! `relock`, which release and re-take whatever the caller holds (a [`Lock`], every level
//! of an [`RLock`](crate::RLock), a `Mutex<T>`'s raw lock).
//!
//! # The state
//!
//! The queue: its own small lock `list_lock`, a count `queued` and the `head` of a circular
//! doubly linked list of nodes; each node: a futex word `state` and its links (the tables
//! and the invariants are on the fields of `WaitQueue` and `Node`).
//!
//! ## Why the queue has its own lock
//!
//! The caller's lock cannot be trusted to protect the queue: a [`Lock`] is not owned, so
//! with a shared lock (`Condition::with_lock(&LOCK)`) any thread may release it in the
//! middle of another's critical section, and the guard-less `cond.wait()` can only check
//! that *someone* holds a `Lock` (as Python's check does); a `Condvar`'s notify may be
//! called without the mutex at all. The queue's own `list_lock` makes every queue access
//! exclusive whatever the caller does, so misuse costs semantics (a wake-up may be missed),
//! never memory safety. In correct use the list lock is never contended for a `Condition`
//! (every queue access also happens under the caller's lock), so it costs two uncontended
//! atomic instructions per queue access. A single head pointer (a circular list) keeps
//! `Condition::new()` at 24 bytes with the extra words.
//!
//! # The protocol
//!
//! * **wait** (the caller holds its lock): under `list_lock`, push the node at the tail; then
//!   `unlock`, spin a little while the node is `WAITING`, CAS it `WAITING → SLEEPING` and
//!   sleep on it while it stays `SLEEPING`. On `NOTIFIED`: `relock` (every caller's is
//!   `Lock::acquire_notified`: the notifier held that lock a moment ago), then **settle**
//!   by taking `list_lock` once (the notifier that popped the node is done with it when it
//!   releases `list_lock`). On a passed deadline, settle *first*, then `relock`: under `list_lock`
//!   a `NOTIFIED` node was popped meanwhile (return notified: the notification `notify`
//!   counted is consumed, never lost); any other node is still queued and unlinks itself,
//!   after which no notify can count it. Leaving before re-taking the caller's lock is
//!   parking_lot's rule (its timed-out waiter leaves the queue when the timeout fires): a
//!   thread that gave up does not count as waiting while it waits for the lock, so a
//!   notify passes it by for a thread that still waits, and a `Condvar` whose last waiter
//!   left forgets its mutex. Pushing before `unlock` is what makes the wait atomic: a
//!   notifier that takes the caller's lock after us finds our node.
//! * **notify(n)**: if `queued` reads 0, return 0 without touching `list_lock` (a waiter
//!   queued before the notifier took the caller's lock, or before it published the state
//!   the waiter checks under that lock, is seen: the lock orders the push before the
//!   read). Otherwise, under `list_lock`, pop up to `n` nodes; for each, swap in `NOTIFIED` and,
//!   only if the old value was `SLEEPING`, wake the node's word (a waiter still spinning
//!   costs no system call).
//!
//! ## Why no thread touches a node after it is freed
//!
//! Other threads touch a node only under `list_lock`, and only while it is queued or being
//! popped: notify pops, flags and wakes it before releasing `list_lock`. The node's owner ends
//! every wait by taking `list_lock` (settle), so it cannot return, and free the node, while a
//! notifier is still using it; a still-queued node is unlinked in that same step. Nothing
//! between the push and the settle can unwind: `unlock` and `relock` are the crate's own
//! lock operations, never user code.
//!
//! Orderings: the node's `state` is accessed `Relaxed` everywhere. `list_lock` orders the
//! queue and the `NOTIFIED` flag (notify writes it under `list_lock`, settle reads it under
//! `list_lock`); the futex's atomic check-and-sleep (not memory ordering) keeps a wake from
//! being lost; and the caller's lock orders the caller's data.
//!
use crate::block_cost;
use crate::futex::{Deadline, Wait};
use crate::lock::Lock;
use crate::spin::{Spin, spin_while};
use crate::sync::{AtomicU32, Ordering::*, UnsafeCell, const_fn_unless_loom};
use core::ptr;

const WAITING: u32 = 0;
const SLEEPING: u32 = 1;
const NOTIFIED: u32 = 2;

/// A waiter's entry in the queue; lives on the waiting thread's stack for one wait.
struct Node {
    /// `WAITING` (queued), `SLEEPING` (queued, may sleep on this word), `NOTIFIED` (popped
    /// by a notify). Invariant: `NOTIFIED` exactly once the node has left the queue by a
    /// notify; it never goes back.
    state: AtomicU32,
    /// `prev`/`next` in the queue; touched only under the queue's `list_lock`.
    links: UnsafeCell<Links>,
}

#[derive(Clone, Copy)]
struct Links {
    prev: *const Node,
    next: *const Node,
}

/// A FIFO of waiting threads with exact, oldest-first notification (module docs).
pub(crate) struct WaitQueue {
    /// | field | meaning |
    /// |---|---|
    /// | `list_lock` | the queue's own tiny lock: held only for a few pointer writes |
    /// | `queued` | how many nodes are queued; written under `list_lock`, read without it by a notify that finds nobody to wake |
    /// | `head` | oldest queued node, or null; the list is a circle, so `head.prev` is the newest |
    ///
    /// Invariant, under `list_lock`: `queued` is the length of the circle, so it is `0`
    /// exactly when `head` is null ([`is_consistent`](Self::is_consistent)).
    list_lock: Lock,
    queued: AtomicU32,
    head: UnsafeCell<*const Node>,
}

// SAFETY: the raw pointers point to nodes owned by threads blocked in `wait`; they and the
// nodes' links are only read or written while holding `list_lock`.
unsafe impl Send for WaitQueue {}
// SAFETY: as for `Send`.
unsafe impl Sync for WaitQueue {}

impl WaitQueue {
    const_fn_unless_loom! {
        /// An empty queue.
        pub(crate) fn new() -> WaitQueue {
            WaitQueue {
                list_lock: Lock::new(),
                queued: AtomicU32::new(0),
                head: UnsafeCell::new(ptr::null()),
            }
        }
    }

    /// The whole wait, for a caller that holds its lock: queue a node, `unlock`, sleep until
    /// notified or `deadline`, then `relock` and settle (a timed-out waiter settles, leaving
    /// the queue, before it re-locks). True if notified.
    #[inline]
    pub(crate) fn wait<S>(
        &self,
        deadline: Deadline,
        unlock: impl FnOnce() -> S,
        relock: impl FnOnce(S),
    ) -> bool {
        self.wait_admitted(deadline, |_| true, unlock, relock) == Some(true)
    }

    /// [`wait`](Self::wait), but first `admit(queue_was_empty)` runs under the queue's
    /// list lock; if it returns false nothing is queued, nothing unlocked, and `None` is
    /// returned (a `Condvar` refusing a second mutex).
    pub(crate) fn wait_admitted<S>(
        &self,
        deadline: Deadline,
        admit: impl FnOnce(bool) -> bool,
        unlock: impl FnOnce() -> S,
        relock: impl FnOnce(S),
    ) -> Option<bool> {
        let node = Node {
            state: AtomicU32::new(WAITING),
            links: UnsafeCell::new(Links { prev: ptr::null(), next: ptr::null() }),
        };
        self.list_lock.acquire();
        // SAFETY: we hold `list_lock`, which protects `head`.
        let empty = self.head.with(|head| unsafe { (*head).is_null() });
        if !admit(empty) {
            self.unlock_list();
            return None;
        }
        // SAFETY: we hold `list_lock`. `node` is not moved, and this function does not return
        // (nor unwind: unlock and relock are the crate's own lock operations) before the
        // node is popped or unlinked under `list_lock` (module docs).
        unsafe { self.push(&node) };
        self.unlock_list();

        let saved = unlock();
        if Self::sleep(&node, deadline) {
            relock(saved);
            // Settle: the notifier popped the node and touches it until it releases
            // `list_lock`; taking `list_lock` once waits for that.
            self.list_lock.acquire();
            self.unlock_list();
            return Some(true);
        }
        // Timed out: leave the queue before re-taking the caller's lock, however long that
        // takes, as parking_lot's condvar does; a thread that gave up no longer counts as
        // waiting (a notify passes it by, a `Condvar` forgets its mutex once it was last).
        self.list_lock.acquire();
        // Relaxed: under `list_lock`, which the notifier held when it wrote NOTIFIED.
        let notified = node.state.load(Relaxed) == NOTIFIED;
        if !notified {
            // SAFETY: we hold `list_lock` and the node was not popped, so it is still queued.
            unsafe { self.unlink(&node) };
        }
        self.unlock_list();
        relock(saved);
        Some(notified)
    }

    /// Spins, then sleeps, until `node` is flagged (true) or `deadline` passes (false).
    fn sleep(node: &Node, deadline: Deadline) -> bool {
        let mut state = spin_while(&node.state, Spin::HANDOFF, |s| s == WAITING);
        loop {
            if state == NOTIFIED {
                return true;
            }
            if state == WAITING {
                // Relaxed: only the futex's atomic check orders this against notify's swap.
                if let Err(now) = node.state.compare_exchange(WAITING, SLEEPING, Relaxed, Relaxed) {
                    state = now;
                    continue;
                }
            }
            if block_cost::sleep(&node.state, SLEEPING, deadline) == Wait::TimedOut {
                return false;
            }
            // Relaxed: the settle under `list_lock` re-reads it in order.
            state = node.state.load(Relaxed);
        }
    }

    /// Wakes the `n` oldest waiters, or all of them if fewer wait; returns how many.
    pub(crate) fn notify(&self, n: usize) -> usize {
        // Relaxed: the caller's lock orders every push it must see before this read (module
        // docs); a stale non-zero only costs a look under `list_lock`.
        if n == 0 || self.queued.load(Relaxed) == 0 {
            return 0;
        }
        self.list_lock.acquire();
        let mut woken = 0;
        while woken < n {
            // SAFETY: we hold `list_lock`.
            let Some(node) = (unsafe { self.pop() }) else {
                break;
            };
            // SAFETY: the node's owner cannot leave its wait before it takes `list_lock`, which
            // we hold until after this last touch of the node (module docs).
            let state = unsafe { &(*node).state };
            // Relaxed: the waiter reads NOTIFIED in order only after taking `list_lock`.
            if state.swap(NOTIFIED, Relaxed) == SLEEPING {
                block_cost::wake_one(state);
            }
            woken += 1;
        }
        self.unlock_list();
        woken
    }

    /// How many threads are queued right now (a snapshot, for Debug).
    pub(crate) fn len(&self) -> usize {
        // Relaxed: a snapshot that may be stale as soon as it is returned anyway.
        self.queued.load(Relaxed) as usize
    }

    fn unlock_list(&self) {
        let released = self.list_lock.release();
        debug_assert!(released.is_ok(), "the queue's list lock is held by this thread");
    }

    /// The part of the invariant that is cheap to check: `queued == 0` exactly when the
    /// circle is empty.
    ///
    /// # Safety
    /// The caller holds `list_lock`.
    unsafe fn is_consistent(&self) -> bool {
        // SAFETY: the caller holds `list_lock`, which protects `head`.
        let empty = self.head.with(|head| unsafe { (*head).is_null() });
        // Relaxed: written under `list_lock`, which we hold.
        (self.queued.load(Relaxed) == 0) == empty
    }

    /// Appends `node` at the tail (just before the head, in the circle).
    ///
    /// # Safety
    /// The caller holds `list_lock`, and `node` stays alive and unmoved until it has been
    /// popped or unlinked, both under `list_lock`.
    unsafe fn push(&self, node: &Node) {
        let node_ptr: *const Node = node;
        // Relaxed: written under `list_lock`; see `notify` for the read without it.
        self.queued.store(self.queued.load(Relaxed) + 1, Relaxed);
        self.head.with_mut(|head| {
            // SAFETY: the caller holds `list_lock`, which protects `head` and every queued
            // node's links; the queued nodes are alive.
            unsafe {
                let first = *head;
                if first.is_null() {
                    node.links.with_mut(|links| *links = Links { prev: node_ptr, next: node_ptr });
                    *head = node_ptr;
                } else {
                    let last = (*first).links.with(|links| (*links).prev);
                    node.links.with_mut(|links| *links = Links { prev: last, next: first });
                    (*last).links.with_mut(|links| (*links).next = node_ptr);
                    (*first).links.with_mut(|links| (*links).prev = node_ptr);
                }
            }
        });
        // SAFETY: the caller holds `list_lock`.
        debug_assert!(unsafe { self.is_consistent() }, "WaitQueue count and list disagree");
    }

    /// Removes and returns the oldest node, if any.
    ///
    /// # Safety
    /// The caller holds `list_lock`.
    unsafe fn pop(&self) -> Option<*const Node> {
        // SAFETY: the caller holds `list_lock`, which protects `head`.
        let first = self.head.with(|head| unsafe { *head });
        if first.is_null() {
            return None;
        }
        // SAFETY: the caller holds `list_lock`; `first` is queued, hence alive.
        unsafe { self.unlink(&*first) };
        Some(first)
    }

    /// Removes `node` from wherever it is in the queue.
    ///
    /// # Safety
    /// The caller holds `list_lock` and `node` is queued.
    unsafe fn unlink(&self, node: &Node) {
        let node_ptr: *const Node = node;
        // Relaxed: as in `push`.
        let queued = self.queued.load(Relaxed);
        self.queued.store(queued - 1, Relaxed);
        self.head.with_mut(|head| {
            // SAFETY: the caller holds `list_lock`, which protects `head` and every queued
            // node's links; `prev` and `next` are live queued nodes (their owners are
            // blocked until they take `list_lock`).
            unsafe {
                if queued == 1 {
                    // It was the only one: its links need not be read (its line is the
                    // waiter's, which a notify then moves once, for the flag).
                    *head = ptr::null();
                    return;
                }
                let Links { prev, next } = node.links.with(|links| *links);
                (*prev).links.with_mut(|links| (*links).next = next);
                (*next).links.with_mut(|links| (*links).prev = prev);
                if *head == node_ptr {
                    *head = next;
                }
            }
        });
        // SAFETY: the caller holds `list_lock`.
        debug_assert!(unsafe { self.is_consistent() }, "WaitQueue count and list disagree");
    }
}
