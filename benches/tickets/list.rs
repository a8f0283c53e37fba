//! Measurement 2, list: first pages of the ticket list on 100,000 tickets (list_db.rs
//! builds them). Each query kind over HTTP one request after another, the same SQL
//! timed alone, and the query plan of any kind over the target.

use std::path::Path;
use std::time::{Duration, Instant};

use reqwest::Method;
use rusqlite::types::Value as Sql;
use serde_json::Value;

use super::list_db::{TICKETS, database};
use super::{Api, Options, Server, count, latency_line, ms, pct, read_db};

const TARGET_P99: Duration = Duration::from_millis(20);

pub async fn run(work: &Path, o: &Options) {
    println!("== list: first pages of GET /api/tickets, {TICKETS} tickets ==");
    let data = database(work).await;
    let server = Server::start(&data).await;
    let owner = Api::login(&server.base).await;
    let me = owner.ok(Method::GET, "/api/me", Value::Null).await["agent"]["id"]
        .as_i64()
        .unwrap();
    let teams = owner.ok(Method::GET, "/api/teams", Value::Null).await;
    let team = teams["teams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"].as_str().is_some_and(|n| n.starts_with("售后")))
        .and_then(|t| t["id"].as_i64())
        .unwrap();
    let db = read_db(&data);
    print_distribution(&db);

    let mut overall = Vec::new();
    let mut slow = Vec::new();
    println!("(q is 退款, \"refund\": in about one subject in twelve)");
    println!(
        "{:<17} {:>8}  {:<62}  {:>8}",
        "query (limit 50)", "matching", "over HTTP", "SQL p50"
    );
    for kind in kinds(me, team) {
        let url = format!("/api/tickets?{}", kind.query);
        let first = owner.ok(Method::GET, &url, Value::Null).await;
        assert_eq!(first["tickets"].as_array().map_or(0, Vec::len), 50, "{url}");
        let matching: i64 = db
            .query_row(
                &kind.matching,
                rusqlite::params_from_iter(kind.args.iter()),
                |r| r.get(0),
            )
            .unwrap();
        for _ in 0..50 {
            get(&owner, &url).await;
        }
        let mut times = Vec::with_capacity(o.requests);
        for _ in 0..o.requests {
            let t = Instant::now();
            get(&owner, &url).await;
            times.push(t.elapsed());
        }
        let sql = sql_times(&db, &kind, 200);
        let mut sorted = times.clone();
        sorted.sort();
        if pct(&sorted, 0.99) > TARGET_P99 || o.plans {
            slow.push(kind.clone());
        }
        println!(
            "{:<17} {matching:>8}  {}  {:>5.2} ms",
            kind.name,
            latency_line(times.clone()),
            ms(sql)
        );
        overall.extend(times);
    }
    println!("{:<17} {:>8}  {}", "all kinds", "", latency_line(overall));
    println!("target: p99 <= 20 ms for each");
    for kind in &slow {
        println!("\nEXPLAIN QUERY PLAN of `{}`:\n{}", kind.name, kind.text);
        print_plan(&db, kind);
    }
    drop(db);
    server.stop();
    println!();
}

async fn get(api: &Api, url: &str) {
    let res = api.request(Method::GET, url).send().await.unwrap();
    assert_eq!(res.status(), 200, "{url}");
    res.bytes().await.unwrap();
}

