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
