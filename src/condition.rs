//! STUB — to be replaced by the real implementation (issue 3).
#![allow(missing_docs, unused_variables, clippy::missing_const_for_fn)]
use std::time::Duration;

#[derive(Debug, Default)]
pub struct Condition {}
impl Condition {
    pub const fn new() -> Condition { Condition {} }
    pub fn lock(&self) -> ConditionGuard<'_> { todo!() }
    pub fn try_lock(&self) -> Option<ConditionGuard<'_>> { todo!() }
    pub fn lock_timeout(&self, timeout: Duration) -> Option<ConditionGuard<'_>> { todo!() }
}
#[derive(Debug)]
pub struct ConditionGuard<'a> { condition: &'a Condition }
impl ConditionGuard<'_> {
    pub fn wait(&mut self) { todo!() }
    pub fn wait_timeout(&mut self, timeout: Duration) -> bool { todo!() }
    pub fn wait_for(&mut self, predicate: impl FnMut() -> bool) { todo!() }
    pub fn wait_for_timeout(&mut self, predicate: impl FnMut() -> bool, timeout: Duration) -> bool { todo!() }
    pub fn notify(&self, n: usize) -> usize { todo!() }
    pub fn notify_all(&self) -> usize { todo!() }
}
