//! Use cases of a user's own account: profile, preferences, erasure.

use serde::{Deserialize, Serialize};

use crate::dates::Timestamp;
use crate::events::{Change, DomainEvent};
use crate::ports::{Profiles, SignalStore};
use crate::user::{Caller, Group, Preferences, Profile, Signals};

/// What `GET /me` shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub id: crate::ids::UserId,
    pub groups: Vec<Group>,
    pub preferences: Preferences,
    pub signals: Signals,
}

pub async fn me(
    profiles: &dyn Profiles,
    signals: &dyn SignalStore,
    caller: &Caller,
) -> anyhow::Result<Me> {
    let preferences = profiles
        .profile(&caller.user_id)
        .await?
        .map(|p| p.preferences)
        .unwrap_or_default();
    Ok(Me {
        id: caller.user_id.clone(),
        groups: caller.groups.iter().copied().collect(),
        preferences,
        signals: signals.signals(&caller.user_id).await?,
    })
}

pub async fn save_preferences(
    profiles: &dyn Profiles,
    caller: &Caller,
    preferences: Preferences,
    now: Timestamp,
) -> anyhow::Result<Profile> {
    let profile = Profile {
        user_id: caller.user_id.clone(),
        preferences,
        updated_at: now,
    };
    profiles.save_profile(&profile).await?;
    Ok(profile)
}

/// Forgets the caller: profile and learned signals go; `UserErased` tells
/// every read model to forget them too. Bookings stay, as the financial
/// record requires.
pub async fn erase(profiles: &dyn Profiles, caller: &Caller, now: Timestamp) -> anyhow::Result<()> {
    let event = DomainEvent::new(
        Change::UserErased {
            user_id: caller.user_id.clone(),
        },
        now,
    );
    profiles.erase(&caller.user_id, &event).await
}
