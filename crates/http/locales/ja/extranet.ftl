# サプライヤー向けの Portico 画面（日本語）：サインイン、パスワード設定、依頼一覧、案件画面。
# すべてのキーはすべての言語にあります。

signin-title = Portico にサインイン
signin-with = { $provider } でサインイン
signin-sso-hint = 社員の方はこちらからサインインしてください。サプライヤー、委託先、管理者の方はユーザー名とパスワードを使用します：
signin-username = ユーザー名
signin-password = パスワード
signin-submit = サインイン
signin-new-here = 初めての方は、招待メールのリンクからパスワードを設定してください。
signin-forgot = パスワードをお忘れの方は、新しいリンクを請求してください
signin-wrong = ユーザー名またはパスワードが正しくないか、アカウントが有効ではありません。
signed-out-title = サインアウトしました
signed-out-text = Portico からサインアウトしました。{ $provider } にはまだサインインしたままの可能性があります。
signed-out-provider = { $provider } からもサインアウト
signin-again = もう一度サインイン

setpw-title = パスワードの設定
setpw-intro = Portico アカウントのパスワードを設定してください。このリンクは一度のみ有効です。
setpw-repeat = パスワード（確認）
setpw-submit = パスワードを設定
setpw-differ = 2 つのパスワードが一致しません。
setpw-done-title = パスワードを設定しました
setpw-done-text = ユーザー名とこのパスワードでサインインできます。
newlink-title = 新しいリンクの請求
newlink-intro = アカウントのメールアドレスに、新しいパスワードを設定するためのリンクをお送りします。
newlink-username = ユーザー名またはメールアドレス
newlink-submit = 新しいリンクを送信
link-gone-title = このリンクは無効になりました
link-gone-intro = このリンクは使用済みか、有効期限が切れています。新しいリンクを請求してください：
newlink-sent-title = メールをご確認ください
newlink-sent-text = 該当するユーザー名またはメールアドレスの有効なアカウントがある場合、新しいリンクをお送りしました。リンクは一度のみ有効で、有効期限があります。
newlink-too-many = リンクの請求回数が多すぎます。
newlink-give = ユーザー名またはメールアドレスを入力してください。

home-title = ご依頼一覧
home-news = お知らせ
home-mark-read = すべて既読にする
home-your-tasks = 未完了のタスク
home-no-task = 現在、対応をお待ちしているタスクはありません。

record-closed = この案件は終了しています。引き続き閲覧はできますが、回答、コメント、ファイルの追加はできません。
field-type = 種類
field-state = ステータス
field-supplier = サプライヤー
field-access-ends = アクセス終了日
tasks-title = タスク
tasks-none = タスクはありません。
task-response = 回答：
task-your-response = 回答内容
task-sign-send = 署名して回答を送信
task-send = 回答を送信
signatures-title = 署名
signature-earlier = （この案件の以前の版に署名）
checklists-title = チェックリスト
checklists-none = チェックリストはありません。
checklist-completed = 完了
checklist-save = 回答を保存
checklist-complete = 完了にする
comments-title = コメント
comment-add = コメントを追加
comment-submit = コメントする
files-title = ファイルと写真
files-none = ファイルはまだありません。
files-add = ファイルを追加、または写真を撮影（PDF、画像、テキスト、CSV、最大 { $mb } MB）
files-upload = アップロード
files-too-large = このファイルは { $mb } MB を超えています。写真の場合は解像度を下げて撮り直す（または小さいコピーを送る）などして、もう一度アップロードしてください。
