//! Server-rendered pages (maud: checked at compile time). Every page uses the one layout and
//! our own stylesheet; no inline scripts.

pub mod account;
pub mod admin;
pub mod config;
pub mod home;
pub mod internal;
pub mod reviews;
pub mod session;
pub mod set_password;
pub mod shared;
pub mod tickets;
pub mod web;

use axum::http::header;
use axum::response::IntoResponse;

/// The stylesheet, built into the binary.
pub const CSS: &str = include_str!("../../static/portico.css");

/// `GET /static/portico.css`.
pub async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        CSS,
    )
}

#[cfg(test)]
mod tests {
    /// Each page module's source, to read which sibling modules it uses.
    const SOURCES: [(&str, &str); 11] = [
        ("account", include_str!("account.rs")),
        ("admin", include_str!("admin.rs")),
        ("config", include_str!("config.rs")),
        ("home", include_str!("home.rs")),
        ("internal", include_str!("internal.rs")),
        ("reviews", include_str!("reviews.rs")),
        ("session", include_str!("session.rs")),
        ("set_password", include_str!("set_password.rs")),
        ("shared", include_str!("shared.rs")),
        ("tickets", include_str!("tickets.rs")),
        ("web", include_str!("web.rs")),
    ];

    /// The sibling modules `source` names as `super::<module>`.
    fn uses(source: &str) -> Vec<&'static str> {
        SOURCES
            .iter()
            .map(|(name, _)| *name)
            .filter(|name| source.contains(&format!("super::{name}::")))
            .collect()
    }

    fn reaches(from: &str, to: &str, seen: &mut Vec<String>) -> bool {
        let Some((_, source)) = SOURCES.iter().find(|(n, _)| *n == from) else {
            return false;
        };
        for next in uses(source) {
            if next == to {
                return true;
            }
            if !seen.iter().any(|s| s == next) {
                seen.push(next.to_string());
                if reaches(next, to, seen) {
                    return true;
                }
            }
        }
        false
    }

    #[test]
    fn the_page_modules_import_each_other_without_a_circle() {
        for (name, _) in SOURCES {
            assert!(
                !reaches(name, name, &mut vec![]),
                "{name} reaches itself through its imports"
            );
        }
        let shared = SOURCES.iter().find(|(n, _)| *n == "shared").map(|s| s.1);
        assert_eq!(uses(shared.unwrap_or_default()), Vec::<&str>::new());
        assert!(uses(include_str!("home.rs")).contains(&"shared"));
    }
}
