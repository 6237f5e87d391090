//! Which role may open which page of the app and take which action on it, said once from the
//! schema's read and write rights (and, where the schema cannot say, the server's endpoints and
//! record rules), so the app's router, its buttons and the server cannot drift apart.
//!
//! A page or action lists what it [`Needs`]; a role may use it when it has every one of them.
//! The tests below tie each need back to the schema, so a right changed there moves the pages.

use crate::entities::{
    duty, education, facility, gathering, grid, household, mobilisation, need, pack_delivery,
    pack_plan_item, report, resident, spot_check, stock_move, supply_item, support_request,
    user_profile, visit,
};
use crate::schema::{self, roles};
use crate::Role;

/// A server endpoint outside the schema's entities (`docs/roles-and-scope.md#other-endpoints-by-role`).
/// The server's handlers ask [`Endpoint::allows`], so the app and the server agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// `GET /api/v1/dashboard`: figures of the caller's grids.
    Dashboard,
    /// `/api/v1/users`: creating and changing accounts.
    Users,
    /// `POST /api/v1/import`: a roster into households and residents.
    RosterImport,
}

impl Endpoint {
    pub fn roles(self) -> &'static [Role] {
        match self {
            // A building leader's figures would count doors that are not theirs (issue 16).
            Endpoint::Dashboard => &[Role::Admin, Role::Supervisor, Role::GridWorker],
            Endpoint::Users => roles::ADMIN,
            Endpoint::RosterImport => roles::ADMIN_SUPERVISOR,
        }
    }

    pub fn allows(self, role: Role) -> bool {
        self.roles().contains(&role)
    }
}

