import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempBastion } from './test-helpers.js';

let b: ReturnType<typeof tempBastion>;
beforeEach(() => {
  b = tempBastion();
});
afterEach(() => b.cleanup());

describe('users and user groups', () => {
  it('creates a user with the password from stdin, groups them and lists them', async () => {
    const created = await b.cli(['user', 'create', '--username', 'alice', '--display-name', 'Alice A.'], { stdin: 'Correct-Horse-42\n' });
    expect(created.err).toBe('');
    expect(created.json()).toMatchObject({ username: 'alice', displayName: 'Alice A.', isAdmin: false, groups: [] });

    expect((await b.cli(['identity-group', 'create', '--name', 'operators'])).json()).toMatchObject({ name: 'operators' });
    const added = await b.cli(['group-member', 'add', '--group', 'operators', '--username', 'alice']);
    expect(added.json()).toMatchObject({ username: 'alice', groups: ['operators'] });

    const groups = await b.cli(['identity-group', 'list', '-o', 'table']);
    expect(groups.out).toMatch(/operators\s+alice/);
    const users = await b.cli(['user', 'list', '--output', 'table']);
    expect(users.out).toMatch(/alice\s+Alice A\.\s+false\s+false\s+operators/);

    expect((await b.cli(['group-member', 'remove', '--group', 'operators', '--username', 'alice'])).json()).toMatchObject({ groups: [] });
    expect(await b.cli(['identity-group', 'delete', '--name', 'operators'])).toMatchObject({ code: 0, out: '' });
    expect(await b.cli(['user', 'delete', '--username', 'alice'])).toMatchObject({ code: 0, out: '' });
    expect((await b.cli(['user', 'list'])).json()).toEqual([]);
  });

  it('takes --password and --admin, and refuses weak passwords, duplicates and an empty stdin', async () => {
    expect((await b.cli(['user', 'create', '-u', 'root2', '-p', 'Another-Pass-77', '--admin'])).json()).toMatchObject({ isAdmin: true });
    expect(await b.cli(['user', 'create', '-u', 'root2', '-p', 'Another-Pass-77'])).toMatchObject({ code: 1, err: 'error: User root2 already exists.\n' });
    expect(await b.cli(['user', 'create', '-u', 'bob', '-p', 'short'])).toMatchObject({ code: 1, err: 'error: The password must be at least 12 characters long.\n' });
    expect(await b.cli(['user', 'create', '-u', 'bob'], { stdin: '' })).toMatchObject({ code: 1, err: 'error: A password is required: pass --password or type it on stdin.\n' });
    expect(await b.cli(['group-member', 'add', '--group', 'nope', '-u', 'root2'])).toMatchObject({ code: 1, err: 'error: Group nope was not found.\n' });
  });
});
