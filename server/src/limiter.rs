//! The login limiter: failed logins counted per user name and client, per client and per user
//! name, each attempt reserved before its password is checked, in bounded memory; and the bound
//! on how many passwords are checked at once.
//!
//! Why three counters (docs/sync-protocol.md#login-in-detail): counting per user name alone let
//! any stranger lock the admin out with five requests, and let one password be sprayed over many
//! names without limit. The tight limit is therefore per (name, client), a looser one per client
//! stops spraying, and a much looser one per name stops many clients guessing one account
//! together. A client where the right password was given for a name is trusted for that name:
//! it answers only to its own (name, client) count, so strangers cannot lock a user out of the
//! place they log in from.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

/// Who is guessing: an IPv4 address, or the /64 network of an IPv6 address (one host is usually
/// given a whole /64, so its addresses count as one client).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Client(IpAddr);

impl Client {
    /// The caller of a server started without peer addresses (a router driven in-process):
    /// every such caller is this one client.
    pub const UNKNOWN: Client = Client(IpAddr::V4(Ipv4Addr::UNSPECIFIED));

    pub fn from_ip(ip: IpAddr) -> Client {
        match ip.to_canonical() {
            IpAddr::V6(v6) => {
                let s = v6.segments();
                Client(IpAddr::V6(Ipv6Addr::new(
                    s[0], s[1], s[2], s[3], 0, 0, 0, 0,
                )))
            }
            v4 => Client(v4),
        }
    }
}

/// The address the request came from: the connection's peer, or, when the peer is a reverse
/// proxy named in `KNOCK_TRUSTED_PROXIES`, the address that proxy says it served (the rightmost
/// `X-Forwarded-For` entry that is not itself a trusted proxy). Without the peer address (a
/// router driven in-process) every caller is [`Client::UNKNOWN`].
impl FromRequestParts<crate::AppState> for Client {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &crate::AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(peer) = parts.extensions.get::<ConnectInfo<SocketAddr>>() else {
            return Ok(Client::UNKNOWN);
        };
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok());
        let ip = client_ip(peer.0.ip(), forwarded, &state.config.trusted_proxies);
        Ok(Client::from_ip(ip))
    }
}

/// Who a request is from: `peer` itself unless it is one of `trusted`; then the rightmost
/// address of the `X-Forwarded-For` lists (in header order) that is not trusted. Entries left of
/// it are the client's own say and are never believed; an unreadable entry ends the walk at the
/// last proxy, which then stands for the client.
pub fn client_ip<'h>(
    peer: IpAddr,
    forwarded: impl Iterator<Item = &'h str>,
    trusted: &[IpAddr],
) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let hops: Vec<&str> = forwarded
        .flat_map(|h| h.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        match hop.parse::<IpAddr>() {
            Ok(ip) if trusted.contains(&ip) => client = ip,
            Ok(ip) => return ip,
            Err(_) => return client,
        }
    }
    client
}

/// The limits; [`Limits::default`] is what the server runs with.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Failures count for this long from the first of them; then the count starts again.
    pub window: Duration,
    /// Failures of one user name from one client that lock that name for that client.
    pub per_name_client: u32,
    /// Failures from one client, any names, that lock the client (but not its trusted names).
    pub per_client: u32,
    /// Attempts of one client checked at once (but not of its trusted names): so one client
    /// cannot hold every password check and keep everyone else's login waiting.
    pub per_client_at_once: u32,
    /// Failures of one user name, any clients, that lock the name (but not where it is trusted).
    pub per_name: u32,
    /// How long a right password makes its client trusted for that name.
    pub trust: Duration,
    /// Counters kept at most; past it a login needing a new counter is refused until some expire.
    pub max_counters: usize,
    /// Trusted (name, client) pairs kept at most; past it no new pair is trusted until some expire.
    pub max_trusted: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            window: Duration::from_secs(15 * 60),
            per_name_client: 5,
            per_client: 30,
            per_client_at_once: 2,
            per_name: 100,
            trust: Duration::from_secs(30 * 24 * 3600),
            // About 120 bytes each (a name is at most 32 characters): some 12 MB when full.
            max_counters: 100_000,
            max_trusted: 10_000,
        }
    }
}

const SWEEP: Duration = Duration::from_secs(60);
const SWEEP_WHEN_FULL: Duration = Duration::from_secs(1);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Pair(String, Client),
    Client(Client),
    Name(String),
}

