//! Order self-service: "我的快递到哪了 / where is my order" answered from the
//! shop's orders. A customer the shop identified (or whose contact already has
//! orders) gets their own order; anyone else gives the order number with the
//! email or phone it was placed with, and both must match.

use rusqlite::Connection;

use crate::contacts::ContactId;
use crate::contacts::orders::{Order, latest_orders, orders_by_number};
use crate::conversations::bot::BotKind;
use crate::error::AppResult;
use crate::i18n::{self, Lang};

/// What the customer writes when asking where their order is.
const ASKS: &[&str] = &[
    "到哪",
    "我的订单",
    "我的快递",
    "我的包裹",
    "订单状态",
    "订单进度",
    "查订单",
    "查一下订单",
    "查下订单",
    "发货了吗",
    "发货没",
    "还没到",
    "没收到货",
    "where is my order",
    "where's my order",
    "wheres my order",
    "my order",
    "track my",
    "order status",
    "my package",
    "my parcel",
    "has my order shipped",
];

/// What the bot says about orders.
pub struct OrderReply {
    /// `Order` (an order's state) or `OrderAsk` (it needs the number and email/phone).
    pub kind: BotKind,
    pub body: String,
}

pub fn asks_about_order(text: &str) -> bool {
    let t = text.to_lowercase();
    ASKS.iter().any(|a| t.contains(a))
}

/// Pieces of the message that may be an order number, an email or a phone number.
struct Clues {
    words: Vec<String>,
    email: Option<String>,
    phone_digits: Vec<String>,
}

fn clues(text: &str) -> Clues {
    let mut words = Vec::new();
    let mut email = None;
    for raw in text.split(|c: char| c.is_whitespace() || "，,。；;：:（）()".contains(c)) {
        let w = raw.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '@' && c != '.' && c != '-');
        if w.contains('@') {
            email = email.or_else(|| crate::accounts::validate_email(w).ok());
        } else if !w.is_empty() {
            words.push(w.trim_start_matches('#').to_string());
        }
    }
    // Digits standing together (Chinese text has no spaces): order numbers and phones.
    let digit_runs: Vec<String> = text
        .split(|c: char| !c.is_ascii_digit() && c != '-' && c != ' ' && c != '+')
        .map(|s| s.chars().filter(char::is_ascii_digit).collect::<String>())
        .filter(|d| d.len() >= 3)
        .collect();
    for d in &digit_runs {
        if !words.contains(d) {
            words.push(d.clone());
        }
    }
    let phone_digits = digit_runs
        .into_iter()
        .filter(|d| (7..=15).contains(&d.len()))
        .collect();
    Clues {
        words,
        email,
        phone_digits,
    }
}

/// The bot's answer about an order, or `None` when the message is not about one.
pub fn reply(c: &Connection, contact: ContactId, text: &str, lang: Lang) -> AppResult<Option<OrderReply>> {
    let asks = asks_about_order(text);
    let clues = clues(text);
    let verifiable = clues.email.is_some() || !clues.phone_digits.is_empty();
    let own = latest_orders(c, contact, 20)?;
    let named = own.iter().find(|o| {
        clues
            .words
            .iter()
            .any(|w| w.eq_ignore_ascii_case(o.number.trim_start_matches('#')))
    });
    if let Some(order) = named.or(if asks { own.first() } else { None }) {
        return Ok(Some(state(c, order, lang)?));
    }
    let has_number = clues
        .words
        .iter()
        .any(|w| w.chars().filter(char::is_ascii_digit).count() >= 3);
    if !(asks || has_number && verifiable) {
        return Ok(None);
    }
    let key = if has_number && verifiable {
        if let Some(order) = verified(c, &clues)? {
            return Ok(Some(state(c, &order, lang)?));
        }
        "bot.order_not_found"
    } else {
        "bot.order_ask"
    };
    Ok(Some(OrderReply {
        kind: BotKind::OrderAsk,
        body: i18n::text(lang, key),
    }))
}

