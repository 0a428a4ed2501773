-- The application's database role: it may read and write every table except the audit log, which it may only
-- read and append to. Run as the database owner after every `manage.py migrate` (migrations run as the owner, not
-- as this role). Replace :app_role and :db with your names, e.g.
--   psql -v app_role=reserves_app -v db=reserves -f docs/sql/app_role.sql "$OWNER_DATABASE_URL"
-- (the role must exist: CREATE ROLE reserves_app LOGIN PASSWORD '...';)

GRANT CONNECT ON DATABASE :"db" TO :"app_role";
GRANT USAGE ON SCHEMA public TO :"app_role";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app_role";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"app_role";
-- Append-only: the application can never change or remove an audit entry (PIPL; keep at least 184 days).
REVOKE UPDATE, DELETE, TRUNCATE ON org_auditlog FROM :"app_role";
