# Portico の画面（日本語）：サインイン後の全画面に共通する部分（ナビゲーション、エラー、日付）、
# ダッシュボード、アカウント、チケット。すべてのキーはすべての言語にあります。

nav-tickets = チケット
nav-records = SCAR
nav-organizations = 組織
nav-users = ユーザー
nav-licenses = ライセンス
nav-reviews = アクセスレビュー
nav-outbox = 送信トレイ
nav-configuration = 設定
nav-language = 言語
sign-out = サインアウト

error-title = ご利用いただけません
error-home = ホーム
error-nothing-here = このページには表示できる内容がありません。
error-invalid-data = 送信された内容を処理できません。フォームを確認して、もう一度お試しください。
error-insufficient-access = この操作を行う権限がありません。
error-not-allowed = 現在、この操作は行えません。
error-limit-exceeded = 試行回数が多すぎます。しばらく待ってから、もう一度お試しください。
error-conflict = 同時に他の人が変更しました。ページを再読み込みして、もう一度お試しください。
error-internal = システム側で問題が発生しました。しばらくしてから、もう一度お試しください。
error-other = この操作を完了できませんでした。
form-expired-title = フォームの有効期限切れ
form-expired-text = このフォームは有効期限が切れているか、Portico から送信されたものではありません。前の画面に戻り、ページを再読み込みしてからもう一度お試しください。

table-empty = 表示する項目はありません。
col-record = 案件
col-type = 種類
col-state = ステータス

signature-legend = 電子署名
signature-affirm = 署名することで、次の内容を確認します：
signature-password = パスワード

date-today = 今日 { $time }
date-yesterday = 昨日 { $time }
date-format = %Y年%-m月%-d日 %H:%M
date-exact-format = %Y年%-m月%-d日 %H:%M:%S %Z
due-today = 本日が期限
due-in = { $days ->
    [1] 明日が期限
   *[other] 期限まであと { $days } 日
}
overdue-by = { $days ->
    [0] 本日から期限超過
   *[other] 期限を { $days } 日超過
}

status-open = 未完了
status-completed = 完了
status-cancelled = 取消
status-answered = 回答済み

dashboard-title = ダッシュボード
dashboard-licenses = 外部ライセンス
dashboard-seats = { $seats } 席中 { $active } 席使用中、空き { $available } 席。
dashboard-waiting = サプライヤーの回答待ち
dashboard-open-tasks = 未完了のタスク
dashboard-no-tasks = 未完了のタスクはありません。

password-title = パスワードの変更
password-one-time-intro = ワンタイムパスワードでサインインしました。続けるには、ご自身のパスワードを設定してください。
password-one-time = ワンタイムパスワード
password-current = 現在のパスワード
password-new = 新しいパスワード
password-hint = 10 文字以上で、推測されにくいものにしてください。あまり使われない単語をいくつか組み合わせると効果的です。
password-repeat-new = 新しいパスワード（確認）
password-change = パスワードを変更
password-differ-new = 2 つの新しいパスワードが一致しません。
password-changed-title = パスワードを変更しました
password-changed-text = 新しいパスワードが有効になりました。このアカウントの他のセッションはサインアウトされました。
password-weak = このパスワードは使用できません。より長く、推測されにくいパスワードを選んでください（あまり使われない単語をいくつか組み合わせると効果的です）。
continue = 続ける

language-title = 表示言語
language-intro = Portico は、ここで選んだ言語で画面を表示します。選択しない場合はブラウザーの言語で表示します。
language-browser = ブラウザーの言語
language-save = 保存
language-saved = 保存しました。

tickets-title = チケット
tickets-ask = 会社へのお問い合わせ
ticket-kind = 種類
ticket-support = サポート依頼
ticket-service = サービス依頼
ticket-subject = 件名
ticket-body = お問い合わせ内容
ticket-send = 送信
ticket-answer-label = 回答：
ticket-answer = 回答する
