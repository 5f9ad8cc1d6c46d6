/**
 * Reference lists behind `crm.status.list` and `crm.category.list`: deal stages per pipeline,
 * lead statuses, sources, types. Semantics (process/success/failure) drive `CLOSED` and
 * `STAGE_SEMANTIC_ID` of deals and leads.
 */
export type Semantics = 'P' | 'S' | 'F';

export interface StatusEntry {
  id: number;
  entityId: string;
  statusId: string;
  name: string;
  sort: number;
  system: boolean;
  categoryId: number | null;
  color: string;
  semantics: Semantics;
}

export interface CategoryEntry {
  id: number;
  name: string;
  sort: number;
  entityTypeId: number;
  isDefault: boolean;
}

/** A stage definition for `addCategory`. */
export interface StageSeed {
  /** Without the `C<id>:` prefix, e.g. `NEW`. */
  statusId: string;
  name: string;
  semantics?: Semantics;
}

const DEFAULT_DEAL_STAGES: StageSeed[] = [
  { statusId: 'NEW', name: 'New' },
  { statusId: 'PREPARATION', name: 'Document preparation' },
  { statusId: 'PREPAYMENT_INVOICE', name: 'Invoice' },
  { statusId: 'EXECUTING', name: 'In progress' },
  { statusId: 'FINAL_INVOICE', name: 'Final invoice' },
  { statusId: 'WON', name: 'Deal won', semantics: 'S' },
  { statusId: 'LOSE', name: 'Deal lost', semantics: 'F' },
  { statusId: 'APOLOGY', name: 'Analyze failure', semantics: 'F' },
];

const REFERENCE_LISTS: Record<string, Array<[string, string, Semantics?]>> = {
  STATUS: [
    ['NEW', 'Unassigned'],
    ['IN_PROCESS', 'In progress'],
    ['PROCESSED', 'Processed'],
    ['JUNK', 'Junk lead', 'F'],
    ['CONVERTED', 'Good lead', 'S'],
  ],
  SOURCE: [
    ['CALL', 'Call'], ['EMAIL', 'E-Mail'], ['WEB', 'Website'], ['ADVERTISING', 'Advertising'],
    ['PARTNER', 'Existing client'], ['RECOMMENDATION', 'By recommendation'], ['TRADE_SHOW', 'Show/Exhibition'],
    ['WEBFORM', 'CRM form'], ['CALLBACK', 'Callback'], ['OTHER', 'Other'],
  ],
  DEAL_TYPE: [['SALE', 'Sales'], ['COMPLEX', 'Integrated sale'], ['GOODS', 'Merchandise sales'], ['SERVICES', 'Service sales'], ['SERVICE', 'After-sales service']],
  CONTACT_TYPE: [['CLIENT', 'Clients'], ['SUPPLIER', 'Suppliers'], ['PARTNER', 'Partners'], ['OTHER', 'Other']],
  COMPANY_TYPE: [['CUSTOMER', 'Client'], ['SUPPLIER', 'Supplier'], ['COMPETITOR', 'Competitor'], ['PARTNER', 'Partner'], ['OTHER', 'Other']],
};

const COLORS = ['#39A8EF', '#2FC6F6', '#55D0E0', '#47E4C2', '#FFA900', '#7BD500', '#FF5752', '#FF5752'];

export class StageRegistry {
  readonly statuses: StatusEntry[] = [];
  readonly categories: CategoryEntry[] = [];
  #nextStatusId = 101;
  #nextCategoryId = 1;

  constructor() {
    this.categories.push({ id: 0, name: 'General', sort: 300, entityTypeId: 2, isDefault: true });
    this.#addDealStages(0, DEFAULT_DEAL_STAGES);
    for (const [entityId, rows] of Object.entries(REFERENCE_LISTS)) {
      rows.forEach(([statusId, name, semantics], i) => {
        this.statuses.push({
          id: this.#nextStatusId++,
          entityId,
          statusId,
          name,
          sort: (i + 1) * 10,
          system: true,
          categoryId: null,
          color: COLORS[i % COLORS.length] ?? '#39A8EF',
          semantics: semantics ?? 'P',
        });
      });
    }
  }

  /** Adds a deal pipeline; stage ids get the `C<id>:` prefix as on a real portal. */
  addDealCategory(name: string, stages: StageSeed[] = DEFAULT_DEAL_STAGES): CategoryEntry {
    const category: CategoryEntry = { id: this.#nextCategoryId++, name, sort: 100 + this.categories.length * 10, entityTypeId: 2, isDefault: false };
    this.categories.push(category);
    this.#addDealStages(category.id, stages);
    return category;
  }

  dealStages(categoryId: number): StatusEntry[] {
    const entityId = categoryId === 0 ? 'DEAL_STAGE' : `DEAL_STAGE_${categoryId}`;
    return this.statuses.filter((s) => s.entityId === entityId);
  }

  /** Category of a deal stage id (`C3:NEW` → 3, `NEW` → 0), or undefined if unknown. */
  dealStage(stageId: string): StatusEntry | undefined {
    return this.statuses.find((s) => s.entityId.startsWith('DEAL_STAGE') && s.statusId === stageId);
  }

  leadStatus(statusId: string): StatusEntry | undefined {
    return this.statuses.find((s) => s.entityId === 'STATUS' && s.statusId === statusId);
  }

  #addDealStages(categoryId: number, stages: StageSeed[]): void {
    const entityId = categoryId === 0 ? 'DEAL_STAGE' : `DEAL_STAGE_${categoryId}`;
    stages.forEach((stage, i) => {
      this.statuses.push({
        id: this.#nextStatusId++,
        entityId,
        statusId: categoryId === 0 ? stage.statusId : `C${categoryId}:${stage.statusId}`,
        name: stage.name,
        sort: (i + 1) * 10,
        system: i === 0 || stage.semantics !== undefined,
        categoryId: categoryId === 0 ? null : categoryId,
        color: COLORS[i % COLORS.length] ?? '#39A8EF',
        semantics: stage.semantics ?? 'P',
      });
    });
  }
}

/** `crm.status.list` row (RD:crm-status-list.md: strings, EXTRA with semantics). */
export function statusRow(s: StatusEntry): Record<string, unknown> {
  const semanticsWord = s.semantics === 'S' ? 'success' : s.semantics === 'F' ? 'failure' : 'process';
  return {
    ID: String(s.id),
    ENTITY_ID: s.entityId,
    STATUS_ID: s.statusId,
    NAME: s.name,
    NAME_INIT: s.system ? s.name : '',
    SORT: String(s.sort),
    SYSTEM: s.system ? 'Y' : 'N',
    CATEGORY_ID: s.categoryId === null ? null : String(s.categoryId),
    COLOR: s.color,
    SEMANTICS: s.semantics === 'P' ? null : s.semantics,
    EXTRA: { SEMANTICS: semanticsWord, COLOR: s.color },
  };
}
