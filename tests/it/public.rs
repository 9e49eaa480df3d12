//! The public site, read as a visitor would: the seed incident in English and French, times in
//! every zone with the right daylight-saving abbreviation, language and zone negotiation,
//! caching, sanitized Markdown, and bounded work per page.

use std::sync::Arc;

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::counting::CountingStore;
use crate::helpers::{t, Db, TestApp, TestDb, NOW};

pub async fn configure_page(app: &TestApp) {
    let page = json!({
        "name": "Zendesk status", "url": "https://status.example.com", "time_zone": "America/Los_Angeles",
        "display_time_zones": ["America/Los_Angeles"], "default_locale": "en",
        "locales": ["en", "fr", "de", "es", "pt-BR", "ja"],
        "footer_markdown": "For the current status of your service, see [our status page](https://status.example.com). Questions? Open a ticket."
    });
    app.write_as(&app.admin, Method::PUT, "/api/v1/page", page, 200)
        .await;
}

pub async fn page(
    app: &TestApp,
    path: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, HeaderMap, String) {
    let mut req = app.http.get(app.url(path));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    let h = res.headers().clone();
    (status, h, res.text().await.unwrap())
}

async fn ok_page(app: &TestApp, path: &str) -> String {
    let (status, _, body) = page(app, path, &[]).await;
    assert_eq!(status, StatusCode::OK, "GET {path}");
    body
}

