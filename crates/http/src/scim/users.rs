//! `/scim/v2` handlers: discovery and `Users`. A user is shown as SCIM's JSON (with Portico's
//! extension); lists are filtered, sorted, paged and cut to the asked attributes over that
//! JSON, so a filter means exactly what the client reads back.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery};
use axum::http::header::{ETAG, IF_MATCH, LOCATION};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, SecondsFormat};
use portico_domain::model::{LicenseType, SecurityProfile};
use portico_domain::{EmailAddress, PersonId, UserId};
use portico_service::store::{internal_user, ScimUserQuery, ScimUserRow};
use portico_service::{scim_version, Portico, ScimClient, ScimError, ScimUserInput};
use serde_json::{json, Map, Value};

use super::filter::{self, member, AttrPath, Filter};
use super::list;
use super::schema::{self, MAX_RESULTS, PORTICO_USER, USER};
use super::{json_body, patch, scim_response, ScimAuth, ScimFailure};

/// `…/scim/v2` as the outside reaches it (`PORTICO_PUBLIC_URL`).
fn base(app: &Portico) -> String {
    format!(
        "{}/scim/v2",
        app.settings().public_url.trim_end_matches('/')
    )
}

fn time(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A user as filters and PATCH see it: its email with `type` `work` and `primary` true, so
/// that `emails[type eq "work"].value` (what Entra ID sends) names it. [`public`] is what is
/// answered.
fn user_json(row: &ScimUserRow, base: &str) -> Value {
    let u = &row.user;
    let mut v = json!({
        "schemas": [USER, PORTICO_USER],
        "id": u.id.as_str(),
        "userName": u.username,
        "name": {
            "givenName": u.first_name,
            "familyName": u.last_name,
        },
        "displayName": format!("{} {}", u.first_name, u.last_name).trim(),
        "active": u.is_active(),
        "emails": [{"value": u.email.as_str(), "type": "work", "primary": true}],
        PORTICO_USER: {
            "managedByQmsAutomation": u.managed,
            "licenseType": match u.license { LicenseType::Full => "full", LicenseType::External => "external" },
            "securityProfile": u.security_profile.name(),
        },
        "meta": {
            "resourceType": "User",
            "created": time(row.created_at),
            "lastModified": time(row.updated_at),
            "location": format!("{base}/Users/{}", u.id),
            "version": scim_version(row),
        }
    });
    if let Some(person) = &u.person {
        v[PORTICO_USER]["person"] = Value::String(person.to_string());
    }
    if let Some(e) = &row.external_id {
        v["externalId"] = Value::String(e.clone());
    }
    v
}

/// A user as answered: the email's `type` and `primary` are not kept, so not shown.
fn public(mut rep: Value) -> Value {
    if let Some(emails) = rep.get_mut("emails").and_then(Value::as_array_mut) {
        for e in emails.iter_mut().filter_map(Value::as_object_mut) {
            e.remove("type");
            e.remove("primary");
        }
    }
    rep
}

/// The query parameters of RFC 7644 section 3.4.2 (and the body of a `.search`).
#[derive(Debug, Default)]
struct Query {
    filter: Option<String>,
    sort_by: Option<String>,
    descending: bool,
    start_index: usize,
    count: usize,
    attributes: Vec<String>,
    excluded: Vec<String>,
}

fn number(name: &str, raw: &str) -> Result<i64, ScimFailure> {
    raw.trim().parse::<i64>().map_err(|_| {
        ScimFailure::bad(
            "invalidValue",
            format!("{name} must be an integer, not '{raw}'"),
        )
    })
}

fn list_of(raw: &str) -> Vec<String> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

impl Query {
    fn new() -> Self {
        Query {
            start_index: 1,
            count: MAX_RESULTS,
            ..Query::default()
        }
    }

    fn set(&mut self, name: &str, value: &str) -> Result<(), ScimFailure> {
        match name.to_ascii_lowercase().as_str() {
            "filter" => self.filter = Some(value.to_string()),
            "sortby" => self.sort_by = Some(value.to_string()),
            "sortorder" => {
                self.descending = match value.to_ascii_lowercase().as_str() {
                    "ascending" | "" => false,
                    "descending" => true,
                    _ => {
                        return Err(ScimFailure::bad(
                            "invalidValue",
                            format!("sortOrder is ascending or descending, not '{value}'"),
                        ))
                    }
                }
            }
            // RFC 7644 section 3.4.2.4: below 1 is 1; a negative count is 0.
            "startindex" => self.start_index = number("startIndex", value)?.max(1) as usize,
            "count" => {
                self.count = (number("count", value)?.max(0) as usize).min(MAX_RESULTS);
            }
            "attributes" => self.attributes = list_of(value),
            "excludedattributes" => self.excluded = list_of(value),
            _ => {}
        }
        Ok(())
    }

    fn from_url(raw: Option<&str>) -> Result<Self, ScimFailure> {
        let mut q = Query::new();
        for (k, v) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
            q.set(&k, &v)?;
        }
        Ok(q)
    }

    /// A `SearchRequest` body (RFC 7644 section 3.4.3).
    fn from_search(body: &Value) -> Result<Self, ScimFailure> {
        let mut q = Query::new();
        let Some(fields) = body.as_object() else {
            return Ok(q);
        };
        for (k, v) in fields {
            match v {
                Value::String(s) => q.set(k, s)?,
                Value::Number(n) => q.set(k, &n.to_string())?,
                Value::Array(items) => {
                    let joined: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
                    q.set(k, &joined.join(","))?;
                }
                _ => {}
            }
        }
        Ok(q)
    }
}

