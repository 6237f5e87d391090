//! The device storm: many devices, each logged in with its own device id and already in sync,
//! all push two new residents at the same instant and pull until done; then the check that
//! nothing was lost. And the users they log in as: the demo's two grid workers, or a morning of
//! grids the bench makes, each worked by a grid worker of its own.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{ensure, Result};
use model::wire::{Change, CreateUserRequest};
use tokio::sync::{Barrier, Semaphore};

use super::api::{push_body, Api};
use super::rows::{key, new_grids, new_residents, now_ms, RESIDENT_FIELDS};
use super::servers::{Cpu, CpuProbe};
use crate::say;

/// Changes each simulated device pushes: two new residents.
pub const DEVICE_CHANGES: usize = 2 * RESIDENT_FIELDS;
/// The server checks at most 4 passwords at once and answers more with 429 at once
/// (server::auth::PASSWORD_CHECKS): no more logins (or new passwords) at a time to one server.
pub const PASSWORD_CHECKS: usize = 4;
/// Logins of one client checked at once for a name not yet logged in from there
/// (server::limiter, `per_client_at_once`): the first login of each new user.
const FIRST_LOGINS: usize = 2;

/// A user the devices log in as, and the latest cursor of their scope: a device that synced
/// before starts there (a cursor belongs to the user's scope, not to one device).
pub struct Worker {
    pub username: String,
    pub grids: Vec<String>,
    pub cursor: String,
}

/// The morning: `n` grids pushed by the admin, a grid worker of each made through
/// `POST /api/v1/users`, each worker's cursor from a first pull. Returns the workers and the
/// user name and password of each.
pub async fn morning(api: &Api, n: usize) -> Result<(Vec<Worker>, Vec<(String, String)>)> {
    let device = "bench-setup";
    let (admin, _) = api.login("admin", device).await?;
    say(&format!(
        "morning: the admin pushes {n} grids and makes a grid worker for each"
    ));
    let (grids, changes) = new_grids(n, device, now_ms());
    let r = api.push(&admin, device, &changes).await?;
    ensure!(
        r.applied == changes.len(),
        "the grids: {} of {} changes applied",
        r.applied,
        changes.len()
    );
    let accounts: Vec<(String, String)> = (1..=n)
        .map(|i| {
            (
                format!("bench-worker-{i:03}"),
                uuid::Uuid::new_v4().simple().to_string(),
            )
        })
        .collect();
    let requests: Vec<CreateUserRequest> = accounts
        .iter()
        .zip(&grids)
        .enumerate()
        .map(|(i, ((username, password), grid))| CreateUserRequest {
            username: username.clone(),
            name: format!("晨测网格员 {}", i + 1),
            role: model::Role::GridWorker,
            grids: vec![grid.clone()],
            password: password.clone(),
        })
        .collect();
    let (creator, token) = (api.clone(), admin.clone());
    at_most(PASSWORD_CHECKS, requests, move |req| {
        let (api, token) = (creator.clone(), token.clone());
        async move { api.create_user(&token, &req).await }
    })
    .await?;
    let api = api.with_accounts(accounts.clone());
    let names: Vec<String> = accounts.iter().map(|(u, _)| u.clone()).collect();
    // After this first login from here, each name is trusted from here: the devices' logins
    // may then run as many at once as the server checks passwords.
    let workers = at_most(FIRST_LOGINS, names, move |username| {
        let api = api.clone();
        async move {
            let (token, info) = api.login(&username, "bench-probe").await?;
            let (_, _, cursor) = api.pull_all(&token, None, |_| {}).await?;
            anyhow::Ok(Worker {
                username,
                grids: info.grids,
                cursor,
            })
        }
    })
    .await?;
    Ok((workers, accounts))
}

