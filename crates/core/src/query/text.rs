//! Case-insensitive substring search over record texts without allocating per
//! event: the needle is lower-cased once; its three rarest bytes are tested at once,
//! 64 start positions per step (a branch-free loop the compiler turns into SIMD
//! compares; on x86-64 a second copy is compiled for AVX2 and chosen at run time;
//! on wasm32 built with `+simd128`, 64 positions per step with wasm SIMD
//! intrinsics, the third byte only where the two rarest matched), and only candidate
//! positions are compared in full. Needles without letters use
//! `memmem`, one-letter needles `memchr2`; needles with two bytes that are not
//! letters (on x86-64 with AVX2) memchr's SIMD pair search on those two bytes. The
//! store's texts are scanned chunk by chunk, not event by event (see
//! [`crate::store::Store::scan_texts`]).

use memchr::memmem;

/// How common a byte is in CloudTrail JSON (higher = more common). Letters are
/// ranked by their lower-case form and count both cases.
fn commonness(b: u8) -> u8 {
    const COMMON: &[u8] = b"\":,eatsonirmcd-lu.p0g1h2b/3ykf_45{}6789vwAESINTRCxzjq";
    let b = b.to_ascii_lowercase();
    match COMMON.iter().position(|&c| c == b) {
        Some(i) => (COMMON.len() - i) as u8,
        None => 0,
    }
}

/// A compiled case-insensitive needle.
#[derive(Debug, Clone)]
pub struct Finder {
    lower: Vec<u8>,
    exact: Option<memmem::Finder<'static>>,
    rare_at: usize,
    rare_lo: u8,
    rare_hi: u8,
    /// The rarest, second and third rarest positions, for the block scan (None for
    /// needles of one distinct byte; the third repeats the first for two-byte
    /// needles).
    probe: Option<Probe>,
    /// Whether the CPU runs AVX2 (the block scan then uses 32-byte vectors).
    #[cfg(target_arch = "x86_64")]
    avx2: bool,
    /// With two bytes that are not letters (`i-0a1b`, `AKIA12`), candidates are
    /// found by memchr's SIMD pair search on those two bytes, which case cannot
    /// change.
    #[cfg(target_arch = "x86_64")]
    packed: Option<memchr::arch::x86_64::avx2::packedpair::Finder>,
}

/// A SIMD pair finder on the two rarest bytes of `lower` that are not letters.
#[cfg(target_arch = "x86_64")]
fn packed_pair(lower: &[u8]) -> Option<memchr::arch::x86_64::avx2::packedpair::Finder> {
    use memchr::arch::all::packedpair::Pair;
    if lower.len() > 255 {
        return None;
    }
    let mut others: Vec<usize> = (0..lower.len())
        .filter(|&i| !lower[i].is_ascii_alphabetic())
        .collect();
    others.sort_by_key(|&i| (commonness(lower[i]), i));
    let first = *others.first()?;
    let second = others
        .iter()
        .copied()
        .find(|&i| i != first && lower[i] != lower[first])
        .or_else(|| others.get(1).copied())?;
    let pair = Pair::with_indices(lower, first as u8, second as u8)?;
    memchr::arch::x86_64::avx2::packedpair::Finder::with_pair(lower, pair)
}

