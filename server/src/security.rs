//! The headers every response carries: a Content-Security-Policy computed at start from the
//! served `index.html` (its inline scripts by hash, the configured tile server for images), no
//! MIME sniffing, no framing, no referrer; and `Cache-Control: no-store` on the API.

use std::path::Path;

use axum::http::{header, HeaderName, HeaderValue};
use base64::Engine;
use sha2::{Digest, Sha256};
use tower_http::set_header::SetResponseHeaderLayer;

/// The `style` attributes the app's libraries write from WebAssembly (with `setAttribute`, which
/// the CSP governs, unlike styles set through the CSSOM): leptos-leaflet's map container writes
/// an empty one, its tooltips a hidden holder for their content. Allowed by hash, these exact
/// values only, rather than every inline style.
const STYLE_ATTRIBUTES: &[&str] = &["", "visibility:collapse"];

/// The policy for the app in `dist` (hashes of the inline scripts and styles of its
/// `index.html`; without one, none) whose map may load tiles from `tile_url`.
pub fn content_security_policy(dist: &Path, tile_url: Option<&str>) -> String {
    let html = std::fs::read_to_string(dist.join("index.html")).unwrap_or_default();
    let hashed = |texts: &[&str]| -> String {
        texts
            .iter()
            .map(|t| format!(" 'sha256-{}'", sha256_base64(t)))
            .collect()
    };
    let scripts = hashed(&inline_elements(&html, "script"));
    let mut styles = inline_elements(&html, "style");
    styles.extend(STYLE_ATTRIBUTES);
    // A path on this server ("/tiles/{z}/{x}/{y}.png") is covered by 'self'.
    let on_this_server = |u: &&str| u.starts_with('/') && !u.starts_with("//");
    let tile_url = tile_url.filter(|u| !on_this_server(u));
    let tiles = match tile_url.map(tile_origin) {
        Some(Some(origin)) => format!(" {origin}"),
        Some(None) => {
            tracing::warn!("KNOCK_TILE_URL is not an http(s) URL the browser may be allowed to load images from: the map shows no tiles");
            String::new()
        }
        None => String::new(),
    };
    // The app is WebAssembly ('wasm-unsafe-eval' compiles it, nothing else is evaluated);
    // Leaflet sets its styles through the CSSOM, which style-src does not govern, and
    // 'unsafe-hashes' lets only the style attributes hashed above through.
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{scripts}; style-src 'self' 'unsafe-hashes'{styles}; \
         img-src 'self' data: blob:{tiles}; connect-src 'self'; font-src 'self'; manifest-src 'self'; \
         worker-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        styles = hashed(&styles),
    )
}

/// The layers that put the security headers on every response (`csp` from
/// [`content_security_policy`]).
pub fn headers(csp: &str) -> [SetResponseHeaderLayer<HeaderValue>; 5] {
    let value = HeaderValue::from_str(csp).unwrap_or_else(|_| {
        // Unreachable with the policy built above; the strictest policy if it ever were.
        HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'")
    });
    [
        SetResponseHeaderLayer::overriding(header::CONTENT_SECURITY_POLICY, value),
        SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ),
        // For browsers that predate frame-ancestors.
        SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ),
        SetResponseHeaderLayer::overriding(
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ),
    ]
}

/// API answers are one person's data at one moment: no browser or proxy may keep them.
pub fn no_store() -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))
}

fn sha256_base64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text.as_bytes()))
}

/// The contents of each `<tag>` element of `html` that has no `src`, exactly as written (what a
/// CSP hash is taken of). A reader for the built index.html, not for any HTML.
fn inline_elements<'h>(html: &'h str, tag: &str) -> Vec<&'h str> {
    let lower = html.to_ascii_lowercase();
    let (open, close) = (format!("<{tag}"), format!("</{tag}"));
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(start) = lower[at..].find(&open).map(|i| at + i) {
        let after_name = start + open.len();
        // `<scripts>` or `<style-x>` are other elements.
        if !lower[after_name..].starts_with(|c: char| c == '>' || c.is_ascii_whitespace()) {
            at = after_name;
            continue;
        }
        let Some(tag_end) = end_of_tag(&lower, after_name) else {
            break;
        };
        let Some(body_end) = lower[tag_end..].find(&close).map(|i| tag_end + i) else {
            break;
        };
        if !has_attribute(&lower[after_name..tag_end - 1], "src") {
            out.push(&html[tag_end..body_end]);
        }
        at = body_end + close.len();
    }
    out
}

/// The index just past the `>` that ends the start tag whose attributes begin at `from`.
fn end_of_tag(html: &str, from: usize) -> Option<usize> {
    let mut quote = None;
    for (i, c) in html[from..].char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return Some(from + i + 1),
            _ => {}
        }
    }
    None
}

