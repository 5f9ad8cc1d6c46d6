import type { ActivityView, StoredFile, TimelineEntry } from '../types.js';

interface CommentRec {
  id: number;
  entityTypeId: number;
  entityId: number;
  comment: string;
  authorId: number;
  created: number;
  files: StoredFile[];
}

interface LogMessageRec {
  id: number;
  entityTypeId: number;
  entityId: number;
  title: string;
  text: string;
  iconCode: string;
  authorId: number;
  created: number;
}

/** Files the portal keeps (call records, comment attachments). */
export class FileStore {
  readonly #files = new Map<number, StoredFile>();
  #nextId = 9001;

  add(name: string, contentType: string, bytes: Buffer, sourceUrl: string | null): StoredFile {
    const file: StoredFile = { id: this.#nextId++, name, contentType, bytes, sourceUrl };
    this.#files.set(file.id, file);
    return file;
  }

  get(id: number): StoredFile | undefined {
    return this.#files.get(id);
  }

  all(): StoredFile[] {
    return [...this.#files.values()];
  }
}

/** Timeline comments, log messages and activities with their bindings to CRM items. */
export class TimelineStore {
  readonly comments: CommentRec[] = [];
  readonly logMessages: LogMessageRec[] = [];
  readonly activities = new Map<number, ActivityView>();
  #nextCommentId = 1;
  #nextLogId = 1;
  #nextActivityId = 7001;

  addComment(entityTypeId: number, entityId: number, comment: string, authorId: number, created: number, files: StoredFile[]): number {
    const id = this.#nextCommentId++;
    this.comments.push({ id, entityTypeId, entityId, comment, authorId, created, files });
    return id;
  }

  addLogMessage(rec: Omit<LogMessageRec, 'id'>): LogMessageRec {
    const full = { ...rec, id: this.#nextLogId++ };
    this.logMessages.push(full);
    return full;
  }

  addActivity(init: Omit<ActivityView, 'id'>): ActivityView {
    const activity: ActivityView = { ...init, id: this.#nextActivityId++ };
    this.activities.set(activity.id, activity);
    return activity;
  }

  /** Everything shown in the timeline of one CRM item, oldest first. */
  entriesFor(entityTypeId: number, entityId: number): TimelineEntry[] {
    const entries: TimelineEntry[] = [];
    for (const c of this.comments) {
      if (c.entityTypeId === entityTypeId && c.entityId === entityId) {
        entries.push({ kind: 'comment', id: c.id, created: c.created, authorId: c.authorId, comment: c.comment, files: c.files });
      }
    }
    for (const m of this.logMessages) {
      if (m.entityTypeId === entityTypeId && m.entityId === entityId) {
        entries.push({ kind: 'logmessage', id: m.id, created: m.created, authorId: m.authorId, title: m.title, text: m.text, iconCode: m.iconCode });
      }
    }
    for (const a of this.activities.values()) {
      if (a.bindings.some((b) => b.entityTypeId === entityTypeId && b.entityId === entityId)) {
        entries.push({ kind: 'activity', id: a.id, created: a.created, activity: a });
      }
    }
    return entries.sort((x, y) => x.created - y.created || x.id - y.id);
  }
}

