//! Asking the cache ahead for memory a loop will read, where a loop reads places it can name
//! rows ahead (a year's shapes are found by the hash of each row's key, scattered over megabytes).

/// Asks the cache for the line holding `value`; only a hint: it reads nothing the program sees.
/// It is asked on x86-64 (with SSE, every such processor); on every other target (WebAssembly,
/// ARM) it does nothing.
#[inline(always)]
pub(crate) fn prefetch<T>(value: &T) {
    line(std::ptr::from_ref(value).cast());
}

/// [`prefetch`] of every line `value` spans.
#[inline(always)]
pub(crate) fn prefetch_all<T>(value: &T) {
    let (start, size) = (std::ptr::from_ref(value).cast::<u8>(), std::mem::size_of::<T>());
    let mut offset = 0;
    while offset < size {
        line(start.wrapping_add(offset));
        offset += 64;
    }
    // A value that does not begin a line ends in one more.
    if size > 1 {
        line(start.wrapping_add(size - 1));
    }
}

#[inline(always)]
fn line(at: *const u8) {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse"))]
    // SAFETY: `_mm_prefetch` is a hint to the cache: it loads nothing into a register and cannot
    // fault, even for an address that is not mapped (here always one within a live value).
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(at.cast());
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse")))]
    let _ = at;
}
