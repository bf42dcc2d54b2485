//! Tokens for the local platform, standing in for Cognito and API Gateway's
//! JWT authorizer: `POST /local/token` signs one for any user and groups; a
//! protected route accepts only a valid one and hands its claims to the
//! function as the authorizer would (`cognito:groups` flattened to `[a b]`).

use std::path::Path;

use anyhow::Context;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

const ISSUER: &str = "berth-local";
/// Local tokens last a day.
const LIFETIME_SECONDS: i64 = 24 * 3600;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Claims {
    sub: String,
    #[serde(rename = "cognito:groups", default)]
    groups: Vec<String>,
    iss: String,
    iat: i64,
    exp: i64,
    token_use: String,
}

pub struct LocalAuth {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl LocalAuth {
    /// Uses the signing key in `data_dir`, creating it on first start, so
    /// tokens outlive restarts.
    pub fn open(data_dir: &Path) -> anyhow::Result<Self> {
        let path = data_dir.join("token-signing.key");
        let key = match std::fs::read(&path) {
            Ok(key) if key.len() >= 32 => key,
            _ => {
                let key: [u8; 32] = rand::random();
                std::fs::write(&path, key)
                    .with_context(|| format!("writing {}", path.display()))?;
                key.to_vec()
            }
        };
        Ok(Self {
            encoding: EncodingKey::from_secret(&key),
            decoding: DecodingKey::from_secret(&key),
        })
    }

    pub fn issue(&self, sub: &str, groups: &[String]) -> anyhow::Result<String> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: sub.to_owned(),
            groups: groups.to_vec(),
            iss: ISSUER.into(),
            iat: now,
            exp: now + LIFETIME_SECONDS,
            token_use: "access".into(),
        };
        Ok(jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &self.encoding,
        )?)
    }

    /// The claims of a valid token, as API Gateway passes them on: every
    /// value a string, groups as `[a b]`.
    pub fn verify(&self, token: &str) -> Result<Map<String, Value>, String> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .map_err(|e| e.to_string())?;
        let claims = data.claims;
        let mut map = Map::new();
        map.insert("sub".into(), Value::from(claims.sub));
        map.insert("iss".into(), Value::from(claims.iss));
        map.insert("iat".into(), Value::from(claims.iat.to_string()));
        map.insert("exp".into(), Value::from(claims.exp.to_string()));
        map.insert("token_use".into(), Value::from(claims.token_use));
        if !claims.groups.is_empty() {
            map.insert(
                "cognito:groups".into(),
                Value::from(format!("[{}]", claims.groups.join(" "))),
            );
        }
        Ok(map)
    }
}
