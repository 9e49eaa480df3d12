//! What a feed reads (docs/feeds.md): the page's and the component's translations, and the
//! newest published incidents, of one component (and its children) or of all.

use super::Reader;
use crate::domain::{family, Component, IncidentDetail, TranslatableKind, Translation};
use crate::error::{Error, Result};
use crate::store::IncidentFilter;

pub struct FeedData {
    pub page_translations: Vec<Translation>,
    /// The component of a component feed, with its translations.
    pub component: Option<(Component, Vec<Translation>)>,
    /// The newest incidents and maintenances, with their details.
    pub details: Vec<IncidentDetail>,
}

impl Reader {
    /// The feed of `component_id` (of the whole page without one): its newest `limit`
    /// incidents. An unknown component is not found.
    pub async fn feed(&self, component_id: Option<&str>, limit: i64) -> Result<FeedData> {
        let store = self.store();
        let component = match component_id {
            Some(id) => Some(
                store
                    .component(id)
                    .await?
                    .ok_or_else(|| Error::not_found("component", id))?,
            ),
            None => None,
        };
        let page_translations = store.translations_of_kind(TranslatableKind::Page).await?;
        let component = match component {
            Some(c) => {
                let texts = store
                    .translations(TranslatableKind::Component, &c.id)
                    .await?;
                Some((c, texts))
            }
            None => None,
        };
        let component_ids = match component_id {
            Some(id) => family(&store.components().await?, id),
            None => Vec::new(),
        };
        let details = self
            .details(&IncidentFilter {
                component_ids,
                limit,
                ..Default::default()
            })
            .await?;
        Ok(FeedData {
            page_translations,
            component,
            details,
        })
    }
}
