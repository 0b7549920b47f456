//! Work split across the cores, in order: the per-claim part of a batch, and callers that read or
//! write many rows (the CLI, the Python binding). Where threads cannot be started — one core,
//! WebAssembly without threads, a system out of threads — the work runs in the calling thread,
//! with the same result.

use std::ops::Range;
use std::sync::Mutex;

/// Threads to use: the cores available, at most 16; one for small inputs.
#[must_use]
pub fn threads_for(n: usize) -> usize {
    if n < 1024 {
        return 1;
    }
    std::thread::available_parallelism().map_or(1, usize::from).clamp(1, 16)
}

/// `0..n` split into as many contiguous ranges as there are threads, `f` applied to each on its
/// own thread; the results in range order. Every range is `n.div_ceil(threads)` long but the
/// last ones (shorter, or empty): a caller finds item `i` in range `i / len` of the first's length.
pub fn chunks<T: Send>(n: usize, f: impl Fn(Range<usize>) -> T + Sync) -> Vec<T> {
    let threads = threads_for(n);
    if threads <= 1 {
        return vec![f(0..n)];
    }
    let size = n.div_ceil(threads);
    let range = |t: usize| (t * size).min(n)..((t + 1) * size).min(n);
    let f = &f;
    std::thread::scope(|scope| {
        let spawned: Vec<_> = (1..threads).map(|t| (t, std::thread::Builder::new().spawn_scoped(scope, move || f(range(t))))).collect();
        // This thread takes the first range, and any range a thread could not be started for.
        let mut out = vec![f(range(0))];
        for (t, handle) in spawned {
            out.push(match handle {
                Ok(h) => h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                Err(_) => f(range(t)),
            });
        }
        out
    })
}

/// `produce(k)` for each `k` in `0..n` on another thread while this thread hands the one before
/// to `consume`, in order (one item made ahead of the one consumed). Where no thread can be
/// started, one after the other.
pub fn pipeline<T: Send>(n: usize, produce: impl Fn(usize) -> T + Sync, mut consume: impl FnMut(usize, T)) {
    let mut ready: Option<(usize, T)> = None;
    for k in 0..n {
        let before = ready.take();
        let hand_on = || {
            if let Some((j, item)) = before {
                consume(j, item);
            }
        };
        let made = std::thread::scope(|scope| match std::thread::Builder::new().spawn_scoped(scope, || produce(k)) {
            Ok(handle) => {
                hand_on();
                handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            }
            Err(_) => {
                hand_on();
                produce(k)
            }
        });
        ready = Some((k, made));
    }
    if let Some((j, item)) = ready {
        consume(j, item);
    }
}

/// `a()` on this thread and `b()` on another at once, for work on `n` rows; one after the other
/// where `n` is small or no thread can be started.
pub fn join<A, B: Send>(n: usize, a: impl FnOnce() -> A, b: impl Fn() -> B + Sync) -> (A, B) {
    if threads_for(n) <= 1 {
        return (a(), b());
    }
    let b = &b;
    std::thread::scope(|scope| {
        let spawned = std::thread::Builder::new().spawn_scoped(scope, b);
        let a = a();
        match spawned {
            Ok(handle) => (a, handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))),
            Err(_) => (a, b()),
        }
    })
}

/// `a` and `b` (of one length) split into as many contiguous pieces as there are threads, `f`
/// given each piece's first index and its parts of `a` and `b`, on its own thread; the results
/// in order. For work that writes its rows' results in place.
pub fn split_mut<A: Send, B: Send, T: Send>(a: &mut [A], b: &mut [B], f: impl Fn(usize, &mut [A], &mut [B]) -> T + Sync) -> Vec<T> {
    let n = a.len().min(b.len());
    let size = n.div_ceil(threads_for(n)).max(1);
    // Each piece in a slot that its thread takes, or this thread when one cannot be started.
    type Piece<'p, A, B> = Mutex<Option<(usize, &'p mut [A], &'p mut [B])>>;
    let slots: Vec<Piece<'_, A, B>> =
        a[..n].chunks_mut(size).zip(b[..n].chunks_mut(size)).enumerate().map(|(t, (a, b))| Mutex::new(Some((t * size, a, b)))).collect();
    let run = |slot: &Piece<'_, A, B>| -> Option<T> {
        let (start, a, b) = slot.lock().ok()?.take()?;
        Some(f(start, a, b))
    };
    let Some((first, rest)) = slots.split_first() else { return Vec::new() };
    if rest.is_empty() {
        return run(first).into_iter().collect();
    }
    let run = &run;
    std::thread::scope(|scope| {
        let spawned: Vec<_> = rest.iter().map(|slot| (slot, std::thread::Builder::new().spawn_scoped(scope, move || run(slot)))).collect();
        let mut out = vec![run(first)];
        for (slot, handle) in spawned {
            out.push(match handle {
                Ok(h) => h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                Err(_) => run(slot),
            });
        }
        out.into_iter().flatten().collect()
    })
}

/// `f(0), …, f(n - 1)` in order, computed on every core.
pub fn map<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let parts = chunks(n, |range| range.map(&f).collect::<Vec<T>>());
    let mut out = Vec::with_capacity(n);
    for part in parts {
        out.extend(part);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn results_come_in_order_whatever_the_threads() {
        for n in [0, 1, 1023, 1024, 5000, 100_003] {
            assert_eq!(super::map(n, |i| i * 2), (0..n).map(|i| i * 2).collect::<Vec<_>>());
            let parts = super::chunks(n, |r| r);
            assert_eq!(parts.iter().map(|r| r.len()).sum::<usize>(), n);
            let size = parts[0].len().max(1);
            assert!((0..n).all(|i| parts[i / size].contains(&i)), "item i in range i / len");
            assert!(parts.windows(2).all(|w| w[0].end == w[1].start));
            let (mut a, mut b) = (vec![0usize; n], vec![0u8; n]);
            let starts = super::split_mut(&mut a, &mut b, |start, a, b| {
                for (i, (x, y)) in a.iter_mut().zip(b.iter_mut()).enumerate() {
                    *x = start + i;
                    *y = 1;
                }
                start
            });
            assert_eq!(a, (0..n).collect::<Vec<_>>());
            assert!(b.iter().all(|&y| y == 1));
            assert!(starts.windows(2).all(|w| w[0] < w[1]));
        }
    }

    #[test]
    fn joined_work_gives_both_results_small_or_large() {
        for n in [0, 1023, 1024, 100_000] {
            let data: Vec<u64> = (0..n as u64).collect();
            let (a, b) = super::join(n, || data.iter().sum::<u64>(), || data.iter().filter(|x| *x % 2 == 0).count());
            assert_eq!((a, b), ((0..n as u64).sum(), n.div_ceil(2)));
        }
    }

    #[test]
    fn a_pipeline_hands_on_every_item_in_order_while_the_next_is_made() {
        for n in [0, 1, 2, 7] {
            let made = std::sync::atomic::AtomicUsize::new(0);
            let mut got = Vec::new();
            super::pipeline(
                n,
                |k| {
                    made.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    k * 10
                },
                |k, item| {
                    // At most the next one is made before this one is handed on.
                    assert!(made.load(std::sync::atomic::Ordering::SeqCst) <= k + 2);
                    got.push((k, item));
                },
            );
            assert_eq!(got, (0..n).map(|k| (k, k * 10)).collect::<Vec<_>>());
        }
    }
}
