//! Starts Knock: reads the config, opens the database, seeds the demo community when asked to
//! (`KNOCK_DEMO=1`) and the database is empty, and serves the app and the API from one origin;
//! `server user …` administers users instead, `server backup|restore|migrate …` copies databases.

use std::sync::Arc;

use anyhow::Context;
use server::storage::{self, Storage};
use server::{app, demo, serve, AppState, Config};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("user") {
        std::process::exit(user_command(&args[1..]).await);
    }
    if let Some(command @ ("backup" | "restore" | "migrate")) = args.first().map(String::as_str) {
        std::process::exit(backup_command(command, &args[1..]).await);
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("KNOCK_LOG")
                .unwrap_or_else(|_| "info,tower_http=warn".into()),
        )
        .init();
    let config = Config::from_env()?;
    let storage: Arc<dyn Storage> = storage::open(&config)
        .await
        .with_context(|| where_is(&config))?;

    if config.demo {
        // Servers sharing a database may start together: one seeds, the others find users.
        let _once = storage.startup_lock().await?;
        if storage.user_count().await? == 0 {
            demo::seed(storage.as_ref(), demo::Size::Full)
                .await
                .context("seeding the demo community")?;
        }
    }
    let refreshed = server::accounts::refresh_profiles(storage.as_ref())
        .await
        .map_err(|e| anyhow::anyhow!("bringing user profiles up to date: {e:?}"))?;
    if refreshed > 0 {
        tracing::info!(refreshed, "user profiles brought up to date");
    }
    if !config.dist_dir.join("index.html").exists() {
        tracing::warn!(dist = %config.dist_dir.display(), "no built app here: only the API is served (cargo xtask run builds it)");
    }

    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .with_context(|| {
            format!(
                "binding {} (set KNOCK_ADDR to use another address)",
                config.addr
            )
        })?;
    let addr = listener.local_addr()?;
    println!("Knock is serving at http://{addr}/");
    if config.demo {
        for line in demo::account_lines(storage.as_ref()).await? {
            println!("{line}");
        }
    }
    if storage.user_count().await? == 0 {
        tracing::warn!("no users yet: add an admin with `server user add <user name> --role admin`, or start once with KNOCK_DEMO=1 for the demo community");
    }
    let limits = serve::Limits::from(&config);
    let state = AppState::new(storage, config);
    let warming = state.clone();
    tokio::spawn(async move {
        let started = std::time::Instant::now();
        match server::handlers::dashboard::warm(&warming).await {
            Ok(n) => tracing::info!(
                snapshots = n,
                ms = started.elapsed().as_millis() as u64,
                "overview figures read ahead"
            ),
            Err(e) => tracing::warn!("reading the overview's figures ahead failed: {e}"),
        }
    });
    serve::serve(listener, app(state), limits, shutdown_signal()).await?;
    Ok(())
}

/// Which database a failure to open was about, the password left out.
fn where_is(config: &Config) -> String {
    match &config.database_url {
        Some(url) => format!("opening the PostgreSQL database {url:?}"),
        None => format!("opening the database in {}", config.data_dir.display()),
    }
}

/// `server user …` (see `server::cli`): prints what it did, or why not and exits non-zero.
async fn user_command(args: &[String]) -> i32 {
    let result = async {
        let config = Config::from_env()?;
        let storage = storage::open(&config)
            .await
            .with_context(|| where_is(&config))?;
        let mut out = std::io::stdout();
        server::cli::run(args, storage.as_ref(), &mut out).await
    }
    .await;
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e:#}");
            2
        }
    }
}

/// `server backup|restore|migrate …` (see `server::cli_backup`), as `user_command`.
async fn backup_command(command: &str, args: &[String]) -> i32 {
    let result = async {
        let config = Config::from_env()?;
        server::cli_backup::run(command, args, &config, &mut std::io::stdout()).await
    }
    .await;
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e:#}");
            2
        }
    }
}

/// Ctrl-C from a terminal or SIGTERM from a service manager: finish in-flight requests, then stop.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}
