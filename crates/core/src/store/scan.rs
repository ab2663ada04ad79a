//! A validating single-pass JSON scanner that captures chosen values as borrowed
//! text, without building anything.
//!
//! The store reads a few dozen fields from each of millions of records, and every
//! record must be valid JSON (a damaged record is reported, never half-loaded). This
//! scanner does both in one pass: it walks the record byte by byte (strings eight
//! bytes at a time), checks the JSON grammar, and notes where the wanted values are,
//! following nested objects such as `userIdentity.sessionContext.sessionIssuer`
//! in the same pass.
//!
//! It is deliberately *stricter* than serde_json, never more lenient: whatever it
//! does not handle (a key with an escape, nesting deeper than [`MAX_DEPTH`]) or finds
//! wrong makes it return `None`, and the caller then asks serde_json, whose verdict
//! and error position stand. So everything this scanner accepts, serde_json accepts
//! too, with the same values (a property test checks this on mutated records).

/// Nesting beyond this makes the scanner give up (serde_json allows 128 and then
/// reports the error itself).
pub const MAX_DEPTH: u32 = 100;

/// What to capture from an object: for each wanted key, where its value goes.
#[derive(Debug)]
pub struct Spec {
    /// The wanted keys; compared as raw bytes (a key with an escape in the record
    /// makes the scan give up, so it cannot be missed).
    keys: &'static [Key],
    /// Key index + 1 by [`bucket`] of the key (0: no wanted key there; [`SHARED`]:
    /// several, search them all). Most keys of a record are not wanted, and this
    /// tells so with one lookup.
    table: [u8; 64],
}

const SHARED: u8 = u8::MAX;

/// A cheap hash of a key: its length and its first and last bytes.
#[inline]
const fn bucket(key: &[u8]) -> usize {
    let n = key.len();
    if n == 0 {
        return 0;
    }
    (n.wrapping_mul(7) ^ (key[0] as usize).wrapping_mul(3) ^ (key[n - 1] as usize).wrapping_mul(5))
        & 63
}

impl Spec {
    /// A spec for `keys` (at most 254 of them).
    pub const fn new(keys: &'static [Key]) -> Spec {
        let mut table = [0u8; 64];
        let mut i = 0;
        while i < keys.len() {
            let b = bucket(keys[i].name.as_bytes());
            table[b] = if table[b] == 0 { i as u8 + 1 } else { SHARED };
            i += 1;
        }
        Spec { keys, table }
    }

    #[inline]
    fn find(&self, key: &[u8]) -> Option<&Want> {
        match self.table[bucket(key)] {
            0 => None,
            SHARED => self.keys.iter().find(|k| k.is(key)).map(|k| &k.want),
            i => {
                let k = &self.keys[(i - 1) as usize];
                k.is(key).then_some(&k.want)
            }
        }
    }
}

/// One wanted key of a [`Spec`].
#[derive(Debug)]
pub struct Key {
    name: &'static str,
    want: Want,
}

impl Key {
    /// A wanted key.
    pub const fn new(name: &'static str, want: Want) -> Key {
        Key { name, want }
    }

    #[inline]
    fn is(&self, key: &[u8]) -> bool {
        super::dict::same_bytes(self.name.as_bytes(), key)
    }
}

/// Where one wanted key's value goes.
#[derive(Debug)]
pub enum Want {
    /// The object is not one this scan reads: give up at once (a container such as
    /// `{"Records":[...]}` would otherwise be read whole only to be refused).
    Decline,
    /// Its raw text goes to this slot.
    Slot(usize),
    /// It is an object whose own keys are captured by `spec` into the slots
    /// `clear.0..clear.1` (cleared first: the last occurrence of a key wins, and a
    /// value that is not an object captures nothing).
    Nested {
        /// The nested object's keys.
        spec: &'static Spec,
        /// The slot range `spec` (and anything below it) writes.
        clear: (usize, usize),
        /// A slot for the whole value's raw text, if wanted.
        whole: Option<usize>,
    },
}

#[inline]
fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\n' | b'\r' | b'\t')
}