impl Finder {
    /// Compile `needle` (ASCII letters match either case; other bytes match exactly).
    pub fn new(needle: &str) -> Finder {
        let lower = needle.as_bytes().to_ascii_lowercase();
        let has_letters = lower.iter().any(|b| b.is_ascii_alphabetic());
        let exact = (!has_letters).then(|| memmem::Finder::new(&lower).into_owned());
        let rare_at = (0..lower.len())
            .min_by_key(|&i| commonness(lower[i]))
            .unwrap_or(0);
        let rare = lower.get(rare_at).copied().unwrap_or(0);
        let second = (0..lower.len())
            .filter(|&i| i != rare_at && lower[i] != rare)
            .min_by_key(|&i| commonness(lower[i]));
        let third = second.and_then(|j| {
            (0..lower.len())
                .filter(|&i| i != rare_at && i != j)
                .min_by_key(|&i| {
                    (
                        lower[i] == rare || lower[i] == lower[j],
                        commonness(lower[i]),
                    )
                })
        });
        Finder {
            #[cfg(target_arch = "x86_64")]
            packed: if has_letters {
                packed_pair(&lower)
            } else {
                None
            },
            probe: second.map(|j| Probe::new(&lower, [rare_at, j, third.unwrap_or(rare_at)])),
            #[cfg(target_arch = "x86_64")]
            avx2: std::is_x86_feature_detected!("avx2"),
            exact,
            rare_at,
            rare_lo: rare,
            rare_hi: rare.to_ascii_uppercase(),
            lower,
        }
    }

    /// Whether `hay` contains the needle, ignoring ASCII case.
    pub fn is_match(&self, hay: &[u8]) -> bool {
        self.find_from(hay, 0).is_some()
    }

    /// The needle's length in bytes.
    pub fn len(&self) -> usize {
        self.lower.len()
    }

    /// Whether the needle is empty (it matches everywhere).
    pub fn is_empty(&self) -> bool {
        self.lower.is_empty()
    }

    /// The first position at or after `from` where the needle occurs in `hay`,
    /// ignoring ASCII case.
    pub fn find_from(&self, hay: &[u8], from: usize) -> Option<usize> {
        let n = self.lower.len();
        if n == 0 {
            return (from <= hay.len()).then_some(from);
        }
        if hay.len() < n || from > hay.len() - n {
            return None;
        }
        if let Some(f) = &self.exact {
            return f.find(&hay[from..]).map(|p| p + from);
        }
        #[cfg(target_arch = "x86_64")]
        if let Some(pf) = &self.packed {
            let last = hay.len() - n;
            let mut at = from;
            while at <= last {
                let rest = &hay[at..];
                if rest.len() < pf.min_haystack_len() {
                    return (at..=last).find(|&p| hay[p..p + n].eq_ignore_ascii_case(&self.lower));
                }
                let c = at + pf.find_prefilter(rest)?;
                if c > last {
                    return None;
                }
                if hay[c..c + n].eq_ignore_ascii_case(&self.lower) {
                    return Some(c);
                }
                at = c + 1;
            }
            return None;
        }
        if let Some(pr) = &self.probe {
            return self.block_scan(hay, from, pr);
        }
        // One distinct letter (`a`, `aa`): jump between its occurrences in either case.
        let last = hay.len() - (n - self.rare_at);
        let mut at = from + self.rare_at;
        while at <= last {
            let off = memchr::memchr2(self.rare_lo, self.rare_hi, &hay[at..=last])?;
            let p = at + off - self.rare_at;
            if hay[p..p + n].eq_ignore_ascii_case(&self.lower) {
                return Some(p);
            }
            at += off + 1;
        }
        None
    }
}

/// Start positions tested per step of [`probe_block`]: wide enough that the check
/// "any candidate in this block?" is paid once per 64 positions.
const BLOCK: usize = 64;

/// The three probe bytes of a needle and how to compare them: a haystack byte `h`
/// matches probe `k` when `h | fold[k] == want[k]` (`fold` is `0x20` for letters,
/// so either case matches, and 0 for other bytes, which match exactly).
#[derive(Debug, Clone, Copy)]
struct Probe {
    at: [usize; 3],
    fold: [u8; 3],
    want: [u8; 3],
}

impl Probe {
    fn new(lower: &[u8], at: [usize; 3]) -> Probe {
        let b = at.map(|i| lower[i]);
        Probe {
            at,
            fold: b.map(|x| if x.is_ascii_alphabetic() { 0x20 } else { 0 }),
            want: b,
        }
    }
}

