-- 0001: the initial catalogue. Paths are BLOBs of os.fsencode(path), so undecodable file names survive and
-- prefix ranges compare bytes (memcmp); the CHECKs stop a TEXT path slipping in and escaping those ranges.

CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Watched roots. online = 0 while the drive or share is unreachable.
CREATE TABLE folders (
    id INTEGER PRIMARY KEY,
    path BLOB NOT NULL UNIQUE CHECK (typeof(path) = 'blob'),
    added_at REAL NOT NULL,
    online INTEGER NOT NULL DEFAULT 1,
    watch_mode TEXT,
    last_scan_at REAL
);

-- One row per distinct file content (blake2b fingerprint): identical files share it, and a moved file keeps
-- its vector. The usearch index is keyed by contents.id. vector: little-endian float32; labels: JSON list.
CREATE TABLE contents (
    id INTEGER PRIMARY KEY,
    fingerprint TEXT NOT NULL UNIQUE,
    model_id TEXT,
    vector BLOB,
    labels TEXT,
    width INTEGER,
    height INTEGER,
    format TEXT,
    taken_at TEXT,
    camera TEXT
);

-- state: pending (needs the model), indexed (content_id has its vector), failed (error says why; retried
-- only on request or when the file changes), offline (its folder is unreachable; all data kept).
CREATE TABLE photos (
    id INTEGER PRIMARY KEY,
    folder_id INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
    path BLOB NOT NULL UNIQUE CHECK (typeof(path) = 'blob'),
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    content_id INTEGER REFERENCES contents(id),
    state TEXT NOT NULL CHECK (state IN ('pending', 'indexed', 'failed', 'offline')),
    error TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    updated_at REAL NOT NULL,
    -- The state a photo had when its folder went offline, restored when the folder comes back: a changed
    -- file waiting to be re-embedded still has its old content_id, so 'pending' cannot be inferred.
    state_before_offline TEXT CHECK (state_before_offline IN ('pending', 'indexed', 'failed'))
);

-- (state, updated_at) rather than (state) alone: it also serves "pending, oldest first" without a sort.
CREATE INDEX photos_state ON photos(state, updated_at);
CREATE INDEX photos_folder ON photos(folder_id);
CREATE INDEX photos_content ON photos(content_id);
CREATE INDEX contents_model ON contents(model_id);