#[inline]
fn ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && is_ws(b[i]) {
        i += 1;
    }
    i
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// High bit set in each byte of `w` that is `"`, `\` or below 0x20 (exact for the
/// lowest such byte; bytes above it may be flagged falsely, which is harmless since
/// only the lowest is used).
#[inline]
fn specials(w: u64) -> u64 {
    let q = w ^ (ONES * u64::from(b'"'));
    let s = w ^ (ONES * u64::from(b'\\'));
    let zq = q.wrapping_sub(ONES) & !q;
    let zs = s.wrapping_sub(ONES) & !s;
    let ctl = w.wrapping_sub(ONES * 0x20) & !w;
    (zq | zs | ctl) & HIGHS
}

/// The end (after the closing quote) of the string whose `"` is at `b[i]`, checking
/// escapes and rejecting raw control characters. `escaped` is set when the string
/// holds a backslash.
#[inline]
fn string_end(b: &[u8], i: usize, escaped: &mut bool) -> Option<usize> {
    let mut j = i + 1;
    loop {
        while j + 8 <= b.len() {
            let mut w = [0u8; 8];
            w.copy_from_slice(&b[j..j + 8]);
            let m = specials(u64::from_le_bytes(w));
            if m != 0 {
                j += (m.trailing_zeros() / 8) as usize;
                break;
            }
            j += 8;
        }
        let c = *b.get(j)?;
        match c {
            b'"' => return Some(j + 1),
            b'\\' => {
                *escaped = true;
                match *b.get(j + 1)? {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => j += 2,
                    b'u' => {
                        let hex = b.get(j + 2..j + 6)?;
                        if !hex.iter().all(u8::is_ascii_hexdigit) {
                            return None;
                        }
                        j += 6;
                    }
                    _ => return None,
                }
            }
            0..=0x1f => return None,
            _ => j += 1,
        }
    }
}

#[inline]
fn digits(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    i
}

/// The end of the number at `b[i]` (RFC 8259 grammar).
fn number_end(b: &[u8], mut i: usize) -> Option<usize> {
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    match b.get(i)? {
        b'0' => i += 1,
        b'1'..=b'9' => i = digits(b, i + 1),
        _ => return None,
    }
    if b.get(i) == Some(&b'.') {
        let j = digits(b, i + 1);
        if j == i + 1 {
            return None;
        }
        i = j;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let j = digits(b, i);
        if j == i {
            return None;
        }
        i = j;
    }
    Some(i)
}

fn literal_end(b: &[u8], i: usize, word: &[u8]) -> Option<usize> {
    (b.get(i..i + word.len())? == word).then_some(i + word.len())
}

/// Captured raw values, by slot.
pub type Slots<'a, const N: usize> = [Option<&'a str>; N];

/// Captured raw values as byte ranges of the text scanned, by slot.
pub type Spans<const N: usize> = [Option<(usize, usize)>; N];

/// The texts of `spans` in `text`; `None` if one does not fall on character
/// boundaries (never for spans of valid JSON, whose values start and end at ASCII
/// bytes).
fn to_slots<const N: usize>(text: &str, spans: Spans<N>) -> Option<Slots<'_, N>> {
    let mut out = [None; N];
    for (o, s) in out.iter_mut().zip(spans) {
        if let Some((a, b)) = s {
            *o = Some(text.get(a..b)?);
        }
    }
    Some(out)
}

struct Scanner<'a, 'o, const N: usize> {
    b: &'a [u8],
    out: &'o mut Spans<N>,
    /// Bit `slot` set when the string captured in `slot` holds an escape.
    escaped: u64,
    /// Set when a slot was captured a second time (a repeated key).
    repeated: bool,
}

