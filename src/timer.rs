//! STUB — to be replaced by the real implementation (issue 3).
#![allow(missing_docs, unused_variables)]
use crate::error::TimerError;
use std::time::Duration;

#[derive(Debug)]
pub struct Timer {}
impl Timer {
    pub fn new(interval: Duration, function: impl FnOnce() + Send + 'static) -> Timer { todo!() }
    pub fn start(&self) -> Result<(), TimerError> { todo!() }
    pub fn cancel(&self) { todo!() }
    pub fn join(&self) { todo!() }
    pub fn join_timeout(&self, timeout: Duration) -> bool { todo!() }
    pub fn is_alive(&self) -> bool { todo!() }
    pub fn interval(&self) -> Duration { todo!() }
}
