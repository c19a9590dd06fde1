-- civicflow store, SQLite: the tables of docs/hosting.md. Times are UTC milliseconds.
CREATE TABLE definitions (
  seq INTEGER PRIMARY KEY,          -- load order: every worker replays them in this order
  kind TEXT NOT NULL,               -- the op that loaded it: load_workflow, load_calendar, ...
  id TEXT NOT NULL,
  version INTEGER NOT NULL,
  body TEXT NOT NULL,               -- the request, as sent again on every worker
  digest TEXT NOT NULL,             -- list_workflows' digest once it was loaded
  at INTEGER NOT NULL
);
CREATE TABLE cases (
  case_id TEXT PRIMARY KEY,
  workflow TEXT NOT NULL,
  wf_version INTEGER NOT NULL,
  state TEXT NOT NULL,
  terminal INTEGER NOT NULL,
  version INTEGER NOT NULL,         -- its number of events
  head TEXT NOT NULL,
  citizen_key TEXT,
  matter_key TEXT,
  primary_id TEXT,
  appeal_of TEXT UNIQUE,            -- one appeal per case
  opened_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX cases_open_keys ON cases (citizen_key, matter_key) WHERE terminal = 0;
CREATE INDEX cases_closed ON cases (updated_at) WHERE terminal = 1;
CREATE TABLE events (
  case_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  body TEXT NOT NULL,
  committed_at INTEGER NOT NULL,
  PRIMARY KEY (case_id, seq)
) WITHOUT ROWID;
CREATE TABLE timers (
  case_id TEXT NOT NULL,
  slot INTEGER NOT NULL,
  due_at INTEGER NOT NULL,
  body TEXT NOT NULL,
  leased_until INTEGER,
  PRIMARY KEY (case_id, slot)
) WITHOUT ROWID;
CREATE INDEX timers_due ON timers (due_at);
CREATE TABLE outbox (
  ord INTEGER PRIMARY KEY,          -- commit order: per-case delivery order
  effect_id TEXT NOT NULL UNIQUE,
  case_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  body TEXT NOT NULL,
  leased_until INTEGER,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  delivered_at INTEGER
);
CREATE INDEX outbox_pending ON outbox (case_id, ord) WHERE delivered_at IS NULL;
CREATE TABLE requests (
  request_id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL,
  answer TEXT NOT NULL,
  at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE archive (
  case_id TEXT PRIMARY KEY,
  workflow TEXT NOT NULL,
  version INTEGER NOT NULL,
  head TEXT NOT NULL,
  history TEXT NOT NULL,            -- the whole history, as `history` answers it
  archived_at INTEGER NOT NULL
) WITHOUT ROWID;
