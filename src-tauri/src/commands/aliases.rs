//! Alias commands.

use super::{CmdResult, CommandError};
use crate::state::AppState;
use rackdesk_core::Client;
use rackdesk_core::names::EmailAddress;
use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AliasRow {
    pub name: String,
    pub address: String,
    pub members: u32,
    /// The one address it delivers to, when it has exactly one.
    pub single_member: Option<String>,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AliasDetail {
    pub name: String,
    pub address: String,
    pub members: Vec<String>,
}

fn address(domain: &str, name: &str) -> CmdResult<EmailAddress> {
    Ok(EmailAddress::parse_as("alias", &format!("{name}@{domain}"))?)
}

#[tauri::command]
pub async fn list_aliases(state: tauri::State<'_, AppState>, domain: String) -> CmdResult<Vec<AliasRow>> {
    let list = state.client().aliases(&domain).await?;
    Ok(list
        .into_iter()
        .map(|a| AliasRow {
            address: format!("{}@{domain}", a.name),
            members: a.number_of_members.unwrap_or(0),
            single_member: a.single_member_name,
            name: a.name,
        })
        .collect())
}

async fn detail(c: &Client, domain: &str, name: &str) -> CmdResult<AliasDetail> {
    let a = c.alias(domain, name).await?;
    Ok(AliasDetail { address: format!("{}@{domain}", a.name), name: a.name, members: a.members })
}

#[tauri::command]
pub async fn alias_detail(state: tauri::State<'_, AppState>, domain: String, name: String) -> CmdResult<AliasDetail> {
    detail(&state.client(), &domain, &name).await
}

#[tauri::command]
pub async fn create_alias(state: tauri::State<'_, AppState>, domain: String, name: String, members: Vec<String>) -> CmdResult<AliasDetail> {
    let a = address(&domain, &name)?;
    let done = state.ops()?.create_alias(&a, &members).await;
    state.alias_book.forget(&a.domain);
    done?;
    detail(&state.client(), &a.domain, &a.local).await
}

#[tauri::command]
pub async fn set_alias_members(state: tauri::State<'_, AppState>, domain: String, name: String, members: Vec<String>) -> CmdResult<AliasDetail> {
    let a = address(&domain, &name)?;
    let done = state.ops()?.set_alias_members(&a, &members).await;
    state.alias_book.forget(&a.domain);
    done?;
    detail(&state.client(), &a.domain, &a.local).await
}

#[tauri::command]
pub async fn delete_alias(state: tauri::State<'_, AppState>, domain: String, name: String, confirm_address: String) -> CmdResult<()> {
    let a = address(&domain, &name)?;
    if !confirm_address.trim().eq_ignore_ascii_case(&a.to_string()) {
        return Err(CommandError::invalid(format!("To delete the alias {a}, type its address exactly to confirm.")));
    }
    let done = state.ops()?.delete_alias(&a).await;
    state.alias_book.forget(&a.domain);
    done?;
    Ok(())
}
