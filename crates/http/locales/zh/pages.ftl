# Portico 页面（简体中文）：所有登录后页面共用的部分（导航、错误、日期）、概览、账户和工单。
# 每个键在每种语言中都存在。

nav-tickets = 工单
nav-records = SCAR
nav-organizations = 组织
nav-users = 用户
nav-licenses = 许可证
nav-reviews = 访问审查
nav-outbox = 发件箱
nav-configuration = 配置
nav-language = 语言
sign-out = 退出登录

error-title = 无法访问
error-home = 首页
error-nothing-here = 这里没有可供您查看的内容。
error-invalid-data = 提交的内容无法使用。请检查表单后重试。
error-insufficient-access = 您无权执行此操作。
error-not-allowed = 目前无法执行此操作。
error-limit-exceeded = 尝试次数过多。请稍候再试。
error-conflict = 其他人同时修改了此内容。请刷新页面后重试。
error-internal = 我们这边出现了问题。请稍后再试。
error-other = 无法完成此操作。
form-expired-title = 表单已过期
form-expired-text = 此表单已过期，或并非来自 Portico。请返回上一页，刷新页面后重试。

table-empty = 暂无内容。
col-record = 记录
col-type = 类型
col-state = 状态

signature-legend = 电子签名
signature-affirm = 签名即表示您确认：
signature-password = 您的密码

date-today = 今天 { $time }
date-yesterday = 昨天 { $time }
date-format = %Y年%-m月%-d日 %H:%M
date-exact-format = %Y年%-m月%-d日 %H:%M:%S %Z
due-today = 今天到期
due-in = { $days ->
    [1] 明天到期
   *[other] { $days } 天后到期
}
overdue-by = { $days ->
    [0] 今天起已逾期
   *[other] 已逾期 { $days } 天
}

status-open = 待处理
status-completed = 已完成
status-cancelled = 已取消
status-answered = 已答复

dashboard-title = 概览
dashboard-licenses = 外部许可证
dashboard-seats = 共 { $seats } 个席位，已使用 { $active } 个，空闲 { $available } 个。
dashboard-waiting = 等待供应商回复
dashboard-open-tasks = 待处理任务
dashboard-no-tasks = 没有待处理的任务。

password-title = 修改密码
password-one-time-intro = 您使用一次性密码登录。请设置您自己的密码以继续。
password-one-time = 一次性密码
password-current = 当前密码
password-new = 新密码
password-hint = 至少 10 个字符，且不易被猜到：组合几个不常见的词效果很好。
password-repeat-new = 再次输入新密码
password-change = 修改密码
password-differ-new = 两次输入的新密码不一致。
password-changed-title = 您的密码已修改
password-changed-text = 新密码已生效。您账户的其他会话已退出登录。
password-weak = 无法使用此密码：请选择更长且不易被猜到的密码（组合几个不常见的词效果很好）。
continue = 继续

language-title = 页面语言
language-intro = Portico 将以您在此选择的语言显示页面；若未选择，则使用浏览器的语言。
language-browser = 使用浏览器的语言
language-save = 保存
language-saved = 已保存。

tickets-title = 工单
tickets-ask = 咨询公司
ticket-kind = 类型
ticket-support = 支持请求
ticket-service = 服务请求
ticket-subject = 主题
ticket-body = 您的请求
ticket-send = 发送
ticket-answer-label = 答复：
ticket-answer = 答复
