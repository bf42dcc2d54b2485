//! Published snapshots: the index as a new replica restores it, kept in one
//! place and refreshed by the scheduled publisher ([`publish`]).
//!
//! - [`SnapshotStore`]: the published snapshot, read and replaced only if
//!   it is still the one read (so two runs never overwrite each other);
//! - [`s3::S3Snapshots`]: the store in AWS, one object of the snapshot bucket;
//! - [`FileSnapshots`]: a file (the local platform, a replica's own copy);
//! - [`Location`]: `s3://bucket/key` or a path, as `--snapshot` takes it.

pub mod publish;
pub mod s3;

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::PathBuf;

use anyhow::Context;
use async_trait::async_trait;

/// A published snapshot and the tag that names this very version of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub bytes: Vec<u8>,
    pub tag: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ReplaceError {
    /// Another writer replaced (or created) the snapshot since it was read.
    #[error("the published snapshot changed since it was read")]
    Changed,
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

#[async_trait]
pub trait SnapshotStore: Send + Sync {
    /// The published snapshot, or `None` when there is none yet.
    async fn latest(&self) -> anyhow::Result<Option<Stored>>;

    /// Publishes `bytes` in place of the snapshot tagged `replacing`
    /// (`None`: only if there is still none). [`ReplaceError::Changed`]
    /// when that is no longer the published one; it then stays as it is.
    async fn replace(&self, bytes: Vec<u8>, replacing: Option<&str>) -> Result<(), ReplaceError>;
}

/// Where a snapshot is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    S3 { bucket: String, key: String },
    File(PathBuf),
}

impl Location {
    /// `s3://bucket/key`, else a file path.
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let Some(rest) = text.strip_prefix("s3://") else {
            return Ok(Self::File(PathBuf::from(text)));
        };
        match rest.split_once('/') {
            Some((bucket, key)) if !bucket.is_empty() && !key.is_empty() => Ok(Self::S3 {
                bucket: bucket.to_owned(),
                key: key.to_owned(),
            }),
            _ => anyhow::bail!("{text:?} is not s3://bucket/key"),
        }
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::S3 { bucket, key } => write!(f, "s3://{bucket}/{key}"),
            Self::File(path) => write!(f, "{}", path.display()),
        }
    }
}

/// A snapshot in one file, replaced by writing aside and renaming, so a
/// reader never sees half of one. Its tag is a hash of its bytes: this
/// store guards against a stale writer in one process, not across machines.
#[derive(Debug, Clone)]
pub struct FileSnapshots {
    path: PathBuf,
}

impl FileSnapshots {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    fn tag(bytes: &[u8]) -> String {
        let mut hasher = DefaultHasher::new();
        bytes.hash(&mut hasher);
        format!("{:016x}-{}", hasher.finish(), bytes.len())
    }

    fn read(&self) -> anyhow::Result<Option<Stored>> {
        match std::fs::read(&self.path) {
            Ok(bytes) => Ok(Some(Stored {
                tag: Self::tag(&bytes),
                bytes,
            })),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("reading {}", self.path.display())),
        }
    }

    /// Writes `bytes` whatever the file holds (blocking).
    pub fn write(&self, bytes: &[u8]) -> anyhow::Result<()> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let aside = self.path.with_extension("partial");
        std::fs::write(&aside, bytes).with_context(|| format!("writing {}", aside.display()))?;
        std::fs::rename(&aside, &self.path)
            .with_context(|| format!("renaming to {}", self.path.display()))
    }
}

#[async_trait]
impl SnapshotStore for FileSnapshots {
    async fn latest(&self) -> anyhow::Result<Option<Stored>> {
        let store = self.clone();
        tokio::task::spawn_blocking(move || store.read()).await?
    }

    async fn replace(&self, bytes: Vec<u8>, replacing: Option<&str>) -> Result<(), ReplaceError> {
        let (store, replacing) = (self.clone(), replacing.map(str::to_owned));
        tokio::task::spawn_blocking(move || {
            let current = store.read()?.map(|s| s.tag);
            if current != replacing {
                return Err(ReplaceError::Changed);
            }
            Ok(store.write(&bytes)?)
        })
        .await
        .map_err(|e| ReplaceError::Other(e.into()))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_are_s3_uris_or_paths() {
        assert_eq!(
            Location::parse("s3://berth-snapshots/search/latest.snap").unwrap(),
            Location::S3 {
                bucket: "berth-snapshots".into(),
                key: "search/latest.snap".into()
            }
        );
        assert_eq!(
            Location::parse("/var/lib/latest.snap").unwrap(),
            Location::File("/var/lib/latest.snap".into())
        );
        for bad in ["s3://", "s3://bucket", "s3://bucket/", "s3:///key"] {
            assert!(Location::parse(bad).is_err(), "{bad}");
        }
    }

    #[tokio::test]
    async fn a_file_is_replaced_only_from_the_version_read() {
        let dir = std::env::temp_dir().join(format!("berth-snap-{}", uuid::Uuid::new_v4()));
        let store = FileSnapshots::new(dir.join("search").join("latest.snap"));
        assert_eq!(store.latest().await.unwrap(), None);
        store.replace(b"one".to_vec(), None).await.unwrap();
        let one = store.latest().await.unwrap().expect("written");
        assert_eq!(one.bytes, b"one");
        assert!(matches!(
            store.replace(b"two".to_vec(), None).await,
            Err(ReplaceError::Changed)
        ));
        store
            .replace(b"two".to_vec(), Some(&one.tag))
            .await
            .unwrap();
        assert!(matches!(
            store.replace(b"three".to_vec(), Some(&one.tag)).await,
            Err(ReplaceError::Changed)
        ));
        assert_eq!(store.latest().await.unwrap().unwrap().bytes, b"two");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
