//! The discovery documents (RFC 7644 section 4, RFC 7643 sections 5–7): what Portico's SCIM
//! service provider supports, its one resource type and the schemas of its users — exactly
//! the attributes Portico keeps, so that a client (or a compliance suite) that reads them
//! writes only what is stored.

use serde_json::{json, Value};

/// The core User schema.
pub const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// Portico's extension: what automation and licensing say of a user (read-only).
pub const PORTICO_USER: &str = "urn:portico:params:scim:schemas:extension:portico:2.0:User";
/// The largest page a list answers.
pub const MAX_RESULTS: usize = 1000;

fn attr(name: &str, kind: &str, description: &str) -> Value {
    json!({
        "name": name, "type": kind, "multiValued": false, "description": description,
        "required": false, "caseExact": false, "mutability": "readWrite",
        "returned": "default", "uniqueness": "none"
    })
}

fn with(mut a: Value, changes: Value) -> Value {
    if let (Some(a), Some(c)) = (a.as_object_mut(), changes.as_object()) {
        for (k, v) in c {
            a.insert(k.clone(), v.clone());
        }
    }
    a
}

fn meta(base: &str, kind: &str, path: &str) -> Value {
    json!({"resourceType": kind, "location": format!("{base}/{path}")})
}

/// `GET /ServiceProviderConfig`.
pub fn service_provider_config(base: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "patch": {"supported": true},
        "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": true, "maxResults": MAX_RESULTS},
        "changePassword": {"supported": false},
        "sort": {"supported": true},
        "etag": {"supported": true},
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "Bearer token",
            "description": "A token an administrator makes with POST /api/v1/scim-tokens, sent as Authorization: Bearer <token>",
            "primary": true
        }],
        "meta": meta(base, "ServiceProviderConfig", "ServiceProviderConfig")
    })
}

/// The `User` resource type.
pub fn user_resource_type(base: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
        "id": "User",
        "name": "User",
        "endpoint": "/Users",
        "description": "A Portico user: staff (full license) or an external collaborator",
        "schema": USER,
        // Not required of clients: its attributes are all read-only, so a client has nothing
        // to write into it (Portico fills it on every user it answers).
        "schemaExtensions": [{"schema": PORTICO_USER, "required": false}],
        "meta": meta(base, "ResourceType", "ResourceTypes/User")
    })
}

/// The core User schema, as far as Portico keeps it.
pub fn user_schema(base: &str) -> Value {
    let required = json!({"required": true});
    let read_only = json!({"mutability": "readOnly"});
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
        "id": USER,
        "name": "User",
        "description": "User Account",
        "attributes": [
            with(attr("userName", "string", "Unique identifier for the User, its Portico username"),
                 json!({"required": true, "uniqueness": "server"})),
            with(attr("name", "complex", "The components of the user's name"), json!({
                "required": true,
                "subAttributes": [
                    with(attr("familyName", "string", "The family name"), required.clone()),
                    with(attr("givenName", "string", "The given name"), required.clone()),
                ]
            })),
            with(attr("displayName", "string", "The name shown: given and family name"), read_only),
            with(attr("active", "boolean",
                      "Whether the user may sign in; false inactivates (sessions end, an external seat frees)"),
                 required.clone()),
            with(attr("emails", "complex", "The user's email address: Portico keeps one"), json!({
                "multiValued": true,
                "required": true,
                // Only `value`: Portico keeps one address, so a `type` or `primary` sent is
                // not kept, and is not answered back as if it were.
                "subAttributes": [
                    with(attr("value", "string", "The email address"), required.clone()),
                ]
            })),
        ],
        "meta": meta(base, "Schema", &format!("Schemas/{USER}"))
    })
}

/// Portico's extension: what the identity provider sees but does not decide.
pub fn portico_schema(base: &str) -> Value {
    let read_only = json!({"mutability": "readOnly"});
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
        "id": PORTICO_USER,
        "name": "PorticoUser",
        "description": "Portico's own facts about a user",
        "attributes": [
            with(attr("managedByQmsAutomation", "boolean",
                      "Automation activates and inactivates this user as its records move (external collaborators it created); active cannot be changed over SCIM while true"),
                 read_only.clone()),
            with(attr("licenseType", "string", "'full' (staff) or 'external' (takes a seat of the external pool while active)"),
                 with(read_only.clone(), json!({"canonicalValues": ["full", "external"]}))),
            with(attr("securityProfile", "string", "system_admin, vault_owner, internal_user or external_collaborator"),
                 read_only.clone()),
            with(attr("person", "string", "The id of the person an external collaborator signs in for"),
                 read_only),
        ],
        "meta": meta(base, "Schema", &format!("Schemas/{PORTICO_USER}"))
    })
}

/// Every schema, as `GET /Schemas` lists them.
pub fn schemas(base: &str) -> Vec<Value> {
    vec![user_schema(base), portico_schema(base)]
}
