//! What the crate does in the child of a `fork()`: which process in a line of forks this
//! is, and the hooks that reset state the parent's other threads were serving.
//!
//! A forked child has only the thread that called `fork()`. Whatever the parent's other
//! threads were doing for everyone (the timer scheduler's heap, say) is then nobody's
//! work: a part that keeps such state registers a hook with [`on_child`], and the hook
//! resets it in the child before `fork` returns there.
//!
//! # The state
//!
//! * `GENERATION`: how many forks lie between the first process and this one (wrapping).
//!   State stamped with it can tell, in a child, that it came from the parent.
//! * `HANDLER`: whether the one `pthread_atfork` child handler is registered:
//!   `UNWATCHED`, `REGISTERING` (a thread registers it now), `WATCHED`.
//! * `HOOKS`: the registered hooks, `HOOK_SLOTS` slots of a function pointer each (null:
//!   free). A hook is never removed.
//!
//! # The protocol
//!
//! * **on_child(hook)**: register the child handler if nobody has (one thread wins
//!   `UNWATCHED → REGISTERING`, calls `pthread_atfork`, publishes `WATCHED`; the others
//!   yield until then), then put `hook` in the first free slot unless it is there already.
//!   A caller returns once both are done, so a fork that comes after its return runs the
//!   hook in the child.
//! * **in the child**: the handler runs on the only thread there, before `fork` returns:
//!   it bumps `GENERATION` and calls each hook. It must not allocate or take a lock that a
//!   parent thread may have held, and neither may a hook.
//!
//! Orderings: the forking thread reads `HANDLER` and the slots in the child only if it saw
//! them set; a `Release` store of each, read with `Acquire` by the next caller, orders the
//! registration before whatever that caller starts (a fork after it copies both).
//! `GENERATION` is `Relaxed`: it changes only in a child's handler, before another thread
//! exists there.
//!
//! Under loom, Miri and off Unix there is no fork: the generation stays 0 and `on_child`
//! does nothing.

/// Which process in a line of forks this is: 0 for the first, one more in each child.
pub(crate) fn generation() -> u32 {
    imp::generation()
}

/// Makes `hook` run in the child of every `fork()` from now on (module doc). The hook runs
/// on the child's only thread, before `fork` returns there, and must neither allocate nor
/// take a lock.
pub(crate) fn on_child(hook: fn()) {
    imp::on_child(hook);
}

#[cfg(all(unix, not(loom), not(miri)))]
mod imp {
    use core::sync::atomic::{AtomicPtr, AtomicU32, Ordering::*};

    static GENERATION: AtomicU32 = AtomicU32::new(0);

    static HANDLER: AtomicU32 = AtomicU32::new(UNWATCHED);
    const UNWATCHED: u32 = 0;
    const REGISTERING: u32 = 1;
    const WATCHED: u32 = 2;

    /// Room for every part of the crate that keeps state for the process; `on_child` panics
    /// if they outgrow it.
    const HOOK_SLOTS: usize = 4;
    static HOOKS: [AtomicPtr<()>; HOOK_SLOTS] =
        [const { AtomicPtr::new(core::ptr::null_mut()) }; HOOK_SLOTS];

    pub(super) fn generation() -> u32 {
        // Relaxed: it changes only in a child's handler, before any other thread exists.
        GENERATION.load(Relaxed)
    }

    pub(super) fn on_child(hook: fn()) {
        register_handler();
        let hook = hook as *mut ();
        for slot in &HOOKS {
            // Acquire / Release: a caller that finds its hook registered starts its work
            // after the registration (module doc).
            match slot.compare_exchange(core::ptr::null_mut(), hook, Release, Acquire) {
                Ok(_) => return,
                Err(there) if there == hook => return,
                Err(_) => {}
            }
        }
        panic!("threading: more fork hooks than HOOK_SLOTS");
    }

    /// Registers the child handler once per process (and its forks: they inherit it).
    fn register_handler() {
        loop {
            // A load first: once registered, this costs one shared read, not a
            // read-modify-write on a line that every caller would fight over.
            // Acquire: pairs with the `Release` of `WATCHED` (module doc).
            match HANDLER.load(Acquire) {
                WATCHED => return,
                REGISTERING => std::thread::yield_now(),
                _ => {
                    // Acquire: as the load; the CAS only elects the one thread that registers.
                    if HANDLER.compare_exchange(UNWATCHED, REGISTERING, Acquire, Acquire).is_ok() {
                        // SAFETY: `in_child` is a valid handler for the process's lifetime;
                        // it touches only our statics and runs hooks that promise the same.
                        let failed = unsafe { libc::pthread_atfork(None, None, Some(in_child)) };
                        // Refused (out of memory): the next caller tries again, and this one
                        // goes on, as a process without the handler would have.
                        // Release: the registration comes before `WATCHED` (module doc).
                        HANDLER.store(if failed != 0 { UNWATCHED } else { WATCHED }, Release);
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
                // SAFETY: only `fn()` pointers are stored in the slots (`on_child`).
                let hook = unsafe { core::mem::transmute::<*mut (), fn()>(hook) };
                hook();
            }
        }
    }
}

#[cfg(not(all(unix, not(loom), not(miri))))]
mod imp {
    pub(super) fn generation() -> u32 {
        0
    }

    pub(super) fn on_child(_hook: fn()) {}
}
