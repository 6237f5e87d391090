//! Pinyin for search: the toneless reading of every GB2312 character, so a grid worker typing on
//! a phone's Latin keyboard finds 王桂兰 by "wgl" or "wangguilan", and an address by "xfl".
//!
//! The table (`pinyin/table.txt`, 6,763 characters under 400 syllables, about 22 KB) is made by
//! `pinyin/generate.py` and committed; `model/build.rs` packs it into about 10 KB for the app's
//! download, and it is unpacked into an array once, when first needed.

use std::sync::OnceLock;

include!("pinyin/block.rs");

/// Which characters of the block have a reading, a bit each, then their syllables' indexes in
/// [`SYLLABLE_BITS`] each (`model/build.rs`).
const PACKED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/pinyin.bin"));
/// The syllables, in the order of their indexes, separated by spaces.
const SYLLABLES: &str = include_str!(concat!(env!("OUT_DIR"), "/pinyin_syllables.txt"));

/// Surnames read otherwise than their character's common reading (曾 is "ceng" in 曾经 but
/// "zeng" as a family name). A name is spelled both ways when it starts with one of these.
const SURNAMES: &[(char, &str)] = &[
    ('曾', "zeng"),
    ('单', "shan"),
    ('解', "xie"),
    ('区', "ou"),
    ('仇', "qiu"),
    ('朴', "piao"),
    ('查', "zha"),
    ('翟', "zhai"),
    ('盖', "ge"),
    ('缪', "miao"),
    ('乐', "yue"),
    ('尉', "yu"),
    ('召', "shao"),
    ('覃', "qin"),
    ('秘', "bi"),
    ('繁', "po"),
    ('员', "yun"),
    ('种', "chong"),
    ('隗', "wei"),
    ('冼', "xian"),
];

/// The syllables, and for each character of the block the index of its syllable plus one (0 for
/// none): a lookup is an array index, since every keystroke's dataset spells thousands of names.
struct Table {
    syllables: Vec<&'static str>,
    of: Vec<u16>,
}

fn table() -> &'static Table {
    static TABLE_READ: OnceLock<Table> = OnceLock::new();
    TABLE_READ.get_or_init(|| {
        let (present, mut packed) = PACKED.split_at(PRESENT_LEN);
        let mut of = vec![0; BLOCK_LEN];
        let (mut acc, mut held) = (0u32, 0);
        for (slot, n) in of.iter_mut().enumerate() {
            if present[slot / 8] & (1 << (slot % 8)) == 0 {
                continue;
            }
            while held < SYLLABLE_BITS {
                let (byte, rest) = packed.split_first().unwrap_or((&0, &[]));
                acc |= u32::from(*byte) << held;
                packed = rest;
                held += 8;
            }
            *n = (acc & ((1 << SYLLABLE_BITS) - 1)) as u16 + 1;
            acc >>= SYLLABLE_BITS;
            held -= SYLLABLE_BITS;
        }
        Table {
            syllables: SYLLABLES.split(' ').collect(),
            of,
        }
    })
}

/// The common toneless reading of a character (ü as "v"), if it is one of GB2312's.
pub fn reading(c: char) -> Option<&'static str> {
    let t = table();
    let n = *t.of.get(slot(c)?)?;
    (n > 0).then(|| t.syllables[n as usize - 1])
}

/// How a text is typed in pinyin: every syllable run together, and their first letters.
/// Latin letters and digits stand for themselves (lowercased); everything else is dropped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Spelling {
    pub full: String,
    pub initials: String,
}

/// The spelling of `text` by each character's common reading.
pub fn spell(text: &str) -> Spelling {
    spell_with(text, None)
}

/// A person's name spelled every way it is typed: by the common readings and, when the family
/// name reads otherwise ([`SURNAMES`]), by that reading too.
pub fn spell_name(name: &str) -> Vec<Spelling> {
    let mut out = vec![spell(name)];
    let first = name.trim_start().chars().next();
    if let Some(&(_, surname)) = SURNAMES.iter().find(|(c, _)| Some(*c) == first) {
        out.push(spell_with(name.trim_start(), Some(surname)));
    }
    out
}

fn spell_with(text: &str, first_reading: Option<&'static str>) -> Spelling {
    let mut s = Spelling::default();
    for (i, c) in text.chars().enumerate() {
        let syllable = match first_reading {
            Some(r) if i == 0 => Some(r),
            _ => reading(c),
        };
        if let Some(syllable) = syllable {
            s.full.push_str(syllable);
            s.initials.extend(syllable.chars().next());
        } else if c.is_ascii_alphanumeric() {
            let c = c.to_ascii_lowercase();
            s.full.push(c);
            s.initials.push(c);
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_spelled_in_full_and_by_initials() {
        let s = spell("王桂兰");
        assert_eq!(s.full, "wangguilan");
        assert_eq!(s.initials, "wgl");
    }

    #[test]
    fn every_character_of_gb2312_has_a_latin_reading() {
        let t = table();
        assert_eq!(t.of.iter().filter(|n| **n > 0).count(), 6_763);
        assert_eq!(t.syllables.len(), 400);
        assert!(t
            .syllables
            .iter()
            .all(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase())));
        // Both levels: 绿 is in the first, 琪 (a name's character) in the second.
        assert_eq!(reading('绿'), Some("lv"));
        assert_eq!(reading('琪'), Some("qi"));
        assert_eq!(reading('a'), None);
    }

    #[test]
    fn the_packed_table_reads_every_character_as_the_text_table_does() {
        let text = include_str!("pinyin/table.txt");
        let mut listed = 0;
        for line in text.lines() {
            let (syllable, chars) = line.split_once(' ').unwrap();
            for c in chars.chars() {
                assert_eq!(reading(c), Some(syllable), "{c}");
                listed += 1;
            }
        }
        let read = (FIRST..=LAST)
            .filter_map(char::from_u32)
            .filter(|c| reading(*c).is_some())
            .count();
        assert_eq!(
            read, listed,
            "a character the text table does not list has a reading"
        );
    }

    #[test]
    fn an_address_keeps_its_numbers_and_drops_punctuation() {
        let s = spell("幸福里小区 12 号楼·3单元");
        assert_eq!(s.full, "xingfulixiaoqu12haolou3danyuan");
        assert_eq!(s.initials, "xflxq12hl3dy");
    }

    #[test]
    fn a_family_name_with_its_own_reading_is_spelled_both_ways() {
        let ways = spell_name("曾国强");
        let full: Vec<&str> = ways.iter().map(|s| s.full.as_str()).collect();
        assert_eq!(full, ["cengguoqiang", "zengguoqiang"]);
        assert_eq!(ways[1].initials, "zgq");
        assert_eq!(spell_name("李明").len(), 1);
    }
}
