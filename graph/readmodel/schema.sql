-- The read model's tables (SQLite). See graph/readmodel/__init__.py for what each is for.

CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- The graphs as the read model last took them in: a revision that differs from the store's
-- registry means the read model missed a change (a crash) and must take the graph in again.
CREATE TABLE IF NOT EXISTS graph (
    iri TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    revision INTEGER NOT NULL
);

-- Every cgid: subject and its facts, per graph: JSON {graph IRI: [[p, kind, value, extra]]}.
CREATE TABLE IF NOT EXISTS subject (
    sid INTEGER PRIMARY KEY,
    iri TEXT NOT NULL UNIQUE,
    facts BLOB NOT NULL
);

CREATE TABLE IF NOT EXISTS graph_subject (
    graph TEXT NOT NULL,
    sid INTEGER NOT NULL,
    PRIMARY KEY (graph, sid)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS graph_subject_sid ON graph_subject (sid);

-- Entities: labelled subjects, with their pre-encoded summary.
CREATE TABLE IF NOT EXISTS entity (
    sid INTEGER PRIMARY KEY,
    iri TEXT NOT NULL UNIQUE,
    id TEXT NOT NULL,
    kind TEXT NOT NULL,
    type TEXT,
    label TEXT NOT NULL,
    sort_label TEXT NOT NULL,
    earliest TEXT,
    latest TEXT,
    is_event INTEGER NOT NULL,
    summary BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS entity_id ON entity (id);
CREATE INDEX IF NOT EXISTS entity_sort ON entity (sort_label, id);
CREATE INDEX IF NOT EXISTS entity_events ON entity (is_event, earliest);
-- The dated events by sid with what a window's answer is sorted on: a window joins the event_span
-- R*Tree's matches through this narrow index instead of the wide entity rows (graph/readmodel/lists.py).
CREATE INDEX IF NOT EXISTS entity_event_order ON entity (sid, earliest, sort_label, id)
    WHERE is_event = 1 AND earliest IS NOT NULL;

CREATE TABLE IF NOT EXISTS entity_type (
    type TEXT NOT NULL,
    sid INTEGER NOT NULL,
    PRIMARY KEY (type, sid)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS entity_type_sid ON entity_type (sid);

-- Events by their span in day numbers (unbounded ends as +-1e9): overlap queries in log time.
CREATE VIRTUAL TABLE IF NOT EXISTS event_span USING rtree (sid, lo, hi);

-- Search over folded ids, label, aliases and description (trigram: substrings match).
CREATE VIRTUAL TABLE IF NOT EXISTS search USING fts5 (
    ids, label, aliases, description, tokenize = 'trigram'
);

-- Every IRI-valued statement of a subject: relations in both directions, referrers.
CREATE TABLE IF NOT EXISTS edge (
    src INTEGER NOT NULL,
    pred TEXT NOT NULL,
    dst TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS edge_src ON edge (src);
CREATE INDEX IF NOT EXISTS edge_dst ON edge (dst, pred);

-- Causal claims, by what they link.
CREATE TABLE IF NOT EXISTS claim (
    sid INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    cause TEXT NOT NULL,
    effect TEXT NOT NULL,
    record BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS claim_cause ON claim (cause);
CREATE INDEX IF NOT EXISTS claim_effect ON claim (effect);
CREATE INDEX IF NOT EXISTS claim_id ON claim (id);

-- The property graph (graph.records): nodes and the relationships each subject owns.
CREATE TABLE IF NOT EXISTS node (
    sid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    slug TEXT NOT NULL,
    kind TEXT NOT NULL,
    record BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS node_slug ON node (slug);

CREATE TABLE IF NOT EXISTS rel (
    type TEXT NOT NULL,
    src TEXT NOT NULL,
    dst TEXT NOT NULL,
    key TEXT NOT NULL,
    owner INTEGER NOT NULL,
    record BLOB NOT NULL,
    PRIMARY KEY (type, src, dst, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS rel_owner ON rel (owner);
CREATE INDEX IF NOT EXISTS rel_src ON rel (src);
CREATE INDEX IF NOT EXISTS rel_dst ON rel (dst);

-- Dated events (anything typed cg:Event or below, with cg:earliest), for temporal relations.
CREATE TABLE IF NOT EXISTS event_bounds (
    sid INTEGER PRIMARY KEY,
    iri TEXT NOT NULL UNIQUE,
    earliest TEXT,
    start_latest TEXT,
    end_earliest TEXT,
    latest TEXT,
    uncertain INTEGER NOT NULL
);

-- Derived temporal relations and the scope (a case IRI, or "pairs") that produced each.
CREATE TABLE IF NOT EXISTS temporal (
    scope TEXT NOT NULL,
    src TEXT NOT NULL,
    dst TEXT NOT NULL,
    relation TEXT NOT NULL,
    certain INTEGER NOT NULL,
    PRIMARY KEY (scope, src, dst, relation)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS temporal_src ON temporal (src);
CREATE INDEX IF NOT EXISTS temporal_dst ON temporal (dst);

-- Property-graph keys (node ids, relationship keys) and the version that last changed each:
-- what an engine synced at version v must rewrite or delete.
CREATE TABLE IF NOT EXISTS pg_change (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (kind, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS pg_change_version ON pg_change (version);

CREATE TABLE IF NOT EXISTS engine (
    name TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    state TEXT NOT NULL
);
