//! FNV-1a, 64 bits: a stable, seedable hash that is the same on every machine and in the wasm
//! (std's hasher is neither). For keys, samples and cache names, never as a defence.

/// The hash of no bytes: where a hash starts.
pub const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// `hash` carried on over `bytes` (start from [`OFFSET`], or from it mixed with a seed).
pub fn fnv1a(mut hash: u64, bytes: &[u8]) -> u64 {
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Do not change: stored scope versions and the spot checks' samples are made from it.
    #[test]
    fn the_hash_is_the_published_fnv1a() {
        assert_eq!(fnv1a(OFFSET, b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(OFFSET, b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(OFFSET, b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn carrying_on_is_hashing_the_whole() {
        assert_eq!(
            fnv1a(fnv1a(OFFSET, b"foo"), b"bar"),
            fnv1a(OFFSET, b"foobar")
        );
        assert_ne!(fnv1a(OFFSET, b"abc"), fnv1a(OFFSET, b"abd"));
    }
}
