import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, createTestBastion, signIn, signInAsReadyAdmin, type Session, type TestBastion } from './test-app.js';

/** `GET /api/auth/permissions?scope=`: the IAM panel enables "Add role assignment" per scope, not from a global flag. */
const SUB = 'sub-perm';
const PASSWORD = 'Perm-Test-Pass-123';
const rg = (name: string) => `/subscriptions/${SUB}/resourceGroups/${name}`;

let b: TestBastion;
let admin: Session;
let dana: Session;

const permissions = async (s: Session, scope: string) => as(b.app, s, { url: `/api/auth/permissions?scope=${encodeURIComponent(scope)}` });

beforeAll(async () => {
  b = await createTestBastion({ inventory: { subscription: { id: SUB }, resourceGroups: [{ name: 'rg-a' }, { name: 'rg-b' }] } });
  admin = await signInAsReadyAdmin(b);
  expect((await as(b.app, admin, { method: 'POST', url: '/api/users', payload: { username: 'dana', password: PASSWORD } })).statusCode).toBe(201);
  const res = await as(b.app, admin, { method: 'POST', url: '/api/roleAssignments', payload: { assignee: 'dana', role: 'Owner', scope: rg('rg-a') } });
  expect(res.statusCode, res.body).toBe(201);
  dana = await signIn(b.app, 'dana', PASSWORD);
});
afterAll(async () => {
  await b?.dispose();
});

describe('GET /api/auth/permissions', () => {
  it('answers manageAccess per scope: true where the user is Owner (and below), false elsewhere', async () => {
    const a = await permissions(dana, rg('rg-a'));
    expect(a.statusCode, a.body).toBe(200);
    expect(a.json()).toEqual({ scope: rg('rg-a'), manageAccess: true });
    expect((await permissions(dana, `${rg('rg-a')}/providers/Microsoft.Compute/virtualMachines/vm1`)).json()).toMatchObject({ manageAccess: true });
    expect((await permissions(dana, rg('rg-b'))).json()).toEqual({ scope: rg('rg-b'), manageAccess: false });
    expect((await permissions(dana, `/subscriptions/${SUB}`)).json()).toMatchObject({ manageAccess: false });
    expect((await permissions(admin, rg('rg-b'))).json()).toMatchObject({ manageAccess: true });
  });

  it('refuses a missing or malformed scope and an anonymous caller', async () => {
    expect((await as(b.app, dana, { url: '/api/auth/permissions' })).statusCode).toBe(400);
    expect((await permissions(dana, 'not a scope')).statusCode).toBe(400);
    expect((await b.app.inject({ url: `/api/auth/permissions?scope=${encodeURIComponent(rg('rg-a'))}` })).statusCode).toBe(401);
  });
});
