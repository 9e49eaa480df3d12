//! Conversions between list lengths (`usize`) and the positions, limits and counts stored as
//! `i64`, without casts: a length never comes near `i64::MAX`, so saturating is exact in
//! practice and never wraps.

/// A length or index as a stored count or position.
pub fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A stored, 1-based or 0-based count as a length: negative values are 0.
pub fn length(n: i64) -> usize {
    usize::try_from(n.max(0)).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::{count, length};

    #[test]
    fn conversions_saturate_instead_of_wrapping() {
        assert_eq!(count(3), 3);
        assert_eq!(length(-4), 0);
        assert_eq!(length(7), 7);
        assert_eq!(length(i64::MAX), usize::try_from(i64::MAX).unwrap());
    }
}