#[derive(Debug)]
struct Counter {
    failures: u32,
    /// Attempts reserved and not yet decided: they count against the limit, so parallel guesses
    /// cannot all pass before the first failure is counted.
    in_flight: u32,
    since: Instant,
}

impl Counter {
    fn failures_at(&self, now: Instant, window: Duration) -> u32 {
        if now.duration_since(self.since) < window {
            self.failures
        } else {
            0
        }
    }
}

struct State {
    counters: HashMap<Key, Counter>,
    trusted: HashMap<(String, Client), Instant>,
    last_sweep: Instant,
}

/// In memory: a restart forgives, which is fine for a limiter whose job is to slow guessing down.
pub struct LoginLimiter {
    limits: Limits,
    state: Mutex<State>,
}

/// The counters an attempt is reserved on, and whether each one's lock applies to it.
fn keys(name: &str, client: Client) -> [Key; 3] {
    [
        Key::Pair(name.to_owned(), client),
        Key::Client(client),
        Key::Name(name.to_owned()),
    ]
}

impl LoginLimiter {
    pub fn new(limits: Limits) -> LoginLimiter {
        LoginLimiter {
            limits,
            state: Mutex::new(State {
                counters: HashMap::new(),
                trusted: HashMap::new(),
                last_sweep: Instant::now(),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Reserves an attempt of `name` from `client`, or says how long to wait when a counter that
    /// applies is at its limit (failures and attempts still being checked together).
    pub fn begin(self: &Arc<Self>, name: &str, client: Client) -> Result<Attempt, Duration> {
        let l = self.limits;
        let now = Instant::now();
        let mut state = self.lock();
        // A sweep walks every counter: once a minute, or once a second while the map is full.
        let need_room = state.counters.len() + 3 > l.max_counters;
        let since_sweep = now.duration_since(state.last_sweep);
        let every = if need_room { SWEEP_WHEN_FULL } else { SWEEP };
        if since_sweep >= every.min(l.window) {
            state.sweep(now, &l);
        }
        let trusted = state
            .trusted
            .get(&(name.to_owned(), client))
            .is_some_and(|t| now.duration_since(*t) < l.trust);
        let keys = keys(name, client);
        let limits = [
            Some(l.per_name_client),
            (!trusted).then_some(l.per_client),
            (!trusted).then_some(l.per_name),
        ];
        let mut wait = state
            .counters
            .get(&keys[1])
            .filter(|c| !trusted && c.in_flight >= l.per_client_at_once)
            .map(|_| Duration::from_secs(1));
        let mut missing = 0;
        for (key, limit) in keys.iter().zip(limits) {
            let Some(c) = state.counters.get(key) else {
                missing += 1;
                continue;
            };
            let failures = c.failures_at(now, l.window);
            if limit.is_some_and(|limit| failures + c.in_flight >= limit) {
                let left = if limit.is_some_and(|limit| failures >= limit) {
                    l.window.saturating_sub(now.duration_since(c.since))
                } else {
                    // Locked only by attempts still being checked: they are decided in a moment.
                    Duration::from_secs(1)
                };
                wait = Some(wait.map_or(left, |w| w.max(left)));
            }
        }
        if let Some(w) = wait {
            return Err(w);
        }
        if state.counters.len() + missing > l.max_counters {
            return Err(Duration::from_secs(60));
        }
        for key in &keys {
            let c = state.counters.entry(key.clone()).or_insert(Counter {
                failures: 0,
                in_flight: 0,
                since: now,
            });
            c.in_flight += 1;
        }
        Ok(Attempt {
            limiter: self.clone(),
            name: name.to_owned(),
            client,
            decided: false,
        })
    }

    /// How many counters and trusted pairs are kept: what the limiter's memory grows with.
    pub fn sizes(&self) -> (usize, usize) {
        let state = self.lock();
        (state.counters.len(), state.trusted.len())
    }

    fn finish(&self, name: &str, client: Client, outcome: Option<bool>) {
        let l = self.limits;
        let now = Instant::now();
        let mut state = self.lock();
        for key in keys(name, client) {
            let Some(c) = state.counters.get_mut(&key) else {
                continue;
            };
            c.in_flight = c.in_flight.saturating_sub(1);
            if outcome == Some(false) {
                if c.failures_at(now, l.window) == 0 {
                    c.failures = 0;
                    c.since = now;
                }
                c.failures += 1;
            }
        }
        if outcome == Some(true) {
            let pair = Key::Pair(name.to_owned(), client);
            if state.counters.get(&pair).is_some_and(|c| c.in_flight == 0) {
                state.counters.remove(&pair);
            } else if let Some(c) = state.counters.get_mut(&pair) {
                c.failures = 0;
            }
            let key = (name.to_owned(), client);
            if state.trusted.len() < l.max_trusted || state.trusted.contains_key(&key) {
                state.trusted.insert(key, now);
            }
        }
    }
}

impl State {
    /// Forgets counters whose window has passed and trust that has run out.
    fn sweep(&mut self, now: Instant, l: &Limits) {
        self.counters
            .retain(|_, c| c.in_flight > 0 || c.failures_at(now, l.window) > 0);
        self.trusted.retain(|_, t| now.duration_since(*t) < l.trust);
        self.last_sweep = now;
    }
}

/// A reserved attempt. Say how it went with [`Attempt::failed`] or [`Attempt::succeeded`];
/// dropped undecided (the request ended first) it only gives its reservation back.
pub struct Attempt {
    limiter: Arc<LoginLimiter>,
    name: String,
    client: Client,
    decided: bool,
}

impl Attempt {
    /// A wrong password (or unknown or disabled user): counted on all three counters.
    pub fn failed(mut self) {
        self.decided = true;
        self.limiter.finish(&self.name, self.client, Some(false));
    }

    /// The right password: clears the (name, client) count and trusts the client for the name.
    /// The client's and the name's counts stay, so logging into one's own account does not buy
    /// more guesses at others.
    pub fn succeeded(mut self) {
        self.decided = true;
        self.limiter.finish(&self.name, self.client, Some(true));
    }
}

impl Drop for Attempt {
    fn drop(&mut self) {
        if !self.decided {
            self.limiter.finish(&self.name, self.client, None);
        }
    }
}

#[cfg(test)]
mod forwarded_tests {
    use std::net::IpAddr;

    use super::client_ip;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn only_a_trusted_proxy_is_believed_and_only_about_the_hop_it_saw() {
        let proxy = ip("10.0.0.2");
        let trusted = [proxy, ip("10.0.0.3")];
        // Not a trusted proxy: its header is the client's own claim.
        assert_eq!(
            client_ip(ip("203.0.113.9"), ["198.51.100.1"].into_iter(), &trusted),
            ip("203.0.113.9")
        );
        // The proxy's word about who it served.
        assert_eq!(
            client_ip(proxy, ["203.0.113.5"].into_iter(), &trusted),
            ip("203.0.113.5")
        );
        // A client that sends its own X-Forwarded-For gets appended to: its claim is left of
        // the address the proxy saw, and is not believed.
        assert_eq!(
            client_ip(proxy, ["1.2.3.4, 203.0.113.5"].into_iter(), &trusted),
            ip("203.0.113.5")
        );
        // Two trusted proxies in a row, and headers split over several lines.
        assert_eq!(
            client_ip(
                proxy,
                ["1.2.3.4", "203.0.113.7, 10.0.0.3"].into_iter(),
                &trusted
            ),
            ip("203.0.113.7")
        );
        // No header or an unreadable one: the proxy itself stands for the client.
        assert_eq!(client_ip(proxy, std::iter::empty(), &trusted), proxy);
        assert_eq!(client_ip(proxy, ["unknown"].into_iter(), &trusted), proxy);
        // Nothing trusted: every header is ignored.
        assert_eq!(client_ip(proxy, ["203.0.113.5"].into_iter(), &[]), proxy);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(last: u8) -> Client {
        Client::from_ip(IpAddr::V4(Ipv4Addr::new(10, 0, 0, last)))
    }

    fn limiter(limits: Limits) -> Arc<LoginLimiter> {
        Arc::new(LoginLimiter::new(limits))
    }

    #[test]
    fn five_failures_lock_the_name_for_that_client_only_and_success_clears() {
        let l = limiter(Limits::default());
        for _ in 0..5 {
            l.begin("wang", client(1)).unwrap().failed();
        }
        let wait = l.begin("wang", client(1)).err().unwrap();
        assert!(wait > Duration::from_secs(14 * 60), "{wait:?}");
        assert!(
            l.begin("li", client(1)).is_ok(),
            "another name is not locked"
        );
        let a = l.begin("wang", client(2)).unwrap();
        a.succeeded();
        // Client 2 is now trusted for wang; client 1 stays locked for wang.
        assert!(l.begin("wang", client(1)).is_err());
    }

    #[test]
    fn parallel_attempts_are_reserved_so_only_the_limit_passes() {
        // Many at once allowed, to see the (name, client) count alone.
        let l = limiter(Limits {
            per_client_at_once: 100,
            ..Limits::default()
        });
        let held: Vec<Attempt> = (0..20)
            .filter_map(|_| l.begin("wang", client(1)).ok())
            .collect();
        assert_eq!(held.len(), 5, "the sixth waits for the first five");
        assert_eq!(
            l.begin("wang", client(1)).err(),
            Some(Duration::from_secs(1)),
            "locked only by attempts in flight: try again in a moment"
        );
        drop(held);
        assert!(
            l.begin("wang", client(1)).is_ok(),
            "undecided attempts give their reservation back"
        );
    }

    #[test]
    fn one_client_checks_at_most_two_attempts_at_once_except_for_its_trusted_names() {
        let l = limiter(Limits::default());
        l.begin("admin", client(1)).unwrap().succeeded();
        let a = l.begin("n1", client(1)).unwrap();
        let _b = l.begin("n2", client(1)).unwrap();
        assert_eq!(l.begin("n3", client(1)).err(), Some(Duration::from_secs(1)));
        assert!(
            l.begin("n3", client(2)).is_ok(),
            "another client is not held up"
        );
        assert!(l.begin("admin", client(1)).is_ok(), "nor a trusted name");
        a.failed();
        assert!(l.begin("n3", client(1)).is_ok());
    }

    #[test]
    fn spraying_one_client_over_many_names_is_locked_but_not_its_trusted_names() {
        let l = limiter(Limits::default());
        l.begin("admin", client(1)).unwrap().succeeded();
        for i in 0..30 {
            l.begin(&format!("user{i}"), client(1)).unwrap().failed();
        }
        assert!(
            l.begin("user99", client(1)).is_err(),
            "the client is locked"
        );
        assert!(
            l.begin("user99", client(2)).is_ok(),
            "other clients are not"
        );
        assert!(
            l.begin("admin", client(1)).is_ok(),
            "a name already logged into from this client still may"
        );
    }

    #[test]
    fn many_clients_guessing_one_name_lock_it_except_where_it_is_trusted() {
        let l = limiter(Limits::default());
        l.begin("admin", client(200)).unwrap().succeeded();
        for i in 0..100u8 {
            l.begin("admin", client(i)).unwrap().failed();
        }
        assert!(
            l.begin("admin", client(150)).is_err(),
            "a new client is locked out"
        );
        assert!(
            l.begin("admin", client(200)).is_ok(),
            "the admin's own client is not"
        );
    }

    #[test]
    fn counters_expire_after_their_window_and_memory_is_capped() {
        let l = limiter(Limits {
            window: Duration::from_millis(200),
            max_counters: 9,
            ..Limits::default()
        });
        for i in 0..3 {
            l.begin(&format!("n{i}"), client(1)).unwrap().failed();
        }
        // 3 pairs, 1 client, 3 names: 7 counters; a new name needs 2 more and then 2 again.
        assert_eq!(l.sizes().0, 7);
        l.begin("n3", client(1)).unwrap().failed();
        assert_eq!(
            l.begin("n4", client(1)).err(),
            Some(Duration::from_secs(60)),
            "full of live counters: refused rather than grown"
        );
        std::thread::sleep(Duration::from_millis(250));
        assert!(
            l.begin("n4", client(1)).is_ok(),
            "expired counters were swept"
        );
        assert!(l.sizes().0 <= 3);
    }

    #[test]
    fn ipv6_clients_are_their_64_network_and_mapped_ipv4_is_ipv4() {
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(Client::from_ip(a), Client::from_ip(b));
        assert_ne!(Client::from_ip(a), Client::from_ip(c));
        let mapped: IpAddr = "::ffff:10.0.0.1".parse().unwrap();
        assert_eq!(Client::from_ip(mapped), client(1));
    }
}
