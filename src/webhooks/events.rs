//! Typed webhook events and their payloads.
//!
//! The payload structs are deliberately lean and tolerant: apart from `id`,
//! every field is optional, and fields this crate does not model are kept in
//! each struct's `extra` map rather than dropped.

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
        /// The payload of a [`WebhookEvent`], typed by its event type.
        ///
        /// ```
        /// # use clerk_backend::webhooks::{EventData, WebhookEvent};
        /// # fn handle(event: WebhookEvent) {
        /// match event.data {
        ///     EventData::UserCreated(user) | EventData::UserUpdated(user) => {
        ///         println!("upsert {} ({:?})", user.id, user.primary_email_address());
        ///     }
        ///     EventData::UserDeleted(deleted) => println!("delete {}", deleted.id),
        ///     EventData::Unknown(raw) => println!("ignoring {}: {raw}", event.event_type),
        ///     _ => {}
        /// }
        /// # }
        /// ```
        ///
        /// A payload is [`Unknown`](Self::Unknown) when its event type is not
        /// one of the variants below, and also when a known type's payload
        /// does not fit the typed struct (for instance a field of an
        /// unexpected JSON type); the event type string stays in
        /// [`WebhookEvent::event_type`]. Missing optional fields never cause
        /// this, and unmodelled fields land in the structs' `extra` maps.
        ///
        /// Role, permission, domain, waitlist and billing events are
        /// currently always `Unknown`. New variants may be added in minor
        /// releases, moving such events out of `Unknown`.
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

event_data! {
    /// A user signed up or was created.
    UserCreated(User) = "user.created",
    /// A user's data changed.
    UserUpdated(User) = "user.updated",
    /// A user was deleted.
    UserDeleted(DeletedObject) = "user.deleted",
    /// A session was created.
    SessionCreated(Session) = "session.created",
    /// A session ended (the user signed out).
    SessionEnded(Session) = "session.ended",
    /// A session was removed.
    SessionRemoved(Session) = "session.removed",
    /// A session was revoked.
    SessionRevoked(Session) = "session.revoked",
    /// A session is pending (has tasks to complete).
    SessionPending(Session) = "session.pending",
    /// An organization was created.
    OrganizationCreated(Organization) = "organization.created",
    /// An organization changed.
    OrganizationUpdated(Organization) = "organization.updated",
    /// An organization was deleted.
    OrganizationDeleted(DeletedObject) = "organization.deleted",
    /// A user joined an organization.
    OrganizationMembershipCreated(OrganizationMembership) = "organizationMembership.created",
    /// A membership changed (for instance its role).
    OrganizationMembershipUpdated(OrganizationMembership) = "organizationMembership.updated",
    /// A user left or was removed from an organization. Clerk sends the
    /// full membership, not a deleted-object stub.
    OrganizationMembershipDeleted(OrganizationMembership) = "organizationMembership.deleted",
    /// An organization invitation was sent.
    OrganizationInvitationCreated(OrganizationInvitation) = "organizationInvitation.created",
    /// An organization invitation was accepted.
    OrganizationInvitationAccepted(OrganizationInvitation) = "organizationInvitation.accepted",
    /// An organization invitation was revoked.
    OrganizationInvitationRevoked(OrganizationInvitation) = "organizationInvitation.revoked",
    /// Clerk created (and may have sent) an email.
    EmailCreated(Email) = "email.created",
    /// Clerk created (and may have sent) an SMS message.
    SmsCreated(Sms) = "sms.created",
}

impl EventData {
    /// Whether this is [`EventData::Unknown`].
    pub fn is_unknown(&self) -> bool {
        matches!(self, Self::Unknown(_))
    }
}

/// The payload of `user.created` and `user.updated`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct User {
    /// The user's id (`user_...`).
    pub id: String,
    /// Normally `"user"`.
    pub object: Option<String>,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Username, if usernames are enabled.
    pub username: Option<String>,
    /// Profile image URL.
    pub image_url: Option<String>,
    /// The id of the primary entry in [`email_addresses`](Self::email_addresses).
    pub primary_email_address_id: Option<String>,
    /// The id of the primary entry in [`phone_numbers`](Self::phone_numbers).
    pub primary_phone_number_id: Option<String>,
    /// All email addresses (empty if none or omitted).
    #[serde(default, deserialize_with = "crate::decode::null_as_empty")]
    pub email_addresses: Vec<EmailAddress>,
    /// All phone numbers (empty if none or omitted).
    #[serde(default, deserialize_with = "crate::decode::null_as_empty")]
    pub phone_numbers: Vec<PhoneNumber>,
    /// Your own id for the user, if you set one.
    pub external_id: Option<String>,
    /// Metadata readable from the frontend, writable only from the backend.
    pub public_metadata: Option<Value>,
    /// Metadata readable and writable only from the backend.
    pub private_metadata: Option<Value>,
    /// Metadata readable and writable from the frontend.
    pub unsafe_metadata: Option<Value>,
    /// Milliseconds since the Unix epoch.
    pub last_sign_in_at: Option<i64>,
    /// Milliseconds since the Unix epoch.
    pub created_at: Option<i64>,
    /// Milliseconds since the Unix epoch.
    pub updated_at: Option<i64>,
    /// Fields not modelled above.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Another name for [`User`], the payload of user events.
