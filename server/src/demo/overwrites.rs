//! The demo's one silent overwrite (issue 17, who changed what): the community office corrects a
//! resident's phone on its PC while 王芳, at the door, sets it otherwise on her phone, so the
//! supervisor's overview has a 修改冲突 to show and the resident's 修改记录 two changes. Written
//! through the push's own path (judged, kept in the history, flagged), after the rest of the demo.

use model::entities::resident;
use model::hlc::Hlc;
use model::wire::Change;
use serde_json::json;

use crate::records::Author;
use crate::storage::Storage;

/// The devices the two edits come from.
const OFFICE_PC: &str = "demo-office-pc";
const WANG_PHONE: &str = "demo-phone-wangfang";

/// Writes the two edits of `resident`'s phone: the office's, then 王芳's.
pub(super) async fn seed(
    storage: &dyn Storage,
    admin_id: &str,
    worker_id: &str,
    resident_id: &str,
) -> anyhow::Result<()> {
    // After every stamp the demo wrote to the record, so each edit is a change of the value it
    // meets (the demo's own stamps run a little ahead of the clock).
    let rows = storage.record_rows(resident::NAME, resident_id).await?;
    let after = rows
        .iter()
        .filter_map(|r| Hlc::parse(&r.change.hlc).ok())
        .map(|h| h.ms)
        .max()
        .unwrap_or(0)
        .max(crate::now_ms() as u64);
    for (user_id, device, ms, phone) in [
        (admin_id, OFFICE_PC, after + 1, "13901234567"),
        (worker_id, WANG_PHONE, after + 2, "13907654321"),
    ] {
        let user = storage
            .user_by_id(user_id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("demo user {user_id} is not stored"))?;
        let change = Change::new(
            resident::NAME,
            resident_id,
            resident::field::PHONE,
            json!(phone),
            &Hlc::new(ms, 0, device)?,
        );
        let author = Author {
            user_id: user.id.clone(),
            device_id: device.to_owned(),
            at_ms: crate::now_ms(),
        };
        crate::authorize::store_as(storage, &user, author, vec![change])
            .await?
            .map_err(|refusal| anyhow::anyhow!("the demo's overwrite was refused: {refusal}"))?;
    }
    Ok(())
}
