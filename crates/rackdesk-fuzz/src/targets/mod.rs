//! The fuzz targets. Each takes raw bytes and returns a fingerprint of what they did.

pub mod csv;
pub mod decode;
pub mod marker;
pub mod names;
pub mod paging;
pub mod signature;

/// The words of a message without the values quoted in it, so that two inputs that fail in
/// the same way have the same shape: `"x" has no @` and `"y" has no @` alike.
pub(crate) fn shape(message: &str) -> String {
    let mut quoted = false;
    let mut out = String::new();
    for c in message.chars() {
        if c == '"' {
            quoted = !quoted;
        } else if !quoted && c.is_ascii_alphabetic() {
            out.push(c.to_ascii_lowercase());
            if out.len() >= 24 {
                break;
            }
        }
    }
    out
}