/// Keeps only the asked attributes (`id` and `schemas` always), or drops the excluded ones.
fn project(resource: Value, attributes: &[String], excluded: &[String]) -> Value {
    let Value::Object(all) = resource else {
        return resource;
    };
    if !attributes.is_empty() {
        let mut kept = Map::new();
        for always in ["schemas", "id"] {
            if let Some(v) = all.get(always) {
                kept.insert(always.into(), v.clone());
            }
        }
        for name in attributes {
            copy(&all, &mut kept, name);
        }
        return Value::Object(kept);
    }
    let mut all = all;
    for name in excluded {
        remove(&mut all, name);
    }
    Value::Object(all)
}

/// Splits a named attribute into (the object it is in: `None` for the resource, or an
/// extension URN) and the attribute's path.
fn place(name: &str) -> Option<(Option<&'static str>, AttrPath)> {
    if name.eq_ignore_ascii_case(PORTICO_USER) {
        return Some((
            Some(PORTICO_USER),
            AttrPath {
                uri: None,
                name: String::new(),
                sub: None,
            },
        ));
    }
    let path = filter::attr_path(name).ok()?;
    match &path.uri {
        None => Some((None, path)),
        Some(u) if u.eq_ignore_ascii_case(USER) => Some((None, path)),
        Some(u) if u.eq_ignore_ascii_case(PORTICO_USER) => Some((Some(PORTICO_USER), path)),
        Some(_) => None,
    }
}

fn copy(all: &Map<String, Value>, kept: &mut Map<String, Value>, name: &str) {
    let Some((ext, path)) = place(name) else {
        return;
    };
    let (from, to) = match ext {
        None => (Some(all), kept),
        Some(ext) => {
            let Some(from) = all.get(ext).and_then(Value::as_object) else {
                return;
            };
            if path.name.is_empty() {
                kept.insert(ext.into(), Value::Object(from.clone()));
                return;
            }
            let to = kept
                .entry(ext)
                .or_insert_with(|| Value::Object(Map::new()))
                .as_object_mut();
            let Some(to) = to else { return };
            (Some(from), to)
        }
    };
    let Some(from) = from else { return };
    let Some(k) = filter::key(from, &path.name) else {
        return;
    };
    match (&path.sub, &from[k]) {
        (None, v) => {
            to.insert(k.clone(), v.clone());
        }
        (Some(sub), Value::Object(o)) => {
            if let Some(sk) = filter::key(o, sub) {
                let slot = to
                    .entry(k.clone())
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Some(slot) = slot.as_object_mut() {
                    slot.insert(sk.clone(), o[sk].clone());
                }
            }
        }
        (Some(sub), Value::Array(items)) => {
            let cut: Vec<Value> = items
                .iter()
                .filter_map(|i| {
                    let o = i.as_object()?;
                    let sk = filter::key(o, sub)?;
                    Some(json!({ sk.clone(): o[sk].clone() }))
                })
                .collect();
            to.insert(k.clone(), Value::Array(cut));
        }
        _ => {}
    }
}

