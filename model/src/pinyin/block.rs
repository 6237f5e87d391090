// The packed table's layout, shared by `model/build.rs`, which packs it, and
// `model/src/pinyin.rs`, which unpacks it: the CJK Unified Ideographs block (which holds every
// character of GB2312), a bit for each of its characters, and a syllable index in so many bits.

/// The block's first character.
const FIRST: u32 = 0x4E00;
/// The block's last character.
const LAST: u32 = 0x9FA5;
/// How many characters the block holds.
const BLOCK_LEN: usize = (LAST - FIRST + 1) as usize;
/// Bytes of the packed table that say which characters have a reading, a bit each.
const PRESENT_LEN: usize = BLOCK_LEN.div_ceil(8);
/// Bits of each syllable index that follows.
const SYLLABLE_BITS: u32 = 9;

/// The place of `c` in the block, if it is in it.
fn slot(c: char) -> Option<usize> {
    (FIRST..=LAST)
        .contains(&(c as u32))
        .then(|| (c as u32 - FIRST) as usize)
}
