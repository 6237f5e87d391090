//! The surnames and given names the demo's people are called by.

use super::rng::Rng;

pub(super) const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "罗", "高",
];
const GIVEN_M: &[&str] = &[
    "伟", "强", "军", "建国", "志明", "海", "涛", "明", "永福", "国庆", "德华", "子轩", "浩然",
    "宇", "振华",
];
const GIVEN_F: &[&str] = &[
    "芳", "娜", "秀英", "敏", "静", "丽", "桂兰", "玉梅", "淑珍", "婷", "雨欣", "欣怡", "秀兰",
    "凤英", "晓燕",
];

pub(super) fn given(rng: &mut Rng, female: bool) -> &'static str {
    let names = if female { GIVEN_F } else { GIVEN_M };
    rng.pick::<&str>(names)
}