fn print_distribution(db: &rusqlite::Connection) {
    let mut st = db
        .prepare("SELECT status, count(*) FROM tickets GROUP BY status ORDER BY count(*) DESC")
        .unwrap();
    let by_status: Vec<String> = st
        .query_map([], |r| {
            Ok(format!("{} {}", r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    println!(
        "database: {} tickets ({}); {} overdue by SLA, {} unassigned and open",
        count(db, "SELECT count(*) FROM tickets"),
        by_status.join(", "),
        count(
            db,
            "SELECT count(*) FROM tickets WHERE sla_due_at <= unixepoch('subsec') * 1000"
        ),
        count(
            db,
            "SELECT count(*) FROM tickets WHERE assignee_id IS NULL AND status NOT IN ('solved', 'closed')"
        ),
    );
}

// ---------------------------------------------------------------------------
// The queries, and their SQL as src/tickets/list.rs builds it (keep in step).

const COLUMNS: &str = "t.id, t.number, t.subject, t.request, t.status, t.priority, t.type_id, ty.name, \
    t.team_id, t.assignee_id, t.order_ref, t.due_at, t.contact_id, ct.name, ct.email, ct.phone, t.conversation_id, \
    t.source, t.locale, t.public_token, t.created_at, t.updated_at, t.first_response_at, t.solved_at, t.closed_at, \
    t.sla_policy_id, sp.name, t.sla_due_at, t.sla_warn_at, t.sla_breached, t.next_due_at";
const JOINS: &str = "FROM tickets t JOIN contacts ct ON ct.id = t.contact_id \
    LEFT JOIN ticket_types ty ON ty.id = t.type_id LEFT JOIN sla_policies sp ON sp.id = t.sla_policy_id";
const NOT_CLOSED: [&str; 5] = ["new", "open", "pending", "on_hold", "solved"];

#[derive(Clone)]
struct Kind {
    name: &'static str,
    query: String,
    text: String,
    /// How many rows the filters select (the page is the first 50 of them).
    matching: String,
    args: Vec<Sql>,
}

fn kind(
    name: &'static str,
    query: &str,
    statuses: &[&str],
    filter: impl FnOnce(&mut Vec<Sql>) -> String,
) -> Kind {
    let mut args: Vec<Sql> = statuses.iter().map(|s| Sql::Text(s.to_string())).collect();
    let marks: Vec<String> = (1..=args.len()).map(|i| format!("?{i}")).collect();
    let mut from = format!("{JOINS} WHERE 1 = 1 AND t.status IN ({})", marks.join(", "));
    let order = if query.contains("sort=due") {
        "coalesce(t.next_due_at, 9223372036854775807), t.id"
    } else if query.contains("sort=created") {
        "t.created_at DESC, t.id DESC"
    } else {
        "t.updated_at DESC, t.id DESC"
    };
    from += &filter(&mut args);
    Kind {
        name,
        query: query.to_string(),
        text: format!("SELECT {COLUMNS} {from} ORDER BY {order} LIMIT 51"),
        matching: format!("SELECT count(*) {from}"),
        args,
    }
}

fn push(args: &mut Vec<Sql>, v: Sql) -> String {
    args.push(v);
    format!("?{}", args.len())
}

fn kinds(me: i64, team: i64) -> Vec<Kind> {
    let word = "退款";
    vec![
        kind("default", "limit=50", &NOT_CLOSED, |_| String::new()),
        kind("status=open", "status=open&limit=50", &["open"], |_| {
            String::new()
        }),
        kind("team", &format!("team={team}&limit=50"), &NOT_CLOSED, |a| {
            format!(" AND t.team_id = {}", push(a, Sql::Integer(team)))
        }),
        kind("assignee=me", "assignee=me&limit=50", &NOT_CLOSED, |a| {
            format!(" AND t.assignee_id = {}", push(a, Sql::Integer(me)))
        }),
        kind("assignee=none", "assignee=none&limit=50", &NOT_CLOSED, |_| {
            " AND t.assignee_id IS NULL".into()
        }),
        kind("priority=urgent", "priority=urgent&limit=50", &NOT_CLOSED, |a| {
            format!(" AND t.priority = {}", push(a, Sql::Text("urgent".into())))
        }),
        kind("sla=overdue", "sla=overdue&limit=50", &NOT_CLOSED, |a| {
            let now = jiff::Timestamp::now().as_millisecond();
            format!(" AND (t.sla_due_at <= {})", push(a, Sql::Integer(now)))
        }),
        kind("sort=due", "sort=due&limit=50", &NOT_CLOSED, |_| String::new()),
        kind("sort=created", "sort=created&limit=50", &NOT_CLOSED, |_| {
            String::new()
        }),
        kind(
            "q&status=open",
            &format!("q={word}&status=open&limit=50"),
            &["open"],
            |a| {
                let n = push(a, Sql::Text(format!("%{word}%")));
                format!(
                    " AND (t.subject LIKE {n} ESCAPE '\\' OR t.request LIKE {n} ESCAPE '\\' OR ct.name LIKE {n} \
                     ESCAPE '\\' OR ct.email LIKE {n} ESCAPE '\\' OR t.order_ref LIKE {n} ESCAPE '\\')"
                )
            },
        ),
    ]
}

/// The median time of the query alone, every row and column read.
fn sql_times(db: &rusqlite::Connection, kind: &Kind, runs: usize) -> Duration {
    let mut st = db.prepare(&kind.text).unwrap();
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            let mut rows = st.query(rusqlite::params_from_iter(kind.args.iter())).unwrap();
            while let Some(row) = rows.next().unwrap() {
                for i in 0..31 {
                    let _: Sql = row.get(i).unwrap();
                }
            }
            t.elapsed()
        })
        .collect();
    times.sort();
    pct(&times, 0.5)
}

fn print_plan(db: &rusqlite::Connection, kind: &Kind) {
    let mut st = db.prepare(&format!("EXPLAIN QUERY PLAN {}", kind.text)).unwrap();
    let rows: Vec<(i64, i64, String)> = st
        .query_map(rusqlite::params_from_iter(kind.args.iter()), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(3)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let depth = |mut parent: i64| {
        let mut d = 0;
        while parent != 0 {
            d += 1;
            parent = rows.iter().find(|r| r.0 == parent).map_or(0, |r| r.1);
        }
        d
    };
    for (_, parent, detail) in &rows {
        println!("  {}{detail}", "  ".repeat(depth(*parent)));
    }
}