pub type UserEvent = User;

impl User {
    /// The primary email address, if the user has one.
    pub fn primary_email_address(&self) -> Option<&str> {
        let primary = self.primary_email_address_id.as_deref()?;
        self.email_addresses
            .iter()
            .find(|email| email.id == primary)
            .and_then(|email| email.email_address.as_deref())
    }

    /// The primary phone number, if the user has one.
    pub fn primary_phone_number(&self) -> Option<&str> {
        let primary = self.primary_phone_number_id.as_deref()?;
        self.phone_numbers
            .iter()
            .find(|phone| phone.id == primary)
            .and_then(|phone| phone.phone_number.as_deref())
    }
}

/// One of a [`User`]'s email addresses.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EmailAddress {
    /// The email address's id (`idn_...`).
    pub id: String,
    /// The email address itself.
    pub email_address: Option<String>,
    /// Fields not modelled above (`verification`, `linked_to`, ...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One of a [`User`]'s phone numbers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PhoneNumber {
    /// The phone number's id (`idn_...`).
    pub id: String,
    /// The phone number itself, in E.164 format.
    pub phone_number: Option<String>,
    /// Fields not modelled above (`verification`, `linked_to`, ...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The payload of `*.deleted` events for users and organizations.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DeletedObject {
    /// The id of the deleted object.
    pub id: String,
    /// The kind of the deleted object, such as `"user"`.
    pub object: Option<String>,
    /// Normally `true`; `false` if the payload omitted it.
    #[serde(default, deserialize_with = "crate::decode::null_as_empty")]
    pub deleted: bool,
    /// Fields not modelled above (`external_id` on `user.deleted`, `slug`, ...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The payload of `session.*` events.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Session {
    /// The session's id (`sess_...`).
    pub id: String,
    /// Normally `"session"`.
    pub object: Option<String>,
    /// The user's id.
    pub user_id: Option<String>,
    /// The client (device/browser) the session belongs to.
    pub client_id: Option<String>,
    /// Such as `"active"`, `"ended"`, `"removed"`, `"revoked"`, `"pending"`.
    pub status: Option<String>,
    /// The organization active in the session.
    pub last_active_organization_id: Option<String>,
    /// Present for impersonation sessions.
    pub actor: Option<Value>,
    /// Milliseconds since the Unix epoch.
    pub last_active_at: Option<i64>,
    /// Milliseconds since the Unix epoch.
    pub expire_at: Option<i64>,
    /// Milliseconds since the Unix epoch.
    pub abandon_at: Option<i64>,
    /// Milliseconds since the Unix epoch.
    pub created_at: Option<i64>,
    /// Milliseconds since the Unix epoch.
    pub updated_at: Option<i64>,
    /// Fields not modelled above (such as `user` or `latest_activity`).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The payload of `organization.created` and `organization.updated`, and
