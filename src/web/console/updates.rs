//! Posting an incident's next update, and correcting the text of one already posted.

use axum::extract::{Path, State};

use super::form::{Errs, Fields, Reader};
use super::incident::{preview, refused};
use super::rows::component_statuses;
use super::text::Tr;
use super::visit::{Guarded, Reply, Respond};
use crate::domain::IncidentStatus;
use crate::service::{NewUpdate, UpdatePatch};
use crate::web::AppState;

/// The update the form posts, or what is wrong with it.
fn read_update(form: &Fields, tr: &Tr) -> Result<NewUpdate, Errs> {
    let mut r = Reader::new(form, tr);
    let status = r.choice::<IncidentStatus>("status");
    let display_at = r.time("display_at");
    let next_update_by = r.time("next_update_by");
    let components = component_statuses(form, &mut r.errs, tr);
    Ok(NewUpdate {
        status: r.finish(status)?,
        message: form.get("message").to_string(),
        display_at,
        next_update_by,
        components,
        translations: Default::default(),
    })
}

pub async fn post_update(
    State(state): State<AppState>,
    f: Guarded<Respond, Path<String>>,
) -> Reply {
    let Path(id) = &f.path;
    let form = &f.form;
    if form.get("action") == "preview" {
        return preview(&state, &f, id, form.clone()).await;
    }
    let actor = f.actor();
    f.submit(
        read_update(form, f.tr()),
        |input| state.service.post_update(&actor, id, input),
        |_| {
            (
                format!("/console/incidents/{id}"),
                "console-flash-update-posted",
            )
        },
        |no| refused(&state, &f, id, "update".into(), form.clone(), no),
    )
    .await
}

pub async fn correct_update(
    State(state): State<AppState>,
    f: Guarded<Respond, Path<String>>,
) -> Reply {
    let Path(id) = &f.path;
    let incident_id = state.service.update(id).await?.incident_id;
    let patch = UpdatePatch {
        message: Some(f.form.get("message").to_string()),
        display_at: None,
    };
    let actor = f.actor();
    let (to, err_form) = (
        format!("/console/incidents/{incident_id}"),
        format!("correct-{id}"),
    );
    f.submit(
        Ok(patch),
        |patch| state.service.correct_update(&actor, id, patch),
        |_| (to, "console-flash-update-corrected"),
        |no| refused(&state, &f, &incident_id, err_form, f.form.clone(), no),
    )
    .await
}
