//! Tests of what `parse.rs` reads beyond the content: reply tokens, mail from
//! robots (auto-replies, bounces, bulk), and input that is not a mail at all.
//! The helpers and fixtures come from the parent test module.

use super::*;

#[test]
fn reply_token_from_in_reply_to() {
    let m = ok(fixture!("reply_token"));
    assert_eq!(m.in_reply_to, vec![OUR_ID.to_string()]);
    assert_eq!(m.references, ["20260302011500.4F2A1@mail.example.com", OUR_ID]);
    assert_eq!(reply_token(&m).as_deref(), Some(TOKEN), "case of id tokens kept");
    assert_eq!(m.automatic, None);
    let folded = crate::channels::email::quote::fold(&m.text);
    assert_eq!(
        folded.visible,
        "Great, size M is fine. Please send it to the same address."
    );
}

#[test]
fn reply_token_checks_references_newest_first() {
    let old = "aaaaaaaaaaaaaaaaaaaa";
    let new = "bbbbbbbbbbbbbbbbbbbb-_";
    let refs = format!(
        "References: <kefu.{old}.1@shop.example> <x@example.com>\r\n <kefu.{new}.9@shop.example>\r\n"
    );
    assert_eq!(reply_token(&ok(&build(&refs, "hi"))).as_deref(), Some(new));
    // In-Reply-To wins over References; ids win over plus addresses.
    let both =
        format!("In-Reply-To: <kefu.{old}.2@shop.example>\r\n{refs}Cc: support+{new}@shop.example\r\n");
    assert_eq!(reply_token(&ok(&build(&both, "hi"))).as_deref(), Some(old));
}

#[test]
fn reply_token_rejects_malformed_ids() {
    for header in [
        "In-Reply-To: <kefu.short.1@shop.example>\r\n", // < 16 chars
        "In-Reply-To: <kefu.aaaaaaaaaaaaaaaaaaaa@shop.example>\r\n", // no .<anything>
        "In-Reply-To: <kefu.aaaaaaaa!aaaaaaaaaaa.1@shop.example>\r\n", // bad char
        "In-Reply-To: <other.aaaaaaaaaaaaaaaaaaaa.1@shop.example>\r\n", // not ours
        "Cc: support+aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@shop.example\r\n", // > 64
        "Cc: support+news@shop.example\r\n",
    ] {
        assert_eq!(reply_token(&ok(&build(header, "hi"))), None, "{header}");
    }
    let at_64 = format!("Cc: support+{}@shop.example\r\n", "a".repeat(64));
    assert_eq!(reply_token(&ok(&build(&at_64, "hi"))).map(|t| t.len()), Some(64));
}

#[test]
fn reply_token_from_plus_address() {
    let m = ok(fixture!("plus_reply"));
    assert_eq!(m.in_reply_to, Vec::<String>::new());
    // The address said support+Pq7X2mN9-Lk4rsV8wYz_3B: addresses are lower-cased, so
    // tokens found there must be looked up case-insensitively.
    assert_eq!(reply_token(&m).as_deref(), Some("pq7x2mn9-lk4rsv8wyz_3b"));
    assert_eq!(m.subject, "回复：您的订单已发货");
    let folded = crate::channels::email::quote::fold(&m.text);
    assert_eq!(folded.visible, "收到了，谢谢！");
}

#[test]
fn automatic_fixtures() {
    assert_eq!(ok(fixture!("auto_replied")).automatic, Some(Automatic::AutoReply));
    assert_eq!(
        ok(fixture!("ooo_xautoreply")).automatic,
        Some(Automatic::AutoReply)
    );
    let bounce = ok(fixture!("bounce_dsn"));
    assert_eq!(
        bounce.automatic,
        Some(Automatic::Bounce),
        "bounce outranks its Auto-Submitted"
    );
    assert_eq!(bounce.from.unwrap().email, "mailer-daemon@mx.mail.example.org");
    assert!(
        bounce.text.contains("could not\nbe delivered"),
        "{:?}",
        bounce.text
    );
    assert_eq!(ok(fixture!("newsletter_bulk")).automatic, Some(Automatic::Bulk));
    // A customer's auto-reply still threads: it quotes our id.
    assert_eq!(reply_token(&ok(fixture!("auto_replied"))).as_deref(), Some(TOKEN));
}

