-- Hand-written, PostgreSQL only (SQLite uses json_valid/json_extract, see lib/db/dialect.ts).
-- A top-level field of a JSON text column as text, NULL when the text is not valid JSON:
-- PostgreSQL 15 has no "IS JSON" test, and a bad row must not fail a whole listing.
CREATE FUNCTION sigscope_json_text(doc TEXT, key TEXT) RETURNS TEXT
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  RETURN doc::jsonb ->> key;
EXCEPTION WHEN invalid_text_representation THEN
  RETURN NULL;
END;
$$;
