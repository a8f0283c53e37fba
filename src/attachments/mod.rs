//! Images in chat: stored on disk by content hash, written and flushed before the
//! database row that refers to them (a crash leaves at worst an unreferenced file,
//! never a row without its file), served under unguessable URLs.

use std::io::Write;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::accounts::AgentId;
use crate::contacts::ContactId;
use crate::db::Db;
use crate::error::{AppError, AppResult, ErrorKind};
use crate::util::{hex, now_ms, random_token};

crate::accounts::id_type!(AttachmentId);

/// Largest image accepted.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Attachment {
    pub id: AttachmentId,
    /// Where to fetch it (relative to the server).
    pub url: String,
    pub mime: String,
    pub size: i64,
    /// The name it came with (email attachments); `null` for uploaded images.
    pub filename: Option<String>,
}

/// Who uploads (and so may attach) a file.
#[derive(Clone, Copy, Debug)]
pub enum Uploader {
    Contact(ContactId),
    Agent(AgentId),
}

/// The image type from the file's first bytes; the declared type is not trusted.
pub fn sniff_image(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0x89, b'P', b'N', b'G', ..] => Some("image/png"),
        [0xFF, 0xD8, 0xFF, ..] => Some("image/jpeg"),
        [b'G', b'I', b'F', b'8', ..] => Some("image/gif"),
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some("image/webp"),
        _ => None,
    }
}

fn path_for(dir: &Path, sha: &str) -> PathBuf {
    dir.join(&sha[..2]).join(sha)
}

fn view(id: AttachmentId, token: &str, mime: String, size: i64) -> Attachment {
    Attachment {
        id,
        url: format!("/api/attachments/{token}"),
        mime,
        size,
        filename: None,
    }
}

/// The answer to an image over `MAX_BYTES`.
pub fn too_large() -> AppError {
    AppError::new(ErrorKind::PayloadTooLarge, "image_too_large").with("limit_mib", MAX_BYTES >> 20)
}

/// Checks, stores on disk (flushed) and records an uploaded image.
pub async fn store(db: &Db, dir: PathBuf, bytes: Vec<u8>, uploader: Uploader) -> AppResult<Attachment> {
    if bytes.len() > MAX_BYTES {
        return Err(too_large());
    }
    let mime =
        sniff_image(&bytes).ok_or_else(|| AppError::new(ErrorKind::UnsupportedMediaType, "not_an_image"))?;
    let sha = hex(&Sha256::digest(&bytes));
    let size = bytes.len() as i64;
    let target = path_for(&dir, &sha);
    let bytes = std::sync::Arc::new(bytes);
    let (file, content) = (target.clone(), bytes.clone());
    tokio::task::spawn_blocking(move || write_file(&file, &content))
        .await
        .map_err(|e| AppError::internal(anyhow::anyhow!("attachment task: {e}")))?
        .map_err(file_error)?;
    let token = random_token();
    let (contact, agent) = match uploader {
        Uploader::Contact(c) => (Some(c), None),
        Uploader::Agent(a) => (None, Some(a)),
    };
    db.write(move |c| {
        c.prepare_cached(
            "INSERT INTO attachments (token, sha256, mime, size, contact_id, agent_id, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute(rusqlite::params![
            token,
            sha,
            mime,
            size,
            contact,
            agent,
            now_ms()
        ])?;
        // Same content as an unused upload that `purge_unused` removed just now.
        if !target.exists() {
            write_file(&target, &bytes).map_err(file_error)?;
        }
        Ok(view(
            AttachmentId(c.last_insert_rowid()),
            &token,
            mime.to_string(),
            size,
        ))
    })
    .await
}

/// A file from an email, ready to record: its content is already on disk.
pub struct Saved {
    sha: String,
    size: i64,
}

