//! Web safety: redirects only to this site, and feed texts that stay text whichever way a feed
//! reader takes them (issue 9, items 9 and 10).

use reqwest::{Method, StatusCode, Url};
use serde_json::json;

use crate::console::Agent;
use crate::helpers::{Db, TestApp};

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Where a browser goes from `/preferences` with this `Location`.
fn followed(location: &str) -> Url {
    Url::parse("https://status.example.com/preferences")
        .unwrap()
        .join(location)
        .unwrap_or_else(|e| panic!("{location:?} does not resolve: {e}"))
}

async fn preferences_return_only_to_paths_on_this_site() {
    let app = TestApp::sqlite().await;
    let http = no_redirects();
    // The `return` values as they appear in the query string.
    let nasty = [
        "/%09/evil.example/path",
        "/%0A/evil.example",
        "/%0D%0A/evil.example",
        "/%09%09/evil.example",
        "%09//evil.example",
        "//evil.example",
        "///evil.example",
        "%2F%2Fevil.example",
        "/%5Cevil.example",
        "%5C%5Cevil.example",
        "/%5C/evil.example",
        "https://evil.example/",
        "http:evil.example",
        "javascript:alert(1)",
        "data:text/html,x",
        "/.//evil.example",
        "/a/..//evil.example",
        "/%252e%252e//evil.example",
        "/%252E.//evil.example",
        "/%00/evil.example",
        "%20//evil.example",
        "/%E3%80%80/evil.example",
        "/%7F/evil.example",
        "evil.example",
        "",
    ];
    for value in nasty {
        let r = http
            .get(app.url(&format!("/preferences?lang=fr&return={value}")))
            .send()
            .await
            .unwrap();
        if value.contains("%00") {
            // A NUL in any query parameter is refused before the handler (422, no redirect).
            assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{value}");
            assert!(r.headers().get("location").is_none(), "{value}");
            continue;
        }
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{value}");
        let location = r.headers()["location"].to_str().unwrap().to_string();
        let to = followed(&location);
        assert_eq!(
            to.host_str(),
            Some("status.example.com"),
            "{value} -> {location:?}"
        );
        assert_eq!(location, "/", "{value}");
        // The preference is still remembered.
        assert!(r.headers().get("set-cookie").is_some(), "{value}");
    }
    for (value, expected) in [
        ("/fr/history", "/fr/history"),
        ("%2Ffr%2Fhistory%3Fbefore%3Dabc", "/fr/history?before=abc"),
        ("/console/incidents/abc", "/console/incidents/abc"),
        ("/fr/./components/../history", "/fr/history"),
    ] {
        let r = http
            .get(app.url(&format!("/preferences?lang=fr&return={value}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["location"], expected, "{value}");
    }
    app.finish().await;
}

async fn the_language_links_of_the_site_and_the_console_come_back_to_their_page() {
    let app = TestApp::sqlite().await;
    let http = no_redirects();
    for path in ["/console/sign-in", "/history"] {
        let mut agent = Agent::new(&app);
        let page = agent.get(path).await;
        let at = page
            .body
            .find("/preferences?lang=fr")
            .unwrap_or_else(|| panic!("{path}: no language link"));
        let href = page.body[at..].split('"').next().unwrap();
        let href = decode_once(href);
        let r = http.get(app.url(&href)).send().await.unwrap();
        let location = r.headers()["location"].to_str().unwrap().to_string();
        assert!(location.ends_with(path), "{path}: {href} -> {location}");
    }
    app.finish().await;
}

/// Decodes XML/HTML character references once (`&amp;lt;` becomes `&lt;`, `&lt;` becomes `<`),
/// as a reader that takes a text for HTML does after the XML parser has.
fn decode_once(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let end = tail.find(';').filter(|e| *e <= 10);
        let decoded = end.and_then(|e| {
            let name = &tail[1..e];
            let c = match name {
                "lt" => Some('<'),
                "gt" => Some('>'),
                "amp" => Some('&'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => name
                    .strip_prefix("#x")
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &tail[len..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn decoding_once_is_one_level() {
    assert_eq!(
        decode_once("a &amp;lt;b&amp;gt; &lt;i&gt; &#60;&#x3C;"),
        "a &lt;b&gt; <i> <<"
    );
}

const PAYLOAD: &str = "<img src=x onerror=alert(1)>";

async fn names_in_feeds_stay_text_whichever_way_a_reader_takes_them(kind: Db) {
    let app = TestApp::spawn(kind).await;
    let named = |what: &str| format!("{PAYLOAD} {what} & \"co\" 'x'");
    app.write_as(
        &app.admin,
        Method::PUT,
        "/api/v1/page",
        json!({"name": named("page"), "url": "https://status.example.com", "time_zone": "UTC",
                   "display_time_zones": [], "default_locale": "en", "locales": ["en", "fr"],
                   "footer_markdown": ""}),
        200,
    )
    .await;
    let component = app
        .post("/api/v1/components", json!({"name": named("component")}))
        .await;
    let cid = component["id"].as_str().unwrap().to_string();
    app.post(
        "/api/v1/incidents",
        json!({"title": named("incident"), "impact": "major", "status": "investigating",
                   "message": "We are looking into it.",
                   "components": {cid.clone(): "major_outage"},
                   "translations": {"fr": {"title": named("incident fr"),
                        "message": "Nous regardons.", "provenance": "machine"}}}),
    )
    .await;
    // A translator's texts reach the French feeds.
    for (kind_path, object, field) in [
        ("page", "page", "name"),
        ("component", cid.as_str(), "name"),
    ] {
        app.write_as(
            &app.translator,
            Method::PUT,
            &format!("/api/v1/translations/{kind_path}/{object}/fr"),
            json!({"fields": {field: named(&format!("{kind_path} fr"))}, "provenance": "human"}),
            200,
        )
        .await;
    }
    for path in [
        "/history.atom".to_string(),
        "/history.rss".into(),
        "/fr/history.atom".into(),
        "/fr/history.rss".into(),
        format!("/components/{cid}/history.atom"),
        format!("/components/{cid}/history.rss"),
        format!("/fr/components/{cid}/history.atom"),
        format!("/fr/components/{cid}/history.rss"),
    ] {
        let r = app.http.get(app.url(&path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{kind:?} {path}");
        let raw = r.text().await.unwrap();
        // The raw XML: no markup from a name, even after one more level of decoding (a
        // reader that takes the text for HTML).
        assert!(!raw.contains("<img"), "{kind:?} {path}: {raw}");
        let once = decode_once(&raw);
        assert!(
            !once.contains("<img"),
            "{kind:?} {path}: live markup in {raw}"
        );
        // The names are there, as text.
        assert!(
            once.contains("&lt;img src=x onerror=alert(1)&gt;"),
            "{kind:?} {path}: {raw}"
        );
        let fr = path.starts_with("/fr/");
        for what in ["page", "incident"] {
            let shown = if fr {
                format!("{what} fr")
            } else {
                what.to_string()
            };
            assert!(
                once.contains(&format!("&gt; {shown} &amp;")),
                "{kind:?} {path}: no {shown} in {raw}"
            );
        }

        // A real parser reads it, and every text it finds is inert when taken as HTML.
        let feed = feed_rs::parser::parse(raw.as_bytes())
            .unwrap_or_else(|e| panic!("{kind:?} {path} does not parse: {e}"));
        let mut texts: Vec<(String, String)> = Vec::new();
        fn text(texts: &mut Vec<(String, String)>, what: &str, t: &Option<feed_rs::model::Text>) {
            if let Some(t) = t {
                texts.push((what.to_string(), t.content.clone()));
            }
        }
        text(&mut texts, "feed title", &feed.title);
        text(&mut texts, "feed description", &feed.description);
        for e in &feed.entries {
            text(&mut texts, "entry title", &e.title);
            text(&mut texts, "entry summary", &e.summary);
            if let Some(body) = e.content.as_ref().and_then(|c| c.body.clone()) {
                texts.push(("entry content".into(), body));
            }
            for c in &e.categories {
                texts.push(("entry category".into(), c.term.clone()));
            }
            for a in &e.authors {
                texts.push(("entry author".into(), a.name.clone()));
            }
        }
        for c in &feed.categories {
            texts.push(("feed category".into(), c.term.clone()));
        }
        for a in &feed.authors {
            texts.push(("feed author".into(), a.name.clone()));
        }
        assert!(feed.title.is_some() && !feed.entries.is_empty(), "{path}");
        for (what, content) in &texts {
            assert!(
                !content.contains("<img") && !content.contains("onerror=alert(1)>"),
                "{kind:?} {path}: {what} is live HTML: {content}"
            );
        }
        let title = &feed.title.as_ref().unwrap().content;
        assert!(title.contains("&lt;img"), "{kind:?} {path}: title {title}");
    }
    app.finish().await;
}

crate::helpers::register! {
    preferences_return_only_to_paths_on_this_site,
    the_language_links_of_the_site_and_the_console_come_back_to_their_page,
    decoding_once_is_one_level [sync],
    ; on_each_backend:
    names_in_feeds_stay_text_whichever_way_a_reader_takes_them,
}
