//! What the behaviour test files share: the proptest setting that shrinks under Miri.
//!
//! Miri (CONTRIBUTING.md) interprets every step and is many thousand times slower
//! than native code, so stress loops and proptest case counts shrink under `cfg(miri)`
//! instead of being skipped: every path still runs, only fewer times. Loop counts shrink
//! where they are declared (`if cfg!(miri) { .. } else { .. }`); proptest goes through here.

use proptest::test_runner::Config;

/// Cases per proptest under Miri: enough to walk each model through several histories.
const MIRI_CASES: u32 = 4;

/// `native` as it is; under Miri [`MIRI_CASES`] cases and no failure file (Miri isolates
/// the test from the file system, where proptest would record failing inputs).
pub fn proptest_config(native: Config) -> Config {
    if cfg!(miri) {
        Config { cases: MIRI_CASES, failure_persistence: None, ..native }
    } else {
        native
    }
}