fn remove(all: &mut Map<String, Value>, name: &str) {
    let Some((ext, path)) = place(name) else {
        return;
    };
    let obj = match ext {
        None => Some(all),
        Some(ext) if path.name.is_empty() => {
            all.remove(ext);
            return;
        }
        Some(ext) => all.get_mut(ext).and_then(Value::as_object_mut),
    };
    let Some(obj) = obj else { return };
    let Some(k) = filter::key(obj, &path.name).cloned() else {
        return;
    };
    if k == "id" || k == "schemas" {
        return;
    }
    match &path.sub {
        None => {
            obj.remove(&k);
        }
        Some(sub) => match obj.get_mut(&k) {
            Some(Value::Object(o)) => {
                if let Some(sk) = filter::key(o, sub).cloned() {
                    o.remove(&sk);
                }
            }
            Some(Value::Array(items)) => {
                for o in items.iter_mut().filter_map(Value::as_object_mut) {
                    if let Some(sk) = filter::key(o, sub).cloned() {
                        o.remove(&sk);
                    }
                }
            }
            _ => {}
        },
    }
}

/// The value a resource is sorted by: the first (or primary) value of the attribute; a
/// string in lower case (ASCII letters only: the database sorts `userName` so, see `list.rs`).
fn sort_key(resource: &Value, path: &AttrPath) -> Option<Value> {
    filter::values(resource, path, USER)
        .first()
        .map(|v| match v {
            Value::String(s) => Value::String(s.to_ascii_lowercase()),
            v => (*v).clone(),
        })
}

fn order(a: &Option<Value>, b: &Option<Value>) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    match (a, b) {
        (None, None) => Ordering::Equal,
        // RFC 7644 section 3.4.2.3: unassigned values sort last (ascending).
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(Value::Number(x)), Some(Value::Number(y))) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Some(Value::Bool(x)), Some(Value::Bool(y))) => x.cmp(y),
        (Some(x), Some(y)) => x
            .as_str()
            .unwrap_or_default()
            .cmp(y.as_str().unwrap_or_default()),
    }
}

/// The filter of a query, parsed and checked against a user with every attribute (so that
/// an operator that does not apply is refused whatever users there are).
fn parsed_filter(q: &Query, base: &str) -> Result<Option<Filter>, ScimFailure> {
    let Some(text) = &q.filter else {
        return Ok(None);
    };
    let f = filter::parse(text).map_err(|e| ScimFailure::bad("invalidFilter", e.0))?;
    let mut probe = internal_user(
        UserId::new("usr_probe"),
        "probe",
        "Probe",
        "User",
        EmailAddress::parse("probe@example.com").map_err(|e| {
            ScimFailure::new(StatusCode::INTERNAL_SERVER_ERROR, None, e.to_string())
        })?,
        SecurityProfile::InternalUser,
    );
    probe.person = Some(PersonId::new("per_probe"));
    let probe = ScimUserRow {
        user: probe,
        external_id: Some("probe".into()),
        created_at: 0,
        updated_at: 0,
    };
    filter::check(&f, &user_json(&probe, base), USER)
        .map_err(|e| ScimFailure::bad("invalidFilter", e.0))?;
    Ok(Some(f))
}