/// An order whose number is in the message and whose customer has the email or
/// phone given with it.
fn verified(c: &Connection, clues: &Clues) -> AppResult<Option<Order>> {
    for word in &clues.words {
        for order in orders_by_number(c, word)? {
            let Some(customer) = crate::contacts::contact_by_id(c, order.contact_id)? else {
                continue;
            };
            let email_ok =
                matches!((&customer.email, &clues.email), (Some(a), Some(b)) if a.eq_ignore_ascii_case(b));
            let phone = customer
                .phone
                .map(|p| p.chars().filter(char::is_ascii_digit).collect::<String>());
            let phone_ok = phone.is_some_and(|p| {
                p.len() >= 7
                    && clues
                        .phone_digits
                        .iter()
                        .any(|d| d.ends_with(&p) || p.ends_with(d.as_str()))
            });
            if email_ok || phone_ok {
                return Ok(Some(order));
            }
        }
    }
    Ok(None)
}

fn state(c: &Connection, o: &Order, lang: Lang) -> AppResult<OrderReply> {
    let mut parts = vec![i18n::format(
        lang,
        "bot.order_state",
        &[
            ("number", o.number.trim_start_matches('#').to_string()),
            ("status", status_text(o, lang)),
        ],
    )];
    match (&o.carrier, &o.tracking_number) {
        (Some(carrier), Some(tracking)) => parts.push(i18n::format(
            lang,
            "bot.order_tracking",
            &[("carrier", carrier.clone()), ("tracking", tracking.clone())],
        )),
        (None, Some(tracking)) => parts.push(i18n::format(
            lang,
            "bot.order_tracking_only",
            &[("tracking", tracking.clone())],
        )),
        _ => {}
    }
    parts.push(i18n::format(
        lang,
        "bot.order_updated",
        &[("time", crate::settings::format_time(c, o.updated_at)?)],
    ));
    Ok(OrderReply {
        kind: BotKind::Order,
        body: parts.join("\n"),
    })
}

fn status_text(o: &Order, lang: Lang) -> String {
    if o.status.trim().is_empty() {
        i18n::text(lang, "bot.order_status_unknown")
    } else {
        o.status.clone()
    }
}

/// For a customer with orders when the bot is on: "你最近的订单 #1234（已发货）… 需要查进度吗？"
pub fn greeting(c: &Connection, contact: ContactId, lang: Lang) -> AppResult<Option<String>> {
    let Some(order) = latest_orders(c, contact, 1)?.into_iter().next() else {
        return Ok(None);
    };
    let items = order
        .items
        .iter()
        .map(|i| i.name.as_str())
        .take(2)
        .collect::<Vec<_>>()
        .join(i18n::text(lang, "bot.note_separator").as_str());
    let key = if items.is_empty() {
        "bot.order_greeting_no_items"
    } else {
        "bot.order_greeting"
    };
    Ok(Some(i18n::format(
        lang,
        key,
        &[
            ("number", order.number.trim_start_matches('#').to_string()),
            ("status", status_text(&order, lang)),
            ("items", items),
        ],
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_questions_are_told_from_delivery_time_questions() {
        for t in [
            "我的快递到哪了",
            "订单到哪了？",
            "Where is my order?",
            "track my parcel pls",
            "查一下订单",
        ] {
            assert!(asks_about_order(t), "{t}");
        }
        for t in [
            "快递多久到",
            "怎么退货",
            "how long does shipping take",
            "运费多少",
        ] {
            assert!(!asks_about_order(t), "{t}");
        }
    }

    #[test]
    fn clues_find_numbers_emails_and_phones_in_chinese_text() {
        let c = clues("订单号1234，邮箱 li@example.com");
        assert!(c.words.contains(&"1234".to_string()), "{:?}", c.words);
        assert_eq!(c.email.as_deref(), Some("li@example.com"));
        let c = clues("#A-1001 手机13800138000");
        assert!(c.words.contains(&"A-1001".to_string()), "{:?}", c.words);
        assert_eq!(c.phone_digits, vec!["13800138000".to_string()]);
    }
}
