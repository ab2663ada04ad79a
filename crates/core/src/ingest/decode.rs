//! Bytes as given -> text to read: gunzip (by magic bytes, multi-member), UTF-16 and
//! byte-order marks, and a sniff for binary files.

use std::borrow::Cow;
use std::io::Read;

use flate2::read::MultiGzDecoder;

/// The two bytes every gzip member starts with.
pub const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Result of gunzipping.
#[derive(Debug)]
pub struct Gunzipped {
    /// Everything decoded before the end or the damage.
    pub data: Vec<u8>,
    /// The stream's problem, in plain words, if it did not end cleanly.
    pub problem: Option<String>,
    /// Decoding stopped at the size cap.
    pub capped: bool,
}

/// Gunzip `bytes` (all members), keeping whatever was decoded before any damage and
/// stopping once `cap` bytes are out.
pub fn gunzip(bytes: &[u8], cap: u64) -> Gunzipped {
    let reserve = bytes.len().saturating_mul(8).min(64 << 20);
    decode(bytes, cap, 0, Vec::with_capacity(reserve)).0
}

/// [`gunzip`] without keeping the first `skip` decoded bytes: `data` holds the
/// output from `skip` on (the stream is decoded, checked and capped exactly as by
/// [`gunzip`]); also returns the whole decoded length.
pub fn gunzip_skip(bytes: &[u8], cap: u64, skip: u64) -> (Gunzipped, u64) {
    decode(bytes, cap, skip, Vec::new())
}

/// The one decoding loop: decodes every member of `bytes` up to `cap` bytes of output,
/// appends the output from `skip` on to `data`, and returns it with the decoded length.
fn decode(bytes: &[u8], cap: u64, skip: u64, mut data: Vec<u8>) -> (Gunzipped, u64) {
    let mut decoder = MultiGzDecoder::new(bytes);
    let mut chunk = vec![0u8; 256 * 1024];
    let mut total = 0u64;
    let mut problem = None;
    let mut capped = false;
    let keep = |piece: &[u8], total: &mut u64, data: &mut Vec<u8>| {
        let start = skip.saturating_sub(*total).min(piece.len() as u64) as usize;
        data.extend_from_slice(&piece[start..]);
        *total += piece.len() as u64;
    };
    loop {
        match decoder.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => {
                let room = cap.saturating_sub(total);
                if (n as u64) > room {
                    keep(&chunk[..room as usize], &mut total, &mut data);
                    capped = true;
                    break;
                }
                keep(&chunk[..n], &mut total, &mut data);
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                problem = Some(describe_gzip_error(&e));
                break;
            }
        }
    }
    (
        Gunzipped {
            data,
            problem,
            capped,
        },
        total,
    )
}

/// Compressed input handed to a streaming decoder piece by piece: reading past
/// what has arrived says "would block" until the input is declared complete.
#[derive(Debug, Default)]
pub struct Pending {
    data: Vec<u8>,
    pos: usize,
    complete: bool,
}

impl Read for Pending {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let avail = std::io::BufRead::fill_buf(self)?;
        let n = avail.len().min(out.len());
        out[..n].copy_from_slice(&avail[..n]);
        std::io::BufRead::consume(self, n);
        Ok(n)
    }
}

impl std::io::BufRead for Pending {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.pos == self.data.len() && !self.complete {
            return Err(std::io::ErrorKind::WouldBlock.into());
        }
        Ok(&self.data[self.pos..])
    }
    fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.data.len());
    }
}

/// Gunzip a stream that arrives in pieces, with the result of [`gunzip`] on the
/// whole: the same decoder reads in the same steps, and waits ("would block") where
/// the input runs out. Output is handed over as it comes ([`GzStream::take`]).
///
/// When the stream turns out damaged or capped, how much was decoded before the
/// damage can depend on where the pieces were cut; [`GzStream::compressed`] keeps
/// the compressed bytes (about a tenth of the text) so that the end can be decoded
/// again exactly as [`gunzip`] does ([`gunzip_skip`]).
pub struct GzStream {
    decoder: flate2::bufread::MultiGzDecoder<Pending>,
    chunk: Vec<u8>,
    out: Vec<u8>,
    /// Decoded bytes so far.
    pub total: u64,
    /// The stream's problem, if it did not end cleanly.
    pub problem: Option<String>,
    /// Decoding stopped at the cap.
    pub capped: bool,
    cap: u64,
    done: bool,
    compressed: Vec<u8>,
}