/// Which of the [`BLOCK`] start positions from `p` pass the three-byte probe, one
/// bit each (bit k = position `p + k`). Written as plain loops over fixed-size
/// arrays without branches, so the compiler turns them into SIMD compares (SSE2 or
/// AVX2 on x86-64, simd128 on wasm32 when enabled). Every byte read lies before
/// `p + BLOCK - 1 + max(at)`, which the caller keeps inside `hay`.
#[inline(always)]
fn probe_block(hay: &[u8], p: usize, pr: &Probe) -> u64 {
    let lane = |k: usize| -> &[u8; BLOCK] {
        let s = p + pr.at[k];
        hay.get(s..s + BLOCK)
            .and_then(|x| x.try_into().ok())
            .unwrap_or(&[0; BLOCK])
    };
    let (a, b, c) = (lane(0), lane(1), lane(2));
    let mut hit = [0u8; BLOCK];
    for k in 0..BLOCK {
        hit[k] = u8::from((a[k] | pr.fold[0]) == pr.want[0])
            & u8::from((b[k] | pr.fold[1]) == pr.want[1])
            & u8::from((c[k] | pr.fold[2]) == pr.want[2]);
    }
    let mut any = 0;
    for h in hit {
        any |= h;
    }
    if any == 0 {
        return 0;
    }
    hit.iter()
        .enumerate()
        .fold(0u64, |m, (k, &h)| m | (u64::from(h) << k))
}

impl Finder {
    /// Scan [`BLOCK`] start positions at a time with [`probe_block`]; only the
    /// positions passing the three-byte probe are compared in full.
    #[inline(always)]
    fn block_scan_inline(&self, hay: &[u8], from: usize, pr: &Probe) -> Option<usize> {
        let n = self.lower.len();
        let starts = hay.len() - n + 1;
        let check = |p: usize| hay[p..p + n].eq_ignore_ascii_case(&self.lower);
        let mut p = from;
        while p + BLOCK <= starts {
            let mut m = probe_block(hay, p, pr);
            while m != 0 {
                let q = p + m.trailing_zeros() as usize;
                if check(q) {
                    return Some(q);
                }
                m &= m - 1;
            }
            p += BLOCK;
        }
        (p..starts).find(|&q| check(q))
    }

