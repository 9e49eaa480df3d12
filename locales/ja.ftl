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
