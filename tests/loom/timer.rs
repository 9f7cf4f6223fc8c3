//! Loom tests: to be written (issue 3).
