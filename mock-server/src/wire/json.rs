//! The hand-written JSON writers of the hot path (a poll's answer is rendered straight to bytes):
//! strings with JSON's escapes, decimal numbers. UUIDs and ISO times have theirs beside their
//! types (`domain::ids::write_uuid`, `Millis::write_iso`).
//!
//! Invariant: what they write is what serde_json writes for the same value (checked with the task
//! body in `wire::task`).

/// The bytes a JSON string cannot hold as they are: control characters, the quote and the
/// backslash.
const ESCAPED: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 0x20 {
        table[byte] = true;
        byte += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

/// Appends `text` as a JSON string (quotes included) to `out`.
pub fn write_json_str(text: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    let bytes = text.as_bytes();
    // Nearly every text has nothing to escape: copied whole.
    if bytes.iter().all(|&byte| !ESCAPED[usize::from(byte)]) {
        out.extend_from_slice(bytes);
        out.push(b'"');
        return;
    }
    let mut start = 0;
    for (index, &byte) in bytes.iter().enumerate() {
        let escape: &[u8] = match byte {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x00..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..index]);
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(byte >> 4)]);
            out.push(HEX[usize::from(byte & 0x0f)]);
        } else {
            out.extend_from_slice(escape);
        }
        start = index + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Appends a decimal number to `out`.
pub fn write_json_u64(value: u64, out: &mut Vec<u8>) {
    let mut digits = [0u8; 20];
    let mut rest = value;
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + u8::try_from(rest % 10).unwrap_or(0);
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[start..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn a_written_string_reads_back_as_itself(text in "(\\PC|[\\x00-\\x1f\"\\\\])*") {
            let mut out = Vec::new();
            write_json_str(&text, &mut out);
            proptest::prop_assert!(out.iter().all(|&byte| byte >= 0x20));
            let read: String = serde_json::from_slice(&out).expect("JSON text");
            proptest::prop_assert_eq!(read, text);
        }
    }

    #[test]
    fn plain_text_is_copied_and_control_characters_escaped() {
        for (text, json) in [
            ("999888", "\"999888\""),
            ("a\"b\\c", "\"a\\\"b\\\\c\""),
            ("line\nnext\ttab\u{1}", "\"line\\nnext\\ttab\\u0001\""),
            ("ř€🙂", "\"ř€🙂\""),
        ] {
            let mut out = Vec::new();
            write_json_str(text, &mut out);
            assert_eq!(String::from_utf8(out).expect("UTF-8"), json);
        }
    }
}
