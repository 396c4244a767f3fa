"""All of the emulator's SQLite schema, in one place, and the tables a reset empties.

Every statement must be idempotent: the whole schema runs on each start (a --db file from
an earlier run is carried on).
"""

from __future__ import annotations

SCHEMA: tuple[str, ...] = (
    # the directory, secrets and tokens, the change log
    """CREATE TABLE IF NOT EXISTS departments (
        id INTEGER PRIMARY KEY, name TEXT NOT NULL, name_en TEXT,
        parentid INTEGER NOT NULL, sort_order INTEGER NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS departments_parent ON departments(parentid)",
    """CREATE TABLE IF NOT EXISTS users (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, userid TEXT NOT NULL,
        userid_key TEXT NOT NULL UNIQUE, openid TEXT NOT NULL UNIQUE,
        mobile_key TEXT UNIQUE, email_key TEXT UNIQUE, biz_mail_key TEXT UNIQUE,
        activated INTEGER NOT NULL, enable INTEGER NOT NULL, system_userid INTEGER NOT NULL,
        userid_changed INTEGER NOT NULL, biz_mail_locked INTEGER NOT NULL,
        created_at REAL NOT NULL, data TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS user_departments (
        user_seq INTEGER NOT NULL, department_id INTEGER NOT NULL, position INTEGER NOT NULL,
        sort_order INTEGER NOT NULL, is_leader INTEGER NOT NULL,
        PRIMARY KEY (user_seq, department_id))""",
    "CREATE INDEX IF NOT EXISTS user_departments_dept ON user_departments(department_id)",
    """CREATE TABLE IF NOT EXISTS tags (
        tagid INTEGER PRIMARY KEY, tagname TEXT NOT NULL, owner TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS tag_users (
        tagid INTEGER NOT NULL, user_seq INTEGER NOT NULL, PRIMARY KEY (tagid, user_seq))""",
    "CREATE INDEX IF NOT EXISTS tag_users_user ON tag_users(user_seq)",
    """CREATE TABLE IF NOT EXISTS tag_parties (
        tagid INTEGER NOT NULL, department_id INTEGER NOT NULL,
        PRIMARY KEY (tagid, department_id))""",
    """CREATE TABLE IF NOT EXISTS secrets (
        secret TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,
        visible_departments TEXT NOT NULL, visible_users TEXT NOT NULL,
        hide_sensitive INTEGER)""",
    """CREATE TABLE IF NOT EXISTS tokens (
        token TEXT PRIMARY KEY, secret TEXT NOT NULL, issued_at REAL NOT NULL,
        expires_at REAL NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS tokens_secret ON tokens(secret, expires_at)",
    """CREATE TABLE IF NOT EXISTS changes (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, kind TEXT NOT NULL,
        key TEXT NOT NULL, fields TEXT NOT NULL, actor TEXT NOT NULL)""",
    # media uploads and export files
    """CREATE TABLE IF NOT EXISTS media (
        media_id TEXT PRIMARY KEY, type TEXT NOT NULL, filename TEXT NOT NULL,
        data BLOB NOT NULL, created_at REAL NOT NULL, expires_at REAL NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS export_files (
        file_id TEXT PRIMARY KEY, jobid TEXT NOT NULL, idx INTEGER NOT NULL,
        data BLOB NOT NULL, md5 TEXT NOT NULL, expires_at REAL NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS export_files_job ON export_files(jobid, idx)",
    # import and export jobs
    """CREATE TABLE IF NOT EXISTS jobs (
        jobid TEXT PRIMARY KEY, family TEXT NOT NULL, type TEXT NOT NULL, caller TEXT NOT NULL,
        request TEXT NOT NULL, state TEXT NOT NULL, total INTEGER NOT NULL,
        steps INTEGER NOT NULL, done INTEGER NOT NULL, errcode INTEGER NOT NULL,
        errmsg TEXT NOT NULL, purged INTEGER NOT NULL, created_at REAL NOT NULL,
        finished_at REAL)""",
    """CREATE TABLE IF NOT EXISTS job_results (
        jobid TEXT NOT NULL, idx INTEGER NOT NULL, data TEXT NOT NULL,
        PRIMARY KEY (jobid, idx))""",
    # replaceparty keeps departments that still hold members; they go once empty
    "CREATE TABLE IF NOT EXISTS departments_to_delete (id INTEGER PRIMARY KEY)",
    # the callback outbox: callbacks, their queued deliveries, the router cursor;
    # kind "secret": a secret's callback URL; kind "job": an import job's own `callback`
    """CREATE TABLE IF NOT EXISTS callbacks (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner TEXT NOT NULL, kind TEXT NOT NULL,
        url TEXT NOT NULL, token TEXT NOT NULL, encoding_aes_key TEXT NOT NULL,
        echo_own_changes INTEGER NOT NULL, minimal_fields INTEGER NOT NULL,
        timeout REAL NOT NULL, retries INTEGER NOT NULL, retry_interval REAL,
        since_seq INTEGER NOT NULL, active INTEGER NOT NULL, created_at REAL NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS callback_deliveries (
        id INTEGER PRIMARY KEY AUTOINCREMENT, callback_id INTEGER NOT NULL,
        seq INTEGER NOT NULL, event TEXT NOT NULL, key TEXT NOT NULL, actor TEXT NOT NULL,
        create_time INTEGER NOT NULL, xml TEXT, outcome TEXT NOT NULL, reason TEXT,
        attempts INTEGER NOT NULL, status INTEGER, error TEXT, queued_at REAL NOT NULL,
        first_attempt_at REAL, last_attempt_at REAL, next_attempt_at REAL, finished_at REAL)""",
    """CREATE INDEX IF NOT EXISTS callback_deliveries_queue
        ON callback_deliveries(callback_id, outcome, id)""",
    "CREATE TABLE IF NOT EXISTS callback_router (id INTEGER PRIMARY KEY, last_seq INTEGER)",
    # Members and sub-departments per department, kept by triggers, so that the 30,000-node check
    # costs one lookup instead of a count that grows with the department (quadratic seeding).
    """CREATE TABLE IF NOT EXISTS department_nodes (
        department_id INTEGER PRIMARY KEY, members INTEGER NOT NULL, children INTEGER NOT NULL)""",
    """CREATE TRIGGER IF NOT EXISTS department_nodes_join AFTER INSERT ON user_departments BEGIN
        INSERT INTO department_nodes VALUES (NEW.department_id, 1, 0)
        ON CONFLICT (department_id) DO UPDATE SET members = members + 1; END""",
    """CREATE TRIGGER IF NOT EXISTS department_nodes_leave AFTER DELETE ON user_departments BEGIN
        UPDATE department_nodes SET members = members - 1
        WHERE department_id = OLD.department_id; END""",
    """CREATE TRIGGER IF NOT EXISTS department_nodes_add AFTER INSERT ON departments BEGIN
        INSERT INTO department_nodes VALUES (NEW.parentid, 0, 1)
        ON CONFLICT (department_id) DO UPDATE SET children = children + 1; END""",
    """CREATE TRIGGER IF NOT EXISTS department_nodes_remove AFTER DELETE ON departments BEGIN
        UPDATE department_nodes SET children = children - 1
        WHERE department_id = OLD.parentid; END""",
    """CREATE TRIGGER IF NOT EXISTS department_nodes_move AFTER UPDATE OF parentid ON departments
        WHEN OLD.parentid IS NOT NEW.parentid BEGIN
        UPDATE department_nodes SET children = children - 1 WHERE department_id = OLD.parentid;
        INSERT INTO department_nodes VALUES (NEW.parentid, 0, 1)
        ON CONFLICT (department_id) DO UPDATE SET children = children + 1; END""",
    # counted afresh at each start: a --db file written before the triggers has no counts
    "DELETE FROM department_nodes",
    """INSERT INTO department_nodes (department_id, members, children)
        SELECT id, SUM(m), SUM(c) FROM (
            SELECT department_id AS id, 1 AS m, 0 AS c FROM user_departments
            UNION ALL SELECT parentid, 0, 1 FROM departments)
        GROUP BY id""",
)

# Emptied by reset. AUTOINCREMENT counters (users.seq, changes.seq) are kept on purpose so
# that sequence numbers stay monotonic across resets.
RESET_TABLES: tuple[str, ...] = (
    "departments",
    "users",
    "user_departments",
    "tags",
    "tag_users",
    "tag_parties",
    "secrets",
    "tokens",
    "changes",
    "media",
    "export_files",
    "jobs",
    "job_results",
    "departments_to_delete",
    "callbacks",
    "callback_deliveries",
    "callback_router",
    "department_nodes",
)
