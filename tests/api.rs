//! The public contract, pinned: every public name and signature the crate promises is
//! named here with its exact type, so a change to any of them fails to compile. Plus the
//! conventions every type follows (Send + Sync, Debug, Default, const constructors, the
//! error types' traits and Display texts).
#![cfg(not(loom))]
#![allow(clippy::type_complexity)]

use std::error::Error;
use std::fmt::Debug;
use std::time::Duration;
use threading::*;

fn send_sync_debug<T: Send + Sync + Debug>() {}
fn error_type<T: Error + Debug + Clone + Copy + PartialEq + Eq + Send + Sync + 'static>() {}

#[test]
fn lock_signatures() {
    let _: fn() -> Lock = Lock::new;
    let _: fn(&Lock) = Lock::acquire;
    let _: fn(&Lock) -> bool = Lock::try_acquire;
    let _: fn(&Lock, Duration) -> bool = Lock::acquire_timeout;
    let _: fn(&Lock) -> Result<(), ReleaseError> = Lock::release;
    let _: fn(&Lock) -> bool = Lock::locked;
    let _: for<'a> fn(&'a Lock) -> LockGuard<'a> = Lock::lock;
    let _: for<'a> fn(&'a Lock) -> Option<LockGuard<'a>> = Lock::try_lock;
    let _: for<'a> fn(&'a Lock, Duration) -> Option<LockGuard<'a>> = Lock::lock_timeout;
    send_sync_debug::<Lock>();
    let _ = Lock::default();
}

#[test]
fn rlock_signatures() {
    let _: fn() -> RLock = RLock::new;
    let _: fn(&RLock) = RLock::acquire;
    let _: fn(&RLock) -> bool = RLock::try_acquire;
    let _: fn(&RLock, Duration) -> bool = RLock::acquire_timeout;
    let _: fn(&RLock) -> Result<(), ReleaseError> = RLock::release;
    let _: fn(&RLock) -> bool = RLock::is_owned;
    let _: for<'a> fn(&'a RLock) -> RLockGuard<'a> = RLock::lock;
    let _: for<'a> fn(&'a RLock) -> Option<RLockGuard<'a>> = RLock::try_lock;
    let _: for<'a> fn(&'a RLock, Duration) -> Option<RLockGuard<'a>> = RLock::lock_timeout;
    send_sync_debug::<RLock>();
    let _ = RLock::default();
}

#[test]
fn condition_signatures() {
    let _: fn() -> Condition = Condition::new;
    let _: for<'a> fn(&'a Condition) -> ConditionGuard<'a> = Condition::lock;
    let _: for<'a> fn(&'a Condition) -> Option<ConditionGuard<'a>> = Condition::try_lock;
    let _: for<'a> fn(&'a Condition, Duration) -> Option<ConditionGuard<'a>> =
        Condition::lock_timeout;
    send_sync_debug::<Condition>();
    let _ = Condition::default();
    // wait_for takes any FnMut, including closures that capture mutably.
    let cond = Condition::new();
    let mut guard = cond.lock();
    let mut looks = 0;
    guard.wait_for(|| {
        looks += 1;
        true
    });
    assert_eq!(looks, 1, "the predicate is checked before waiting");
    guard_signatures(&guard);
}

