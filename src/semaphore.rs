//! STUB — to be replaced by the real implementation (issue 3).
#![allow(missing_docs, unused_variables)]
use crate::error::ReleaseError;
use std::time::Duration;

#[derive(Debug, Default)]
pub struct Semaphore {}
impl Semaphore {
    pub const fn new(value: u32) -> Semaphore { Semaphore {} }
    pub fn acquire(&self) { todo!() }
    pub fn try_acquire(&self) -> bool { todo!() }
    pub fn acquire_timeout(&self, timeout: Duration) -> bool { todo!() }
    pub fn release(&self) -> Result<(), ReleaseError> { todo!() }
    pub fn release_n(&self, n: u32) -> Result<(), ReleaseError> { todo!() }
    pub fn value(&self) -> u32 { todo!() }
    pub fn permit(&self) -> SemaphoreGuard<'_> { todo!() }
}
#[derive(Debug)]
pub struct SemaphoreGuard<'a> { semaphore: &'a Semaphore }

#[derive(Debug)]
pub struct BoundedSemaphore {}
impl BoundedSemaphore {
    pub const fn new(value: u32) -> BoundedSemaphore { BoundedSemaphore {} }
    pub fn acquire(&self) { todo!() }
    pub fn try_acquire(&self) -> bool { todo!() }
    pub fn acquire_timeout(&self, timeout: Duration) -> bool { todo!() }
    pub fn release(&self) -> Result<(), ReleaseError> { todo!() }
    pub fn release_n(&self, n: u32) -> Result<(), ReleaseError> { todo!() }
    pub fn value(&self) -> u32 { todo!() }
    pub fn bound(&self) -> u32 { todo!() }
    pub fn permit(&self) -> BoundedSemaphoreGuard<'_> { todo!() }
}
#[derive(Debug)]
pub struct BoundedSemaphoreGuard<'a> { semaphore: &'a BoundedSemaphore }
