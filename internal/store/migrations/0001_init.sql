-- Tether's first schema.
--
-- Times are INTEGER unix nanoseconds in UTC, 0 for "not set", so ordering
-- and range comparisons are exact and independent of text formats.
-- Enumerations (role, state, kind, ...) are the desk package's integer
-- values. An unset reference (channel 0, no assignee) is NULL so that the
-- foreign key is only checked when there is something to check.
-- Lists (group members, collaborators) are join tables with a pos column
-- that keeps the order the caller gave.

CREATE TABLE accounts (
	id            INTEGER PRIMARY KEY,
	email         TEXT    NOT NULL UNIQUE COLLATE NOCASE,
	name          TEXT    NOT NULL,
	password_hash TEXT    NOT NULL,
	role          INTEGER NOT NULL,
	grant_rights  INTEGER NOT NULL DEFAULT 0,
	revoke_rights INTEGER NOT NULL DEFAULT 0,
	availability  INTEGER NOT NULL DEFAULT 0,
	disabled      INTEGER NOT NULL DEFAULT 0,
	created_at    INTEGER NOT NULL
);

CREATE TABLE groups (
	id          INTEGER PRIMARY KEY,
	name        TEXT    NOT NULL UNIQUE COLLATE NOCASE,
	description TEXT    NOT NULL DEFAULT '',
	created_at  INTEGER NOT NULL
);

CREATE TABLE account_groups (
	account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	group_id   INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
	pos        INTEGER NOT NULL,
	PRIMARY KEY (account_id, group_id)
) WITHOUT ROWID;
CREATE INDEX account_groups_group ON account_groups(group_id);

CREATE TABLE channels (
	id               INTEGER PRIMARY KEY,
	name             TEXT    NOT NULL UNIQUE COLLATE NOCASE,
	description      TEXT    NOT NULL DEFAULT '',
	expiration       INTEGER NOT NULL, -- nanoseconds (time.Duration)
	sla_response     INTEGER NOT NULL,
	first_line_limit INTEGER NOT NULL,
	accepts_sos      INTEGER NOT NULL DEFAULT 0,
	file_types       TEXT    NOT NULL DEFAULT 'null', -- JSON array; null and [] differ
	max_file_size    INTEGER NOT NULL,
	created_at       INTEGER NOT NULL
);

CREATE TABLE channel_groups (
	channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
	group_id   INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
	pos        INTEGER NOT NULL,
	PRIMARY KEY (channel_id, group_id)
) WITHOUT ROWID;
CREATE INDEX channel_groups_group ON channel_groups(group_id);

CREATE TABLE channel_technicians (
	channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
	account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	pos        INTEGER NOT NULL,
	PRIMARY KEY (channel_id, account_id)
) WITHOUT ROWID;
CREATE INDEX channel_technicians_account ON channel_technicians(account_id);

CREATE TABLE channel_managers (
	channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
	account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	pos        INTEGER NOT NULL,
	PRIMARY KEY (channel_id, account_id)
) WITHOUT ROWID;
CREATE INDEX channel_managers_account ON channel_managers(account_id);

-- A deleted channel keeps its closed sessions (history, reports) but they
-- lose the channel: ON DELETE SET NULL. Open sessions block the delete.
CREATE TABLE sessions (
	id                INTEGER PRIMARY KEY,
	channel_id        INTEGER REFERENCES channels(id) ON DELETE SET NULL,
	kind              INTEGER NOT NULL,
	state             INTEGER NOT NULL,
	end_user_name     TEXT    NOT NULL DEFAULT '',
	problem           TEXT    NOT NULL DEFAULT '',
	device            TEXT    NOT NULL DEFAULT '{}', -- JSON
	created_by        INTEGER REFERENCES accounts(id),
	assignee_id       INTEGER REFERENCES accounts(id),
	created_at        INTEGER NOT NULL,
	agent_joined_at   INTEGER NOT NULL DEFAULT 0,
	taken_at          INTEGER NOT NULL DEFAULT 0,
	first_response_at INTEGER NOT NULL DEFAULT 0,
	connected_at      INTEGER NOT NULL DEFAULT 0,
	closed_at         INTEGER NOT NULL DEFAULT 0,
	deleted_at        INTEGER NOT NULL DEFAULT 0,
	expires_at        INTEGER NOT NULL DEFAULT 0,
	link_hash         TEXT,
	code_hash         TEXT
);
CREATE UNIQUE INDEX sessions_link_hash ON sessions(link_hash) WHERE link_hash IS NOT NULL;
CREATE UNIQUE INDEX sessions_code_hash ON sessions(code_hash) WHERE code_hash IS NOT NULL;
CREATE INDEX sessions_channel ON sessions(channel_id);
CREATE INDEX sessions_state ON sessions(state);
CREATE INDEX sessions_assignee ON sessions(assignee_id);
CREATE INDEX sessions_expires ON sessions(expires_at) WHERE expires_at <> 0;
CREATE INDEX sessions_created ON sessions(created_at);

