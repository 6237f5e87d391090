//! The one check of a batch before it is stored, for a device's push and an office's import
//! alike: valid values, the writer's field rights, then record by record the user's grids and
//! deliveries, judged against the stored records inside the write transaction. A refusal says
//! why in the contract's words; `error.rs` gives it its status and code.

mod judge;
mod leader;

use model::hlc::Hlc;
use model::wire::{Change, ErrorDetail};
use model::Role;

pub use judge::judge;

use crate::records::write_checked;
use crate::storage::{self, Storage, UserRecord};

/// How far ahead of the server's clock a device's stamp may run.
pub const MAX_SKEW_MS: i64 = 5 * 60 * 1000;

/// Why a batch is not stored.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error("change {index}: hlc {hlc:?} is not a stamp of the form 1764331200000-0003-d9f2a1")]
    Malformed { index: usize, hlc: String },
    #[error(transparent)]
    Forbidden(#[from] Forbidden),
    #[error("部分修改无效 (some changes are invalid)")]
    Invalid(Vec<ErrorDetail>),
    #[error(
        "设备时钟超前服务器超过 5 分钟 (a stamp is more than 5 minutes ahead of the server clock)"
    )]
    ClockSkew { server_time_ms: i64 },
}

/// A change the writer may not make.
#[derive(Debug, thiserror::Error)]
pub enum Forbidden {
    #[error("第 {index} 项修改的时间戳来自其他设备 (change {index}: the stamp's device is not the token's device)")]
    OtherDevice { index: usize },
    #[error("第 {index} 项：{role} 不能修改 {entity}.{field} (change {index}: role {role} may not write {entity}.{field})")]
    Field {
        index: usize,
        role: &'static str,
        entity: String,
        field: String,
    },
    #[error("不能导入 {entity}.{field}（may not import {entity}.{field}）")]
    Import { entity: String, field: String },
    #[error(
        "第 {index} 项修改的不是分配给您的配送 (change {index}: not a delivery assigned to you)"
    )]
    NotYourDelivery { index: usize },
    #[error(
        "第 {index} 项修改的记录不在您的网格内 (change {index}: the record is outside your grids)"
    )]
    OutsideGrids { index: usize },
    #[error(
        "第 {index} 项修改的住户不由您负责 (change {index}: not a household you are responsible for)"
    )]
    NotYourDoor { index: usize },
    #[error(
        "第 {index} 项修改的不是已上报给您的需求 (change {index}: not a need escalated to you)"
    )]
    NotEscalated { index: usize },
    #[error(
        "第 {index} 项：只能以本人名义新建心理疏导申请 (change {index}: only a new support request of your own)"
    )]
    NotYourRequest { index: usize },
    #[error("第 {index} 项：志愿者只能为分配给自己的配送新建“已发放”出库记录，物资、数量和出库点与健康包内容一致 (change {index}: a volunteer may only create a delivered move of their own, for a delivery assigned to them, matching an item of its pack)")]
    StockMove { index: usize },
    #[error("第 {index} 项的 {field} 指向的记录不存在、不在同一网格或不在您的范围内 (change {index}: {field} names no record of the same grid that you may use)")]
    Reference { index: usize, field: String },
}

/// Every change checked against the schema and its field's rules: one detail per failing change.
pub fn validate(changes: &[Change]) -> Result<(), Refusal> {
    let details: Vec<ErrorDetail> = changes
        .iter()
        .enumerate()
        .filter_map(|(index, c)| {
            model::validate::check_change(c)
                .err()
                .map(|problem| ErrorDetail::from_problem(index, &problem))
        })
        .collect();
    if details.is_empty() {
        Ok(())
    } else {
        Err(Refusal::Invalid(details))
    }
}

/// What a device's batch must be before the stored records are asked, in this order: stamps
/// of the pushing device, valid values, fields the role may write, and no stamp more than
/// [`MAX_SKEW_MS`] ahead of `now_ms`.
pub fn check_push(
    role: Role,
    device_id: &str,
    changes: &[Change],
    now_ms: i64,
) -> Result<(), Refusal> {
    let mut stamps = Vec::with_capacity(changes.len());
    for (index, c) in changes.iter().enumerate() {
        let stamp = Hlc::parse(&c.hlc).map_err(|_| Refusal::Malformed {
            index,
            hlc: c.hlc.clone(),
        })?;
        if stamp.device != device_id {
            return Err(Forbidden::OtherDevice { index }.into());
        }
        stamps.push(stamp);
    }
    validate(changes)?;
    if let Some((index, c)) = changes
        .iter()
        .enumerate()
        .find(|(_, c)| !model::schema::can_write(role, &c.entity, &c.field))
    {
        return Err(Forbidden::Field {
            index,
            role: role.as_str(),
            entity: c.entity.clone(),
            field: c.field.clone(),
        }
        .into());
    }
    if stamps.iter().any(|s| s.ms as i64 > now_ms + MAX_SKEW_MS) {
        return Err(Refusal::ClockSkew {
            server_time_ms: now_ms,
        });
    }
    Ok(())
}

/// What an import's batch must be: valid values, and fields `writer` (the role the office
/// imports as) may write, so an import can never write what a device could not.
pub fn check_import(writer: Role, changes: &[Change]) -> Result<(), Refusal> {
    validate(changes)?;
    match changes
        .iter()
        .find(|c| !model::schema::can_write(writer, &c.entity, &c.field))
    {
        Some(c) => Err(Forbidden::Import {
            entity: c.entity.clone(),
            field: c.field.clone(),
        }
        .into()),
        None => Ok(()),
    }
}

/// Stores a checked batch if the record-level rules allow it ([`judge`]), judged against the
/// stored records inside the write transaction: no other batch can change a record's grid or
/// owner between the check and the write. Returns how many values won; a refusal writes nothing.
pub async fn store(
    storage: &dyn Storage,
    user: &UserRecord,
    device_id: &str,
    changes: Vec<Change>,
) -> storage::Result<Result<usize, Refusal>> {
    let author = crate::records::Author {
        user_id: user.id.clone(),
        device_id: device_id.to_owned(),
        at_ms: crate::now_ms(),
    };
    store_as(storage, user, author, changes).await
}

/// [`store`] with the history's author given (the demo's edits, written as its people's).
pub async fn store_as(
    storage: &dyn Storage,
    user: &UserRecord,
    author: crate::records::Author,
    changes: Vec<Change>,
) -> storage::Result<Result<usize, Refusal>> {
    let user = user.clone();
    storage
        .write_reading(crate::records::reads_ahead(&changes), move |tx| {
            write_checked(tx, Some(&author), |lookup| {
                Ok(judge(&user, &changes, lookup)?.map(|()| changes))
            })
        })
        .await
}

/// An import's commit: [`check_import`], then [`store`] as the user; an empty batch is no write.
pub async fn commit_import(
    storage: &dyn Storage,
    user: &UserRecord,
    device_id: &str,
    writer: Role,
    changes: Vec<Change>,
) -> storage::Result<Result<usize, Refusal>> {
    if let Err(refusal) = check_import(writer, &changes) {
        return Ok(Err(refusal));
    }
    if changes.is_empty() {
        return Ok(Ok(0));
    }
    store(storage, user, device_id, changes).await
}
