/**
 * Azure resource IDs are for machines; people read "virtualMachines/web01" (as the Connect check names
 * what is missing). Pure functions for tables and error texts.
 */

/** A resource ID, a resource group or a subscription inside free text. */
const ID_IN_TEXT = /\/subscriptions\/[^\s/]+(?:\/resourceGroups\/[^\s/]+)?(?:\/providers\/[^\s/]+(?:\/[^\s/]+\/[^\s/,;:)'"]+)+)?/gi;

/** "/subscriptions/…/providers/Microsoft.Compute/virtualMachines/web01" → "virtualMachines/web01". */
export function shortResourceName(id: string): string {
  const parts = id.replace(/\/$/, '').split('/').filter(Boolean);
  const providers = parts.findIndex((p) => p.toLowerCase() === 'providers');
  if (providers >= 0 && parts.length >= providers + 4) return parts.slice(-2).join('/');
  const group = parts.findIndex((p) => p.toLowerCase() === 'resourcegroups');
  if (group >= 0 && parts[group + 1]) return `resource group ${parts[group + 1]}`;
  if (parts[0]?.toLowerCase() === 'subscriptions' && parts[1]) return `subscription ${parts[1]}`;
  return id;
}

/** True for text that is a resource ID (starts with /subscriptions/). */
export const isResourceId = (text: string | null | undefined): text is string => !!text && /^\/subscriptions\//i.test(text);

/** Every resource ID in `text` replaced by its short name; other text untouched. */
export const shortenIds = (text: string): string => text.replace(ID_IN_TEXT, (id) => shortResourceName(id));
