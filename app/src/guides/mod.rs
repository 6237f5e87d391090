//! The health education library (科普宣教), shipped inside the app so it reads offline: one text
//! per guide of `model::entities::education::GUIDES`, in Knock's own words. A text is a title
//! line (`# `), headings (`## `), list items (`- `) and paragraphs, nothing more, so it can be
//! drawn on screen and shared as plain text to a WeChat group alike.

/// One guide: its id (as an `education` record names it) and its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Guide {
    pub id: &'static str,
    text: &'static str,
}

/// A piece of a guide's body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Block<'a> {
    Heading(&'a str),
    Item(&'a str),
    Para(&'a str),
}

pub const GUIDES: &[Guide] = &[
    Guide {
        id: "antigen_self_test",
        text: include_str!("antigen_self_test.txt"),
    },
    Guide {
        id: "medicines_at_home",
        text: include_str!("medicines_at_home.txt"),
    },
    Guide {
        id: "warning_signs",
        text: include_str!("warning_signs.txt"),
    },
    Guide {
        id: "elderly_care",
        text: include_str!("elderly_care.txt"),
    },
    Guide {
        id: "pregnancy_children",
        text: include_str!("pregnancy_children.txt"),
    },
];

pub fn guide(id: &str) -> Option<&'static Guide> {
    GUIDES.iter().find(|g| g.id == id)
}

impl Guide {
    pub fn title(&self) -> &'static str {
        self.text
            .lines()
            .find_map(|l| l.strip_prefix("# "))
            .unwrap_or(self.id)
    }

    /// Everything after the title, block by block.
    pub fn blocks(&self) -> Vec<Block<'static>> {
        self.text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with("# "))
            .map(|l| {
                if let Some(h) = l.strip_prefix("## ") {
                    Block::Heading(h)
                } else if let Some(i) = l.strip_prefix("- ") {
                    Block::Item(i)
                } else {
                    Block::Para(l)
                }
            })
            .collect()
    }

    /// The guide as a message for a WeChat group or a text: title in 【】, items as "· ", and
    /// where it comes from.
    pub fn share_text(&self) -> String {
        let mut out = format!("【{}】\n", self.title());
        for b in self.blocks() {
            match b {
                Block::Heading(h) => out.push_str(&format!("\n{h}\n")),
                Block::Item(i) => out.push_str(&format!("· {i}\n")),
                Block::Para(p) => out.push_str(&format!("{p}\n")),
            }
        }
        out.push_str("\n——社区健康服务（敲门）");
        out
    }
}