fn sort_path(q: &Query) -> Result<Option<AttrPath>, ScimFailure> {
    q.sort_by
        .as_deref()
        .map(|by| {
            filter::attr_path(by)
                .map_err(|e| ScimFailure::bad("invalidValue", format!("sortBy: {e}")))
        })
        .transpose()
}

fn keeps(f: Option<&Filter>, rep: &Value) -> Result<bool, ScimFailure> {
    match f {
        Some(f) => {
            filter::matches(f, rep, USER).map_err(|e| ScimFailure::bad("invalidFilter", e.0))
        }
        None => Ok(true),
    }
}

/// The `ListResponse` of a page of users (as SCIM shows them) out of `total`.
fn list_page(total: usize, page: Vec<Value>, q: &Query) -> Value {
    let page: Vec<Value> = page
        .into_iter()
        .map(|r| project(public(r), &q.attributes, &q.excluded))
        .collect();
    json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": total,
        "startIndex": q.start_index,
        "itemsPerPage": page.len(),
        "Resources": page,
    })
}

/// Filters, sorts and pages users as SCIM shows them (the evaluator): answers the
/// `ListResponse`.
fn list_response(
    rows: &[ScimUserRow],
    f: Option<&Filter>,
    sort: Option<&AttrPath>,
    q: &Query,
    base: &str,
) -> Result<Value, ScimFailure> {
    let mut found = vec![];
    for row in rows {
        let rep = user_json(row, base);
        if keeps(f, &rep)? {
            found.push(rep);
        }
    }
    if let Some(path) = sort {
        let mut keyed: Vec<(Option<Value>, Value)> =
            found.into_iter().map(|r| (sort_key(&r, path), r)).collect();
        keyed.sort_by(|(a, _), (b, _)| {
            let o = order(a, b);
            if q.descending {
                o.reverse()
            } else {
                o
            }
        });
        found = keyed.into_iter().map(|(_, r)| r).collect();
    }
    let total = found.len();
    let page = found
        .into_iter()
        .skip(q.start_index - 1)
        .take(q.count)
        .collect();
    Ok(list_page(total, page, q))
}

/// The evaluator over every user, in batches of [`list::SCAN_BATCH`]: without `sortBy` only
/// the page is kept; sorted, the matches (at most [`list::SORT_LIMIT`]).
async fn scanned(
    app: &Portico,
    client: &ScimClient,
    f: Option<&Filter>,
    sort: Option<&AttrPath>,
    q: &Query,
    base: &str,
) -> Result<Value, ScimFailure> {
    let mut after: Option<(i64, String)> = None;
    let mut total = 0;
    let mut kept_rows = vec![];
    let mut page = vec![];
    loop {
        let batch = app
            .scim_users_after(
                client,
                after.as_ref().map(|(t, id)| (*t, id.as_str())),
                list::SCAN_BATCH,
            )
            .await?;
        let Some(last) = batch.last() else { break };
        after = Some((last.created_at, last.user.id.to_string()));
        let full = batch.len() as i64 == list::SCAN_BATCH;
        for row in batch {
            let rep = user_json(&row, base);
            if !keeps(f, &rep)? {
                continue;
            }
            total += 1;
            if sort.is_some() {
                if kept_rows.len() == list::SORT_LIMIT {
                    return Err(ScimFailure::bad(
                        "tooMany",
                        format!(
                            "more than {} users match this filter to sort by {}: narrow the filter (e.g. userName, externalId or emails eq) or sort by userName",
                            list::SORT_LIMIT,
                            q.sort_by.as_deref().unwrap_or_default()
                        ),
                    ));
                }
                kept_rows.push(row);
            } else if total >= q.start_index && page.len() < q.count {
                page.push(rep);
            }
        }
        if !full {
            break;
        }
    }
    if sort.is_some() {
        return list_response(&kept_rows, None, sort, q, base);
    }
    Ok(list_page(total, page, q))
}

