//! Interning: each distinct string of a column is stored once and referred to by a
//! `u32` id. Id 0 is reserved for "absent" (the field is missing or `null`), so a
//! column of ids can tell "no value" from the empty string.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A small, fast, non-cryptographic hasher (the FxHash mix used by rustc). The
/// store hashes millions of short strings; SipHash's DoS protection buys nothing
/// for logs the user loads into their own page.
#[derive(Debug, Default, Clone, Copy)]
pub struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let n = bytes.len();
        let word = |i: usize| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&bytes[i..i + 8]);
            u64::from_le_bytes(w)
        };
        if n >= 8 {
            let mut i = 0;
            while i + 8 < n {
                self.add(word(i));
                i += 8;
            }
            // The last word overlaps the one before (no partial-word copy).
            self.add(word(n - 8));
        } else if n >= 4 {
            let half = |i: usize| {
                let mut w = [0u8; 4];
                w.copy_from_slice(&bytes[i..i + 4]);
                u64::from(u32::from_le_bytes(w))
            };
            self.add(half(0) | half(n - 4) << 32);
        } else if n > 0 {
            let b = |i: usize| u64::from(bytes[i]);
            self.add(b(0) | b(n / 2) << 8 | b(n - 1) << 16);
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

/// `HashMap` with [`FxHasher`].
pub type FxHashMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// `HashSet` with [`FxHasher`].
pub type FxHashSet<K> = std::collections::HashSet<K, BuildHasherDefault<FxHasher>>;

/// Hash a byte string with [`FxHasher`].
pub fn fx_hash(bytes: &[u8]) -> u64 {
    let mut h = FxHasher::default();
    h.write(bytes);
    h.write_usize(bytes.len());
    h.finish()
}

/// Hash a longer byte string (such as a whole `userIdentity` block) with four
/// independent FxHash lanes, so that the multiplications overlap instead of
/// waiting on each other; short strings go to [`fx_hash`].
pub fn fx_hash_long(bytes: &[u8]) -> u64 {
    let n = bytes.len();
    if n < 32 {
        return fx_hash(bytes);
    }
    let word = |i: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&bytes[i..i + 8]);
        u64::from_le_bytes(w)
    };
    let mut lanes = [FxHasher::default(); 4];
    let mut i = 0;
    while i + 32 <= n {
        for (k, lane) in lanes.iter_mut().enumerate() {
            lane.add(word(i + 8 * k));
        }
        i += 32;
    }
    // The last 32 bytes (overlapping what came before) cover the tail.
    if i < n {
        for (k, lane) in lanes.iter_mut().enumerate() {
            lane.add(word(n - 32 + 8 * k));
        }
    }
    let mut h = FxHasher::default();
    for lane in lanes {
        h.add(lane.hash);
    }
    h.add(n as u64);
    h.finish()
}

/// Byte equality without a call into `memcmp`: the strings compared here (column
/// values, keys) are short, and the call costs more than the comparison. The tail
/// is compared with a load that overlaps the last whole word (no copy of a partial
/// word).
#[inline]
pub fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    #[inline]
    fn w8(s: &[u8], i: usize) -> u64 {
        let mut w = [0u8; 8];
        w.copy_from_slice(&s[i..i + 8]);
        u64::from_le_bytes(w)
    }
    #[inline]
    fn w4(s: &[u8], i: usize) -> u32 {
        let mut w = [0u8; 4];
        w.copy_from_slice(&s[i..i + 4]);
        u32::from_le_bytes(w)
    }
    if n >= 8 {
        let mut i = 0;
        while i + 8 < n {
            if w8(a, i) != w8(b, i) {
                return false;
            }
            i += 8;
        }
        return w8(a, n - 8) == w8(b, n - 8);
    }
    if n >= 4 {
        return w4(a, 0) == w4(b, 0) && w4(a, n - 4) == w4(b, n - 4);
    }
    a.iter().zip(b).all(|(x, y)| x == y)
}

/// One column's dictionary: id -> string and string -> id.
#[derive(Debug, Clone)]
pub struct Dict {
    /// `values[id]`; `values[0]` is the placeholder for "absent".
    values: Vec<Box<str>>,
    /// String -> id, open addressing with linear probing: each slot is 0 (empty) or
    /// the string's hash in the high half and its id in the low half (ids are never
    /// 0), so a probe reads one word and compares a string only when the hashes'
    /// high halves agree. Its length is a power of two, at least twice the ids.
    table: Vec<u64>,
    /// The id interned last: neighbouring records often repeat a value, and one
    /// comparison is cheaper than hashing.
    last: u32,
}

impl Default for Dict {
    fn default() -> Self {
        Dict {
            values: vec![Box::from("")],
            table: Vec::new(),
            last: 0,
        }
    }
}

/// The table slot where a probe for hash `h` starts (Fibonacci hashing: the
/// multiplication spreads FxHash's weaker low bits).
#[inline]
fn home(h: u64, mask: usize) -> usize {
    (h.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32) as usize & mask
}

