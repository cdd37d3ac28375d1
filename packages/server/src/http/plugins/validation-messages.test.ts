import { describe, expect, it } from 'vitest';
import { fieldWords, validationMessage, type SchemaError } from './validation-messages.js';

describe('validation messages in words', () => {
  it('names fields in words, keeping acronyms', () => {
    expect(fieldWords('username')).toBe('User name');
    expect(fieldWords('privateIpAddress')).toBe('Private IP address');
    expect(fieldWords('contentType')).toBe('Content type');
    expect(fieldWords('vms')).toBe('VMs');
    expect(fieldWords('limit')).toBe('Limit');
  });

  it('says each keyword as a sentence', () => {
    const cases: Array<[string, SchemaError, string]> = [
      ['body', { keyword: 'maxLength', instancePath: '/username', params: { limit: 128 } }, 'User names are at most 128 characters.'],
      ['body', { keyword: 'minLength', instancePath: '/password', params: { limit: 1 } }, 'Password cannot be empty.'],
      ['body', { keyword: 'minLength', instancePath: '/newPassword', params: { limit: 12 } }, 'New passwords are at least 12 characters.'],
      ['body', { keyword: 'required', instancePath: '', params: { missingProperty: 'password' } }, 'Password is required.'],
      ['body', { keyword: 'additionalProperties', instancePath: '', params: { additionalProperty: 'isAdmin' } }, 'The request body has a field it does not accept: isAdmin.'],
      ['body', { keyword: 'type', instancePath: '/username', params: { type: 'string' } }, 'User name must be text.'],
      ['body', { keyword: 'type', instancePath: '', params: { type: 'object' } }, 'The request body must be an object.'],
      ['body', { keyword: 'enum', instancePath: '/properties/contentType', params: { allowedValues: ['password', 'ssh-private-key'] } }, 'Content type must be one of: password, ssh-private-key.'],
      ['params', { keyword: 'pattern', instancePath: '/sessionId', params: { pattern: '^[0-9a-f-]{36}$' } }, 'Session ID is not in the expected form.'],
      ['querystring', { keyword: 'maximum', instancePath: '/limit', params: { limit: 10000 } }, 'Limit must be at most 10000.'],
      ['querystring', { keyword: 'minimum', instancePath: '/limit', params: { limit: 1 } }, 'Limit must be at least 1.'],
      ['querystring', { keyword: 'format', instancePath: '/since', params: { format: 'date-time' } }, 'Since is not a valid date and time.'],
      ['body', { keyword: 'maxItems', instancePath: '/vms', params: { limit: 1 } }, 'VMs may hold at most 1 entry.'],
      ['body', { keyword: 'anyOf', instancePath: '/properties/networkProfile/networkInterfaces/0/id', params: {} }, 'ID is not valid.'],
    ];
    for (const [where, err, text] of cases) expect(validationMessage(where, [err])).toBe(text);
  });

  it('reads a failed union of literals as "one of"', () => {
    const consts = ['password', 'ssh-private-key'].map((allowedValue) => ({ keyword: 'const', instancePath: '/properties/contentType', params: { allowedValue } }));
    expect(validationMessage('body', [...consts, { keyword: 'anyOf', instancePath: '/properties/contentType', params: {} }])).toBe('Content type must be one of: password, ssh-private-key.');
  });

  it('never shows schema wording or JSON paths', () => {
    const text = validationMessage('body', [{ keyword: 'maxLength', instancePath: '/properties/name', params: { limit: 80 }, message: 'must NOT have more than 80 characters' }]);
    expect(text).not.toMatch(/must NOT|body\.|\/properties/);
  });
});