/// The SCIM input of a user's JSON (a POST or PUT body, or the result of a PATCH). Attributes
/// Portico does not keep are ignored; read-only ones too (RFC 7644 section 3.5.1).
fn input_of(body: &Value) -> Result<ScimUserInput, ScimFailure> {
    let text = |v: Option<&Value>, name: &str| -> Result<Option<String>, ScimFailure> {
        match v {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(ScimFailure::bad(
                "invalidValue",
                format!("{name} is a string, not {other}"),
            )),
        }
    };
    let name = member(body, "name");
    let emails = match member(body, "emails") {
        None | Some(Value::Null) => vec![],
        Some(Value::Array(items)) => items.clone(),
        Some(other) => {
            return Err(ScimFailure::bad(
                "invalidValue",
                format!("emails is a list, not {other}"),
            ))
        }
    };
    let email = emails
        .iter()
        .find(|e| member(e, "primary").and_then(Value::as_bool) == Some(true))
        .or_else(|| emails.first());
    // Entra ID sends `"active": "False"`; RFC 7643 says a boolean.
    let active = match member(body, "active") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Some(true),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Some(false),
        Some(other) => {
            return Err(ScimFailure::bad(
                "invalidValue",
                format!("active is true or false, not {other}"),
            ))
        }
    };
    Ok(ScimUserInput {
        username: text(member(body, "userName"), "userName")?,
        first_name: text(name.and_then(|n| member(n, "givenName")), "name.givenName")?,
        last_name: text(
            name.and_then(|n| member(n, "familyName")),
            "name.familyName",
        )?,
        email: text(email.and_then(|e| member(e, "value")), "emails.value")?,
        external_id: text(member(body, "externalId"), "externalId")?,
        active,
    })
}

/// A user's answer: its JSON cut to the asked attributes, with its `ETag`.
fn user_response(status: StatusCode, row: &ScimUserRow, base: &str, q: &Query) -> Response {
    let rep = user_json(row, base);
    let mut headers = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(&scim_version(row)) {
        headers.insert(ETAG, v);
    }
    if status == StatusCode::CREATED {
        if let Some(Ok(v)) = rep["meta"]["location"].as_str().map(HeaderValue::from_str) {
            headers.insert(LOCATION, v);
        }
    }
    scim_response(
        status,
        &project(public(rep), &q.attributes, &q.excluded),
        headers,
    )
}

fn if_match(headers: &HeaderMap) -> Option<String> {
    headers
        .get(IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// Answers a write, auditing it when it was refused (a change is audited in its own
/// transaction, with the token's name). Reads are not audited one by one: see
/// `Portico::scim_client`.
async fn audited(
    app: &Portico,
    client: &ScimClient,
    request: String,
    answer: Result<Response, ScimFailure>,
) -> Response {
    let response = answer.unwrap_or_else(IntoResponse::into_response);
    if response.status().is_success() {
        return response;
    }
    match app
        .audit_scim_refusal(client, &request, response.status().as_u16())
        .await
    {
        Ok(()) => response,
        Err(e) => ScimFailure::from(e).into_response(),
    }
}

/// Answers a read.
fn answered(answer: Result<Response, ScimFailure>) -> Response {
    answer.unwrap_or_else(IntoResponse::into_response)
}

pub async fn service_provider_config(ScimAuth(app, _client): ScimAuth) -> Response {
    let body = schema::service_provider_config(&base(&app));
    let answer = Ok(scim_response(StatusCode::OK, &body, HeaderMap::new()));
    answered(answer)
}

fn list_of_resources(items: Vec<Value>) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": items.len(),
        "startIndex": 1,
        "itemsPerPage": items.len(),
        "Resources": items,
    })
}

pub async fn resource_types(ScimAuth(app, _client): ScimAuth) -> Response {
    let body = list_of_resources(vec![schema::user_resource_type(&base(&app))]);
    let answer = Ok(scim_response(StatusCode::OK, &body, HeaderMap::new()));
    answered(answer)
}

