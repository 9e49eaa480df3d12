// Reads Herald's Statuspage v2 API through `statuspage.io`, a third-party npm client of the
// Statuspage public API, and fails on any error or on an empty or unknown value.
// Usage: node statuspage-client-check.cjs http://127.0.0.1:PORT   (with the client on NODE_PATH)
'use strict';

const { Statuspage } = require('statuspage.io');

const base = process.argv[2];
if (!base) {
  console.error('usage: statuspage-client-check.cjs BASE_URL');
  process.exit(2);
}

const INDICATORS = ['none', 'minor', 'major', 'critical', 'maintenance'];
const COMPONENT_STATUSES = ['operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance'];
const INCIDENT_STATUSES = ['investigating', 'identified', 'monitoring', 'resolved', 'postmortem'];
const UNRESOLVED = ['investigating', 'identified', 'monitoring'];
const MAINTENANCE_STATUSES = ['scheduled', 'in_progress', 'verifying', 'completed'];
const IMPACTS = ['none', 'minor', 'major', 'critical', 'maintenance'];
// Statuspage's timestamps: three fractional digits and an offset.
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}(Z|[+-]\d\d:\d\d)$/;

let checks = 0;
function check(condition, what) {
  checks += 1;
  if (!condition) {
    throw new Error(`check failed: ${what}`);
  }
}
function nonEmpty(value, what) {
  check(typeof value === 'string' && value.trim() !== '', `${what} is a non-empty string (got ${JSON.stringify(value)})`);
}
function oneOf(value, allowed, what) {
  check(allowed.includes(value), `${what} is one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`);
}
function timestamp(value, what, nullable = false) {
  if (nullable && value === null) return;
  check(typeof value === 'string' && TIMESTAMP.test(value) && !Number.isNaN(Date.parse(value)), `${what} is a Statuspage timestamp (got ${JSON.stringify(value)})`);
}

function checkPage(doc, what) {
  const page = doc.page;
  check(page && typeof page === 'object', `${what}.page present`);
  for (const key of ['id', 'name', 'url', 'time_zone']) nonEmpty(page[key], `${what}.page.${key}`);
  timestamp(page.updated_at, `${what}.page.updated_at`);
}

function checkComponent(c, what) {
  for (const key of ['id', 'name', 'page_id']) nonEmpty(c[key], `${what}.${key}`);
  oneOf(c.status, COMPONENT_STATUSES, `${what}.status`);
  timestamp(c.created_at, `${what}.created_at`);
  timestamp(c.updated_at, `${what}.updated_at`);
  check(Number.isInteger(c.position) && c.position >= 1, `${what}.position is 1-based`);
  check(typeof c.group === 'boolean' && typeof c.showcase === 'boolean' && typeof c.only_show_if_degraded === 'boolean', `${what} flags are booleans`);
  check('description' in c && 'group_id' in c && 'start_date' in c, `${what} nullable keys present`);
  check(c.group === Array.isArray(c.components), `${what}.components only on groups`);
}

function checkIncident(i, what, statuses) {
  for (const key of ['id', 'name', 'shortlink', 'page_id']) nonEmpty(i[key], `${what}.${key}`);
  oneOf(i.status, statuses, `${what}.status`);
  oneOf(i.impact, IMPACTS, `${what}.impact`);
  for (const key of ['created_at', 'updated_at', 'started_at']) timestamp(i[key], `${what}.${key}`);
  timestamp(i.monitoring_at, `${what}.monitoring_at`, true);
  timestamp(i.resolved_at, `${what}.resolved_at`, true);
  check('reminder_intervals' in i, `${what}.reminder_intervals present`);
  check(Array.isArray(i.components), `${what}.components is a list`);
  i.components.forEach((c, n) => checkComponent(c, `${what}.components[${n}]`));
  check(Array.isArray(i.incident_updates) && i.incident_updates.length > 0, `${what}.incident_updates is never empty`);
  let previous = null;
  i.incident_updates.forEach((u, n) => {
    const w = `${what}.incident_updates[${n}]`;
    nonEmpty(u.id, `${w}.id`);
    nonEmpty(u.body, `${w}.body`);
    check(u.incident_id === i.id, `${w}.incident_id`);
    oneOf(u.status, [...UNRESOLVED, 'resolved', ...MAINTENANCE_STATUSES], `${w}.status`);
    for (const key of ['created_at', 'updated_at', 'display_at']) timestamp(u[key], `${w}.${key}`);
    check(previous === null || Date.parse(u.display_at) <= previous, `${w} newest first`);
    previous = Date.parse(u.display_at);
    check('custom_tweet' in u && 'tweet_id' in u && 'affected_components' in u, `${w} nullable keys present`);
    check(typeof u.deliver_notifications === 'boolean', `${w}.deliver_notifications`);
    (u.affected_components || []).forEach((a, k) => {
      nonEmpty(a.code, `${w}.affected_components[${k}].code`);
      nonEmpty(a.name, `${w}.affected_components[${k}].name`);
      oneOf(a.old_status, COMPONENT_STATUSES, `${w}.affected_components[${k}].old_status`);
      oneOf(a.new_status, COMPONENT_STATUSES, `${w}.affected_components[${k}].new_status`);
    });
  });
}