impl<'a, const N: usize> Scanner<'a, '_, N> {
    /// The end of the value at `b[i]` (no leading whitespace).
    fn value(&mut self, i: usize, depth: u32) -> Option<usize> {
        match *self.b.get(i)? {
            b'"' => string_end(self.b, i, &mut false),
            b'{' => self.object(i, depth + 1, None),
            b'[' => self.array(i, depth + 1),
            b't' => literal_end(self.b, i, b"true"),
            b'f' => literal_end(self.b, i, b"false"),
            b'n' => literal_end(self.b, i, b"null"),
            _ => number_end(self.b, i),
        }
    }

    fn array(&mut self, i: usize, depth: u32) -> Option<usize> {
        if depth > MAX_DEPTH {
            return None;
        }
        let b = self.b;
        let mut j = ws(b, i + 1);
        if *b.get(j)? == b']' {
            return Some(j + 1);
        }
        loop {
            j = self.value(j, depth)?;
            j = ws(b, j);
            match *b.get(j)? {
                b',' => j = ws(b, j + 1),
                b']' => return Some(j + 1),
                _ => return None,
            }
        }
    }

    /// The end of the object at `b[i]`, capturing what `spec` wants.
    fn object(&mut self, i: usize, depth: u32, spec: Option<&Spec>) -> Option<usize> {
        if depth > MAX_DEPTH {
            return None;
        }
        let b = self.b;
        let mut j = ws(b, i + 1);
        if *b.get(j)? == b'}' {
            return Some(j + 1);
        }
        loop {
            if *b.get(j)? != b'"' {
                return None;
            }
            let mut escaped = false;
            let key_end = string_end(b, j, &mut escaped)?;
            let key = &b[j + 1..key_end - 1];
            j = ws(b, key_end);
            if *b.get(j)? != b':' {
                return None;
            }
            let v = ws(b, j + 1);
            let want = match spec {
                Some(s) => {
                    if escaped {
                        // serde_json compares keys unescaped; leave such records to it.
                        return None;
                    }
                    s.find(key)
                }
                None => None,
            };
            let end = match want {
                None => self.value(v, depth)?,
                Some(Want::Decline) => return None,
                Some(Want::Slot(slot)) => {
                    let bit = 1u64 << (*slot % 64);
                    let e = if *b.get(v)? == b'"' {
                        let mut esc = false;
                        let e = string_end(b, v, &mut esc)?;
                        if esc {
                            self.escaped |= bit;
                        } else {
                            self.escaped &= !bit;
                        }
                        e
                    } else {
                        self.escaped &= !bit;
                        self.value(v, depth)?
                    };
                    self.repeated |= self.out[*slot].is_some();
                    self.out[*slot] = Some((v, e));
                    e
                }
                Some(Want::Nested { spec, clear, whole }) => {
                    for s in &mut self.out[clear.0..clear.1] {
                        *s = None;
                    }
                    let e = if *b.get(v)? == b'{' {
                        self.object(v, depth + 1, Some(spec))?
                    } else {
                        self.value(v, depth)?
                    };
                    if let Some(slot) = whole {
                        let raw = &b[v..e];
                        let bit = 1u64 << (*slot % 64);
                        if raw.first() == Some(&b'"') && memchr::memchr(b'\\', raw).is_some() {
                            self.escaped |= bit;
                        } else {
                            self.escaped &= !bit;
                        }
                        self.out[*slot] = Some((v, e));
                    }
                    e
                }
            };
            j = ws(b, end);
            match *b.get(j)? {
                b',' => j = ws(b, j + 1),
                b'}' => return Some(j + 1),
                _ => return None,
            }
        }
    }
}

/// Scan `json` (one JSON object, nothing but whitespace around it) and capture what
/// `spec` wants, with a mask of the slots (bit = slot, at most 64 slots) holding a
/// string with an escape. `None` when the text is not valid JSON or the scanner
/// leaves it to serde_json (see the module docs).
pub fn scan_object<'a, const N: usize>(json: &'a str, spec: &Spec) -> Option<(Slots<'a, N>, u64)> {
    let mut out = [None; N];
    let b = json.as_bytes();
    let i = ws(b, 0);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    let mut s = Scanner {
        b,
        out: &mut out,
        escaped: 0,
        repeated: false,
    };
    let end = s.object(i, 1, Some(spec))?;
    let escaped = s.escaped;
    if ws(b, end) != b.len() {
        return None;
    }
    Some((to_slots(json, out)?, escaped))
}

