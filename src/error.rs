//! `AppError`: the one error type of the feature modules. It carries a stable
//! machine code, the parameters of the human message (translated at the edge), and
//! the cause that is logged but never shown. `http::errors` is the one place it
//! becomes an HTTP response.

use std::fmt;

use crate::i18n::Lang;

/// What kind of failure this is; `http::errors` maps each kind to one status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Conflict,
    PayloadTooLarge,
    UnsupportedMediaType,
    TooManyRequests,
    StorageFull,
    Unavailable,
    Internal,
}

/// An error with a code such as `invalid_email`, whose message lives in the i18n
/// dictionary under `error.<code>`.
pub struct AppError {
    pub kind: ErrorKind,
    pub code: &'static str,
    pub params: Vec<(&'static str, String)>,
    /// Seconds the client should wait (429).
    pub retry_after: Option<u64>,
    cause: Option<anyhow::Error>,
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn new(kind: ErrorKind, code: &'static str) -> Self {
        AppError {
            kind,
            code,
            params: Vec::new(),
            retry_after: None,
            cause: None,
        }
    }

    /// The input was refused (as opposed to the server failing): retrying the same
    /// input will not help.
    pub fn is_client_error(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::BadRequest | ErrorKind::Conflict | ErrorKind::NotFound | ErrorKind::PayloadTooLarge
        )
    }

    pub fn bad_request(code: &'static str) -> Self {
        Self::new(ErrorKind::BadRequest, code)
    }
    pub fn unauthorized(code: &'static str) -> Self {
        Self::new(ErrorKind::Unauthorized, code)
    }
    pub fn forbidden(code: &'static str) -> Self {
        Self::new(ErrorKind::Forbidden, code)
    }
    pub fn not_found(code: &'static str) -> Self {
        Self::new(ErrorKind::NotFound, code)
    }
    pub fn conflict(code: &'static str) -> Self {
        Self::new(ErrorKind::Conflict, code)
    }

    /// A server-side failure: the cause is logged, the client sees a generic message.
    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        let mut e = Self::new(ErrorKind::Internal, "internal");
        e.cause = Some(cause.into());
        e
    }

    pub fn unavailable(cause: impl Into<anyhow::Error>) -> Self {
        let mut e = Self::new(ErrorKind::Unavailable, "unavailable");
        e.cause = Some(cause.into());
        e
    }

    /// Adds a `{name}` parameter for the translated message.
    pub fn with(mut self, name: &'static str, value: impl fmt::Display) -> Self {
        self.params.push((name, value.to_string()));
        self
    }

    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    pub fn cause(&self) -> Option<&anyhow::Error> {
        self.cause.as_ref()
    }

    /// The message for a person, in their language.
    pub fn message(&self, lang: Lang) -> String {
        let key = format!("error.{}", self.code);
        crate::i18n::format(lang, &key, &self.params)
    }

    /// Maps a SQLite failure: a full disk and a locked database are told apart from
    /// bugs so the user learns that nothing was saved and why.
    pub fn from_sqlite(err: &rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        let kind = match err.sqlite_error_code() {
            Some(ErrorCode::DiskFull) => return Self::storage_full(err.to_string()),
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => ErrorKind::Unavailable,
            Some(ErrorCode::ReadOnly | ErrorCode::CannotOpen | ErrorCode::SystemIoFailure) => {
                ErrorKind::Unavailable
            }
            _ => ErrorKind::Internal,
        };
        let code = if kind == ErrorKind::Unavailable {
            "unavailable"
        } else {
            "internal"
        };
        let mut e = Self::new(kind, code);
        e.cause = Some(anyhow::anyhow!("sqlite: {err}"));
        e
    }

    fn storage_full(detail: String) -> Self {
        let mut e = Self::new(ErrorKind::StorageFull, "storage_full");
        e.cause = Some(anyhow::anyhow!("disk full: {detail}"));
        e
    }

    /// True when SQLite refused the write because of a UNIQUE constraint.
    pub fn is_unique_violation(err: &rusqlite::Error) -> bool {
        matches!(
            err,
            rusqlite::Error::SqliteFailure(e, _)
                if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    || e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
        )
    }

    /// A copy for another waiter of the same failed group commit.
    pub fn duplicate(&self) -> Self {
        AppError {
            kind: self.kind,
            code: self.code,
            params: self.params.clone(),
            retry_after: self.retry_after,
            cause: self.cause.as_ref().map(|c| anyhow::anyhow!("{c:#}")),
        }
    }
}

impl From<rusqlite::Error> for AppError {
    fn from(err: rusqlite::Error) -> Self {
        AppError::from_sqlite(&err)
    }
}

impl From<r2d2::Error> for AppError {
    fn from(err: r2d2::Error) -> Self {
        AppError::unavailable(anyhow::anyhow!("connection pool: {err}"))
    }
}

impl fmt::Debug for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}/{}", self.kind, self.code)?;
        for (k, v) in &self.params {
            write!(f, " {k}={v}")?;
        }
        if let Some(c) = &self.cause {
            write!(f, " ({c:#})")?;
        }
        Ok(())
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))?;
        if let Some(c) = &self.cause {
            write!(f, " ({c:#})")?;
        }
        Ok(())
    }
}

impl std::error::Error for AppError {}
