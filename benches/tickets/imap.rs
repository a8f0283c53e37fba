//! Measurement 3, imap: mail ingest. A Dovecot of its own with N messages waiting,
//! kefu pointed at it, timed until it has taken the last one.
//!
//! The messages are written straight into the user's Maildir before Dovecot starts
//! (one `doveadm save` per message would take longer than kefu does). Dovecot gives
//! new files their UIDs in the order of the timestamps their names start with,
//! which is the order they were written: every reply comes after what it answers.

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use rand::rngs::StdRng;
use rand::{Rng, RngCore, SeedableRng};
use reqwest::Method;
use serde_json::json;

use super::dovecot::{Dovecot, PASSWORD, USER};
use super::{Api, CpuMeter, Options, Server, count, read_db};

const TARGET: f64 = 200.0;

pub async fn run(work: &Path, o: &Options) {
    let n = o.messages;
    println!("== imap: {n} messages fetched, parsed, threaded and stored ==");
    let dir = work.join("tickets-imap");
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    let mail = messages(n);
    let dovecot = Dovecot::start(&dir.join("dovecot"), &mail.raw);
    println!(
        "mailbox: {} new customer mails ({} GB2312, {} with an attachment), {} replies by In-Reply-To; {:.1} MiB",
        n - mail.replies,
        mail.gb2312,
        mail.attachments,
        mail.replies,
        mail.raw.iter().map(Vec::len).sum::<usize>() as f64 / 1024.0 / 1024.0
    );

    let data = dir.join("kefu");
    let server = Server::start(&data).await;
    let owner = Api::setup(&server.base).await;
    let db = read_db(&data);
    let last_uid = || -> i64 {
        db.query_row("SELECT last_uid FROM mailbox_state WHERE id = 1", [], |r| {
            r.get(0)
        })
        .unwrap_or(0)
    };
    let cpu = CpuMeter::start(server.pid());
    let started = Instant::now();
    owner
        .ok(
            Method::PUT,
            "/api/settings/imap",
            json!({"host": "127.0.0.1", "port": dovecot.port, "tls": "none", "username": USER,
                   "password": PASSWORD, "folder": "INBOX", "poll_secs": 10}),
        )
        .await;
    let mut first = None;
    loop {
        let taken = last_uid();
        if taken > 0 && first.is_none() {
            first = Some(started.elapsed());
        }
        if taken >= n as i64 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(900),
            "only {taken} of {n} taken after 15 minutes"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let elapsed = started.elapsed();
    let cpu = cpu.line();
    let rate = n as f64 / elapsed.as_secs_f64();
    println!(
        "{n} messages in {:.2} s: {rate:.0} messages/s (target >= {TARGET:.0}); first batch stored after {:.0} ms",
        elapsed.as_secs_f64(),
        first.unwrap_or_default().as_secs_f64() * 1000.0
    );
    println!("{cpu}");
    let mut st = db
        .prepare("SELECT outcome, count(*) FROM inbound_mail GROUP BY outcome ORDER BY count(*) DESC")
        .unwrap();
    let outcomes: Vec<String> = st
        .query_map([], |r| {
            Ok(format!("{} {}", r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    drop(st);
    // UID k+1 should be the k-th file written: the order replies depend on.
    let in_order = count(
        &db,
        "SELECT count(*) FROM inbound_mail WHERE message_id = 'bench-' || (uid - 1) || '@mail.example.cn'",
    );
    println!("outcomes: {}", outcomes.join(", "));
    println!(
        "stored: {} tickets, {} replies in ticket timelines, {} attachments, {} mails queued in the outbox; \
         {in_order} of {n} UIDs in the order written",
        count(&db, "SELECT count(*) FROM tickets"),
        count(
            &db,
            "SELECT count(*) FROM ticket_events WHERE kind = 'customer_reply' AND mail_message_id IS NOT NULL"
        ),
        count(&db, "SELECT count(*) FROM attachments"),
        count(&db, "SELECT count(*) FROM outbox"),
    );
    drop(db);
    server.stop();
    dovecot.stop();
    println!();
}

// ---------------------------------------------------------------------------
// The mail

struct Mailbox {
    raw: Vec<Vec<u8>>,
    replies: usize,
    gb2312: usize,
    attachments: usize,
}

/// What a reply needs of the mail it answers.
struct Sent {
    id: String,
    from: String,
    subject: String,
    gb: bool,
    first_line: Vec<u8>,
}

// GB2312 text ("{n}" is replaced by the order number).
const GB_BODIES: [&[u8]; 3] = [
    b"\xc4\xfa\xba\xc3\xa3\xac\xce\xd2\xb5\xc4\xb6\xa9\xb5\xa5 {n} \xbb\xb9\xc3\xbb\xd3\xd0\xca\xd5\xb5\xbd\xa3\xac\xce\xef\xc1\xf7\xd0\xc5\xcf\xa2\xd2\xd1\xbe\xad\xc8\xfd\xcc\xec\xc3\xbb\xd3\xd0\xb8\xfc\xd0\xc2\xc1\xcb\xa1\xa3\xc2\xe9\xb7\xb3\xb0\xef\xce\xd2\xb2\xe9\xd2\xbb\xcf\xc2\xa3\xac\xd0\xbb\xd0\xbb\xa3\xa1",
    b"\xca\xd5\xb5\xbd\xb5\xc4\xc9\xcc\xc6\xb7\xd3\xd0\xc6\xc6\xcb\xf0\xa3\xac\xcd\xe2\xb0\xfc\xd7\xb0\xd2\xb2\xd1\xb9\xbb\xb5\xc1\xcb\xa1\xa3\xb6\xa9\xb5\xa5\xba\xc5 {n}\xa3\xac\xcf\xa3\xcd\xfb\xbf\xc9\xd2\xd4\xcd\xcb\xbf\xee\xbb\xf2\xd5\xdf\xbb\xbb\xbb\xf5\xa1\xa3",
    b"\xc7\xeb\xce\xca\xb6\xa9\xb5\xa5 {n} \xb5\xc4\xb7\xa2\xc6\xb1\xca\xb2\xc3\xb4\xca\xb1\xba\xf2\xbf\xc9\xd2\xd4\xbf\xaa\xa3\xbf\xb9\xab\xcb\xbe\xcc\xa7\xcd\xb7\xba\xcd\xcb\xb0\xba\xc5\xce\xd2\xc9\xd4\xba\xf3\xb7\xa2\xb8\xf8\xc4\xfa\xa1\xa3",
];
const GB_SUBJECTS: [&[u8]; 3] = [
    b"\xb6\xa9\xb5\xa5 {n} \xce\xef\xc1\xf7\xb2\xe9\xd1\xaf",
    b"\xcd\xcb\xbf\xee\xc9\xea\xc7\xeb\xa3\xba\xb6\xa9\xb5\xa5 {n}",
    b"\xb7\xa2\xc6\xb1\xce\xca\xcc\xe2 {n}",
];
const GB_NAMES: [&[u8]; 5] = [
    b"\xd5\xc5\xc8\xfd",
    b"\xc0\xee\xcb\xc4",
    b"\xcd\xf5\xb7\xbc",
    b"\xd5\xd4\xc3\xf4",
    b"\xc1\xf5\xd1\xf3",
];
/// 好的，谢谢。我再等两天，如果还没到请帮我退款。
const GB_REPLY: &[u8] = b"\xba\xc3\xb5\xc4\xa3\xac\xd0\xbb\xd0\xbb\xa1\xa3\xce\xd2\xd4\xd9\xb5\xc8\xc1\xbd\xcc\xec\xa3\xac\xc8\xe7\xb9\xfb\xbb\xb9\xc3\xbb\xb5\xbd\xc7\xeb\xb0\xef\xce\xd2\xcd\xcb\xbf\xee\xa1\xa3";

const UTF8_SUBJECTS: [&str; 4] = [
    "订单 {n} 还没发货",
    "Damaged parcel, order {n}",
    "退款进度 {n}",
    "Wrong colour in order {n}",
];
const UTF8_BODIES: [&str; 3] = [
    "您好，\n\n我上周在贵店下的订单 {n} 到现在还没有发货，页面一直显示\u{201c}待发货\u{201d}。\n请问什么时候能发出？我比较着急用，谢谢！\n\n--\n发自我的手机",
    "Hello,\n\nThe parcel for order {n} arrived today but the box was crushed and one of the\ncups inside is broken. Photos can be sent if needed. I would like a replacement\nor a refund, whichever is quicker.\n\nBest regards",
    "你好，订单 {n} 申请退款已经五天了，还没有到账。请帮忙查一下退款进度。\n\nThanks,\n",
];
const NAMES: [&str; 5] = ["陈晓", "Anna Schmidt", "周杰", "Tom Baker", "林雨"];

fn fill(template: &[u8], n: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(template.len() + 8);
    let mut rest = template;
    while let Some(i) = rest.windows(3).position(|w| w == b"{n}") {
        out.extend_from_slice(&rest[..i]);
        out.extend_from_slice(n.to_string().as_bytes());
        rest = &rest[i + 3..];
    }
    out.extend_from_slice(rest);
    out
}

fn encoded_word(charset: &str, bytes: &[u8]) -> String {
    format!("=?{charset}?B?{}?=", B64.encode(bytes))
}

/// Base64 in lines of 76.
fn wrapped(bytes: &[u8]) -> String {
    let all = B64.encode(bytes);
    all.as_bytes()
        .chunks(76)
        .map(|l| std::str::from_utf8(l).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

/// `n` mails: about 70% new customer mail (UTF-8 or GB2312, a fifth with an
/// attachment of a few KiB), 30% replies to earlier ones by the same sender.
fn messages(n: usize) -> Mailbox {
    let mut rng = StdRng::seed_from_u64(2026);
    let mut sent: Vec<Sent> = Vec::new();
    let mut out = Mailbox {
        raw: Vec::with_capacity(n),
        replies: 0,
        gb2312: 0,
        attachments: 0,
    };
    for k in 0..n {
        let id = format!("bench-{k}@mail.example.cn");
        let date = format!(
            "Mon, 23 Nov 2026 {:02}:{:02}:{:02} +0800",
            8 + k / 3600 % 12,
            k / 60 % 60,
            k % 60
        );
        if k >= 10 && rng.random::<f64>() < 0.3 {
            let to = &sent[rng.random_range(0..sent.len())];
            let mut head = format!(
                "From: {}\nTo: support@shop.example\nSubject: Re: {}\nMessage-ID: <{id}>\nDate: {date}\n\
                 In-Reply-To: <{}>\nReferences: <{}>\nMIME-Version: 1.0\n",
                to.from, to.subject, to.id, to.id
            )
            .into_bytes();
            let mut body: Vec<u8> = if to.gb {
                GB_REPLY.to_vec()
            } else {
                "Any news? 有进展吗？我还在等。".as_bytes().to_vec()
            };
            body.extend_from_slice(b"\n\n> ");
            body.extend_from_slice(&to.first_line);
            body.push(b'\n');
            if to.gb {
                head.extend_from_slice(
                    format!(
                        "Content-Type: text/plain; charset=\"gb2312\"\nContent-Transfer-Encoding: base64\n\n{}\n",
                        wrapped(&body)
                    )
                    .as_bytes(),
                );
            } else {
                head.extend_from_slice(
                    b"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n",
                );
                head.extend_from_slice(&body);
            }
            out.raw.push(head);
            out.replies += 1;
            continue;
        }
        let order = 880_000 + k as u64;
        let customer = rng.random_range(0..1000);
        let address = format!("buyer{customer}@mail.example.cn");
        let roll = rng.random::<f64>();
        let (from, subject, mail, gb, first_line) = if roll < 0.35 {
            out.gb2312 += 1;
            let name = GB_NAMES[customer % GB_NAMES.len()];
            let from = format!("{} <{address}>", encoded_word("GB2312", name));
            let subject = encoded_word("GB2312", &fill(GB_SUBJECTS[k % GB_SUBJECTS.len()], order));
            let text = fill(GB_BODIES[k % GB_BODIES.len()], order);
            let mail = format!(
                "Content-Type: text/plain; charset=\"gb2312\"\nContent-Transfer-Encoding: base64\n\n{}\n",
                wrapped(&text)
            )
            .into_bytes();
            (from, subject, mail, true, text)
        } else {
            let name = NAMES[customer % NAMES.len()];
            let from = format!("{} <{address}>", encoded_word("UTF-8", name.as_bytes()));
            let raw_subject = UTF8_SUBJECTS[k % UTF8_SUBJECTS.len()].replace("{n}", &order.to_string());
            let subject = encoded_word("UTF-8", raw_subject.as_bytes());
            let text = UTF8_BODIES[k % UTF8_BODIES.len()].replace("{n}", &order.to_string());
            let first_line = text.lines().next().unwrap_or("").as_bytes().to_vec();
            let mail = if roll < 0.55 {
                out.attachments += 1;
                let mut file = vec![0u8; rng.random_range(2048..8192)];
                rng.fill_bytes(&mut file);
                let (mime, file_name) = if k % 2 == 0 {
                    ("image/jpeg", format!("photo-{k}.jpg"))
                } else {
                    ("application/pdf", format!("invoice-{k}.pdf"))
                };
                format!(
                    "Content-Type: multipart/mixed; boundary=\"b-{k}\"\n\n--b-{k}\n\
                     Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n{text}\n\
                     --b-{k}\nContent-Type: {mime}; name=\"{file_name}\"\n\
                     Content-Disposition: attachment; filename=\"{file_name}\"\n\
                     Content-Transfer-Encoding: base64\n\n{}\n--b-{k}--\n",
                    wrapped(&file)
                )
                .into_bytes()
            } else {
                format!(
                    "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n{text}\n"
                )
                .into_bytes()
            };
            (from, subject, mail, false, first_line)
        };
        let mut raw = format!(
            "Return-Path: <{address}>\nFrom: {from}\nTo: support@shop.example\nSubject: {subject}\n\
             Message-ID: <{id}>\nDate: {date}\nMIME-Version: 1.0\n"
        )
        .into_bytes();
        raw.extend_from_slice(&mail);
        out.raw.push(raw);
        sent.push(Sent {
            id,
            from,
            subject,
            gb,
            first_line,
        });
    }
    out
}
