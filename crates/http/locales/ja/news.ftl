# アプリ内通知（ホーム画面のお知らせ）。表示時に種類ごとの文で組み立てます。

news-task_assigned = { $record } に新しいタスクがあります: { $label }
news-response_accepted = { $record } へのあなたの回答は承認されました
news-response_accepted-why = { $record } へのあなたの回答は承認されました: { $reason }
news-response_rejected = { $record } へのあなたの回答は差し戻されました
news-response_rejected-why = { $record } へのあなたの回答は差し戻されました: { $reason }
news-reassignment_succeeded = { $record } の担当変更が完了しました: { $person } から { $replacement } へ
news-waitlist_served = 外部ライセンスに空きが出たため、{ $person } が { $record } にアクセスできるようになりました
news-ticket_answered = お問い合わせ「{ $subject }」に回答がありました

# After the instructions of a task that follows a rejected response.
task-previous-rejected = 前回の回答は差し戻されました: { $reason }