/// Runs `each` on every item, `limit` at a time, each in a task of its own; results in order.
async fn at_most<I, T, F, Fut>(limit: usize, items: Vec<I>, each: F) -> Result<Vec<T>>
where
    F: Fn(I) -> Fut,
    Fut: Future<Output = Result<T>> + Send + 'static,
    T: Send + 'static,
{
    let permits = Arc::new(Semaphore::new(limit));
    let tasks: Vec<_> = items
        .into_iter()
        .map(|item| {
            let (permits, work) = (permits.clone(), each(item));
            tokio::spawn(async move {
                let _permit = permits.acquire_owned().await?;
                work.await
            })
        })
        .collect();
    let mut out = Vec::with_capacity(tasks.len());
    for t in tasks {
        out.push(t.await??);
    }
    Ok(out)
}

/// One simulated device's sync: push then pull until done.
pub struct DeviceRun {
    pub secs: f64,
    pub push_secs: f64,
    /// Changes its pull received.
    pub pulled: usize,
    pub pages: usize,
    /// What its user's scope received in the storm: the changes pushed by its user's devices.
    pub expected: usize,
}

pub struct Storm {
    pub login_secs: f64,
    pub runs: Vec<DeviceRun>,
    pub secs: f64,
    /// CPU seconds used while the devices synced.
    pub cpu: Cpu,
    pub lost_on_server: usize,
    pub missed_by_devices: usize,
    pub errors: Vec<String>,
}

/// Which worker and which server the `i`th device has: the devices go to the servers in turn
/// (the load generator is the balancer), and each worker's devices are spread over them too.
fn place(i: usize, workers: usize, servers: usize) -> (usize, usize) {
    ((i / servers) % workers, i % servers)
}