impl std::fmt::Debug for GzStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GzStream")
            .field("total", &self.total)
            .field("problem", &self.problem)
            .field("capped", &self.capped)
            .finish()
    }
}

impl GzStream {
    /// A decoder that stops after `cap` decoded bytes.
    pub fn new(cap: u64) -> Self {
        GzStream {
            decoder: flate2::bufread::MultiGzDecoder::new(Pending::default()),
            chunk: vec![0u8; 256 * 1024],
            out: Vec::new(),
            total: 0,
            problem: None,
            capped: false,
            cap,
            done: false,
            compressed: Vec::new(),
        }
    }

    /// Hand over more compressed bytes (`last`: nothing more will come) and decode
    /// what they allow.
    pub fn push(&mut self, bytes: &[u8], last: bool) {
        self.compressed.extend_from_slice(bytes);
        if self.done {
            return;
        }
        {
            let p = self.decoder.get_mut();
            // Drop what the decoder has consumed: only the unread part stays here
            // (the whole compressed file is kept in `compressed`).
            p.data.drain(..p.pos);
            p.pos = 0;
            p.data.extend_from_slice(bytes);
            p.complete = last;
        }
        loop {
            match self.decoder.read(&mut self.chunk) {
                Ok(0) => {
                    self.done = true;
                    break;
                }
                Ok(n) => {
                    let room = self.cap.saturating_sub(self.total);
                    if (n as u64) > room {
                        self.out.extend_from_slice(&self.chunk[..room as usize]);
                        self.total += room;
                        self.capped = true;
                        self.done = true;
                        break;
                    }
                    self.out.extend_from_slice(&self.chunk[..n]);
                    self.total += n as u64;
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock && !last => break,
                Err(e) => {
                    self.problem = Some(describe_gzip_error(&e));
                    self.done = true;
                    break;
                }
            }
        }
    }

    /// The decoded bytes not taken yet.
    pub fn take(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.out)
    }

    /// Whether the stream ended cleanly so far (no damage, not capped).
    pub fn clean(&self) -> bool {
        self.problem.is_none() && !self.capped
    }

    /// The whole compressed input so far.
    pub fn compressed(&self) -> &[u8] {
        &self.compressed
    }
}

fn describe_gzip_error(e: &std::io::Error) -> String {
    if e.kind() == std::io::ErrorKind::UnexpectedEof {
        return "the compressed stream ends early (truncated)".to_owned();
    }
    let text = e.to_string();
    if text.contains("checksum") {
        "the compressed data fails its checksum (corrupt)".to_owned()
    } else if text.contains("header") {
        "the gzip header is invalid".to_owned()
    } else {
        format!("the compressed data is corrupt ({text})")
    }
}

/// Turn UTF-16 text (recognised by its byte-order mark, or by ASCII JSON interleaved
/// with zero bytes) into UTF-8, and strip a UTF-8 byte-order mark. Returns the text
/// and a note when it was converted.
pub fn normalise_text(data: &[u8]) -> (Cow<'_, [u8]>, Option<&'static str>) {
    if let Some(rest) = data.strip_prefix(&[0xef, 0xbb, 0xbf]) {
        return (Cow::Borrowed(rest), None);
    }
    let le = data.starts_with(&[0xff, 0xfe])
        || (data.len() >= 4 && data[1] == 0 && data[3] == 0 && data[0] != 0 && data[2] != 0);
    let be = data.starts_with(&[0xfe, 0xff])
        || (data.len() >= 4 && data[0] == 0 && data[2] == 0 && data[1] != 0 && data[3] != 0);
    if !(le || be) {
        return (Cow::Borrowed(data), None);
    }
    let body = if data.starts_with(&[0xff, 0xfe]) || data.starts_with(&[0xfe, 0xff]) {
        &data[2..]
    } else {
        data
    };
    let units = body.chunks_exact(2).map(|c| {
        if le {
            u16::from_le_bytes([c[0], c[1]])
        } else {
            u16::from_be_bytes([c[0], c[1]])
        }
    });
    let text: String = char::decode_utf16(units)
        .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect();
    (
        Cow::Owned(text.into_bytes()),
        Some(if le {
            "UTF-16 (little-endian)"
        } else {
            "UTF-16 (big-endian)"
        }),
    )
}

