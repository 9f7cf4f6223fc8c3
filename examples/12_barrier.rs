//! Section 12 of the notebook, "Barriers": a server and four clients meet at
//! `Barrier(5, timeout=10)`. The server needs 5 s to initialize; the clients wait at the
//! barrier until it arrives, then all five continue and each client connects.
//!
//! Where Rust differs from Python:
//! - `Barrier(5, timeout=10)` is `Barrier::new(5).with_timeout(Duration::from_secs(10))`,
//!   and `wait()` returns a `Result`: `Err(BrokenBarrierError)` where Python raises
//!   `BrokenBarrierError` (e.g. when the 10 s run out).
//! - The barrier also gets an action (`with_action`, Python's `action=`): the last thread to
//!   arrive runs it *before* any thread is released. It prints "barrier: all 5 parties
//!   arrived", so the output shows that every "has connected" line comes after the barrier.
//! - The server's 5 s pause is scaled by `THREADING_TIME_SCALE`; the 10 s timeout is a
//!   deadline, not a pause, and is kept as is so that a small scale cannot make it fire.
//! - Python's `Server.__call__` uses `self` as the thread target; here the server's state
//!   lives in an `Arc` shared by the server thread and the clients, and the `JoinHandle`s
//!   stay in the `Server`/`Client` objects as in the notebook.

#[path = "common/mod.rs"]
mod common;

use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;
use threading::Barrier;

/// What the clients share with the server thread.
struct ServerState {
    barrier: Arc<Barrier>,
}

impl ServerState {
    fn connect(&self, client: &ClientState) {
        println!("{} has connected", client.name);
    }
}

struct Server {
    state: Arc<ServerState>,
    /// `None` if the OS refused the thread (`common` said so).
    thread: Option<JoinHandle<()>>,
}

impl Server {
    fn new(barrier: Arc<Barrier>) -> Server {
        println!("server initializing ...");
        let state = Arc::new(ServerState { barrier });
        let me = Arc::clone(&state);
        let thread = common::spawn_thread("the server thread", move || {
            common::sleep(5.0);
            match me.barrier.wait() {
                Ok(_) => println!("server ready to accept connections"),
                Err(e) => println!("server: {e}: a party never came, no connections"),
            }
        });
        Server { state, thread: thread.ok() }
    }
}

struct ClientState {
    name: String,
    server: Arc<ServerState>,
}

struct Client {
    /// `None` if the OS refused the thread (`common` said so).
    thread: Option<JoinHandle<()>>,
}

impl Client {
    fn new(name: &str, server: &Server) -> Client {
        let state = ClientState { name: name.to_string(), server: Arc::clone(&server.state) };
        println!("{} waiting to connect", state.name);
        let what = format!("the thread of {}", state.name);
        let thread = common::spawn_thread(what, move || match state.server.barrier.wait() {
            Ok(_) => state.server.connect(&state),
            Err(e) => println!("{}: {e}: a party never came, not connected", state.name),
        });
        Client { thread: thread.ok() }
    }
}

pub fn main() {
    let b = Arc::new(
        Barrier::new(5)
            .with_timeout(Duration::from_secs(10))
            .with_action(|| println!("barrier: all 5 parties arrived")),
    );

    let server = Server::new(Arc::clone(&b));
    let client1 = Client::new("client1", &server);
    let client2 = Client::new("client2", &server);
    let client3 = Client::new("client3", &server);
    let client4 = Client::new("client4", &server);

    let threads = [server.thread, client1.thread, client2.thread, client3.thread, client4.thread];
    let started = threads.iter().flatten().count();
    if started < 5 {
        // The missing parties will never arrive: break the barrier now rather than leave the
        // others waiting out its timeout.
        println!("only {started} of 5 parties started: main aborts the barrier");
        b.abort();
    }
    for t in threads.into_iter().flatten() {
        t.join().expect("a party panicked");
    }

    println!("end of program");
}
