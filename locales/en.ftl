# Herald interface strings — English (the reference locale: every other file has exactly these keys).

## Default messages offered for each status (maintenance transitions post them by themselves)
default-message-investigating = We are investigating reports of a problem and will post an update shortly.
default-message-identified = We have identified the cause and are working on a fix.
default-message-monitoring = A fix has been applied and we are monitoring the results.
default-message-resolved = This incident has been resolved.
default-message-scheduled = Maintenance is scheduled for the window shown.
default-message-in_progress = Scheduled maintenance is in progress. We will post an update when it is complete.
default-message-verifying = Maintenance work is done and we are verifying the results.
default-message-completed = Scheduled maintenance has been completed.

## Page chrome
skip-to-content = Skip to content
back-home = Back to the status page

## Error pages
error-not-found-title = Page not found
error-not-found-body = There is no page at this address. It may have moved, or the link may be mistyped.
error-forbidden-title = Not allowed
error-forbidden-body = Your account does not have permission to do this.
error-server-title = Something went wrong
error-server-body = We could not show this page because of a problem on our side. It has been logged; please try again in a moment.
error-unavailable-title = Temporarily unavailable
error-unavailable-body = This page cannot be shown right now. Please try again in a moment.
error-request-title = This request could not be handled

## Statuses and the overall banner
component-status-operational = Operational
component-status-degraded_performance = Degraded performance
component-status-partial_outage = Partial outage
component-status-major_outage = Major outage
component-status-under_maintenance = Under maintenance
incident-status-investigating = Investigating
incident-status-identified = Identified
incident-status-monitoring = Monitoring
incident-status-resolved = Resolved
incident-status-scheduled = Scheduled
incident-status-in_progress = In progress
incident-status-verifying = Verifying
incident-status-completed = Completed
impact-none = No impact
impact-minor = Minor impact
impact-major = Major impact
impact-critical = Critical impact
impact-maintenance = Maintenance
indicator-none = All Systems Operational
indicator-minor = Minor Service Outage
indicator-major = Partial System Outage
indicator-critical = Major Service Outage
indicator-maintenance = Service Under Maintenance

## Dates and times (clock-hours: 12 or 24)
clock-hours = 12
time-hm = { $hour }:{ $minute } { $ampm }
time-am = AM
time-pm = PM
date-full = { $month } { $day }, { $year }
month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December

## Feeds, badge and API
feed-title = { $page } status history
feed-component-title = { $page }: { $component } status history
feed-update = Update
feed-maintenance-window = Scheduled maintenance from { $start } to { $end }
feed-postmortem = Postmortem
feed-root-cause = Root cause
feed-resolution = Resolution
feed-remediation = Follow-up actions
remediation-state-planned = Planned
remediation-state-in_progress = In progress
remediation-state-done = Done
remediation-state-wont_do = Won't do
badge-label = status
