//! The console in a real browser (headless Chromium through ChromeDriver): sign in, open an
//! incident, post two updates, publish a postmortem with a remediation item, translate into
//! French, then read it all on the public pages and the French feed. Skipped with a notice when
//! ChromeDriver is not installed (CI installs it).

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{ClientBuilder, Locator};
use herald::domain::Role;
use herald::service::{Actor, PageInput};
use hyper_util::client::legacy::connect::HttpConnector;

use crate::helpers::TestApp;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
const PASSWORD: &str = "correct horse battery";

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits (up to 10 s) for the page after a click to show `text`.
async fn saw(c: &fantoccini::Client, text: &str) {
    let mut source = String::new();
    for _ in 0..100 {
        source = c.source().await.unwrap();
        if source.contains(text) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the page never showed {text:?}: {source}");
}

async fn the_console_publishes_an_incident_in_a_real_browser() {
    if !std::path::Path::new(CHROMEDRIVER).exists() || !std::path::Path::new(CHROMIUM).exists() {
        eprintln!("notice: {CHROMEDRIVER} or {CHROMIUM} is missing; skipping the browser test");
        return;
    }
    let app = TestApp::sqlite().await;
    // Plain http on 127.0.0.1 here, so the page URL says so (cookies are Secure on https).
    let page = app.service().page().await.unwrap();
    app.service()
        .put_page(
            &Actor::cli(),
            PageInput {
                name: page.name.clone(),
                url: app.url(""),
                time_zone: page.time_zone.clone(),
                display_time_zones: page.display_time_zones.clone(),
                default_locale: "en".into(),
                locales: vec!["en".into(), "fr".into()],
                footer_markdown: page.footer_markdown.clone(),
            },
        )
        .await
        .unwrap();
    app.service()
        .create_user(&Actor::cli(), "ana", PASSWORD, Role::Responder)
        .await
        .unwrap();

    let port = free_port();
    let _driver = Driver(
        Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": CHROMIUM,
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage"]
        }),
    );
    // ChromeDriver is on 127.0.0.1 over plain HTTP: no TLS connector (and no second crypto
    // backend) needed.
    let mut client = None;
    for _ in 0..100 {
        match ClientBuilder::new(HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(c) => {
                client = Some(c);
                break;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    let c = client.expect("chromedriver answers");
    let css = |s: &'static str| Locator::Css(s);

    // Sign in.
    c.goto(&app.url("/console/sign-in")).await.unwrap();
    c.find(css("#username"))
        .await
        .unwrap()
        .send_keys("ana")
        .await
        .unwrap();
    c.find(css("#password"))
        .await
        .unwrap()
        .send_keys(PASSWORD)
        .await
        .unwrap();
    c.find(css("main form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    saw(&c, "You are signed in.").await;

    // Open an incident.
    c.goto(&app.url("/console/incidents/new")).await.unwrap();
    c.find(css("#title"))
        .await
        .unwrap()
        .send_keys("Payments are slow")
        .await
        .unwrap();
    c.find(css("#impact"))
        .await
        .unwrap()
        .select_by_value("major")
        .await
        .unwrap();
    let message = c.find(css("#message")).await.unwrap();
    message.clear().await.unwrap();
    message
        .send_keys("Card payments take minutes.")
        .await
        .unwrap();
    c.find(css("button[value=create]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    saw(&c, "Incident opened and published.").await;
    let url = c.current_url().await.unwrap();
    let id = url.path().rsplit('/').next().unwrap().to_string();

    // Two updates.
    for (status, text) in [
        ("identified", "A database failover is slow."),
        ("resolved", "Payments are fast again."),
    ] {
        c.find(css("#status"))
            .await
            .unwrap()
            .select_by_value(status)
            .await
            .unwrap();
        let m = c.find(css("#message")).await.unwrap();
        m.clear().await.unwrap();
        m.send_keys(text).await.unwrap();
        c.find(css("button[value=post]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        // The flash of the previous update is still on the page until the new one loads:
        // wait for this update's own text in the timeline (typing into the textarea does not
        // change the page source).
        saw(&c, text).await;
        saw(&c, "Update published.").await;
    }

    // Postmortem, published, with a remediation item.
    c.find(css("#pm-root_cause"))
        .await
        .unwrap()
        .send_keys("The failover waited for a lock.")
        .await
        .unwrap();
    c.find(css("#pm-resolution"))
        .await
        .unwrap()
        .send_keys("We released the lock.")
        .await
        .unwrap();
    c.find(css("#pm-state"))
        .await
        .unwrap()
        .select_by_value("published")
        .await
        .unwrap();
    c.find(css("form[action$='/postmortem'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    saw(&c, "Postmortem saved.").await;
    c.find(css("#it-title"))
        .await
        .unwrap()
        .send_keys("Alert on slow failovers")
        .await
        .unwrap();
    c.find(css("#it-category"))
        .await
        .unwrap()
        .select_by_value("detect")
        .await
        .unwrap();
    c.find(css("form[action$='/items'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    saw(&c, "Remediation item saved.").await;

    // A French translation of the title.
    c.goto(&app.url(&format!("/console/incidents/{id}/translations?locale=fr")))
        .await
        .unwrap();
    c.find(Locator::Css(&format!("#f-{id}-title")))
        .await
        .unwrap()
        .send_keys("Les paiements sont lents")
        .await
        .unwrap();
    c.find(Locator::Css(&format!(
        "form[action='/console/translations/incident/{id}/fr'] button"
    )))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    saw(&c, "Translation saved.").await;
    c.close().await.unwrap();

    // The public pages and the French feed show all of it.
    let text = |path: String| {
        let http = app.http.clone();
        let url = app.url(&path);
        async move { http.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let en = text(format!("/en/incidents/{id}")).await;
    for expected in [
        "Payments are slow",
        "Card payments take minutes.",
        "A database failover is slow.",
        "Payments are fast again.",
        "The failover waited for a lock.",
        "Alert on slow failovers",
    ] {
        assert!(
            en.contains(expected),
            "{expected} missing from the English page"
        );
    }
    let fr = text(format!("/fr/incidents/{id}")).await;
    assert!(fr.contains("Les paiements sont lents"));
    assert!(
        fr.contains("Payments are fast again."),
        "untranslated updates show the original"
    );
    let feed = text("/fr/history.atom".into()).await;
    assert!(feed.contains("Les paiements sont lents"), "{feed}");
    app.finish().await;
}

crate::helpers::register! {
    the_console_publishes_an_incident_in_a_real_browser,
}
