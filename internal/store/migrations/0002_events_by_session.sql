-- An agent's catch-up reads only its own session's events; without this
-- index it scanned (and decoded) the whole event log on every connect.
CREATE INDEX events_session_seq ON events (session_id, seq);
