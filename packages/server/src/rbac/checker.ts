import { connectCheck, type ConnectCheckResult, type InventoryReader } from './connect-check.js';
import { GrantSet, type AccessDecision, type Grant } from './grants.js';
import type { Principal, RoleAssignment, RoleDefinition } from './types.js';

export type { AccessDecision } from './grants.js';

/** What the checker needs from storage (RoleStore provides it); callers depend on this narrow contract only. */
export interface AssignmentSource {
  assignmentsOf(principal: Principal): Promise<RoleAssignment[]>;
  roleDefinitionsById(ids: readonly string[]): Promise<Map<string, RoleDefinition>>;
}

/**
 * The one authorization decision (Teleport's AccessChecker habit): may this principal perform this
 * action on this resource? Every API route, listing and session start asks here and nowhere else.
 */
export class AccessChecker {
  constructor(
    private readonly source: AssignmentSource,
    private readonly inventory?: InventoryReader,
  ) {}

  /** Loads the principal's assignments and roles once, for several checks in one request. */
  async grantsOf(principal: Principal): Promise<GrantSet> {
    const assignments = await this.source.assignmentsOf(principal);
    const roles = await this.source.roleDefinitionsById(assignments.map((a) => a.roleDefinitionId));
    const grants: Grant[] = [];
    for (const assignment of assignments) {
      const role = roles.get(assignment.roleDefinitionId.toLowerCase());
      // An assignment whose role vanished grants nothing (the store refuses to delete assigned roles).
      if (role) grants.push({ assignment, role, scopeKey: assignment.scope.toLowerCase() });
    }
    return new GrantSet(grants);
  }

  async checkAccess(principal: Principal, action: string, resourceId: string): Promise<AccessDecision> {
    return (await this.grantsOf(principal)).check(action, resourceId);
  }

  /**
   * Azure Bastion's Connect rule: read on the VM, on its NIC and ipconfiguration, on a bastion that can
   * reach it, and on the VM's network when that bastion sits in a peered one. Lists what is missing.
   */
  async connectCheck(principal: Principal, vmId: string): Promise<ConnectCheckResult> {
    if (!this.inventory) throw new Error('AccessChecker.connectCheck needs an inventory reader (pass one to the constructor).');
    return connectCheck(await this.grantsOf(principal), this.inventory, vmId);
  }
}
