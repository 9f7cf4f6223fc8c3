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
use std::thread::{self, JoinHandle};
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
    thread: JoinHandle<()>,
}

impl Server {
    fn new(barrier: Arc<Barrier>) -> Server {
        println!("server initializing ...");
        let state = Arc::new(ServerState { barrier });
        let me = Arc::clone(&state);
        let thread = thread::spawn(move || {
            common::sleep(5.0);
            me.barrier.wait().expect("barrier broken");
            println!("server ready to accept connections");
        });
        Server { state, thread }
    }
}

struct ClientState {
    name: String,
    server: Arc<ServerState>,
}

struct Client {
    thread: JoinHandle<()>,
}

impl Client {
    fn new(name: &str, server: &Server) -> Client {
        let state = ClientState { name: name.to_string(), server: Arc::clone(&server.state) };
        println!("{} waiting to connect", state.name);
        let thread = thread::spawn(move || {
            state.server.barrier.wait().expect("barrier broken");
            state.server.connect(&state);
        });
        Client { thread }
    }
}

pub fn main() {
    let b = Arc::new(
        Barrier::new(5)
            .with_timeout(Duration::from_secs(10))
            .with_action(|| println!("barrier: all 5 parties arrived")),
    );

    let server = Server::new(b);
    let client1 = Client::new("client1", &server);
    let client2 = Client::new("client2", &server);
    let client3 = Client::new("client3", &server);
    let client4 = Client::new("client4", &server);

    server.thread.join().expect("server panicked");
    client1.thread.join().expect("client1 panicked");
    client2.thread.join().expect("client2 panicked");
    client3.thread.join().expect("client3 panicked");
    client4.thread.join().expect("client4 panicked");

    println!("end of program");
}
