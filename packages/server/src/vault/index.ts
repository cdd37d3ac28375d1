export * from './crypto.js';
export * from './ids.js';
export * from './vault-store.js';