/// the `organization` of an [`OrganizationMembership`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Organization {
    /// The organization's id (`org_...`).
    pub id: String,
    /// Normally `"organization"`.
    pub object: Option<String>,
    /// Display name.
    pub name: Option<String>,
    /// URL-friendly unique name.
    pub slug: Option<String>,
    /// Profile image URL.
    pub image_url: Option<String>,
    /// Whether a custom image was uploaded.
    pub has_image: Option<bool>,
    /// Number of members, when included.
    pub members_count: Option<i64>,
    /// Membership limit (0 for unlimited).
    pub max_allowed_memberships: Option<i64>,
    /// Whether admins may delete the organization.
    pub admin_delete_enabled: Option<bool>,
    /// Metadata readable from the frontend, writable only from the backend.
    pub public_metadata: Option<Value>,
    /// Metadata readable and writable only from the backend.
    pub private_metadata: Option<Value>,
    /// The id of the user who created the organization.
    pub created_by: Option<String>,
    /// Milliseconds since the Unix epoch.
    pub created_at: Option<i64>,
    /// Milliseconds since the Unix epoch.
    pub updated_at: Option<i64>,
    /// Fields not modelled above.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The payload of `organizationMembership.*` events.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OrganizationMembership {
    /// The membership's id (`orgmem_...`).
    pub id: String,
    /// Normally `"organization_membership"`.
    pub object: Option<String>,
    /// The role key, such as `"org:admin"`.
    pub role: Option<String>,
    /// The role's display name.
    pub role_name: Option<String>,
    /// Permission keys granted by the role.
    #[serde(default, deserialize_with = "crate::decode::null_as_empty")]
    pub permissions: Vec<String>,
    /// Metadata readable from the frontend, writable only from the backend.
    pub public_metadata: Option<Value>,
    /// Metadata readable and writable only from the backend.
    pub private_metadata: Option<Value>,
    /// The organization.
    pub organization: Option<Organization>,
    /// The member's public data.
    pub public_user_data: Option<OrganizationMembershipPublicUserData>,
    /// Milliseconds since the Unix epoch.
    pub created_at: Option<i64>,
    /// Milliseconds since the Unix epoch.
    pub updated_at: Option<i64>,
    /// Fields not modelled above.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The member's public data in an [`OrganizationMembership`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OrganizationMembershipPublicUserData {
    /// The user's id.
    pub user_id: Option<String>,
    /// The member's primary identifier, such as an email address.
    pub identifier: Option<String>,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Username, if usernames are enabled.
    pub username: Option<String>,
    /// Profile image URL.
    pub image_url: Option<String>,
    /// Whether a custom image was uploaded.
    pub has_image: Option<bool>,
    /// Fields not modelled above.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The payload of `organizationInvitation.*` events.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OrganizationInvitation {
    /// The invitation's id (`orginv_...`).
    pub id: String,
    /// Normally `"organization_invitation"`.
    pub object: Option<String>,
    /// The email address itself.
    pub email_address: Option<String>,
    /// The role key, such as `"org:member"`.
    pub role: Option<String>,
    /// The role's display name.
    pub role_name: Option<String>,
    /// The organization's id.
    pub organization_id: Option<String>,
    /// Such as `"pending"`, `"accepted"`, `"revoked"`.
    pub status: Option<String>,
    /// The user who accepted the invitation (on `organizationInvitation.accepted`).
    pub user_id: Option<String>,
    /// The invitation link, if any.
    pub url: Option<String>,
    /// Metadata readable from the frontend, writable only from the backend.
    pub public_metadata: Option<Value>,
    /// Metadata readable and writable only from the backend.
    pub private_metadata: Option<Value>,
    /// Milliseconds since the Unix epoch.
    pub expires_at: Option<i64>,
    /// Milliseconds since the Unix epoch.
    pub created_at: Option<i64>,
    /// Milliseconds since the Unix epoch.
    pub updated_at: Option<i64>,
    /// Fields not modelled above.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The payload of `email.created`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Email {
    /// The email's id (`ema_...`).
    pub id: String,
    /// Normally `"email"`.
    pub object: Option<String>,
    /// The template, such as `"verification_code"` or `"magic_link_sign_in"`.
    pub slug: Option<String>,
    /// Recipient.
    pub to_email_address: Option<String>,
    /// Sender address, when included.
    pub from_email_address: Option<String>,
    /// The sender's name part, such as `"notifications"`.
    pub from_email_name: Option<String>,
    /// The recipient email address's id.
    pub email_address_id: Option<String>,
    /// The user's id.
    pub user_id: Option<String>,
    /// Subject line.
    pub subject: Option<String>,
    /// The HTML body.
    pub body: Option<String>,
    /// The plain-text body.
    pub body_plain: Option<String>,
    /// Delivery status, such as `"queued"`.
    pub status: Option<String>,
    /// Template variables, such as `otp_code`.
    pub data: Option<Value>,
    /// `false` when you deliver emails yourself.
    pub delivered_by_clerk: Option<bool>,
    /// Fields not modelled above.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The payload of `sms.created`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Sms {
    /// The message's id.
    pub id: String,
    /// Normally `"sms_message"`.
    pub object: Option<String>,
    /// The template, such as `"verification_code"`.
    pub slug: Option<String>,
    /// Sender.
    pub from_phone_number: Option<String>,
    /// Recipient.
    pub to_phone_number: Option<String>,
    /// The recipient phone number's id.
    pub phone_number_id: Option<String>,
    /// The user's id.
    pub user_id: Option<String>,
    /// The message text.
    pub message: Option<String>,
    /// Delivery status, such as `"queued"`.
    pub status: Option<String>,
    /// Template variables, such as `otp_code`.
    pub data: Option<Value>,
    /// `false` when you deliver messages yourself.
    pub delivered_by_clerk: Option<bool>,
    /// Fields not modelled above.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