/// One right a page or an action asks of a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// Every field of the entity: the page shows or edits the whole record.
    ReadAll(&'static str),
    /// Every record of the entity in the role's reach, not a chosen few: the page counts them.
    ReceiveAll(&'static str),
    /// Some records of the entity at least (added, issue 17): a page of them is of use.
    Receives(&'static str),
    /// Writing this field of the entity.
    Write(&'static str, &'static str),
    /// Every input of the risk tier and due date ([`RISK_INPUTS`]).
    Assess,
    /// A server endpoint.
    Endpoint(Endpoint),
    /// Only these roles, for a reason the schema cannot say (each use says why).
    Only(&'static [Role]),
}

impl Needs {
    pub fn met_by(self, role: Role) -> bool {
        match self {
            Needs::ReadAll(e) => {
                schema::entity(e).is_some_and(|e| e.fields.iter().all(|f| f.can_read(role)))
            }
            Needs::ReceiveAll(e) => receives_all(role, e),
            Needs::Receives(e) => receives_any(role, e),
            Needs::Write(e, f) => schema::can_write(role, e, f),
            Needs::Assess => can_assess(role),
            Needs::Endpoint(ep) => ep.allows(role),
            Needs::Only(rs) => rs.contains(&role),
        }
    }
}

/// The fields the risk tier and the next due date are computed from (`crate::risk`): a role
/// that cannot read one of them is shown neither, since the app would compute them from a gap.
pub const RISK_INPUTS: &[(&str, &str)] = &[
    (resident::NAME, resident::field::BIRTH_DATE),
    (resident::NAME, resident::field::TAG_LIVING_ALONE),
    (resident::NAME, resident::field::TAG_MINOR),
    (resident::NAME, resident::field::TAG_CHILD_UNDER3),
    (resident::NAME, resident::field::TAG_PREGNANT),
    (resident::NAME, resident::field::TAG_DISABLED),
    (resident::NAME, resident::field::TAG_CHRONIC),
    (resident::NAME, resident::field::TAG_SEVERE_MENTAL),
    (resident::NAME, resident::field::TAG_ORPHAN),
    (resident::NAME, resident::field::TAG_UNSUPPORTED_CHILD),
    (resident::NAME, resident::field::TAG_LEFT_BEHIND_CHILD),
    (resident::NAME, resident::field::TAG_NO_SMARTPHONE),
    (resident::NAME, resident::field::COND_HYPERTENSION),
    (resident::NAME, resident::field::COND_DIABETES),
    (resident::NAME, resident::field::COND_HEART),
    (resident::NAME, resident::field::COND_LUNG),
    (resident::NAME, resident::field::COND_KIDNEY),
    (resident::NAME, resident::field::COND_CANCER),
    (resident::NAME, resident::field::COND_IMMUNOSUPPRESSED),
    (resident::NAME, resident::field::VACC_DOSES),
    (resident::NAME, resident::field::VACC_CONTRAINDICATION),
    (visit::NAME, visit::field::RESIDENT_ID),
    (visit::NAME, visit::field::VISITED_AT),
    (visit::NAME, visit::field::METHOD),
    (visit::NAME, visit::field::SPO2),
    (visit::NAME, visit::field::WARN_LOW_SPO2),
    (visit::NAME, visit::field::WARN_BREATHING),
    (visit::NAME, visit::field::WARN_CONFUSION),
    (visit::NAME, visit::field::WARN_HIGH_FEVER),
    (visit::NAME, visit::field::NEXT_FOLLOW_UP),
];

/// Whether `role` reads every input of the risk tier and due date.
pub fn can_assess(role: Role) -> bool {
    RISK_INPUTS
        .iter()
        .all(|(e, f)| schema::can_read(role, e, f))
}

/// The entities a volunteer receives whole; of the others they receive their own deliveries and
/// those deliveries' recipients, their own profile, or nothing (`server/src/scope.rs` asks this).
pub const VOLUNTEER_RECEIVES_ALL: &[&str] =
    &[supply_item::NAME, pack_plan_item::NAME, facility::NAME];

/// The entities a street office receives whole (added, issue 17): the directory and the
/// profiles; of the grid-scoped ones it receives the escalated needs of its grids and those
/// needs' residents and households, and its grids' reports (`server/src/scope.rs` asks this).
pub const OFFICE_RECEIVES_ALL: &[&str] = &[facility::NAME, user_profile::NAME];

/// What a street office receives any of: the above, and its share.
pub const OFFICE_RECEIVES: &[&str] = &[
    facility::NAME,
    user_profile::NAME,
    grid::NAME,
    need::NAME,
    resident::NAME,
    household::NAME,
    report::NAME,
];

/// Whether `role` receives every record of `entity` within its grids (an admin: everywhere),
/// rather than none or a chosen few; figures counted over the entity need this.
pub fn receives_all(role: Role, entity: &str) -> bool {
    let readable = schema::entity(entity).is_some_and(|e| e.can_read_any(role));
    readable
        && match role {
            Role::Volunteer => VOLUNTEER_RECEIVES_ALL.contains(&entity),
            Role::StreetOffice => OFFICE_RECEIVES_ALL.contains(&entity),
            _ => true,
        }
}

/// Whether `role` receives any record of `entity`: every role what it may read, but a street
/// office only what it is sent ([`OFFICE_RECEIVES`]).
pub fn receives_any(role: Role, entity: &str) -> bool {
    let readable = schema::entity(entity).is_some_and(|e| e.can_read_any(role));
    readable && (role != Role::StreetOffice || OFFICE_RECEIVES.contains(&entity))
}

/// Every page of the app, by what it is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Page {
    /// `/me`: who is logged in, their grids, logout.
    Me,
    Sync,
    Today,
    Households,
    /// One household, `/households/:id`.
    Household,
    Residents,
    /// One resident, `/residents/:id`.
    Resident,
    /// Recording a visit, `/visit/new`.
    Visit,
    Ledger,
    /// The paper visit list to print, `/print/visits` (issue 16).
    VisitSheet,
    /// The health education library, `/guides` and one guide (issue 16).
    Guides,
    /// Vaccination mobilisation, `/vaccination` (issue 16).
    Vaccination,
    /// Spot checks of recorded visits, `/spot-checks` (issue 17).
    SpotChecks,
    /// The register of weddings, funerals and gatherings, `/gatherings` (issue 17).
    Gatherings,
    /// The level above's queue of escalated needs and its communities' reports, `/upward`
    /// (issue 17).
    Upward,
    /// The rest rota, `/rota` (issue 17).
    Rota,
    /// One gathering, `/gatherings/:id`.
    Gathering,
    Overview,
    Needs,
    /// One need, `/needs/:id`.
    Need,
    Services,
    /// One service point or hotline, `/services/:id` (issue 16).
    Facility,
    Deliveries,
    Supplies,
    Packs,
    Users,
    Import,
}

impl Page {
    pub const ALL: [Page; 27] = [
        Page::Me,
        Page::Sync,
        Page::Today,
        Page::Households,
        Page::Household,
        Page::Residents,
        Page::Resident,
        Page::Visit,
        Page::Ledger,
        Page::VisitSheet,
        Page::Guides,
        Page::Vaccination,
        Page::SpotChecks,
        Page::Gatherings,
        Page::Gathering,
        Page::Upward,
        Page::Rota,
        Page::Overview,
        Page::Needs,
        Page::Need,
        Page::Services,
        Page::Facility,
        Page::Deliveries,
        Page::Supplies,
        Page::Packs,
        Page::Users,
        Page::Import,
    ];

    /// The page's route; pages of one record carry `:id` after it.
    pub fn path(self) -> &'static str {
        match self {
            Page::Me => "/me",
            Page::Sync => "/sync",
            Page::Today => "/today",
            Page::Households | Page::Household => "/households",
            Page::Residents | Page::Resident => "/residents",
            Page::Visit => "/visit/new",
            Page::Ledger => "/ledger",
            Page::VisitSheet => "/print/visits",
            Page::Guides => "/guides",
            Page::Vaccination => "/vaccination",
            Page::SpotChecks => "/spot-checks",
            Page::Gatherings | Page::Gathering => "/gatherings",
            Page::Upward => "/upward",
            Page::Rota => "/rota",
            Page::Overview => "/overview",
            Page::Needs | Page::Need => "/needs",
            Page::Services | Page::Facility => "/services",
            Page::Deliveries => "/deliveries",
            Page::Supplies => "/supplies",
            Page::Packs => "/packs",
            Page::Users => "/users",
            Page::Import => "/import",
        }
    }

    /// What the page asks of a role to be of use to it.
    pub fn needs(self) -> &'static [Needs] {
        use Needs::*;
        match self {
            // The guides are the app's own text, for anyone to read and pass on.
            Page::Me | Page::Sync | Page::Guides => &[],
            // Who is due today and why is the tier and due date of every resident.
            Page::Today => &[ReadAll(resident::NAME), ReadAll(visit::NAME), Assess],
            // Each household lists its members with their age and tier.
            Page::Households | Page::Household => &[ReadAll(household::NAME), Assess],
            Page::Residents => &[ReadAll(resident::NAME)],
            Page::Resident => &[ReadAll(resident::NAME), Assess],
            // The page is a form that writes a visit and nothing else.
            Page::Visit => &[Write(visit::NAME, visit::field::VISITED_AT)],
            Page::Ledger => &[ReadAll(resident::NAME), ReceiveAll(resident::NAME), Assess],
            // Doors and the people behind them, red first.
            Page::VisitSheet => &[ReadAll(household::NAME), ReadAll(resident::NAME), Assess],
            // Who is eligible reads age, doses and contraindication; the order reads the tier.
            Page::Vaccination => &[ReadAll(resident::NAME), ReadAll(mobilisation::NAME), Assess],
            Page::Gatherings | Page::Gathering => &[ReadAll(gathering::NAME)],
            Page::Rota => &[ReadAll(duty::NAME)],
            // Visits to sample, the residents to call, and the checks, which are written here.
            Page::SpotChecks => &[
                ReadAll(visit::NAME),
                ReadAll(resident::NAME),
                Write(spot_check::NAME, spot_check::field::RESULT),
            ],
            // The overview looks across grids, the supervisor's work; a grid worker's day is on
            // Today, and the dashboard endpoint serves them only for Today's own figures.
            Page::Overview => &[
                Endpoint(self::Endpoint::Dashboard),
                Only(roles::ADMIN_SUPERVISOR),
            ],
            // The board counts every need of the grids; the level above has its own queue.
            Page::Needs | Page::Need => &[ReadAll(need::NAME), ReceiveAll(need::NAME)],
            // The escalated needs, answered here, and the reports sent up.
            Page::Upward => &[
                Write(need::NAME, need::field::UPWARD_STATUS),
                Receives(report::NAME),
            ],
            Page::Services | Page::Facility => &[ReceiveAll(facility::NAME)],
            Page::Deliveries => &[ReadAll(pack_delivery::NAME), Receives(pack_delivery::NAME)],
            // Stock levels are sums over every move.
            Page::Supplies => &[ReadAll(supply_item::NAME), ReceiveAll(stock_move::NAME)],
            // A batch is its contents and its deliveries, to recipients picked by tier.
            Page::Packs => &[
                Write(pack_plan_item::NAME, pack_plan_item::field::PLAN_ID),
                Write(pack_delivery::NAME, pack_delivery::field::VOLUNTEER_ID),
                Assess,
            ],
            Page::Users => &[Endpoint(self::Endpoint::Users)],
            Page::Import => &[Endpoint(self::Endpoint::RosterImport)],
        }
    }

    pub fn opens_for(self, role: Role) -> bool {
        self.needs().iter().all(|n| n.met_by(role))
    }

    /// The page a role starts on, after login and whenever the app opens at `/`: grid workers
    /// knock on doors, volunteers deliver packs, supervisors and admins look across grids.
    pub fn home(role: Role) -> Page {
        match role {
            Role::GridWorker | Role::BuildingLeader => Page::Today,
            Role::Volunteer => Page::Deliveries,
            Role::StreetOffice => Page::Upward,
            Role::Supervisor | Role::Admin => Page::Overview,
        }
    }
}

