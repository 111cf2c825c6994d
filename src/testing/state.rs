//! The fake's in-memory store and the helpers its handlers share: IDs,
//! timestamps, Clerk's metadata merge, ordering and paging.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

use super::errors::ApiError;

/// Everything the fake knows, as Clerk would return it. Users,
/// organizations, invitations and sessions are kept in their response
/// shape; memberships are rendered with their organization and user.
pub(crate) struct Store {
    seed: u64,
    counter: u64,
    last_ms: i64,
    pub(crate) users: Vec<Value>,
    /// Each user's place in creation order, `(created_at, sequence)`, kept
    /// after the user is deleted: where a `starting_after` cursor points.
    pub(crate) user_places: HashMap<String, (i64, usize)>,
    pub(crate) organizations: Vec<Value>,
    pub(crate) memberships: Vec<Membership>,
    pub(crate) invitations: Vec<Value>,
    pub(crate) sessions: Vec<Value>,
    /// The instance's key set (`GET /v1/jwks`).
    pub(crate) jwks: Value,
    /// Machines, API keys, M2M and OAuth access tokens.
    pub(crate) machine: super::machines::MachineStore,
}

/// A user's membership in an organization.
#[derive(Clone)]
pub(crate) struct Membership {
    pub(crate) id: String,
    pub(crate) organization_id: String,
    pub(crate) user_id: String,
    pub(crate) role: String,
    pub(crate) public_metadata: Value,
    pub(crate) private_metadata: Value,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
}

/// 64 bits from the standard library's randomly seeded hasher: enough to
/// tell fakes and their IDs apart (not for cryptography).
pub(crate) fn random_u64() -> u64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(0);
    hasher.finish()
}

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// `n` base-62 characters of `value` (least significant first).
pub(crate) fn base62(mut value: u64, n: usize) -> String {
    (0..n)
        .map(|_| {
            let c = BASE62[(value % 62) as usize] as char;
            value /= 62;
            c
        })
        .collect()
}

fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Store {
    pub(crate) fn new(jwks: Value) -> Self {
        Store {
            seed: random_u64(),
            counter: 0,
            last_ms: 0,
            users: Vec::new(),
            user_places: HashMap::new(),
            organizations: Vec::new(),
            memberships: Vec::new(),
            invitations: Vec::new(),
            sessions: Vec::new(),
            jwks,
            machine: Default::default(),
        }
    }

    /// A new ID with Clerk's prefix, e.g. `user_2x...` (27 characters after
    /// the prefix, like Clerk's). Unique within the fake: its first 11
    /// characters encode a bijection of a counter.
    pub(crate) fn id(&mut self, prefix: &str) -> String {
        self.counter += 1;
        let unique = mix(self.seed ^ self.counter);
        let filler = mix(unique);
        format!(
            "{prefix}_2{}{}{}",
            base62(unique, 11),
            base62(filler, 10),
            base62(mix(filler), 5)
        )
    }

    /// Milliseconds since the Unix epoch, never going backwards.
    pub(crate) fn now_ms(&mut self) -> i64 {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        self.last_ms = self.last_ms.max(now);
        self.last_ms
    }
}

/// The object of `list` whose `id` is `id`.
pub(crate) fn find<'a>(list: &'a [Value], id: &str) -> Option<&'a Value> {
    list.iter().find(|v| v["id"] == id)
}

/// The object of `list` whose `id` is `id`, mutably.
pub(crate) fn find_mut<'a>(list: &'a mut [Value], id: &str) -> Option<&'a mut Value> {
    list.iter_mut().find(|v| v["id"] == id)
}

/// Clerk's metadata merge: objects are merged recursively, `null` removes
/// a key, anything else replaces the value.
pub(crate) fn merge(target: &mut Value, patch: &Map<String, Value>) {
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let Value::Object(map) = target else {
        return;
    };
    for (key, value) in patch {
        match value {
            Value::Null => {
                map.remove(key);
            }
            Value::Object(inner) if map.get(key).is_some_and(Value::is_object) => {
                if let Some(existing) = map.get_mut(key) {
                    merge(existing, inner);
                }
            }
            _ => {
                map.insert(key.clone(), value.clone());
            }
        }
    }
}

/// Orders `items` (in creation order) by `order_by`: a field name with an
/// optional `+` (ascending, the default) or `-` (descending) prefix.
/// Objects that compare equal keep creation order, reversed when
/// descending (so `-created_at` is newest first even within a
/// millisecond).
pub(crate) fn order<T>(
    items: Vec<T>,
    order_by: &str,
    allowed: &[&str],
    key: impl Fn(&T, &str) -> Value,
) -> Result<Vec<T>, ApiError> {
    // A `+` sent unencoded in a query string arrives as a space.
    let text = order_by.trim_start_matches(' ');
    let (descending, field) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if !allowed.contains(&field) {
        return Err(ApiError::param_invalid(
            "order_by",
            &format!("must be one of {} (with + or -)", allowed.join(", ")),
        ));
    }
    let mut keyed: Vec<(Value, usize, T)> = items
        .into_iter()
        .enumerate()
        .map(|(i, item)| (key(&item, field), i, item))
        .collect();
    keyed.sort_by(|(a, i, _), (b, j, _)| compare(a, b).then(i.cmp(j)));
    if descending {
        keyed.reverse();
    }
    Ok(keyed.into_iter().map(|(_, _, item)| item).collect())
}

/// Numbers by value, strings case-insensitively, `null` last.
fn compare(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Greater,
        (_, Value::Null) => Ordering::Less,
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .unwrap_or(0.0)
            .partial_cmp(&y.as_f64().unwrap_or(0.0))
            .unwrap_or(Ordering::Equal),
        (Value::String(x), Value::String(y)) => x.to_lowercase().cmp(&y.to_lowercase()),
        _ => Ordering::Equal,
    }
}

/// The page `offset..offset + limit` of `items`.
pub(crate) fn page<T>(items: Vec<T>, (limit, offset): (usize, usize)) -> Vec<T> {
    items.into_iter().skip(offset).take(limit).collect()
}

/// A `{data, total_count}` list: `items` ordered by `order_by` (see
/// [`order`]), paged, and rendered.
pub(crate) fn list_page<T>(
    items: Vec<T>,
    (order_by, allowed): (&str, &[&str]),
    key: impl Fn(&T, &str) -> Value,
    paging: (usize, usize),
    render: impl Fn(T) -> Value,
) -> Result<Value, ApiError> {
    let total = items.len();
    let ordered = order(items, order_by, allowed, key)?;
    let data: Vec<Value> = page(ordered, paging).into_iter().map(render).collect();
    Ok(serde_json::json!({ "data": data, "total_count": total }))
}

/// `{"object": .., "id": .., "deleted": true}`.
pub(crate) fn deleted(object: &str, id: &str) -> Value {
    serde_json::json!({ "object": object, "id": id, "deleted": true })
}