/// The guard's methods, for one guard lifetime (the impl's lifetime is early-bound, so the
/// methods cannot be named as higher-ranked function pointers).
fn guard_signatures<'g>(_: &ConditionGuard<'g>) {
    let _: fn(&mut ConditionGuard<'g>) = ConditionGuard::wait;
    let _: fn(&mut ConditionGuard<'g>, Duration) -> bool = ConditionGuard::wait_timeout;
    let _: fn(&mut ConditionGuard<'g>, fn() -> bool) = ConditionGuard::wait_for;
    let _: fn(&mut ConditionGuard<'g>, fn() -> bool, Duration) -> bool =
        ConditionGuard::wait_for_timeout;
    let _: fn(&ConditionGuard<'g>, usize) -> usize = ConditionGuard::notify;
    let _: fn(&ConditionGuard<'g>) -> usize = ConditionGuard::notify_all;
}

/// "Conditions over a shared lock": `with_lock` over every kind of lock, the guard-less
/// Python forms, and a guard of one condition used with another of the same lock.
#[test]
fn shared_lock_condition_signatures() {
    use std::sync::Arc;
    fn over<L: ConditionLock>(cond: &Condition<L>) {
        let _: fn(&Condition<L>) = Condition::<L>::acquire;
        let _: fn(&Condition<L>) -> bool = Condition::<L>::try_acquire;
        let _: fn(&Condition<L>, Duration) -> bool = Condition::<L>::acquire_timeout;
        let _: fn(&Condition<L>) -> Result<(), ReleaseError> = Condition::<L>::release;
        let _: fn(&Condition<L>) -> Result<(), ReleaseError> = Condition::<L>::wait;
        let _: fn(&Condition<L>, Duration) -> Result<bool, ReleaseError> =
            Condition::<L>::wait_timeout;
        let _: fn(&Condition<L>, fn() -> bool) -> Result<(), ReleaseError> =
            Condition::<L>::wait_for;
        let _: fn(&Condition<L>, fn() -> bool, Duration) -> Result<bool, ReleaseError> =
            Condition::<L>::wait_for_timeout;
        let _: fn(&Condition<L>, usize) -> Result<usize, ReleaseError> = Condition::<L>::notify;
        let _: fn(&Condition<L>) -> Result<usize, ReleaseError> = Condition::<L>::notify_all;
        let mut guard: ConditionGuard<'_, L> = cond.lock();
        let _: usize = cond.notify_with(&guard, 1);
        let _: usize = cond.notify_all_with(&guard);
        let _: bool = cond.wait_timeout_with(&mut guard, Duration::ZERO);
        let _: for<'g> fn(&Condition<L>, &mut ConditionGuard<'g, L>) = Condition::<L>::wait_with;
        let _: Option<ConditionGuard<'_, L>> = cond.try_lock();
        drop(guard);
        let _: Option<ConditionGuard<'_, L>> = cond.lock_timeout(Duration::ZERO);
    }
    static LOCK: Lock = Lock::new();
    static RLOCK: RLock = RLock::new();
    static ON_LOCK: Condition<&Lock> = Condition::with_lock(&LOCK);
    static ON_RLOCK: Condition<&RLock> = Condition::with_lock(&RLOCK);
    over(&ON_LOCK);
    over(&ON_RLOCK);
    over(&Condition::new());
    over(&Condition::with_lock(Lock::new()));
    over(&Condition::with_lock(RLock::new()));
    over(&Condition::with_lock(Arc::new(Lock::new())));
    over(&Condition::with_lock(Arc::new(RLock::new())));
    let _: fn(Lock) -> Condition<Lock> = Condition::with_lock;
    send_sync_debug::<Condition<&'static Lock>>();
    send_sync_debug::<Condition<Arc<RLock>>>();
    fn send<T: Send>() {}
    send::<ConditionGuard<'static, Lock>>();
}

/// "Data-owning locks": lock_api's types over ours, as parking_lot names them.
#[test]
fn data_owning_lock_signatures() {
    static MUTEX: Mutex<u64> = Mutex::new(0);
    static REMUTEX: ReentrantMutex<u64> = ReentrantMutex::new(0);
    static CONDVAR: Condvar = Condvar::new();
    let mut guard: MutexGuard<'_, u64> = MUTEX.lock();
    let none: Option<MutexGuard<'_, u64>> = MUTEX.try_lock_for(Duration::ZERO);
    assert!(none.is_none());
    let timed: WaitTimeoutResult = CONDVAR.wait_for(&mut guard, Duration::ZERO);
    assert!(timed.timed_out());
    let _: bool = CONDVAR.notify_one();
    let _: usize = CONDVAR.notify_all();
    let mapped: MappedMutexGuard<'_, u64> = MutexGuard::map(guard, |v| v);
    drop(mapped);
    let reentered: ReentrantMutexGuard<'_, u64> = REMUTEX.lock();
    drop(reentered);
    let _: MappedReentrantMutexGuard<'_, u64> = ReentrantMutexGuard::map(REMUTEX.lock(), |v| v);
    send_sync_debug::<Mutex<u64>>();
    send_sync_debug::<ReentrantMutex<u64>>();
    send_sync_debug::<Condvar>();
    let _: RawMutex = Lock::new();
    let _: RawCondvar = RawCondvar::new();
    let _ = RawThreadId;
    let _ = Condvar::default();
    let _ = Mutex::<u64>::default();
}

#[test]
fn event_signatures() {
    let _: fn() -> Event = Event::new;
    let _: fn(&Event) -> bool = Event::is_set;
    let _: fn(&Event) = Event::set;
    let _: fn(&Event) = Event::clear;
    let _: fn(&Event) = Event::wait;
    let _: fn(&Event, Duration) -> bool = Event::wait_timeout;
    send_sync_debug::<Event>();
    let _ = Event::default();
}

#[test]
fn semaphore_signatures() {
    let _: fn(u32) -> Semaphore = Semaphore::new;
    let _: fn(&Semaphore) = Semaphore::acquire;
    let _: fn(&Semaphore) -> bool = Semaphore::try_acquire;
    let _: fn(&Semaphore, Duration) -> bool = Semaphore::acquire_timeout;
    let _: fn(&Semaphore) -> Result<(), ReleaseError> = Semaphore::release;
    let _: fn(&Semaphore, u32) -> Result<(), ReleaseError> = Semaphore::release_n;
    let _: fn(&Semaphore) -> u32 = Semaphore::value;
    let _: for<'a> fn(&'a Semaphore) -> SemaphoreGuard<'a> = Semaphore::permit;
    send_sync_debug::<Semaphore>();
    let _ = Semaphore::default();

    let _: fn(u32) -> BoundedSemaphore = BoundedSemaphore::new;
    let _: fn(&BoundedSemaphore) = BoundedSemaphore::acquire;
    let _: fn(&BoundedSemaphore) -> bool = BoundedSemaphore::try_acquire;
    let _: fn(&BoundedSemaphore, Duration) -> bool = BoundedSemaphore::acquire_timeout;
    let _: fn(&BoundedSemaphore) -> Result<(), ReleaseError> = BoundedSemaphore::release;
    let _: fn(&BoundedSemaphore, u32) -> Result<(), ReleaseError> = BoundedSemaphore::release_n;
    let _: fn(&BoundedSemaphore) -> u32 = BoundedSemaphore::value;
    let _: fn(&BoundedSemaphore) -> u32 = BoundedSemaphore::bound;
    let _: for<'a> fn(&'a BoundedSemaphore) -> BoundedSemaphoreGuard<'a> = BoundedSemaphore::permit;
    send_sync_debug::<BoundedSemaphore>();
}

#[test]
fn barrier_signatures() {
    let _: fn(usize) -> Barrier = Barrier::new;
    let _: fn(Barrier, Duration) -> Barrier = Barrier::with_timeout;
    let _: fn(Barrier, fn()) -> Barrier = Barrier::with_action;
    let _: fn(&Barrier) -> Result<usize, BrokenBarrierError> = Barrier::wait;
    let _: fn(&Barrier, Duration) -> Result<usize, BrokenBarrierError> = Barrier::wait_timeout;
    let _: fn(&Barrier) = Barrier::reset;
    let _: fn(&Barrier) = Barrier::abort;
    let _: fn(&Barrier) -> usize = Barrier::parties;
    let _: fn(&Barrier) -> usize = Barrier::n_waiting;
    let _: fn(&Barrier) -> bool = Barrier::broken;
    send_sync_debug::<Barrier>();
    // The action may be any Fn + Send + Sync + 'static closure, capturing state.
    let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = std::sync::Arc::clone(&hits);
    let barrier = Barrier::new(1).with_action(move || {
        counted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    });
    assert_eq!(barrier.wait(), Ok(0));
    assert_eq!(hits.load(std::sync::atomic::Ordering::Relaxed), 1);
}

#[test]
fn timer_signatures() {
    let _: fn(Duration, fn()) -> Timer = Timer::new;
    let _: fn(&Timer) -> Result<(), TimerError> = Timer::start;
    let _: fn(&Timer) = Timer::cancel;
    let _: fn(&Timer) = Timer::join;
    let _: fn(&Timer, Duration) -> bool = Timer::join_timeout;
    let _: fn(&Timer) -> bool = Timer::is_alive;
    let _: fn(&Timer) -> bool = Timer::is_cancelled;
    let _: fn(&Timer) -> Duration = Timer::interval;
    send_sync_debug::<Timer>();
    // The function may be any FnOnce + Send + 'static closure, moving state in.
    let message = String::from("hello, world");
    let timer = Timer::new(Duration::ZERO, move || drop(message));
    timer.start().unwrap();
    timer.join();
    assert!(!timer.is_alive());
}

#[test]
fn error_types_and_their_messages() {
    error_type::<ReleaseError>();
    error_type::<BrokenBarrierError>();
    error_type::<TimerError>();
    let texts = [
        (ReleaseError::Unlocked.to_string(), "release unlocked lock"),
        (ReleaseError::NotOwner.to_string(), "cannot release un-acquired lock"),
        (ReleaseError::TooManyReleases.to_string(), "semaphore released too many times"),
        (ReleaseError::Overflow.to_string(), "semaphore value would overflow"),
        (BrokenBarrierError.to_string(), "barrier is broken"),
        (TimerError::AlreadyStarted.to_string(), "timer can only be started once"),
    ];
    for (got, want) in texts {
        assert_eq!(got, want);
    }
}

#[test]
fn const_constructors_make_statics() {
    static LOCK: Lock = Lock::new();
    static RLOCK: RLock = RLock::new();
    static CONDITION: Condition = Condition::new();
    static EVENT: Event = Event::new();
    static SEMAPHORE: Semaphore = Semaphore::new(2);
    static BOUNDED: BoundedSemaphore = BoundedSemaphore::new(2);
    assert!(!LOCK.locked() && !RLOCK.is_owned() && !EVENT.is_set());
    assert_eq!(CONDITION.lock().notify_all(), 0);
    assert_eq!((SEMAPHORE.value(), BOUNDED.value(), BOUNDED.bound()), (2, 2, 2));
}

/// "Python's `queue` module": the four queues, their errors, and `Condition::reentrant`.
#[test]
fn queue_signatures() {
    macro_rules! queue {
        ($q:ident) => {{
            let _: fn(usize) -> $q<u8> = $q::new;
            let _: fn(&$q<u8>, u8) -> Result<(), PutError<u8>> = $q::put;
            let _: fn(&$q<u8>, u8, Duration) -> Result<(), PutError<u8>> = $q::put_timeout;
            let _: fn(&$q<u8>, u8) -> Result<(), PutError<u8>> = $q::put_nowait;
            let _: fn(&$q<u8>) -> Result<u8, GetError> = $q::get;
            let _: fn(&$q<u8>, Duration) -> Result<u8, GetError> = $q::get_timeout;
            let _: fn(&$q<u8>) -> Result<u8, GetError> = $q::get_nowait;
            let _: fn(&$q<u8>) -> usize = $q::qsize;
            let _: fn(&$q<u8>) -> bool = $q::empty;
            let _: fn(&$q<u8>) -> bool = $q::full;
            let _: fn(&$q<u8>) -> usize = $q::maxsize;
            let _: fn(&$q<u8>) -> Result<(), TaskDoneError> = $q::task_done;
            let _: fn(&$q<u8>) = $q::join;
            let _: fn(&$q<u8>, bool) = $q::shutdown;
            send_sync_debug::<$q<u8>>();
            let _ = $q::<u8>::default();
        }};
    }
    queue!(Queue);
    queue!(LifoQueue);
    queue!(PriorityQueue);
    let _: fn(u8, String) -> Prioritized<u8, String> = Prioritized::new;
    let item = Prioritized { priority: 1u8, item: "payload" };
    let _: (&u8, &&str) = (&item.priority, &item.item);
    let _: PriorityQueue<Prioritized<u8, Box<dyn Fn() + Send>>> = PriorityQueue::new(0); // no Ord
    send_sync_debug::<Prioritized<u8, u8>>();
    let _: fn() -> SimpleQueue<u8> = SimpleQueue::new;
    let _: fn(&SimpleQueue<u8>, u8) = SimpleQueue::put;
    let _: fn(&SimpleQueue<u8>) -> Result<u8, GetError> = SimpleQueue::get;
    let _: fn(&SimpleQueue<u8>, Duration) -> Result<u8, GetError> = SimpleQueue::get_timeout;
    let _: fn(&SimpleQueue<u8>) -> Result<u8, GetError> = SimpleQueue::get_nowait;
    let _: fn(&SimpleQueue<u8>) -> usize = SimpleQueue::qsize;
    let _: fn(&SimpleQueue<u8>) -> bool = SimpleQueue::empty;
    send_sync_debug::<SimpleQueue<u8>>();
    error_type::<PutError<u8>>();
    error_type::<GetError>();
    error_type::<TaskDoneError>();
    assert_eq!(PutError::Full(0u8).to_string(), "queue is full");
    assert_eq!(PutError::ShutDown(0u8).to_string(), "queue is shut down");
    assert_eq!(GetError::Empty.to_string(), "queue is empty");
    assert_eq!(GetError::ShutDown.to_string(), "queue is shut down");
    static REENTRANT: Condition<RLock> = Condition::reentrant();
    assert_eq!(REENTRANT.lock().notify_all(), 0);
    send_sync_debug::<ReentrantCondition<std::cell::RefCell<u8>>>();
}

#[test]
fn rwlock_signatures() {
    use std::time::Instant;
    use threading::{
        MappedRecursiveRwLockReadGuard, MappedRecursiveRwLockWriteGuard, MappedRwLockReadGuard,
        MappedRwLockWriteGuard, RawRwLock, RawRwLockRecursive, RecursiveRwLock,
        RecursiveRwLockReadGuard, RecursiveRwLockUpgradableReadGuard, RecursiveRwLockWriteGuard,
        RwLock, RwLockReadGuard, RwLockUpgradableReadGuard, RwLockWriteGuard,
    };
    static LOCK: RwLock<u64> = RwLock::new(0);
    static RECURSIVE: RecursiveRwLock<u64> = RecursiveRwLock::new(0);
    let read: RwLockReadGuard<'_, u64> = LOCK.read();
    let _: MappedRwLockReadGuard<'_, u64> = RwLockReadGuard::map(read, |v| v);
    let write: RwLockWriteGuard<'_, u64> = LOCK.write();
    let _: MappedRwLockWriteGuard<'_, u64> = RwLockWriteGuard::map(write, |v| v);
    let up: RwLockUpgradableReadGuard<'_, u64> = LOCK.upgradable_read();
    let up = RwLockUpgradableReadGuard::try_upgrade_for(up, Duration::ZERO).ok().unwrap();
    let up = RwLockWriteGuard::downgrade_to_upgradable(up);
    let up = RwLockUpgradableReadGuard::try_upgrade_until(up, Instant::now()).ok().unwrap();
    drop(RwLockWriteGuard::downgrade(up));
    let read: RecursiveRwLockReadGuard<'_, u64> = RECURSIVE.read();
    let _: MappedRecursiveRwLockReadGuard<'_, u64> = RecursiveRwLockReadGuard::map(read, |v| v);
    let write: RecursiveRwLockWriteGuard<'_, u64> = RECURSIVE.write();
    let _: MappedRecursiveRwLockWriteGuard<'_, u64> = RecursiveRwLockWriteGuard::map(write, |v| v);
    let _: RecursiveRwLockUpgradableReadGuard<'_, u64> = RECURSIVE.upgradable_read();
    let _: RawRwLock = RawRwLock::new();
    let raw: RawRwLockRecursive = RawRwLockRecursive::default();
    assert!(!threading::diagnostics::rwlock_writer_waits(&raw));
    send_sync_debug::<RwLock<u64>>();
    send_sync_debug::<RecursiveRwLock<u64>>();
    send_sync_debug::<RawRwLock>();
    assert_eq!(*LOCK.try_read_for(Duration::MAX).unwrap(), 0);
}

#[test]
fn fair_mutex_and_once_signatures() {
    static FAIR: FairMutex<u64> = FairMutex::new(0);
    static ONCE: Once = Once::new();
    static DONE: Once = Once::new_completed();
    let guard: FairMutexGuard<'_, u64> = FAIR.lock();
    let mut mapped: MappedFairMutexGuard<'_, u64> = FairMutexGuard::map(guard, |v| v);
    *mapped += 1;
    drop(mapped);
    let mut guard = FAIR.lock();
    FairMutexGuard::bump(&mut guard);
    FairMutexGuard::unlock_fair(guard);
    static MUTEX: Mutex<u64> = Mutex::new(0);
    let mut guard: MutexGuard<'_, u64> = MUTEX.lock();
    MutexGuard::bump(&mut guard);
    MutexGuard::unlock_fair(guard);
    let _: RawFairMutex = <RawFairMutex as lock_api::RawMutex>::INIT;
    send_sync_debug::<FairMutex<u64>>();
    send_sync_debug::<RawFairMutex>();

    let _: fn(&Once) -> OnceState = Once::state;
    let _: fn(&Once) -> bool = Once::is_completed;
    let _: fn(&Once) = Once::wait;
    let _: fn(&Once) = Once::wait_force;
    ONCE.call_once(|| {});
    ONCE.call_once_force(|_: OnceState| {});
    assert!(DONE.is_completed());
    let _: fn(OnceState) -> bool = OnceState::done;
    let _: fn(OnceState) -> bool = OnceState::is_completed;
    let _: fn(OnceState) -> bool = OnceState::poisoned;
    let _: fn(OnceState) -> bool = OnceState::is_poisoned;
    fn state_traits<T: Debug + Clone + Copy + PartialEq + Eq + Send + Sync>() {}
    state_traits::<OnceState>();
    send_sync_debug::<Once>();
    let _ = Once::default();
}

/// Every primitive works from a thread-local's destructor at thread exit, set up before or
/// after the thread first used the primitives: none keeps a thread-local with a destructor
/// of its own (which could no longer be reached there). On Windows a timer that fires
/// needs a thread, which cannot start before such a destructor returns: see `Timer`.
#[test]
fn every_primitive_works_in_a_thread_local_destructor() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering::SeqCst};

    fn use_them_all() {
        let lock = Lock::new();
        drop(lock.lock());
        let rlock = RLock::new();
        drop((rlock.lock(), rlock.lock()));
        let event = Event::new();
        event.set();
        assert!(event.wait_timeout(Duration::ZERO));
        let semaphore = BoundedSemaphore::new(1);
        drop(semaphore.permit());
        assert_eq!(Barrier::new(1).wait(), Ok(0));
        let condition = Condition::reentrant();
        let mut guard = condition.lock();
        assert!(!guard.wait_timeout(Duration::ZERO));
        drop(guard);
        let queue = Queue::new(1);
        queue.put(1).unwrap();
        assert_eq!(queue.get(), Ok(1));
        let mutex = Mutex::new(0);
        *mutex.lock() += 1;
        let condvar = Condvar::new();
        let mut value = mutex.lock();
        assert!(condvar.wait_for(&mut value, Duration::ZERO).timed_out());
        drop(value);
        drop(ReentrantMutex::new(()).lock());
        drop(RwLock::new(()).write());
        drop(FairMutex::new(()).lock());
        Once::new().call_once(|| {});
        let cancelled = Timer::new(Duration::from_secs(3600), || {});
        cancelled.start().unwrap();
        cancelled.cancel();
        cancelled.join();
        // Not on Windows, where a thread-local destructor runs under the loader lock, which
        // a new thread needs before it runs: a timer's function thread started there runs
        // only once the destructor has returned (as std's spawn + join would wait forever).
        #[cfg(not(windows))]
        {
            let fired = Timer::new(Duration::ZERO, || {});
            fired.start().unwrap();
            fired.join();
        }
    }
    struct AtExit(Arc<AtomicBool>);
    impl Drop for AtExit {
        fn drop(&mut self) {
            use_them_all();
            self.0.store(true, SeqCst);
        }
    }
    thread_local! {
        static AT_EXIT: std::cell::RefCell<Option<AtExit>> = const { std::cell::RefCell::new(None) };
    }
    for used_first in [true, false] {
        let done = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&done);
        std::thread::spawn(move || {
            if used_first {
                use_them_all();
            }
            AT_EXIT.with(|slot| *slot.borrow_mut() = Some(AtExit(flag)));
            if !used_first {
                use_them_all();
            }
        })
        .join()
        .expect("the thread exits cleanly");
        assert!(done.load(SeqCst), "the destructor ran to its end (used first: {used_first})");
    }
}