/// Every button or link that changes something, by what it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    AddHousehold,
    EditHousehold,
    AddResident,
    EditResident,
    RecordVisit,
    RaiseNeed,
    /// Start, resolve or cancel a need, assign it, escalate it.
    UpdateNeed,
    /// Mark a delivery delivered, not at home or refused.
    MarkDelivery,
    /// Record stock received, packed, adjusted or expired.
    RecordStockMove,
    CreatePackBatch,
    ManageUsers,
    ImportRoster,
    /// Record that a household received health education (issue 16).
    RecordEducation,
    /// Add or change a service point or hotline of the directory (issue 16).
    EditFacility,
    /// Record a vaccination mobilisation attempt (issue 16).
    RecordMobilisation,
    /// Add or change a gathering of the register (issue 17).
    EditGathering,
    /// Say who is responsible for a household (issue 16). A building leader writes the field
    /// only to keep it their own (the server's record rule), so is not offered the choice.
    AssignResponsible,
    /// Answer an escalated need from above: received, in hand, handled, returned (issue 17).
    AnswerEscalation,
    /// Ask privately for psychological support (issue 17).
    AskSupport,
    /// Arrange a worker's support and mark it done (issue 17).
    ArrangeSupport,
    /// Add or take back a day of the rest rota (issue 17).
    EditRota,
}

