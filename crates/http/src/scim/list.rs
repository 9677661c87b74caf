//! How a SCIM list is answered without reading every user: the filters identity providers
//! send (`userName eq`, `externalId eq`, `emails[value eq]`, `id eq`, `active eq`) and the
//! paging and `sortBy=userName` of a plain list run in the database, on indexes; any other
//! filter is decided by the evaluator of `filter.rs` over SCIM's JSON, either among the few
//! users an indexed `eq` of the filter narrows it to, or over every user in batches, holding
//! only the page (or, to sort by another attribute, the matches, up to a bound).
//!
//! Every path answers exactly what the evaluator over every user would: the database decides
//! alone only what it decides the same way (`active`, and the order of `sortBy=userName`:
//! lower case in ASCII, byte by byte, as `sort_key` sorts); where it only narrows, it finds a
//! superset of the matches, and the evaluator decides among them.

use portico_service::store::{ScimOrder, ScimUserQuery, ScimUserRow, ScimWhere};
use portico_service::{Portico, ScimClient};

use super::filter::{AttrPath, Filter, Op};
use super::schema::USER;
use serde_json::Value;

/// Users read at a time when the evaluator goes over every user.
pub const SCAN_BATCH: i64 = 500;
/// A narrowed lookup reading more candidates than this goes over every user instead.
pub const NARROW_LIMIT: i64 = 1000;
/// The most matches a filter the database cannot decide may have when sorted by an attribute
/// other than `userName` (RFC 7644 section 3.12, `tooMany`: "the specified filter yields
/// many more results than the server is willing to calculate or process").
pub const SORT_LIMIT: usize = 10_000;

/// How a list is answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// The database decides the filter, sorts and cuts the page.
    Database(ScimWhere, ScimOrder),
    /// The database finds the few candidates; the evaluator decides, sorts and pages.
    Narrowed(ScimWhere),
    /// The evaluator goes over every user, in batches.
    Scan,
}

/// Whether `path` names the core attribute `name` (with sub-attribute `sub`).
fn names(path: &AttrPath, name: &str, sub: Option<&str>) -> bool {
    path.uri
        .as_deref()
        .is_none_or(|u| u.eq_ignore_ascii_case(USER))
        && path.name.eq_ignore_ascii_case(name)
        && match (path.sub.as_deref(), sub) {
            (None, None) => true,
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
            _ => false,
        }
}

/// The indexed condition an `attr eq "value"` names, as a superset of what the evaluator
/// matches: `userName` is compared in lower case by both, in ASCII by SQLite, so only an
/// ASCII value narrows (a Unicode fold of the stored name may differ from SQL's).
fn indexed(path: &AttrPath, value: &str) -> Option<ScimWhere> {
    if names(path, "id", None) {
        Some(ScimWhere::Id(value.to_string()))
    } else if names(path, "externalId", None) {
        Some(ScimWhere::ExternalId(value.to_string()))
    } else if names(path, "userName", None) && value.is_ascii() {
        Some(ScimWhere::UserName(value.to_string()))
    } else if names(path, "emails", None) || names(path, "emails", Some("value")) {
        // Portico keeps emails in lower case; the evaluator compares them in lower case.
        Some(ScimWhere::Email(value.to_lowercase()))
    } else {
        None
    }
}

/// An indexed `eq` that every match of `filter` satisfies: one of the terms of its top `and`s
/// (or of an `emails[...]` among them).
fn narrowing(filter: &Filter) -> Option<ScimWhere> {
    match filter {
        Filter::And(a, b) => narrowing(a).or_else(|| narrowing(b)),
        Filter::Compare(path, Op::Eq, Value::String(v)) => indexed(path, v),
        Filter::Values(path, inner) if names(path, "emails", None) => email_value(inner),
        _ => None,
    }
}

