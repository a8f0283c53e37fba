//! The two languages kefu speaks and the one dictionary per language in
//! `assets/i18n/`, shared by the console, the widget, emails and API errors.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::assets::Assets;

/// A supported language. Stored and sent as `en` / `zh-CN`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum Lang {
    #[serde(rename = "en")]
    En,
    #[serde(rename = "zh-CN")]
    ZhCn,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::ZhCn];

    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhCn => "zh-CN",
        }
    }

    /// Parses `en`, `zh-CN`, and the looser forms browsers send (`zh`, `zh-Hans-CN`, `en-GB`).
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let tag = tag.trim().to_ascii_lowercase();
        if tag == "zh" || tag.starts_with("zh-") || tag.starts_with("zh_") {
            Some(Lang::ZhCn)
        } else if tag == "en" || tag.starts_with("en-") || tag.starts_with("en_") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// Exact stored form only (`en` or `zh-CN`), for validating input.
    pub fn parse_exact(tag: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.tag() == tag)
    }

    /// Best match for an `Accept-Language` header, honouring q-values.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or("");
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            if let Some(lang) = Lang::from_tag(tag)
                && best.is_none_or(|(bq, _)| q > bq)
            {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l)
    }
}

type Dictionary = HashMap<String, String>;

fn dictionaries() -> &'static HashMap<&'static str, Dictionary> {
    static DICTS: OnceLock<HashMap<&'static str, Dictionary>> = OnceLock::new();
    DICTS.get_or_init(|| {
        Lang::ALL
            .into_iter()
            .map(|lang| {
                let path = format!("i18n/{}.json", lang.tag());
                let dict = Assets::get(&path)
                    .and_then(|f| serde_json::from_slice::<Dictionary>(&f.data).ok())
                    .unwrap_or_default();
                (lang.tag(), dict)
            })
            .collect()
    })
}

/// The text for `key` in `lang`, falling back to English, then to the key itself.
pub fn text(lang: Lang, key: &str) -> String {
    let dicts = dictionaries();
    dicts
        .get(lang.tag())
        .and_then(|d| d.get(key))
        .or_else(|| dicts.get(Lang::En.tag()).and_then(|d| d.get(key)))
        .cloned()
        .unwrap_or_else(|| key.to_string())
}

/// `text` with `{name}` placeholders filled in.
pub fn format(lang: Lang, key: &str, params: &[(&str, String)]) -> String {
    let mut out = text(lang, key);
    for (name, value) in params {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn both_dictionaries_have_the_same_keys() {
        let dicts = dictionaries();
        let en: BTreeSet<_> = dicts["en"].keys().collect();
        let zh: BTreeSet<_> = dicts["zh-CN"].keys().collect();
        assert!(en.len() > 10, "dictionary did not load");
        let only_en: Vec<_> = en.difference(&zh).collect();
        let only_zh: Vec<_> = zh.difference(&en).collect();
        assert!(
            only_en.is_empty() && only_zh.is_empty(),
            "missing in zh-CN: {only_en:?}; missing in en: {only_zh:?}"
        );
    }

    #[test]
    fn placeholders_match_between_languages() {
        let dicts = dictionaries();
        let names = |s: &str| -> BTreeSet<String> {
            s.split('{')
                .skip(1)
                .filter_map(|p| p.split_once('}').map(|(n, _)| n.to_string()))
                .collect()
        };
        for (key, en) in &dicts["en"] {
            if let Some(zh) = dicts["zh-CN"].get(key) {
                assert_eq!(names(en), names(zh), "placeholders differ for {key}");
            }
        }
    }

    #[test]
    fn accept_language_picks_highest_q() {
        assert_eq!(
            Lang::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"),
            Some(Lang::ZhCn)
        );
        assert_eq!(
            Lang::from_accept_language("fr;q=1, en-GB;q=0.7, zh;q=0.5"),
            Some(Lang::En)
        );
        assert_eq!(Lang::from_accept_language("de, fr"), None);
    }

    #[test]
    fn format_fills_parameters() {
        let msg = format(Lang::ZhCn, "error.password_too_short", &[("min", "8".into())]);
        assert!(msg.contains('8') && !msg.contains("{min}"), "{msg}");
    }
}
