//! The encoding of text input (SPEC §10, issue 19): CSV as Excel and WPS save it. Excel on
//! Chinese Windows saves "CSV" in GBK (GB18030 is its superset); "CSV UTF-8" starts with a BOM.
//!
//! `--encoding auto` (the default) decides from the start of the input (up to [`SNIFF_BYTES`]): a
//! byte-order mark names the encoding; otherwise UTF-8 when those bytes are valid UTF-8;
//! otherwise GB18030 when they decode as GB18030 without a malformed sequence; otherwise UTF-8,
//! so that a UTF-8 file with a few broken bytes keeps them marked on their fields as before.
//! `--encoding gbk` or `gb18030` decodes as GB18030 (a UTF-8 or UTF-16 BOM still wins);
//! `--encoding utf8` reads UTF-8 only, and a file that looks GBK-encoded is refused with a hint.
//! The decoding is a `Read` in front of the readers (`encoding_rs_io`), which see UTF-8 only.

use crate::input::InputError;
use crate::lang::Lang;
use encoding_rs::{Encoding as Charset, GB18030, UTF_8};
use encoding_rs_io::DecodeReaderBytesBuilder;
use std::io::{Cursor, Read};

/// Bytes looked at to decide the encoding.
pub const SNIFF_BYTES: usize = 1 << 20;

/// The encoding of text input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Encoding {
    /// Decide from a byte-order mark, then UTF-8 validity, then GB18030.
    #[default]
    Auto,
    /// UTF-8 only.
    #[value(name = "utf8", alias = "utf-8")]
    Utf8,
    /// GBK (read as GB18030, its superset).
    Gbk,
    /// GB18030.
    Gb18030,
}

/// What the start of an input says about its encoding.
fn bom(head: &[u8]) -> Option<&'static Charset> {
    Charset::for_bom(head).map(|(charset, _)| charset)
}

/// Whether `head` is UTF-8, allowing a character cut at the end of a full sniff.
fn is_utf8(head: &[u8], complete: bool) -> bool {
    match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => !complete && e.error_len().is_none(),
    }
}

/// Whether `head` decodes as GB18030 with no malformed sequence (a sequence cut at the end of a
/// full sniff aside).
fn is_gb18030(head: &[u8], complete: bool) -> bool {
    let mut decoder = GB18030.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(decoder.max_utf8_buffer_length_without_replacement(head.len()).unwrap_or(head.len() * 3));
    let (result, _) = decoder.decode_to_string_without_replacement(head, &mut out, complete);
    matches!(result, encoding_rs::DecoderResult::InputEmpty)
}

/// The charset to decode `head` (the start of the input) from, or `None` to pass UTF-8 through.
fn choose(head: &[u8], complete: bool, asked: Encoding, name: &str, lang: Lang) -> Result<Option<&'static Charset>, InputError> {
    let marked = bom(head);
    if let Some(charset) = marked {
        return Ok((charset != UTF_8).then_some(charset));
    }
    match asked {
        Encoding::Gbk | Encoding::Gb18030 => Ok(Some(GB18030)),
        Encoding::Utf8 if !is_utf8(head, complete) && is_gb18030(head, complete) => Err(InputError(format!(
            "{name}: {}",
            lang.pick(
                "this file looks GBK-encoded: save as CSV UTF-8 or pass --encoding gbk",
                "此文件似乎是 GBK 编码：请另存为“CSV UTF-8（逗号分隔）”，或使用 --encoding gbk"
            )
        ))),
        Encoding::Utf8 => Ok(None),
        Encoding::Auto if is_utf8(head, complete) || !is_gb18030(head, complete) => Ok(None),
        Encoding::Auto => Ok(Some(GB18030)),
    }
}

/// `inner` read as UTF-8: passed through, or decoded from the encoding chosen.
pub fn decoded(mut inner: Box<dyn Read>, name: &str, asked: Encoding, lang: Lang) -> Result<Box<dyn Read>, InputError> {
    let mut head = Vec::new();
    (&mut inner).take(SNIFF_BYTES as u64).read_to_end(&mut head).map_err(|e| InputError(format!("{name}: {e}")))?;
    let complete = head.len() < SNIFF_BYTES;
    let charset = choose(&head, complete, asked, name, lang)?;
    let whole = Cursor::new(head).chain(inner);
    Ok(match charset {
        None => Box::new(whole),
        Some(charset) => Box::new(DecodeReaderBytesBuilder::new().encoding(Some(charset)).bom_override(true).strip_bom(true).build(whole)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8], asked: Encoding) -> Result<String, String> {
        let mut out = String::new();
        decoded(Box::new(Cursor::new(bytes.to_vec())), "t.csv", asked, Lang::En)
            .map_err(|e| e.0)?
            .read_to_string(&mut out)
            .map_err(|e| e.to_string())?;
        Ok(out)
    }

    #[test]
    fn gbk_is_detected_and_decoded() {
        let (gbk, _, _) = GB18030.encode("claim_id,district\nC1,梁溪区\n");
        assert_eq!(read(&gbk, Encoding::Auto).unwrap(), "claim_id,district\nC1,梁溪区\n");
        assert_eq!(read(&gbk, Encoding::Gbk).unwrap(), "claim_id,district\nC1,梁溪区\n");
        let refused = read(&gbk, Encoding::Utf8).unwrap_err();
        assert!(refused.contains("looks GBK-encoded: save as CSV UTF-8 or pass --encoding gbk"), "{refused}");
    }

    #[test]
    fn utf8_passes_through_and_a_broken_byte_stays_for_its_field() {
        assert_eq!(read("a,梁溪区\n".as_bytes(), Encoding::Auto).unwrap(), "a,梁溪区\n");
        // Not GB18030 either (0xFF is no lead byte): kept as it is, marked on its field later.
        let broken = b"a,\xff\xff\n";
        let mut out = Vec::new();
        decoded(Box::new(Cursor::new(broken.to_vec())), "t", Encoding::Auto, Lang::En).unwrap().read_to_end(&mut out).unwrap();
        assert_eq!(out, broken);
    }

    #[test]
    fn a_byte_order_mark_names_the_encoding() {
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend("a,区\n".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(read(&utf16, Encoding::Auto).unwrap(), "a,区\n");
        let bom_utf8 = "\u{feff}a,区\n".as_bytes();
        assert_eq!(read(bom_utf8, Encoding::Gbk).unwrap(), "\u{feff}a,区\n");
    }
}
