//! Tests of `quote.rs`: each folding rule in English and Chinese, and what must not fold.

use super::*;

/// Asserts that `text` folds into exactly `visible`, with `folded` starting with `folded_start`.
#[track_caller]
fn check(text: &str, visible: &str, folded_start: &str) {
    let f = fold(text);
    assert_eq!(f.visible, visible, "visible of {text:?}");
    let folded = f.folded.unwrap_or_else(|| panic!("nothing folded in {text:?}"));
    assert!(
        folded.starts_with(folded_start),
        "folded {folded:?} should start with {folded_start:?}"
    );
}

#[track_caller]
fn unfolded(text: &str) {
    let f = fold(text);
    assert_eq!(f.folded, None, "folded something in {text:?}");
    assert_eq!(f.visible, text.trim_end());
}

#[test]
fn reply_marker_en_and_zh() {
    check(
        "Yes please.\n\n##- Please type your reply above this line -##\nYour ticket 1042",
        "Yes please.",
        "##- Please type",
    );
    check(
        "好的，谢谢\n\n> ##- 请在此行上方回复 -##\n> 您的工单",
        "好的，谢谢",
        "> ##- 请在此行上方回复 -##",
    );
}

#[test]
fn attribution_en_single_and_wrapped() {
    check(
        "Thanks!\n\nOn Mon, 1 Jan 2026 at 10:00, Shop <support@shop.example> wrote:\n> old",
        "Thanks!",
        "On Mon, 1 Jan 2026",
    );
    check(
        "Thanks!\n\nOn Mon, 1 Jan 2026 at 10:00, Shop Support <support@shop.example>\nwrote:\n\nold text not quoted",
        "Thanks!",
        "On Mon, 1 Jan 2026 at 10:00, Shop Support <support@shop.example>\nwrote:",
    );
}

#[test]
fn attribution_zh_foxmail_gmail_and_halfwidth_colon() {
    check(
        "收到\n\n在 2026年1月1日 10:00，张三 <a@b.cn> 写道：\n> 旧内容",
        "收到",
        "在 2026年1月1日",
    );
    check(
        "收到\n在 2026-01-01 10:00:00，\"客服\" <s@shop.example> 写道:\n旧内容",
        "收到",
        "在 2026-01-01",
    );
    check(
        "好的\n\n客服 <s@shop.example> 于2026年1月1日周四 10:00写道：\n\n> 旧",
        "好的",
        "客服 <s@shop.example> 于",
    );
    check(
        "好的\n\n在 2026年1月1日 10:00，张三\n<a@b.cn> 写道：\n> 旧",
        "好的",
        "在 2026年1月1日 10:00，张三\n<a@b.cn>",
    );
    check(
        "好的\n\n张三 <zhangsan@example.com>\n于2026年1月1日周四 10:00写道：\n> 旧",
        "好的",
        "张三 <zhangsan",
    );
    // The customer's own line above a one-line attribution is not its first half.
    check(
        "订单10452还没到\n在 2026年1月1日 10:00，张三 <a@b.cn> 写道：\n> 旧",
        "订单10452还没到",
        "在 2026",
    );
}

#[test]
fn original_message_separators() {
    check(
        "See below.\n-----Original Message-----\nFrom: x\nold",
        "See below.",
        "-----Original Message-----",
    );
    check(
        "见下\n\n----- 原始邮件 -----\n发件人：客服\n旧",
        "见下",
        "----- 原始邮件 -----",
    );
    check(
        "收到了\n\n------------------ 原始邮件 ------------------\n发件人: \"客服\"<s@shop.example>;\n旧",
        "收到了",
        "------------------ 原始邮件",
    );
}

