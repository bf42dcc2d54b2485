//! The user pool (Cognito): where a user's email address lives. The
//! notifier looks addresses up here; erasure deletes the user's account,
//! address included ([`PersonalData`]).
//!
//! Berth's user id is the token's `sub`; the pool is asked for the user
//! whose `sub` it is (`ListUsers` with a filter), and that user's username
//! is what `AdminDeleteUser` takes ("AdminDeleteUser",
//! <https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminDeleteUser.html>).

use anyhow::Context;
use async_trait::async_trait;
use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::UserType;
use berth_domain::ids::UserId;
use berth_domain::ports::{Erasure, PersonalData};

use crate::access::{Access, on};
use crate::config::{AwsConfig, MissingVariable, vars};

/// [`PersonalData`] in the user pool: find the account, delete it.
pub const ACCOUNTS: Access = Access {
    port: "PersonalData",
    grants: &[on(
        vars::USER_POOL_ID,
        &["cognito-idp:ListUsers", "cognito-idp:AdminDeleteUser"],
    )],
    env: &[vars::USER_POOL_ID],
};

/// Berth's user pool. Needs `USER_POOL_ID`.
#[derive(Debug, Clone)]
pub struct UserPool {
    client: Client,
    pool: String,
}

impl UserPool {
    pub fn from_env(config: &AwsConfig) -> Result<Self, MissingVariable> {
        Ok(Self::new(
            Client::new(config.sdk()),
            config.require(vars::USER_POOL_ID)?,
        ))
    }

    pub fn new(client: Client, pool: impl Into<String>) -> Self {
        Self {
            client,
            pool: pool.into(),
        }
    }

    /// The account of `user` (`cognito-idp:ListUsers`), if the pool has one.
    pub async fn account(&self, user: &UserId) -> anyhow::Result<Option<UserType>> {
        // User ids are letters, digits and - _ . @: nothing to escape in the filter.
        let found = self
            .client
            .list_users()
            .user_pool_id(&self.pool)
            .filter(format!("sub = \"{user}\""))
            .limit(1)
            .send()
            .await
            .context("looking a user up in the user pool")?;
        Ok(found.users().first().cloned())
    }

    /// `user`'s email address, `None` when the pool has no such user or no address.
    pub async fn address_of(&self, user: &UserId) -> anyhow::Result<Option<String>> {
        Ok(self.account(user).await?.and_then(|account| {
            account
                .attributes()
                .iter()
                .find(|a| a.name() == "email")
                .and_then(|a| a.value())
                .map(str::to_owned)
        }))
    }
}

#[async_trait]
impl PersonalData for UserPool {
    /// Deletes the account (`cognito-idp:AdminDeleteUser`); none left is done.
    async fn forget(&self, erasure: &Erasure) -> anyhow::Result<()> {
        let Some(username) = self
            .account(&erasure.user)
            .await?
            .and_then(|account| account.username().map(str::to_owned))
        else {
            return Ok(());
        };
        let deleted = self
            .client
            .admin_delete_user()
            .user_pool_id(&self.pool)
            .username(username)
            .send()
            .await;
        match deleted {
            Ok(_) => Ok(()),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_user_not_found_exception()) =>
            {
                Ok(())
            }
            Err(e) => Err(anyhow::Error::new(e).context("deleting a user from the user pool")),
        }
    }
}
