//! Invitations: an admin invites someone by email; the link (shown once to the
//! admin, emailed once mail is set up) lets them choose a name and password.

use rusqlite::{Connection, OptionalExtension, named_params};
use serde::Serialize;
use utoipa::ToSchema;

use super::agents::{self, NewAgent, check_may_grant};
use super::sessions::{ClientInfo, NewSession, create_session, hash_new_password};
use super::{AgentId, InviteId, Principal, Role, audit, validate};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::notify::{Mail, Mailroom};
use crate::util::{now_ms, random_token, token_hash};

const INVITE_VALID_MS: i64 = 7 * 86_400_000;

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Invite {
    pub id: InviteId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub invited_by: Option<AgentId>,
    pub created_at: i64,
    pub expires_at: i64,
}

const INVITE_COLUMNS: &str = "id, email, name, role, invited_by, created_at, expires_at";

fn invite_from_row(r: &rusqlite::Row) -> rusqlite::Result<Invite> {
    Ok(Invite {
        id: r.get(0)?,
        email: r.get(1)?,
        name: r.get(2)?,
        role: r.get(3)?,
        invited_by: r.get(4)?,
        created_at: r.get(5)?,
        expires_at: r.get(6)?,
    })
}

pub fn pending_invites(conn: &Connection) -> rusqlite::Result<Vec<Invite>> {
    conn.prepare_cached(&format!(
        "SELECT {INVITE_COLUMNS} FROM invites
         WHERE accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ?1 ORDER BY created_at DESC"
    ))?
    .query_map([now_ms()], invite_from_row)?
    .collect()
}

/// A usable invite for this token, if any.
pub fn invite_by_token(conn: &Connection, token: &str) -> rusqlite::Result<Option<Invite>> {
    conn.prepare_cached(&format!(
        "SELECT {INVITE_COLUMNS} FROM invites WHERE token_hash = ?1
         AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ?2"
    ))?
    .query_row(rusqlite::params![token_hash(token), now_ms()], invite_from_row)
    .optional()
}

/// The created invite and its link (holding the secret token, which is never stored).
pub struct CreatedInvite {
    pub invite: Invite,
    pub link: String,
    /// The outbox row of the invitation email, when mail is set up.
    pub email: Option<i64>,
}

pub fn invite_link(public_url: &str, token: &str) -> String {
    format!("{public_url}/#/invite/{token}")
}

/// Queues the invitation email, in the shop's language, from the inviter.
fn email_invite(
    c: &Connection,
    mailroom: &Mailroom,
    actor: &Principal,
    invite: &Invite,
    link: &str,
) -> AppResult<i64> {
    let lang = crate::settings::shop(c)?.default_locale;
    let inviter = match actor.agent_id() {
        Some(id) => agents::agent_by_id(c, id)?.map(|a| a.name),
        None => None,
    }
    .unwrap_or_else(|| crate::settings::shop(c).map(|s| s.shop_name).unwrap_or_default());
    let role_key = format!("role.{}", invite.role.as_str());
    mailroom
        .compose(
            c,
            Mail {
                template: "agent_invite",
                lang,
                to_name: Some(invite.name.clone()).filter(|n| !n.is_empty()),
                to_email: invite.email.clone(),
                context: serde_json::json!({
                    "invite": {
                        "link": link,
                        "inviter_name": inviter,
                        "role_label": crate::i18n::text(lang, &role_key),
                        "expires_at": crate::settings::format_time(c, invite.expires_at)?,
                    }
                }),
                thread: None,
                automatic: true,
                about: Some(format!("invite:{}", invite.id)),
            },
        )
        .map(|q| q.id)
}

pub async fn create_invite(
    db: &Db,
    mailroom: &Mailroom,
    actor: Principal,
    email: &str,
    name: &str,
    role: Role,
) -> AppResult<CreatedInvite> {
    let email = validate::email(email)?;
    let name = validate::optional_text("name", name, 100)?;
    check_may_grant(&actor, role)?;
    let room = mailroom.clone();
    let created = db
        .write(move |c| {
            if agents::credentials_by_email(c, &email)?.is_some() {
                return Err(AppError::conflict("email_taken"));
            }
            let pending = pending_invites(c)?.into_iter().any(|i| i.email == email);
            if pending {
                return Err(AppError::conflict("invite_pending"));
            }
            let token = random_token();
            let now = now_ms();
            c.prepare_cached(
                "INSERT INTO invites (token_hash, email, name, role, invited_by, created_at, expires_at)
             VALUES (:hash, :email, :name, :role, :by, :now, :expires)",
            )?
            .execute(named_params! {
                ":hash": token_hash(&token), ":email": email, ":name": name, ":role": role,
                ":by": actor.agent_id(), ":now": now, ":expires": now + INVITE_VALID_MS,
            })?;
            let id = InviteId(c.last_insert_rowid());
            audit(
                c,
                actor.agent_id(),
                "invite.create",
                &format!("invite:{id}"),
                &email,
            )?;
            let invite = c
                .prepare_cached(&format!("SELECT {INVITE_COLUMNS} FROM invites WHERE id = ?1"))?
                .query_row([id], invite_from_row)?;
            let link = invite_link(&room.config().public_url(), &token);
            let email = if room.can_send(c)? {
                Some(email_invite(c, &room, &actor, &invite, &link)?)
            } else {
                None
            };
            Ok(CreatedInvite { invite, link, email })
        })
        .await?;
    if created.email.is_some() {
        mailroom.wake();
    }
    Ok(created)
}

pub async fn revoke_invite(db: &Db, actor: Principal, id: InviteId) -> AppResult<()> {
    db.write(move |c| {
        let n = c
            .prepare_cached(
                "UPDATE invites SET revoked_at = ?2 WHERE id = ?1 AND accepted_at IS NULL AND revoked_at IS NULL",
            )?
            .execute(rusqlite::params![id, now_ms()])?;
        if n == 0 {
            return Err(AppError::not_found("not_found"));
        }
        audit(c, actor.agent_id(), "invite.revoke", &format!("invite:{id}"), "")?;
        Ok(())
    })
    .await
}

/// Turns an invite into an account and logs the new agent in. The invite is marked
/// used in the same transaction, so a link works exactly once.
pub async fn accept_invite(
    db: &Db,
    token: String,
    name: &str,
    password_text: String,
    client: ClientInfo,
    idle_days: u32,
) -> AppResult<NewSession> {
    let name = validate::required_text("name", name)?;
    let check = token.clone();
    if db.read(move |c| Ok(invite_by_token(c, &check)?)).await?.is_none() {
        return Err(AppError::not_found("invite_invalid"));
    }
    let password_hash = hash_new_password(password_text).await?;
    db.write(move |c| {
        let invite = invite_by_token(c, &token)?.ok_or_else(|| AppError::not_found("invite_invalid"))?;
        let id = agents::insert_agent(
            c,
            &NewAgent {
                email: invite.email.clone(),
                name,
                password_hash,
                role: invite.role,
            },
        )?;
        c.prepare_cached("UPDATE invites SET accepted_at = ?2 WHERE id = ?1")?
            .execute(rusqlite::params![invite.id, now_ms()])?;
        audit(c, Some(id), "invite.accept", &format!("invite:{}", invite.id), "")?;
        create_session(c, id, idle_days, &client)
    })
    .await
}
