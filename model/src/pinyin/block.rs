// The CJK Unified Ideographs block, which holds every character of GB2312: read by
// `model/build.rs`, which packs the table over it, and by `model/src/pinyin.rs`, which unpacks it.

/// The block's first character.
const FIRST: u32 = 0x4E00;
/// The block's last character.
const LAST: u32 = 0x9FA5;
/// How many characters the block holds: the packed table has a bit for each.
const BLOCK_LEN: usize = (LAST - FIRST + 1) as usize;
