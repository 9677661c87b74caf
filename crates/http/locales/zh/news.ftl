# 应用内通知（首页的动态），在读取时按类型组织文字。

news-task_assigned = { $record } 有新任务：{ $label }
news-response_accepted = 您对 { $record } 的答复已被接受
news-response_accepted-why = 您对 { $record } 的答复已被接受：{ $reason }
news-response_rejected = 您对 { $record } 的答复已被退回
news-response_rejected-why = 您对 { $record } 的答复已被退回：{ $reason }
news-reassignment_succeeded = { $record } 的重新分配已完成：{ $replacement } 替换了 { $person }
news-waitlist_served = 有外部许可证空出，{ $person } 现在可以访问 { $record }
news-ticket_answered = 您的请求“{ $subject }”已得到答复

# After the instructions of a task that follows a rejected response.
task-previous-rejected = 您之前的答复已被退回：{ $reason }
