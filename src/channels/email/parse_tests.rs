//! Tests of `parse.rs`, on the sample mails in tests/fixtures/mail (made by
//! make_fixtures.py there) and on mails built in memory.

use super::*;

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!("../../../tests/fixtures/mail/", $name, ".eml")).as_slice()
    };
}

const ALL_FIXTURES: &[&[u8]] = &[
    fixture!("plain_utf8"),
    fixture!("gb2312"),
    fixture!("gbk"),
    fixture!("gb18030"),
    fixture!("big5"),
    fixture!("iso2022jp"),
    fixture!("qp_utf8"),
    fixture!("html_only"),
    fixture!("alternative"),
    fixture!("attachments"),
    fixture!("reply_token"),
    fixture!("plus_reply"),
    fixture!("auto_replied"),
    fixture!("ooo_xautoreply"),
    fixture!("bounce_dsn"),
    fixture!("newsletter_bulk"),
];

/// As kefu's notify module makes them: 22 chars, in `kefu.<token>.<nonce>@<domain>` ids.
const TOKEN: &str = "Qx7fT2mN9pLk4RsV8wYz3b";
const OUR_ID: &str = "kefu.Qx7fT2mN9pLk4RsV8wYz3b.Hk3_mZ8qLw2-Rt5Y@shop.example";

fn ok(raw: &[u8]) -> ParsedMail {
    parse(raw).expect("mail parses")
}

/// A small mail with the given extra headers (CRLF-separated lines) and plain body.
fn build(headers: &str, body: &str) -> Vec<u8> {
    format!(
        "From: Customer <customer@example.com>\r\nTo: support@shop.example\r\n\
         Date: Mon, 2 Mar 2026 09:15:00 +0800\r\nMessage-ID: <m1@example.com>\r\n{headers}\
         MIME-Version: 1.0\r\n{}\r\n{body}",
        if headers.contains("Content-Type") {
            ""
        } else {
            "Content-Type: text/plain; charset=utf-8\r\n"
        }
    )
    .into_bytes()
}

fn addr(name: Option<&str>, email: &str) -> Address {
    Address {
        name: name.map(str::to_string),
        email: email.to_string(),
    }
}

#[test]
fn plain_utf8_headers_and_body() {
    let m = ok(fixture!("plain_utf8"));
    assert_eq!(
        m.message_id.as_deref(),
        Some("20260302011500.4F2A1@mail.example.com")
    );
    assert_eq!(
        m.from,
        Some(addr(Some("Li Wei"), "li.wei@example.com")),
        "email lower-cased"
    );
    assert_eq!(m.to, vec![addr(Some("Shop Support"), "support@shop.example")]);
    assert_eq!(m.cc, vec![addr(None, "orders@shop.example")]);
    assert_eq!(m.reply_to, None);
    assert_eq!(m.subject, "Order 10452 – wrong size / 尺码发错了");
    assert_eq!(m.date, Some(1_772_414_100_000));
    assert!(
        m.text.starts_with("Hello,\n\nI ordered the blue jacket"),
        "{:?}",
        m.text
    );
    assert!(m.text.contains("我订的是M码，收到的是L码，请帮忙换货。"));
    assert!(!m.text.contains('\r'), "line ends normalised");
    assert!(m.text.ends_with("Li Wei"), "trailing newline trimmed");
    assert_eq!(m.html, None);
    assert!(m.attachments.is_empty() && m.dropped.is_empty());
    assert_eq!(m.automatic, None);
    assert!(m.in_reply_to.is_empty() && m.references.is_empty());
    assert_eq!(reply_token(&m), None);
}

#[test]
fn gb2312_body_with_encoded_subject_and_from_name() {
    let m = ok(fixture!("gb2312"));
    assert_eq!(m.from, Some(addr(Some("张三"), "zhangsan@mail.example.cn")));
    assert_eq!(m.to, vec![addr(Some("客服"), "support@shop.example")]);
    assert_eq!(m.subject, "退款申请：订单号 10453");
    assert_eq!(m.date, Some(1_772_518_811_000));
    assert!(
        m.text.contains("我想申请退款，商品有质量问题，拉链坏了。"),
        "{:?}",
        m.text
    );
    assert!(
        m.text
            .contains("在 2026年3月1日 10:00，客服 <support@shop.example> 写道：")
    );
    assert_eq!(m.automatic, None);
}

