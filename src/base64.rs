//! Base64, standard (webhook signatures) and URL-safe without padding (resume cursors).

/// Standard base64 (`+`, `/`).
pub const STANDARD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
/// URL-safe base64 (`-`, `_`).
pub const URL_SAFE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// `bytes` in base64 with `alphabet`, without padding.
pub fn encode(bytes: &[u8], alphabet: &[u8; 64]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            let sextet = (n >> (18 - 6 * i)) & 63;
            out.push(char::from(
                alphabet.get(sextet as usize).copied().unwrap_or(b'A'),
            ));
        }
    }
    out
}

/// Base64 with `alphabet`, padding optional, to bytes; `None` when it is not that base64.
pub fn decode(text: &str, alphabet: &[u8; 64]) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    let sextets: Option<Vec<u32>> = text
        .bytes()
        .map(|b| {
            alphabet
                .iter()
                .position(|a| *a == b)
                .and_then(|i| u32::try_from(i).ok())
        })
        .collect();
    let sextets = sextets?;
    if sextets.is_empty() || sextets.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(sextets.len() * 3 / 4);
    for chunk in sextets.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0, |n, (i, s)| n | (s << (18 - 6 * i)));
        let bytes = n.to_be_bytes();
        out.extend(bytes.iter().skip(1).take(chunk.len() - 1));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_length_in_both_alphabets() {
        let bytes: Vec<u8> = (0..=255).collect();
        for len in 0..40 {
            for alphabet in [STANDARD, URL_SAFE] {
                let text = encode(&bytes[200..200 + len.min(56)], alphabet);
                let back = decode(&text, alphabet);
                if len == 0 {
                    assert_eq!(back, None, "empty text is not base64 here");
                } else {
                    assert_eq!(back.as_deref(), Some(&bytes[200..200 + len.min(56)]));
                }
            }
        }
        assert_eq!(encode(b"\xfb\xff", URL_SAFE), "-_8");
        assert_eq!(encode(b"\xfb\xff", STANDARD), "+/8");
    }
}