fn squash(html: &str) -> String {
    html.replace("&#39;", "'")
        .replace("&quot;", "\"")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

async fn the_seed_incident_reads_well_in_english_and_french() {
    let app = TestApp::sqlite().await;
    configure_page(&app).await;
    let id = crate::seed::publish_seed(&app).await;

    let en = squash(&ok_page(&app, &format!("/en/incidents/{id}")).await);
    for expected in [
        "<html lang=\"en\">",
        "Delays syncing and storing new email in Sell",
        "Sell — all Pods",
        "Postmortem published",
        "On February 29, 2024, from 8:00 AM to 4:10 PM UTC, customers of Sell in all Pods experienced delays syncing and storing new email.",
        "11:10 AM UTC | 3:10 AM PST",
        "3:07 PM UTC | 7:07 AM PST",
        "5:34 PM UTC | 9:34 AM PST",
        "Root cause", "Resolution", "Remediation items", "Planned",
        "Implement limits in some parts of our system to prevent overloads.",
        "Impact duration", "8 h 10 min", "Time to first public update", "3 h 10 min",
        "For more information", "Open a ticket.",
        "rel=\"nofollow noopener noreferrer\"",
    ] {
        assert!(en.contains(expected), "English page lacks {expected:?}");
    }
    assert!(
        !en.contains("About this translation"),
        "the original needs no translation notice"
    );

    let fr = squash(&ok_page(&app, &format!("/fr/incidents/{id}")).await);
    for expected in [
        "<html lang=\"fr\">",
        "Retards de synchronisation et de stockage des nouveaux e-mails dans Sell",
        "Sell — tous les Pods",
        "Le 29 février 2024, de 08:00 à 16:10 UTC, les clients de Sell dans tous les Pods ont rencontré des retards dans la synchronisation et le stockage des nouveaux e-mails.",
        "Résumé", "Chronologie", "Analyse rétrospective", "Analyse de la cause", "Résolution", "Actions correctives",
        "11:10 UTC | 03:10 PST", "15:07 UTC | 07:07 PST", "17:34 UTC | 09:34 PST",
        "Nous faisons actuellement face à une interruption de service",
        "Implémentez des limites dans certaines parties de notre système pour éviter les surcharges.",
        "Publiée le 5 mars 2024",
        "traduite par un logiciel de traduction automatique",
        "La version en anglais fait foi.",
        &format!("href=\"/en/incidents/{id}\""),
        "Chiffres clés", "8 h 10 min",
        "Pour en savoir plus",
    ] {
        assert!(fr.contains(expected), "French page lacks {expected:?}");
    }
    for mistake in ["9H34", "APRÈS LE TEMPS DE", "POST-MORTEM", "PDT"] {
        assert!(!fr.contains(mistake), "French page shows {mistake:?}");
    }
    // Headings come from the locale files, in every language.
    let de = ok_page(&app, &format!("/de/incidents/{id}")).await;
    assert!(
        de.contains("Zeitverlauf")
            && de.contains("Ursache")
            && de.contains("11:10 UTC | 03:10 PST")
    );
    let ja = ok_page(&app, &format!("/ja/incidents/{id}")).await;
    assert!(
        ja.contains("<html lang=\"ja\">") && ja.contains("経過") && ja.contains("2024年2月29日")
    );
    // The seed's French update text is machine-translated: the page says so; the German page,
    // which has no translation, shows the English original and says that instead.
    assert!(squash(&de).contains("noch nicht übersetzt"));
    app.finish().await;
}

async fn summer_times_say_pdt_and_dates_show_when_zones_disagree() {
    let app = TestApp::sqlite().await;
    configure_page(&app).await;
    app.clock.set(t("2024-08-01T00:00:00Z"));
    let inc = app
        .post("/api/v1/incidents", json!({"title": "Summer", "impact": "minor", "status": "investigating", "message": "Hot.", "display_at": "2024-07-10T11:10:00Z"}))
        .await;
    let id = inc["id"].as_str().unwrap();
    app.post(
        &format!("/api/v1/incidents/{id}/updates"),
        json!({"status": "resolved", "message": "Cool.", "display_at": "2024-07-11T02:30:00Z"}),
    )
    .await;
    let en = squash(&ok_page(&app, &format!("/en/incidents/{id}")).await);
    assert!(en.contains("11:10 AM UTC | 4:10 AM PDT"), "{en}");
    assert!(!en.contains("PST"));
    // 02:30 UTC on the 11th is still the 10th in California: full dates on both sides.
    assert!(
        en.contains("July 11, 2024 2:30 AM UTC | July 10, 2024 7:30 PM PDT"),
        "{en}"
    );
    let fr = squash(&ok_page(&app, &format!("/fr/incidents/{id}")).await);
    assert!(
        fr.contains("11:10 UTC | 04:10 PDT")
            && fr.contains("11 juillet 2024 02:30 UTC | 10 juillet 2024 19:30 PDT"),
        "{fr}"
    );
    app.finish().await;
}

async fn language_follows_url_then_cookie_then_accept_language() {
    let app = TestApp::sqlite().await;
    configure_page(&app).await;
    let (_, h, body) = page(
        &app,
        "/",
        &[("accept-language", "fr-CA, fr;q=0.9, en;q=0.5")],
    )
    .await;
    assert!(body.contains("<html lang=\"fr\">"));
    assert_eq!(h["content-language"], "fr");
    let vary = h["vary"].to_str().unwrap();
    assert!(
        vary.contains("Accept-Language") && vary.contains("Cookie"),
        "unprefixed pages vary: {vary}"
    );
    let (_, _, body) = page(
        &app,
        "/",
        &[("accept-language", "fr"), ("cookie", "herald_lang=de")],
    )
    .await;
    assert!(
        body.contains("<html lang=\"de\">"),
        "the cookie wins over Accept-Language"
    );
    let (_, h, body) = page(
        &app,
        "/ja/",
        &[("accept-language", "fr"), ("cookie", "herald_lang=de")],
    )
    .await;
    assert!(
        body.contains("<html lang=\"ja\">"),
        "the URL wins over both"
    );
    assert!(!h["vary"].to_str().unwrap().contains("Accept-Language"));
    let (_, _, body) = page(&app, "/", &[("accept-language", "ko, zh;q=0.8")]).await;
    assert!(
        body.contains("<html lang=\"en\">"),
        "unknown languages fall back to the page default"
    );
    for l in ["en", "fr", "de", "es", "pt-BR", "ja"] {
        assert!(
            body.contains(&format!(
                "hreflang=\"{l}\" href=\"https://status.example.com/{l}/\""
            )),
            "alternate for {l}"
        );
    }
    assert!(body.contains("hreflang=\"x-default\""));
    assert!(body.contains("<link rel=\"canonical\" href=\"https://status.example.com/en/\">"));
    assert!(
        body.contains("type=\"application/atom+xml\"")
            && body.contains("type=\"application/rss+xml\"")
    );
    let (status, _, body) = page(&app, "/xx/history", &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("<html lang="));
    // The switcher remembers the choice in a cookie and goes back.
    let res = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url("/preferences?lang=es&return=/es/history"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/es/history");
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.starts_with("herald_lang=es")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Lax")
            && cookie.contains("Secure"),
        "{cookie}"
    );
    // An open redirect is refused.
    let res = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url("/preferences?lang=es&return=//evil.example.com"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/");
    app.finish().await;
}

async fn a_visitor_zone_joins_the_display_zones() {
    let app = TestApp::sqlite().await;
    configure_page(&app).await;
    let id = crate::seed::publish_seed(&app).await;
    let res = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url(&format!(
            "/preferences?tz=Asia%2FTokyo&return=/en/incidents/{id}"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let cookie = res.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let (_, _, body) = page(&app, &format!("/en/incidents/{id}"), &[("cookie", &cookie)]).await;
    let body = squash(&body);
    assert!(
        body.contains("11:10 AM UTC | 3:10 AM PST | 8:10 PM JST"),
        "{cookie}"
    );
    assert!(body.contains("<option value=\"Asia/Tokyo\" selected>"));
    let (_, _, plain) = page(&app, &format!("/en/incidents/{id}"), &[]).await;
    assert!(!plain.contains("JST"), "the zone is the visitor's alone");
    app.finish().await;
}

async fn pages_answer_conditional_gets_and_show_a_new_update_at_once() {
    let app = TestApp::sqlite().await;
    let inc = app.post("/api/v1/incidents", json!({"title": "Outage", "impact": "major", "status": "investigating", "message": "Looking."})).await;
    let id = inc["id"].as_str().unwrap();
    let path = format!("/en/incidents/{id}");
    let (status, h, body) = page(&app, &path, &[]).await;
    assert_eq!(status, StatusCode::OK);
    let cache = h["cache-control"].to_str().unwrap();
    assert!(
        cache.contains("max-age=")
            && cache
                .split("max-age=")
                .nth(1)
                .unwrap()
                .parse::<u32>()
                .unwrap()
                <= 60,
        "{cache}"
    );
    let etag = h["etag"].to_str().unwrap().to_string();
    let (status, h2, body2) = page(&app, &path, &[("if-none-match", &etag)]).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert_eq!(h2["etag"].to_str().unwrap(), etag);
    assert!(body2.is_empty());
    assert!(body.contains("Looking."));
    app.post(
        &format!("/api/v1/incidents/{id}/updates"),
        json!({"status": "identified", "message": "Found the cause."}),
    )
    .await;
    let (status, _, body) = page(&app, &path, &[("if-none-match", &etag)]).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a write makes the page new immediately"
    );
    assert!(body.contains("Found the cause."));
    // Assets: content-hashed names, cached for a year; unknown names are 404.
    let css = body
        .split("rel=\"stylesheet\" href=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    assert!(css.starts_with("/static/herald.") && css.ends_with(".css"));
    let res = app.http.get(app.url(&css)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("immutable"));
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("prefers-color-scheme: dark"));
    let (status, _, _) = page(&app, "/static/herald.0000000000.css", &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    app.finish().await;
}

async fn home_history_and_component_pages() {
    let app = TestApp::sqlite().await;
    configure_page(&app).await;
    let (sell, pods) = crate::seed::sell_group(&app).await;
    let home = squash(&ok_page(&app, "/en/").await);
    assert!(home.contains("All Systems Operational") && home.contains("Sell"));
    assert!(
        home.contains("No incidents reported."),
        "a quiet day says so"
    );
    assert!(home.contains("100.00 % uptime over the past 90 days"));
    let inc = app.post("/api/v1/incidents", json!({"title": "Pod trouble", "impact": "major", "status": "investigating", "message": "Pods are down.", "components": {pods[0].clone(): "major_outage", pods[1].clone(): "partial_outage"}})).await;
    let id = inc["id"].as_str().unwrap();
    let home = squash(&ok_page(&app, "/en/").await);
    assert!(
        home.contains("Partial System Outage"),
        "the banner follows the worst impact"
    );
    assert!(
        home.contains("Active incidents")
            && home.contains("Pod trouble")
            && home.contains("Pods are down.")
    );
    assert!(home.contains("Sell — Pod 13, Pod 14"));
    assert!(
        home.contains("<details open>"),
        "a degraded group is expanded, without JavaScript"
    );
    assert!(
        home.contains("✕</span> Major outage"),
        "status by icon and text"
    );
    let fr_home = squash(&ok_page(&app, "/fr/").await);
    assert!(
        fr_home.contains("Panne partielle du système") && fr_home.contains("Incidents en cours")
    );
    let history = squash(&ok_page(&app, "/en/history").await);
    assert!(
        history.contains("March 2024")
            && history.contains("February 2024")
            && history.contains("January 2024")
    );
    assert!(history.contains("Pod trouble"));
    let older = squash(&ok_page(&app, "/fr/history?page=1").await);
    assert!(older.contains("décembre 2023") && older.contains("Aucun incident ce mois-ci."));
    let component = squash(&ok_page(&app, &format!("/en/components/{}", pods[0])).await);
    assert!(
        component.contains("Incidents affecting Pod 13")
            && component.contains("Pod trouble")
            && component.contains("Major outage")
    );
    // Every page advertises its own feeds, and they answer.
    let feed = format!("/components/{}/history.atom", pods[0]);
    assert!(
        component.contains(&format!("type=\"application/atom+xml\" href=\"{feed}\"")),
        "{component}"
    );
    assert!(fr_home.contains("href=\"/fr/history.rss\""));
    for path in [feed.as_str(), "/fr/history.rss", "/history.atom"] {
        assert_eq!(page(&app, path, &[]).await.0, StatusCode::OK, "{path}");
    }
    let group = squash(&ok_page(&app, &format!("/en/components/{sell}")).await);
    assert!(
        group.contains("Pod trouble"),
        "a group lists its children's incidents"
    );
    let (status, _, _) = page(&app, "/en/components/nosuchthing0", &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = page(&app, &format!("/en/incidents/{id}x"), &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    app.finish().await;
}

async fn the_uptime_bar_reflects_the_status_history() {
    let app = TestApp::sqlite().await;
    app.clock.set(t("2024-01-01T00:00:00Z"));
    let api = app.post("/api/v1/components", json!({"name": "API"})).await;
    let id = api["id"].as_str().unwrap().to_string();
    // Thirty days later: a 6-hour major outage.
    app.clock.set(t("2024-01-31T06:00:00Z"));
    app.write(
        Method::PATCH,
        &format!("/api/v1/components/{id}"),
        json!({"status": "major_outage"}),
        200,
    )
    .await;
    app.clock.set(t("2024-01-31T12:00:00Z"));
    app.write(
        Method::PATCH,
        &format!("/api/v1/components/{id}"),
        json!({"status": "operational"}),
        200,
    )
    .await;
    app.clock.set(t("2024-02-10T00:00:00Z"));
    let home = ok_page(&app, "/en/").await;
    // 6 h down out of 40 days of existence in the window = 99.37 %.
    assert!(
        home.contains("99.37 % uptime over the past 90 days"),
        "{}",
        squash(&home)
    );
    assert!(home.contains("<li>January 31, 2024: Major outage</li>"));
    let text = squash(&home);
    assert!(
        text.contains("<li>January 1, 2024 – January 30, 2024: Operational</li>"),
        "{text}"
    );
    assert!(
        text.contains("<li>February 1, 2024 – February 10, 2024: Operational</li>"),
        "{text}"
    );
    assert!(
        text.contains("<li>November 13, 2023 – December 31, 2023: no data</li>"),
        "before the component existed: {text}"
    );
    // One cell per day: the bar's usual status (here: no data, before the component existed)
    // is the bar's class, so those cells need none.
    assert!(home.contains("<ol class=\"bar usual-nodata\" aria-hidden=\"true\">"));
    let bar = home
        .split("<ol class=\"bar usual-nodata\" aria-hidden=\"true\">")
        .nth(1)
        .unwrap()
        .split("</ol>")
        .next()
        .unwrap();
    assert_eq!(bar.matches("<li class=\"major\">").count(), 1);
    assert_eq!(bar.matches("<li class=\"ok\">").count(), 40);
    assert_eq!(bar.matches("<li>").count(), 49);
    app.finish().await;
}

const PAYLOADS: [&str; 6] = [
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "\"><svg onload=alert(1)>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<iframe src=\"https://evil.example.com\"></iframe>",
];

/// The attributes of one tag (`<a href="x" rel=y>`), as (name, value) pairs.
fn attributes(tag: &str) -> Vec<(String, String)> {
    let chars: Vec<char> = tag
        .trim_start_matches('<')
        .trim_end_matches('>')
        .chars()
        .collect();
    let mut i = chars
        .iter()
        .position(|c| c.is_whitespace())
        .unwrap_or(chars.len());
    let mut out = Vec::new();
    while i < chars.len() {
        while i < chars.len() && (chars[i].is_whitespace() || chars[i] == '/') {
            i += 1;
        }
        let start = i;
        while i < chars.len() && !chars[i].is_whitespace() && chars[i] != '=' {
            i += 1;
        }
        let name: String = chars[start..i].iter().collect();
        let mut value = String::new();
        if i < chars.len() && chars[i] == '=' {
            i += 1;
            if i < chars.len() && (chars[i] == '"' || chars[i] == '\'') {
                let quote = chars[i];
                i += 1;
                while i < chars.len() && chars[i] != quote {
                    value.push(chars[i]);
                    i += 1;
                }
                i += 1;
            } else {
                while i < chars.len() && !chars[i].is_whitespace() {
                    value.push(chars[i]);
                    i += 1;
                }
            }
        }
        if !name.is_empty() {
            out.push((name.to_lowercase(), value));
        }
    }
    out
}

/// Every literal `<` in a page starts a real tag (text is escaped), so the tags are where a
/// payload would be live: no dangerous elements, no event handlers, no `javascript:` URLs.
fn assert_inert(html: &str, path: &str) {
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        let end = rest[start..]
            .find('>')
            .map(|e| start + e + 1)
            .unwrap_or(rest.len());
        let tag = &rest[start..end];
        let name: String = tag[1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_lowercase();
        assert!(
            !["script", "img", "svg", "iframe", "object", "embed", "style"]
                .contains(&name.as_str()),
            "{path}: live <{name}> in {tag}"
        );
        for (attr, value) in attributes(tag) {
            assert!(
                !attr.starts_with("on"),
                "{path}: event handler {attr} in {tag}"
            );
            if ["href", "src", "action", "formaction"].contains(&attr.as_str()) {
                let v = value.trim().to_lowercase().replace(['\t', '\n'], "");
                assert!(
                    !v.starts_with("javascript:") && !v.starts_with("data:"),
                    "{path}: {attr}={value} in {tag}"
                );
            }
        }
        rest = &rest[end..];
    }
}

async fn xss_payloads_in_every_text_field_stay_inert() {
    let app = TestApp::sqlite().await;
    for (n, payload) in PAYLOADS.iter().enumerate() {
        let p = format!("{payload} #{n}");
        let page_body = json!({"name": p, "url": "https://status.example.com", "time_zone": "UTC", "display_time_zones": [], "default_locale": "en", "locales": ["en", "fr"], "footer_markdown": p});
        app.write_as(&app.admin, Method::PUT, "/api/v1/page", page_body, 200)
            .await;
        let group = app.post("/api/v1/components", json!({"name": p, "group": true, "description": p, "children_label": format!("x{n}")})).await;
        let gid = group["id"].as_str().unwrap().to_string();
        let leaf = app
            .post(
                "/api/v1/components",
                json!({"name": p, "description": p, "group_id": gid}),
            )
            .await;
        let lid = leaf["id"].as_str().unwrap().to_string();
        let inc = app
            .post("/api/v1/incidents", json!({"title": p, "impact": "major", "status": "investigating", "message": p, "symptom": format!("s{n}"),
                "components": {lid.clone(): "major_outage"},
                "translations": {"fr": {"title": p, "message": p, "symptom": p, "provenance": "machine"}}}))
            .await;
        let id = inc["id"].as_str().unwrap().to_string();
        app.post(&format!("/api/v1/incidents/{id}/updates"), json!({"status": "resolved", "message": p, "translations": {"fr": {"message": p, "provenance": "human"}}})).await;
        app.write(Method::PUT, &format!("/api/v1/incidents/{id}/postmortem"), json!({"summary": p, "root_cause": p, "resolution": p, "state": "published",
            "translations": {"fr": {"summary": p, "root_cause": p, "resolution": p, "provenance": "machine"}}}), 200).await;
        app.post(&format!("/api/v1/incidents/{id}/remediation-items"), json!({"title": p, "detail": p, "category": "prevent", "state": "wont_do", "state_reason": p,
            "translations": {"fr": {"title": p, "detail": p, "provenance": "human"}}})).await;
        for (kind, object) in [
            ("component", lid.as_str()),
            ("component", gid.as_str()),
            ("page", "page"),
        ] {
            let fields = if kind == "page" {
                json!({"name": p, "footer_markdown": p})
            } else {
                json!({"name": p, "description": p})
            };
            app.write_as(
                &app.translator,
                Method::PUT,
                &format!("/api/v1/translations/{kind}/{object}/fr"),
                json!({"fields": fields, "provenance": "human"}),
                200,
            )
            .await;
        }
        for path in [
            format!("/en/incidents/{id}"),
            format!("/fr/incidents/{id}"),
            "/en/".into(),
            "/fr/".into(),
            "/en/history".into(),
            "/fr/history".into(),
            format!("/en/components/{lid}"),
            format!("/fr/components/{gid}"),
        ] {
            let html = ok_page(&app, &path).await;
            assert_inert(&html, &path);
        }
    }
    // The payload text itself is shown (escaped), not dropped.
    let html = ok_page(&app, "/en/history").await;
    assert!(html.contains("&#60;script&#62;alert") || html.contains("&lt;script&gt;alert"));
    app.finish().await;
}

async fn a_page_costs_the_same_queries_with_two_thousand_incidents() {
    use herald::domain::{Impact, Incident, IncidentKind, IncidentStatus, Milestones, Update};
    use herald::store::Op;
    let mut costs = Vec::new();
    for history in [10usize, 2_000] {
        let db = TestDb::sqlite().await;
        let inner = herald::store::open(&db.url).await.unwrap();
        let counting = Arc::new(CountingStore::new(inner.clone()));
        let mut config = herald::config::Config::new(
            std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
            db.url.clone(),
        );
        config.public_url = "https://status.example.com".into();
        let clock = herald::clock::ManualClock::new(t(NOW));
        let server = herald::start_with_store(config, counting.clone(), Arc::new(clock))
            .await
            .unwrap();
        let service = server.state.service.clone();
        let actor = herald::service::Actor::cli();
        let c = service
            .create_component(
                &actor,
                serde_json::from_value(json!({"name": "API"})).unwrap(),
            )
            .await
            .unwrap();
        // History written straight to the store in one transaction: one incident every 8 hours.
        let mut ops = Vec::new();
        let mut last = String::new();
        for n in 0..history {
            let at = t(NOW) - chrono::Duration::hours(8 * (i64::try_from(n).unwrap() + 1));
            let id = format!("h{n:011}");
            ops.push(Op::InsertIncident(Incident {
                id: id.clone(),
                kind: IncidentKind::Incident,
                title: format!("Old incident {n}"),
                impact: Impact::Minor,
                status: IncidentStatus::Resolved,
                locale: "en".into(),
                symptom: None,
                milestones: Milestones {
                    resolved_at: Some(at + chrono::Duration::hours(1)),
                    ..Default::default()
                },
                started_at: at,
                scheduled_for: None,
                scheduled_until: None,
                auto_transition: false,
                created_at: at,
                updated_at: at,
            }));
            ops.push(Op::AddIncidentComponent {
                incident_id: id.clone(),
                component_id: c.id.clone(),
                position: 1,
            });
            for (k, status) in [IncidentStatus::Investigating, IncidentStatus::Resolved]
                .into_iter()
                .enumerate()
            {
                ops.push(Op::InsertUpdate(Update {
                    id: format!("u{n:010}{k}"),
                    incident_id: id.clone(),
                    status,
                    message: "m".into(),
                    display_at: at + chrono::Duration::minutes(30 * i64::try_from(k).unwrap()),
                    next_update_by: None,
                    created_at: at,
                    updated_at: at,
                    component_changes: vec![],
                    revisions: vec![],
                }));
            }
            last = id;
        }
        inner.apply(ops, None).await.unwrap();
        let base = format!("http://{}", server.addr);
        let http = reqwest::Client::new();
        let mut cost = Vec::new();
        for path in [
            "/en/".to_string(),
            "/en/history".into(),
            "/en/history?page=5".into(),
            format!("/en/incidents/{last}"),
            format!("/en/components/{}", c.id),
        ] {
            counting.take();
            let res = http.get(format!("{base}{path}")).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::OK, "{path}");
            cost.push((path.split('?').next().unwrap().to_string(), counting.take()));
        }
        costs.push(cost);
        server.shutdown().await.unwrap();
    }
    let (small, large) = (&costs[0], &costs[1]);
    for ((path, a), (_, b)) in small.iter().zip(large) {
        assert_eq!(
            a, b,
            "{path}: {a} store calls with 10 incidents, {b} with 2,000"
        );
        assert!(*b <= 16, "{path}: {b} store calls");
    }
}

async fn another_instances_write_shows_within_a_second(kind: Db) {
    let a = TestApp::spawn(kind).await;
    // A second instance on the same database, as behind a load balancer.
    let mut config = herald::config::Config::new(
        std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        a.db.url.clone(),
    );
    config.public_url = "https://status.example.com".into();
    let b = herald::start(config, Arc::new(a.clock.clone()))
        .await
        .unwrap();
    let inc = a.post("/api/v1/incidents", json!({"title": "Shared", "impact": "minor", "status": "investigating", "message": "First words."})).await;
    let path = format!(
        "http://{}/en/incidents/{}",
        b.addr,
        inc["id"].as_str().unwrap()
    );
    assert!(a
        .http
        .get(&path)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
        .contains("First words."));
    a.post(
        &format!("/api/v1/incidents/{}/updates", inc["id"].as_str().unwrap()),
        json!({"status": "identified", "message": "Second words."}),
    )
    .await;
    let start = std::time::Instant::now();
    loop {
        let html = a
            .http
            .get(&path)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if html.contains("Second words.") {
            break;
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(1),
            "{kind:?}: the other instance still shows the old page"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    b.shutdown().await.unwrap();
    a.finish().await;
}

/// `herald serve` runs one event loop per core (`workers`), each with its own socket, and
/// answers cached pages before routing: both must answer exactly as the routed handler does.
async fn workers_and_the_cached_page_fast_path_answer_as_the_handlers_do() {
    let db = TestDb::of(Db::Sqlite).await;
    let mut config = herald::config::Config::new(([127, 0, 0, 1], 0).into(), "");
    config.workers = 2;
    let app = TestApp::spawn_on(db, config).await;
    configure_page(&app).await;
    let inc = app.post("/api/v1/incidents", json!({"title": "Outage", "impact": "major", "status": "investigating", "message": "Looking."})).await;
    let id = inc["id"].as_str().unwrap();
    let incident = format!("/incidents/{id}");
    let variants: [(&str, &[(&str, &str)]); 6] = [
        ("/", &[("accept-language", "de-CH, fr;q=0.5")]),
        ("/", &[("cookie", "herald_lang=ja; herald_tz=Asia%2FTokyo")]),
        ("/fr/", &[]),
        ("/fr", &[]),
        (&incident, &[("accept-language", "pt-BR")]),
        ("/history?page=1", &[]),
    ];
    for (path, headers) in variants {
        // The first request renders (routed); the second is served from the cache.
        let (s1, h1, b1) = page(&app, path, headers).await;
        let (s2, h2, b2) = page(&app, path, headers).await;
        assert_eq!(s1, StatusCode::OK, "GET {path} {headers:?}");
        assert_eq!((s1, &b1), (s2, &b2), "GET {path} {headers:?}");
        for name in [
            "content-type",
            "cache-control",
            "vary",
            "content-language",
            "etag",
        ] {
            assert_eq!(
                h1.get(name),
                h2.get(name),
                "{name} of GET {path} {headers:?}"
            );
        }
    }
    // Cached or not, an unknown locale prefix or page is still a 404, and HEAD and POST are
    // routed as before.
    let (status, _, _) = page(&app, "/xx/", &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = page(&app, &format!("/{id}"), &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let res = app.http.head(app.url("/fr/")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = app.http.post(app.url("/fr/")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    // A rush over many connections, spread over both workers, then a write: every later read
    // shows it, whichever worker answers.
    let rush: Vec<_> = (0..64)
        .map(|_| {
            let http = reqwest::Client::new();
            let url = app.url("/fr/");
            tokio::spawn(async move { http.get(url).send().await.unwrap().status() })
        })
        .collect();
    for r in rush {
        assert_eq!(r.await.unwrap(), StatusCode::OK);
    }
    app.post(
        &format!("/api/v1/incidents/{id}/updates"),
        json!({"status": "identified", "message": "Found the cause."}),
    )
    .await;
    for _ in 0..8 {
        let fresh = reqwest::Client::new();
        let body = fresh
            .get(app.url("/fr/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(body.contains("Found the cause."));
    }
    app.finish().await;
}

crate::helpers::register! {
    the_seed_incident_reads_well_in_english_and_french,
    summer_times_say_pdt_and_dates_show_when_zones_disagree,
    language_follows_url_then_cookie_then_accept_language,
    a_visitor_zone_joins_the_display_zones,
    pages_answer_conditional_gets_and_show_a_new_update_at_once,
    home_history_and_component_pages,
    the_uptime_bar_reflects_the_status_history,
    xss_payloads_in_every_text_field_stay_inert,
    a_page_costs_the_same_queries_with_two_thousand_incidents,
    workers_and_the_cached_page_fast_path_answer_as_the_handlers_do,
    ; on_each_backend:
    another_instances_write_shows_within_a_second,
}
