//! What the crate does in the child of a `fork()`: which process in a line of forks this
//! is, and the hooks that reset state the parent's other threads were serving.
//!
//! A forked child has only the thread that called `fork()`. Whatever the parent's other
//! threads were doing for everyone (the timer scheduler's heap, say) is then nobody's
//! work: a part that keeps such state declares a `static` [`ChildHook`] and calls
//! [`ChildHook::watch`] before it starts that work; the hook resets the state in the child
//! before `fork` returns there.
//!
//! # The state
//!
//! * `GENERATION`: how many forks lie between the first process and this one (wrapping).
//!   State stamped with it can tell, in a child, that it came from the parent.
//! * `HANDLER`: whether the one `pthread_atfork` child handler is registered.
//! * `HOOKS`: the registered hooks, `HOOK_SLOTS` slots of a `&'static ChildHook` each
//!   (null: free). A hook is never removed.
//! * Each hook's own `state`: whether it is in a slot.
//!
//! `HANDLER` and each hook's `state` go `UNWATCHED → REGISTERING → WATCHED`: one thread
//! wins the first step and registers, the others yield until it publishes `WATCHED`.
//!
//! # The protocol
//!
//! * **watch**: a hook whose `state` is `WATCHED` returns at once (one load: the path every
//!   later call takes). Otherwise register the child handler if nobody has, then put the
//!   hook in the first free slot. A caller returns once both are done, so a fork that comes
//!   after its return runs the hook in the child.
//! * **in the child**: the handler runs on the only thread there, before `fork` returns:
//!   it bumps `GENERATION` and runs each hook. It must not allocate or take a lock that a
//!   parent thread may have held, and neither may a hook.
//!
//! Orderings: `WATCHED` (of the handler, of a hook) is stored with `Release` after the
//! registration and loaded with `Acquire`, so a caller that finds it starts its work after
//! the registration, and a fork after that work copies both. A slot is filled by a
//! `Release` CAS (only one thread fills a given hook's slot: the winner of its
//! `REGISTERING`). `GENERATION` is `Relaxed`: it changes only in a child's handler, before
//! another thread exists there.
//!
//! Under loom, Miri and off Unix there is no fork: the generation stays 0 and `watch` does
//! nothing.

use core::sync::atomic::AtomicU32;

/// Which process in a line of forks this is: 0 for the first, one more in each child.
pub(crate) fn generation() -> u32 {
    imp::generation()
}

/// Work the child of a `fork()` must do before `fork` returns there (module doc). Declare
/// it as a `static`: its address is its identity, so watching it again costs one load.
pub(crate) struct ChildHook {
    /// `UNWATCHED`, `REGISTERING` or `WATCHED` (in a slot).
    #[cfg_attr(not(all(unix, not(loom), not(miri))), allow(dead_code))] // No fork there.
    state: AtomicU32,
    /// Runs on the child's only thread, before `fork` returns there: it must neither
    /// allocate nor take a lock.
    #[cfg_attr(not(all(unix, not(loom), not(miri))), allow(dead_code))] // No fork there.
    run: fn(),
}

/// A hook's `state` and `HANDLER` before the first `watch`.
const UNWATCHED: u32 = 0;

impl ChildHook {
    /// A hook that runs `run` in every child, once watched.
    pub(crate) const fn new(run: fn()) -> ChildHook {
        ChildHook { state: AtomicU32::new(UNWATCHED), run }
    }

    /// Makes this hook run in the child of every `fork()` from now on (module doc).
    pub(crate) fn watch(&'static self) {
        imp::watch(self);
    }
}

#[cfg(all(unix, not(loom), not(miri)))]
mod imp {
    use super::{ChildHook, UNWATCHED};
    use core::sync::atomic::{AtomicPtr, AtomicU32, Ordering::*};

    const REGISTERING: u32 = 1;
    const WATCHED: u32 = 2;

    static GENERATION: AtomicU32 = AtomicU32::new(0);

    static HANDLER: AtomicU32 = AtomicU32::new(UNWATCHED);

    /// Room for every part of the crate that keeps state for the process; `watch` panics
    /// if they outgrow it.
    const HOOK_SLOTS: usize = 4;
    static HOOKS: [AtomicPtr<ChildHook>; HOOK_SLOTS] =
        [const { AtomicPtr::new(core::ptr::null_mut()) }; HOOK_SLOTS];

    pub(super) fn generation() -> u32 {
        // Relaxed: it changes only in a child's handler, before any other thread exists.
        GENERATION.load(Relaxed)
    }

    pub(super) fn watch(hook: &'static ChildHook) {
        once(&hook.state, || {
            once(&HANDLER, || {
                // SAFETY: `in_child` is a valid handler for the process's lifetime; it
                // touches only our statics and runs hooks that promise the same.
                unsafe { libc::pthread_atfork(None, None, Some(in_child)) == 0 }
            });
            // Acquire: as in `once`. Refused: the hook waits for a caller that succeeds.
            if HANDLER.load(Acquire) != WATCHED {
                return false;
            }
            let hook = core::ptr::from_ref(hook).cast_mut();
            // Release: the child reads the hook through its slot.
            let placed = HOOKS.iter().any(|slot| {
                slot.compare_exchange(core::ptr::null_mut(), hook, Release, Relaxed).is_ok()
            });
            assert!(placed, "threading: more fork hooks than HOOK_SLOTS");
            true
        });
    }

    /// Runs `register` once for `state` (`UNWATCHED → REGISTERING → WATCHED`), unless it
    /// is `WATCHED` already; other callers wait (yielding) until it is. A `register` that
    /// returns false (refused: out of memory) leaves `UNWATCHED`, for the next caller to
    /// try again, and this one goes on as a process without it would have.
    fn once(state: &AtomicU32, register: impl FnOnce() -> bool) {
        let mut register = Some(register);
        loop {
            // Acquire: pairs with the Release of WATCHED below (module doc).
            match state.load(Acquire) {
                WATCHED => return,
                REGISTERING => std::thread::yield_now(),
                _ => {
                    // Relaxed: winning only makes this thread the registrant; WATCHED
                    // publishes.
                    if state.compare_exchange(UNWATCHED, REGISTERING, Relaxed, Relaxed).is_ok() {
                        let done = register.take().is_some_and(|register| register());
                        // Release: the registration comes before WATCHED.
                        state.store(if done { WATCHED } else { UNWATCHED }, Release);
                        return;
                    }
                }
            }
        }
    }

    /// The child's handler: on the only thread of the child, before `fork` returns there.
    extern "C" fn in_child() {
        // Relaxed: the child has one thread, this one.
        GENERATION.store(GENERATION.load(Relaxed).wrapping_add(1), Relaxed);
        for slot in &HOOKS {
            // Relaxed: this thread is the only one, and it saw every slot it copied.
            let hook = slot.load(Relaxed);
            if !hook.is_null() {
                // SAFETY: only `&'static ChildHook`s are stored in the slots (`watch`).
                (unsafe { &*hook }.run)();
            }
        }
    }
}

#[cfg(not(all(unix, not(loom), not(miri))))]
mod imp {
    use super::ChildHook;

    pub(super) fn generation() -> u32 {
        0
    }

    pub(super) fn watch(_hook: &'static ChildHook) {}
}