impl Dict {
    /// The id of `s`, adding it if new. Never returns 0.
    pub fn intern(&mut self, s: &str) -> u32 {
        if self.last != 0 && same_bytes(self.values[self.last as usize].as_bytes(), s.as_bytes()) {
            return self.last;
        }
        let id = self.intern_hashed(s);
        self.last = id;
        id
    }

    /// The id of `s` (hash `h`), or the empty slot where it would go.
    #[inline]
    fn probe(&self, h: u64, s: &[u8]) -> Result<u32, usize> {
        let mask = self.table.len().wrapping_sub(1);
        let tag = h & 0xffff_ffff_0000_0000;
        let mut i = home(h, mask);
        loop {
            let Some(&e) = self.table.get(i) else {
                return Err(i);
            };
            if e == 0 {
                return Err(i);
            }
            if e & 0xffff_ffff_0000_0000 == tag {
                let id = e as u32;
                if same_bytes(self.values[id as usize].as_bytes(), s) {
                    return Ok(id);
                }
            }
            i = (i + 1) & mask;
        }
    }

    fn intern_hashed(&mut self, s: &str) -> u32 {
        let h = fx_hash(s.as_bytes());
        if (self.values.len()) * 2 >= self.table.len() {
            self.grow();
        }
        match self.probe(h, s.as_bytes()) {
            Ok(id) => id,
            Err(slot) => {
                let id = self.values.len() as u32;
                self.values.push(Box::from(s));
                self.table[slot] = (h & 0xffff_ffff_0000_0000) | u64::from(id);
                id
            }
        }
    }

    /// Double the table (at least 16 slots) and place every id again.
    fn grow(&mut self) {
        let size = (self.table.len() * 2).max(16);
        self.table = vec![0; size];
        let mask = size - 1;
        for (id, v) in self.values.iter().enumerate().skip(1) {
            let h = fx_hash(v.as_bytes());
            let mut i = home(h, mask);
            while self.table[i] != 0 {
                i = (i + 1) & mask;
            }
            self.table[i] = (h & 0xffff_ffff_0000_0000) | id as u64;
        }
    }

    /// The id of `s` if it was ever interned.
    pub fn get(&self, s: &str) -> Option<u32> {
        if self.table.is_empty() {
            return None;
        }
        self.probe(fx_hash(s.as_bytes()), s.as_bytes()).ok()
    }

    /// The string for `id` ("" for 0 or an unknown id).
    pub fn value(&self, id: u32) -> &str {
        self.values.get(id as usize).map(|b| &**b).unwrap_or("")
    }

    /// Number of ids including the reserved 0.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether nothing was interned yet.
    pub fn is_empty(&self) -> bool {
        self.values.len() <= 1
    }

    /// Every id with its string, 0 excluded.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &str)> {
        self.values
            .iter()
            .enumerate()
            .skip(1)
            .map(|(i, s)| (i as u32, &**s))
    }

    /// For each id, its rank when the strings are sorted (0 keeps rank 0, so absent
    /// sorts first).
    pub fn ranks(&self) -> Vec<u32> {
        let mut order: Vec<u32> = (1..self.values.len() as u32).collect();
        order.sort_by(|&a, &b| self.values[a as usize].cmp(&self.values[b as usize]));
        let mut rank = vec![0u32; self.values.len()];
        for (r, id) in order.into_iter().enumerate() {
            rank[id as usize] = r as u32 + 1;
        }
        rank
    }

    /// Approximate heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        let strings: usize = self.values.iter().map(|s| s.len()).sum();
        strings
            + self.values.capacity() * std::mem::size_of::<Box<str>>()
            + self.table.capacity() * 8
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn same_bytes_compares_whole_slices() {
        for (a, b) in [
            ("", ""),
            ("a", "a"),
            ("abcdefgh", "abcdefgh"),
            ("abcdefghi", "abcdefghi"),
            ("abcdefghi", "abcdefghj"),
            ("abcdefgh", "abcdefghi"),
            ("a", ""),
            ("sourceIPAddress", "sourceIPAddresS"),
        ] {
            assert_eq!(same_bytes(a.as_bytes(), b.as_bytes()), a == b, "{a} {b}");
        }
    }

    #[test]
    fn ids_survive_table_growth() {
        let mut d = Dict::default();
        let ids: Vec<u32> = (0..5000).map(|i| d.intern(&format!("v{i}"))).collect();
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(d.get(&format!("v{i}")), Some(*id));
            assert_eq!(d.intern(&format!("v{i}")), *id);
            assert_eq!(d.value(*id), format!("v{i}"));
        }
        assert_eq!(d.len(), 5001);
        assert_eq!(d.get("v5000"), None);
    }

    #[test]
    fn interns_once_and_keeps_zero_for_absent() {
        let mut d = Dict::default();
        let a = d.intern("a");
        let b = d.intern("b");
        assert_ne!(a, 0);
        assert_ne!(a, b);
        assert_eq!(d.intern("a"), a);
        assert_eq!(d.get("b"), Some(b));
        assert_eq!(d.get("c"), None);
        assert_eq!(d.value(b), "b");
        assert_eq!(d.value(0), "");
        let e = d.intern("");
        assert_ne!(e, 0);
        assert_eq!(d.ranks()[e as usize], 1);
    }
}
