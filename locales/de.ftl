# Herald-Oberflächentexte — Deutsch.

## Standardmeldungen je Status
default-message-investigating = Wir gehen Meldungen über ein Problem nach und veröffentlichen in Kürze ein Update.
default-message-identified = Wir haben die Ursache gefunden und arbeiten an einer Behebung.
default-message-monitoring = Eine Korrektur wurde eingespielt; wir beobachten die Ergebnisse.
default-message-resolved = Dieser Vorfall ist behoben.
default-message-scheduled = Für das angegebene Zeitfenster ist eine Wartung geplant.
default-message-in_progress = Die geplante Wartung läuft. Wir melden uns, sobald sie abgeschlossen ist.
default-message-verifying = Die Wartungsarbeiten sind erledigt; wir prüfen die Ergebnisse.
default-message-completed = Die geplante Wartung ist abgeschlossen.

## Seitenrahmen
skip-to-content = Zum Inhalt springen
back-home = Zurück zur Statusseite

## Fehlerseiten
error-not-found-title = Seite nicht gefunden
error-not-found-body = Unter dieser Adresse gibt es keine Seite. Vielleicht wurde sie verschoben, oder der Link enthält einen Tippfehler.
error-forbidden-title = Nicht erlaubt
error-forbidden-body = Ihr Konto hat keine Berechtigung dafür.
error-server-title = Etwas ist schiefgelaufen
error-server-body = Wegen eines Problems auf unserer Seite konnte diese Seite nicht angezeigt werden. Es wurde protokolliert; bitte versuchen Sie es gleich noch einmal.
error-unavailable-title = Vorübergehend nicht verfügbar
error-unavailable-body = Diese Seite kann gerade nicht angezeigt werden. Bitte versuchen Sie es gleich noch einmal.
error-request-title = Diese Anfrage konnte nicht bearbeitet werden

## Status und Gesamtbanner
component-status-operational = Betriebsbereit
component-status-degraded_performance = Eingeschränkte Leistung
component-status-partial_outage = Teilausfall
component-status-major_outage = Schwerer Ausfall
component-status-under_maintenance = In Wartung
incident-status-investigating = Wird untersucht
incident-status-identified = Ursache gefunden
incident-status-monitoring = Wird beobachtet
incident-status-resolved = Behoben
incident-status-scheduled = Geplant
incident-status-in_progress = Läuft
incident-status-verifying = Wird geprüft
incident-status-completed = Abgeschlossen
impact-none = Keine Auswirkung
impact-minor = Geringe Auswirkung
impact-major = Große Auswirkung
impact-critical = Kritische Auswirkung
impact-maintenance = Wartung
indicator-none = Alle Systeme betriebsbereit
indicator-minor = Geringe Dienststörung
indicator-major = Teilweiser Systemausfall
indicator-critical = Schwerer Dienstausfall
indicator-maintenance = Dienst in Wartung

## Datum und Uhrzeit (clock-hours: 12 oder 24)
clock-hours = 24
time-hm = { $hour }:{ $minute }
time-am = AM
time-pm = PM
date-full = { $day }. { $month } { $year }
month-1 = Januar
month-2 = Februar
month-3 = März
month-4 = April
month-5 = Mai
month-6 = Juni
month-7 = Juli
month-8 = August
month-9 = September
month-10 = Oktober
month-11 = November
month-12 = Dezember

## Feeds, badge and API
feed-title = Statusverlauf von { $page }
feed-component-title = { $page }: Statusverlauf von { $component }
feed-update = Aktualisierung
feed-maintenance-window = Geplante Wartung von { $start } bis { $end }
feed-postmortem = Nachbetrachtung
feed-root-cause = Ursache
feed-resolution = Behebung
feed-remediation = Folgemaßnahmen
remediation-state-planned = Geplant
remediation-state-in_progress = In Arbeit
remediation-state-done = Erledigt
remediation-state-wont_do = Wird nicht umgesetzt
badge-label = Status
