import { describe, expect, it } from 'vitest';
import { IRON_ERROR_KIND, describeRdpError, describeSessionEnd, failureFromRdCleanPath, type RdCleanPathDetails } from './rdp-errors.js';

const ironError = (kind: number, backtrace = '', details?: RdCleanPathDetails) => ({
  kind: () => kind,
  backtrace: () => backtrace,
  rdcleanpathDetails: () => details,
});

describe('describeRdpError', () => {
  it('wrong password and logon failure (CredSSP status) read as a wrong password', () => {
    expect(describeRdpError(ironError(IRON_ERROR_KIND.WrongPassword, 'credssp: STATUS_WRONG_PASSWORD'))).toMatchObject({
      kind: 'wrong-password',
      message: 'The user name or password is incorrect.',
      detail: 'credssp: STATUS_WRONG_PASSWORD',
    });
    expect(describeRdpError(ironError(IRON_ERROR_KIND.LogonFailure)).kind).toBe('wrong-password');
  });

  it('a connection dropped inside CredSSP while connecting is most likely a wrong password (FreeRDP, Windows)', () => {
    // What IronRDP 0.7 reports when freerdp-shadow hangs up after a wrong NLA password.
    const dropped = ironError(IRON_ERROR_KIND.General, '[read frame by hint @ crates/ironrdp-connector/src/lib.rs:416] custom error: not enough bytes');
    expect(describeRdpError(dropped, 'connect')).toMatchObject({ kind: 'wrong-password' });
    expect(describeRdpError(dropped, 'connect').message).toMatch(/probably incorrect/);
    expect(describeRdpError(dropped, 'session').kind).toBe('general');
    expect(describeRdpError(ironError(IRON_ERROR_KIND.General, 'CredSSP: connection reset'), 'connect').kind).toBe('wrong-password');
    expect(describeRdpError(ironError(IRON_ERROR_KIND.General, 'unsupported bitmap codec'), 'connect').kind).toBe('general');
  });

  it('access denied is told apart from a wrong password', () => {
    expect(describeRdpError(ironError(IRON_ERROR_KIND.AccessDenied)).kind).toBe('access-denied');
  });

  it('negotiation failures: NLA required, or no common security protocol', () => {
    expect(describeRdpError(ironError(IRON_ERROR_KIND.NegotiationFailure, 'negotiation failure: HYBRID_REQUIRED_BY_SERVER')).kind).toBe('nla-required');
    expect(describeRdpError(ironError(IRON_ERROR_KIND.NegotiationFailure, 'negotiation failure: SSL_NOT_ALLOWED_BY_SERVER')).kind).toBe('security-mismatch');
  });

  it('RDCleanPath errors from the relay map by socket error, TLS alert, then HTTP status', () => {
    const cases: Array<[RdCleanPathDetails, string]> = [
      [{ httpStatusCode: 502, wsaErrorCode: 10061 }, 'refused'],
      [{ httpStatusCode: 502, wsaErrorCode: 10060 }, 'unreachable'],
      [{ httpStatusCode: 502, wsaErrorCode: 10065 }, 'unreachable'],
      [{ httpStatusCode: 502, tlsAlertCode: 40 }, 'tls'],
      [{ httpStatusCode: 401 }, 'token'],
      [{ httpStatusCode: 403 }, 'forbidden'],
      [{ httpStatusCode: 495 }, 'certificate-changed'],
      [{ httpStatusCode: 504, wsaErrorCode: 10060 }, 'unreachable'],
      [{ httpStatusCode: 504 }, 'unreachable'],
      [{ httpStatusCode: 502 }, 'handshake'],
      [{ httpStatusCode: 404 }, 'not-found'],
      [{ httpStatusCode: 400 }, 'relay'],
      [{ httpStatusCode: 500 }, 'relay'],
    ];
    for (const [details, kind] of cases) expect(describeRdpError(ironError(IRON_ERROR_KIND.RDCleanPath, 'rdcleanpath', details)).kind, JSON.stringify(details)).toBe(kind);
    expect(describeRdpError(ironError(IRON_ERROR_KIND.RDCleanPath, 'x', undefined)).kind).toBe('relay');
  });

  it('a certificate change says what it may mean and who must act', () => {
    const { message } = describeRdpError(ironError(IRON_ERROR_KIND.RDCleanPath, '', { httpStatusCode: 495 }));
    expect(message).toMatch(/man-in-the-middle/);
    expect(message).toMatch(/administrator must/);
  });

  it('the WebSocket to the bastion failing is a relay error', () => {
    expect(describeRdpError(ironError(IRON_ERROR_KIND.ProxyConnect, 'websocket closed')).kind).toBe('relay');
  });

  it('anything else is a general failure that keeps the text', () => {
    expect(describeRdpError(new Error('boom'))).toEqual({ kind: 'general', message: 'The remote desktop connection failed.', detail: 'boom' });
    expect(describeRdpError(undefined)).toEqual({ kind: 'general', message: 'The remote desktop connection failed.' });
    const throwing = { kind: () => 0, backtrace: () => { throw new Error('freed'); } };
    expect(describeRdpError(throwing).kind).toBe('general');
  });

  it('failureFromRdCleanPath has no opinion without details', () => {
    expect(failureFromRdCleanPath(undefined)).toBeUndefined();
    expect(failureFromRdCleanPath({})).toBeUndefined();
  });
});

describe('describeSessionEnd', () => {
  it('names the usual reasons', () => {
    expect(describeSessionEnd('anything', true)).toBe('You disconnected.');
    expect(describeSessionEnd('server initiated disconnect (RPC initiated logoff by user)', false)).toBe('You signed out of the VM.');
    expect(describeSessionEnd('server initiated disconnect (idle timeout)', false)).toMatch(/idle/);
    expect(describeSessionEnd('weird', false)).toBe('The session ended: weird');
    expect(describeSessionEnd('', false)).toBe('The session ended.');
  });
});
