//! First run: create the shop and its owner. Exactly once; afterwards `setup_done`.

use super::agents::{self, NewAgent};
use super::sessions::{ClientInfo, NewSession, create_session, hash_new_password};
use super::{Role, audit, validate};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::settings;

pub struct SetupRequest {
    pub shop_name: String,
    pub name: String,
    pub email: String,
    pub password: String,
}

pub async fn needed(db: &Db) -> AppResult<bool> {
    db.read(|c| Ok(agents::agent_count(c)? == 0)).await
}

/// Creates the owner and logs them in. The "no agent yet" check runs inside the
/// write, so two racing setup requests cannot both succeed.
pub async fn run(db: &Db, req: SetupRequest, client: ClientInfo, idle_days: u32) -> AppResult<NewSession> {
    let shop_name = validate::required_text("shop_name", &req.shop_name)?;
    let name = validate::required_text("name", &req.name)?;
    let email = validate::email(&req.email)?;
    if !needed(db).await? {
        return Err(AppError::conflict("setup_done"));
    }
    let password_hash = hash_new_password(req.password).await?;
    db.write(move |c| {
        if agents::agent_count(c)? > 0 {
            return Err(AppError::conflict("setup_done"));
        }
        let id = agents::insert_agent(
            c,
            &NewAgent {
                email,
                name,
                password_hash,
                role: Role::Owner,
            },
        )?;
        settings::set(c, settings::SHOP_NAME, &shop_name)?;
        audit(c, Some(id), "setup", &format!("agent:{id}"), "")?;
        create_session(c, id, idle_days, &client)
    })
    .await
}

/// `kefu create-admin`: an owner when the shop has none yet, otherwise an admin.
pub async fn create_admin_cli(
    db: &Db,
    email: &str,
    name: &str,
    password_text: String,
    shop_name: Option<String>,
) -> AppResult<(agents::Agent, Role)> {
    let email = validate::email(email)?;
    let name = validate::required_text("name", name)?;
    let shop_name = shop_name
        .as_deref()
        .map(|s| validate::required_text("shop_name", s))
        .transpose()?;
    let password_hash = hash_new_password(password_text).await?;
    db.write(move |c| {
        let role = if agents::agent_count(c)? == 0 {
            Role::Owner
        } else {
            Role::Admin
        };
        let id = agents::insert_agent(
            c,
            &NewAgent {
                email,
                name,
                password_hash,
                role,
            },
        )?;
        if let Some(shop) = shop_name {
            settings::set(c, settings::SHOP_NAME, &shop)?;
        }
        audit(c, None, "agent.create_cli", &format!("agent:{id}"), role.as_str())?;
        let agent = agents::agent_by_id(c, id)?.ok_or_else(|| AppError::not_found("not_found"))?;
        Ok((agent, role))
    })
    .await
}