/// `value eq "…"` among the top `and`s of an `emails[...]` filter.
fn email_value(inner: &Filter) -> Option<ScimWhere> {
    match inner {
        Filter::And(a, b) => email_value(a).or_else(|| email_value(b)),
        Filter::Compare(path, Op::Eq, Value::String(v))
            if path.uri.is_none()
                && path.sub.is_none()
                && path.name.eq_ignore_ascii_case("value") =>
        {
            Some(ScimWhere::Email(v.to_lowercase()))
        }
        _ => None,
    }
}

/// How a list with this filter and order is answered.
pub fn plan(filter: Option<&Filter>, sort_by: Option<&AttrPath>, descending: bool) -> Plan {
    let order = match sort_by {
        None => Some(ScimOrder::Created),
        Some(p) if names(p, "userName", None) => Some(ScimOrder::UserName { descending }),
        Some(_) => None,
    };
    let exact = match filter {
        None => Some(ScimWhere::All),
        Some(Filter::Compare(path, Op::Eq, Value::Bool(b))) if names(path, "active", None) => {
            Some(ScimWhere::Active(*b))
        }
        Some(_) => None,
    };
    if let (Some(condition), Some(order)) = (exact, order) {
        return Plan::Database(condition, order);
    }
    match filter.and_then(narrowing) {
        Some(condition) => Plan::Narrowed(condition),
        None => Plan::Scan,
    }
}

/// The candidates of a narrowed list, in creation order; `None` when there are too many to
/// call it narrow.
pub async fn candidates(
    app: &Portico,
    client: &ScimClient,
    condition: ScimWhere,
) -> Result<Option<Vec<ScimUserRow>>, portico_service::ScimError> {
    let query = ScimUserQuery {
        condition,
        order: ScimOrder::Any,
        offset: 0,
        limit: NARROW_LIMIT + 1,
    };
    let (_, mut rows) = app.scim_user_page(client, &query).await?;
    rows.sort_by(|a, b| {
        (a.created_at, a.user.id.as_str()).cmp(&(b.created_at, b.user.id.as_str()))
    });
    Ok((rows.len() as i64 <= NARROW_LIMIT).then_some(rows))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::filter::{attr_path, parse};

    fn planned(filter: &str, sort_by: Option<&str>) -> Plan {
        let f = (!filter.is_empty()).then(|| parse(filter).unwrap());
        let s = sort_by.map(|s| attr_path(s).unwrap());
        plan(f.as_ref(), s.as_ref(), false)
    }

    #[test]
    fn the_filters_providers_send_run_in_the_database() {
        use ScimWhere::*;
        let created = ScimOrder::Created;
        let by_name = ScimOrder::UserName { descending: false };
        assert_eq!(planned("", None), Plan::Database(All, created));
        assert_eq!(planned("", Some("userName")), Plan::Database(All, by_name));
        assert_eq!(
            planned(
                "active eq false",
                Some("urn:ietf:params:scim:schemas:core:2.0:User:userName")
            ),
            Plan::Database(Active(false), by_name)
        );
        for (f, want) in [
            (r#"userName eq "Ada""#, UserName("Ada".into())),
            (r#"externalId eq "X1""#, ExternalId("X1".into())),
            (r#"id eq "usr_1""#, Id("usr_1".into())),
            (
                r#"emails.value eq "A@B.example""#,
                Email("a@b.example".into()),
            ),
            (
                r#"emails[type eq "work" and value eq "a@b.example"]"#,
                Email("a@b.example".into()),
            ),
            (
                r#"active eq true and userName eq "ada""#,
                UserName("ada".into()),
            ),
        ] {
            assert_eq!(planned(f, None), Plan::Narrowed(want.clone()), "{f}");
        }
        for f in [
            r#"userName eq "Ädä""#,
            r#"userName eq "a" or userName eq "b""#,
            r#"not (userName eq "a")"#,
            r#"userName sw "a""#,
            r#"active eq "true""#,
            r#"name.givenName eq "Ada""#,
        ] {
            assert_eq!(planned(f, None), Plan::Scan, "{f}");
        }
        assert_eq!(planned("", Some("name.familyName")), Plan::Scan);
    }
}
