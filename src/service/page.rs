//! Page settings: name, URL, zones, locales, footer.

use super::{
    check_url, is_supported_locale, new_id, problem, to_json, Actor, Deserialize, Op, PageSettings,
    Problems, Result, Service, MAX_BODY_CHARS, MAX_LINE_CHARS, SUPPORTED_LOCALES,
};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PageInput {
    pub name: String,
    pub url: String,
    pub time_zone: String,
    pub display_time_zones: Vec<String>,
    pub default_locale: String,
    pub locales: Vec<String>,
    #[serde(default)]
    pub footer_markdown: String,
}

/// How many display zones a page may have besides UTC (each time is shown in all of them).
pub const MAX_DISPLAY_ZONES: usize = 4;

pub(crate) fn check_zone(problems: &mut Problems, field: &str, zone: &str) {
    if zone.parse::<chrono_tz::Tz>().is_err() {
        problems.add(field, problem!("problem-time-zone", zone = zone));
    }
}

impl Service {
    /// Creates the page settings with defaults on first start; keeps them afterwards.
    pub async fn ensure_page(&self, public_url: &str) -> Result<PageSettings> {
        if let Some(page) = self.store.page().await? {
            return Ok(page);
        }
        let page = PageSettings {
            id: new_id(),
            name: "Herald".into(),
            url: public_url.trim_end_matches('/').to_string(),
            time_zone: "Etc/UTC".into(),
            display_time_zones: vec![],
            default_locale: "en".into(),
            locales: SUPPORTED_LOCALES.iter().map(|s| s.to_string()).collect(),
            footer_markdown: String::new(),
            updated_at: self.now(),
        };
        self.commit(
            &Actor::system(),
            "page.init",
            ("page", &page.id),
            None,
            to_json(&page),
            vec![Op::PutPage(page.clone())],
        )
        .await?;
        self.page().await
    }

    pub async fn put_page(&self, actor: &Actor, input: PageInput) -> Result<PageSettings> {
        actor.require_admin()?;
        let before = self.page().await?;
        let mut problems = Problems::new();
        problems.text("name", &input.name, MAX_LINE_CHARS);
        check_url(&mut problems, "url", &input.url);
        check_zone(&mut problems, "time_zone", &input.time_zone);
        for (i, zone) in input.display_time_zones.iter().enumerate() {
            check_zone(&mut problems, &format!("display_time_zones[{i}]"), zone);
        }
        if input.display_time_zones.len() > MAX_DISPLAY_ZONES {
            problems.add(
                "display_time_zones",
                problem!("problem-too-many-zones", max = MAX_DISPLAY_ZONES),
            );
        }
        if input.locales.is_empty() {
            problems.add("locales", problem!("problem-no-locales"));
        }
        for (i, l) in input.locales.iter().enumerate() {
            if !is_supported_locale(l) {
                problems.add(
                    format!("locales[{i}]"),
                    problem!(
                        "problem-locale-unsupported",
                        locale = l.as_str(),
                        supported = SUPPORTED_LOCALES.join(", ")
                    ),
                );
            }
        }
        if !input.locales.contains(&input.default_locale) {
            problems.add("default_locale", problem!("problem-default-locale"));
        }
        if input.footer_markdown.contains('\0') {
            problems.add("footer_markdown", problem!("problem-nul"));
        } else if input.footer_markdown.chars().count() > MAX_BODY_CHARS {
            problems.add(
                "footer_markdown",
                problem!("problem-too-long", max = MAX_BODY_CHARS),
            );
        }
        problems.check()?;
        let mut locales: Vec<String> = Vec::new();
        for l in input.locales {
            if !locales.contains(&l) {
                locales.push(l);
            }
        }
        let page = PageSettings {
            id: before.id.clone(),
            name: input.name.trim().to_string(),
            url: input.url.trim_end_matches('/').to_string(),
            time_zone: input.time_zone,
            display_time_zones: input.display_time_zones,
            default_locale: input.default_locale,
            locales,
            footer_markdown: input.footer_markdown,
            updated_at: self.now(),
        };
        self.commit(
            actor,
            "page.update",
            ("page", &page.id),
            to_json(&before),
            to_json(&page),
            vec![Op::PutPage(page.clone())],
        )
        .await?;
        self.page().await
    }
}
