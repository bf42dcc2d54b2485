//! Use cases of a user's own account: profile, preferences, erasure.

use serde::{Deserialize, Serialize};

use crate::dates::Timestamp;
use crate::events::{Change, DomainEvent};

use crate::ids::UserId;
use crate::ports::{
    BookingReader, Erasure, PageRequest, PersonalData, Profiles, Role, SignalStore,
};
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
/// every other store to forget them too ([`forget`]). Bookings stay, as the
/// financial record requires, under a pseudonym chosen now.
pub async fn erase(profiles: &dyn Profiles, caller: &Caller, now: Timestamp) -> anyhow::Result<()> {
    let event = DomainEvent::new(
        Change::UserErased {
            user_id: caller.user_id.clone(),
            pseudonym: UserId::pseudonym(),
        },
        now,
    );
    profiles.erase(&caller.user_id, &event).await
}

/// How many bookings a listing page holds while finding a user's bookings.
const PAGE: u32 = 100;

/// What `UserErased` sets off: every store forgets `user`, keeping what
/// must stay under `pseudonym`. `stores` run in order, and the one that
/// answers `bookings` must come last: until it has run, a retry still finds
/// the user's bookings for the others.
pub async fn forget(
    bookings: &dyn BookingReader,
    stores: &dyn PersonalData,
    user: &UserId,
    pseudonym: &UserId,
) -> anyhow::Result<()> {
    let mut erasure = Erasure {
        user: user.clone(),
        pseudonym: pseudonym.clone(),
        bookings: Vec::new(),
    };
    for role in [Role::Guest, Role::Host] {
        let mut page = PageRequest {
            limit: PAGE,
            after: None,
        };
        loop {
            let found = bookings.bookings_of(user, role, &page).await?;
            erasure
                .bookings
                .extend(found.items.into_iter().map(|b| b.id));
            match found.next {
                Some(next) => page.after = Some(next),
                None => break,
            }
        }
    }
    stores.forget(&erasure).await
}
