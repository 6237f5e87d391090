//! A push body from arbitrary bytes, as `POST /api/v1/sync/push` reads it: decoded as the wire
//! type, then every check the server makes before storing (stamps, values, field rights, clock
//! skew) for each role. Nothing may panic, and a batch the checks pass has only valid changes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use model::hlc::Hlc;
use model::wire::PushRequest;
use model::Role;

/// The server's clock during the checks: 2025-11-28, as the protocol's examples.
const NOW_MS: i64 = 1_764_331_200_000;

fuzz_target!(|data: &[u8]| {
    let Ok(req) = serde_json::from_slice::<PushRequest>(data) else {
        return;
    };
    for role in Role::ALL {
        if server::authorize::check_push(role, &req.device_id, &req.changes, NOW_MS).is_ok() {
            for c in &req.changes {
                let stamp = Hlc::parse(&c.hlc).expect("a passed batch has valid stamps");
                assert_eq!(stamp.device, req.device_id);
                assert!(model::validate::check_change(c).is_ok());
                assert!(model::schema::can_write(role, &c.entity, &c.field));
            }
        }
    }
});
