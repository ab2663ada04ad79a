//! Case-insensitive substring search over record texts without allocating per
//! event: the needle is lower-cased once; its three rarest bytes are tested at once,
//! 32 start positions per step (a loop the compiler vectorises), and only candidate
//! positions are compared in full. Needles without letters use `memmem`, one-letter
//! needles `memchr2`; needles with two bytes that are not letters (on x86-64 with
//! AVX2) memchr's SIMD pair search on those two bytes. The store's texts are scanned chunk by chunk, not event by
//! event (see [`crate::store::Store::scan_chunks`]).

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
    /// Second and third rarest positions, for the block scan (None for needles of
    /// one distinct byte; the third repeats the first for two-byte needles).
    pair: Option<(usize, usize, usize)>,
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
            pair: second.map(|j| (rare_at, j, third.unwrap_or(rare_at))),
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
        if let Some((i1, i2, i3)) = self.pair {
            return self.block_scan(hay, from, [i1, i2, i3]);
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

impl Finder {
    /// Scan in blocks of 32 start positions, testing three needle bytes at once
    /// with case folded by `| 0x20` (a superset of ASCII case-insensitivity: the few
    /// false candidates are rejected by the full check). The block loop has no
    /// branches, so the compiler vectorises it; in a block with a candidate, only
    /// the positions passing the three-byte test are compared in full.
    fn block_scan(&self, hay: &[u8], from: usize, at: [usize; 3]) -> Option<usize> {
        const BLOCK: usize = 32;
        let n = self.lower.len();
        let c = at.map(|i| self.lower[i] | 0x20);
        let starts = hay.len() - n + 1;
        let probe = |p: usize| {
            (hay[p + at[0]] | 0x20) == c[0]
                && (hay[p + at[1]] | 0x20) == c[1]
                && (hay[p + at[2]] | 0x20) == c[2]
        };
        let check = |p: &usize| probe(*p) && hay[*p..*p + n].eq_ignore_ascii_case(&self.lower);
        let mut p = from;
        while p + BLOCK <= starts {
            let a = &hay[p + at[0]..p + at[0] + BLOCK];
            let b = &hay[p + at[1]..p + at[1] + BLOCK];
            let d = &hay[p + at[2]..p + at[2] + BLOCK];
            let mut any = 0u8;
            for k in 0..BLOCK {
                any |= u8::from((a[k] | 0x20) == c[0])
                    & u8::from((b[k] | 0x20) == c[1])
                    & u8::from((d[k] | 0x20) == c[2]);
            }
            if any != 0 {
                if let Some(q) = (p..p + BLOCK).find(check) {
                    return Some(q);
                }
            }
            p += BLOCK;
        }
        (p..starts).find(check)
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
