//! Typed webhook events and their payloads.
//!
//! The envelope ([`WebhookEvent`]) is written here; the [`EventData`]
//! variants and the payload types are generated at build time from the
//! webhook spec (`openapi/webhooks.yaml`, see `build/webhooks.rs`). The
//! payload types are the generated client's (`crate::types`), loosened for
//! inbound data as responses are: unknown fields are ignored, enums keep
//! unknown values, and every field but `id` is optional.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// A verified webhook event: Clerk's envelope around the event's `data`.
///
/// Also implements `Deserialize`/`Serialize` (the same JSON shape Clerk
/// sends), so stored events can be decoded again without re-verifying.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct WebhookEvent {
    /// The event type, such as `"user.created"` (the JSON `type` field).
    /// Always kept, even when [`data`](Self::data) is
    /// [`EventData::Unknown`].
    pub event_type: String,
    /// The envelope's object kind, normally `"event"`.
    pub object: Option<String>,
    /// When the event occurred, in milliseconds since the Unix epoch.
    pub timestamp: Option<i64>,
    /// The Clerk instance the event belongs to.
    pub instance_id: Option<String>,
    /// Extra context, such as `http_request.client_ip` and `user_agent`.
    pub event_attributes: Option<Value>,
    /// The event's payload.
    pub data: EventData,
    /// Envelope fields not modelled above.
    pub extra: Map<String, Value>,
}

impl WebhookEvent {
    /// Builds an event from its type and raw `data`, decoding `data` as
    /// [`EventData::from_value`] does.
    pub fn new(event_type: impl Into<String>, data: Value) -> Self {
        let event_type = event_type.into();
        let data = EventData::from_value(&event_type, data);
        Self {
            event_type,
            object: Some("event".to_owned()),
            timestamp: None,
            instance_id: None,
            event_attributes: None,
            data,
            extra: Map::new(),
        }
    }
}

/// Deserializes an optional field, turning a value of the wrong type into
/// `None` instead of an error.
fn lenient<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let value = Value::deserialize(deserializer)?;
    Ok(T::deserialize(&value).ok())
}

#[derive(Deserialize)]
struct RawEvent {
    #[serde(rename = "type")]
    event_type: String,
    #[serde(default, deserialize_with = "lenient")]
    object: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    timestamp: Option<i64>,
    #[serde(default, deserialize_with = "lenient")]
    instance_id: Option<String>,
    #[serde(default)]
    event_attributes: Option<Value>,
    #[serde(default)]
    data: Value,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

#[derive(Serialize)]
struct RawEventRef<'a> {
    #[serde(rename = "type")]
    event_type: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    object: Option<&'a String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    timestamp: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    instance_id: Option<&'a String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    event_attributes: Option<&'a Value>,
    data: &'a EventData,
    #[serde(flatten)]
    extra: &'a Map<String, Value>,
}

impl<'de> Deserialize<'de> for WebhookEvent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = RawEvent::deserialize(deserializer)?;
        let data = EventData::from_value(&raw.event_type, raw.data);
        Ok(Self {
            event_type: raw.event_type,
            object: raw.object,
            timestamp: raw.timestamp,
            instance_id: raw.instance_id,
            event_attributes: raw.event_attributes,
            data,
            extra: raw.extra,
        })
    }
}

impl Serialize for WebhookEvent {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        RawEventRef {
            event_type: &self.event_type,
            object: self.object.as_ref(),
            timestamp: self.timestamp,
            instance_id: self.instance_id.as_ref(),
            event_attributes: self.event_attributes.as_ref(),
            data: &self.data,
            extra: &self.extra,
        }
        .serialize(serializer)
    }
}

/// Decodes `data` as `T`, or keeps it raw if it does not fit.
fn typed<T: DeserializeOwned>(
    event_type: &str,
    data: Value,
    wrap: fn(T) -> EventData,
) -> EventData {
    match T::deserialize(&data) {
        Ok(payload) => wrap(payload),
        Err(error) => {
            tracing::debug!(
                event_type,
                %error,
                "webhook payload does not fit the typed model; keeping it as raw JSON"
            );
            EventData::Unknown(data)
        }
    }
}

macro_rules! event_data {
    ($(
        $(#[$doc:meta])*
        $variant:ident($payload:ty) = $name:literal,
    )*) => {
        /// The payload of a [`WebhookEvent`], typed by its event type: one
        /// variant per event of the webhook spec the crate was built from
        /// (`openapi/webhooks.yaml`, or `CLERK_WEBHOOK_SPEC`).
        ///
        /// ```
        /// # use clerk_backend::webhooks::{EventData, WebhookEvent};
        /// # fn handle(event: WebhookEvent) {
        /// match event.data {
        ///     EventData::UserCreated(user) | EventData::UserUpdated(user) => {
        ///         println!("upsert {} ({:?})", user.id, user.primary_email_address_id);
        ///     }
        ///     EventData::UserDeleted(deleted) => println!("delete {:?}", deleted.id),
        ///     EventData::SubscriptionItemPastDue(item) => {
        ///         println!("item {} of {:?} is past due", item.id, item.subscription_id);
        ///     }
        ///     EventData::Unknown(raw) => println!("ignoring {}: {raw}", event.event_type),
        ///     _ => {}
        /// }
        /// # }
        /// ```
        ///
        /// A payload is [`Unknown`](Self::Unknown) when its event type is not
        /// one of the variants below, and also when a known type's payload
        /// does not fit its type (a field of an unexpected JSON type); the
        /// event type string stays in [`WebhookEvent::event_type`]. Missing
        /// fields, unknown fields and unknown enum values never cause this:
        /// the payload types are generated for inbound data, as responses
        /// are (`build/normalize/`), so a required field that is absent
        /// decodes as its empty value (`""`, `0`, `false`).
        ///
        /// New variants may be added in minor releases (a newer webhook
        /// spec), moving such events out of `Unknown`.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        // Events are decoded once and matched on; boxing the payloads would
        // only make matching clumsier.
        #[allow(clippy::large_enum_variant)]
        pub enum EventData {
            $(
                $(#[$doc])*
                #[doc = concat!("\n\nEvent type `", $name, "`.")]
                $variant($payload),
            )*
            /// An event type this crate does not model, or a payload that did
            /// not fit its model: the raw `data` JSON.
            Unknown(Value),
        }

        impl EventData {
            /// Decodes raw `data` for the given event type. Never fails: see
            /// [`EventData::Unknown`].
            pub fn from_value(event_type: &str, data: Value) -> Self {
                match event_type {
                    $($name => typed(event_type, data, Self::$variant),)*
                    _ => Self::Unknown(data),
                }
            }

            /// The event type this variant stands for, or `None` for
            /// [`Unknown`](Self::Unknown).
            pub fn event_type(&self) -> Option<&'static str> {
                match self {
                    $(Self::$variant(_) => Some($name),)*
                    Self::Unknown(_) => None,
                }
            }
        }

        impl Serialize for EventData {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    $(Self::$variant(payload) => payload.serialize(serializer),)*
                    Self::Unknown(raw) => raw.serialize(serializer),
                }
            }
        }
    };
}

// The invocation, one variant per event of the webhook spec, is generated
// by build.rs (`build/webhooks.rs`), as is the `payloads` module.
include!(concat!(env!("OUT_DIR"), "/webhook_events.rs"));

impl EventData {
    /// Whether this is [`EventData::Unknown`].
    pub fn is_unknown(&self) -> bool {
        matches!(self, Self::Unknown(_))
    }
}
