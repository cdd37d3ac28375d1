import { useMemo } from 'react';
import { adminApi, type AdminApi } from '../api/admin-api.js';
import { usePortalSession } from '../auth/session-context.js';

/** The administration endpoints over the signed-in session's client (same cookie and CSRF token). */
export function useAdminApi(): AdminApi {
  const { api } = usePortalSession();
  return useMemo(() => adminApi(api.client), [api]);
}
