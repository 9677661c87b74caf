//! The caller's in-app notifications.

use portico_store::NotificationRow;

use crate::reads::Page;
use crate::{now_ms, Caller, Portico, ServiceError, ServiceResult};

impl Portico {
    /// `GET /api/v1/notifications`: the caller's, newest first.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id))]
    pub async fn notifications(
        &self,
        caller: &Caller,
        unread_only: bool,
        page: Page,
    ) -> ServiceResult<Vec<NotificationRow>> {
        Ok(self
            .store
            .read()
            .await?
            .db()
            .notifications(&caller.user.id, unread_only, page.limit, page.offset)
            .await?)
    }

    /// `POST /api/v1/notifications/{id}/read`.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id, id = id))]
    pub async fn mark_notification_read(&self, caller: &Caller, id: &str) -> ServiceResult<()> {
        let mut tx = self.write_as(caller).await?;
        if !tx
            .db()
            .mark_notification_read(&caller.user.id, id, now_ms())
            .await?
        {
            return Err(ServiceError::NotFound(
                format!("notification {id} not found").into(),
            ));
        }
        tx.commit().await?;
        Ok(())
    }

    /// `POST /api/v1/notifications/read`: marks all of the caller's notifications read.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id))]
    pub async fn mark_all_notifications_read(&self, caller: &Caller) -> ServiceResult<u64> {
        let mut tx = self.write_as(caller).await?;
        let n = tx
            .db()
            .mark_all_notifications_read(&caller.user.id, now_ms())
            .await?;
        tx.commit().await?;
        Ok(n)
    }
}
