//! The rules an account must meet, checked by the server on every change and by the admin's
//! page before it sends one, so a typo is explained without a round trip.

use crate::Role;

pub const MIN_PASSWORD_CHARS: usize = 8;
pub const MAX_USERNAME_CHARS: usize = 32;

/// 1–32 characters of `a–z 0–9 _ . -`.
pub fn username_ok(username: &str) -> bool {
    (1..=MAX_USERNAME_CHARS).contains(&username.chars().count())
        && username
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_.-".contains(c))
}

/// At least eight characters, of any script.
pub fn password_ok(password: &str) -> bool {
    password.chars().count() >= MIN_PASSWORD_CHARS
}

/// A person's name: 1–100 characters, as the profile's name field holds.
pub fn display_name_ok(name: &str) -> bool {
    (1..=crate::entities::NAME_LEN).contains(&name.chars().count())
}

/// Whether a role works in grids, and so needs at least one: grid workers, building leaders and
/// supervisors. Volunteers have none (they see deliveries, not grids) and an admin sees all
/// anyway.
pub fn needs_grids(role: Role) -> bool {
    role.works_in_grids()
}

/// The problem with a user name, in the API's words, if any.
pub fn check_username(username: &str) -> Option<String> {
    (!username_ok(username)).then(|| {
        "用户名须为 1–32 个小写字母、数字或 _ . - (user name: 1–32 of a–z, 0–9, _ . -)".to_owned()
    })
}

pub fn check_password(password: &str) -> Option<String> {
    (!password_ok(password))
        .then(|| "密码至少 8 个字符 (password: at least 8 characters)".to_owned())
}

pub fn check_name(name: &str) -> Option<String> {
    (!display_name_ok(name)).then(|| "姓名须为 1–100 个字符 (name: 1–100 characters)".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_names_are_short_lowercase_ascii() {
        for ok in ["a", "wang.fang", "li_2", "x-y", &"a".repeat(32)] {
            assert!(username_ok(ok), "{ok}");
            assert_eq!(check_username(ok), None);
        }
        for bad in ["", "WangFang", "王芳", "a b", &"a".repeat(33)] {
            assert!(!username_ok(bad), "{bad}");
            assert!(check_username(bad).is_some());
        }
    }

    #[test]
    fn passwords_need_eight_characters_of_any_script() {
        assert!(!password_ok("1234567"));
        assert!(password_ok("12345678"));
        assert!(password_ok("八个汉字的密码啊"));
        assert!(check_password("short").is_some());
    }

    #[test]
    fn names_and_grids() {
        assert!(!display_name_ok("") && display_name_ok("王芳"));
        assert!(!display_name_ok(&"名".repeat(101)));
        assert!(needs_grids(Role::GridWorker) && needs_grids(Role::Supervisor));
        assert!(needs_grids(Role::BuildingLeader));
        assert!(!needs_grids(Role::Volunteer) && !needs_grids(Role::Admin));
    }
}
