//! A community built for one test: grids, users and records written straight into the storage of
//! a fresh database before its server starts, returning the ids the test goes on with. A test
//! states here the data it relies on, so the demo community can change without breaking it.

use std::collections::HashMap;
use std::sync::Arc;

use model::entities::{
    grid, household, need, pack_delivery, pack_plan_item, resident, supply_item, user_profile,
    visit,
};
use model::hlc::Clock;
use model::wire::Change;
use model::Role;
use serde_json::{json, Value};
use server::storage::{NewUser, Storage};

use super::{Logins, TestServer};

/// The password of every fixture user.
pub const PASSWORD: &str = "fixture-pass";

/// Records are stamped this far back, so that a test's own edits, stamped now, win.
const STAMP_AGE_MS: u64 = 60_000;

pub struct Fixture {
    dir: tempfile::TempDir,
    storage: Arc<dyn Storage>,
    clock: Clock,
    changes: Vec<Change>,
    /// The grid of each grid-scoped record written, and the household of each resident.
    grid_of: HashMap<String, String>,
    household_of: HashMap<String, String>,
    admin: Option<String>,
}

impl Fixture {
    /// An empty database in a fresh directory.
    pub async fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let storage = server::storage::scratch::fresh_in(dir.path())
            .await
            .unwrap();
        Fixture {
            dir,
            storage,
            clock: Clock::new("fixture").unwrap(),
            changes: Vec::new(),
            grid_of: HashMap::new(),
            household_of: HashMap::new(),
            admin: None,
        }
    }

    /// Writes one field of a record, stamped after every field written before it.
    pub fn set(&mut self, entity: &str, id: &str, field: &str, value: Value) {
        let wall = (server::now_ms() as u64).saturating_sub(STAMP_AGE_MS);
        self.changes.push(Change {
            entity: entity.into(),
            id: id.into(),
            field: field.into(),
            value,
            hlc: self.clock.now(wall).to_string(),
        });
    }

    /// Writes a new record of `entity` and returns its id; a grid-scoped record is filed under
    /// its `grid_id` for the records made about it later.
    pub fn record(&mut self, entity: &str, fields: &[(&str, Value)]) -> String {
        let id = uuid::Uuid::new_v4().to_string();
        for (field, value) in fields {
            if *field == model::schema::GRID_ID {
                let grid = value.as_str().expect("a grid id").to_owned();
                self.grid_of.insert(id.clone(), grid);
            }
            self.set(entity, &id, field, value.clone());
        }
        id
    }

    pub fn grid(&mut self, name: &str) -> String {
        self.record(grid::NAME, &[(grid::field::NAME, json!(name))])
    }

    /// A user who logs in with [`PASSWORD`], and the profile record every device syncs.
    pub async fn user(
        &mut self,
        role: Role,
        username: &str,
        name: &str,
        grids: &[String],
    ) -> String {
        let user = self
            .storage
            .create_user(NewUser {
                username: username.into(),
                name: name.into(),
                role,
                grids: grids.to_vec(),
                password_hash: server::auth::hash_password(PASSWORD).unwrap(),
            })
            .await
            .unwrap();
        self.set(
            user_profile::NAME,
            &user.id,
            user_profile::field::NAME,
            json!(name),
        );
        self.set(
            user_profile::NAME,
            &user.id,
            user_profile::field::ROLE,
            json!(role.as_str()),
        );
        self.set(
            user_profile::NAME,
            &user.id,
            user_profile::field::GRIDS,
            json!(user_profile::grids_text(grids)),
        );
        if role == Role::Admin && self.admin.is_none() {
            self.admin = Some(username.into());
        }
        user.id
    }

    /// A household of `grid` at `address`, with the head's name and phone.
    pub fn household(&mut self, grid: &str, address: &str) -> String {
        self.record(
            household::NAME,
            &[
                (household::field::GRID_ID, json!(grid)),
                (household::field::ADDRESS, json!(address)),
                (household::field::HEAD_NAME, json!(format!("{address}户主"))),
                (household::field::PHONE, json!("13900000000")),
            ],
        )
    }

    /// A resident of `household` called `name`, with any further `fields`.
    pub fn resident(&mut self, household: &str, name: &str, fields: &[(&str, Value)]) -> String {
        let mut all = vec![
            (resident::field::GRID_ID, json!(self.grid_of[household])),
            (resident::field::HOUSEHOLD_ID, json!(household)),
            (resident::field::NAME, json!(name)),
        ];
        all.extend(fields.iter().map(|(f, v)| (*f, v.clone())));
        let id = self.record(resident::NAME, &all);
        self.household_of.insert(id.clone(), household.into());
        id
    }

    /// A visit by `worker` to `resident` at `visited_at` (ms).
    pub fn visit(&mut self, resident: &str, worker: &str, visited_at: i64) -> String {
        self.record(
            visit::NAME,
            &[
                (visit::field::GRID_ID, json!(self.grid_of[resident])),
                (visit::field::RESIDENT_ID, json!(resident)),
                (
                    visit::field::HOUSEHOLD_ID,
                    json!(self.household_of[resident]),
                ),
                (visit::field::VISITED_AT, json!(visited_at)),
                (visit::field::METHOD, json!("in_person")),
                (visit::field::WORKER_ID, json!(worker)),
            ],
        )
    }

    /// A need of `resident` in `status`.
    pub fn need(&mut self, resident: &str, status: &str) -> String {
        self.record(
            need::NAME,
            &[
                (need::field::GRID_ID, json!(self.grid_of[resident])),
                (need::field::RESIDENT_ID, json!(resident)),
                (need::field::KIND, json!("medicine")),
                (need::field::URGENCY, json!("normal")),
                (need::field::STATUS, json!(status)),
                (need::field::CREATED_AT, json!(server::now_ms())),
            ],
        )
    }

    /// A health pack for `resident` that `volunteer` carries, in `status`.
    pub fn delivery(&mut self, resident: &str, volunteer: &str, status: &str) -> String {
        self.record(
            pack_delivery::NAME,
            &[
                (pack_delivery::field::GRID_ID, json!(self.grid_of[resident])),
                (pack_delivery::field::RESIDENT_ID, json!(resident)),
                (
                    pack_delivery::field::HOUSEHOLD_ID,
                    json!(self.household_of[resident]),
                ),
                (pack_delivery::field::VOLUNTEER_ID, json!(volunteer)),
                (pack_delivery::field::STATUS, json!(status)),
            ],
        )
    }

    /// A supply item that each pack of batch `plan` holds `quantity` of, drawn from `site`;
    /// returns the item's id.
    pub fn pack_item(&mut self, plan: &str, name: &str, quantity: i64, site: &str) -> String {
        let item = self.record(
            supply_item::NAME,
            &[(supply_item::field::NAME, json!(name))],
        );
        use pack_plan_item::field;
        self.record(
            pack_plan_item::NAME,
            &[
                (field::PLAN_ID, json!(plan)),
                (field::ITEM_ID, json!(item)),
                (field::QUANTITY, json!(quantity)),
                (field::SITE, json!(site)),
            ],
        );
        item
    }

    /// Writes the records and closes the database, for a test that runs the server binary on
    /// it (`KNOCK_DATA_DIR`); the directory lives as long as the returned handle.
    pub async fn write(self) -> tempfile::TempDir {
        self.storage
            .as_ref()
            .apply_changes(self.changes)
            .await
            .unwrap();
        drop(self.storage);
        self.dir
    }

    /// Writes the records and starts a server on them.
    pub async fn start(self) -> TestServer {
        self.start_with(&[]).await
    }

    /// As [`Fixture::start`], with some configuration variables set (`KNOCK_TILE_URL`, ...).
    pub async fn start_with(self, vars: &[(&str, &str)]) -> TestServer {
        self.storage
            .as_ref()
            .apply_changes(self.changes)
            .await
            .unwrap();
        let logins = Logins {
            password: PASSWORD.into(),
            admin: self.admin.map(|a| (a, PASSWORD.to_owned())),
        };
        let mut s = super::serve(self.dir.path(), self.storage, vars, logins).await;
        s.own(self.dir);
        s
    }
}