fn unknown(what: &str, id: &str) -> ScimFailure {
    ScimFailure::new(
        StatusCode::NOT_FOUND,
        None,
        format!("there is no {what} {id}"),
    )
}

pub async fn resource_type(ScimAuth(app, _client): ScimAuth, Path(id): Path<String>) -> Response {
    let answer = if id == "User" {
        Ok(scim_response(
            StatusCode::OK,
            &schema::user_resource_type(&base(&app)),
            HeaderMap::new(),
        ))
    } else {
        Err(unknown("resource type", &id))
    };
    answered(answer)
}

pub async fn schemas(ScimAuth(app, _client): ScimAuth) -> Response {
    let body = list_of_resources(schema::schemas(&base(&app)));
    let answer = Ok(scim_response(StatusCode::OK, &body, HeaderMap::new()));
    answered(answer)
}

pub async fn schema(ScimAuth(app, _client): ScimAuth, Path(id): Path<String>) -> Response {
    let answer = schema::schemas(&base(&app))
        .into_iter()
        .find(|s| s["id"].as_str() == Some(id.as_str()))
        .map(|s| scim_response(StatusCode::OK, &s, HeaderMap::new()))
        .ok_or_else(|| unknown("schema", &id));
    answered(answer)
}

/// A list, answered as [`list::plan`] decides.
async fn listed(app: &Portico, client: &ScimClient, q: &Query) -> Result<Response, ScimFailure> {
    let base = base(app);
    let f = parsed_filter(q, &base)?;
    let sort = sort_path(q)?;
    let body = match list::plan(f.as_ref(), sort.as_ref(), q.descending) {
        list::Plan::Database(condition, order) => {
            let query = ScimUserQuery {
                condition,
                order,
                offset: (q.start_index - 1) as i64,
                limit: q.count as i64,
            };
            let (total, rows) = app.scim_user_page(client, &query).await?;
            let page = rows.iter().map(|r| user_json(r, &base)).collect();
            list_page(total.max(0) as usize, page, q)
        }
        list::Plan::Narrowed(condition) => match list::candidates(app, client, condition).await? {
            Some(rows) => list_response(&rows, f.as_ref(), sort.as_ref(), q, &base)?,
            None => scanned(app, client, f.as_ref(), sort.as_ref(), q, &base).await?,
        },
        list::Plan::Scan => scanned(app, client, f.as_ref(), sort.as_ref(), q, &base).await?,
    };
    Ok(scim_response(StatusCode::OK, &body, HeaderMap::new()))
}

pub async fn list(ScimAuth(app, client): ScimAuth, RawQuery(raw): RawQuery) -> Response {
    let answer = match Query::from_url(raw.as_deref()) {
        Ok(q) => listed(&app, &client, &q).await,
        Err(e) => Err(e),
    };
    answered(answer)
}

pub async fn search(ScimAuth(app, client): ScimAuth, headers: HeaderMap, body: Bytes) -> Response {
    let answer = match json_body(&headers, &body).and_then(|b| Query::from_search(&b)) {
        Ok(q) => listed(&app, &client, &q).await,
        Err(e) => Err(e),
    };
    answered(answer)
}

pub async fn read(
    ScimAuth(app, client): ScimAuth,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let answer = async {
        let q = Query::from_url(raw.as_deref())?;
        let row = app.scim_user(&client, &id).await?;
        Ok(user_response(StatusCode::OK, &row, &base(&app), &q))
    }
    .await;
    answered(answer)
}

pub async fn create(
    ScimAuth(app, client): ScimAuth,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let answer = async {
        let q = Query::from_url(raw.as_deref())?;
        let input = input_of(&json_body(&headers, &body)?)?;
        let row = app.scim_create_user(&client, &input).await?;
        Ok(user_response(StatusCode::CREATED, &row, &base(&app), &q))
    }
    .await;
    audited(&app, &client, "POST /Users".into(), answer).await
}