#[test]
fn gbk_characters_outside_gb2312() {
    let m = ok(fixture!("gbk"));
    assert_eq!(m.from.unwrap().name.as_deref(), Some("王堃"));
    assert_eq!(m.subject, "发票抬头请写朱镕");
    assert!(
        m.text.contains("发票抬头请写“朱镕贸易有限公司”，收件人王堃。"),
        "{:?}",
        m.text
    );
}

#[test]
fn gb18030_four_byte_characters() {
    let m = ok(fixture!("gb18030"));
    assert_eq!(m.from.unwrap().name.as_deref(), Some("林𪚥"));
    assert_eq!(m.subject, "收件人姓名有生僻字：林𪚥");
    assert!(m.text.contains("第二个字是𪚥"), "{:?}", m.text);
    assert!(m.text.contains("“𠀀”"));
    assert!(!m.text.contains('\u{fffd}'), "no replacement characters");
}

#[test]
fn big5_traditional_chinese() {
    let m = ok(fixture!("big5"));
    assert_eq!(m.from.unwrap().name.as_deref(), Some("陳小明"));
    assert_eq!(m.subject, "訂單尚未收到");
    assert!(
        m.text
            .contains("我上週訂購的商品至今尚未收到，請協助查詢物流狀態。"),
        "{:?}",
        m.text
    );
}

#[test]
fn iso_2022_jp_japanese() {
    let m = ok(fixture!("iso2022jp"));
    assert_eq!(m.from, Some(addr(Some("田中太郎"), "tanaka@example.jp")));
    assert_eq!(m.subject, "注文についての問い合わせ");
    assert_eq!(m.date, Some(1_772_847_000_000));
    assert!(
        m.text.contains("注文番号10460の配送状況を教えてください。"),
        "{:?}",
        m.text
    );
    assert!(!m.text.contains('\u{1b}'), "escape sequences decoded away");
}

#[test]
fn quoted_printable_utf8() {
    let m = ok(fixture!("qp_utf8"));
    assert_eq!(m.from.unwrap().name.as_deref(), Some("Jürgen Müller"));
    assert_eq!(m.subject, "Rückgabe – Bestellung 10470");
    assert_eq!(m.date, Some(1_772_982_000_000));
    // The long line was split with soft breaks; it must come back whole.
    assert!(
        m.text
            .contains("eine Nummer zu klein und drücken an der Ferse, obwohl"),
        "{:?}",
        m.text
    );
    assert!(m.text.contains("Price = 99 € — 退货"));
    assert!(!m.text.contains("=\n") && !m.text.contains("=3D"));
}

#[test]
fn html_only_gives_clean_text_and_sanitised_html() {
    let m = ok(fixture!("html_only"));
    let t = &m.text;
    assert!(t.starts_with("Hello support team,"), "{t:?}");
    assert!(
        t.contains("My tracking number is SF1234567890."),
        "inline tags keep words together: {t:?}"
    );
    assert!(t.contains("Please check the status & tell me."), "{t:?}");
    assert!(t.contains("- Item one\n- Item two"), "{t:?}");
    assert!(t.ends_with("Best regards,\nAnna"), "{t:?}");
    for bad in ["<", ">", "alert", "color", "steal"] {
        assert!(!t.contains(bad), "text has {bad:?}: {t:?}");
    }
    let h = m.html.expect("html kept");
    for bad in [
        "<script",
        "<style",
        "onclick",
        "onload",
        "javascript:",
        "tracker.example.net",
        "alert(",
    ] {
        assert!(!h.to_ascii_lowercase().contains(bad), "html has {bad:?}: {h}");
    }
    assert!(
        h.contains("href=\"https://track.example.net/SF1234567890\""),
        "{h}"
    );
    assert!(h.contains("<b>tracking number</b>"), "{h}");
}

