//! The reads of Herald's own API (v1): what each answer is made from, loaded through the
//! store. `web::api_v1` turns these into its views; it never talks to the store itself.

use crate::domain::{
    AuditEntry, Component, IncidentDetail, PageSettings, TranslatableKind, Translation, Update,
};
use crate::error::{Error, Result};
use crate::service::Service;
use crate::store::{AuditFilter, IncidentFilter};

/// The page settings and their translations.
pub struct PageData {
    pub page: PageSettings,
    pub translations: Vec<Translation>,
}

pub async fn page(service: &Service) -> Result<PageData> {
    Ok(PageData {
        page: service.page().await?,
        translations: service
            .store()
            .translations_of_kind(TranslatableKind::Page)
            .await?,
    })
}

/// Components with translations, and the page's default locale when texts in another locale
/// are asked for (the locale of the original texts).
pub struct ComponentsData {
    /// Every component and group, in order (a group's status comes from its children).
    pub all: Vec<Component>,
    pub translations: Vec<Translation>,
    /// Only when `localized` was asked for.
    pub page_locale: Option<String>,
}

async fn page_locale(service: &Service, localized: bool) -> Result<Option<String>> {
    Ok(match localized {
        true => Some(service.page().await?.default_locale),
        false => None,
    })
}

/// Every component, with every component translation.
pub async fn components(service: &Service, localized: bool) -> Result<ComponentsData> {
    let store = service.store();
    Ok(ComponentsData {
        all: store.components().await?,
        translations: store
            .translations_of_kind(TranslatableKind::Component)
            .await?,
        page_locale: page_locale(service, localized).await?,
    })
}

/// Every component (for a group's children), with the translations of `id` alone; an
/// unknown `id` is not found.
pub async fn component(service: &Service, id: &str, localized: bool) -> Result<ComponentsData> {
    let store = service.store();
    let all = store.components().await?;
    if !all.iter().any(|c| c.id == id) {
        return Err(Error::not_found("component", id));
    }
    Ok(ComponentsData {
        all,
        translations: store.translations(TranslatableKind::Component, id).await?,
        page_locale: page_locale(service, localized).await?,
    })
}

/// A page of incidents, with what their list items show.
pub struct IncidentsData {
    /// The incidents, their components' links, and (only when asked for) their translations,
    /// never every incident's; no updates.
    pub list: super::IncidentList,
    pub components: Vec<Component>,
    /// The page's public address, for shortlinks.
    pub base_url: String,
}

/// The incidents `filter` selects; with `component`, only those affecting it (or, for a
/// group, any of its children).
pub async fn incidents(
    service: &Service,
    mut filter: IncidentFilter,
    component: Option<&str>,
    with_translations: bool,
) -> Result<IncidentsData> {
    let store = service.store();
    let components = store.components().await?;
    if let Some(id) = component {
        filter.component_ids = crate::domain::family(&components, id);
    }
    let incidents = store.incidents(&filter).await?;
    let ids: Vec<String> = incidents.iter().map(|i| i.id.clone()).collect();
    let links = store.incident_component_ids(&ids).await?;
    let base_url = service.page().await?.url;
    let translations = match with_translations {
        true => store.translations_of_incidents(&ids).await?,
        false => Vec::new(),
    };
    Ok(IncidentsData {
        list: super::IncidentList {
            incidents,
            links,
            updates: Vec::new(),
            translations,
        },
        components,
        base_url,
    })
}

/// One incident with everything about it.
pub struct IncidentData {
    pub detail: IncidentDetail,
    pub components: Vec<Component>,
    pub base_url: String,
}

pub async fn incident(service: &Service, id: &str) -> Result<IncidentData> {
    let detail = service.incident_detail(id).await?;
    Ok(IncidentData {
        detail,
        components: service.store().components().await?,
        base_url: service.page().await?.url,
    })
}

/// One update, with the components it names and its translations.
pub struct UpdateData {
    pub update: Update,
    pub components: Vec<Component>,
    pub translations: Vec<Translation>,
}

pub async fn update(service: &Service, id: &str) -> Result<UpdateData> {
    let update = service.update(id).await?;
    let store = service.store();
    Ok(UpdateData {
        update,
        components: store.components().await?,
        translations: store.translations(TranslatableKind::Update, id).await?,
    })
}

/// The translations of one object.
pub async fn translations(
    service: &Service,
    kind: TranslatableKind,
    id: &str,
) -> Result<Vec<Translation>> {
    Ok(service.store().translations(kind, id).await?)
}

/// Audit log entries, newest first.
pub async fn audit_log(service: &Service, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
    Ok(service.store().audit_log(filter).await?)
}
