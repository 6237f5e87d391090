//! The grid records as the accounts, the login and the dashboard list them: by name.

use std::collections::BTreeMap;

use model::entities::grid;
use model::record::{Fields, Grid, Values};

use crate::storage::{Result, Storage};

/// Every grid record not deleted, as (id, name), by name.
pub async fn all(storage: &dyn Storage) -> Result<Vec<(String, String)>> {
    let records = storage
        .values(grid::NAME, None, &[grid::field::NAME, grid::field::DELETED])
        .await?;
    let mut grids: Vec<(String, String)> = records
        .iter()
        .filter(|(_, v)| v.contains_key(grid::field::NAME) && !v.is_deleted())
        .map(|(id, v)| (id.clone(), name_or_id(id, v)))
        .collect();
    grids.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    Ok(grids)
}

/// The current name of each grid record, in the order of `ids` (the id where none).
pub async fn names(storage: &dyn Storage, ids: &[String]) -> Result<Vec<String>> {
    let records = storage
        .values(grid::NAME, Some(ids.to_vec()), &[grid::field::NAME])
        .await?;
    let none = BTreeMap::new();
    Ok(ids
        .iter()
        .map(|id| name_or_id(id, records.get(id).unwrap_or(&none)))
        .collect())
}

fn name_or_id(id: &str, v: &Values) -> String {
    Grid(v).name().unwrap_or(id).to_owned()
}

#[cfg(test)]
mod tests {
    use model::wire::Change;
    use serde_json::json;

    use super::*;

    #[tokio::test]
    async fn grids_are_the_live_grid_records_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let storage = crate::storage::scratch::fresh_in(dir.path()).await.unwrap();
        let s: &dyn Storage = storage.as_ref();
        let change = |id: &str, field: &str, value, n: u64| Change {
            entity: grid::NAME.into(),
            id: id.into(),
            field: field.into(),
            value,
            hlc: format!("{:013}-0000-dev", 1_764_331_200_000 + n),
        };
        s.apply_changes(vec![
            change("b", grid::field::NAME, json!("第二网格"), 1),
            change("a", grid::field::NAME, json!("第一网格"), 1),
            change("c", grid::field::NAME, json!("旧网格"), 1),
            change("c", grid::field::DELETED, json!(true), 2),
        ])
        .await
        .unwrap();
        assert_eq!(
            all(s).await.unwrap(),
            [
                ("a".to_string(), "第一网格".to_string()),
                ("b".into(), "第二网格".into())
            ]
        );
        let asked = ["b".to_string(), "nowhere".into(), "c".into()];
        assert_eq!(
            names(s, &asked).await.unwrap(),
            ["第二网格", "nowhere", "旧网格"]
        );
    }
}
