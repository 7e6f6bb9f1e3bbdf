//! Which aliases deliver where, per domain, kept for a short while. Reading it costs one
//! listing plus one read per alias with several members; a details pane opened for each of a
//! dozen mailboxes in a minute would otherwise spend Rackspace's read budget (60 a minute) on
//! the same answer. Changes made through Rackdesk forget the domain at once; changes made
//! elsewhere show after at most [`AliasBook::TTL`].

use crate::{ApiError, Client};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Aliases of one domain with their members (full addresses), as [`crate::rules::alias_members`] gives.
pub type AliasMembers = Arc<Vec<(String, Vec<String>)>>;

#[derive(Default)]
pub struct AliasBook {
    domains: Mutex<HashMap<String, (Instant, AliasMembers)>>,
}

impl AliasBook {
    pub const TTL: Duration = Duration::from_secs(60);

    /// The aliases of `domain`, from the book if read less than [`Self::TTL`] ago.
    pub async fn members(&self, client: &Client, domain: &str) -> Result<AliasMembers, ApiError> {
        let key = domain.to_ascii_lowercase();
        if let Some((at, m)) = self.lock().get(&key) {
            if at.elapsed() < Self::TTL {
                return Ok(m.clone());
            }
        }
        let fresh: AliasMembers = Arc::new(crate::rules::alias_members(client, domain).await?);
        self.lock().insert(key, (Instant::now(), fresh.clone()));
        Ok(fresh)
    }

    /// Forgets one domain (an alias or mailbox of it changed).
    pub fn forget(&self, domain: &str) {
        self.lock().remove(&domain.to_ascii_lowercase());
    }

    /// Forgets everything (another account is now in use).
    pub fn forget_all(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Instant, AliasMembers)>> {
        self.domains.lock().unwrap_or_else(|p| p.into_inner())
    }
}