/// Like [`scan_object`] for an object at the very start of the bytes `b` (no
/// whitespace before it) that may be followed by anything. Returns the captures as
/// byte ranges, where the object ends, and whether a slot was captured more than
/// once (a repeated key; the last one is kept). The bytes are not checked to be
/// UTF-8: the caller checks the object's own bytes (`b[..end]`) afterwards, once
/// they are in cache, instead of a whole file up front.
pub fn scan_object_prefix<const N: usize>(
    b: &[u8],
    spec: &Spec,
) -> Option<(Spans<N>, u64, usize, bool)> {
    let mut out = [None; N];
    if b.first() != Some(&b'{') {
        return None;
    }
    let mut s = Scanner {
        b,
        out: &mut out,
        escaped: 0,
        repeated: false,
    };
    let end = s.object(0, 1, Some(spec))?;
    let (escaped, repeated) = (s.escaped, s.repeated);
    Some((out, escaped, end, repeated))
}

/// Pick the values of `keys` from the object `json` (last occurrence wins). `None`
/// as for [`scan_object`].
pub fn pick_keys<'a, const N: usize>(json: &'a str, keys: &[&str; N]) -> Option<Slots<'a, N>> {
    let mut out = [None; N];
    let b = json.as_bytes();
    let i = ws(b, 0);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    let mut s = Scanner {
        b,
        out: &mut out,
        escaped: 0,
        repeated: false,
    };
    // The same walk as `Scanner::object`, with a runtime key list.
    let mut j = ws(b, i + 1);
    if *b.get(j)? == b'}' {
        return (ws(b, j + 1) == b.len()).then_some([None; N]);
    }
    loop {
        if *b.get(j)? != b'"' {
            return None;
        }
        let mut escaped = false;
        let key_end = string_end(b, j, &mut escaped)?;
        if escaped {
            return None;
        }
        let key = &b[j + 1..key_end - 1];
        j = ws(b, key_end);
        if *b.get(j)? != b':' {
            return None;
        }
        let v = ws(b, j + 1);
        let e = s.value(v, 1)?;
        if let Some(k) = keys.iter().position(|k| k.as_bytes() == key) {
            s.out[k] = Some((v, e));
        }
        j = ws(b, e);
        match *b.get(j)? {
            b',' => j = ws(b, j + 1),
            b'}' if ws(b, j + 1) == b.len() => return to_slots(json, out),
            b'}' => return None,
            _ => return None,
        }
    }
}

/// The elements of the array `json` as raw texts. `None` when it is not a valid
/// array (or one the scanner leaves to serde_json).
pub fn array_items(json: &str) -> Option<Vec<&str>> {
    let b = json.as_bytes();
    let i = ws(b, 0);
    if b.get(i) != Some(&b'[') {
        return None;
    }
    let mut none: Spans<0> = [];
    let mut s = Scanner {
        b,
        out: &mut none,
        escaped: 0,
        repeated: false,
    };
    let mut items = Vec::new();
    let mut j = ws(b, i + 1);
    if *b.get(j)? == b']' {
        return (ws(b, j + 1) == b.len()).then_some(items);
    }
    loop {
        let e = s.value(j, 1)?;
        items.push(json.get(j..e)?);
        j = ws(b, e);
        match *b.get(j)? {
            b',' => j = ws(b, j + 1),
            b']' => return (ws(b, j + 1) == b.len()).then_some(items),
            _ => return None,
        }
    }
}

/// The members of the object `json` as (raw key text with its quotes, raw value), in
/// document order. `None` when it is not a valid object (or one the scanner leaves
/// to serde_json).
pub fn object_entries(json: &str) -> Option<Vec<(&str, &str)>> {
    let b = json.as_bytes();
    let i = ws(b, 0);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    let mut none: Spans<0> = [];
    let mut s = Scanner {
        b,
        out: &mut none,
        escaped: 0,
        repeated: false,
    };
    let mut items = Vec::new();
    let mut j = ws(b, i + 1);
    if *b.get(j)? == b'}' {
        return (ws(b, j + 1) == b.len()).then_some(items);
    }
    loop {
        if *b.get(j)? != b'"' {
            return None;
        }
        let key_end = string_end(b, j, &mut false)?;
        let key = json.get(j..key_end)?;
        j = ws(b, key_end);
        if *b.get(j)? != b':' {
            return None;
        }
        let v = ws(b, j + 1);
        let e = s.value(v, 1)?;
        items.push((key, json.get(v..e)?));
        j = ws(b, e);
        match *b.get(j)? {
            b',' => j = ws(b, j + 1),
            b'}' => return (ws(b, j + 1) == b.len()).then_some(items),
            _ => return None,
        }
    }
}

