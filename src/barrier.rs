//! STUB — to be replaced by the real implementation (issue 3).
#![allow(missing_docs, unused_variables)]
use crate::error::BrokenBarrierError;
use std::time::Duration;

#[derive(Debug)]
pub struct Barrier {}
impl Barrier {
    pub fn new(parties: usize) -> Barrier { todo!() }
    pub fn with_timeout(self, timeout: Duration) -> Barrier { todo!() }
    pub fn with_action(self, action: impl Fn() + Send + Sync + 'static) -> Barrier { todo!() }
    pub fn wait(&self) -> Result<usize, BrokenBarrierError> { todo!() }
    pub fn wait_timeout(&self, timeout: Duration) -> Result<usize, BrokenBarrierError> { todo!() }
    pub fn reset(&self) { todo!() }
    pub fn abort(&self) { todo!() }
    pub fn parties(&self) -> usize { todo!() }
    pub fn n_waiting(&self) -> usize { todo!() }
    pub fn broken(&self) -> bool { todo!() }
}
