//! The health education library: a guide for every guide an `education` record may name, each
//! with a title and a body, and the text shared to a WeChat group reads without markup.

use app::guides::{guide, Block, GUIDES};
use model::entities::education;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn every_guide_a_record_may_name_is_in_the_app() {
    let ids: Vec<&str> = GUIDES.iter().map(|g| g.id).collect();
    assert_eq!(ids, education::GUIDES);
    for g in GUIDES {
        let blocks = g.blocks();
        assert!(!g.title().is_empty() && g.title() != g.id, "{}", g.id);
        assert!(
            blocks.iter().any(|b| matches!(b, Block::Heading(_))),
            "{}",
            g.id
        );
        assert!(
            blocks
                .iter()
                .filter(|b| matches!(b, Block::Item(_)))
                .count()
                >= 5,
            "{}",
            g.id
        );
        // Its record label and its title say the same thing.
        let (zh, _) = model::labels::member(education::NAME, education::field::GUIDE, g.id);
        assert_eq!(zh, g.title(), "{}", g.id);
    }
}

#[wasm_bindgen_test]
fn a_shared_guide_is_plain_text() {
    let g = guide("warning_signs").unwrap();
    let text = g.share_text();
    assert!(text.starts_with("【需要就医的危险信号】\n"));
    assert!(text.contains("· 血氧饱和度低于 93%"));
    assert!(!text.contains("## ") && !text.contains("\n- "));
    assert!(text.ends_with("——社区健康服务（敲门）"));
    assert_eq!(guide("nope"), None);
}
