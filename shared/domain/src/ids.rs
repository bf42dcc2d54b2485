//! Identifiers. Berth mints property and booking ids itself (a prefix and a
//! time-ordered UUID); user ids are the identity provider's `sub` claim.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::InvalidInput;

macro_rules! minted_id {
    ($name:ident, $prefix:literal, $what:literal) => {
        #[doc = concat!("The id of a ", $what, ": `", $prefix, "` and 32 hex digits.")]
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub const PREFIX: &'static str = $prefix;

            /// A new, time-ordered id.
            pub fn generate() -> Self {
                Self::from_uuid(Uuid::now_v7())
            }

            pub fn from_uuid(uuid: Uuid) -> Self {
                Self(format!("{}{}", $prefix, uuid.simple()))
            }

            pub fn parse(text: &str) -> Result<Self, InvalidInput> {
                let hex = text.strip_prefix($prefix).unwrap_or("");
                if hex.len() == 32 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
                    Ok(Self(text.to_owned()))
                } else {
                    Err(InvalidInput::new(
                        "id",
                        concat!("is not a ", $what, " id (", $prefix, " and 32 hex digits)"),
                    ))
                }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = InvalidInput;
            fn try_from(text: String) -> Result<Self, Self::Error> {
                Self::parse(&text)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

minted_id!(PropertyId, "prop_", "property");
minted_id!(BookingId, "bk_", "booking");
minted_id!(EventId, "evt_", "event");
minted_id!(FeedId, "feed_", "calendar feed");

/// A user: the `sub` claim of their token.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UserId(String);

impl UserId {
    pub fn parse(text: &str) -> Result<Self, InvalidInput> {
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@');
        if (1..=128).contains(&text.len()) && text.chars().all(allowed) {
            Ok(Self(text.to_owned()))
        } else {
            Err(InvalidInput::new(
                "sub",
                "a user id is 1 to 128 letters, digits or - _ . @",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A fresh id that stands for an erased user: `erased-` and 32 hex
    /// digits, linked to nobody.
    pub fn pseudonym() -> Self {
        Self(format!("erased-{}", Uuid::new_v4().simple()))
    }
}

impl TryFrom<String> for UserId {
    type Error = InvalidInput;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl From<UserId> for String {
    fn from(id: UserId) -> Self {
        id.0
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minted_ids_round_trip_and_reject_strangers() {
        let id = BookingId::generate();
        assert_eq!(BookingId::parse(id.as_str()).unwrap(), id);
        assert!(
            PropertyId::parse(id.as_str()).is_err(),
            "a booking id is not a property id"
        );
        for bad in [
            "",
            "bk_",
            "bk_XYZ",
            "bk_0123456789abcdef0123456789ABCDEF",
            "bk_0123",
        ] {
            assert!(BookingId::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn generated_ids_sort_by_creation() {
        let first = PropertyId::generate();
        let second = PropertyId::generate();
        assert!(first < second);
    }

    #[test]
    fn user_ids_are_plain_and_bounded() {
        assert!(UserId::parse("alice").is_ok());
        assert!(UserId::parse("0f1e2d3c-aaaa-bbbb-cccc-123456789abc").is_ok());
        for bad in ["", "a b", "<script>", &"x".repeat(129)] {
            assert!(UserId::parse(bad).is_err(), "{bad} accepted");
        }
    }
}