CREATE TABLE session_collaborators (
	session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
	account_id INTEGER NOT NULL REFERENCES accounts(id),
	pos        INTEGER NOT NULL,
	PRIMARY KEY (session_id, account_id)
) WITHOUT ROWID;
CREATE INDEX session_collaborators_account ON session_collaborators(account_id);

-- Only hashes of bearer tokens are stored.
CREATE TABLE tokens (
	hash       TEXT    PRIMARY KEY,
	kind       INTEGER NOT NULL,
	account_id INTEGER REFERENCES accounts(id) ON DELETE CASCADE,
	session_id INTEGER REFERENCES sessions(id) ON DELETE CASCADE,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX tokens_account ON tokens(account_id);
CREATE INDEX tokens_session ON tokens(session_id);
CREATE INDEX tokens_expires ON tokens(expires_at);

CREATE TABLE attachments (
	id           INTEGER PRIMARY KEY,
	session_id   INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
	name         TEXT    NOT NULL,
	size         INTEGER NOT NULL,
	content_type TEXT    NOT NULL DEFAULT '',
	key          TEXT    NOT NULL UNIQUE,
	sha256       TEXT    NOT NULL DEFAULT '',
	at           INTEGER NOT NULL,
	-- target of messages' composite key: a message can only carry a file
	-- of its own session.
	UNIQUE (id, session_id)
);
CREATE INDEX attachments_session ON attachments(session_id);

CREATE TABLE messages (
	id            INTEGER PRIMARY KEY,
	session_id    INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
	at            INTEGER NOT NULL,
	from_kind     INTEGER NOT NULL,
	from_id       INTEGER REFERENCES accounts(id),
	from_name     TEXT    NOT NULL DEFAULT '',
	text          TEXT    NOT NULL DEFAULT '',
	attachment_id INTEGER,
	FOREIGN KEY (attachment_id, session_id) REFERENCES attachments(id, session_id)
);
CREATE INDEX messages_session ON messages(session_id, id);
CREATE INDEX messages_attachment ON messages(attachment_id) WHERE attachment_id IS NOT NULL;

CREATE TABLE consents (
	id            INTEGER PRIMARY KEY,
	session_id    INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
	technician_id INTEGER REFERENCES accounts(id),
	technician    TEXT    NOT NULL DEFAULT '',
	mode          INTEGER NOT NULL,
	answer        INTEGER NOT NULL DEFAULT 0,
	requested_at  INTEGER NOT NULL,
	answered_at   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX consents_session ON consents(session_id);

-- One rating per session: the primary key enforces "given once".
CREATE TABLE ratings (
	session_id  INTEGER PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
	channel_id  INTEGER REFERENCES channels(id) ON DELETE SET NULL,
	assignee_id INTEGER REFERENCES accounts(id),
	stars       INTEGER NOT NULL CHECK (stars BETWEEN 1 AND 5),
	comment     TEXT    NOT NULL DEFAULT '',
	flagged     INTEGER NOT NULL DEFAULT 0,
	at          INTEGER NOT NULL
);
CREATE INDEX ratings_channel ON ratings(channel_id);
CREATE INDEX ratings_assignee ON ratings(assignee_id);
CREATE INDEX ratings_at ON ratings(at);

-- The audit log is hash-chained (desk.AuditHash). It has no foreign keys:
-- it records the values as they were, and nothing may change them. The
-- triggers stop the broker itself from editing or removing records by
-- mistake; someone with the file can drop them, which the chain detects.
CREATE TABLE audit (
	seq        INTEGER PRIMARY KEY,
	at         INTEGER NOT NULL,
	actor_kind INTEGER NOT NULL,
	actor_id   INTEGER NOT NULL DEFAULT 0,
	actor_name TEXT    NOT NULL DEFAULT '',
	action     TEXT    NOT NULL,
	session_id INTEGER NOT NULL DEFAULT 0,
	channel_id INTEGER NOT NULL DEFAULT 0,
	target     TEXT    NOT NULL DEFAULT '',
	detail     TEXT    NOT NULL DEFAULT '',
	prev_hash  TEXT    NOT NULL,
	hash       TEXT    NOT NULL
);
CREATE INDEX audit_session ON audit(session_id) WHERE session_id <> 0;
CREATE INDEX audit_channel ON audit(channel_id) WHERE channel_id <> 0;
CREATE INDEX audit_actor ON audit(actor_id) WHERE actor_id <> 0;
CREATE INDEX audit_at ON audit(at);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
	SELECT RAISE(ABORT, 'audit records are append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
	SELECT RAISE(ABORT, 'audit records are append-only');
END;

-- Events let a reconnecting client catch up from the last seq it saw.
-- payload is the JSON of the event's Session/Message/Consent/Rating/
-- Channel/Account as it was when the event happened.
CREATE TABLE events (
	seq        INTEGER PRIMARY KEY,
	type       TEXT    NOT NULL,
	at         INTEGER NOT NULL,
	session_id INTEGER NOT NULL DEFAULT 0,
	channel_id INTEGER NOT NULL DEFAULT 0,
	account_id INTEGER NOT NULL DEFAULT 0,
	payload    TEXT    NOT NULL DEFAULT '{}'
);
