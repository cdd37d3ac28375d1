export * from './crypto.js';
export * from './ids.js';
export * from './vault-store.js';
export * from './master-key-file.js';
export * from './ssh-key-check.js';