/// Whether the attributes `attrs` (lower case) name `name`, outside any quoted value.
fn has_attribute(attrs: &str, name: &str) -> bool {
    let mut names = Vec::new();
    let mut quote = None;
    let mut current = String::new();
    let mut in_value = false;
    for c in attrs.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => {
                quote = None;
                in_value = false;
            }
            (Some(_), _) => {}
            (None, '"' | '\'') if in_value => quote = Some(c),
            (None, '=') => {
                names.push(std::mem::take(&mut current));
                in_value = true;
            }
            (None, c) if c.is_ascii_whitespace() || c == '/' => {
                if !in_value && !current.is_empty() {
                    names.push(std::mem::take(&mut current));
                }
                in_value = false;
            }
            (None, c) if !in_value => current.push(c),
            _ => {}
        }
    }
    if !current.is_empty() && !in_value {
        names.push(current);
    }
    names.iter().any(|n| n == name)
}

/// `scheme://host[:port]` of a tile URL template, as a CSP source; a `{s}` subdomain becomes
/// `*`. None for anything but http(s) or a host with characters a CSP source cannot hold.
fn tile_origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next()?;
    // Credentials in a tile URL are not part of the origin.
    let authority = authority.rsplit('@').next()?;
    let authority = match authority.strip_prefix("{s}.") {
        Some(rest) => format!("*.{rest}"),
        None => authority.to_owned(),
    };
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']');
    let host = authority.strip_prefix("*.").unwrap_or(&authority);
    if host.is_empty() || !host.chars().all(allowed) {
        return None;
    }
    Some(format!("{scheme}://{}", authority.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_inline_scripts_and_styles_but_not_loaded_ones() {
        let html = r#"<html><head><script type="module">import init from '/app.js';</script>
<script src="/x.js"></script><style>p{}</style><link rel="stylesheet" href="/s.css"></head>
<body><script>
  navigator.serviceWorker.register("/sw.js");
</script><scripts>not one</scripts></body></html>"#;
        assert_eq!(
            inline_elements(html, "script"),
            vec![
                "import init from '/app.js';",
                "\n  navigator.serviceWorker.register(\"/sw.js\");\n"
            ]
        );
        assert_eq!(inline_elements(html, "style"), vec!["p{}"]);
    }

    #[test]
    fn a_src_inside_another_attribute_value_is_not_a_src() {
        let html =
            r#"<script data-note="src=/x.js">run()</script><script defer src='/y.js'></script>"#;
        assert_eq!(inline_elements(html, "script"), vec!["run()"]);
    }

    #[test]
    fn the_hash_is_the_one_browsers_compute() {
        // echo -n "alert('Hello, world.');" | openssl sha256 -binary | base64 (the CSP spec's example)
        assert_eq!(
            sha256_base64("alert('Hello, world.');"),
            "qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng="
        );
    }

    #[test]
    fn the_tile_origin_is_scheme_host_and_port_only() {
        assert_eq!(
            tile_origin("https://tiles.example/{z}/{x}/{y}.png").as_deref(),
            Some("https://tiles.example")
        );
        assert_eq!(
            tile_origin("http://10.0.0.5:8081/osm/{z}/{x}/{y}.png?key=1").as_deref(),
            Some("http://10.0.0.5:8081")
        );
        assert_eq!(
            tile_origin("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png").as_deref(),
            Some("https://*.tile.openstreetmap.org")
        );
        assert_eq!(tile_origin("javascript:alert(1)"), None);
        assert_eq!(tile_origin("https://evil.example; script-src *"), None);
        assert_eq!(tile_origin("/tiles/{z}/{x}/{y}.png"), None);
    }

    #[test]
    fn without_an_index_the_policy_allows_no_inline_script() {
        let dir = tempfile::tempdir().unwrap();
        let csp =
            content_security_policy(dir.path(), Some("https://tiles.example/{z}/{x}/{y}.png"));
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval';"),
            "{csp}"
        );
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        // The two style attributes of leptos-leaflet, by hash: "" and "visibility:collapse".
        assert!(csp.contains("style-src 'self' 'unsafe-hashes' 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=' 'sha256-X5nm9jaRrzzs8XQuxL8oniN9/Hq3cSglUW0xUGDdzGM=';"), "{csp}");
        assert!(
            csp.contains("img-src 'self' data: blob: https://tiles.example;"),
            "{csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        let same_origin = content_security_policy(dir.path(), Some("/tiles/{z}/{x}/{y}.png"));
        assert!(
            same_origin.contains("img-src 'self' data: blob:;"),
            "{same_origin}"
        );
    }
}
