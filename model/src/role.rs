//! The roles of `docs/roles-and-scope.md` and their wire names.

use serde::{Deserialize, Serialize};

/// Who a user is decides what they may read and write (`docs/roles-and-scope.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Supervisor,
    GridWorker,
    /// 楼门栋长 / 村民小组组长 (added, issue 16): a grid worker's rights over the households they
    /// are responsible for (`household.responsible_id`) and what hangs off them, nothing else.
    BuildingLeader,
    Volunteer,
    /// 乡镇（街道）(added, issue 17): the level above the communities of its grids, which receives
    /// their escalated needs (to answer each with a status) and their reports, nothing else.
    StreetOffice,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Admin,
        Role::Supervisor,
        Role::GridWorker,
        Role::BuildingLeader,
        Role::Volunteer,
        Role::StreetOffice,
    ];

    /// The wire name, as in `demo account: <role> ...` and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Supervisor => "supervisor",
            Role::GridWorker => "grid_worker",
            Role::BuildingLeader => "building_leader",
            Role::Volunteer => "volunteer",
            Role::StreetOffice => "street_office",
        }
    }

    /// Whether the role's reach is a set of grids (supervisors, grid workers, building leaders,
    /// street offices): their records are those of their grids, and they need at least one.
    pub fn works_in_grids(self) -> bool {
        matches!(
            self,
            Role::Supervisor | Role::GridWorker | Role::BuildingLeader | Role::StreetOffice
        )
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
            assert_eq!(
                serde_json::to_string(&r).unwrap(),
                format!("\"{}\"", r.as_str())
            );
        }
        assert_eq!(Role::parse("root"), None);
    }
}
