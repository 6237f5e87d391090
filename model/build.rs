//! Packs the pinyin table (`src/pinyin/table.txt`, the reviewable source) into the form the
//! app downloads: the table as text is 16.4 KB of a phone's first download after gzip, since its
//! 6,763 characters are three bytes each and hardly repeat; packed it is about 10 KB.
//!
//! `pinyin.bin` is one bit per character of the block (whether GB2312 has it), then for each
//! character that has one, in block order, the index of its syllable in `SYLLABLE_BITS` (9) bits, least significant
//! bit first. `pinyin_syllables.txt` is the syllables in table order, separated by spaces.

use std::path::PathBuf;

include!("src/pinyin/block.rs");

fn main() {
    let source = "src/pinyin/table.txt";
    println!("cargo::rerun-if-changed={source}");
    println!("cargo::rerun-if-changed=src/pinyin/block.rs");
    let text = std::fs::read_to_string(source).expect("reading src/pinyin/table.txt");
    let mut syllables = Vec::new();
    // For each character of the block, its syllable's index plus one (0: not in GB2312).
    let mut of = vec![0u16; BLOCK_LEN];
    for line in text.lines() {
        let Some((syllable, chars)) = line.split_once(' ') else {
            continue;
        };
        syllables.push(syllable);
        for c in chars.chars() {
            let slot = slot(c).unwrap_or_else(|| panic!("{c} of {syllable} is outside the block"));
            of[slot] = syllables.len() as u16;
        }
    }
    assert!(
        syllables.len() <= 1 << SYLLABLE_BITS,
        "{} syllables do not fit {SYLLABLE_BITS} bits",
        syllables.len()
    );
    let mut packed = vec![0u8; PRESENT_LEN];
    let (mut acc, mut held) = (0u32, 0);
    for (slot, n) in of.iter().enumerate() {
        if *n == 0 {
            continue;
        }
        packed[slot / 8] |= 1 << (slot % 8);
        acc |= u32::from(n - 1) << held;
        held += SYLLABLE_BITS;
        while held >= 8 {
            packed.push(acc as u8);
            acc >>= 8;
            held -= 8;
        }
    }
    if held > 0 {
        packed.push(acc as u8);
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("pinyin.bin"), packed).expect("writing pinyin.bin");
    std::fs::write(out.join("pinyin_syllables.txt"), syllables.join(" "))
        .expect("writing pinyin_syllables.txt");
}
