# Herald インターフェース文字列 — 日本語。

## 各ステータスの既定メッセージ
default-message-investigating = 問題の報告について調査中です。まもなく続報をお知らせします。
default-message-identified = 原因を特定し、修正に取り組んでいます。
default-message-monitoring = 修正を適用し、結果を監視しています。
default-message-resolved = このインシデントは解決しました。
default-message-scheduled = 表示の時間帯にメンテナンスを予定しています。
default-message-in_progress = 予定されたメンテナンスを実施中です。完了しましたらお知らせします。
default-message-verifying = メンテナンス作業が完了し、結果を確認しています。
default-message-completed = 予定されたメンテナンスが完了しました。

## ページの枠組み
skip-to-content = 本文へ移動
back-home = ステータスページに戻る

## エラーページ
error-not-found-title = ページが見つかりません
error-not-found-body = このアドレスにページはありません。移動したか、リンクが間違っている可能性があります。
error-forbidden-title = 許可されていません
error-forbidden-body = お使いのアカウントにはこの操作の権限がありません。
error-server-title = 問題が発生しました
error-server-body = 当社側の問題により、このページを表示できませんでした。記録済みです。しばらくしてからもう一度お試しください。
error-unavailable-title = 一時的に利用できません
error-unavailable-body = 現在このページを表示できません。しばらくしてからもう一度お試しください。
error-request-title = このリクエストを処理できませんでした

## ステータスと全体表示
component-status-operational = 正常
component-status-degraded_performance = パフォーマンス低下
component-status-partial_outage = 一部停止
component-status-major_outage = 重大な停止
component-status-under_maintenance = メンテナンス中
incident-status-investigating = 調査中
incident-status-identified = 原因特定
incident-status-monitoring = 経過観察中
incident-status-resolved = 解決済み
incident-status-scheduled = 予定
incident-status-in_progress = 実施中
incident-status-verifying = 確認中
incident-status-completed = 完了
impact-none = 影響なし
impact-minor = 軽微な影響
impact-major = 重大な影響
impact-critical = 深刻な影響
impact-maintenance = メンテナンス
indicator-none = すべてのシステムが正常に稼働中
indicator-minor = 軽微なサービス障害
indicator-major = 一部システム障害
indicator-critical = 重大なサービス障害
indicator-maintenance = サービスはメンテナンス中

## 日付と時刻（clock-hours: 12 または 24）
clock-hours = 24
time-hm = { $hour }:{ $minute }
time-am = 午前
time-pm = 午後
date-full = { $year }年{ $monthnum }月{ $day }日
month-1 = 1月
month-2 = 2月
month-3 = 3月
month-4 = 4月
month-5 = 5月
month-6 = 6月
month-7 = 7月
month-8 = 8月
month-9 = 9月
month-10 = 10月
month-11 = 11月
month-12 = 12月

## Feeds, badge and API
feed-title = { $page } のステータス履歴
feed-component-title = { $page }：{ $component } のステータス履歴
feed-update = 更新
feed-maintenance-window = 計画メンテナンス：{ $start } から { $end } まで
feed-postmortem = 事後分析
feed-root-cause = 根本原因
feed-resolution = 解決策
feed-remediation = 再発防止策
remediation-state-planned = 予定
remediation-state-in_progress = 対応中
remediation-state-done = 完了
remediation-state-wont_do = 対応しない
badge-label = ステータス