#[test]
fn outlook_header_blocks_en_and_zh() {
    check(
        "Please cancel.\n\n________________________________\nFrom: Shop Support <s@shop.example>\nSent: Monday, 1 January 2026 10:00\nTo: Me\nSubject: Order\n\nold",
        "Please cancel.",
        "________________________________\nFrom:",
    );
    check(
        "Please cancel.\n*From:* Shop\n*Sent:* Monday\nold",
        "Please cancel.",
        "*From:* Shop",
    );
    check(
        "请取消订单。\n\n发件人: 客服 <s@shop.example>\n发送时间: 2026年1月1日 10:00\n收件人: 我\n主题: 订单\n\n旧",
        "请取消订单。",
        "发件人: 客服",
    );
    check(
        "请取消。\n发件人：客服\n收件人：我\n日期：2026年1月1日\n旧",
        "请取消。",
        "发件人：客服",
    );
}

#[test]
fn trailing_quote_run() {
    check(
        "My answer is yes.\n\n> Do you want a refund?\n>\n> Shop",
        "My answer is yes.",
        "> Do you want",
    );
    check(
        "是的。\n\n> 您需要退款吗？\n\n> 客服\n\n",
        "是的。",
        "> 您需要退款吗？",
    );
    // Quotes answered in between are the customer's own reply: keep them.
    unfolded("> Size?\nM please.\n> Colour?\nBlue.");
}

#[test]
fn signature_separator() {
    check(
        "Where is my parcel?\n-- \nBob Jones\nACME Ltd",
        "Where is my parcel?",
        "-- \nBob Jones",
    );
    check(
        "我的包裹在哪里？\n\n-- \n张三\n电话 138",
        "我的包裹在哪里？",
        "-- \n张三",
    );
    // A signature above a trailing quote folds both.
    check("Yes.\n-- \nBob\n> old", "Yes.", "-- \nBob\n> old");
}

#[test]
fn mobile_signatures() {
    check(
        "On my way.\n\nSent from my iPhone",
        "On my way.",
        "Sent from my iPhone",
    );
    check("好的\n\n发自我的iPhone", "好的", "发自我的iPhone");
    check(
        "好的\n发自我的华为手机\n\n> 旧内容",
        "好的",
        "发自我的华为手机\n\n> 旧内容",
    );
    check(
        "Ok.\n\nGet Outlook for Android\n\nOn Mon, 1 Jan 2026, Shop wrote:\n> old",
        "Ok.",
        "Get Outlook for Android",
    );
    // Only at the end: a sentence in the middle that starts the same stays.
    unfolded("Sent from my phone the photo yesterday.\nDid you get it?");
}

#[test]
fn never_folds_everything() {
    unfolded("> only a quote\n> nothing else");
    unfolded("On Mon, 1 Jan 2026 at 10:00, Shop <s@shop.example> wrote:\n> old");
    unfolded("-- \nBob");
    unfolded("Sent from my iPhone");
    assert_eq!(
        fold(""),
        Folded {
            visible: String::new(),
            folded: None
        }
    );
}

#[test]
fn plain_text_is_kept_and_trailing_blank_lines_trimmed() {
    let f = fold("Hello,\r\n\r\nmy order 10452 has not arrived.\r\n\r\n\r\n");
    assert_eq!(
        f,
        Folded {
            visible: "Hello,\n\nmy order 10452 has not arrived.".into(),
            folded: None
        }
    );
    let f = fold("Hi\n\n> old\n\n\n");
    assert_eq!(f.folded.as_deref(), Some("> old"));
}

#[test]
fn look_alikes_do_not_fold() {
    unfolded("Hi,\nFrom: the address on my account\nplease change it to the new one.");
    unfolded("你好\n说明书上他写道：\n“不要水洗”");
    unfolded("你好\n说明书第3页写道：\n“不要水洗”");
    unfolded("你好\n关于订单10452\n客服写道：\n“已发货”");
    unfolded("On the box the text was wrong.\nIt said nothing.");
    unfolded("-----\nA line of dashes is no separator\n-----");
    // A forwarded message is content the customer wants us to see.
    unfolded(
        "Please see the confirmation below.\n\n---------- Forwarded message ---------\nFrom: Shop <s@shop.example>\nDate: Mon, 1 Jan 2026\nSubject: Order\n\nYour order 10452",
    );
}
