//! Input checks shared by setup, invites, profile edits and admin edits.

use crate::error::{AppError, AppResult};

pub const PASSWORD_MIN: usize = 8;
/// argon2 accepts more, but nobody types this much; a cap keeps hashing cheap.
const PASSWORD_MAX: usize = 256;
const NAME_MAX: usize = 100;
const EMAIL_MAX: usize = 254;
pub const MAX_CONCURRENT_RANGE: (i64, i64) = (1, 100);

/// Trims, lower-cases and checks an email address.
pub fn email(raw: &str) -> AppResult<String> {
    let e = raw.trim().to_lowercase();
    let valid = e.len() <= EMAIL_MAX
        && !e.chars().any(|c| c.is_whitespace() || c.is_control())
        && match e.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            }
            None => false,
        };
    if valid {
        Ok(e)
    } else {
        Err(AppError::bad_request("invalid_email"))
    }
}

pub fn password(p: &str) -> AppResult<()> {
    let n = p.chars().count();
    if n < PASSWORD_MIN {
        return Err(AppError::bad_request("password_too_short").with("min", PASSWORD_MIN));
    }
    if n > PASSWORD_MAX {
        return Err(AppError::bad_request("password_too_long").with("max", PASSWORD_MAX));
    }
    Ok(())
}

/// A required, trimmed, single-line text such as a person's or team's name.
pub fn required_text(field: &'static str, raw: &str) -> AppResult<String> {
    let v = raw.trim();
    if v.is_empty() {
        return Err(AppError::bad_request("field_required").with("field", field));
    }
    optional_text(field, v, NAME_MAX)
}

/// Trimmed text with a length limit; control characters are refused.
pub fn optional_text(field: &'static str, raw: &str, max: usize) -> AppResult<String> {
    let v = raw.trim();
    if v.chars().count() > max {
        return Err(AppError::bad_request("field_too_long")
            .with("field", field)
            .with("max", max));
    }
    if v.chars().any(|c| c.is_control() && c != '\n') {
        return Err(AppError::bad_request("field_required").with("field", field));
    }
    Ok(v.to_string())
}

/// A `#rrggbb` colour, lower-cased.
pub fn color(raw: &str) -> AppResult<String> {
    let c = raw.trim();
    if c.len() == 7 && c.starts_with('#') && c[1..].chars().all(|ch| ch.is_ascii_hexdigit()) {
        Ok(c.to_ascii_lowercase())
    } else {
        Err(AppError::bad_request("invalid_color"))
    }
}

pub fn max_concurrent(n: i64) -> AppResult<i64> {
    let (min, max) = MAX_CONCURRENT_RANGE;
    if (min..=max).contains(&n) {
        Ok(n)
    } else {
        Err(AppError::bad_request("invalid_max_concurrent")
            .with("min", min)
            .with("max", max))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(email("  Li.Wei@Shop.CN ").unwrap(), "li.wei@shop.cn");
        for bad in ["", "a", "a@b", "@b.cn", "a@@b.cn", "a b@c.cn", "a@.cn", "a@cn."] {
            assert!(email(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn passwords_count_characters_not_bytes() {
        assert!(password("短密码").is_err());
        assert!(password("这是一个足够长的密码").is_ok());
        assert_eq!(password("1234567").unwrap_err().code, "password_too_short");
    }

    #[test]
    fn names() {
        assert_eq!(required_text("name", "  售后 ").unwrap(), "售后");
        assert_eq!(required_text("name", "   ").unwrap_err().code, "field_required");
        assert_eq!(
            required_text("name", &"x".repeat(101)).unwrap_err().code,
            "field_too_long"
        );
    }
}