/// Writes a file's content to disk (flushed), before the transaction that records
/// it: the writer is not held up by the disk.
pub fn save_content(dir: &Path, bytes: &[u8]) -> AppResult<Saved> {
    let sha = hex(&Sha256::digest(bytes));
    write_file(&path_for(dir, &sha), bytes).map_err(file_error)?;
    Ok(Saved {
        sha,
        size: bytes.len() as i64,
    })
}

/// Records a customer's email attachment. Its declared type is kept for the
/// download's name only: anything but a recognised image is served as a download.
pub fn record_email_file(
    c: &Connection,
    saved: &Saved,
    mime: &str,
    filename: &str,
    contact: ContactId,
) -> rusqlite::Result<AttachmentId> {
    c.prepare_cached(
        "INSERT INTO attachments (token, sha256, mime, size, contact_id, filename, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(rusqlite::params![
        random_token(),
        saved.sha,
        mime,
        saved.size,
        contact,
        filename,
        now_ms()
    ])?;
    Ok(AttachmentId(c.last_insert_rowid()))
}

fn file_error(e: std::io::Error) -> AppError {
    match e.raw_os_error() {
        Some(28) => AppError::new(ErrorKind::StorageFull, "storage_full"),
        _ => AppError::internal(anyhow::anyhow!("cannot store attachment: {e}")),
    }
}

/// Uploads no message took within a day are deleted, with their file when no other
/// upload has the same content: abandoned uploads do not fill the disk.
pub async fn purge_unused(db: &Db, dir: PathBuf) -> AppResult<usize> {
    const KEEP_MS: i64 = 24 * 3600 * 1000;
    db.write(move |c| {
        let unused: Vec<(AttachmentId, String)> = c
            .prepare_cached(
                "SELECT id, sha256 FROM attachments a WHERE created_at < ?1
                 AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.attachment_id = a.id)",
            )?
            .query_map([now_ms() - KEEP_MS], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (id, sha) in &unused {
            c.prepare_cached("DELETE FROM attachments WHERE id = ?1")?
                .execute([id])?;
            let shared: bool = c
                .prepare_cached("SELECT EXISTS (SELECT 1 FROM attachments WHERE sha256 = ?1)")?
                .query_row([sha], |r| r.get(0))?;
            // In the writer, so no upload of the same content can claim the file meanwhile.
            if !shared && let Err(e) = std::fs::remove_file(path_for(&dir, sha)) {
                tracing::warn!(error = %e, sha, "cannot delete an unused attachment's file");
            }
        }
        Ok(unused.len())
    })
    .await
}

fn write_file(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if target.exists() {
        return Ok(()); // the same content is already stored
    }
    let parent = target.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)?;
    let tmp = target.with_extension("partial");
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, target)?;
    std::fs::File::open(parent)?.sync_all()
}

/// Checks that `uploader` uploaded attachment `id` (inside a message write).
pub fn check_owned(c: &Connection, id: AttachmentId, uploader: Uploader) -> AppResult<()> {
    let owner: Option<(Option<ContactId>, Option<AgentId>)> = c
        .prepare_cached("SELECT contact_id, agent_id FROM attachments WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let ok = match (owner, uploader) {
        (Some((Some(c), _)), Uploader::Contact(u)) => c == u,
        (Some((_, Some(a))), Uploader::Agent(u)) => a == u,
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(AppError::bad_request("unknown_attachment").with("id", id))
    }
}

/// The attachment of a message, as views show it.
pub fn for_message(c: &Connection, id: Option<AttachmentId>) -> rusqlite::Result<Option<Attachment>> {
    let Some(id) = id else { return Ok(None) };
    c.prepare_cached("SELECT token, mime, size, filename FROM attachments WHERE id = ?1")?
        .query_row([id], |r| {
            Ok(Attachment {
                filename: r.get(3)?,
                ..view(id, &r.get::<_, String>(0)?, r.get(1)?, r.get(2)?)
            })
        })
        .optional()
}