impl Action {
    pub const ALL: [Action; 21] = [
        Action::AddHousehold,
        Action::EditHousehold,
        Action::AddResident,
        Action::EditResident,
        Action::RecordVisit,
        Action::RaiseNeed,
        Action::UpdateNeed,
        Action::MarkDelivery,
        Action::RecordStockMove,
        Action::CreatePackBatch,
        Action::ManageUsers,
        Action::ImportRoster,
        Action::RecordEducation,
        Action::EditFacility,
        Action::RecordMobilisation,
        Action::EditGathering,
        Action::AssignResponsible,
        Action::AnswerEscalation,
        Action::AskSupport,
        Action::ArrangeSupport,
        Action::EditRota,
    ];

    pub fn needs(self) -> &'static [Needs] {
        use Needs::*;
        match self {
            Action::AddHousehold | Action::EditHousehold => {
                &[Write(household::NAME, household::field::ADDRESS)]
            }
            Action::AddResident | Action::EditResident => {
                &[Write(resident::NAME, resident::field::NAME)]
            }
            Action::RecordVisit => &[Write(visit::NAME, visit::field::VISITED_AT)],
            Action::RaiseNeed => &[Write(need::NAME, need::field::KIND)],
            Action::UpdateNeed => &[
                Write(need::NAME, need::field::STATUS),
                Write(need::NAME, need::field::ASSIGNEE_ID),
            ],
            Action::MarkDelivery => &[Write(pack_delivery::NAME, pack_delivery::field::STATUS)],
            // A volunteer writes stock moves too, but only the one a delivery draws (the server's
            // record rule); the supplies form records any kind.
            Action::RecordStockMove => &[
                Write(stock_move::NAME, stock_move::field::KIND),
                Only(roles::ADMIN_SUPERVISOR),
            ],
            Action::CreatePackBatch => Page::Packs.needs(),
            Action::ManageUsers => &[Endpoint(self::Endpoint::Users)],
            Action::ImportRoster => &[Endpoint(self::Endpoint::RosterImport)],
            Action::RecordEducation => &[Write(education::NAME, education::field::GUIDE)],
            Action::EditFacility => &[Write(facility::NAME, facility::field::NAME)],
            Action::EditGathering => &[Write(gathering::NAME, gathering::field::KIND)],
            Action::AnswerEscalation => &[Write(need::NAME, need::field::UPWARD_STATUS)],
            // Any staff member may ask; the request goes to the supervisors of their grid.
            Action::AskSupport => &[Write(support_request::NAME, support_request::field::WAY)],
            Action::EditRota => &[Write(duty::NAME, duty::field::KIND)],
            Action::ArrangeSupport => &[
                ReadAll(support_request::NAME),
                Write(support_request::NAME, support_request::field::STATUS),
            ],
            Action::AssignResponsible => &[
                Write(household::NAME, household::field::RESPONSIBLE_ID),
                Only(&[Role::Admin, Role::Supervisor, Role::GridWorker]),
            ],
            // A vaccination also moves the resident's doses on.
            Action::RecordMobilisation => &[
                Write(mobilisation::NAME, mobilisation::field::OUTCOME),
                Write(resident::NAME, resident::field::VACC_DOSES),
            ],
        }
    }

    pub fn allowed_for(self, role: Role) -> bool {
        self.needs().iter().all(|n| n.met_by(role))
    }
}

#[cfg(test)]
#[path = "access_tests.rs"]
mod tests;