function checkMaintenance(m, what) {
  checkIncident(m, what, MAINTENANCE_STATUSES);
  check(m.impact === 'maintenance', `${what}.impact is maintenance`);
  timestamp(m.scheduled_for, `${what}.scheduled_for`);
  timestamp(m.scheduled_until, `${what}.scheduled_until`);
}

async function main() {
  const statuspage = new Statuspage('herald');
  statuspage.setApiUrl(base);
  const api = statuspage.api;

  const status = await api.getStatus();
  checkPage(status, 'status');
  oneOf(status.status.indicator, INDICATORS, 'status.indicator');
  nonEmpty(status.status.description, 'status.description');
  console.log(`status: ${status.status.indicator} (${status.status.description}) on "${status.page.name}"`);

  const components = await api.getComponents();
  checkPage(components, 'components');
  check(components.components.length > 0, 'components is not empty');
  components.components.forEach((c, n) => checkComponent(c, `components[${n}]`));
  console.log(`components: ${components.components.length} (${components.components.filter((c) => c.group).length} groups)`);

  const summary = await api.getSummary();
  checkPage(summary, 'summary');
  oneOf(summary.status.indicator, INDICATORS, 'summary.status.indicator');
  check(summary.components.length === components.components.length, 'summary lists every component');
  summary.incidents.forEach((i, n) => checkIncident(i, `summary.incidents[${n}]`, UNRESOLVED));
  summary.scheduled_maintenances.forEach((m, n) => checkMaintenance(m, `summary.scheduled_maintenances[${n}]`));
  console.log(`summary: ${summary.incidents.length} unresolved incidents, ${summary.scheduled_maintenances.length} maintenances`);

  const incidents = await api.incidents.getAll();
  checkPage(incidents, 'incidents');
  check(incidents.incidents.length > 0, 'incidents is not empty');
  incidents.incidents.forEach((i, n) => checkIncident(i, `incidents[${n}]`, INCIDENT_STATUSES));
  console.log(`incidents: ${incidents.incidents.length} (${incidents.incidents.map((i) => i.status).join(', ')})`);

  const unresolved = await api.incidents.getUnresolved();
  check(unresolved.incidents.length > 0, 'unresolved incidents is not empty (the demo has one)');
  unresolved.incidents.forEach((i, n) => checkIncident(i, `unresolved[${n}]`, UNRESOLVED));
  console.log(`unresolved incidents: ${unresolved.incidents.length}`);

  const upcoming = await api.scheduledMaintenances.getUpcoming();
  checkPage(upcoming, 'upcoming');
  check(upcoming.scheduled_maintenances.length > 0, 'upcoming maintenances is not empty (the demo has one)');
  upcoming.scheduled_maintenances.forEach((m, n) => {
    checkMaintenance(m, `upcoming[${n}]`);
    check(m.status === 'scheduled', `upcoming[${n}] is scheduled`);
  });
  console.log(`upcoming maintenances: ${upcoming.scheduled_maintenances.length}`);

  // This client version's getAll() and getActive() request upcoming.json (its own bug), so the
  // other two maintenance lists are read through the client's configured HTTP client.
  for (const [name, path, statuses] of [
    ['all maintenances', '/api/v2/scheduled-maintenances.json', MAINTENANCE_STATUSES],
    ['active maintenances', '/api/v2/scheduled-maintenances/active.json', ['in_progress', 'verifying']],
  ]) {
    const { data } = await statuspage.apiClient.get(path);
    checkPage(data, name);
    data.scheduled_maintenances.forEach((m, n) => {
      checkMaintenance(m, `${name}[${n}]`);
      oneOf(m.status, statuses, `${name}[${n}].status`);
    });
    console.log(`${name}: ${data.scheduled_maintenances.length}`);
  }
  check((await api.scheduledMaintenances.getAll()).scheduled_maintenances.length > 0, 'getAll() answers');
  await api.scheduledMaintenances.getActive();

  console.log(`ok: ${checks} checks passed`);
}

main().catch((error) => {
  console.error(`FAILED: ${error.message || error}`);
  process.exit(1);
});