/// If `data` is a binary file, what kind, in plain words.
pub fn sniff_binary(data: &[u8]) -> Option<&'static str> {
    const MAGIC: &[(&[u8], &str)] = &[
        (b"\x89PNG\r\n\x1a\n", "PNG image"),
        (b"\xff\xd8\xff", "JPEG image"),
        (b"GIF87a", "GIF image"),
        (b"GIF89a", "GIF image"),
        (b"%PDF-", "PDF document"),
        (b"PK\x03\x04", "ZIP archive"),
        (b"PK\x05\x06", "ZIP archive"),
        (b"BZh", "bzip2 archive"),
        (b"\xfd7zXZ\x00", "xz archive"),
        (b"\x28\xb5\x2f\xfd", "zstd archive"),
        (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
        (b"Rar!\x1a\x07", "RAR archive"),
        (b"\x7fELF", "executable"),
        (b"MZ", "Windows executable"),
        (b"\x00asm", "WebAssembly module"),
        (b"SQLite format 3\x00", "SQLite database"),
        (b"PAR1", "Parquet file"),
        (b"Obj\x01", "Avro file"),
        (b"RIFF", "RIFF media file"),
        (b"\xd0\xcf\x11\xe0", "Microsoft Office document"),
    ];
    let head = &data[..data.len().min(8192)];
    // Text that merely starts with the letters of an ASCII magic ("MZ", "BZh", "RIFF")
    // is not binary: those need a zero byte or bytes that are not UTF-8 as well.
    let binary_bytes = || {
        let h = &head[..head.len().min(1024)];
        memchr::memchr(0, h).is_some()
            || std::str::from_utf8(h).is_err_and(|e| e.error_len().is_some())
    };
    for (magic, what) in MAGIC {
        if data.starts_with(magic) && (!magic.is_ascii() || binary_bytes()) {
            return Some(what);
        }
    }
    if data.len() > 262 && &data[257..262] == b"ustar" {
        return Some("tar archive");
    }
    if memchr::memchr(0, head).is_some() {
        return Some("binary data");
    }
    None
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn multi_member_streams_are_read_whole() {
        let mut two = gz(b"hello ");
        two.extend(gz(b"world"));
        let g = gunzip(&two, u64::MAX);
        assert_eq!(g.data, b"hello world");
        assert!(g.problem.is_none());
    }

    #[test]
    fn truncated_stream_keeps_what_was_decoded() {
        let text: Vec<u8> = (0..50_000)
            .flat_map(|i| format!("line {i}\n").into_bytes())
            .collect();
        let z = gz(&text);
        let g = gunzip(&z[..z.len() / 2], u64::MAX);
        assert!(g.problem.is_some());
        assert!(!g.data.is_empty());
        assert!(text.starts_with(&g.data));
    }

    #[test]
    fn cap_stops_a_bomb() {
        let z = gz(&vec![b'a'; 10 << 20]);
        let g = gunzip(&z, 1 << 20);
        assert!(g.capped);
        assert_eq!(g.data.len(), 1 << 20);
    }

    #[test]
    fn ascii_magic_needs_binary_bytes() {
        assert_eq!(sniff_binary(b"MZ is how this note starts"), None);
        assert_eq!(
            sniff_binary(b"MZ\x90\x00\x03\x00"),
            Some("Windows executable")
        );
        assert_eq!(sniff_binary(b"\x89PNG\r\n\x1a\n"), Some("PNG image"));
    }

    #[test]
    fn utf16_is_converted() {
        let mut d = vec![0xff, 0xfe];
        for c in "{\"a\":1}".encode_utf16() {
            d.extend(c.to_le_bytes());
        }
        let (t, note) = normalise_text(&d);
        assert_eq!(&*t, b"{\"a\":1}");
        assert!(note.is_some());
    }
}