/// `n` devices over `workers` and the servers of `apis` (one client each, as a template), all
/// at once. Afterwards: is every pushed value on the server, and did every device receive
/// every change of its user's grids (allowing one more pull for changes pushed after it
/// finished)?
pub async fn run(apis: &[Api], workers: &[Worker], n: usize, cpu: &CpuProbe) -> Result<Storm> {
    say(&format!(
        "devices: {n} log in, each with its own device id, as {} grid workers on {} server(s)",
        workers.len(),
        apis.len()
    ));
    // A server trusts this client for a name only once that name logged in there, and that trust
    // lives in the server's memory: the workers logged in on the first server while their
    // cursors were read, so on each other server one login per name comes first, as few at once
    // as the first logins of a name (else the devices' logins there are answered 429).
    let names: Vec<(Api, String)> = apis[1..]
        .iter()
        .flat_map(|api| workers.iter().map(|w| (api.clone(), w.username.clone())))
        .collect();
    at_most(FIRST_LOGINS, names, |(api, username)| async move {
        api.login(&username, "bench-probe").await.map(drop)
    })
    .await?;
    let started = Instant::now();
    let checks: Vec<Arc<Semaphore>> = apis
        .iter()
        .map(|_| Arc::new(Semaphore::new(PASSWORD_CHECKS)))
        .collect();
    let mut tasks = Vec::new();
    for i in 0..n {
        let (w, s) = place(i, workers.len(), apis.len());
        let (api, checks) = (apis[s].clone(), checks[s].clone());
        let user = workers[w].username.clone();
        tasks.push(tokio::spawn(async move {
            let _permit = checks.acquire_owned().await?;
            let device = format!("bench-device-{i:04}");
            // Each device its own client, so its own connection, as phones have.
            let api = api.fresh_on(&api.base)?;
            let (token, _) = api.login(&user, &device).await?;
            anyhow::Ok((api, w, device, token))
        }));
    }
    let mut devices = Vec::new();
    for t in tasks {
        devices.push(t.await??);
    }
    let login_secs = started.elapsed().as_secs_f64();

    say(&format!(
        "devices: {n} push {DEVICE_CHANGES} changes each and pull, all at once"
    ));
    let t0 = now_ms();
    let gate = Arc::new(Barrier::new(n + 1));
    let mut tasks = Vec::new();
    let mut pushed: Vec<(usize, Vec<Change>)> = Vec::new();
    for (i, (api, w, device, token)) in devices.into_iter().enumerate() {
        let changes = new_residents(
            DEVICE_CHANGES / RESIDENT_FIELDS,
            &workers[w].grids,
            &device,
            t0,
            i,
        );
        // Made before the task starts: nothing may stop a task short of the gate, or the rest
        // would wait at it for ever.
        let body = push_body(&device, &changes)?;
        pushed.push((w, changes));
        let cursor = workers[w].cursor.clone();
        let gate = gate.clone();
        tasks.push(tokio::spawn(async move {
            gate.wait().await;
            let started = Instant::now();
            let r = api.push_raw(&token, body).await?;
            let push_secs = started.elapsed().as_secs_f64();
            ensure!(
                r.applied == DEVICE_CHANGES,
                "{device}: applied {} of {DEVICE_CHANGES}",
                r.applied
            );
            let mut seen = HashSet::new();
            let (pulled, pages, cursor) = api
                .pull_all(&token, Some(cursor), |c| {
                    seen.insert(key(c));
                })
                .await?;
            let secs = started.elapsed().as_secs_f64();
            anyhow::Ok((secs, push_secs, pulled, pages, api, token, cursor, seen))
        }));
    }
    let mut expected = vec![0; workers.len()];
    for (w, changes) in &pushed {
        expected[*w] += changes.len();
    }
    gate.wait().await;
    let started = Instant::now();
    let cpu_before = cpu.sample();
    let mut runs = Vec::new();
    let mut finished = Vec::new();
    let mut errors = Vec::new();
    for (i, t) in tasks.into_iter().enumerate() {
        match t.await? {
            Ok((secs, push_secs, pulled, pages, api, token, cursor, seen)) => {
                runs.push(DeviceRun {
                    secs,
                    push_secs,
                    pulled,
                    pages,
                    expected: expected[pushed[i].0],
                });
                finished.push((i, api, token, cursor, seen));
            }
            Err(e) => errors.push(format!("device {i}: {e:#}")),
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let cpu = cpu.sample().since(&cpu_before);

    say("devices: checking that nothing was lost");
    // On the server: every pushed value, with its stamp, as the admin reads it.
    let api = &apis[0];
    let (admin, _) = api.login("admin", "bench-check").await?;
    let mut stored = HashMap::new();
    api.pull_all(&admin, None, |c| {
        stored.insert(key(c), (c.value.clone(), c.hlc.clone()));
    })
    .await?;
    let lost_on_server = pushed
        .iter()
        .flat_map(|(_, changes)| changes)
        .filter(|c| stored.get(&key(c)) != Some(&(c.value.clone(), c.hlc.clone())))
        .count();
    // On the devices: every change of their user's grids, from what they pulled plus one more
    // pull (from the server the device talks to).
    let mut missed_by_devices = 0;
    for (i, api, token, cursor, mut seen) in finished {
        api.pull_all(&token, Some(cursor), |c| {
            seen.insert(key(c));
        })
        .await?;
        let w = pushed[i].0;
        missed_by_devices += pushed
            .iter()
            .filter(|(other, _)| *other == w)
            .flat_map(|(_, changes)| changes)
            .filter(|c| !seen.contains(&key(c)))
            .count();
    }
    Ok(Storm {
        login_secs,
        runs,
        secs,
        cpu,
        lost_on_server,
        missed_by_devices,
        errors,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_take_the_servers_in_turn_and_every_worker_gets_each_server() {
        let placed: Vec<_> = (0..8).map(|i| place(i, 2, 2)).collect();
        assert_eq!(
            placed,
            [
                (0, 0),
                (0, 1),
                (1, 0),
                (1, 1),
                (0, 0),
                (0, 1),
                (1, 0),
                (1, 1)
            ]
        );
        // One server: the workers in turn, as before there were several.
        let one: Vec<_> = (0..4).map(|i| place(i, 3, 1)).collect();
        assert_eq!(one, [(0, 0), (1, 0), (2, 0), (0, 0)]);
        // 500 devices over 50 workers: ten each.
        let mut per_worker = [0; 50];
        (0..500).for_each(|i| per_worker[place(i, 50, 2).0] += 1);
        assert!(per_worker.iter().all(|n| *n == 10));
    }
}