pub async fn replace(
    ScimAuth(app, client): ScimAuth,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let answer = async {
        let q = Query::from_url(raw.as_deref())?;
        let input = input_of(&json_body(&headers, &body)?)?;
        let expected = if_match(&headers);
        let row = app
            .scim_replace_user(&client, &id, &input, expected.as_deref())
            .await?;
        Ok(user_response(StatusCode::OK, &row, &base(&app), &q))
    }
    .await;
    audited(&app, &client, format!("PUT /Users/{id}"), answer).await
}

/// PATCH: the operations applied to the user as read, then stored as a replace of exactly
/// the version read (run again from a fresh read when another change came between, unless
/// the client named its version with `If-Match`).
pub async fn modify(
    ScimAuth(app, client): ScimAuth,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let answer = async {
        let q = Query::from_url(raw.as_deref())?;
        let ops = json_body(&headers, &body)?;
        let asked = if_match(&headers);
        let base = base(&app);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let row = app.scim_user(&client, &id).await?;
            let version = scim_version(&row);
            if let Some(asked) = asked.as_deref().filter(|a| a.trim() != "*") {
                if asked.trim() != version {
                    return Err(ScimError::VersionMismatch(format!(
                        "the user is at version {version}, not {asked}: read it again"
                    ))
                    .into());
                }
            }
            let mut rep = user_json(&row, &base);
            patch::apply(&mut rep, &ops, USER, &[PORTICO_USER])
                .map_err(|e| ScimFailure::bad(e.scim_type, e.detail))?;
            let input = input_of(&rep)?;
            match app
                .scim_replace_user(&client, &id, &input, Some(&version))
                .await
            {
                Ok(row) => return Ok(user_response(StatusCode::OK, &row, &base, &q)),
                Err(ScimError::VersionMismatch(_)) if asked.is_none() && attempt < 3 => continue,
                Err(e) => return Err(e.into()),
            }
        }
    }
    .await;
    audited(&app, &client, format!("PATCH /Users/{id}"), answer).await
}

pub async fn delete(
    ScimAuth(app, client): ScimAuth,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let answer = async {
        let expected = if_match(&headers);
        app.scim_delete_user(&client, &id, expected.as_deref())
            .await?;
        Ok(StatusCode::NO_CONTENT.into_response())
    }
    .await;
    audited(&app, &client, format!("DELETE /Users/{id}"), answer).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projection_keeps_id_and_schemas_and_cuts_the_rest() {
        let rep = json!({"schemas": [USER], "id": "u", "userName": "a",
            "name": {"givenName": "A", "familyName": "B"}, "active": true,
            PORTICO_USER: {"managedByQmsAutomation": true, "licenseType": "full"}});
        let cut = project(
            rep.clone(),
            &["name.givenName".into(), "USERNAME".into()],
            &[],
        );
        assert_eq!(
            cut,
            json!({"schemas": [USER], "id": "u", "userName": "a", "name": {"givenName": "A"}})
        );
        let cut = project(rep.clone(), &[format!("{PORTICO_USER}:licenseType")], &[]);
        assert_eq!(cut[PORTICO_USER], json!({"licenseType": "full"}));
        let cut = project(
            rep.clone(),
            &[],
            &["active".into(), "id".into(), "name.familyName".into()],
        );
        assert!(cut.get("active").is_none());
        assert_eq!(cut["id"], "u");
        assert_eq!(cut["name"], json!({"givenName": "A"}));
        let cut = project(rep, &[], &[PORTICO_USER.into()]);
        assert!(cut.get(PORTICO_USER).is_none());
    }

    #[test]
    fn active_is_read_as_a_boolean_or_entras_string() {
        for (v, want) in [
            (json!(false), Some(false)),
            (json!("False"), Some(false)),
            (json!("TRUE"), Some(true)),
        ] {
            assert_eq!(input_of(&json!({"active": v})).unwrap().active, want);
        }
        assert!(input_of(&json!({"active": "maybe"})).is_err());
        assert!(input_of(&json!({"userName": 3})).is_err());
    }
}
