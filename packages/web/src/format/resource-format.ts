/** Text for table cells. Pure functions; "—" stands for "nothing to show". */
import type { OsType, VirtualNetworkProperties } from '../../../protocol/src/api-types.js';

export const NONE = '—';

/** The last segment of a resource ID: its name. */
export const nameFromId = (id: string | undefined | null): string => {
  if (!id) return NONE;
  const trimmed = id.endsWith('/') ? id.slice(0, -1) : id;
  return trimmed.slice(trimmed.lastIndexOf('/') + 1) || NONE;
};

export const osTypeLabel = (osType: OsType | string | undefined): string =>
  osType === 'linux' ? 'Linux' : osType === 'windows' ? 'Windows' : (osType ?? NONE);

/** `key: value` strings, sorted by key, for display as badges. */
export const tagLabels = (tags: Record<string, string> | undefined | null): string[] =>
  Object.entries(tags ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => (value === '' ? key : `${key}: ${value}`));

export const joinOrNone = (items: readonly string[] | undefined | null): string => (items && items.length > 0 ? items.join(', ') : NONE);

export const addressSpaceText = (props: VirtualNetworkProperties | undefined): string => joinOrNone(props?.addressSpace?.addressPrefixes);

export const subnetsText = (props: VirtualNetworkProperties | undefined): string =>
  joinOrNone(props?.subnets?.map((s) => (s.properties?.addressPrefix ? `${s.name} (${s.properties.addressPrefix})` : s.name)));

/** Kept here for the pages that import it with the other cell texts; the format lives in date-format.ts. */
export { timeText } from './date-format.js';
