# 面向供应商的 Portico 页面（简体中文）：登录、设置密码、您的请求和记录页面。
# 每个键在每种语言中都存在。

signin-title = 登录 Portico
signin-with = 使用 { $provider } 登录
signin-sso-hint = 公司员工请在此登录。供应商、承包商和管理员请使用用户名和密码：
signin-username = 用户名
signin-password = 密码
signin-submit = 登录
signin-new-here = 首次使用？请通过邀请邮件中的链接设置密码。
signin-forgot = 忘记密码？获取新链接
signin-wrong = 用户名或密码不正确，或账户未启用。
signed-out-title = 已退出登录
signed-out-text = 您已退出 Portico。您可能仍登录在 { $provider }。
signed-out-provider = 同时退出 { $provider }
signin-again = 重新登录

setpw-title = 设置密码
setpw-intro = 请为您的 Portico 账户设置密码。此链接仅可使用一次。
setpw-repeat = 再次输入密码
setpw-submit = 设置密码
setpw-differ = 两次输入的密码不一致。
setpw-done-title = 密码已设置
setpw-done-text = 现在您可以使用用户名和此密码登录。
newlink-title = 获取新链接
newlink-intro = 我们会将设置新密码的链接发送到您账户的电子邮件地址。
newlink-username = 您的用户名或电子邮件
newlink-submit = 向我发送新链接
link-gone-title = 此链接已失效
link-gone-intro = 此链接已被使用或已过期。请申请新的链接：
newlink-sent-title = 请查收邮件
newlink-sent-text = 如果存在使用该用户名或电子邮件的有效账户，新链接已发送。该链接仅可使用一次，并会过期。
newlink-too-many = 申请链接的次数过多。
newlink-give = 请输入您的用户名或电子邮件。

home-title = 您的请求
home-news = 最新消息
home-mark-read = 全部标为已读
home-your-tasks = 您的待办任务
home-no-task = 目前没有等待您处理的任务。

record-closed = 此记录已关闭：您仍可查看，但不能再回复、评论或添加文件。
field-type = 类型
field-state = 状态
field-supplier = 供应商
field-access-ends = 访问截止日期
tasks-title = 任务
tasks-none = 没有任务。
task-response = 回复：
task-your-response = 您的回复
task-sign-send = 签名并发送回复
task-send = 发送回复
signatures-title = 签名
signature-earlier = （签署的是此记录的早期版本）
checklists-title = 检查清单
checklists-none = 没有检查清单。
checklist-completed = 已完成
checklist-save = 保存回答
checklist-complete = 完成
comments-title = 评论
comment-add = 添加评论
comment-submit = 评论
files-title = 文件和照片
files-none = 暂无文件。
files-add = 添加文件或拍照（PDF、图片、文本或 CSV；最大 { $mb } MB）
files-upload = 上传
files-too-large = 此文件超过 { $mb } MB。如果是照片，请以较低分辨率重新拍摄（或发送较小的副本）后再上传。