#[test]
fn automatic_rules_one_by_one() {
    use Automatic::*;
    let cases: &[(&str, &str, Option<Automatic>)] = &[
        ("", "Hello", None),
        ("Auto-Submitted: no\r\n", "Hello", None),
        ("Auto-Submitted: auto-generated\r\n", "Hello", Some(AutoReply)),
        (
            "Auto-Submitted: Auto-Replied (vacation)\r\n",
            "Hello",
            Some(AutoReply),
        ),
        ("X-Autoreply: yes\r\n", "Hello", Some(AutoReply)),
        ("X-Autorespond: Out of office\r\n", "Hello", Some(AutoReply)),
        ("X-Auto-Response-Suppress: All\r\n", "Hello", Some(AutoReply)),
        ("X-Auto-Response-Suppress: DR, OOF\r\n", "Hello", Some(AutoReply)),
        ("X-Auto-Response-Suppress: RN, NRN\r\n", "Hello", None),
        ("Precedence: auto_reply\r\n", "Hello", Some(AutoReply)),
        ("Return-Path: <>\r\n", "Hello", Some(AutoReply)),
        ("Return-Path: <customer@example.com>\r\n", "Hello", None),
        ("Precedence: bulk\r\n", "Hello", Some(Bulk)),
        ("Precedence: junk\r\n", "Hello", Some(Bulk)),
        ("Precedence: list\r\n", "Hello", Some(Bulk)),
        ("Precedence: first-class\r\n", "Hello", None),
        (
            "List-Id: Shop fans <fans.lists.example.com>\r\n",
            "Hello",
            Some(Bulk),
        ),
        (
            "List-Unsubscribe: <https://news.example.com/u>\r\n",
            "Hello",
            Some(Bulk),
        ),
        // Subject alone never counts; with list headers it picks the kind.
        ("", "Out of Office: Re: order 10452", None),
        ("", "自动回复: 关于订单", None),
        ("", "Automatic reply: hello", None),
        (
            "List-Id: <fans.lists.example.com>\r\n",
            "自动回复: 关于订单",
            Some(AutoReply),
        ),
        (
            "Content-Type: multipart/report; report-type=delivery-status; boundary=z\r\n",
            "x",
            Some(Bounce),
        ),
        (
            "Content-Type: multipart/report; report-type=disposition-notification; boundary=z\r\n",
            "x",
            Some(Bounce),
        ),
    ];
    for (headers, subject, want) in cases {
        let raw = build(&format!("{headers}Subject: {subject}\r\n"), "body");
        assert_eq!(
            ok(&raw).automatic,
            *want,
            "headers {headers:?} subject {subject:?}"
        );
    }
    for from in [
        "MAILER-DAEMON@mx.example.org",
        "postmaster@example.org",
        "Mail System <Postmaster@example.org>",
    ] {
        let raw = format!("From: {from}\r\nSubject: failure\r\n\r\nbody").into_bytes();
        assert_eq!(ok(&raw).automatic, Some(Bounce), "{from}");
    }
}

#[test]
fn malformed_input_is_an_error_not_a_panic() {
    assert_eq!(parse(b""), Err(ParseError::NotAMail));
    assert!(parse(b"\r\n\r\n").is_err());
    assert!(parse(b"just some words, no headers at all").is_err());
    let headers_only =
        b"Subject: hello\r\nTo: support@shop.example\r\nDate: Mon, 2 Mar 2026 09:15:00 +0800\r\n\r\n";
    assert_eq!(parse(headers_only), Err(ParseError::NoSender));
    assert_eq!(
        parse(b"From: Customer\r\nSubject: x\r\n\r\nbody"),
        Err(ParseError::NoSender)
    );
    assert_eq!(
        parse(b"From: <>\r\nSubject: x\r\n\r\nbody"),
        Err(ParseError::NoSender)
    );
    assert_eq!(
        parse(b"From: undisclosed-recipients:;\r\n\r\nbody"),
        Err(ParseError::NoSender)
    );
    // Deterministic pseudo-random bytes (xorshift), with and without a plausible header.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    for round in 0..200 {
        let len = (round * 37) % 3000;
        let mut bytes: Vec<u8> = (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 24) as u8
            })
            .collect();
        let _ = parse(&bytes);
        bytes.splice(
            0..0,
            b"From: a@example.com\r\nContent-Type: multipart/mixed; boundary=\"\x01\"\r\n"
                .iter()
                .copied(),
        );
        let _ = parse(&bytes);
    }
    assert_eq!(parse(&[0xff, 0xfe, 0x00, 0x01, 0x80]), Err(ParseError::NotAMail));
}

#[test]
fn truncated_and_damaged_fixtures_never_panic() {
    for raw in ALL_FIXTURES {
        for cut in (0..raw.len()).step_by(7) {
            let _ = parse(&raw[..cut]);
        }
        let mut damaged = raw.to_vec();
        for i in (0..damaged.len()).step_by(13) {
            damaged[i] = damaged[i].wrapping_add(0x80);
        }
        let _ = parse(&damaged);
    }
}

#[test]
fn every_fixture_is_a_complete_mail() {
    for raw in ALL_FIXTURES {
        let m = ok(raw);
        assert!(
            m.message_id.is_some() && m.date.is_some() && !m.subject.is_empty(),
            "{m:?}"
        );
        assert!(!m.to.is_empty() && !m.text.is_empty(), "{m:?}");
    }
}
