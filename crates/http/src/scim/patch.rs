//! SCIM PATCH (RFC 7644 section 3.5.2) applied to a resource's JSON: `add`, `remove` and
//! `replace`, with a path (`active`, `name.givenName`, `emails[type eq "work"].value`, a
//! schema-qualified name) or without one (the value is an object of attributes). The
//! operation names are read whatever their case (Entra ID sends `Replace`). The result is the
//! whole new resource, which the caller checks and stores like a PUT.

use serde_json::{Map, Value};

use super::filter::{self, key, AttrPath, Filter, PatchPath};

/// Why a PATCH cannot be applied, with its RFC 7644 `scimType`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatchError {
    /// `invalidSyntax`, `invalidPath`, `noTarget`, `invalidValue` or `invalidFilter`.
    pub scim_type: &'static str,
    /// What is wrong.
    pub detail: String,
}

fn error(scim_type: &'static str, detail: impl Into<String>) -> PatchError {
    PatchError {
        scim_type,
        detail: detail.into(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Add,
    Remove,
    Replace,
}

/// Applies the `Operations` of a PatchOp body to `resource`. `core` is the resource's core
/// schema URN; `extensions` the URNs of its extensions (an object each).
pub fn apply(
    resource: &mut Value,
    body: &Value,
    core: &str,
    extensions: &[&str],
) -> Result<(), PatchError> {
    let schemas_ok = filter::member(body, "schemas")
        .and_then(Value::as_array)
        .is_some_and(|s| {
            s.iter()
                .any(|s| s.as_str() == Some("urn:ietf:params:scim:api:messages:2.0:PatchOp"))
        });
    if !schemas_ok {
        return Err(error(
            "invalidSyntax",
            "a PATCH body has \"schemas\": [\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"]",
        ));
    }
    let ops = filter::member(body, "Operations")
        .and_then(Value::as_array)
        .ok_or_else(|| error("invalidSyntax", "a PATCH body has a list \"Operations\""))?;
    for (i, op) in ops.iter().enumerate() {
        let name = filter::member(op, "op")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let kind = match name.to_ascii_lowercase().as_str() {
            "add" => Kind::Add,
            "remove" => Kind::Remove,
            "replace" => Kind::Replace,
            _ => {
                return Err(error(
                    "invalidSyntax",
                    format!(
                        "operation {}: op '{name}' is not add, remove or replace",
                        i + 1
                    ),
                ))
            }
        };
        let value = filter::member(op, "value").cloned();
        match filter::member(op, "path").and_then(Value::as_str) {
            Some(path) => {
                let path = filter::parse_path(path)
                    .map_err(|e| error("invalidPath", format!("operation {}: {e}", i + 1)))?;
                if kind != Kind::Remove && value.is_none() {
                    return Err(error(
                        "invalidValue",
                        format!("operation {}: {name} needs a value", i + 1),
                    ));
                }
                at_path(resource, kind, &path, value, core, extensions)?;
            }
            None if kind == Kind::Remove => {
                return Err(error(
                    "noTarget",
                    format!("operation {}: remove needs a path", i + 1),
                ))
            }
            None => {
                let Some(Value::Object(fields)) = value else {
                    return Err(error(
                        "invalidValue",
                        format!(
                            "operation {}: without a path, the value is an object of attributes",
                            i + 1
                        ),
                    ));
                };
                for (name, v) in fields {
                    let ext = extensions.iter().find(|e| e.eq_ignore_ascii_case(&name));
                    match (ext, v) {
                        // `{"urn:…:User": {"attr": …}}`: each attribute of the extension.
                        (Some(ext), Value::Object(inner)) => {
                            for (n, v) in inner {
                                let path = PatchPath {
                                    attr: filter::attr_path(&format!("{ext}:{n}")).map_err(
                                        |e| {
                                            error(
                                                "invalidPath",
                                                format!("operation {}: {e}", i + 1),
                                            )
                                        },
                                    )?,
                                    filter: None,
                                    sub: None,
                                };
                                at_path(resource, kind, &path, Some(v), core, extensions)?;
                            }
                        }
                        (_, v) => {
                            let path = filter::parse_path(&name).map_err(|e| {
                                error("invalidPath", format!("operation {}: {e}", i + 1))
                            })?;
                            at_path(resource, kind, &path, Some(v), core, extensions)?;
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

/// The object a path's attribute lives in (the resource or an extension's object, made when
/// missing). `None` for a URN the resource does not have: such attributes are not Portico's
/// and are left alone.
fn container<'a>(
    resource: &'a mut Value,
    attr: &AttrPath,
    core: &str,
    extensions: &[&str],
) -> Option<&'a mut Map<String, Value>> {
    let root = resource.as_object_mut()?;
    match &attr.uri {
        None => Some(root),
        Some(uri) if uri.eq_ignore_ascii_case(core) => Some(root),
        Some(uri) => {
            let ext = extensions.iter().find(|e| e.eq_ignore_ascii_case(uri))?;
            let k = key(root, ext)
                .cloned()
                .unwrap_or_else(|| (*ext).to_string());
            root.entry(k)
                .or_insert_with(|| Value::Object(Map::new()))
                .as_object_mut()
        }
    }
}

fn at_path(
    resource: &mut Value,
    kind: Kind,
    path: &PatchPath,
    value: Option<Value>,
    core: &str,
    extensions: &[&str],
) -> Result<(), PatchError> {
    let Some(obj) = container(resource, &path.attr, core, extensions) else {
        return Ok(());
    };
    let name = key(obj, &path.attr.name)
        .cloned()
        .unwrap_or_else(|| path.attr.name.clone());
    match (&path.filter, &path.attr.sub) {
        (None, None) => {
            let value = value.unwrap_or(Value::Null);
            match kind {
                Kind::Remove => {
                    obj.remove(&name);
                }
                // `add` appends to a multi-valued attribute, `replace` replaces it; both set a
                // complex attribute's sub-attributes in the value and leave the others
                // unchanged (RFC 7644 sections 3.5.2.1 and 3.5.2.3).
                _ => match (obj.get_mut(&name), value) {
                    (Some(Value::Array(have)), Value::Array(more)) if kind == Kind::Add => {
                        have.extend(more)
                    }
                    (Some(Value::Object(have)), Value::Object(more)) => {
                        for (k, v) in more {
                            let k = key(have, &k).cloned().unwrap_or(k);
                            have.insert(k, v);
                        }
                    }
                    (_, v) => {
                        obj.insert(name, v);
                    }
                },
            }
        }
        (None, Some(sub)) => {
            // `name.givenName`: a sub-attribute of a complex attribute.
            let parent = obj
                .entry(name.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            match parent {
                Value::Object(p) => {
                    let sub = key(p, sub).cloned().unwrap_or_else(|| sub.clone());
                    match kind {
                        Kind::Remove => {
                            p.remove(&sub);
                        }
                        _ => {
                            p.insert(sub, value.unwrap_or(Value::Null));
                        }
                    }
                }
                Value::Array(items) => {
                    // `emails.value` without a filter: every value.
                    for item in items.iter_mut().filter_map(Value::as_object_mut) {
                        let sub = key(item, sub).cloned().unwrap_or_else(|| sub.clone());
                        match kind {
                            Kind::Remove => {
                                item.remove(&sub);
                            }
                            _ => {
                                item.insert(sub, value.clone().unwrap_or(Value::Null));
                            }
                        }
                    }
                }
                other => {
                    return Err(error(
                        "invalidPath",
                        format!("{name} is {other}, which has no sub-attribute"),
                    ))
                }
            }
        }
        (Some(f), _) => filtered(obj, &name, kind, f, path.sub.as_deref(), value, core)?,
    }
    Ok(())
}

/// `attr[filter]` or `attr[filter].sub`: the values of a multi-valued attribute that match.
/// An `add` or `replace` that matches none makes the value the filter describes (Entra ID
/// sends `emails[type eq "work"].value` for a user that has no work email yet).
fn filtered(
    obj: &mut Map<String, Value>,
    name: &str,
    kind: Kind,
    f: &Filter,
    sub: Option<&str>,
    value: Option<Value>,
    core: &str,
) -> Result<(), PatchError> {
    let items = obj
        .entry(name.to_string())
        .or_insert_with(|| Value::Array(vec![]));
    let Value::Array(items) = items else {
        return Err(error(
            "invalidPath",
            format!("{name} is not multi-valued: it takes no filter"),
        ));
    };
    let mut hits = vec![];
    for (i, item) in items.iter().enumerate() {
        if filter::matches(f, item, core).map_err(|e| error("invalidFilter", e.0))? {
            hits.push(i);
        }
    }
    match kind {
        Kind::Remove => {
            if hits.is_empty() {
                return Ok(());
            }
            for i in hits.into_iter().rev() {
                match sub {
                    Some(sub) => {
                        if let Some(o) = items[i].as_object_mut() {
                            if let Some(k) = key(o, sub).cloned() {
                                o.remove(&k);
                            }
                        }
                    }
                    None => {
                        items.remove(i);
                    }
                }
            }
        }
        Kind::Add | Kind::Replace => {
            let value = value.unwrap_or(Value::Null);
            if hits.is_empty() {
                let mut made = Map::new();
                equalities(f, &mut made);
                match (sub, value) {
                    (Some(sub), v) => {
                        made.insert(sub.to_string(), v);
                    }
                    (None, Value::Object(o)) => made.extend(o),
                    (None, _) => {
                        return Err(error(
                            "invalidValue",
                            format!("{name}[…] takes an object as its value"),
                        ))
                    }
                }
                items.push(Value::Object(made));
                return Ok(());
            }
            for i in hits {
                match (sub, &value) {
                    (Some(sub), v) => {
                        if let Some(o) = items[i].as_object_mut() {
                            let k = key(o, sub).cloned().unwrap_or_else(|| sub.to_string());
                            o.insert(k, v.clone());
                        }
                    }
                    (None, Value::Object(more)) => {
                        if let Some(o) = items[i].as_object_mut() {
                            if kind == Kind::Replace {
                                o.clear();
                            }
                            o.extend(more.clone());
                        }
                    }
                    (None, _) => {
                        return Err(error(
                            "invalidValue",
                            format!("{name}[…] takes an object as its value"),
                        ))
                    }
                }
            }
        }
    }
    Ok(())
}

/// The `attr eq value` parts of a filter joined by `and`: what a value made for it has.
fn equalities(f: &Filter, into: &mut Map<String, Value>) {
    match f {
        Filter::Compare(p, filter::Op::Eq, v) if p.sub.is_none() => {
            into.insert(p.name.clone(), v.clone());
        }
        Filter::And(a, b) => {
            equalities(a, into);
            equalities(b, into);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const CORE: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
    const EXT: &str = "urn:portico:params:scim:schemas:extension:portico:2.0:User";

    fn user() -> Value {
        json!({
            "userName": "ada", "active": true,
            "name": {"givenName": "Ada", "familyName": "Lovelace"},
            "emails": [{"value": "ada@example.com", "type": "work", "primary": true}]
        })
    }

    fn patch(ops: Value) -> Result<Value, PatchError> {
        let mut u = user();
        apply(
            &mut u,
            &json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops}),
            CORE,
            &[EXT],
        )?;
        Ok(u)
    }

    #[test]
    fn okta_and_entra_shapes_set_active() {
        // Okta: no path, an object of attributes.
        let u = patch(json!([{"op": "replace", "value": {"active": false}}])).unwrap();
        assert_eq!(u["active"], false);
        // Entra ID: a path, the op capitalised, the boolean as a string (converted later).
        let u = patch(json!([{"op": "Replace", "path": "active", "value": "False"}])).unwrap();
        assert_eq!(u["active"], "False");
    }

    #[test]
    fn paths_reach_sub_attributes_filtered_values_and_qualified_names() {
        let u = patch(json!([
            {"op": "replace", "path": "name.givenName", "value": "Augusta"},
            {"op": "Add", "path": "emails[type eq \"work\"].value", "value": "a@b.org"},
            {"op": "add", "path": "urn:ietf:params:scim:schemas:core:2.0:User:externalId", "value": "x1"},
            {"op": "add", "value": {"name.familyName": "King"}}
        ]))
        .unwrap();
        assert_eq!(u["name"]["givenName"], "Augusta");
        assert_eq!(u["name"]["familyName"], "King");
        assert_eq!(u["emails"][0]["value"], "a@b.org");
        assert_eq!(u["externalId"], "x1");
        let u = patch(
            json!([{"op": "add", "path": "emails[type eq \"home\"].value", "value": "h@b.org"}]),
        )
        .unwrap();
        assert_eq!(u["emails"][1], json!({"type": "home", "value": "h@b.org"}));
        let u = patch(json!([{"op": "remove", "path": "emails[type eq \"work\"]"}])).unwrap();
        assert_eq!(u["emails"], json!([]));
        let u = patch(json!([{"op": "remove", "path": "externalId"}])).unwrap();
        assert!(u.get("externalId").is_none());
    }

    #[test]
    fn unknown_extensions_are_left_alone_and_bad_bodies_are_refused() {
        let u = patch(json!([{"op": "replace",
            "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
            "value": "QA"}]))
        .unwrap();
        assert_eq!(u, user());
        for (ops, scim_type) in [
            (json!([{"op": "move", "path": "active"}]), "invalidSyntax"),
            (json!([{"op": "remove"}]), "noTarget"),
            (json!([{"op": "add", "value": 3}]), "invalidValue"),
            (
                json!([{"op": "add", "path": "emails[type eq", "value": 1}]),
                "invalidPath",
            ),
            (json!([{"op": "replace", "path": "active"}]), "invalidValue"),
        ] {
            assert_eq!(
                patch(ops.clone()).unwrap_err().scim_type,
                scim_type,
                "{ops}"
            );
        }
        let mut u = user();
        let e = apply(&mut u, &json!({"Operations": []}), CORE, &[EXT]).unwrap_err();
        assert_eq!(e.scim_type, "invalidSyntax");
    }
}
