import { describe, expect, it } from 'vitest';
import { canSeePage, PORTAL_PAGES, recordingPath, resolveRoute } from '../routing/routes.js';

const ID = '0f8fad5b-d9cb-469f-a165-70867728950e';

describe('recordings routes', () => {
  it('the list, the player and the live view', () => {
    expect(resolveRoute('/portal/recordings')).toMatchObject({ kind: 'portal', page: { id: 'recordings' } });
    expect(resolveRoute(recordingPath(ID))).toEqual({ kind: 'portal', page: expect.objectContaining({ id: 'recordings' }), recording: { sessionId: ID, view: 'play' } });
    expect(resolveRoute(recordingPath(ID, 'live'))).toMatchObject({ recording: { sessionId: ID, view: 'live' } });
    expect(recordingPath(ID, 'live')).toBe(`/portal/recordings/${ID}/live`);
    expect(resolveRoute(`/portal/recordings/${ID}/other`)).toEqual({ kind: 'portal', page: undefined });
  });

  it('the page follows permissions.readRecordings', () => {
    const page = PORTAL_PAGES.find((p) => p.id === 'recordings')!;
    const perms = { manageAccess: false, manageIdentity: false, readAudit: false };
    expect(canSeePage(page, { isAdmin: false, permissions: { ...perms, readRecordings: true } })).toBe(true);
    expect(canSeePage(page, { isAdmin: false, permissions: { ...perms, readRecordings: false } })).toBe(false);
  });
});