/// Whether `json` is one valid JSON value by this scanner (see the module docs:
/// `false` may still be valid for serde_json).
pub fn is_valid(json: &str) -> bool {
    let b = json.as_bytes();
    let i = ws(b, 0);
    let mut none: Spans<0> = [];
    let mut s = Scanner {
        b,
        out: &mut none,
        escaped: 0,
        repeated: false,
    };
    s.value(i, 0).is_some_and(|e| ws(b, e) == b.len())
}

// ---- trusted texts ------------------------------------------------------------
//
// The store keeps only records that passed the validating scan, so reading them
// again can skip validation: strings are skipped to the next quote or backslash,
// containers by counting brackets. On text that is not valid JSON these functions
// give meaningless results, but they never panic.

/// High bit set in each byte of `w` that is zero (lowest flag exact).
#[inline]
fn zeros(w: u64) -> u64 {
    w.wrapping_sub(ONES) & !w & HIGHS
}

#[inline]
fn load8(b: &[u8], j: usize) -> Option<u64> {
    let mut w = [0u8; 8];
    w.copy_from_slice(b.get(j..j + 8)?);
    Some(u64::from_le_bytes(w))
}

/// After the string whose `"` is at `b[i]`, without validating it.
fn trusted_string_end(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    loop {
        while let Some(w) = load8(b, j) {
            let m = zeros(w ^ (ONES * u64::from(b'"'))) | zeros(w ^ (ONES * u64::from(b'\\')));
            if m != 0 {
                j += (m.trailing_zeros() / 8) as usize;
                break;
            }
            j += 8;
        }
        match *b.get(j)? {
            b'"' => return Some(j + 1),
            b'\\' => j += 2,
            _ => j += 1,
        }
    }
}

