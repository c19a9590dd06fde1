-- civicflow store, PostgreSQL: the tables of docs/hosting.md. Times are UTC milliseconds.
CREATE TABLE definitions (
  seq BIGSERIAL PRIMARY KEY,        -- load order: every worker replays them in this order
  kind TEXT NOT NULL,               -- the op that loaded it: load_workflow, load_calendar, ...
  id TEXT NOT NULL,
  version BIGINT NOT NULL,
  body JSONB NOT NULL,               -- the request, as sent again on every worker
  digest TEXT NOT NULL,             -- list_workflows' digest once it was loaded
  at BIGINT NOT NULL
);
CREATE TABLE cases (
  case_id TEXT PRIMARY KEY,
  workflow TEXT NOT NULL,
  wf_version BIGINT NOT NULL,
  state TEXT NOT NULL,
  terminal BOOLEAN NOT NULL,
  version BIGINT NOT NULL,         -- its number of events
  head TEXT NOT NULL,
  citizen_key TEXT,
  matter_key TEXT,
  primary_id TEXT,
  appeal_of TEXT UNIQUE,            -- one appeal per case
  opened_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX cases_open_keys ON cases (citizen_key, matter_key) WHERE NOT terminal;
CREATE INDEX cases_closed ON cases (updated_at) WHERE terminal;
CREATE TABLE events (
  case_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  body JSONB NOT NULL,
  committed_at BIGINT NOT NULL,
  PRIMARY KEY (case_id, seq)
);
CREATE TABLE timers (
  case_id TEXT NOT NULL,
  slot BIGINT NOT NULL,
  due_at BIGINT NOT NULL,
  body JSONB NOT NULL,
  leased_until BIGINT,
  PRIMARY KEY (case_id, slot)
);
CREATE INDEX timers_due ON timers (due_at);
CREATE TABLE outbox (
  ord BIGSERIAL PRIMARY KEY,         -- commit order: per-case delivery order
  effect_id TEXT NOT NULL UNIQUE,
  case_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  body JSONB NOT NULL,
  leased_until BIGINT,
  attempts BIGINT NOT NULL DEFAULT 0,
  last_error TEXT,
  delivered_at BIGINT
);
CREATE INDEX outbox_pending ON outbox (case_id, ord) WHERE delivered_at IS NULL;
CREATE TABLE requests (
  request_id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL,
  answer JSONB NOT NULL,
  at BIGINT NOT NULL
);
CREATE TABLE archive (
  case_id TEXT PRIMARY KEY,
  workflow TEXT NOT NULL,
  version BIGINT NOT NULL,
  head TEXT NOT NULL,
  history JSONB NOT NULL,           -- the whole history, as `history` answers it
  archived_at BIGINT NOT NULL
);