    /// [`Finder::block_scan_inline`] compiled for AVX2: twice the lanes of the
    /// SSE2 baseline every x86-64 build can assume.
    ///
    /// # Safety
    /// The CPU must support AVX2 (checked once in [`Finder::new`]).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn block_scan_avx2(&self, hay: &[u8], from: usize, pr: &Probe) -> Option<usize> {
        self.block_scan_inline(hay, from, pr)
    }

    /// The block scan with wasm's 128-bit SIMD, 64 start positions (four vectors)
    /// per step, testing the two rarest probe bytes and the third only in a step
    /// where both matched somewhere. Written with intrinsics: the portable loop,
    /// compiled for simd128, runs at a third of this speed in V8 (measured on 200 MB
    /// of CloudTrail text in Node 20: 135 to 170 ms against 36 to 45 ms). Two probes
    /// first and 64 starts a step (against three probes, 32 starts) took `assumerole`
    /// over the 100 MB bench set from 18.6 to 15.2 ms in Node (best of 15, same
    /// process); `tests/browser.rs` checks it against a plain comparison.
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    fn block_scan_simd128(&self, hay: &[u8], from: usize, pr: &Probe) -> Option<usize> {
        use core::arch::wasm32::{
            u8x16_bitmask, u8x16_eq, u8x16_splat, v128, v128_and, v128_any_true, v128_load, v128_or,
        };
        let n = self.lower.len();
        let starts = hay.len() - n + 1;
        let check = |p: usize| hay[p..p + n].eq_ignore_ascii_case(&self.lower);
        let fold = pr.fold.map(|b| u8x16_splat(b));
        let want = pr.want.map(|b| u8x16_splat(b));
        // Every probe position lies inside the needle, so the 16 bytes read at
        // `p + off + at` for a start `p + 64 <= starts` (`off` 0 to 48) end by
        // `starts - 1 + n = hay.len()`.
        assert!(pr.at.iter().all(|&a| a < n));
        let base = hay.as_ptr();
        let mut p = from;
        while p + 64 <= starts {
            // SAFETY: in bounds by the assertion and the loop condition (see above);
            // v128_load reads unaligned.
            let lane = |k: usize, off: usize| unsafe {
                v128_load(base.add(p + off + pr.at[k]).cast::<v128>())
            };
            // The two rarest probe bytes first (two compares a vector); the third only
            // where both passed somewhere in the 64 starts, which is rare.
            let pair = |off: usize| {
                v128_and(
                    u8x16_eq(v128_or(lane(0, off), fold[0]), want[0]),
                    u8x16_eq(v128_or(lane(1, off), fold[1]), want[1]),
                )
            };
            let m = [pair(0), pair(16), pair(32), pair(48)];
            if v128_any_true(v128_or(v128_or(m[0], m[1]), v128_or(m[2], m[3]))) {
                let mut bits = 0u64;
                for (k, v) in m.into_iter().enumerate() {
                    let third = u8x16_eq(v128_or(lane(2, 16 * k), fold[2]), want[2]);
                    bits |= u64::from(u8x16_bitmask(v128_and(v, third))) << (16 * k);
                }
                while bits != 0 {
                    let q = p + bits.trailing_zeros() as usize;
                    if check(q) {
                        return Some(q);
                    }
                    bits &= bits - 1;
                }
            }
            p += 64;
        }
        // The last few starts.
        self.block_scan_inline(hay, p, pr)
    }

    fn block_scan(&self, hay: &[u8], from: usize, pr: &Probe) -> Option<usize> {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        return self.block_scan_simd128(hay, from, pr);
        #[cfg(target_arch = "x86_64")]
        if self.avx2 {
            // SAFETY: `avx2` is only true when the CPU reported AVX2 support.
            return unsafe { self.block_scan_avx2(hay, from, pr) };
        }
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        self.block_scan_inline(hay, from, pr)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn finds_ignoring_case() {
        let cases: &[(&str, &str, bool)] = &[
            ("deletebucket", r#"{"eventName":"DeleteBucket"}"#, true),
            ("DELETE", r#"{"eventName":"DeleteBucket"}"#, true),
            ("bucketz", r#"{"eventName":"DeleteBucket"}"#, false),
            ("1.2.3.4", r#"{"ip":"1.2.3.4"}"#, true),
            ("1.2.3.5", r#"{"ip":"1.2.3.4"}"#, false),
            ("x", "", false),
            ("ab", "b", false),
            ("aa", "aAa", true),
            ("}", "{}", true),
            ("needle", &format!("{}NeEdLe", "x".repeat(100)), true),
            (
                "needle",
                &format!("{}neEdLx{}", "x".repeat(100), "y".repeat(40)),
                false,
            ),
            ("ab[", "xxab{", false),
            ("ab[", "xxAB[", true),
        ];
        for (n, h, want) in cases {
            assert_eq!(Finder::new(n).is_match(h.as_bytes()), *want, "{n} in {h}");
        }
    }

    #[test]
    fn finds_every_occurrence_from_a_position() {
        let hay = format!(
            "{}AbC{}abc{}",
            "x".repeat(40),
            "y".repeat(50),
            "z".repeat(3)
        );
        for (needle, off) in [("abc", 0), ("ABC", 0), ("b", 1), ("c", 2)] {
            let f = Finder::new(needle);
            let mut at = Vec::new();
            let mut from = 0;
            while let Some(p) = f.find_from(hay.as_bytes(), from) {
                at.push(p);
                from = p + 1;
            }
            assert_eq!(at, vec![40 + off, 93 + off], "{needle}");
        }
        assert_eq!(Finder::new("1.2").find_from(b"1.2 1.2", 1), Some(4));
    }
}
