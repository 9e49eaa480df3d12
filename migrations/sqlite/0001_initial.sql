-- Herald's data model. Every timestamp is bound from Rust in UTC (no SQL defaults);
-- every id is a random public id generated in Rust (no sequences to lose in an upgrade).

CREATE TABLE page_settings (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    url TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    display_time_zones TEXT NOT NULL,
    default_locale TEXT NOT NULL,
    locales TEXT NOT NULL,
    footer_markdown TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE components (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT,
    group_id TEXT REFERENCES components (id),
    is_group INTEGER NOT NULL,
    position INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance')),
    only_show_if_degraded INTEGER NOT NULL,
    showcase INTEGER NOT NULL,
    start_date TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX components_group ON components (group_id, position);

CREATE TABLE incidents (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('incident', 'maintenance')),
    title TEXT NOT NULL,
    impact TEXT NOT NULL CHECK (impact IN ('none', 'minor', 'major', 'critical', 'maintenance')),
    status TEXT NOT NULL CHECK (
        (kind = 'incident' AND status IN ('investigating', 'identified', 'monitoring', 'resolved'))
        OR (kind = 'maintenance' AND status IN ('scheduled', 'in_progress', 'verifying', 'completed'))),
    locale TEXT NOT NULL,
    symptom TEXT,
    impact_started_at TEXT,
    detected_at TEXT,
    mitigated_at TEXT,
    impact_ended_at TEXT,
    monitoring_at TEXT,
    resolved_at TEXT,
    scheduled_for TEXT,
    scheduled_until TEXT,
    started_at TEXT NOT NULL,
    auto_transition INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX incidents_started ON incidents (kind, started_at);
CREATE INDEX incidents_status ON incidents (status);

CREATE TABLE incident_components (
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    component_id TEXT NOT NULL REFERENCES components (id),
    position INTEGER NOT NULL,
    PRIMARY KEY (incident_id, component_id)
);
CREATE INDEX incident_components_component ON incident_components (component_id);

CREATE TABLE incident_updates (
    id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    seq INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('investigating', 'identified', 'monitoring', 'resolved', 'scheduled', 'in_progress', 'verifying', 'completed')),
    message TEXT NOT NULL,
    display_at TEXT NOT NULL,
    next_update_by TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (incident_id, seq)
);
CREATE INDEX incident_updates_incident ON incident_updates (incident_id, display_at);

CREATE TABLE update_component_changes (
    update_id TEXT NOT NULL REFERENCES incident_updates (id),
    component_id TEXT NOT NULL REFERENCES components (id),
    position INTEGER NOT NULL,
    old_status TEXT NOT NULL CHECK (old_status IN ('operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance')),
    new_status TEXT NOT NULL CHECK (new_status IN ('operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance')),
    PRIMARY KEY (update_id, component_id)
);

CREATE TABLE update_revisions (
    id TEXT PRIMARY KEY,
    update_id TEXT NOT NULL REFERENCES incident_updates (id),
    message TEXT NOT NULL,
    display_at TEXT NOT NULL,
    replaced_at TEXT NOT NULL,
    replaced_by TEXT NOT NULL
);
CREATE INDEX update_revisions_update ON update_revisions (update_id, replaced_at);

CREATE TABLE component_status_history (
    id TEXT PRIMARY KEY,
    component_id TEXT NOT NULL REFERENCES components (id),
    seq INTEGER NOT NULL,
    old_status TEXT CHECK (old_status IN ('operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance')),
    new_status TEXT NOT NULL CHECK (new_status IN ('operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance')),
    at TEXT NOT NULL,
    incident_id TEXT REFERENCES incidents (id),
    UNIQUE (component_id, seq)
);
CREATE INDEX component_status_history_component ON component_status_history (component_id, at);

CREATE TABLE postmortems (
    incident_id TEXT PRIMARY KEY REFERENCES incidents (id),
    summary TEXT,
    root_cause TEXT NOT NULL,
    resolution TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('draft', 'published')),
    published_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE remediation_items (
    id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    detail TEXT,
    category TEXT NOT NULL CHECK (category IN ('prevent', 'detect', 'mitigate', 'process')),
    state TEXT NOT NULL CHECK (state IN ('planned', 'in_progress', 'done', 'wont_do')),
    state_reason TEXT,
    due_on TEXT,
    tracker_url TEXT,
    completed_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX remediation_items_incident ON remediation_items (incident_id, position);

CREATE TABLE translations (
    object_kind TEXT NOT NULL CHECK (object_kind IN ('incident', 'update', 'postmortem', 'remediation-item', 'component', 'page')),
    object_id TEXT NOT NULL,
    field TEXT NOT NULL,
    locale TEXT NOT NULL,
    text TEXT NOT NULL,
    provenance TEXT NOT NULL CHECK (provenance IN ('human', 'machine', 'reviewed')),
    source_digest TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (object_kind, object_id, field, locale)
);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'responder', 'translator')),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'responder', 'translator')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    disabled_at TEXT
);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    object_kind TEXT NOT NULL,
    object_id TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_object ON audit_log (object_kind, object_id);