/// File path and (for email attachments) name for a URL token. The type served is
/// taken from the bytes, never from what was declared.
pub async fn open(db: &Db, dir: PathBuf, token: String) -> AppResult<(PathBuf, Option<String>)> {
    let found: Option<(String, Option<String>)> = db
        .read(move |c| {
            Ok(
                c.prepare_cached("SELECT sha256, filename FROM attachments WHERE token = ?1")?
                    .query_row([token], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?,
            )
        })
        .await?;
    let (sha, filename) = found.ok_or_else(|| AppError::not_found("not_found"))?;
    Ok((path_for(&dir, &sha), filename))
}

/// The files to send with a mail: path, type and the name the recipient sees
/// (the name it came with, else `image-<id>.<ext>`).
pub fn mail_files(
    c: &Connection,
    dir: &Path,
    ids: &[i64],
) -> rusqlite::Result<Vec<(PathBuf, String, String)>> {
    ids.iter()
        .map(|id| {
            c.prepare_cached("SELECT sha256, mime, filename FROM attachments WHERE id = ?1")?
                .query_row([id], |r| {
                    let sha: String = r.get(0)?;
                    let mime: String = r.get(1)?;
                    let name = r.get::<_, Option<String>>(2)?.unwrap_or_else(|| {
                        let ext = mime.rsplit('/').next().unwrap_or("bin");
                        format!("image-{id}.{ext}")
                    });
                    Ok((path_for(dir, &sha), mime, name))
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_recognised_by_their_bytes() {
        assert_eq!(sniff_image(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(sniff_image(b"\xFF\xD8\xFF\xE0...."), Some("image/jpeg"));
        assert_eq!(sniff_image(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(sniff_image(b"<svg xmlns=...>"), None, "SVG can carry scripts");
        assert_eq!(sniff_image(b"%PDF-1.7"), None);
    }

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n some pixels";

    #[tokio::test]
    async fn uploads_no_message_took_within_a_day_are_deleted_with_their_file() {
        let (dir, db) = crate::db::testing::temp_db();
        let files = dir.path().join("attachments");
        let agent = db
            .write(|c| {
                c.execute(
                    "INSERT INTO agents (email, name, password_hash, role, created_at, updated_at)
                     VALUES ('a@example.com', 'A', 'x', 'owner', 0, 0)",
                    [],
                )?;
                Ok(AgentId(c.last_insert_rowid()))
            })
            .await
            .unwrap();
        let old = store(&db, files.clone(), PNG.to_vec(), Uploader::Agent(agent))
            .await
            .unwrap();
        let fresh = store(
            &db,
            files.clone(),
            b"GIF89a other".to_vec(),
            Uploader::Agent(agent),
        )
        .await
        .unwrap();
        let file_of = |sha: &str| path_for(&files, sha);
        let sha = |id: AttachmentId| {
            let db = db.clone();
            async move {
                db.read(move |c| {
                    Ok(
                        c.query_row("SELECT sha256 FROM attachments WHERE id = ?1", [id], |r| {
                            r.get::<_, String>(0)
                        })?,
                    )
                })
                .await
                .unwrap()
            }
        };
        let (old_sha, fresh_sha) = (sha(old.id).await, sha(fresh.id).await);
        db.write(move |c| {
            c.execute("UPDATE attachments SET created_at = 0 WHERE id = ?1", [old.id])?;
            Ok(())
        })
        .await
        .unwrap();

        assert_eq!(purge_unused(&db, files.clone()).await.unwrap(), 1);
        assert!(
            !file_of(&old_sha).exists(),
            "the day-old unused upload's file is gone"
        );
        assert!(file_of(&fresh_sha).exists(), "a fresh upload stays");
        let left: i64 = db
            .read(|c| Ok(c.query_row("SELECT count(*) FROM attachments", [], |r| r.get(0))?))
            .await
            .unwrap();
        assert_eq!(left, 1);
        // The same content uploaded again is stored again.
        let again = store(&db, files.clone(), PNG.to_vec(), Uploader::Agent(agent))
            .await
            .unwrap();
        assert!(file_of(&sha(again.id).await).exists());
    }
}
