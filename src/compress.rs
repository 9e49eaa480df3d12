//! Gzip and Brotli of a byte slice, at levels chosen for files compressed once and served many
//! times (the static mirror's `.gz` and `.br`; reusable for HTTP compression).
//!
//! Both outputs are deterministic: the same input gives the same bytes (the gzip header's
//! time is left at zero), so an unchanged file compresses to an unchanged file.

use std::io::Write;

/// Above this size the levels drop to ones that still compress well at tens of MB/s (a large
/// sitemap or JSON document), instead of the slowest, best ones.
const LARGE: usize = 256 * 1024;

/// Gzip of `data`: level 9 for ordinary files, 6 for large ones.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let level = if data.len() > LARGE { 6 } else { 9 };
    let mut out = flate2::write::GzEncoder::new(
        Vec::with_capacity(data.len() / 3),
        flate2::Compression::new(level),
    );
    // Writing into a Vec cannot fail.
    let _ = out.write_all(data);
    out.finish().unwrap_or_default()
}

/// Brotli of `data`: quality 9 for ordinary files, 5 for large ones; a 4 MiB window
/// (lgwin 22, the format's usual default).
pub fn brotli(data: &[u8]) -> Vec<u8> {
    let quality = if data.len() > LARGE { 5 } else { 9 };
    let mut out = Vec::with_capacity(data.len() / 3);
    {
        let mut writer = brotli::CompressorWriter::new(&mut out, 64 * 1024, quality, 22);
        let _ = writer.write_all(data);
        let _ = writer.flush();
    }
    out
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    #[test]
    fn both_round_trip_and_are_deterministic() {
        let text = "Herald status page. ".repeat(500);
        let gz = super::gzip(text.as_bytes());
        assert_eq!(gz, super::gzip(text.as_bytes()));
        let mut back = String::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_string(&mut back)
            .unwrap();
        assert_eq!(back, text);
        let br = super::brotli(text.as_bytes());
        assert_eq!(br, super::brotli(text.as_bytes()));
        let mut back = String::new();
        brotli::Decompressor::new(&br[..], 4096)
            .read_to_string(&mut back)
            .unwrap();
        assert_eq!(back, text);
        assert!(gz.len() < text.len() / 10 && br.len() < text.len() / 10);
    }
}
