export { loadConfig, validateConfig, envOverrides, ConfigError, readYamlFile, type LoadedConfig } from './load.js';
export { ConfigSchema, type BastionConfig, type InventoryConfig } from './schema.js';
export { DEFAULT_CONFIG } from './defaults.js';