/// After the value at `b[i]`, without validating it.
fn trusted_value_end(b: &[u8], i: usize) -> Option<usize> {
    match *b.get(i)? {
        b'"' => trusted_string_end(b, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            loop {
                // Jump to the next quote or bracket (`[`/`]` differ from `{`/`}` only
                // in the 0x20 bit).
                while let Some(w) = load8(b, j) {
                    let f = w | (ONES * 0x20);
                    let m = zeros(w ^ (ONES * u64::from(b'"')))
                        | zeros(f ^ (ONES * u64::from(b'{')))
                        | zeros(f ^ (ONES * u64::from(b'}')));
                    if m != 0 {
                        j += (m.trailing_zeros() / 8) as usize;
                        break;
                    }
                    j += 8;
                }
                match *b.get(j)? {
                    b'"' => {
                        j = trusted_string_end(b, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.checked_sub(1)?;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
        }
        _ => {
            let mut j = i;
            while j < b.len() && !matches!(b[j], b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t')
            {
                j += 1;
            }
            Some(j)
        }
    }
}

/// The raw value of `key` in the object `json`, which must be valid JSON (a stored
/// record or part of one); the last occurrence wins. Keys with escapes are compared
/// unescaped.
pub fn trusted_get<'a>(json: &'a str, key: &str) -> Option<&'a str> {
    let b = json.as_bytes();
    let mut j = ws(b, 0);
    if b.get(j) != Some(&b'{') {
        return None;
    }
    j = ws(b, j + 1);
    let mut found = None;
    while b.get(j) == Some(&b'"') {
        let key_end = trusted_string_end(b, j)?;
        let raw_key = json.get(j + 1..key_end - 1)?;
        let hit = if raw_key.contains('\\') {
            super::parse::text(json.get(j..key_end)).is_some_and(|k| k == key)
        } else {
            super::dict::same_bytes(raw_key.as_bytes(), key.as_bytes())
        };
        j = ws(b, ws(b, key_end) + 1);
        let e = trusted_value_end(b, j)?;
        if hit {
            found = Some(json.get(j..e)?);
        }
        j = ws(b, e);
        if b.get(j) != Some(&b',') {
            break;
        }
        j = ws(b, j + 1);
    }
    found
}

/// The elements of the array `json`, which must be valid JSON.
pub fn trusted_items(json: &str) -> Vec<&str> {
    let b = json.as_bytes();
    let mut out = Vec::new();
    let mut j = ws(b, 0);
    if b.get(j) != Some(&b'[') {
        return out;
    }
    j = ws(b, j + 1);
    while j < b.len() && b[j] != b']' {
        let Some(e) = trusted_value_end(b, j) else {
            break;
        };
        if let Some(v) = json.get(j..e) {
            out.push(v);
        }
        j = ws(b, e);
        if b.get(j) != Some(&b',') {
            break;
        }
        j = ws(b, j + 1);
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn accepts_only_what_serde_json_accepts() {
        let cases = [
            r#"{}"#,
            r#" { "a" : 1 } "#,
            r#"{"a":"x\"y\\z\u00e9\n","b":[1,-2.5e+3,0,true,false,null,{}],"c":{"d":[]}}"#,
            r#"{"a":01}"#,
            r#"{"a":1.}"#,
            r#"{"a":-}"#,
            r#"{"a":1e}"#,
            r#"{"a":tru}"#,
            r#"{"a":"x"#,
            r#"{"a":"\x"}"#,
            r#"{"a":"\u12g4"}"#,
            "{\"a\":\"tab\there\"}",
            r#"{"a":1,}"#,
            r#"{"a" 1}"#,
            r#"{"a":[1,]}"#,
            r#"{"a":[1 2]}"#,
            r#"{"a":1}x"#,
            r#"{"a":1}}"#,
            r#"{a:1}"#,
            r#"[1,2]"#,
            r#"{"a":"ünïcödé and more text than eight bytes"}"#,
            r#"{"a":"\ud800"}"#,
            r#""#,
        ];
        for c in cases {
            let ours = is_valid(c);
            let serde = serde_json::from_str::<serde::de::IgnoredAny>(c).is_ok();
            assert!(!ours || serde, "accepted what serde_json refuses: {c}");
            assert_eq!(ours, serde, "{c}");
        }
    }

    #[test]
    fn specials_finds_the_first_quote_backslash_or_control() {
        for (s, want) in [
            (*b"abcdefgh", None),
            (*b"abc\"efgh", Some(3)),
            (*b"\\bcdefgh", Some(0)),
            (*b"abcdefg\n", Some(7)),
            (*b"\xc3\xa9cdefgh", None),
            (*b"a\x1f\"defgh", Some(1)),
        ] {
            let m = specials(u64::from_le_bytes(s));
            let got = (m != 0).then(|| (m.trailing_zeros() / 8) as usize);
            assert_eq!(got, want, "{s:?}");
        }
    }

    static INNER: Spec = Spec::new(&[Key::new("x", Want::Slot(1))]);
    static OUTER: Spec = Spec::new(&[
        Key::new("a", Want::Slot(0)),
        Key::new(
            "n",
            Want::Nested {
                spec: &INNER,
                clear: (1, 2),
                whole: None,
            },
        ),
    ]);

    #[test]
    fn nested_capture_last_wins_and_non_objects_clear() {
        let got = scan_object::<2>(r#"{"a":1,"n":{"x":"p"},"a":[2]}"#, &OUTER).unwrap();
        assert_eq!(got, ([Some("[2]"), Some("\"p\"")], 0));
        let got = scan_object::<2>(r#"{"n":{"x":"p"},"n":"str"}"#, &OUTER).unwrap();
        assert_eq!(got.0, [None, None]);
        let got = scan_object::<2>(r#"{"n":{"x":1,"x":"\n"}}"#, &OUTER).unwrap();
        assert_eq!(got, ([None, Some(r#""\n""#)], 0b10));
        assert!(scan_object::<2>(r#"{"n\u0041":1}"#, &OUTER).is_none());
    }
}
