-- A model library as schema version 1 wrote it, frozen: the migration tests open it with the current code.
-- Never edit this file; add a new snapshot when a schema version ships.
CREATE TABLE models (
 id INTEGER PRIMARY KEY,
 key TEXT NOT NULL UNIQUE CHECK (length(key) = 32),
 name TEXT NOT NULL,
 sort_name TEXT NOT NULL,
 type TEXT NOT NULL, format TEXT NOT NULL, base TEXT NOT NULL, variant TEXT,
 path TEXT NOT NULL UNIQUE, hash TEXT, source TEXT,
 file_size INTEGER NOT NULL DEFAULT 0,
 added_at TEXT NOT NULL, updated_at TEXT NOT NULL,
 config TEXT NOT NULL CHECK (json_valid(config)));
CREATE INDEX models_name ON models (name);
CREATE INDEX models_sort_name ON models (sort_name);
CREATE INDEX models_base_type_name ON models (base, type, sort_name);
CREATE INDEX models_type_name ON models (type, sort_name);
CREATE INDEX models_format ON models (format);
CREATE INDEX models_hash ON models (hash);
CREATE INDEX models_added_at ON models (added_at);
CREATE INDEX models_file_size ON models (file_size);
CREATE TABLE model_tags (
 model_id INTEGER NOT NULL REFERENCES models (id) ON DELETE CASCADE,
 tag TEXT NOT NULL COLLATE NOCASE,
 PRIMARY KEY (model_id, tag)) WITHOUT ROWID;
CREATE INDEX model_tags_tag ON model_tags (tag, model_id);
INSERT INTO models VALUES (1, '0123456789abcdef0123456789abcdef', 'Dreamy Landscapes', 'dreamy landscapes', 'main', 'checkpoint', 'sd-1', 'normal',
 'sd-1/main/dreamy.safetensors', 'sha256:aa', 'https://example.invalid/dreamy', 2132625894,
 '2026-01-02T03:04:05.000Z', '2026-01-02T03:04:05.000Z',
 '{"key":"0123456789abcdef0123456789abcdef","name":"Dreamy Landscapes","type":"main","format":"checkpoint","base":"sd-1","path":"sd-1/main/dreamy.safetensors","hash":"sha256:aa","description":"Soft pastel scenery","source":"https://example.invalid/dreamy","source_type":"url","source_api_response":null,"cover_image":"","tags":["scenery","pastel"],"trigger_words":[],"added_at":"2026-01-02T03:04:05.000Z","updated_at":"2026-01-02T03:04:05.000Z","file_size":2132625894,"variant":"normal","prediction_type":"epsilon"}');
INSERT INTO model_tags VALUES (1, 'scenery'), (1, 'pastel');
INSERT INTO models VALUES (2, 'fedcba9876543210fedcba9876543210', 'Ink Sketch', 'ink sketch', 'lora', 'lycoris', 'sdxl', NULL,
 '/srv/loras/ink sketch ✒.safetensors', 'sha256:bb', '', 151100000,
 '2026-02-03T04:05:06.000Z', '2026-02-03T04:05:06.000Z',
 '{"key":"fedcba9876543210fedcba9876543210","name":"Ink Sketch","type":"lora","format":"lycoris","base":"sdxl","path":"/srv/loras/ink sketch ✒.safetensors","hash":"sha256:bb","description":"","source":"","source_type":"path","source_api_response":null,"cover_image":"","tags":["style"],"trigger_words":["inksketch"],"added_at":"2026-02-03T04:05:06.000Z","updated_at":"2026-02-03T04:05:06.000Z","file_size":151100000}');
INSERT INTO model_tags VALUES (2, 'style');
PRAGMA user_version = 1;
