//! The global allocator: mimalloc, with the live heap bytes and their high-water mark counted.
//!
//! Why: a scenario's memory must not depend on what ran before it in the same process. Peak RSS
//! is the process's high-water mark and keeps the pages an earlier scenario left with the
//! allocator (`small-consolidated-max-fresh`: 77-81 MB alone, 114 MB after `small`). The bytes
//! the program holds are the program's own: [`live`] reads them, and [`window`] measures the peak
//! of those above the level at its start. Cost: two relaxed atomic adds per allocation and a load (a third on a new peak).

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// mimalloc, counted.
pub struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = LIVE.fetch_add(by, Relaxed).saturating_add(by);
    if now > PEAK.load(Relaxed) {
        PEAK.fetch_max(now, Relaxed);
    }
}

#[allow(unsafe_code)]
// SAFETY: every call is forwarded unchanged to mimalloc; the counters only observe the sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is passed on as is.
        let p = unsafe { mimalloc::MiMalloc.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as `alloc`.
        let p = unsafe { mimalloc::MiMalloc.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Relaxed);
        // SAFETY: as `alloc`.
        unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as `alloc`.
        let p = unsafe { mimalloc::MiMalloc.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                grew(new_size.saturating_sub(layout.size()));
            } else {
                LIVE.fetch_sub(layout.size().saturating_sub(new_size), Relaxed);
            }
        }
        p
    }
}

/// Heap bytes the program holds now.
pub fn live() -> u64 {
    LIVE.load(Relaxed) as u64
}

/// A measuring window over the heap: the peak of live bytes above the level at its start.
pub struct Window {
    start: usize,
}

/// Opens a window: the peak restarts from the bytes live now.
pub fn window() -> Window {
    let start = LIVE.load(Relaxed);
    PEAK.store(start, Relaxed);
    Window { start }
}

impl Window {
    /// Peak live heap bytes since the window opened, above its start level.
    pub fn peak(&self) -> u64 {
        PEAK.load(Relaxed).saturating_sub(self.start) as u64
    }
}