#[test]
fn multipart_alternative_takes_the_plain_part() {
    let m = ok(fixture!("alternative"));
    assert_eq!(
        m.text,
        "Hi,\n\nThe zipper on my bag broke after two days.\nOrder: 10461\n\nSent from my iPhone"
    );
    let h = m.html.expect("html part");
    assert!(h.contains("<b>broke</b>") && h.contains("<i>10461</i>"), "{h}");
    assert!(m.attachments.is_empty(), "alternative bodies are no attachments");
}

#[test]
fn attachment_and_inline_image() {
    let m = ok(fixture!("attachments"));
    assert_eq!(m.subject, "包装印错了 + 发票");
    assert!(
        m.text.starts_with("The logo on the box is printed wrong"),
        "{:?}",
        m.text
    );
    assert_eq!(m.attachments.len(), 2, "{:?}", m.attachments);
    let img = m
        .attachments
        .iter()
        .find(|a| a.content_type == "image/png")
        .expect("image");
    assert!(img.inline);
    assert_eq!(img.content_id.as_deref(), Some("logo.1@mail.example.com"));
    assert_eq!(img.filename, "photo.png");
    assert!(img.bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
    let pdf = m
        .attachments
        .iter()
        .find(|a| a.content_type == "application/pdf")
        .expect("pdf");
    assert_eq!(pdf.filename, "发票.pdf", "RFC 2231 name decoded");
    assert!(!pdf.inline);
    assert_eq!(pdf.content_id, None);
    assert!(pdf.bytes.starts_with(b"%PDF-1.4") && pdf.bytes.ends_with(b"%%EOF\n"));
    let h = m.html.expect("html");
    assert!(
        h.contains("src=\"cid:logo.1@mail.example.com\""),
        "cid image kept: {h}"
    );
    assert!(m.dropped.is_empty());
}

/// base64 of `len` zero bytes (all 'A'), in 76-char lines.
fn zeros_base64(len: usize) -> String {
    let mut b64 = "A".repeat(len / 3 * 4);
    match len % 3 {
        1 => b64.push_str("AA=="),
        2 => b64.push_str("AAA="),
        _ => {}
    }
    let mut out = String::with_capacity(b64.len() + b64.len() / 38);
    for chunk in b64.as_bytes().chunks(76) {
        out.push_str(std::str::from_utf8(chunk).unwrap());
        out.push_str("\r\n");
    }
    out
}

fn mail_with_part(name: &str, len: usize) -> Vec<u8> {
    let part = |name: &str, len: usize| {
        format!(
            "--b1\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\
             Content-Disposition: attachment; filename=\"{name}\"\r\n\r\n{}",
            zeros_base64(len)
        )
    };
    format!(
        "From: a@example.com\r\nTo: support@shop.example\r\nSubject: files\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\n\
         see files\r\n{}{}--b1--\r\n",
        part("small.bin", 10),
        part(name, len)
    )
    .into_bytes()
}

#[test]
fn oversized_attachment_is_dropped_and_listed() {
    let m = ok(&mail_with_part("huge.zip", MAX_ATTACHMENT_BYTES + 1));
    assert_eq!(m.dropped, vec!["huge.zip".to_string()]);
    assert_eq!(m.attachments.len(), 1);
    assert_eq!(m.attachments[0].filename, "small.bin");
    assert_eq!(m.attachments[0].bytes, vec![0u8; 10]);
    assert_eq!(m.text, "see files");

    let m = ok(&mail_with_part("exact.zip", MAX_ATTACHMENT_BYTES));
    assert!(m.dropped.is_empty(), "exactly the limit is kept");
    assert_eq!(m.attachments[1].bytes.len(), MAX_ATTACHMENT_BYTES);
}

#[test]
fn attachment_names_are_made_safe() {
    let raw = b"From: a@example.com\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n\
        --x\r\nContent-Type: text/plain\r\n\r\nhi\r\n\
        --x\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"../../etc/passwd\"\r\n\r\nroot\r\n\
        --x\r\nContent-Type: image/png\r\nContent-Disposition: attachment; filename=\"..\"\r\n\r\nzz\r\n\
        --x\r\nContent-Type: message/rfc822\r\n\r\nFrom: b@example.com\r\nSubject: old\r\n\r\nold body\r\n--x--\r\n";
    let m = ok(raw);
    let names: Vec<&str> = m.attachments.iter().map(|a| a.filename.as_str()).collect();
    assert_eq!(names, ["passwd", "attachment-2.png", "attachment-3.eml"]);
    assert!(m.attachments[2].bytes.starts_with(b"From: b@example.com"));
}

#[test]
fn missing_optional_headers() {
    let m = ok(b"From: a@example.com\r\n\r\nhello\r\n");
    assert_eq!((m.message_id, m.date, m.subject.as_str()), (None, None, ""));
    assert_eq!(m.text, "hello");
    assert!(m.to.is_empty() && m.cc.is_empty());
    assert_eq!(m.from, Some(addr(None, "a@example.com")));
}

#[test]
fn raw_utf8_headers_reply_to_and_groups() {
    let raw = "From: 王小明 <Xiao.Ming@Example.CN>\r\nReply-To: \"Orders\" <orders@example.cn>\r\n\
               To: Team: A <a@shop.example>, b@shop.example;, c@shop.example\r\n\
               Subject: 我的订单\r\nDate: Sat, 7 Mar 2026 10:30:00 +0900\r\n\r\n内容\r\n";
    let m = ok(raw.as_bytes());
    assert_eq!(m.from, Some(addr(Some("王小明"), "xiao.ming@example.cn")));
    assert_eq!(m.reply_to, Some(addr(Some("Orders"), "orders@example.cn")));
    let to: Vec<&str> = m.to.iter().map(|a| a.email.as_str()).collect();
    assert_eq!(to, ["a@shop.example", "b@shop.example", "c@shop.example"]);
    assert_eq!((m.subject.as_str(), m.text.as_str()), ("我的订单", "内容"));
}

#[test]
fn format_flowed_is_joined() {
    let raw = "From: a@example.com\r\nContent-Type: text/plain; charset=utf-8; format=flowed\r\n\r\n\
               This paragraph was \r\nwrapped by the \r\nclient.\r\n\r\n> quoted line \r\n> continues\r\n \
               >From stuffed\r\n-- \r\nBob\r\n";
    let m = ok(raw.as_bytes());
    assert_eq!(
        m.text,
        "This paragraph was wrapped by the client.\n\n> quoted line continues\n>From stuffed\n-- \nBob"
    );
    let delsp = raw.replace("format=flowed", "format=flowed; delsp=yes");
    assert!(
        ok(delsp.as_bytes())
            .text
            .starts_with("This paragraph waswrapped by theclient.")
    );
}

#[test]
fn empty_plain_part_falls_back_to_html() {
    let raw = "From: a@example.com\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=q\r\n\r\n\
               --q\r\nContent-Type: text/plain\r\n\r\n \r\n--q\r\nContent-Type: text/html\r\n\r\n\
               <div>Line one</div><div>Line&nbsp;two <img src=\"http://x.example/p.gif\"></div>\r\n--q--\r\n";
    let m = ok(raw.as_bytes());
    assert_eq!(m.text, "Line one\nLine two");
    assert!(!m.html.unwrap().contains("x.example"));
}

#[test]
fn html_replies_fold_like_text() {
    use crate::channels::email::quote::fold;
    let gmail = "<div dir=\"ltr\">Size M please.</div><br><div class=\"gmail_quote\"><div dir=\"ltr\" \
                 class=\"gmail_attr\">On Wed, 11 Mar 2026 at 20:00, Shop Support &lt;<a href=\"mailto:s@shop.example\">\
                 s@shop.example</a>&gt; wrote:<br></div><blockquote class=\"gmail_quote\">Which size?</blockquote></div>";
    let qq = "<div>好的，谢谢</div><div><br></div><div style=\"font-size: 12px;\">\
              ------------------&nbsp;原始邮件&nbsp;------------------</div><div><b>发件人:</b>&nbsp;\"客服\"\
              &lt;s@shop.example&gt;;<br><b>发送时间:</b>&nbsp;2026年3月13日(星期五) 晚上8:00</div><div>您的订单已发货</div>";
    for (html, visible, folded) in [
        (
            gmail,
            "Size M please.",
            "On Wed, 11 Mar 2026 at 20:00, Shop Support <s@shop.example> wrote:",
        ),
        (
            qq,
            "好的，谢谢",
            "------------------ 原始邮件 ------------------\n发件人: \"客服\"<s@shop.example>;",
        ),
    ] {
        let raw = format!("From: a@example.com\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}\r\n");
        let m = ok(raw.as_bytes());
        let f = fold(&m.text);
        assert_eq!(f.visible, visible, "{:?}", m.text);
        assert!(
            f.folded.as_deref().unwrap_or("").starts_with(folded),
            "{:?}",
            m.text
        );
    }
}

#[test]
fn html_sanitiser_rules() {
    let html = "<p style=\"color: red; position: fixed; background-image: url(https://t.example/x.gif)\">Hi</p>\
                <a href=\"/account\">rel</a><a href=\"https://shop.example/o/1\">abs</a>\
                <img src=\"data:image/png;base64,AAAA\" alt=\"d\"><img src=\"CID:part1@x\" srcset=\"https://t.example/2x.png 2x\">\
                <iframe src=\"https://evil.example\"></iframe><form action=\"https://evil.example\"><input name=q></form>\
                <svg><script>alert(1)</script></svg><!-- secret comment -->";
    let raw = format!("From: a@example.com\r\nContent-Type: text/html\r\n\r\n{html}\r\n");
    let h = ok(raw.as_bytes()).html.unwrap();
    assert!(h.contains("<p style=\"color:red\">Hi</p>"), "{h}");
    for bad in [
        "position",
        "url(",
        "t.example",
        "/account",
        "data:",
        "iframe",
        "evil",
        "<form",
        "<input",
        "script",
        "secret",
    ] {
        assert!(!h.contains(bad), "html has {bad:?}: {h}");
    }
    assert!(
        h.contains("href=\"https://shop.example/o/1\"") && h.contains("src=\"CID:part1@x\""),
        "{h}"
    );
}

#[test]
fn charsets_mail_parser_does_not_name_are_decoded_again() {
    let gbk = fixture!("gbk");
    let body_start = gbk.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let gbk_body = &gbk[body_start..]; // "你好：\r\n\r\n发票抬头请写“朱镕贸易有限公司”…" in GBK
    for (content_type, cte) in [
        ("text/plain; charset=euc-cn", "8bit"),
        ("text/plain; charset=x-euc-cn", "8bit"),
        ("text/plain", "8bit"),
        ("text/plain; charset=unknown-8bit", "8bit"),
    ] {
        let mut raw = format!(
            "From: a@example.com\r\nContent-Type: {content_type}\r\nContent-Transfer-Encoding: {cte}\r\n\r\n"
        )
        .into_bytes();
        raw.extend_from_slice(gbk_body);
        let m = ok(&raw);
        assert!(
            m.text.contains("发票抬头请写“朱镕贸易有限公司”"),
            "{content_type}: {:?}",
            m.text
        );
    }
    // cp950 (Big5) declared with a label only encoding_rs knows, sent as base64.
    let big5_b64 = "sXqmbqFBp9qkV7ZnrXHByqq6sNOrfqbcpLWpfKW8pqyo7KFD";
    let raw = format!(
        "From: a@example.com\r\nContent-Type: text/plain; charset=cp950\r\nContent-Transfer-Encoding: base64\r\n\r\n{big5_b64}\r\n"
    );
    assert_eq!(ok(raw.as_bytes()).text, "您好，我上週訂購的商品至今尚未收到。");
    // A raw 8-bit GBK subject.
    let mut raw = b"From: a@example.com\r\nSubject: ".to_vec();
    raw.extend_from_slice(&[0xcd, 0xcb, 0xbf, 0xee, b' ', b'1', b'0']); // 退款 10
    raw.extend_from_slice(b"\r\n\r\nbody");
    assert_eq!(ok(&raw).subject, "退款 10");
}

#[path = "parse_signals_tests.rs"]
mod signals;
