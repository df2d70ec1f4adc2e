//! Deliberate sabotage, for measuring the CI gate only (`scripts/gate-quality`): built with the
//! `inject-slowdown` feature, every fast `process_epoch` does a fixed amount of extra work per
//! registry entry before returning, sized to about 5% of the epoch's instructions on `small`
//! (measured: see the README's "CI regression gate"). Work, not a timed sleep, so that both the
//! time and the instruction-count gates see it. Never enabled by default.

/// Extra loop iterations per 1,000 registry entries: ~6 instructions each, so 1,775 per 1,000
/// on `small` (50,000 entries) add ~0.53M instructions to its 10.65M-instruction epoch (5%).
const ITERATIONS_PER_1000: usize = 1_775;

/// Created when the epoch starts; on drop, does the extra work.
pub struct Slowdown(usize);

impl Slowdown {
    pub fn start(validators: usize) -> Self {
        Slowdown(validators.saturating_mul(ITERATIONS_PER_1000) / 1000)
    }
}

impl Drop for Slowdown {
    fn drop(&mut self) {
        let mut x = 0_u64;
        for _ in 0..self.0 {
            x = std::hint::black_box(x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1));
        }
    }
}
